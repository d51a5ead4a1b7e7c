package com.wedsync.hub.form;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a single node keeps the accepted changes it could not write to PostgreSQL before it stopped (the database was
 * away for the whole grace period): one {@link FieldChangeCodec} line per change in {@code <dir>/unsaved-changes.jsonl},
 * synced to disk. The next start writes them before it accepts any connection, then removes the file; a change the
 * database refuses for what it holds is parked as a dead letter like any other. (A cluster needs no spill: its pending
 * changes stay in Redis, and the surviving nodes write them.)
 */
public final class SaveSpill {
  private static final Logger log = LoggerFactory.getLogger(SaveSpill.class);
  static final String FILE = "unsaved-changes.jsonl";

  private final Vertx vertx;
  private final Path file;

  public SaveSpill(Vertx vertx, Path dir) {
    this.vertx = vertx;
    this.file = dir.resolve(FILE);
  }

  public Path file() {
    return file;
  }

  /** Appends the changes and syncs the file; fails only if the disk refused. */
  Future<Void> write(List<FieldChange> changes, Throwable why) {
    return vertx.executeBlocking(() -> {
      Files.createDirectories(file.getParent());
      StringBuilder text = new StringBuilder();
      for (FieldChange c : changes) text.append(FieldChangeCodec.encode(c)).append('\n');
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.APPEND)) {
        ch.write(java.nio.ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.US_ASCII)));
        ch.force(true);
      }
      log.error("{} accepted change(s) could not be saved before shutdown ({}); kept in {} and written at the next "
          + "start", changes.size(), why.getMessage(), file.toAbsolutePath());
      return null;
    });
  }

  /**
   * Writes what an earlier run spilled, before the hub opens: the forms then load with those changes in the record.
   * Fails (and keeps the file) when PostgreSQL cannot take them now.
   */
  public Future<Integer> replay(SplittingWriter writer) {
    if (!Files.exists(file)) return Future.succeededFuture(0);
    Map<String, List<FieldChange>> byField = new LinkedHashMap<>();
    int count = 0;
    try {
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        if (line.isBlank()) continue;
        FieldChange c = FieldChangeCodec.decode(line);
        byField.computeIfAbsent(c.fieldId().toString(), k -> new ArrayList<>()).add(c);
        count++;
      }
    } catch (IOException e) {
      return Future.failedFuture(new UncheckedIOException("reading " + file, e));
    }
    byField.values().forEach(l -> l.sort(java.util.Comparator.comparingLong(FieldChange::version)));
    int total = count;
    return writer.write(byField.values()).map(parked -> {
      try {
        Files.delete(file);
      } catch (IOException e) {
        throw new UncheckedIOException("removing " + file + " after writing it", e);
      }
      log.info("wrote {} change(s) spilled at the last shutdown from {} ({} parked as dead letters)", total, file,
          parked.size());
      return total;
    });
  }
}
