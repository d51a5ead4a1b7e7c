package com.wedsync.hub.form;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * One accepted change of one field: the revision that will be stored and the substance of the
 * {@code field:changed} event.
 *
 * @param kind   {@code set}, {@code text} or {@code list}
 * @param ops    the text ops as applied, or the list action, else null
 * @param source {@code user}, {@code core}, {@code rollback} or {@code external}
 */
public record FieldChange(UUID formId, UUID fieldId, String key, long version, Object value, Object previousValue,
                          String kind, JsonArray ops, String opId, String source, UUID byUser, String byName,
                          Instant at) {

  public JsonObject by() {
    return new JsonObject().put("user_id", byUser == null ? null : byUser.toString()).put("name", byName);
  }

  /** The {@code field:changed} payload (docs/protocol.md §5). */
  public JsonObject event() {
    JsonObject e = new JsonObject().put("field", key).put("value", value).put("version", version).put("kind", kind)
        .put("by", by()).put("at", at.toString()).put("op_id", opId).put("source", source);
    if (ops != null) e.put("ops", ops);
    return e;
  }
}
