package com.wedsync.hub.socket;

import io.vertx.core.json.JsonObject;

/**
 * A frame the hub cannot act on. Carries whatever addressing could be recovered, so the answer can still go to the
 * right request when the frame was only partly wrong.
 */
public final class ProtocolError extends Exception {
  final String joinRef;
  final String ref;
  final String topic;
  final String reason;
  final String field;

  ProtocolError(String joinRef, String ref, String topic, String reason, String field, String detail) {
    super(detail, null, false, false);
    this.joinRef = joinRef;
    this.ref = ref;
    this.topic = topic;
    this.reason = reason;
    this.field = field;
  }

  static ProtocolError invalid(String field, String detail) {
    return new ProtocolError(null, null, null, "invalid", field, detail);
  }

  ProtocolError at(String joinRef, String ref, String topic) {
    return new ProtocolError(joinRef, ref, topic, reason, field, getMessage());
  }

  JsonObject response() {
    JsonObject r = new JsonObject().put("reason", reason).put("detail", getMessage());
    if (field != null) r.put("field", field);
    return r;
  }
}
