package com.wedsync.hub.socket;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * One decoded client frame. For a binary user broadcast (kind 3) {@code payload} is the broadcast envelope
 * ({@code type}, {@code event}, and {@code payload} when it was JSON) and {@code binary} holds a raw payload.
 */
public record Inbound(String joinRef, String ref, String topic, String event, JsonObject payload, Buffer binary) {}
