package com.wedsync.hub.bus;

import com.wedsync.hub.cluster.RedisKeys;
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
    for (String topic : local.topics()) redis.subscribe(RedisKeys.channel(topic));
    local.topicListener(new LocalBus.TopicListener() {
      public void firstSubscriber(String topic) {
        redis.subscribe(RedisKeys.channel(topic));
      }

      public void lastSubscriberGone(String topic) {
        redis.unsubscribe(RedisKeys.channel(topic));
      }
    });
  }

  /** Called by the Redis subscriber for every message on a hub channel. */
  public void received(String channel, String payload) {
    if (!RedisKeys.isChannel(channel)) return;
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
    redis.publish(RedisKeys.channel(message.topic()), BusCodec.encode(nodeId, message))
        .onFailure(e -> log.warn("publishing to redis failed for {}: {}", message.topic(), e.getMessage()));
  }

  @Override
  public Registration subscribe(String topic, Handler<BusMessage> handler) {
    return local.subscribe(topic, handler);
  }

  @Override
  public io.vertx.core.Future<Void> ready(String topic) {
    return redis == null ? io.vertx.core.Future.succeededFuture() : redis.whenSubscribed(RedisKeys.channel(topic));
  }
}
