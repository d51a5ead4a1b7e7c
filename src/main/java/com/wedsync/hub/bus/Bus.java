package com.wedsync.hub.bus;

import io.vertx.core.Handler;

/**
 * The one path every channel message takes. {@code publish} reaches every subscriber of the topic on this node and, in
 * cluster mode, on every other node. Handlers run on the context that subscribed.
 */
public interface Bus {

  void publish(BusMessage message);

  Registration subscribe(String topic, Handler<BusMessage> handler);

  interface Registration {
    void cancel();
  }
}
