package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-node {@link SaveBuffer}: write-behind persistence of accepted field changes, held in memory. Changes to one field within a batch window collapse to one row
 * write (the latest value and version); every change is still kept as a revision. One transaction per batch writes all
 * rows (one multi-row UPDATE) and all revisions (one multi-row INSERT); {@code field:saved} is published after the
 * commit. When PostgreSQL fails, the batch goes back into the buffer and is retried with backoff while edits keep
 * flowing live.
 */
public final class LocalSaveBuffer implements SaveBuffer {
  private static final Logger log = LoggerFactory.getLogger(SaveBuffer.class);

  private final Vertx vertx;
  private final RevisionWriter writer;
  private final Publisher publisher;
  private final HubMetrics metrics;
  private final long intervalMs;
  private final long retryMaxMs;
  private Map<String, Pending> pending = new LinkedHashMap<>();
  private Future<Void> inFlight = Future.succeededFuture();
  private long backoffMs;
  private long timer = -1;
  private volatile boolean stopped;

  /** All changes of one field since the last write. */
  private static final class Pending {
    final List<FieldChange> changes = new ArrayList<>();

    FieldChange latest() {
      return changes.get(changes.size() - 1);
    }
  }

  private long batches, rowsWritten, revisionsWritten, failures;

  public LocalSaveBuffer(Vertx vertx, Pool db, Publisher publisher, HubMetrics metrics, long intervalMs, long retryMaxMs) {
    this.vertx = vertx;
    this.writer = new RevisionWriter(db);
    this.publisher = publisher;
    this.metrics = metrics;
    this.intervalMs = intervalMs;
    this.retryMaxMs = retryMaxMs;
  }

  @Override
  public void start() {
    schedule(intervalMs);
  }

  private void schedule(long delay) {
    if (stopped) return;
    timer = vertx.setTimer(delay, id -> flush().onComplete(ar -> schedule(backoffMs > 0 ? backoffMs : intervalMs)));
  }

  @Override
  public synchronized void add(FieldChange change) {
    pending.computeIfAbsent(change.formId() + "|" + change.key(), k -> new Pending()).changes.add(change);
  }

  @Override
  public synchronized Stats stats() {
    return new Stats(batches, rowsWritten, revisionsWritten, failures, pending.size());
  }

  /** Writes everything pending now (after any write in flight). Fails when PostgreSQL refused the batch. */
  @Override
  public synchronized Future<Void> flush() {
    Future<Void> previous = inFlight;
    Promise<Void> done = Promise.promise();
    inFlight = done.future();
    previous.onComplete(ignored -> writeBatch().onComplete(done));
    return done.future();
  }

  /** Graceful shutdown: stop the timer and write everything, retrying for up to {@code withinMs}. */
  @Override
  public Future<Void> drain(long withinMs) {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    long deadline = System.currentTimeMillis() + withinMs;
    return drainUntil(deadline);
  }

  private Future<Void> drainUntil(long deadline) {
    return flush().recover(e -> {
      if (System.currentTimeMillis() > deadline) return Future.failedFuture(e);
      Promise<Void> p = Promise.promise();
      vertx.setTimer(200, id -> drainUntil(deadline).onComplete(p));
      return p.future();
    });
  }

  private Future<Void> writeBatch() {
    Map<String, Pending> batch;
    synchronized (this) {
      if (pending.isEmpty()) return Future.succeededFuture();
      batch = pending;
      pending = new LinkedHashMap<>();
    }
    long started = System.nanoTime();
    List<List<FieldChange>> rows = new ArrayList<>();
    for (Pending p : batch.values()) rows.add(p.changes);
    return writer.write(rows).onSuccess(v -> {
      int revisions = 0;
      for (Pending p : batch.values()) revisions += p.changes.size();
      synchronized (this) {
        batches++;
        rowsWritten += batch.size();
        revisionsWritten += revisions;
        backoffMs = 0;
      }
      metrics.saveBatch(batch.size(), revisions, System.nanoTime() - started);
      for (Pending p : batch.values()) {
        FieldChange last = p.latest();
        publisher.durable("form:" + last.formId(), "field:saved",
            new JsonObject().put("field", last.key()).put("version", last.version()));
      }
    }).onFailure(e -> {
      synchronized (this) {
        failures++;
        // Put the batch back in front of anything newer, so the order of revisions is kept.
        Map<String, Pending> merged = new LinkedHashMap<>(batch);
        pending.forEach((k, newer) -> merged.merge(k, newer, (older, n) -> {
          older.changes.addAll(n.changes);
          return older;
        }));
        pending = merged;
        backoffMs = Math.min(retryMaxMs, backoffMs == 0 ? 500 : backoffMs * 2);
      }
      metrics.error("save_failed");
      log.warn("saving {} field(s) failed, retrying in {} ms: {}", batch.size(), backoffMs, e.getMessage());
    });
  }

}
