package com.wedsync.hub.backplane;

import com.wedsync.hub.cluster.LuaScript;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.cluster.RedisKeys;
import io.vertx.core.Future;

import java.util.List;

/** A lease in Redis: a key holding the holder's node id, with a time to live the holder keeps extending. */
final class RedisLease implements Lease {
  private static final LuaScript HOLD = LuaScript.load("lease-hold");
  private static final LuaScript RELEASE = LuaScript.load("lease-release");

  private final RedisConnections redis;
  private final String key;
  private final String nodeId;
  private final long ttlMs;

  RedisLease(RedisConnections redis, String name, String nodeId, long ttlMs) {
    this.redis = redis;
    this.key = RedisKeys.lease(name);
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
  }

  @Override
  public Future<Boolean> hold() {
    return HOLD.run(redis, List.of(key), List.of(nodeId, String.valueOf(ttlMs))).map(r -> r != null && r.toInteger() == 1);
  }

  @Override
  public Future<Void> release() {
    return RELEASE.run(redis, List.of(key), List.of(nodeId)).mapEmpty();
  }
}
