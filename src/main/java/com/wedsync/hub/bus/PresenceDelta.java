package com.wedsync.hub.bus;

import io.vertx.core.json.JsonObject;

import java.util.List;

/** Presence joined and left on one channel: key → metas. Receivers coalesce these into {@code presence_diff}. */
public record PresenceDelta(String topic, String key, List<JsonObject> joins, List<JsonObject> leaves)
    implements BusMessage {}
