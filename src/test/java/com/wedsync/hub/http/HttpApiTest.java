package com.wedsync.hub.http;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The REST side of issue 2: who am I, health, readiness, metrics, server-side broadcast. */
class HttpApiTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final UUID NOAH = UUID.fromString("11111111-0000-0000-0000-000000000009");

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void meDescribesTheCallerAndTheChannelsTheyMayJoin() {
    JsonObject me = hub.request(HttpMethod.GET, "/api/v1/me", hub.token(SARAH), null).json();
    assertEquals("Sarah Jones", me.getJsonObject("user").getString("name"));
    assertEquals("owner", me.getJsonObject("teams").getString("22222222-0000-0000-0000-000000000001"));
    JsonArray channels = me.getJsonArray("channels");
    assertTrue(channels.contains("supplier:22222222-0000-0000-0000-000000000001:team"));
    assertTrue(channels.contains("form:55555555-0000-0000-0000-000000000001"));
    assertTrue(channels.contains("wedding:44444444-0000-0000-0000-000000000001"));
    assertTrue(channels.contains("journey:66666666-0000-0000-0000-000000000001:33333333-0000-0000-0000-000000000001"));
    assertTrue(channels.contains("user:" + SARAH));
    assertFalse(channels.contains("form:55555555-0000-0000-0000-000000000002"), "another supplier's form");
    // every channel listed can actually be joined (other tests add forms to Sarah's team in the shared database, so
    // the list may pass the 50 channels one connection may hold: a fresh connection for every 50)
    for (int from = 0; from < channels.size(); from += 50) {
      try (WsClient c = hub.connect(SARAH)) {
        for (int i = from; i < Math.min(channels.size(), from + 50); i++) {
          String t = channels.getString(i);
          assertEquals("ok", c.join(t).getString("status"), t);
        }
      }
    }
    JsonObject couple = hub.request(HttpMethod.GET, "/api/v1/me", hub.token(EMMA), null).json();
    assertTrue(couple.getJsonArray("couples").contains("33333333-0000-0000-0000-000000000001"));
    assertTrue(couple.getJsonArray("weddings").contains("44444444-0000-0000-0000-000000000001"));
  }

  @Test
  void authErrorsAreClear() {
    var none = hub.request(HttpMethod.GET, "/api/v1/me", null, null);
    assertEquals(401, none.status());
    assertEquals("unauthorized", none.json().getJsonObject("error").getString("code"));
    var expired = hub.request(HttpMethod.GET, "/api/v1/me", hub.tokens.user(EMMA, -60), null);
    assertEquals(401, expired.status());
    assertEquals("token_expired", expired.json().getJsonObject("error").getString("code"));
    var missing = hub.request(HttpMethod.GET, "/api/v1/nothing-here", hub.token(EMMA), null);
    assertEquals(404, missing.status());
  }

  @Test
  void healthReadyAndMetrics() {
    assertEquals("ok", hub.request(HttpMethod.GET, "/health", null, null).json().getString("status"));
    var ready = hub.request(HttpMethod.GET, "/ready", null, null);
    assertEquals(200, ready.status());
    assertEquals("ok", ready.json().getJsonObject("checks").getString("postgres"));
    try (WsClient c = hub.connect(EMMA)) {
      c.join("user:" + EMMA);
      String metrics = hub.request(HttpMethod.GET, "/metrics", null, null).body();
      assertTrue(metrics.contains("hub_connections "), metrics);
      assertTrue(metrics.contains("hub_messages_in_total{event=\"phx_join\"}"), metrics);
    }
  }

  @Test
  void backendsBroadcastThroughTheApi() {
    String topic = "form:55555555-0000-0000-0000-000000000001";
    try (WsClient c = hub.connect(EMMA)) {
      c.join("realtime:" + topic);
      JsonObject body = new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("topic", topic)
          .put("event", "payment_received").put("payload", new JsonObject().put("amount", 500))));
      var res = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60), body);
      assertEquals(202, res.status(), res.body());
      JsonArray got = c.awaitEvent("realtime:" + topic, "broadcast");
      assertEquals("payment_received", got.getJsonObject(4).getString("event"));
      assertEquals(500, got.getJsonObject(4).getJsonObject("payload").getInteger("amount"));

      // a user may publish where they may write; a viewer may not
      assertEquals(202, hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.token(SARAH), body).status());
      var viewer = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.token(NOAH), body);
      assertEquals(403, viewer.status());
      assertEquals("forbidden", viewer.json().getJsonObject("error").getString("code"));
    }
    var bad = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60),
        new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("topic", "nope:1").put("event", "e"))));
    assertEquals(400, bad.status());
    assertEquals("messages[0].topic", bad.json().getJsonObject("error").getString("field"));
    var empty = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60), new JsonObject());
    assertEquals("messages", empty.json().getJsonObject("error").getString("field"));
  }
}
