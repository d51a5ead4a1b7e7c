package com.wedsync.hub.areas;

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
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.areas.LiveAreasWorld.C2;
import static com.wedsync.hub.areas.LiveAreasWorld.LILY;
import static com.wedsync.hub.areas.LiveAreasWorld.S4;
import static com.wedsync.hub.areas.LiveAreasWorld.SOPHIE;
import static com.wedsync.hub.areas.LiveAreasWorld.W2;
import static com.wedsync.hub.areas.LiveAreasWorld.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A supplier's live dashboard numbers (docs/protocol.md §12.6) on {@code supplier:{id}} and over HTTP: a burst of
 * messages is at most one {@code dashboard:numbers} a second with the last value right; a client coming online, a
 * form completed and a team member's note each move their number; an event only when a number moved. Bloom Florists
 * (S4) and Sophie & Liam (C2), which the other live-area tests leave alone.
 */
class DashboardNumbersTest {
  static final String NAME = "areas_dashboard";
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String TOPIC = "supplier:" + S4;
  static TestHub hub;
  static WsClient lily;

  @BeforeAll
  static void start() {
    hub = LiveAreasWorld.start(NAME, TestHub.editing("100"));
    lily = hub.connect(LILY);
    LiveAreasWorld.joined(lily, TOPIC);
  }

  @AfterAll
  static void stop() {
    lily.close();
    hub.close();
    LiveAreasWorld.dropSlot(NAME);
    TestPostgres.execute("delete from messages where body like '%" + RUN + "%'");
    TestPostgres.execute("delete from forms where title like '%" + RUN + "%'");
  }

  static JsonObject http() {
    TestHub.HttpResult r = hub.request(HttpMethod.GET, "/api/v1/suppliers/" + S4 + "/dashboard", hub.token(LILY), null);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static Predicate<JsonArray> numbers(Predicate<JsonObject> p) {
    return a -> TOPIC.equals(a.getString(2)) && "dashboard:numbers".equals(a.getString(3))
        && p.test(a.getJsonObject(4));
  }

  static JsonObject awaitNumbers(Predicate<JsonObject> p) {
    return lily.await(numbers(p), Duration.ofSeconds(15)).getJsonObject(4);
  }

  static JsonObject withoutTimes(JsonObject n) {
    JsonObject j = n.copy();
    j.remove("at");
    j.remove("meta");
    return j;
  }

  @Test
  void aBurstOfMessagesIsAtMostOneUpdateASecondAndTheLastIsRight() {
    consumeAll();
    long before = http().getLong("unread_messages");
    int burst = 30;
    for (int i = 0; i < burst; i++) {
      TestPostgres.execute("insert into messages (supplier_id, couple_id, sender_side, body) values (" + q(S4) + ", "
          + q(C2) + ", 'couple', 'Burst " + i + " " + RUN + "')");
    }
    LiveAreasWorld.await(() -> !lily.received(numbers(n -> n.getLong("unread_messages") == before + burst)).isEmpty(),
        "the burst's last number arrived");
    List<JsonObject> seen = lily.received(numbers(n -> true)).stream().map(a -> a.getJsonObject(4)).toList();
    assertTrue(seen.size() < burst, "coalesced: " + seen.size() + " updates for " + burst + " changes");
    for (int i = 1; i < seen.size(); i++) {
      long gap = Instant.parse(seen.get(i).getString("at")).toEpochMilli()
          - Instant.parse(seen.get(i - 1).getString("at")).toEpochMilli();
      assertTrue(gap >= 1_000, "updates " + gap + " ms apart: " + seen);
      assertNotEquals(withoutTimes(seen.get(i - 1)), withoutTimes(seen.get(i)), "an update only when a number moved");
    }
    JsonObject last = seen.get(seen.size() - 1);
    assertEquals(before + burst, last.getLong("unread_messages"), "the last update holds the last value");
    assertEquals(withoutTimes(last), withoutTimes(http()), "HTTP reads the same numbers");
    // Read by the team: the number goes back down, in one more update.
    TestPostgres.execute("update messages set read_at = now(), read_by = " + q(LILY) + " where body like 'Burst %"
        + RUN + "'");
    assertEquals(before, awaitNumbers(n -> n.getLong("unread_messages") == before).getLong("unread_messages"));
    consumeAll();
  }

  @Test
  void aClientComingOnlineAFormCompletedAndATeamMembersNoteEachMoveTheirNumber() {
    consumeAll();
    JsonObject start = http();
    assertEquals(S4.toString(), start.getString("supplier_id"));
    assertTrue(start.getLong("clients") >= 1, start.encode());
    UUID form = UUID.randomUUID();
    TestPostgres.execute("insert into forms (id, supplier_id, wedding_id, title, status) values (" + q(form) + ", "
        + q(S4) + ", " + q(W2) + ", 'Buttonholes " + RUN + "', 'sent')");
    TestPostgres.execute("insert into form_fields (form_id, key, label, type, required, position) values (" + q(form)
        + ", 'count', 'How many buttonholes', 'number', true, 1)");

    try (WsClient sophie = hub.connect(SOPHIE)) {
      JsonObject online = awaitNumbers(n -> n.getLong("active_clients") == start.getLong("active_clients") + 1);
      assertEquals(start.getLong("forms_completed_today"), online.getLong("forms_completed_today"));

      assertEquals("ok", sophie.join("form:" + form).getString("status"));
      JsonObject set = sophie.request("form:" + form, "field:set", new JsonObject().put("field", "count")
          .put("value", 6).put("base_version", 0).put("op_id", "dash-" + RUN));
      assertEquals("ok", set.getString("status"), set.encode());
      awaitNumbers(n -> n.getLong("forms_completed_today") == start.getLong("forms_completed_today") + 1);

      lily.join("form:" + form);
      JsonObject note = lily.request("form:" + form, "form:note", new JsonObject().put("text", "Lovely " + RUN)
          .put("op_id", "note-" + RUN));
      assertEquals("ok", note.getString("status"), note.encode());
      JsonObject team = awaitNumbers(n -> n.getLong("team_actions_today") == start.getLong("team_actions_today") + 1);
      assertTrue(team.getLong("team_active_today") >= 1, team.encode());
    }
    awaitNumbers(n -> n.getLong("active_clients") == start.getLong("active_clients"));
  }

  static void consumeAll() {
    while (lily.poll(numbers(n -> true)) != null) {
      // the previous test's updates
    }
  }
}
