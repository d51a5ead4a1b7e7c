package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ControlEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Listens for membership changes that the database announces ({@code hub_access}, see migration V2) and tells the
 * socket loops to re-check the affected users' subscriptions at once. Reconnects by itself when PostgreSQL goes away.
 */
public final class AccessWatcher {
  private static final Logger log = LoggerFactory.getLogger(AccessWatcher.class);
  private final PgSubscriber subscriber;

  public AccessWatcher(Vertx vertx, PgConnectOptions options, Bus bus) {
    subscriber = PgSubscriber.subscriber(vertx, options).reconnectPolicy(retries -> 1000L);
    subscriber.channel("hub_access").handler(payload -> {
      try {
        bus.publish(new ControlEvent(ControlEvent.HUB_TOPIC, "access_changed", new JsonObject(payload)));
      } catch (RuntimeException e) {
        log.warn("ignoring malformed hub_access notification: {}", payload);
      }
    });
    subscriber.closeHandler(v -> log.warn("access-change listener disconnected; reconnecting"));
  }

  public Future<Void> start() {
    return subscriber.connect();
  }

  public Future<Void> stop() {
    return subscriber.close();
  }
}
