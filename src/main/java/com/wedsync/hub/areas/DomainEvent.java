package com.wedsync.hub.areas;

import com.wedsync.hub.bus.Audience;
import io.vertx.core.json.JsonObject;

/**
 * One durable event a row change makes on one channel.
 *
 * @param audience who on the channel may receive it; null for everyone there (docs/protocol.md §2.8)
 */
public record DomainEvent(String topic, String event, JsonObject payload, Audience audience) {}
