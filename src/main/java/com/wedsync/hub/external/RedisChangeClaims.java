package com.wedsync.hub.external;

import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.cluster.RedisConnections;
import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;

/**
 * A cluster: the first node to {@code SET NX} the announcement's name handles it. The key outlives any delay between
 * nodes hearing the same NOTIFY by far and then expires (names carry the transaction id, so they never recur).
 *
 * <p>Chosen over "every node delivers to its own subscribers" because a field change must also be committed into the
 * shared field store once. The cost: a node that claims and dies before acting leaves that change unannounced; the
 * record still holds it and clients see it on their next load.
 */
public final class RedisChangeClaims implements ChangeClaims {
  static final long KEEP_MS = 10 * 60 * 1000L;

  private final RedisConnections redis;
  private final String nodeId;

  public RedisChangeClaims(RedisConnections redis, String nodeId) {
    this.redis = redis;
    this.nodeId = nodeId;
  }

  @Override
  public Future<Boolean> claim(String name) {
    return redis.send(Request.cmd(Command.SET).arg(RedisKeys.externalClaim(name)).arg(nodeId).arg("NX").arg("PX")
        .arg(KEEP_MS)).map(r -> r != null);
  }
}
