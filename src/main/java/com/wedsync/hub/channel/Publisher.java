package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import io.vertx.core.json.JsonObject;

/**
 * How features publish server events to a channel. {@code durable} events (field changes, saves, status, notes,
 * notifications, activity) are the ones history recovery replays; {@code ephemeral} ones (typing, locks in flight)
 * are not. Both travel the one {@link Bus} path.
 */
public class Publisher {
  private final Bus bus;

  public Publisher(Bus bus) {
    this.bus = bus;
  }

  public void durable(String topic, String event, JsonObject payload) {
    bus.publish(ChannelEvent.of(topic, event, payload));
  }

  public void ephemeral(String topic, String event, JsonObject payload) {
    bus.publish(ChannelEvent.of(topic, event, payload));
  }

  /** An ephemeral event about the sender itself (typing): everyone else sees it, the sending connection does not. */
  public void ephemeralFrom(String topic, String event, JsonObject payload, String connectionId) {
    bus.publish(ChannelEvent.from(topic, event, payload, connectionId));
  }
}
