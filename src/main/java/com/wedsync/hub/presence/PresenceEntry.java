package com.wedsync.hub.presence;

import io.vertx.core.json.JsonObject;

/** One meta of one presence key on one channel, owned by one connection on one node. */
public record PresenceEntry(String key, String ref, JsonObject meta, String connectionId, String nodeId) {}
