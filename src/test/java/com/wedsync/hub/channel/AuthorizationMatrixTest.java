package com.wedsync.hub.channel;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The authorization matrix of docs/protocol.md §2 against a real hub and a real PostgreSQL with the demo data: every role ×
 * every channel family × {@code phx_join}, each outcome asserted exactly (docs/protocol.md §1–§2), plus the token cases,
 * the {@code realtime:} prefix, a viewer's broadcast, and subscriptions ending at once when a membership is removed.
 */
class AuthorizationMatrixTest {

  // ---- demo data (src/main/resources/db/demo/demo-data.sql) -----------------------------------------------------

  static final UUID EMMA = user(1);    // couple C1 partner
  static final UUID OLIVIA = user(3);  // couple C1 helper
  static final UUID SARAH = user(6);   // S1 owner
  static final UUID TOM = user(7);     // S1 admin
  static final UUID MIA = user(8);     // S1 member
  static final UUID NOAH = user(9);    // S1 viewer
  static final UUID CHLOE = user(10);  // S2 owner (Feast Catering, connected to W1 and W2)
  static final UUID LILY = user(14);   // S4 owner (Bloom Florists, connected to W2 only)
  static final UUID SAM = user(16);    // no memberships at all

  static final String S1 = "22222222-0000-0000-0000-000000000001";
  static final String C1 = "33333333-0000-0000-0000-000000000001";
  static final String W1 = "44444444-0000-0000-0000-000000000001";
  static final String W2 = "44444444-0000-0000-0000-000000000002";
  static final String F1 = "55555555-0000-0000-0000-000000000001";
  static final String F5 = "55555555-0000-0000-0000-000000000005";
  static final String J1 = "66666666-0000-0000-0000-000000000001";

  /** The channel columns of the matrix; {@code {self}} / {@code {other}} are filled in per role. */
  static final List<String> TOPICS = List.of(
      "supplier:" + S1, "supplier:" + S1 + ":team", "supplier:" + S1 + ":clients", "supplier:" + S1 + ":forms",
      "supplier:" + S1 + ":journeys",
      "couple:" + C1, "couple:" + C1 + ":suppliers", "couple:" + C1 + ":tasks", "couple:" + C1 + ":timeline",
      "wedding:" + W1, "wedding:" + W2,
      "form:" + F1, "form:" + F5,
      "journey:" + J1 + ":" + C1,
      "user:{self}", "user:{other}");

  static final String OK = "ok";

  /**
   * Expected outcome per role, one token per column of {@link #TOPICS} ({@code ok} or the error reason); {@code |}
   * only groups the families for the reader. Written out by hand from docs/protocol.md §2, not derived from hub code.
   */
  static final Map<String, String> EXPECTED = new LinkedHashMap<>();

  static {
    //                          supplier:S1 ×5                           | couple:C1 ×4            | W1 W2 | F1 F5 | J1:C1 | self other
    String couple = " forbidden forbidden forbidden forbidden forbidden  | ok ok ok ok             | ok forbidden | ok forbidden | ok | ok forbidden";
    String s1team = " ok ok ok ok ok                                     | forbidden forbidden forbidden forbidden | ok forbidden | ok forbidden | ok | ok forbidden";
    EXPECTED.put("couple-partner(Emma)", couple);
    EXPECTED.put("couple-helper(Olivia)", couple);
    EXPECTED.put("S1-owner(Sarah)", s1team);
    EXPECTED.put("S1-admin(Tom)", s1team);
    EXPECTED.put("S1-member(Mia)", s1team);
    EXPECTED.put("S1-viewer(Noah)", s1team);
    EXPECTED.put("other-supplier-on-W1+W2(Chloe)",
        " forbidden forbidden forbidden forbidden forbidden | forbidden forbidden forbidden forbidden | ok ok | forbidden forbidden | forbidden | ok forbidden");
    EXPECTED.put("other-supplier-on-W2-only(Lily)",
        " forbidden forbidden forbidden forbidden forbidden | forbidden forbidden forbidden forbidden | forbidden ok | forbidden ok | forbidden | ok forbidden");
    EXPECTED.put("stranger(Sam)",
        " forbidden forbidden forbidden forbidden forbidden | forbidden forbidden forbidden forbidden | forbidden forbidden | forbidden forbidden | forbidden | ok forbidden");
    String expired = String.join(" ", java.util.Collections.nCopies(TOPICS.size(), "token_expired"));
    String garbage = String.join(" ", java.util.Collections.nCopies(TOPICS.size(), "unauthorized"));
    EXPECTED.put("expired-token(Emma)", expired);
    EXPECTED.put("garbage-token(Emma)", garbage);
  }

  /** Who each role is, and what goes into the join payload's {@code access_token} (null: the socket's token). */
  record Role(String name, UUID user, TokenKind token) {
    @Override
    public String toString() {
      return name;
    }
  }

  enum TokenKind { SOCKET, EXPIRED, GARBAGE }

  static final Map<String, Role> ROLES = new LinkedHashMap<>();

  static {
    role("couple-partner(Emma)", EMMA, TokenKind.SOCKET);
    role("couple-helper(Olivia)", OLIVIA, TokenKind.SOCKET);
    role("S1-owner(Sarah)", SARAH, TokenKind.SOCKET);
    role("S1-admin(Tom)", TOM, TokenKind.SOCKET);
    role("S1-member(Mia)", MIA, TokenKind.SOCKET);
    role("S1-viewer(Noah)", NOAH, TokenKind.SOCKET);
    role("other-supplier-on-W1+W2(Chloe)", CHLOE, TokenKind.SOCKET);
    role("other-supplier-on-W2-only(Lily)", LILY, TokenKind.SOCKET);
    role("stranger(Sam)", SAM, TokenKind.SOCKET);
    role("expired-token(Emma)", EMMA, TokenKind.EXPIRED);
    role("garbage-token(Emma)", EMMA, TokenKind.GARBAGE);
  }

  static void role(String name, UUID user, TokenKind kind) {
    ROLES.put(name, new Role(name, user, kind));
  }

  static final String GARBAGE_TOKEN = "not.a.jwt";

  static TestHub hub;
  static String expiredEmmaToken;
  /** One socket per role, reused across the matrix rows of that role. */
  static final Map<String, WsClient> SOCKETS = new ConcurrentHashMap<>();

  @BeforeAll
  static void startHub() {
    hub = TestHub.start();
    expiredEmmaToken = hub.tokens.user(EMMA, -60);
  }

  @AfterAll
  static void stopHub() {
    SOCKETS.values().forEach(WsClient::close);
    SOCKETS.clear();
    if (hub != null) hub.close();
  }

  static WsClient socket(Role role) {
    return SOCKETS.computeIfAbsent(role.name(), n -> hub.connect(role.user()));
  }

  static JsonObject joinPayload(Role role) {
    JsonObject p = new JsonObject().put("config", new JsonObject()
        .put("broadcast", new JsonObject().put("self", false).put("ack", false))
        .put("presence", new JsonObject().put("key", "").put("enabled", true))
        .put("private", true));
    switch (role.token()) {
      case EXPIRED -> p.put("access_token", expiredEmmaToken);
      case GARBAGE -> p.put("access_token", GARBAGE_TOKEN);
      default -> { }
    }
    return p;
  }

  // ---- wire helpers -----------------------------------------------------------------------------------------------

  /** Sends {@code phx_join} and returns the whole {@code phx_reply} frame (so the echoed topic can be checked). */
  static JsonArray join(WsClient c, String topic, JsonObject payload) {
    // Many joins per user in a burst may meet the per-user write bucket (docs/protocol.md §9); that limit is not what
    // this class tests, so a rate_limited reply is waited out and the join repeated.
    for (int attempt = 0; ; attempt++) {
      JsonArray reply = joinOnce(c, topic, payload);
      JsonObject p = reply.getJsonObject(4);
      JsonObject r = p.getJsonObject("response", new JsonObject());
      if (!"rate_limited".equals(r.getString("reason")) || attempt >= 20) return reply;
      sleep(Math.max(20, r.getLong("retry_after_ms", 100L)));
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  static JsonArray joinOnce(WsClient c, String topic, JsonObject payload) {
    String ref = c.nextRef();
    c.send(ref, ref, topic, "phx_join", payload);
    JsonArray reply = c.await(a -> "phx_reply".equals(a.getString(3)) && ref.equals(a.getString(1)),
        Duration.ofSeconds(10));
    assertEquals(ref, reply.getString(0), "join_ref echoed on the join reply");
    assertEquals(topic, reply.getString(2), "the reply carries the topic exactly as sent");
    return reply;
  }

  /** Leaves a joined topic: reply ok, then {@code phx_close}. Frees the connection's channel slot. */
  static void leave(WsClient c, String joinRef, String topic) {
    String ref = c.nextRef();
    c.send(joinRef, ref, topic, "phx_leave", new JsonObject());
    JsonArray reply = c.await(a -> "phx_reply".equals(a.getString(3)) && ref.equals(a.getString(1)),
        Duration.ofSeconds(10));
    assertEquals("ok", reply.getJsonObject(4).getString("status"), "phx_leave reply: " + reply);
    c.await(a -> topic.equals(a.getString(2)) && "phx_close".equals(a.getString(3)), Duration.ofSeconds(10));
  }

  /** Asserts a join reply's outcome exactly: {@code ok}, or {@code error} with that reason. */
  static void assertOutcome(String expected, JsonArray reply, String what) {
    JsonObject payload = reply.getJsonObject(4);
    assertNotNull(payload, what + ": reply without payload: " + reply);
    JsonObject response = payload.getJsonObject("response");
    assertNotNull(response, what + ": reply without response object: " + reply);
    if (OK.equals(expected)) {
      assertEquals("ok", payload.getString("status"), what + ": expected ok, hub replied " + payload);
      assertEquals(new JsonArray(), response.getJsonArray("postgres_changes"),
          what + ": ok join reply carries postgres_changes []: " + payload);
    } else {
      assertEquals("error", payload.getString("status"), what + ": expected error " + expected + ", hub replied "
          + payload);
      assertEquals(expected, response.getString("reason"), what + ": expected reason " + expected + ", hub replied "
          + payload);
    }
  }

  static String resolve(String topic, UUID self) {
    UUID other = self.equals(SAM) ? EMMA : SAM;
    return topic.replace("{self}", self.toString()).replace("{other}", other.toString());
  }

  // ---- the matrix -------------------------------------------------------------------------------------------------

  static Stream<Arguments> matrix() {
    List<Arguments> rows = new ArrayList<>();
    EXPECTED.forEach((roleName, line) -> {
      String[] outcomes = line.replace("|", " ").trim().split("\\s+");
      if (outcomes.length != TOPICS.size()) {
        throw new IllegalStateException(roleName + ": " + outcomes.length + " outcomes for " + TOPICS.size()
            + " topics");
      }
      for (int i = 0; i < TOPICS.size(); i++) {
        rows.add(Arguments.of(ROLES.get(roleName), TOPICS.get(i), outcomes[i]));
      }
    });
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} joins {1} -> {2}")
  @MethodSource("matrix")
  void join_outcome_matches_the_spec(Role role, String topicTemplate, String expected) {
    WsClient c = socket(role);
    String topic = resolve(topicTemplate, role.user());
    JsonArray reply = join(c, topic, joinPayload(role));
    assertOutcome(expected, reply, role + " joining " + topic);
    if ("ok".equals(reply.getJsonObject(4).getString("status"))) leave(c, reply.getString(0), topic);
  }

  // ---- unknown families and malformed ids ---------------------------------------------------------------------------

  static Stream<Arguments> notFound() {
    List<String> topics = List.of("form:123", "nope:x", "realtime:nope:x", "supplier:" + S1 + ":secret",
        "journey:" + J1, "wedding:not-a-uuid", "user:", "couple:" + C1 + ":", "form:" + F1 + "x");
    List<Arguments> rows = new ArrayList<>();
    for (Role role : ROLES.values()) {
      if (role.token() != TokenKind.SOCKET) continue;
      for (String t : topics) rows.add(Arguments.of(role, t));
    }
    return rows.stream();
  }

  @ParameterizedTest(name = "{0} joins {1} -> not_found")
  @MethodSource("notFound")
  void unknown_family_or_malformed_id_is_not_found(Role role, String topic) {
    JsonArray reply = join(socket(role), topic, joinPayload(role));
    assertOutcome("not_found", reply, role + " joining " + topic);
  }

  // ---- the realtime: prefix -----------------------------------------------------------------------------------------

  static Stream<Arguments> prefixed() {
    return Stream.of(
        Arguments.of(ROLES.get("couple-partner(Emma)"), "form:" + F1, OK),
        Arguments.of(ROLES.get("couple-partner(Emma)"), "supplier:" + S1, "forbidden"),
        Arguments.of(ROLES.get("S1-viewer(Noah)"), "supplier:" + S1 + ":forms", OK),
        Arguments.of(ROLES.get("S1-owner(Sarah)"), "wedding:" + W2, "forbidden"),
        Arguments.of(ROLES.get("other-supplier-on-W2-only(Lily)"), "form:" + F5, OK),
        Arguments.of(ROLES.get("other-supplier-on-W2-only(Lily)"), "form:" + F1, "forbidden"),
        Arguments.of(ROLES.get("expired-token(Emma)"), "form:" + F1, "token_expired"),
        Arguments.of(ROLES.get("garbage-token(Emma)"), "form:" + F1, "unauthorized"));
  }

  @ParameterizedTest(name = "{0} joins [realtime:]{1} -> {2}, topic echoed as sent")
  @MethodSource("prefixed")
  void both_topic_spellings_give_the_same_outcome_and_echo_the_topic(Role role, String bare, String expected) {
    WsClient c = socket(role);
    for (String topic : List.of(bare, "realtime:" + bare)) {
      JsonArray reply = join(c, topic, joinPayload(role)); // join() asserts the echoed topic
      assertOutcome(expected, reply, role + " joining " + topic);
      if (OK.equals(expected)) {
        // pushes on the channel use the spelling the client joined with, too
        String joinRef = reply.getString(0);
        c.await(a -> "presence_state".equals(a.getString(3)) && topic.equals(a.getString(2))
            && joinRef.equals(a.getString(0)), Duration.ofSeconds(5));
        leave(c, reply.getString(0), topic);
      }
    }
  }

  // ---- tokens at the socket level -------------------------------------------------------------------------------

  @Test
  void a_socket_opened_with_an_expired_apikey_is_refused_at_the_upgrade_with_401() {
    WsClient.ConnectFailed e = assertThrows(WsClient.ConnectFailed.class,
        () -> WsClient.connect(hub.client, hub.wsUrl(expiredEmmaToken)).close());
    UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, e.getCause(),
        "upgrade rejection expected, got " + e.getCause());
    assertEquals(401, rejected.getStatus());
  }

  @ParameterizedTest(name = "apikey {0} -> 401")
  @ValueSource(strings = {"not.a.jwt", "garbage"})
  void a_socket_opened_with_an_invalid_apikey_is_refused_at_the_upgrade_with_401(String apikey) {
    WsClient.ConnectFailed e = assertThrows(WsClient.ConnectFailed.class,
        () -> WsClient.connect(hub.client, hub.wsUrl(apikey)).close());
    UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, e.getCause(),
        "upgrade rejection expected, got " + e.getCause());
    assertEquals(401, rejected.getStatus());
  }

  @Test
  void a_socket_opened_with_a_token_signed_by_another_key_is_refused_with_401() {
    String forged = new com.wedsync.hub.auth.DevTokens(hub.client, "some-other-secret-that-is-long-enough-1234")
        .user(EMMA, 3600);
    WsClient.ConnectFailed e = assertThrows(WsClient.ConnectFailed.class,
        () -> WsClient.connect(hub.client, hub.wsUrl(forged)).close());
    UpgradeRejectedException rejected = assertInstanceOf(UpgradeRejectedException.class, e.getCause());
    assertEquals(401, rejected.getStatus());
  }

  @Test
  void a_failed_join_with_a_bad_access_token_leaves_the_socket_usable() {
    try (WsClient c = hub.connect(EMMA)) {
      String topic = "couple:" + C1;
      JsonArray garbage = join(c, topic, new JsonObject().put("access_token", GARBAGE_TOKEN));
      assertOutcome("unauthorized", garbage, "join with garbage access_token");
      // the socket's own (valid) token still works afterwards
      JsonArray ok = join(c, topic, new JsonObject());
      assertOutcome(OK, ok, "join with the socket's token after a garbage access_token");
      leave(c, ok.getString(0), topic);
      JsonArray expired = join(c, topic, new JsonObject().put("access_token", expiredEmmaToken));
      assertOutcome("token_expired", expired, "join with expired access_token");
      JsonArray again = join(c, topic, new JsonObject());
      assertOutcome(OK, again, "join with the socket's token after an expired access_token");
    }
  }

  // ---- write rights the hub exposes today ---------------------------------------------------------------------------

  @Test
  void a_viewer_may_join_and_send_a_broadcast_on_the_form_channel() {
    WsClient noah = socket(ROLES.get("S1-viewer(Noah)"));
    WsClient sarah = socket(ROLES.get("S1-owner(Sarah)"));
    String topic = "realtime:form:" + F1;
    JsonObject ackConfig = new JsonObject().put("config", new JsonObject()
        .put("broadcast", new JsonObject().put("self", false).put("ack", true))
        .put("presence", new JsonObject().put("key", "").put("enabled", false)));
    JsonArray viewerJoin = join(noah, topic, ackConfig);
    assertOutcome(OK, viewerJoin, "viewer joining " + topic);
    JsonArray ownerJoin = join(sarah, topic, ackConfig);
    assertOutcome(OK, ownerJoin, "owner joining " + topic);
    try {
      String ref = noah.nextRef();
      JsonObject cursor = new JsonObject().put("x", 10).put("y", 20);
      noah.send(viewerJoin.getString(0), ref, topic, "broadcast",
          new JsonObject().put("type", "broadcast").put("event", "cursor").put("payload", cursor));
      JsonArray ack = noah.await(a -> "phx_reply".equals(a.getString(3)) && ref.equals(a.getString(1)),
          Duration.ofSeconds(10));
      assertEquals(topic, ack.getString(2));
      assertEquals(new JsonObject().put("status", "ok").put("response", new JsonObject()), ack.getJsonObject(4),
          "a viewer's broadcast is acknowledged ok (broadcast is not a field write)");
      JsonArray got = sarah.await(a -> topic.equals(a.getString(2)) && "broadcast".equals(a.getString(3)),
          Duration.ofSeconds(5));
      assertEquals(new JsonObject().put("type", "broadcast").put("event", "cursor").put("payload", cursor)
              .put("meta", new JsonObject().put("sender", new JsonObject().put("user_id", NOAH.toString())
                  .put("name", "Noah Hill"))),
          got.getJsonObject(4), "the other subscriber receives the viewer's broadcast, its sender stamped");
      noah.assertNone(a -> topic.equals(a.getString(2)) && "broadcast".equals(a.getString(3)),
          Duration.ofMillis(200)); // no echo without broadcast.self
    } finally {
      leave(noah, viewerJoin.getString(0), topic);
      leave(sarah, ownerJoin.getString(0), topic);
    }
  }

  // ---- membership removal ends subscriptions at once ----------------------------------------------------------------

  @Test
  void removing_a_team_membership_ends_the_affected_subscriptions_at_once() {
    UUID temp = UUID.randomUUID();
    TestPostgres.execute("insert into users (id, email, name) values ('" + temp + "', 'authz-" + temp
        + "@example.com', 'Temp Member')");
    WsClient c = null;
    try {
      TestPostgres.execute("insert into team_members (supplier_id, user_id, role) values ('" + S1 + "', '" + temp
          + "', 'member')");
      c = hub.connect(temp);
      String selfTopic = "user:" + temp;
      List<String> lost = List.of("supplier:" + S1, "realtime:form:" + F1, "wedding:" + W1);
      for (String t : lost) assertOutcome(OK, join(c, t, new JsonObject()), "temp member joining " + t);
      assertOutcome(OK, join(c, selfTopic, new JsonObject()), "temp member joining " + selfTopic);

      long removed = System.nanoTime();
      TestPostgres.execute("delete from team_members where user_id = '" + temp + "'");

      for (String t : lost) {
        long left = Duration.ofSeconds(5).toNanos() - (System.nanoTime() - removed);
        final WsClient client = c;
        JsonArray first = client.await(a -> t.equals(a.getString(2))
                && ("system".equals(a.getString(3)) || "phx_close".equals(a.getString(3))),
            Duration.ofNanos(Math.max(left, 1)));
        assertEquals("system", first.getString(3), "system comes before phx_close on " + t + ": " + first);
        JsonObject sys = first.getJsonObject(4);
        assertEquals("error", sys.getString("status"), "system payload on " + t + ": " + sys);
        assertEquals("forbidden", sys.getString("message"), "system payload on " + t + ": " + sys);
        assertEquals("system", sys.getString("extension"), "system payload on " + t + ": " + sys);
        assertEquals(t, sys.getString("channel"), "system payload on " + t + ": " + sys);
        left = Duration.ofSeconds(5).toNanos() - (System.nanoTime() - removed);
        client.await(a -> t.equals(a.getString(2)) && "phx_close".equals(a.getString(3)),
            Duration.ofNanos(Math.max(left, 1)));
      }
      long tookMs = (System.nanoTime() - removed) / 1_000_000;
      assertTrue(tookMs <= 5000, "subscriptions ended after " + tookMs + " ms");

      // user:{self} is kept: no system/phx_close on it, and a broadcast on it still arrives
      final WsClient client = c;
      client.assertNone(a -> selfTopic.equals(a.getString(2))
          && ("system".equals(a.getString(3)) || "phx_close".equals(a.getString(3))), Duration.ofMillis(300));
      TestHub.HttpResult posted = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(300),
          new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("topic", selfTopic)
              .put("event", "ping").put("payload", new JsonObject().put("n", 1)))));
      assertEquals(202, posted.status(), "server-side broadcast: " + posted.body());
      JsonArray ping = client.await(a -> selfTopic.equals(a.getString(2)) && "broadcast".equals(a.getString(3)),
          Duration.ofSeconds(5));
      assertEquals("ping", ping.getJsonObject(4).getString("event"));
      assertEquals(new JsonObject().put("n", 1), ping.getJsonObject(4).getJsonObject("payload"));

      // and the lost channels cannot be joined again
      for (String t : lost) {
        assertOutcome("forbidden", join(client, t, new JsonObject()), "former member re-joining " + t);
      }
    } finally {
      if (c != null) c.close();
      TestPostgres.execute("delete from users where id = '" + temp + "'");
    }
  }

  @Test
  void matrix_covers_every_role_and_every_family() {
    assertEquals(ROLES.keySet(), EXPECTED.keySet());
    for (String family : List.of("supplier:", "couple:", "wedding:", "form:", "journey:", "user:")) {
      if (TOPICS.stream().noneMatch(t -> t.startsWith(family))) fail("no column for " + family);
    }
  }
}
