package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Collection;
import java.util.List;

/**
 * What both save buffers share: a flush every batch window (one at a time), backoff while PostgreSQL refuses,
 * a draining shutdown, the counters, and {@code field:saved} once a batch is committed. Subclasses say where the
 * pending changes live and how a batch is taken from there.
 */
abstract class ScheduledSaveBuffer implements SaveBuffer {
  private static final Logger log = LoggerFactory.getLogger(ScheduledSaveBuffer.class);
  /** field:saved events published per event-loop turn; see {@link #publishSaved}. */
  private static final int SAVED_PER_TURN = 50;

  protected final Vertx vertx;
  private final Publisher publisher;
  private final HubMetrics metrics;
  private final long intervalMs;
  private final long retryMaxMs;
  private Future<Void> inFlight = Future.succeededFuture();
  private long backoffMs;
  private long timer = -1;
  private volatile boolean stopped;
  private long batches, rowsWritten, revisionsWritten, failures;

  ScheduledSaveBuffer(Vertx vertx, Publisher publisher, HubMetrics metrics, long intervalMs, long retryMaxMs) {
    this.vertx = vertx;
    this.publisher = publisher;
    this.metrics = metrics;
    this.intervalMs = intervalMs;
    this.retryMaxMs = retryMaxMs;
  }

  /** Writes what is pending now; fails (keeping it pending) when PostgreSQL refused. */
  protected abstract Future<Void> writePending();

  /** Fields waiting to be written, as far as this node knows. */
  protected abstract int pendingFields();

  @Override
  public void start() {
    schedule(intervalMs);
  }

  private void schedule(long delay) {
    if (stopped) return;
    timer = vertx.setTimer(delay, id -> flush().onComplete(ar -> schedule(backoffMs > 0 ? backoffMs : intervalMs)));
  }

  @Override
  public synchronized Stats stats() {
    return new Stats(batches, rowsWritten, revisionsWritten, failures, pendingFields());
  }

  /** Writes everything pending now (after any write in flight). Fails when PostgreSQL refused the batch. */
  @Override
  public synchronized Future<Void> flush() {
    Future<Void> previous = inFlight;
    Promise<Void> done = Promise.promise();
    inFlight = done.future();
    // A write that never answers (a connection lost mid-command) must not stall every later flush behind it; the
    // writes are idempotent, so giving up on one and trying again is safe.
    previous.onComplete(ignored -> writePending().timeout(60, java.util.concurrent.TimeUnit.SECONDS).onComplete(done));
    return done.future();
  }

  @Override
  public Future<Void> drain(long withinMs) {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    return drainUntil(System.currentTimeMillis() + withinMs);
  }

  private Future<Void> drainUntil(long deadline) {
    return flush().recover(e -> {
      if (System.currentTimeMillis() > deadline) return Future.failedFuture(e);
      Promise<Void> p = Promise.promise();
      vertx.setTimer(200, id -> drainUntil(deadline).onComplete(p));
      return p.future();
    });
  }

  /** A batch is committed: count it and tell every client which version of each field is durable. */
  protected void written(Collection<List<FieldChange>> fields, long startedNanos) {
    int revisions = 0;
    for (List<FieldChange> changes : fields) revisions += changes.size();
    synchronized (this) {
      batches++;
      rowsWritten += fields.size();
      revisionsWritten += revisions;
      backoffMs = 0;
    }
    metrics.saveBatch(fields.size(), revisions, System.nanoTime() - startedNanos);
    List<FieldChange> lasts = new java.util.ArrayList<>(fields.size());
    for (List<FieldChange> changes : fields) lasts.add(changes.get(changes.size() - 1));
    // A form's events together: its subscribers then get them in one event-loop turn, so in one write (FlushBatch).
    lasts.sort(java.util.Comparator.comparing(FieldChange::formId));
    publishSaved(lasts, 0);
  }

  /**
   * Publishes {@code field:saved} for a batch a slice at a time, one slice per timer tick: a batch of a thousand fields
   * with twenty subscribers each is twenty thousand frames, and sent in one go they would hold the event loops for
   * most of a second, delaying every edit behind them (P3's p99).
   */
  private void publishSaved(List<FieldChange> lasts, int from) {
    int to = Math.min(lasts.size(), from + SAVED_PER_TURN);
    for (int i = from; i < to; i++) {
      FieldChange last = lasts.get(i);
      publisher.durable("form:" + last.formId(), "field:saved",
          new JsonObject().put("field", last.key()).put("version", last.version()));
    }
    if (to < lasts.size()) vertx.setTimer(1, id -> publishSaved(lasts, to));
  }

  protected void failed(Throwable e) {
    synchronized (this) {
      failures++;
      backoffMs = Math.min(retryMaxMs, backoffMs == 0 ? 500 : backoffMs * 2);
    }
    metrics.error("save_failed");
    log.warn("saving field changes failed, retrying in {} ms: {}", backoffMs, e.getMessage());
  }
}
