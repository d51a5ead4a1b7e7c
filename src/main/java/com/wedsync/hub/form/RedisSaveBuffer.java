package com.wedsync.hub.form;

import com.wedsync.hub.cluster.LuaScript;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster {@link SaveBuffer}. The field store's commit script appends every accepted change to its form's pending
 * list in Redis, so a change is durable the moment it is accepted. Every node flushes every form with pending changes
 * (one node at a time per form, by a short Redis lease), so a dead node's unwritten changes are written by the others.
 * Writes are idempotent ({@link RevisionWriter}); the list is trimmed only after the transaction committed, and only
 * if what was written is still its head ({@code pending-trim.lua}), so two nodes flushing one form at once (a lease
 * taken over from a node that only looked dead) write some changes twice but drop none.
 *
 * <p>A node that dies holding a form's lease would hold up that form's saves until the lease lapses (30 s); a
 * survivor takes the lease over as soon as liveness says the holder is dead (silent for {@code cluster.nodeTtlMs}),
 * so {@code field:saved} after a node death comes within the save window plus the detection time.
 */
public final class RedisSaveBuffer extends ScheduledSaveBuffer {
  private static final int MAX_PER_FLUSH = 2000;
  private static final long LEASE_MS = 30_000;
  private static final LuaScript TAKE_OVER = LuaScript.load("lease-take-over");
  private static final LuaScript RELEASE = LuaScript.load("lease-release");
  private static final LuaScript TRIM = LuaScript.load("pending-trim");
  private static final Logger log = LoggerFactory.getLogger(RedisSaveBuffer.class);

  private final RedisConnections redis;
  private final String nodeId;
  private final long nodeTtlMs;
  /**
   * Per form this node could not write in its last pass, when its oldest pending change was accepted: the backlog
   * this node sees (another node's failing forms are that node's to report).
   */
  private final Map<String, Instant> unwritten = new java.util.concurrent.ConcurrentHashMap<>();

  public RedisSaveBuffer(Vertx vertx, RedisConnections redis, SplittingWriter writer, Publisher publisher,
                         HubMetrics metrics, String nodeId, long nodeTtlMs, long intervalMs, long retryMaxMs) {
    super(vertx, writer, publisher, metrics, intervalMs, retryMaxMs);
    this.redis = redis;
    this.nodeId = nodeId;
    this.nodeTtlMs = nodeTtlMs;
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

  /** Flushes one form if no other (living) node is doing it right now. */
  private Future<Void> flushForm(String formId) {
    UUID form = UUID.fromString(formId);
    String lease = RedisKeys.flushLease(form);
    return redis.send(Request.cmd(Command.SET).arg(lease).arg(nodeId).arg("NX").arg("PX").arg(LEASE_MS))
        .compose(got -> got != null ? Future.succeededFuture(true) : redis.send(Request.cmd(Command.GET).arg(lease))
            .compose(holder -> {
              if (holder == null) return Future.succeededFuture(false); // released just now: the next pass
              String h = holder.toString();
              // This node flushes one form at a time, so a lease already in its own name is a leftover (its DEL
              // was lost with a connection): take it back rather than wait for it to lapse.
              if (h.equals(nodeId)) return Future.succeededFuture(true);
              return takeOverFromDead(form, lease, h);
            }))
        .compose(mine -> !mine ? Future.succeededFuture()
            : writeForm(form).eventually(() -> RELEASE.run(redis, List.of(lease), List.of(nodeId))));
  }

  /** The lease, if its holder is dead by liveness' rule (no heartbeat within the node TTL, or gone from the list). */
  private Future<Boolean> takeOverFromDead(UUID form, String lease, String holder) {
    return redis.send(Request.cmd(Command.ZSCORE).arg(RedisKeys.NODES).arg(holder)).compose(beat -> {
      boolean dead = beat == null || beat.toLong() < System.currentTimeMillis() - nodeTtlMs;
      if (!dead) return Future.succeededFuture(false);
      return TAKE_OVER.run(redis, List.of(lease), List.of(holder, nodeId, String.valueOf(LEASE_MS))).map(r -> {
        boolean taken = r != null && r.toInteger() == 1;
        if (taken) log.info("took over the flush of form {} from node {}, which is dead", form, holder);
        return taken;
      });
    });
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
          .compose(parked -> TRIM.run(redis, List.of(key), List.of(String.valueOf(n), items.get(n - 1).toString()))
              .map(parked))
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
