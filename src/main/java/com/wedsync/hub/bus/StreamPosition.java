package com.wedsync.hub.bus;

import io.vertx.core.json.JsonObject;

import java.util.HexFormat;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A place in one channel's history: the offset of a durable event (1 for the first) and the epoch of the history it
 * belongs to. Offsets only compare within one epoch; a new epoch means the history before it is gone.
 */
public record StreamPosition(long offset, String epoch) {
  /**
   * A fresh epoch: random (48 bits), so a history rebuilt after a loss does not reuse an epoch clients may still hold.
   * Not a secret, and made on every Redis publish (the script keeps it only for a new history), so no SecureRandom.
   */
  public static String newEpoch() {
    return HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextLong()).substring(4);
  }

  /**
   * The event as history keeps and delivers it: numbered here, and its payload with {@code "meta":{"offset","epoch"}}
   * added for the clients; its audience stays with it.
   */
  public ChannelEvent stamp(ChannelEvent event) {
    JsonObject payload = event.payload().copy().put("meta", toJson());
    return new ChannelEvent(event.topic(), event.event(), payload, null, null, event.audience(), this,
        new WireCache(), event.publishedAtMicros());
  }

  public JsonObject toJson() {
    return new JsonObject().put("offset", offset).put("epoch", epoch);
  }
}
