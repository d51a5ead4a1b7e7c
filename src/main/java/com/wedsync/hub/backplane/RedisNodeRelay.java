package com.wedsync.hub.backplane;

import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.cluster.RedisKeys;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A cluster: each node subscribes to its own relay channel in Redis; a message to a node is published there. */
final class RedisNodeRelay implements NodeRelay {
  private static final Logger log = LoggerFactory.getLogger(RedisNodeRelay.class);

  private final String nodeId;
  private RedisConnections redis;
  private volatile Handler<JsonObject> handler = m -> { };

  RedisNodeRelay(String nodeId) {
    this.nodeId = nodeId;
  }

  /** Connects to Redis: this node's relay channel is subscribed from now on. */
  void attach(RedisConnections redis) {
    this.redis = redis;
    redis.subscribe(RedisKeys.relay(nodeId));
  }

  /** Called by the Redis subscriber for messages on relay channels; false when the channel is not one. */
  boolean received(String channel, String payload) {
    if (!RedisKeys.isRelay(channel)) return false;
    try {
      handler.handle(new JsonObject(payload));
    } catch (RuntimeException e) {
      log.warn("dropping undecodable relay message: {}", e.getMessage());
    }
    return true;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public Future<Boolean> send(String node, JsonObject message) {
    // PUBLISH answers how many subscribers got it: none means no node of that name is listening.
    return redis.publish(RedisKeys.relay(node), message.encode())
        .map(receivers -> receivers != null && receivers.toLong() > 0)
        .recover(e -> {
          log.debug("relay to {} failed: {}", node, e.getMessage());
          return Future.succeededFuture(false);
        });
  }

  @Override
  public void onMessage(Handler<JsonObject> handler) {
    this.handler = handler;
  }
}
