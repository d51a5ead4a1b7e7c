package com.wedsync.hub.bus;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Presence joined and left on one channel: key → metas. Receivers coalesce these into {@code presence_diff}.
 *
 * @param audience who on the channel may see these metas (a supplier's team member: the couple and that member's
 *                 suppliers), or null for everyone
 */
public record PresenceDelta(String topic, String key, List<JsonObject> joins, List<JsonObject> leaves,
                            Audience audience) implements BusMessage {

  /** Seen by everyone on the channel. */
  public PresenceDelta(String topic, String key, List<JsonObject> joins, List<JsonObject> leaves) {
    this(topic, key, joins, leaves, null);
  }
}
