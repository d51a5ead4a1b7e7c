package com.wedsync.hub.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * An event for the clients of one channel. It is encoded once per wire form (vsn 1/2, with or without the
 * {@code realtime:} prefix the client used) and the bytes are shared by every subscriber that needs that form.
 *
 * @param payload the event payload; for a binary user broadcast, the broadcast envelope without its payload
 * @param binary  the raw user payload of a binary broadcast, else null
 * @param sender   the connection that caused it (so {@code broadcast.self=false} can skip it), or null
 * @param audience who on the channel may receive it (checked at delivery, kept in history), or null for everyone
 * @param position a durable event's place in its channel's history (also in {@code payload.meta} for the clients, but
 *                 read from here, so no event loop parses it back out of the JSON), or null for an ephemeral event
 * @param publishedAtMicros when it was published (epoch microseconds; crosses nodes with it), so the loop that fans it
 *                 out can tell the delivery latency the sync-health page shows; 0 when unknown
 */
public record ChannelEvent(String topic, String event, JsonObject payload, Buffer binary, String sender,
                           Audience audience, StreamPosition position, WireCache wire, long publishedAtMicros)
    implements BusMessage {

  /** Now, in epoch microseconds (the clock every node stamps its events with). */
  public static long nowMicros() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }

  public static ChannelEvent of(String topic, String event, JsonObject payload) {
    return new ChannelEvent(topic, event, payload, null, null, null, null, new WireCache(), nowMicros());
  }

  public static ChannelEvent from(String topic, String event, JsonObject payload, String sender) {
    return new ChannelEvent(topic, event, payload, null, sender, null, null, new WireCache(), nowMicros());
  }

  /** @param meta what the server says about the broadcast (its sender), carried in kind 4's metadata */
  public static ChannelEvent binaryBroadcast(String topic, String userEvent, Buffer data, JsonObject meta,
                                             String sender) {
    return new ChannelEvent(topic, "broadcast", new JsonObject().put("type", "broadcast").put("event", userEvent)
        .put("meta", meta), data, sender, null, null, new WireCache(), nowMicros());
  }

  /** The same event for a narrower audience (null: everyone on the channel). */
  public ChannelEvent withAudience(Audience audience) {
    if (java.util.Objects.equals(audience, this.audience)) return this;
    return new ChannelEvent(topic, event, payload, binary, sender, audience, position, new WireCache(),
        publishedAtMicros);
  }

  public boolean isBinary() {
    return binary != null;
  }
}
