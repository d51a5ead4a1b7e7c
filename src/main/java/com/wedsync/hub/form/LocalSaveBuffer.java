package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one-node {@link SaveBuffer}: accepted changes wait in memory, per field, for the next batch. A batch PostgreSQL
 * refused goes back in front of anything newer, so the order of revisions is kept, and is retried while edits keep
 * flowing live.
 */
public final class LocalSaveBuffer extends ScheduledSaveBuffer {
  private final RevisionWriter writer;
  private Map<String, List<FieldChange>> pending = new LinkedHashMap<>();

  public LocalSaveBuffer(Vertx vertx, Pool db, Publisher publisher, HubMetrics metrics, long intervalMs,
                         long retryMaxMs) {
    super(vertx, publisher, metrics, intervalMs, retryMaxMs);
    this.writer = new RevisionWriter(db);
  }

  @Override
  public synchronized void add(FieldChange change) {
    pending.computeIfAbsent(change.formId() + "|" + change.key(), k -> new ArrayList<>()).add(change);
  }

  @Override
  protected synchronized int pendingFields() {
    return pending.size();
  }

  @Override
  protected Future<Void> writePending() {
    Map<String, List<FieldChange>> batch;
    synchronized (this) {
      if (pending.isEmpty()) return Future.succeededFuture();
      batch = pending;
      pending = new LinkedHashMap<>();
    }
    long started = System.nanoTime();
    return writer.write(batch.values()).onSuccess(v -> written(batch.values(), started)).onFailure(e -> {
      synchronized (this) {
        Map<String, List<FieldChange>> merged = new LinkedHashMap<>(batch);
        pending.forEach((k, newer) -> merged.merge(k, newer, (older, n) -> {
          older.addAll(n);
          return older;
        }));
        pending = merged;
      }
      failed(e);
    });
  }
}
