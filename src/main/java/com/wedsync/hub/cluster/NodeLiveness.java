package com.wedsync.hub.cluster;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Function;

/**
 * Every node announces itself in Redis a few times per TTL; a node silent for longer than the TTL is dead. One
 * survivor (by a Redis lease per dead node) cleans up after it — its presences disappear with published leaves; its
 * locks need nothing, they lapse at lease end through every node's lock reaper.
 */
public final class NodeLiveness {
  private static final Logger log = LoggerFactory.getLogger(NodeLiveness.class);

  private final RedisConnections redis;
  private final String nodeId;
  private final long ttlMs;
  private final Function<String, Future<?>> cleanUp;
  private long timer = -1;

  /** @param cleanUp what a survivor does for a dead node (e.g. remove its presences and publish the leaves) */
  public NodeLiveness(RedisConnections redis, String nodeId, long ttlMs, Function<String, Future<?>> cleanUp) {
    this.redis = redis;
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
    this.cleanUp = cleanUp;
  }

  public void start(Vertx vertx) {
    beat();
    timer = vertx.setPeriodic(Math.max(250, ttlMs / 4), id -> beat());
  }

  private void beat() {
    long now = System.currentTimeMillis();
    redis.send(Request.cmd(Command.ZADD).arg(RedisKeys.NODES).arg(now).arg(nodeId))
        .compose(v -> redis.send(Request.cmd(Command.ZRANGEBYSCORE).arg(RedisKeys.NODES).arg("-inf").arg(now - ttlMs)))
        .onSuccess(dead -> {
          if (dead == null) return;
          for (Response d : dead) {
            String node = d.toString();
            if (!node.equals(nodeId)) reap(node);
          }
        })
        .onFailure(e -> log.debug("node heartbeat failed: {}", e.getMessage()));
  }

  private void reap(String node) {
    redis.send(Request.cmd(Command.SET).arg(RedisKeys.reapLease(node)).arg(nodeId).arg("NX").arg("PX").arg(60_000))
        .compose(won -> {
          if (won == null) return Future.succeededFuture();
          log.warn("node {} is silent for more than {} ms: cleaning up after it", node, ttlMs);
          return cleanUp.apply(node).compose(v -> redis.send(Request.cmd(Command.ZREM).arg(RedisKeys.NODES).arg(node)));
        })
        .onFailure(e -> log.warn("cleaning up after node {} failed: {}", node, e.getMessage()));
  }

  /** A graceful stop: the node leaves the list (its presences and locks were released as its sockets closed). */
  public Future<Void> stop(Vertx vertx) {
    if (timer >= 0) vertx.cancelTimer(timer);
    return redis.send(Request.cmd(Command.ZREM).arg(RedisKeys.NODES).arg(nodeId)).mapEmpty();
  }
}
