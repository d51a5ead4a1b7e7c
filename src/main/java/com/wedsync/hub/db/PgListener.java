package com.wedsync.hub.db;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.pubsub.PgSubscriber;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's one PostgreSQL LISTEN connection, shared by every feature that learns from the database (access changes,
 * changes made outside the hub). When PostgreSQL goes away it reconnects by itself with exponential backoff (100 ms
 * doubling to 5 s, forever) and listens again on every channel. Notifications sent while it was away are lost: that is
 * LISTEN/NOTIFY's contract, and the record stays right (clients reload on rejoin).
 */
public final class PgListener {
  private static final Logger log = LoggerFactory.getLogger(PgListener.class);
  static final long FIRST_RETRY_MS = 100;
  static final long MAX_RETRY_MS = 5_000;

  private final PgSubscriber subscriber;

  public PgListener(Vertx vertx, PgConnectOptions options) {
    // Its own name, so an operator can tell it from the pool's sessions; it never writes.
    PgConnectOptions listen = new PgConnectOptions(options).setReconnectAttempts(0)
        .addProperty("application_name", Database.APPLICATION_NAME + "-listener");
    subscriber = PgSubscriber.subscriber(vertx, listen).reconnectPolicy(PgListener::retryDelay);
  }

  /** Delay before reconnect attempt {@code retries} (0 right after the connection dropped). */
  static long retryDelay(int retries) {
    if (retries == 0) log.warn("PostgreSQL LISTEN connection lost; reconnecting");
    else if (retries % 10 == 0) log.warn("PostgreSQL LISTEN connection still down after {} attempts", retries);
    return Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(retries, 10));
  }

  /**
   * Calls {@code handler} with the payload of every notification on {@code channel}. A handler that throws is logged and
   * does not disturb the connection or the other channels.
   */
  public PgListener on(String channel, Handler<String> handler) {
    subscriber.channel(channel).handler(payload -> {
      try {
        handler.handle(payload);
      } catch (RuntimeException e) {
        log.warn("notification on {} not handled ({}): {}", channel, e.getMessage(), abbreviate(payload));
      }
    });
    return this;
  }

  public Future<Void> start() {
    return subscriber.connect();
  }

  public Future<Void> stop() {
    return subscriber.close();
  }

  private static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "…";
  }
}
