package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-node {@link SaveBuffer}: accepted changes wait in memory, per field, for the next batch. A batch PostgreSQL
 * could not take goes back in front of anything newer, so the order of revisions is kept, and is retried while edits
 * keep flowing live. What cannot be written by the end of a graceful shutdown goes to the {@link SaveSpill}, which
 * the next start writes before it opens.
 */
public final class LocalSaveBuffer extends ScheduledSaveBuffer {
  private final SaveSpill spill;
  private Map<String, List<FieldChange>> pending = new LinkedHashMap<>();
  /** The batch being written now: still unsaved, so it counts for the backlog and goes to the spill on failure. */
  private Map<String, List<FieldChange>> writing = Map.of();

  public LocalSaveBuffer(Vertx vertx, SplittingWriter writer, SaveSpill spill, Publisher publisher,
                         HubMetrics metrics, long intervalMs, long retryMaxMs) {
    super(vertx, writer, publisher, metrics, intervalMs, retryMaxMs);
    this.spill = spill;
  }

  @Override
  public synchronized void add(FieldChange change) {
    pending.computeIfAbsent(change.formId() + "|" + change.key(), k -> new ArrayList<>()).add(change);
  }

  @Override
  protected synchronized int pendingFields() {
    return pending.size() + writing.size();
  }

  @Override
  protected synchronized Instant oldestPending() {
    Instant oldest = null;
    for (Map<String, List<FieldChange>> m : List.of(writing, pending)) {
      for (List<FieldChange> changes : m.values()) {
        Instant at = changes.get(0).at();
        if (oldest == null || at.isBefore(oldest)) oldest = at;
      }
    }
    return oldest;
  }

  @Override
  protected Future<Void> writePending() {
    Map<String, List<FieldChange>> batch;
    synchronized (this) {
      if (pending.isEmpty()) return Future.succeededFuture();
      batch = pending;
      writing = batch;
      pending = new LinkedHashMap<>();
    }
    long started = System.nanoTime();
    return writer.write(batch.values()).onSuccess(parked -> {
      synchronized (this) {
        writing = Map.of();
      }
      written(batch.values(), parked, started);
    }).onFailure(e -> {
      synchronized (this) {
        Map<String, List<FieldChange>> merged = new LinkedHashMap<>(batch);
        pending.forEach((k, newer) -> merged.merge(k, newer, (older, n) -> {
          older.addAll(n);
          return older;
        }));
        pending = merged;
        writing = Map.of();
      }
      failed(e);
    }).mapEmpty();
  }

  /** Shutdown could not write everything: keep it on disk for the next start, never drop it silently. */
  @Override
  protected Future<Void> abandon(Throwable why) {
    List<FieldChange> left = new ArrayList<>();
    synchronized (this) {
      pending.values().forEach(left::addAll);
      pending = new LinkedHashMap<>();
    }
    if (left.isEmpty()) return Future.succeededFuture();
    return spill.write(left, why);
  }
}
