package com.wedsync.hub.history;

import com.wedsync.hub.bus.ChannelEvent;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * A place in one channel's history: the offset of a durable event (1 for the first) and the epoch of the history it
 * belongs to. Offsets only compare within one epoch; a new epoch means the history before it is gone.
 */
public record StreamPosition(long offset, String epoch) {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** A fresh epoch: random, so a history rebuilt after a loss never reuses an epoch clients may still hold. */
  public static String newEpoch() {
    byte[] b = new byte[6];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }

  /** The position a durable event carries in {@code payload.meta}, or null for an ephemeral event. */
  public static StreamPosition of(ChannelEvent event) {
    if (event.isBinary() || !(event.payload().getValue("meta") instanceof JsonObject meta)) return null;
    if (!(meta.getValue("offset") instanceof Number offset) || !(meta.getValue("epoch") instanceof String epoch)) {
      return null;
    }
    return new StreamPosition(offset.longValue(), epoch);
  }

  /** The event as history keeps and delivers it: its payload with {@code "meta":{"offset","epoch"}} added. */
  public ChannelEvent stamp(ChannelEvent event) {
    JsonObject payload = event.payload().copy().put("meta", new JsonObject().put("offset", offset).put("epoch", epoch));
    return ChannelEvent.of(event.topic(), event.event(), payload);
  }

  public JsonObject toJson() {
    return new JsonObject().put("offset", offset).put("epoch", epoch);
  }
}
