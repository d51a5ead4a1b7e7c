package com.wedsync.hub.bus;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageCodec;
import io.vertx.core.eventbus.MessageConsumer;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The in-process {@link Bus}: the Vert.x event bus, one address per topic, messages passed by reference (no copy, no
 * re-encoding). It also counts local subscriptions per topic, which the Redis adapter uses to subscribe a node only
 * to the topics it has listeners for.
 */
public final class LocalBus implements Bus {
  private static final String CODEC = "bus-local";
  private static final DeliveryOptions OPTIONS = new DeliveryOptions().setCodecName(CODEC).setLocalOnly(true);

  private final EventBus eventBus;
  private final ConcurrentHashMap<String, AtomicInteger> subscribers = new ConcurrentHashMap<>();
  private volatile TopicListener listener = TopicListener.NONE;

  /** Told when a topic gains its first or loses its last subscriber on this node. */
  public interface TopicListener {
    TopicListener NONE = new TopicListener() {
      public void firstSubscriber(String topic) {}

      public void lastSubscriberGone(String topic) {}
    };

    void firstSubscriber(String topic);

    void lastSubscriberGone(String topic);
  }

  public LocalBus(Vertx vertx) {
    this.eventBus = vertx.eventBus();
    eventBus.registerCodec(new ByReference());
  }

  public void topicListener(TopicListener listener) {
    this.listener = listener;
  }

  @Override
  public void publish(BusMessage message) {
    eventBus.publish(address(message.topic()), message, OPTIONS);
  }

  @Override
  public Registration subscribe(String topic, Handler<BusMessage> handler) {
    MessageConsumer<BusMessage> consumer = eventBus.localConsumer(address(topic), m -> handler.handle(m.body()));
    subscribers.compute(topic, (t, n) -> {
      if (n != null) {
        n.incrementAndGet();
        return n;
      }
      listener.firstSubscriber(t);
      return new AtomicInteger(1);
    });
    return () -> {
      consumer.unregister();
      subscribers.computeIfPresent(topic, (t, n) -> {
        if (n.decrementAndGet() > 0) return n;
        listener.lastSubscriberGone(topic);
        return null;
      });
    };
  }

  public java.util.Set<String> topics() {
    return subscribers.keySet();
  }

  private static String address(String topic) {
    return "bus:" + topic;
  }

  private static final class ByReference implements MessageCodec<BusMessage, BusMessage> {
    public void encodeToWire(Buffer buffer, BusMessage m) {
      throw new IllegalStateException("bus messages never leave the process through the event bus");
    }

    public BusMessage decodeFromWire(int pos, Buffer buffer) {
      throw new IllegalStateException("bus messages never leave the process through the event bus");
    }

    public BusMessage transform(BusMessage m) {
      return m;
    }

    public String name() {
      return CODEC;
    }

    public byte systemCodecID() {
      return -1;
    }
  }
}
