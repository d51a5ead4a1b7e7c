package com.wedsync.hub.support;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Assertions on {@code phx_reply} payloads and matchers for pushed frames, shared by the socket-level tests. */
public final class Replies {
  private Replies() {}

  /** Asserts an ok reply and returns its response. */
  public static JsonObject ok(JsonObject reply) {
    assertEquals("ok", reply.getString("status"), () -> "expected ok, got " + reply.encode());
    return reply.getJsonObject("response");
  }

  /** Asserts an error reply with that reason and returns its response. */
  public static JsonObject error(JsonObject reply, String reason) {
    assertEquals("error", reply.getString("status"), () -> "expected " + reason + ", got " + reply.encode());
    JsonObject r = reply.getJsonObject("response");
    assertEquals(reason, r.getString("reason"), r::encode);
    return r;
  }

  /** A frame pushed on the form's channel with that event and a payload that matches. */
  public static Predicate<JsonArray> event(UUID form, String event, Predicate<JsonObject> payload) {
    String topic = "realtime:form:" + form;
    return a -> topic.equals(a.getString(2)) && event.equals(a.getString(3))
        && a.getValue(4) instanceof JsonObject p && payload.test(p);
  }
}
