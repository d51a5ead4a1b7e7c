package com.wedsync.hub.channel;

import io.vertx.core.json.JsonObject;

/**
 * A refusal with one of the protocol's error reasons (docs/protocol.md §1) and its details; becomes
 * {@code {"status":"error","response":{"reason":…, …details}}} on the socket and an HTTP error on the REST API.
 */
public final class ChannelError extends RuntimeException {
  private final String reason;
  private final JsonObject details;

  public ChannelError(String reason, String message, JsonObject details) {
    super(message, null, false, false);
    this.reason = reason;
    this.details = details == null ? new JsonObject() : details;
  }

  public ChannelError(String reason, String message) {
    this(reason, message, null);
  }

  public static ChannelError invalid(String field, String detail) {
    return new ChannelError("invalid", detail, new JsonObject().put("field", field).put("detail", detail));
  }

  public static ChannelError forbidden(String detail) {
    return new ChannelError("forbidden", detail, new JsonObject().put("detail", detail));
  }

  public String reason() {
    return reason;
  }

  public JsonObject response() {
    JsonObject r = details.copy().put("reason", reason);
    if (!r.containsKey("detail")) r.put("detail", getMessage());
    return r;
  }

  /** The HTTP status matching a reason, for the REST API. */
  public int httpStatus() {
    return switch (reason) {
      case "unauthorized", "token_expired" -> 401;
      case "forbidden" -> 403;
      case "not_found" -> 404;
      case "invalid", "unknown_event" -> 400;
      case "locked", "conflict", "stale_lock" -> 409;
      case "payload_too_large" -> 413;
      case "rate_limited", "too_many_channels", "too_many_connections" -> 429;
      case "unavailable" -> 503;
      default -> 500;
    };
  }
}
