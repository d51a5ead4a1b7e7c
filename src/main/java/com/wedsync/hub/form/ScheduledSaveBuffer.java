package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What both save buffers share: a flush every batch window (one at a time), backoff while PostgreSQL refuses,
 * a draining shutdown, the counters, the backlog's age, and — once a batch is committed — {@code field:saved} for what
 * was written and {@code field:error} for what PostgreSQL refused and was parked as a dead letter. Subclasses say
 * where the pending changes live and how a batch is taken from there.
 */
abstract class ScheduledSaveBuffer implements SaveBuffer {
  private static final Logger log = LoggerFactory.getLogger(ScheduledSaveBuffer.class);
  /** field:saved events published per event-loop turn; see {@link #publishSaved}. */
  private static final int SAVED_PER_TURN = 50;

  protected final Vertx vertx;
  protected final SplittingWriter writer;
  private final Publisher publisher;
  private final HubMetrics metrics;
  private final long intervalMs;
  private final long retryMaxMs;
  private Future<Void> inFlight = Future.succeededFuture();
  private long backoffMs;
  private long timer = -1;
  private volatile boolean stopped;
  private long batches, rowsWritten, revisionsWritten, failures, deadLetters;

  ScheduledSaveBuffer(Vertx vertx, SplittingWriter writer, Publisher publisher, HubMetrics metrics, long intervalMs,
                      long retryMaxMs) {
    this.vertx = vertx;
    this.writer = writer;
    this.publisher = publisher;
    this.metrics = metrics;
    this.intervalMs = intervalMs;
    this.retryMaxMs = retryMaxMs;
  }

  /** Writes what is pending now; fails (keeping it pending) when PostgreSQL refused. */
  protected abstract Future<Void> writePending();

  /** Fields waiting to be written, as far as this node knows. */
  protected abstract int pendingFields();

  /** When the oldest change waiting to be written was accepted, as far as this node knows; null when none. */
  protected abstract Instant oldestPending();

  /** What to do at shutdown with the changes that could not be written within the grace period. */
  protected abstract Future<Void> abandon(Throwable why);

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
    return new Stats(batches, rowsWritten, revisionsWritten, failures, pendingFields(), deadLetters,
        oldestPendingAgeMs());
  }

  @Override
  public long oldestPendingAgeMs() {
    Instant oldest = oldestPending();
    return oldest == null ? 0 : Math.max(0, System.currentTimeMillis() - oldest.toEpochMilli());
  }

  /** Writes everything pending now (after any write in flight). Fails when PostgreSQL refused the batch. */
  @Override
  public synchronized Future<Void> flush() {
    Future<Void> previous = inFlight;
    Promise<Void> done = Promise.promise();
    inFlight = done.future();
    // A write that never answers (a connection lost mid-command) must not stall every later flush behind it; the
    // writes are idempotent, so giving up on one and trying again is safe.
    previous.onComplete(ignored -> writePending().timeout(60, java.util.concurrent.TimeUnit.SECONDS)
        .onComplete(ar -> {
          metrics.saveBacklog(oldestPendingAgeMs(), pendingFields());
          done.handle(ar);
        }));
    return done.future();
  }

  /**
   * Graceful shutdown: keeps trying to write everything until {@code withinMs} has passed; what still cannot be
   * written then is handed to {@link #abandon} (a spill file on one node; Redis, for the other nodes, in a cluster).
   */
  @Override
  public Future<Void> drain(long withinMs) {
    stopped = true;
    if (timer >= 0) vertx.cancelTimer(timer);
    return drainUntil(System.currentTimeMillis() + withinMs).recover(this::abandon);
  }

  private Future<Void> drainUntil(long deadline) {
    return flush().recover(e -> {
      if (System.currentTimeMillis() > deadline) return Future.failedFuture(e);
      Promise<Void> p = Promise.promise();
      vertx.setTimer(200, id -> drainUntil(deadline).onComplete(p));
      return p.future();
    });
  }

  /**
   * A batch is committed: count it, tell every client which version of each field is durable, and tell them of each
   * change PostgreSQL refused (parked as a dead letter) — the changes around it are saved all the same.
   */
  protected void written(Collection<List<FieldChange>> fields, List<DeadLetters.Parked> parked, long startedNanos) {
    Set<FieldChange> refused = new HashSet<>();
    for (DeadLetters.Parked p : parked) refused.add(p.change());
    int revisions = 0;
    List<FieldChange> lasts = new ArrayList<>(fields.size());
    for (List<FieldChange> changes : fields) {
      revisions += changes.size();
      for (int i = changes.size() - 1; i >= 0; i--) {
        if (!refused.contains(changes.get(i))) {
          lasts.add(changes.get(i));
          break;
        }
      }
    }
    synchronized (this) {
      batches++;
      rowsWritten += lasts.size();
      revisionsWritten += revisions - parked.size();
      deadLetters += parked.size();
      backoffMs = 0;
    }
    metrics.saveBatch(lasts.size(), revisions - parked.size(), System.nanoTime() - startedNanos);
    for (DeadLetters.Parked p : parked) parkedOne(p);
    // A form's events together: its subscribers then get them in one event-loop turn, so in one write (FlushBatch).
    lasts.sort(java.util.Comparator.comparing(FieldChange::formId));
    publishSaved(lasts, 0);
  }

  private void parkedOne(DeadLetters.Parked p) {
    FieldChange c = p.change();
    metrics.deadLetter();
    log.warn("change {} v{} of form {} refused by PostgreSQL ({}: {}); parked in save_dead_letters, the other "
        + "changes are saved", c.key(), c.version(), c.formId(), p.sqlState(), p.reason());
    publisher.durable("form:" + c.formId(), "field:error", new JsonObject().put("field", c.key())
        .put("version", c.version()).put("op_id", c.opId()).put("reason", "save_failed")
        .put("detail", "the database refused to store this change; it was kept aside for an operator"));
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
