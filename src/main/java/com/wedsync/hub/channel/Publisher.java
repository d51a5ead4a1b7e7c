package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.history.History;
import com.wedsync.hub.bus.StreamPosition;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How features publish server events to a channel. {@code durable} events (field changes, saves, status, notes,
 * notifications, activity) go through {@link History}: they get the channel's next offset and {@code meta}, and
 * recovery replays them. {@code ephemeral} ones (typing, broadcasts) go straight to the {@link Bus} and carry no meta.
 */
public class Publisher {
  private static final Logger log = LoggerFactory.getLogger(Publisher.class);

  private final Bus bus;
  private final History history;

  public Publisher(Bus bus, History history) {
    this.bus = bus;
    this.history = history;
  }

  public Future<StreamPosition> durable(String topic, String event, JsonObject payload) {
    return durable(topic, event, payload, null);
  }

  /**
   * A durable event only part of the channel may receive (a wedding's event about one supplier's form, a core fact
   * shared with some suppliers): the audience stays with the event in history and across nodes, and every delivery,
   * live or replayed, checks it. Subscribers outside it never see the event; their offsets just move past it.
   *
   * @param audience null for everyone on the channel
   */
  public Future<StreamPosition> durable(String topic, String event, JsonObject payload, Audience audience) {
    return history.publish(ChannelEvent.of(topic, event, payload).withAudience(audience))
        .onFailure(e -> log.warn("publishing {} on {} failed: {}", event, topic, e.getMessage()));
  }

  public void ephemeral(String topic, String event, JsonObject payload) {
    bus.publish(ChannelEvent.of(topic, event, payload));
  }

  /** An ephemeral event about the sender itself (typing): everyone else sees it, the sending connection does not. */
  public void ephemeralFrom(String topic, String event, JsonObject payload, String connectionId) {
    bus.publish(ChannelEvent.from(topic, event, payload, connectionId));
  }
}
