package com.wedsync.hub.bus;

import com.wedsync.hub.cluster.RedisConnections;
import io.vertx.core.Handler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster {@link Bus}: the node's {@link LocalBus} plus Redis pub/sub between nodes. A publish is delivered
 * locally at once and sent to Redis once; a node subscribes in Redis only to the topics it has local subscribers for.
 * Control events stay on their node: every node learns them itself (from PostgreSQL), so relaying would duplicate.
 */
public final class RedisBus implements Bus {
  private static final Logger log = LoggerFactory.getLogger(RedisBus.class);
  /** Redis channel names carry the topic in a hash tag, so sharded pub/sub and Redis Cluster route per topic. */
  static final String PREFIX = "hub:{";

  private final LocalBus local;
  private final String nodeId;
  private RedisConnections redis;

  public RedisBus(LocalBus local, String nodeId) {
    this.local = local;
    this.nodeId = nodeId;
  }

  /** Connects the bus to Redis: subscriptions follow the local topics from now on. */
  public void attach(RedisConnections redis) {
    this.redis = redis;
    for (String topic : local.topics()) redis.subscribe(channel(topic));
    local.topicListener(new LocalBus.TopicListener() {
      public void firstSubscriber(String topic) {
        redis.subscribe(channel(topic));
      }

      public void lastSubscriberGone(String topic) {
        redis.unsubscribe(channel(topic));
      }
    });
  }

  public static String channel(String topic) {
    return PREFIX + topic + "}";
  }

  /** Called by the Redis subscriber for every message on a hub channel. */
  public void received(String channel, String payload) {
    if (!channel.startsWith(PREFIX)) return;
    try {
      BusCodec.Received r = BusCodec.decode(payload);
      if (!r.node().equals(nodeId)) local.publish(r.message());
    } catch (RuntimeException e) {
      log.warn("dropping undecodable bus message on {}: {}", channel, e.getMessage());
    }
  }

  @Override
  public void publish(BusMessage message) {
    local.publish(message);
    if (message instanceof ControlEvent || redis == null) return;
    redis.publish(channel(message.topic()), BusCodec.encode(nodeId, message))
        .onFailure(e -> log.warn("publishing to redis failed for {}: {}", message.topic(), e.getMessage()));
  }

  @Override
  public Registration subscribe(String topic, Handler<BusMessage> handler) {
    return local.subscribe(topic, handler);
  }

  @Override
  public io.vertx.core.Future<Void> ready(String topic) {
    return redis == null ? io.vertx.core.Future.succeededFuture() : redis.whenSubscribed(channel(topic));
  }
}
