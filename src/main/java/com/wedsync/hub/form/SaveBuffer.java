package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Write-behind persistence of accepted field changes. Changes to one field within a batch window collapse to one row
 * write (the latest value and version); every change is still kept as a revision. One transaction per batch writes all
 * rows (one multi-row UPDATE) and all revisions (one multi-row INSERT); {@code field:saved} is published after the
 * commit. When PostgreSQL fails, the batch goes back into the buffer and is retried with backoff while edits keep
 * flowing live.
 */
public final class SaveBuffer {
  private static final Logger log = LoggerFactory.getLogger(SaveBuffer.class);

  private static final String UPDATE_ROWS = """
      update form_fields f set value = u.value::jsonb, version = u.version, updated_at = u.at, updated_by = u.by
        from unnest($1::uuid[], $2::text[], $3::int8[], $4::timestamptz[], $5::uuid[]) as u(id, value, version, at, by)
       where f.id = u.id and f.version < u.version""";

  private static final String INSERT_REVISIONS = """
      insert into field_revisions (field_id, form_id, version, value, previous_value, kind, ops, op_id, source,
                                   changed_by, changed_at)
      select u.field_id, u.form_id, u.version, u.value::jsonb, u.prev::jsonb, u.kind, u.ops::jsonb, u.op_id, u.source,
             u.by, u.at
        from unnest($1::uuid[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::uuid[], $11::timestamptz[])
          as u(field_id, form_id, version, value, prev, kind, ops, op_id, source, by, at)
      on conflict do nothing""";

  private final Vertx vertx;
  private final Pool db;
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

  /** What the buffer has done, for tests, benchmarks and /metrics. */
  public record Stats(long batches, long rowsWritten, long revisionsWritten, long failures, int pendingFields) {}

  private long batches, rowsWritten, revisionsWritten, failures;

  public SaveBuffer(Vertx vertx, Pool db, Publisher publisher, HubMetrics metrics, long intervalMs, long retryMaxMs) {
    this.vertx = vertx;
    this.db = db;
    this.publisher = publisher;
    this.metrics = metrics;
    this.intervalMs = intervalMs;
    this.retryMaxMs = retryMaxMs;
  }

  public void start() {
    schedule(intervalMs);
  }

  private void schedule(long delay) {
    if (stopped) return;
    timer = vertx.setTimer(delay, id -> flush().onComplete(ar -> schedule(backoffMs > 0 ? backoffMs : intervalMs)));
  }

  public synchronized void add(FieldChange change) {
    pending.computeIfAbsent(change.formId() + "|" + change.key(), k -> new Pending()).changes.add(change);
  }

  public synchronized Stats stats() {
    return new Stats(batches, rowsWritten, revisionsWritten, failures, pending.size());
  }

  /** Writes everything pending now (after any write in flight). Fails when PostgreSQL refused the batch. */
  public synchronized Future<Void> flush() {
    Future<Void> previous = inFlight;
    Promise<Void> done = Promise.promise();
    inFlight = done.future();
    previous.onComplete(ignored -> writeBatch().onComplete(done));
    return done.future();
  }

  /** Graceful shutdown: stop the timer and write everything, retrying for up to {@code withinMs}. */
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
    return write(batch.values()).onSuccess(v -> {
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

  private Future<Void> write(Collection<Pending> batch) {
    int rows = batch.size();
    UUID[] ids = new UUID[rows];
    String[] values = new String[rows];
    Long[] versions = new Long[rows];
    OffsetDateTime[] ats = new OffsetDateTime[rows];
    UUID[] bys = new UUID[rows];
    List<FieldChange> all = new ArrayList<>();
    int i = 0;
    for (Pending p : batch) {
      FieldChange last = p.latest();
      ids[i] = last.fieldId();
      values[i] = Json.encode(last.value());
      versions[i] = last.version();
      ats[i] = last.at().atOffset(ZoneOffset.UTC);
      bys[i] = last.byUser();
      i++;
      all.addAll(p.changes);
    }
    int n = all.size();
    UUID[] rFields = new UUID[n], rForms = new UUID[n], rBys = new UUID[n];
    Long[] rVersions = new Long[n];
    String[] rValues = new String[n], rPrev = new String[n], rKinds = new String[n], rOps = new String[n],
        rOpIds = new String[n], rSources = new String[n];
    OffsetDateTime[] rAts = new OffsetDateTime[n];
    for (int j = 0; j < n; j++) {
      FieldChange c = all.get(j);
      rFields[j] = c.fieldId();
      rForms[j] = c.formId();
      rVersions[j] = c.version();
      rValues[j] = Json.encode(c.value());
      rPrev[j] = Json.encode(c.previousValue());
      rKinds[j] = c.kind();
      rOps[j] = c.ops() == null ? null : c.ops().encode();
      rOpIds[j] = c.opId();
      rSources[j] = c.source();
      rBys[j] = c.byUser();
      rAts[j] = c.at().atOffset(ZoneOffset.UTC);
    }
    return db.withTransaction(conn -> conn.preparedQuery(UPDATE_ROWS)
        .execute(Tuple.of(ids, values, versions, ats, bys))
        .compose(r -> conn.preparedQuery(INSERT_REVISIONS).execute(Tuple.tuple()
            .addValue(rFields).addValue(rForms).addValue(rVersions).addValue(rValues).addValue(rPrev)
            .addValue(rKinds).addValue(rOps).addValue(rOpIds).addValue(rSources).addValue(rBys).addValue(rAts))))
        .mapEmpty();
  }
}
