package com.wedsync.hub.form;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * One field as it stands now: definition, current value (a JSON value: String, Number, Boolean, JsonArray, JsonObject
 * or null), the version of that value, and who set it when.
 */
public record FieldState(UUID fieldId, FieldDefinition definition, Object value, long version, JsonObject by,
                         Instant at) {

  public String key() {
    return definition.key();
  }

  public FieldState next(Object newValue, long newVersion, JsonObject newBy, Instant newAt) {
    return new FieldState(fieldId, definition, newValue, newVersion, newBy, newAt);
  }

  /** The {@code current} object of a {@code conflict} error. */
  public JsonObject current() {
    return new JsonObject().put("value", value).put("version", version).put("by", by)
        .put("at", at == null ? null : at.toString());
  }
}
