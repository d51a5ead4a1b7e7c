package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ControlEvent;
import com.wedsync.hub.db.PgListener;
import io.vertx.core.json.JsonObject;

/**
 * Listens for membership changes that the database announces ({@code hub_access}, see migration V2) and tells the
 * socket loops to re-check the affected users' subscriptions at once. Every node learns them itself from PostgreSQL,
 * which is why the control event stays on the node.
 */
public final class AccessWatcher {
  public static final String CHANNEL = "hub_access";

  private AccessWatcher() {}

  public static void listen(PgListener listener, Bus bus) {
    listener.on(CHANNEL, payload -> {
      JsonObject data;
      try {
        data = new JsonObject(payload);
      } catch (RuntimeException e) {
        throw new IllegalArgumentException("malformed hub_access payload", e);
      }
      bus.publish(new ControlEvent(ControlEvent.HUB_TOPIC, "access_changed", data));
    });
  }
}
