package com.wedsync.hub.admin;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin powers on one node (README "Operations"): a hub admin ({@code users.is_admin}: Ava in the demo data)
 * breaks any lock, ends a user's sessions, sees any form read-only; each use leaves an audit row readable at
 * {@code GET /api/v1/admin/audit}; everyone else gets 403 for every admin route, and 401 without a token. Across two
 * nodes: AdminClusterTest.
 */
class AdminPowersTest {
  static final UUID AVA = UUID.fromString("11111111-0000-0000-0000-000000000015");
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final UUID NOAH = UUID.fromString("11111111-0000-0000-0000-000000000009");

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("100"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
    // Ended sessions stay ended for the tokens of that time only; later tests mint fresh ones. Clear it anyway.
    TestPostgres.execute("update users set sessions_ended_at = null where id in ('" + EMMA + "', '" + NOAH + "')");
  }

  static final JsonObject REASON = new JsonObject().put("reason", "test: support ticket 42");

  @Test
  void everyAdminRouteRefusesNonAdminsWith403AndAnonymousCallersWith401() {
    UUID form = TestForms.create("Admin refusals", "names:text");
    List<String[]> routes = List.of(
        new String[] {"GET", "/api/v1/admin/sync-health"},
        new String[] {"GET", "/api/v1/admin/audit"},
        new String[] {"POST", "/api/v1/admin/forms/" + form + "/locks/names/break"},
        new String[] {"POST", "/api/v1/admin/users/" + EMMA + "/sessions/end"});
    for (UUID user : List.of(EMMA, SARAH, NOAH)) {
      for (String[] r : routes) {
        HttpMethod m = HttpMethod.valueOf(r[0]);
        TestHub.HttpResult res = hub.request(m, r[1], hub.token(user), m == HttpMethod.POST ? REASON : null);
        assertEquals(403, res.status(), r[0] + " " + r[1] + " as " + user + ": " + res.body());
        JsonObject e = res.json().getJsonObject("error");
        assertEquals("forbidden", e.getString("code"));
        assertTrue(e.getString("message").contains("is for hub admins only (users.is_admin)"), e.getString("message"));
      }
    }
    for (String[] r : routes) {
      HttpMethod m = HttpMethod.valueOf(r[0]);
      assertEquals(401, hub.request(m, r[1], null, m == HttpMethod.POST ? REASON : null).status(), r[1]);
    }
    // A power without a reason is refused before anything happens.
    TestHub.HttpResult noReason = hub.request(HttpMethod.POST, routes.get(3)[1], hub.token(AVA), new JsonObject());
    assertEquals(400, noReason.status(), noReason.body());
    assertEquals("reason", noReason.json().getJsonObject("error").getString("field"));
    // Nothing was audited for the refused calls (this test class never ends Emma's sessions nor breaks this lock).
    assertTrue(audit("end_sessions").stream().noneMatch(e -> e.getString("target").equals("user:" + EMMA)));
    assertTrue(audit("break_lock").stream().noneMatch(e -> e.getString("target").startsWith("form:" + form)));
  }

  @Test
  void anAdminBreaksAnyLockTheHolderIsToldAndItIsAudited() {
    UUID form = TestForms.create("Admin break", "names:text");
    String topic = "realtime:form:" + form;
    try (WsClient emma = hub.connect(EMMA)) {
      ok(emma.join(topic));
      ok(emma.request(topic, "field:lock", new JsonObject().put("field", "names")));

      TestHub.HttpResult res = hub.request(HttpMethod.POST, "/api/v1/admin/forms/" + form + "/locks/names/break",
          hub.token(AVA), REASON);
      assertEquals(200, res.status(), res.body());
      assertEquals(EMMA.toString(), res.json().getJsonObject("holder").getString("user_id"));

      JsonArray unlocked = emma.await(a -> topic.equals(a.getString(2)) && "field:unlocked".equals(a.getString(3))
          && "broken".equals(a.getJsonObject(4).getString("reason")), Duration.ofSeconds(10));
      JsonObject by = unlocked.getJsonObject(4).getJsonObject("by");
      assertEquals(AVA.toString(), by.getString("user_id"));
      assertEquals("Ava Admin", by.getString("name"));

      JsonObject row = latest("break_lock", "form:" + form + "/names");
      assertEquals(AVA.toString(), row.getJsonObject("admin").getString("user_id"));
      assertEquals(REASON.getString("reason"), row.getString("reason"));
      assertEquals(EMMA.toString(), row.getJsonObject("details").getJsonObject("holder").getString("user_id"));
      assertNotNull(row.getString("at"));

      // No lock, nothing to break: 404, and no second row.
      TestHub.HttpResult again = hub.request(HttpMethod.POST, "/api/v1/admin/forms/" + form + "/locks/names/break",
          hub.token(AVA), REASON);
      assertEquals(404, again.status(), again.body());
      assertEquals(1, audit("break_lock").stream()
          .filter(e -> e.getString("target").equals("form:" + form + "/names")).count());
    }
  }

  @Test
  void anAdminSeesAnyFormReadOnlyEveryWriteIsRefusedAndTheViewIsAudited() {
    UUID form = TestForms.create("Admin view", "names:text", "story:textarea");
    String topic = "realtime:form:" + form;
    try (WsClient ava = hub.connect(AVA); WsClient emma = hub.connect(EMMA)) {
      ok(ava.join(topic, new JsonObject().put("config", new JsonObject()
          .put("presence", new JsonObject().put("key", "")))));
      ok(emma.join(topic));
      ok(emma.request(topic, "field:set", new JsonObject().put("field", "names").put("value", "Emma & James")
          .put("op_id", "admin-view-1").put("base_version", 0)));
      JsonArray changed = ava.await(a -> topic.equals(a.getString(2)) && "field:changed".equals(a.getString(3)),
          Duration.ofSeconds(10));
      assertEquals("Emma & James", changed.getJsonObject(4).getValue("value"));

      for (var write : List.of(
          new Object[] {"field:set", new JsonObject().put("field", "names").put("value", "x").put("op_id", "ava-1")},
          new Object[] {"field:lock", new JsonObject().put("field", "names")},
          new Object[] {"form:note", new JsonObject().put("text", "hi").put("op_id", "ava-2")},
          new Object[] {"broadcast", new JsonObject().put("type", "broadcast").put("event", "x")
              .put("payload", new JsonObject())},
          new Object[] {"presence", new JsonObject().put("type", "presence").put("event", "track")
              .put("payload", new JsonObject())})) {
        JsonObject refused = error(ava.request(topic, (String) write[0], (JsonObject) write[1]), "forbidden");
        assertTrue(refused.getString("detail").contains("an admin's view is read-only"), refused.encode());
      }
      // Over HTTP too: the form reads, a write is refused.
      assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(AVA), null).status());
      TestHub.HttpResult put = hub.request(HttpMethod.PUT, "/api/v1/forms/" + form + "/fields/names",
          hub.token(AVA), new JsonObject().put("value", "y").put("op_id", "ava-3").put("base_version", 1));
      assertEquals(403, put.status(), put.body());
      assertTrue(put.json().getJsonObject("error").getString("message").contains("read-only"), put.body());
      // Emma's value stands.
      assertEquals("Emma & James", hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(EMMA), null).json()
          .getJsonArray("fields").getJsonObject(0).getValue("value"));
      assertTrue(audit("view_form").stream().filter(e -> e.getString("target").equals("form:" + form)
          && e.getJsonObject("admin").getString("user_id").equals(AVA.toString())).count() >= 2);
    }
    // Someone without membership and without is_admin still cannot look.
    try (WsClient stranger = hub.connect(UUID.fromString("11111111-0000-0000-0000-000000000014"))) {
      error(stranger.join(topic), "forbidden");
    }
  }

  @Test
  void endingAUsersSessionsClosesTheirSocketsRefusesTheirOldTokensAndIsAudited() throws Exception {
    String oldToken = hub.token(NOAH);
    UUID form = TestForms.create("Admin end", "names:text");
    String topic = "realtime:form:" + form;
    try (WsClient noah = hub.connect(oldToken); WsClient other = hub.connect(SARAH)) {
      ok(noah.join(topic));
      ok(other.join(topic));
      Thread.sleep(1100); // tokens carry whole seconds: the end must fall after the second this one was issued in
      TestHub.HttpResult res = hub.request(HttpMethod.POST, "/api/v1/admin/users/" + NOAH + "/sessions/end",
          hub.token(AVA), REASON);
      assertEquals(200, res.status(), res.body());

      JsonArray ended = noah.await(a -> topic.equals(a.getString(2)) && "system".equals(a.getString(3)),
          Duration.ofSeconds(10));
      assertEquals("session_ended", ended.getJsonObject(4).getString("message"), ended.encode());
      assertTrue(ended.getJsonObject(4).getString("detail").contains(REASON.getString("reason")), ended.encode());
      assertTrue(noah.awaitClosed(Duration.ofSeconds(10)));
      assertEquals((short) 4001, noah.closeStatus());
      assertTrue(noah.closeReason().startsWith("session ended by admin Ava Admin"), noah.closeReason());
      // Only Noah's: Sarah's socket is still there.
      ok(other.request(topic, "field:typing", new JsonObject().put("field", "names")));

      // Noah's token of before the end no longer opens a socket nor calls the API; a fresh one does.
      TestHub.HttpResult me = hub.request(HttpMethod.GET, "/api/v1/me", oldToken, null);
      assertEquals(401, me.status(), me.body());
      assertTrue(me.body().contains("an admin ended this user's sessions"), me.body());
      boolean refused = false;
      try (WsClient again = hub.connect(oldToken)) {
        again.awaitClosed(Duration.ofSeconds(2));
      } catch (WsClient.ConnectFailed e) {
        refused = true;
      }
      assertTrue(refused, "the old token opens no socket");
      Thread.sleep(1100);
      assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/me", hub.token(NOAH), null).status());

      JsonObject row = latest("end_sessions", "user:" + NOAH);
      assertEquals(REASON.getString("reason"), row.getString("reason"));
      assertEquals("Noah Hill", row.getJsonObject("details").getJsonObject("user").getString("name"));
    }
  }

  // ---- helpers -------------------------------------------------------------------------------------------------

  static List<JsonObject> audit(String action) {
    TestHub.HttpResult res = hub.request(HttpMethod.GET, "/api/v1/admin/audit?limit=500&action=" + action,
        hub.token(AVA), null);
    assertEquals(200, res.status(), res.body());
    return res.json().getJsonArray("entries").stream().map(o -> (JsonObject) o).toList();
  }

  static JsonObject latest(String action, String target) {
    return audit(action).stream().filter(e -> e.getString("target").equals(target)).findFirst()
        .orElseThrow(() -> new AssertionError("no " + action + " audit row for " + target));
  }
}
