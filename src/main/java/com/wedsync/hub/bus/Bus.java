package com.wedsync.hub.bus;

import io.vertx.core.Future;
import io.vertx.core.Handler;

/**
 * The one path every channel message takes. {@code publish} reaches every subscriber of the topic on this node and, in
 * cluster mode, on every other node. Handlers run on the context that subscribed.
 */
public interface Bus {

  void publish(BusMessage message);

  Registration subscribe(String topic, Handler<BusMessage> handler);

  /**
   * Completes once what anyone publishes to {@code topic} reaches this node's subscribers. In-process that is at once;
   * a cluster node must first have its Redis subscription confirmed. A join reads history only after this, so no event
   * can fall between the history it reads and the live events it gets.
   */
  default Future<Void> ready(String topic) {
    return Future.succeededFuture();
  }

  interface Registration {
    void cancel();
  }
}
