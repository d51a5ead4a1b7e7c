package com.wedsync.hub.form;

import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The cluster {@link SaveBuffer}. The field store's commit script appends every accepted change to its form's pending
 * list in Redis, so a change is durable the moment it is accepted. Every node flushes every form with pending changes
 * (one node at a time per form, by a short Redis lease), so a dead node's unwritten changes are written by the others.
 * Writes are idempotent ({@link RevisionWriter}); the list is trimmed only after the transaction committed.
 */
public final class RedisSaveBuffer extends ScheduledSaveBuffer {
  private static final int MAX_PER_FLUSH = 2000;

  private final RedisConnections redis;
  private final String nodeId;
  /**
   * Per form this node could not write in its last pass, when its oldest pending change was accepted: the backlog
   * this node sees (another node's failing forms are that node's to report).
   */
  private final Map<String, Instant> unwritten = new java.util.concurrent.ConcurrentHashMap<>();

  public RedisSaveBuffer(Vertx vertx, RedisConnections redis, SplittingWriter writer, Publisher publisher,
                         HubMetrics metrics, String nodeId, long intervalMs, long retryMaxMs) {
    super(vertx, writer, publisher, metrics, intervalMs, retryMaxMs);
    this.redis = redis;
    this.nodeId = nodeId;
  }

  private static String pendingKey(UUID formId) {
    return RedisKeys.pending(formId);
  }

  /** Nothing to do: the field store's commit listed the form and queued the change, atomically with the commit. */
  @Override
  public void add(FieldChange change) {
  }

  /**
   * A safety net under the pending-forms list: a node that listed a form and died before queueing, while another node
   * took the form off the list as empty, could leave a later change unlisted; sweeping for pending lists finds it.
   */
  private Future<Void> sweep() {
    // Over every master on a Redis Cluster: each holds the pending lists of its slots.
    return redis.scan(RedisKeys.PENDING_PATTERN).compose(keys -> {
      List<Future<?>> adds = new ArrayList<>();
      for (String key : keys) {
        UUID formId = RedisKeys.formOfPending(key);
        if (formId != null) adds.add(redis.send(Request.cmd(Command.SADD).arg(RedisKeys.PENDING_FORMS).arg(formId.toString())));
      }
      return Future.all(adds).mapEmpty();
    });
  }

  private long lastSweep;

  @Override
  protected int pendingFields() {
    return unwritten.size(); // the rest lives in Redis, shared by every node
  }

  @Override
  protected Instant oldestPending() {
    Instant oldest = null;
    for (Instant at : unwritten.values()) if (oldest == null || at.isBefore(oldest)) oldest = at;
    return oldest;
  }

  /** Nothing is lost by stopping: the pending lists stay in Redis, and the other nodes (or the next start) write them. */
  @Override
  protected Future<Void> abandon(Throwable why) {
    org.slf4j.LoggerFactory.getLogger(RedisSaveBuffer.class).warn("stopping with changes not yet in PostgreSQL ({}); "
        + "they stay in Redis for the other nodes", why.getMessage());
    return Future.succeededFuture();
  }

  @Override
  protected Future<Void> writePending() {
    if (System.currentTimeMillis() - lastSweep < 5000) return flushAll();
    lastSweep = System.currentTimeMillis();
    return sweep().recover(e -> Future.succeededFuture()).compose(v -> flushAll());
  }

  /** Every pending form in turn; one form that cannot be written does not keep the others from saving. */
  private Future<Void> flushAll() {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(RedisKeys.PENDING_FORMS)).compose(forms -> {
      Throwable[] firstFailure = {null};
      Future<Void> chain = Future.succeededFuture();
      if (forms != null) {
        for (Response f : forms) {
          String formId = f.toString();
          chain = chain.compose(v -> flushForm(formId).recover(e -> {
            if (firstFailure[0] == null) firstFailure[0] = e;
            return Future.succeededFuture();
          }));
        }
      }
      return chain.compose(v -> firstFailure[0] == null ? Future.<Void>succeededFuture()
          : Future.failedFuture(firstFailure[0]));
    }).onFailure(this::failed);
  }

  /** Flushes one form if no other node is doing it right now. */
  private Future<Void> flushForm(String formId) {
    UUID form = UUID.fromString(formId);
    String lease = RedisKeys.flushLease(form);
    return redis.send(Request.cmd(Command.SET).arg(lease).arg(nodeId).arg("NX").arg("PX").arg(30_000))
        // This node flushes one form at a time, so a lease already in its own name is a leftover (its DEL was lost
        // with a connection): take it back rather than wait for it to lapse.
        .compose(got -> got != null ? Future.succeededFuture(true)
            : redis.send(Request.cmd(Command.GET).arg(lease)).map(holder -> holder != null
                && holder.toString().equals(nodeId)))
        .compose(mine -> !mine ? Future.succeededFuture()
            : writeForm(form).eventually(() -> redis.send(Request.cmd(Command.DEL).arg(lease))));
  }

  private Future<Void> writeForm(UUID form) {
    String key = pendingKey(form);
    return redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(MAX_PER_FLUSH - 1)).compose(items -> {
      if (items == null || items.size() == 0) {
        unwritten.remove(form.toString());
        return forget(form);
      }
      Map<String, List<FieldChange>> byField = new LinkedHashMap<>();
      for (Response item : items) {
        FieldChange c = FieldChangeCodec.decode(item.toString());
        byField.computeIfAbsent(c.key(), k -> new ArrayList<>()).add(c);
      }
      byField.values().forEach(list -> list.sort((a, b) -> Long.compare(a.version(), b.version())));
      int n = items.size();
      long started = System.nanoTime();
      Instant oldest = byField.values().stream().map(l -> l.get(0).at()).min(Instant::compareTo).orElse(null);
      return writer.write(byField.values())
          .compose(parked -> redis.send(Request.cmd(Command.LTRIM).arg(key).arg(n).arg(-1)).map(parked))
          .map(parked -> {
            unwritten.remove(form.toString());
            written(byField.values(), parked, started);
            return (Void) null;
          })
          .onFailure(e -> {
            if (oldest != null) unwritten.putIfAbsent(form.toString(), oldest);
          })
          .compose(v -> n >= MAX_PER_FLUSH ? writeForm(form) : forget(form));
    });
  }

  /** Takes an empty form off the pending list, putting it back if a commit raced in meanwhile. */
  private Future<Void> forget(UUID form) {
    String key = pendingKey(form);
    return redis.send(Request.cmd(Command.LLEN).arg(key)).compose(len -> len.toLong() > 0 ? Future.succeededFuture()
        : redis.send(Request.cmd(Command.SREM).arg(RedisKeys.PENDING_FORMS).arg(form.toString()))
            .compose(r -> redis.send(Request.cmd(Command.LLEN).arg(key)))
            .compose(again -> again.toLong() == 0 ? Future.succeededFuture()
                : redis.send(Request.cmd(Command.SADD).arg(RedisKeys.PENDING_FORMS).arg(form.toString())))
            .mapEmpty());
  }
}
