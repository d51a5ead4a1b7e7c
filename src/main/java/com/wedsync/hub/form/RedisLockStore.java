package com.wedsync.hub.form;

import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.cluster.LuaScript;
import com.wedsync.hub.cluster.RedisConnections;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster {@link LockStore}. All leases of a form and their fencing counters live in one hash keyed with the form
 * as hash tag, changed only by Lua scripts, so grants, renewals and releases are atomic across nodes. Expiry times are
 * also scheduled in one sorted set that every node's reaper reads; the per-form script decides which node releases
 * an expired lease, so {@code field:unlocked expired} is published once, even when the granting node died.
 *
 * <p>Each node also remembers the live leases it granted, so that after Redis comes back without its data (restarted
 * without persistence) it puts them back: holders keep their locks and their fencing tokens.
 */
public final class RedisLockStore implements LockStore {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RedisLockStore.class);
  private static final LuaScript ACQUIRE = LuaScript.load("lock-acquire");
  private static final LuaScript FIND = LuaScript.load("lock-find");
  private static final LuaScript RELEASE_CONN = LuaScript.load("lock-release-conn");
  private static final LuaScript BREAK = LuaScript.load("lock-break");
  private static final LuaScript UNSCHEDULE = LuaScript.load("lock-unschedule");
  private static final LuaScript RESTORE = LuaScript.load("lock-restore");
  static final String EXPIRY = RedisKeys.LOCK_EXPIRY;

  private final RedisConnections redis;
  /** The live leases granted through this node, by form and slot: what it puts back after Redis lost them. */
  private final Map<String, Lease> granted = new ConcurrentHashMap<>();

  public RedisLockStore(RedisConnections redis) {
    this.redis = redis;
    redis.onReconnect(this::restore);
  }

  private static String slot(Lease l) {
    return l.soft() ? "s:" + l.field() + ":" + l.connectionId() : "h:" + l.field();
  }

  private static String grantKey(Lease l) {
    return l.formId() + "|" + slot(l);
  }

  private void remember(Lease l) {
    if (l != null) granted.put(grantKey(l), l);
  }

  private void forget(Lease l) {
    if (l != null) granted.remove(grantKey(l), l);
  }

  /** A lease ended (released, broken): whatever this node remembered for that slot and token goes. */
  private void forgetGrant(Lease l) {
    if (l != null) granted.computeIfPresent(grantKey(l), (k, mine) -> mine.token() == l.token() ? null : mine);
  }

  /**
   * Puts back every live lease this node granted that Redis no longer has (after a reconnection; a lease Redis still
   * holds, or that was granted again meanwhile, is left as it is) and schedules its expiry again.
   */
  public Future<Void> restore() {
    long now = System.currentTimeMillis();
    List<Future<Void>> all = new ArrayList<>();
    for (Lease l : granted.values()) {
      if (l.expiresAt() <= now) {
        forget(l);
        continue;
      }
      all.add(RESTORE.run(redis, List.of(key(l.formId())), List.of(slot(l), l.field(), encode(l),
          String.valueOf(l.token()))).compose(r -> {
            if (r.toInteger() == 0) {
              forget(l);
              return Future.succeededFuture();
            }
            return schedule(l);
          }));
    }
    return Future.join(all).<Void>mapEmpty()
        .onFailure(e -> log.warn("restoring {} lease(s) after a Redis reconnection failed: {}", all.size(),
            e.getMessage()));
  }

  static String key(UUID formId) {
    return RedisKeys.locks(formId);
  }

  private static String member(Lease l) {
    return l.formId() + "|" + l.field() + "|" + l.token();
  }

  static String encode(Lease l) {
    return new JsonObject().put("formId", l.formId().toString()).put("field", l.field()).put("token", l.token())
        .put("userId", l.userId().toString()).put("name", l.name()).put("connectionId", l.connectionId())
        .put("nodeId", l.nodeId()).put("expiresAt", l.expiresAt()).put("soft", l.soft()).encode();
  }

  static Lease decode(Object raw) {
    if (raw == null) return null;
    JsonObject j = new JsonObject(raw.toString());
    return new Lease(UUID.fromString(j.getString("formId")), j.getString("field"), j.getNumber("token").longValue(),
        UUID.fromString(j.getString("userId")), j.getString("name"), j.getString("connectionId"), j.getString("nodeId"),
        j.getNumber("expiresAt").longValue(), j.getBoolean("soft"));
  }

  private static Lease lease(Response r) {
    return r == null ? null : decode(r.toString());
  }

  private Future<Void> schedule(Lease l) {
    return redis.send(Request.cmd(Command.ZADD).arg(EXPIRY).arg(l.expiresAt()).arg(member(l))).mapEmpty();
  }

  private Future<Void> unschedule(Lease l) {
    return l == null ? Future.succeededFuture()
        : redis.send(Request.cmd(Command.ZREM).arg(EXPIRY).arg(member(l))).mapEmpty();
  }

  @Override
  public Future<Grant> acquire(Lease wanted, long leaseMs) {
    return ACQUIRE.runReplicated(redis, List.of(key(wanted.formId())), List.of(wanted.field(), encode(wanted),
            wanted.userId().toString(), wanted.soft() ? "1" : "0", wanted.connectionId(),
            String.valueOf(System.currentTimeMillis()), String.valueOf(leaseMs)))
        .compose(r -> {
          if (r.get(0).toInteger() == 0) return Future.succeededFuture(new Grant(false, lease(r.get(1)), null));
          Lease granted = lease(r.get(1));
          Lease replaced = r.size() > 2 ? lease(r.get(2)) : null;
          forget(replaced);
          remember(granted);
          return unschedule(replaced).compose(v -> schedule(granted)).map(new Grant(true, granted, replaced));
        });
  }

  private Future<Lease> find(UUID formId, String field, long token, String mode, long leaseMs) {
    return FIND.run(redis, List.of(key(formId)), List.of(field, String.valueOf(token), mode,
        String.valueOf(System.currentTimeMillis()), String.valueOf(leaseMs))).map(RedisLockStore::lease);
  }

  @Override
  public Future<Lease> renew(UUID formId, String field, long token, long leaseMs) {
    return find(formId, field, token, "renew", leaseMs).compose(l -> {
      if (l == null) return Future.succeededFuture();
      if (granted.containsKey(grantKey(l))) remember(l); // its new end, if this node granted it
      return schedule(l).map(l);
    });
  }

  @Override
  public Future<Lease> release(UUID formId, String field, long token) {
    return find(formId, field, token, "release", 0).onSuccess(this::forgetGrant).compose(l -> unschedule(l).map(l));
  }

  @Override
  public Future<Lease> breakLock(UUID formId, String field) {
    return BREAK.run(redis, List.of(key(formId)), List.of(field)).map(RedisLockStore::lease)
        .onSuccess(this::forgetGrant).compose(l -> unschedule(l).map(l));
  }

  @Override
  public Future<Lease> holder(UUID formId, String field) {
    return redis.send(Request.cmd(Command.HGET).arg(key(formId)).arg("h:" + field)).map(r -> {
      Lease l = lease(r);
      return l != null && l.expiresAt() > System.currentTimeMillis() ? l : null;
    });
  }

  @Override
  public Future<Long> latestToken(UUID formId, String field) {
    return redis.send(Request.cmd(Command.HGET).arg(key(formId)).arg("seq:" + field))
        .map(r -> r == null ? 0L : r.toLong());
  }

  @Override
  public Future<List<Lease>> releaseConnection(UUID formId, String connectionId) {
    return RELEASE_CONN.run(redis, List.of(key(formId)), List.of(connectionId)).compose(r -> {
      List<Lease> released = new ArrayList<>();
      if (r != null) for (Response item : r) released.add(lease(item));
      released.forEach(this::forgetGrant);
      return Future.all(released.stream().map(this::unschedule).toList()).map(released);
    });
  }

  @Override
  public Future<List<Lease>> expire(long nowMs) {
    return redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(EXPIRY).arg("-inf").arg(nowMs).arg("LIMIT").arg(0)
        .arg(500)).compose(due -> {
      List<Future<Lease>> all = new ArrayList<>();
      if (due != null) {
        for (Response m : due) {
          String member = m.toString();
          String[] parts = member.split("\\|");
          UUID formId = UUID.fromString(parts[0]);
          all.add(find(formId, parts[1], Long.parseLong(parts[2]), "expire", 0)
              .compose(l -> UNSCHEDULE.run(redis, List.of(EXPIRY), List.of(member, String.valueOf(nowMs))).map(l)));
        }
      }
      return Future.all(all).map(v -> {
        List<Lease> expired = new ArrayList<>();
        for (Future<Lease> f : all) if (f.result() != null) expired.add(f.result());
        // Leases another node reaped or released are gone from Redis too: stop remembering what has run out.
        granted.values().removeIf(l -> l.expiresAt() <= nowMs);
        return expired;
      });
    });
  }

  @Override
  public Future<List<Lease>> leases(UUID formId) {
    return redis.send(Request.cmd(Command.HGETALL).arg(key(formId))).map(r -> {
      List<Lease> out = new ArrayList<>();
      long now = System.currentTimeMillis();
      if (r != null) {
        for (String k : r.getKeys()) {
          if (k.startsWith("seq:")) continue;
          Lease l = lease(r.get(k));
          if (l.expiresAt() > now) out.add(l);
        }
      }
      return out;
    });
  }
}
