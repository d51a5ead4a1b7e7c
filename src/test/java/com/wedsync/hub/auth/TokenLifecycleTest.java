package com.wedsync.hub.auth;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Tokens over time: expiry ends subscriptions with a reason, a refresh keeps them, another user's token is refused. */
class TokenLifecycleTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_AUTH_LEEWAY_SECONDS", "0"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void anExpiringTokenEndsItsSubscriptionsWithTokenExpired() {
    String shortLived = hub.tokens.user(EMMA, 2);
    try (WsClient c = hub.connect(shortLived)) {
      assertEquals("ok", c.join(WEDDING).getString("status"));
      JsonArray system = c.await(a -> "system".equals(a.getString(3)), Duration.ofSeconds(8));
      assertEquals(WEDDING, system.getString(2));
      assertEquals("token_expired", system.getJsonObject(4).getString("message"));
      assertEquals("error", system.getJsonObject(4).getString("status"));
      c.awaitEvent(WEDDING, "phx_close");
      assertFalse(c.socket().isClosed(), "the socket stays open for a refresh");
      // rejoining on the socket's expired token is refused, not waved through
      assertEquals("token_expired", c.join(WEDDING).getJsonObject("response").getString("reason"));
      // a fresh token brings the user back
      String fresh = hub.token(EMMA);
      assertEquals("ok", c.join(WEDDING, new JsonObject().put("access_token", fresh)).getString("status"));
    }
  }

  @Test
  void aRefreshKeepsSubscriptionsAndAnInvalidRefreshEndsThem() {
    try (WsClient c = hub.connect(EMMA)) {
      c.join(WEDDING);
      assertEquals("ok", c.request(WEDDING, "access_token",
          new JsonObject().put("access_token", hub.tokens.user(EMMA, 7200))).getString("status"));
      c.assertNone(a -> "phx_close".equals(a.getString(3)), Duration.ofMillis(200));
      // someone else's token is refused and ends the subscriptions
      JsonObject other = c.request(WEDDING, "access_token", new JsonObject().put("access_token", hub.token(SARAH)));
      assertEquals("unauthorized", other.getJsonObject("response").getString("reason"));
      JsonArray system = c.awaitEvent(WEDDING, "system");
      assertEquals("unauthorized", system.getJsonObject(4).getString("message"));
      c.awaitEvent(WEDDING, "phx_close");
    }
  }

  @Test
  void anExpiredRefreshEndsSubscriptionsWithTokenExpired() {
    try (WsClient c = hub.connect(EMMA)) {
      c.join(WEDDING);
      JsonObject reply = c.request(WEDDING, "access_token",
          new JsonObject().put("access_token", hub.tokens.user(EMMA, -30)));
      assertEquals("token_expired", reply.getJsonObject("response").getString("reason"));
      assertEquals("token_expired", c.awaitEvent(WEDDING, "system").getJsonObject(4).getString("message"));
    }
  }

  @Test
  void socketsNeedAValidTokenToOpen() {
    assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(hub.tokens.user(EMMA, -30)));
    assertThrows(WsClient.ConnectFailed.class, () -> hub.connect("not-a-jwt"));
    assertThrows(WsClient.ConnectFailed.class, () -> WsClient.connect(hub.client, hub.wsUrl(null)));
    assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(hub.tokens.user(
        UUID.fromString("99999999-0000-0000-0000-000000000000"), 600)));
  }
}
