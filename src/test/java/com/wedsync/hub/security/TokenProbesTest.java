package com.wedsync.hub.security;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 §4 and §5, the token probes: a correctly signed token whose claims have the wrong types is {@code
 * unauthorized} on every path (HTTP 401, the upgrade answered 401, a join or refresh answered) instead of hanging the
 * upgrade; a token must expire and not live too long; {@code iss} and {@code aud} are checked when configured; and one
 * socket has one identity, whichever tokens race on it.
 */
class TokenProbesTest {
  static final UUID EMMA = user(1);
  static final UUID JAMES = user(2);
  static final UUID SARAH = user(6);
  static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";
  static final String ANON = "anon-key-for-tests-0000000000000";

  static TestHub hub;
  static JWTAuth signer;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_AUTH_ANON_KEYS", ANON, "WEDSYNC_HUB_SOCKET_MAX_CONNECTIONS_PER_USER", "3"));
    signer = JWTAuth.create(hub.client, new JWTAuthOptions().addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256")
        .setBuffer(hub.hub.config().auth().hs256Secret())));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  /** Signs exactly these claims (no timestamps added). */
  static String signed(JsonObject claims) {
    return signer.generateToken(claims, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  static long now() {
    return System.currentTimeMillis() / 1000;
  }

  static JsonObject good() {
    return new JsonObject().put("sub", EMMA.toString()).put("role", "authenticated").put("iat", now())
        .put("exp", now() + 600);
  }

  /** Every claim the hub reads, with values of every wrong type. */
  static List<JsonObject> malformed() {
    List<JsonObject> out = new ArrayList<>();
    Object[] wrong = {"123", "soon", true, new JsonObject().put("a", 1), new JsonArray().add(1), 1.5, Double.MAX_VALUE};
    for (String claim : List.of("exp", "iat", "nbf")) {
      for (Object w : wrong) out.add(good().put(claim, w));
    }
    for (Object w : new Object[] {123, true, new JsonObject(), new JsonArray().add(EMMA.toString()), "not-a-uuid"}) {
      out.add(good().put("sub", w));
    }
    for (Object w : new Object[] {123, false, new JsonObject(), new JsonArray().add("authenticated")}) {
      out.add(good().put("role", w));
    }
    return out;
  }

  @Test
  void everyClaimOfTheWrongTypeIsUnauthorizedOnEveryPath() throws Exception {
    for (JsonObject claims : malformed()) {
      String token = signed(claims);
      String what = claims.encode();
      var http = hub.request(HttpMethod.GET, "/api/v1/me", token, null);
      assertEquals(401, http.status(), what + " " + http.body());
      assertEquals("unauthorized", http.json().getJsonObject("error").getString("code"), what);

      // the upgrade is answered (401), promptly
      WsClient.ConnectFailed refused = assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(token), what);
      assertTrue(refused.getMessage().contains("401"), what + ": " + refused.getMessage());

      // a join on an anonymous socket, and a refresh on a working one, are answered
      try (WsClient anon = WsClient.connect(hub.client, hub.wsUrl(ANON))) {
        JsonObject join = anon.join(WEDDING, new JsonObject().put("access_token", token));
        assertEquals("unauthorized", join.getJsonObject("response").getString("reason"), what);
      }
      try (WsClient emma = hub.connect(EMMA)) {
        emma.join(WEDDING);
        JsonObject refresh = emma.request(WEDDING, "access_token", new JsonObject().put("access_token", token));
        assertEquals("unauthorized", refresh.getJsonObject("response").getString("reason"), what);
      }
    }
  }

  @Test
  void aTokenMustExpireAndNotLiveTooLong() {
    var noExp = hub.request(HttpMethod.GET, "/api/v1/me", signed(good().copy().put("exp", (Object) null)), null);
    assertEquals(401, noExp.status());
    JsonObject withoutExp = good();
    withoutExp.remove("exp");
    var missing = hub.request(HttpMethod.GET, "/api/v1/me", signed(withoutExp), null);
    assertEquals(401, missing.status(), missing.body());
    assertTrue(missing.json().getJsonObject("error").getString("message").contains("exp"), missing.body());
    long max = hub.hub.config().auth().maxTokenLifetimeSeconds();
    var tooLong = hub.request(HttpMethod.GET, "/api/v1/me", signed(good().put("exp", now() + max + 3600)), null);
    assertEquals(401, tooLong.status(), tooLong.body());
    var noIatTooLong = hub.request(HttpMethod.GET, "/api/v1/me",
        signed(new JsonObject().put("sub", EMMA.toString()).put("exp", now() + max + 3600)), null);
    assertEquals(401, noIatTooLong.status(), "without iat, the lifetime counts from now");
    assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/me", signed(good()), null).status());
  }

  @Test
  void issuerAndAudienceAreCheckedWhenConfigured() {
    try (TestHub strict = TestHub.start(Map.of("WEDSYNC_HUB_AUTH_ISSUER", "https://auth.wedsync.example",
        "WEDSYNC_HUB_AUTH_AUDIENCE", "realtime"))) {
      JsonObject base = good().put("iss", "https://auth.wedsync.example").put("aud", "realtime");
      assertEquals(200, strict.request(HttpMethod.GET, "/api/v1/me", signed(base), null).status());
      assertEquals(200, strict.request(HttpMethod.GET, "/api/v1/me",
          signed(base.copy().put("aud", new JsonArray().add("other").add("realtime"))), null).status());
      assertEquals(401, strict.request(HttpMethod.GET, "/api/v1/me",
          signed(base.copy().put("iss", "https://evil.example")), null).status());
      assertEquals(401, strict.request(HttpMethod.GET, "/api/v1/me",
          signed(base.copy().put("aud", "something-else")), null).status());
      JsonObject noIss = base.copy();
      noIss.remove("iss");
      assertEquals(401, strict.request(HttpMethod.GET, "/api/v1/me", signed(noIss), null).status());
    }
  }

  @Test
  void oneSocketHasOneIdentityWhateverTokensRaceOnIt() throws Exception {
    // Both joins leave before either is answered: the probe that held two users' channels (8 times in 10).
    String emma = hub.token(EMMA);
    String james = hub.token(JAMES);
    for (int round = 0; round < 10; round++) {
      try (WsClient anon = WsClient.connect(hub.client, hub.wsUrl(ANON))) {
        String topicA = "realtime:user:" + EMMA;
        String topicB = "realtime:user:" + JAMES;
        anon.send("1", "1", topicA, "phx_join", new JsonObject().put("access_token", emma));
        anon.send("2", "2", topicB, "phx_join", new JsonObject().put("access_token", james));
        JsonObject ra = anon.replyTo("1");
        JsonObject rb = anon.replyTo("2");
        boolean aOk = "ok".equals(ra.getString("status"));
        boolean bOk = "ok".equals(rb.getString("status"));
        assertTrue(aOk ^ bOk, "exactly one identity wins: " + ra.encode() + " / " + rb.encode());
        JsonObject loser = aOk ? rb : ra;
        assertEquals("unauthorized", loser.getJsonObject("response").getString("reason"));
      }
    }
    // Every slot was released exactly once: each user can still open their full allowance (3 here).
    Thread.sleep(300);
    for (UUID who : List.of(EMMA, JAMES)) {
      List<WsClient> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) open.add(hub.connect(who));
        assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(who), "the limit still holds");
      } finally {
        open.forEach(WsClient::close);
      }
    }
  }

  @Test
  void aRefreshForAnotherUserIsRefusedAndTheSocketIsNeverHandedOver() {
    try (WsClient c = hub.connect(EMMA)) {
      c.join(WEDDING);
      JsonObject refresh = c.request(WEDDING, "access_token", new JsonObject().put("access_token",
          hub.token(SARAH)));
      assertEquals("unauthorized", refresh.getJsonObject("response").getString("reason"));
      // A failed refresh ends the socket's subscriptions (docs/protocol.md §2), the socket itself stays open.
      assertEquals("unauthorized", c.awaitEvent(WEDDING, "system").getJsonObject(4).getString("message"));
      c.awaitEvent(WEDDING, "phx_close");
      JsonObject again = c.join("realtime:user:" + SARAH, new JsonObject().put("access_token", hub.token(SARAH)));
      assertEquals("unauthorized", again.getJsonObject("response").getString("reason"), "never handed over");
      assertFalse(c.socket().isClosed());
      assertEquals("ok", c.join(WEDDING).getString("status"), "the owner's own token still joins");
    }
  }
}
