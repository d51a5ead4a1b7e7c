package com.wedsync.hub.form;

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
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.Replies.event;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Offline replay (docs/protocol.md §5.6: "Offline replays return, per op, applied / duplicate / conflict (with both
 * values) / rejected (with reason)"; docs/protocol.md §5 {@code sync} and §10 {@code POST /api/v1/sync/changes}), over a real
 * socket and real HTTP: a batch built offline against stale versions gets the right result per op, its ops are applied
 * in order (a client's later edits of a field build on its earlier ones), and replaying the same batch changes nothing
 * — no new version, no new revision, the same results or {@code duplicate}.
 */
class OfflineSyncTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");  // couple partner
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006"); // S1 owner
  static final Duration WAIT = Duration.ofSeconds(8);

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  static JsonObject set(String field, Object value, long base, String opId) {
    return new JsonObject().put("field", field).put("value", value).put("base_version", base).put("op_id", opId);
  }

  static JsonObject op(String event, JsonObject payload) {
    return new JsonObject().put("event", event).put("payload", payload);
  }

  /** Every field's version and the number of revisions of the form, as PostgreSQL has them. */
  static String record(UUID form) {
    return TestPostgres.query("select key, version, value::text as value from form_fields where form_id = '" + form
        + "' order by key") + " revisions=" + TestPostgres.query("select count(*) as n from field_revisions where "
        + "form_id = '" + form + "'").get(0).get("n");
  }

  static JsonObject result(JsonArray results, int i, String opId, String result) {
    JsonObject r = results.getJsonObject(i);
    assertEquals(opId, r.getString("op_id"), () -> "results[" + i + "]: " + r.encode());
    assertEquals(result, r.getString("result"), () -> "results[" + i + "]: " + r.encode());
    return r;
  }

  @Test
  void aSocketBatchBuiltOfflineGetsAResultPerOpAndReplayingItChangesNothing() {
    UUID form = TestForms.create("offline socket", "name:text", "guests:number", "color:select", "notes:textarea",
        "shots:list");
    String topic = "realtime:form:" + form;
    try (WsClient emma = hub.connect(EMMA); WsClient sarah = hub.connect(SARAH)) {
      ok(emma.join(topic));
      ok(sarah.join(topic));
      // While Sarah is offline, Emma changes the guest count: Sarah's edit of it, made against version 0, is stale.
      assertEquals(1, ok(emma.request(topic, "field:set", set("guests", 50, 0, "online-1"))).getLong("version"));

      JsonArray ops = new JsonArray()
          .add(op("field:set", set("name", "Lens", 0, "off-a")))
          .add(op("field:set", set("name", "Lens & Light", 0, "off-b")))   // her second edit of the same field
          .add(op("field:set", set("guests", 80, 0, "off-c")))             // Emma changed it meanwhile
          .add(op("field:set", set("color", "purple", 0, "off-d")))        // not one of the options
          .add(op("field:set", set("nosuch", "x", 0, "off-e")))            // no such field
          .add(op("field:text", new JsonObject().put("field", "notes").put("ops", new JsonArray().add("Hello"))
              .put("base_version", 0).put("op_id", "off-f")))
          .add(op("field:text", new JsonObject().put("field", "notes").put("ops", new JsonArray().add(5)
              .add(" world")).put("base_version", 0).put("op_id", "off-g"))) // typed after her first text op
          .add(op("field:list", new JsonObject().put("field", "shots").put("action", "append").put("item_id", "s1")
              .put("item", new JsonObject().put("text", "First dance")).put("op_id", "off-h")))
          .add(op("field:set", set("name", "Lens", 0, "off-a")))           // the queue held op a twice
          .add(op("field:set", new JsonObject().put("field", "name").put("value", "no op id").put("base_version", 0)))
          .add(new JsonObject().put("event", "field:set"));                // no payload

      JsonArray first = ok(sarah.request(topic, "sync", new JsonObject().put("ops", ops))).getJsonArray("results");
      assertEquals(ops.size(), first.size(), first::encode);
      assertEquals(1, result(first, 0, "off-a", "applied").getLong("version"));
      assertEquals(2, result(first, 1, "off-b", "applied").getLong("version"));
      JsonObject conflict = result(first, 2, "off-c", "conflict");
      assertEquals("guests", conflict.getString("field"));
      assertEquals(80, conflict.getInteger("yours"));
      assertEquals(50, conflict.getJsonObject("current").getInteger("value"));
      assertEquals(1, conflict.getJsonObject("current").getLong("version"));
      assertEquals(EMMA.toString(), conflict.getJsonObject("current").getJsonObject("by").getString("user_id"));
      JsonObject badOption = result(first, 3, "off-d", "rejected");
      assertEquals("invalid", badOption.getString("reason"));
      assertEquals("color", badOption.getString("field"));
      assertEquals("not_found", result(first, 4, "off-e", "rejected").getString("reason"));
      assertEquals(1, result(first, 5, "off-f", "applied").getLong("version"));
      assertEquals(2, result(first, 6, "off-g", "applied").getLong("version"));
      assertEquals(1, result(first, 7, "off-h", "applied").getLong("version"));
      assertEquals(1, result(first, 8, "off-a", "duplicate").getLong("version"));
      JsonObject noOpId = result(first, 9, null, "rejected");
      assertEquals("invalid", noOpId.getString("reason"));
      assertEquals("op_id", noOpId.getString("field"));
      assertEquals("invalid", result(first, 10, null, "rejected").getString("reason"));

      // Applied in order: every subscriber sees the same sequence of versions and ends with the same values.
      for (String[] expected : List.of(new String[] {"name", "1", "Lens"}, new String[] {"name", "2", "Lens & Light"},
          new String[] {"notes", "1", "Hello"}, new String[] {"notes", "2", "Hello world"})) {
        emma.await(event(form, "field:changed", p -> expected[0].equals(p.getString("field"))
            && p.getLong("version") == Long.parseLong(expected[1]) && expected[2].equals(p.getValue("value"))), WAIT);
      }
      emma.await(event(form, "field:saved", p -> "name".equals(p.getString("field")) && p.getLong("version") == 2),
          WAIT);
      emma.await(event(form, "field:saved", p -> "notes".equals(p.getString("field")) && p.getLong("version") == 2),
          WAIT);
      emma.await(event(form, "field:saved", p -> "shots".equals(p.getString("field"))), WAIT);
      String before = record(form);
      drain(emma, form);

      // The client did not see the replies (say the connection dropped) and replays the whole batch.
      JsonArray again = ok(sarah.request(topic, "sync", new JsonObject().put("ops", ops))).getJsonArray("results");
      assertEquals(ops.size(), again.size(), again::encode);
      for (int i = 0; i < ops.size(); i++) {
        JsonObject was = first.getJsonObject(i);
        JsonObject now = again.getJsonObject(i);
        String expected = was.getString("result").equals("applied") ? "duplicate" : was.getString("result");
        assertEquals(expected, now.getString("result"), "replayed op " + i + ": " + now.encode());
        assertEquals(was.getValue("version"), now.getValue("version"), "replayed op " + i + ": " + now.encode());
        assertEquals(was.getValue("current"), now.getValue("current"), "replayed op " + i + ": " + now.encode());
      }
      emma.assertNone(event(form, "field:changed", p -> true), Duration.ofMillis(600));
      assertEquals(before, record(form), "the replay wrote nothing");
    }
  }

  @Test
  void anHttpBatchAcrossFormsGetsAResultPerChangeAndReplayingItChangesNothing() {
    UUID form = TestForms.create("offline http", "name:text", "guests:number");
    UUID other = TestForms.create("offline http 2", "venue:text");
    String topic = "realtime:form:" + form;
    String token = hub.token(SARAH);
    try (WsClient emma = hub.connect(EMMA)) {
      ok(emma.join(topic));
      ok(emma.request(topic, "field:set", set("guests", 50, 0, "http-online-1")));

      JsonArray changes = new JsonArray()
          .add(change(form, "http-a", "name", "Lens", 0))
          .add(change(form, "http-b", "guests", 80, 0))
          .add(change(other, "http-c", "venue", "Old Barn", 0))
          .add(change(form, "http-d", "name", "Lens & Light", 0))
          .add(change(UUID.randomUUID(), "http-e", "name", "x", 0))
          .add(change(form, null, "name", "no op id", 0))
          .add(new JsonObject().put("op_id", "http-g").put("form_id", "not-a-uuid").put("field", "name")
              .put("value", "x").put("base_version", 0));
      JsonObject body = new JsonObject().put("changes", changes);

      TestHub.HttpResult firstCall = hub.request(HttpMethod.POST, "/api/v1/sync/changes", token, body);
      assertEquals(200, firstCall.status(), firstCall.body());
      JsonObject first = firstCall.json();
      JsonArray results = first.getJsonArray("results");
      assertEquals(changes.size(), results.size(), results::encode);
      assertEquals(1, result(results, 0, "http-a", "applied").getLong("version"));
      assertEquals(form.toString(), results.getJsonObject(0).getString("form_id"));
      JsonObject conflict = result(results, 1, "http-b", "conflict");
      assertEquals(80, conflict.getInteger("yours"));
      assertEquals(50, conflict.getJsonObject("current").getInteger("value"));
      assertEquals(1, result(results, 2, "http-c", "applied").getLong("version"));
      assertEquals(other.toString(), results.getJsonObject(2).getString("form_id"));
      assertEquals(2, result(results, 3, "http-d", "applied").getLong("version"));
      String unknownForm = result(results, 4, "http-e", "rejected").getString("reason");
      assertEquals(true, unknownForm.equals("not_found") || unknownForm.equals("forbidden"), unknownForm);
      assertEquals("op_id", result(results, 5, null, "rejected").getString("field"));
      assertEquals("invalid", result(results, 6, "http-g", "rejected").getString("reason"));
      assertEquals(3, first.getInteger("synced"));
      assertEquals(4, first.getInteger("failed"));

      emma.await(event(form, "field:saved", p -> "name".equals(p.getString("field")) && p.getLong("version") == 2),
          WAIT);
      awaitSaved(other);
      String before = record(form) + record(other);
      drain(emma, form);

      JsonObject second = hub.request(HttpMethod.POST, "/api/v1/sync/changes", token, body).json();
      JsonArray replayed = second.getJsonArray("results");
      for (int i = 0; i < changes.size(); i++) {
        JsonObject was = results.getJsonObject(i);
        JsonObject now = replayed.getJsonObject(i);
        String expected = was.getString("result").equals("applied") ? "duplicate" : was.getString("result");
        assertEquals(expected, now.getString("result"), "replayed change " + i + ": " + now.encode());
        assertEquals(was.getValue("version"), now.getValue("version"), "replayed change " + i + ": " + now.encode());
      }
      assertEquals(3, second.getInteger("synced"));
      assertEquals(4, second.getInteger("failed"));
      emma.assertNone(event(form, "field:changed", p -> true), Duration.ofMillis(600));
      assertEquals(before, record(form) + record(other), "the replay wrote nothing");
    }
  }

  /** Consumes the changes seen so far, so what follows is checked on its own. */
  static void drain(WsClient client, UUID form) {
    while (client.poll(event(form, "field:changed", p -> true)) != null) {
      // consumed
    }
  }

  static JsonObject change(UUID form, String opId, String field, Object value, long base) {
    JsonObject c = new JsonObject().put("form_id", form.toString()).put("field", field).put("value", value)
        .put("base_version", base).put("at", "2026-05-01T10:00:00Z");
    return opId == null ? c : c.put("op_id", opId);
  }

  static void awaitSaved(UUID form) {
    long deadline = System.currentTimeMillis() + WAIT.toMillis();
    while (System.currentTimeMillis() < deadline) {
      if (!TestPostgres.query("select 1 from field_revisions where form_id = '" + form + "'").isEmpty()) return;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    fail("no revision of form " + form + " within " + WAIT);
  }
}
