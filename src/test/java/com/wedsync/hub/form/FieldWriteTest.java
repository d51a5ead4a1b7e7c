package com.wedsync.hub.form;

import com.wedsync.hub.form.text.TextOp;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static com.wedsync.hub.support.DemoIds.supplier;
import static com.wedsync.hub.support.DemoIds.user;
import static com.wedsync.hub.support.Replies.ok;
import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Field writes over real sockets and HTTP against a real hub and PostgreSQL (docs/protocol.md §5.13, "Conflicts",
 * "History and rollback"; docs/protocol.md §5 and §10): validation per type, atomic versions and conflicts, at-most-once op
 * ids, live {@code field:changed} then {@code field:saved} and the record, text OT, list merges, write-behind
 * collapsing, history and rollback, the HTTP twin, and viewers.
 *
 * <p>Every test works on its own forms of a wedding created for this class, so the demo data other classes read is
 * never touched.
 */
class FieldWriteTest {
  static final UUID EMMA = user(1);   // couple partner
  static final UUID SARAH = user(6);  // S1 owner
  static final UUID NOAH = user(9);   // S1 viewer
  static final UUID COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID S1 = supplier(1);
  static final UUID S2 = supplier(2);
  static final UUID S3 = supplier(3);
  static final String ALL_CORE = "{wedding_date,ceremony_time,venue_name,venue_address,guest_count,partner1_name,"
      + "partner2_name,contact_email,contact_phone}";
  static final Duration WAIT = Duration.ofSeconds(8);

  static TestHub hub;
  static UUID wedding;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
    wedding = newWedding();
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  // ---- fixture: a fresh wedding for Emma & James with three suppliers, forms with fields of every type ----------

  /** One field of a test form: key, type, required, options (JSON or null), validation (JSON), initial value. */
  record F(String key, String type, boolean required, String options, String validation, String core, String value) {
    static F of(String key, String type) {
      String value = type.equals("textarea") ? "\"\"" : type.equals("list") ? "[]" : null;
      return new F(key, type, false, null, "{}", null, value);
    }

    F asRequired() {
      return new F(key, type, true, options, validation, core, value);
    }

    F withOptions(String json) {
      return new F(key, type, required, json, validation, core, value);
    }

    F rules(String json) {
      return new F(key, type, required, options, json, core, value);
    }
  }

  static UUID newWedding() {
    UUID w = UUID.randomUUID();
    TestPostgres.execute("insert into weddings (id, couple_id, wedding_date, ceremony_time, venue_name, venue_address,"
        + " guest_count, partner1_name, partner2_name, contact_email, contact_phone) values ('" + w + "', '" + COUPLE
        + "', '2027-08-21', '15:00', 'Test Hall', '2 Test Road, Leeds', 100, 'Emma Wilson', 'James Carter',"
        + " 'emma@example.com', '+44 7700 900001');"
        + "insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values "
        + "('" + w + "', '" + S1 + "', '" + ALL_CORE + "'), "
        + "('" + w + "', '" + S2 + "', '{wedding_date,guest_count}'), "
        + "('" + w + "', '" + S3 + "', '{wedding_date,venue_name}')");
    return w;
  }

  static UUID newForm(UUID supplier, String status, F... fields) {
    UUID form = UUID.randomUUID();
    StringBuilder sql = new StringBuilder("insert into forms (id, supplier_id, wedding_id, title, status) values ('")
        .append(form).append("', '").append(supplier).append("', '").append(wedding).append("', 'Field write test ")
        .append(form.toString(), 0, 8).append("', '").append(status).append("');");
    int position = 1;
    for (F f : fields) {
      sql.append("insert into form_fields (form_id, key, label, type, required, options, validation, core_field, ")
          .append("position, value, version) values ('").append(form).append("', '").append(f.key()).append("', '")
          .append(f.key()).append("', '").append(f.type()).append("', ").append(f.required()).append(", ")
          .append(lit(f.options())).append(", ").append(lit(f.validation())).append(", ").append(lit(f.core()))
          .append(", ").append(position++).append(", ").append(lit(f.value())).append(", 0);");
    }
    TestPostgres.execute(sql.toString());
    return form;
  }

  static String lit(String s) {
    return s == null ? "null" : "'" + s.replace("'", "''") + "'";
  }

  // ---- protocol helpers -----------------------------------------------------------------------------------------

  static String topic(UUID form) {
    return "realtime:form:" + form;
  }

  static WsClient joined(TestHub h, UUID user, UUID form) {
    WsClient c = h.connect(user);
    JsonObject reply = c.join(topic(form));
    assertEquals("ok", reply.getString("status"), reply.encode());
    return c;
  }

  static String op() {
    return "op-" + UUID.randomUUID();
  }

  static JsonObject setPayload(String field, Object value, Long base, String opId) {
    JsonObject p = new JsonObject().put("field", field).put("value", value).put("op_id", opId);
    if (base != null) p.put("base_version", base);
    return p;
  }

  static JsonObject set(WsClient c, UUID form, String field, Object value, long base) {
    return c.request(topic(form), "field:set", setPayload(field, value, base, op()));
  }

  static Predicate<JsonArray> changed(UUID form, String field) {
    return event(form, "field:changed", p -> field.equals(p.getString("field")));
  }

  static JsonObject getForm(UUID form) {
    TestHub.HttpResult r = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(SARAH), null);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static JsonObject field(JsonObject form, String key) {
    for (Object o : form.getJsonArray("fields")) {
      if (o instanceof JsonObject f && key.equals(f.getString("key"))) return f;
    }
    throw new AssertionError("no field " + key + " in " + form.encode());
  }

  static JsonObject field(UUID form, String key) {
    return field(getForm(form), key);
  }

  static String json(Object v) {
    return Json.encode(v);
  }

  // ---- validation per type --------------------------------------------------------------------------------------

  /** A field, one accepted value with what the hub stores for it, and refused values with a phrase of the detail. */
  record Case(String key, Object good, Object stored, Object[][] bad) {}

  @Test
  void everyTypeAcceptsValidValuesAndRefusesInvalidOnesNamingFieldAndProblemWithoutChangingAnything() {
    UUID form = newForm(S1, "in_progress",
        F.of("v_text", "text").rules("{\"maxLength\": 10}"),
        F.of("v_required", "text").asRequired(),
        F.of("v_email", "email"),
        F.of("v_phone", "phone"),
        F.of("v_number", "number").rules("{\"min\": 0, \"max\": 1000}"),
        F.of("v_slider", "slider").rules("{\"min\": 1, \"max\": 14, \"step\": 1}"),
        F.of("v_date", "date"),
        F.of("v_time", "time"),
        F.of("v_select", "select").withOptions("[\"documentary\", \"classic\", \"editorial\"]"),
        F.of("v_checkbox", "checkbox"),
        F.of("v_radio", "radio").withOptions("[\"small\", \"medium\", \"large\"]"),
        F.of("v_textarea", "textarea").rules("{\"maxLength\": 20}"),
        F.of("v_list", "list").rules("{\"maxItems\": 2}"));

    List<Case> cases = List.of(
        new Case("v_text", "hello", "hello", new Object[][] {
            {"this is far too long", "at most 10 characters"}, {42, "must be text"}, {"a\u0007b", "control character"}}),
        new Case("v_required", "x", "x", new Object[][] {{"", "is required"}, {null, "is required"}}),
        new Case("v_email", "Ann@Example.COM", "Ann@example.com", new Object[][] {
            {"not-an-email", "email address"}, {"ann@localhost", "email address"}}),
        new Case("v_phone", "+44  7700 900123", "+44 7700 900123", new Object[][] {
            {"call me maybe", "only digits"}, {"12 34", "6 to 20 digits"}}),
        new Case("v_number", 150, 150, new Object[][] {
            {1500, "between 0 and 1000"}, {-1, "between 0 and 1000"}, {"150", "must be a number"}}),
        new Case("v_slider", 8, 8, new Object[][] {{15, "between 1 and 14"}, {2.5, "steps of 1"}}),
        new Case("v_date", "2027-06-12", "2027-06-12", new Object[][] {
            {"2027-02-30", "real calendar date"}, {"12/06/2027", "YYYY-MM-DD"}}),
        new Case("v_time", "9:30", "09:30", new Object[][] {{"25:00", "HH:MM"}, {"14:30:15", "HH:MM"}}),
        new Case("v_select", "classic", "classic", new Object[][] {{"wild", "must be one of"}, {3, "must be one of"}}),
        new Case("v_checkbox", true, true, new Object[][] {{"yes", "true or false"}}),
        new Case("v_radio", "medium", "medium", new Object[][] {{"huge", "must be one of small, medium, large"}}));

    try (WsClient sarah = joined(hub, SARAH, form)) {
      for (Case c : cases) {
        JsonObject accepted = ok(set(sarah, form, c.key(), c.good(), 0));
        assertEquals(1L, accepted.getLong("version"), c.key());
        assertEquals("accepted", accepted.getString("status"));
      }
      // Text areas take field:text and lists field:list; their values are validated on that path.
      assertEquals(1L, ok(sarah.request(topic(form), "field:text", new JsonObject().put("field", "v_textarea")
          .put("ops", new JsonArray().add("hello")).put("base_version", 0).put("op_id", op()))).getLong("version"));
      assertEquals(1L, ok(list(sarah, form, "v_list", "append", "i1", new JsonObject().put("text", "one")))
          .getLong("version"));
      assertEquals(2L, ok(list(sarah, form, "v_list", "append", "i2", new JsonObject().put("text", "two")))
          .getLong("version"));
      JsonObject before = getForm(form);

      for (Case c : cases) {
        for (Object[] bad : c.bad()) {
          JsonObject r = error(set(sarah, form, c.key(), bad[0], 1), "invalid");
          assertEquals(c.key(), r.getString("field"), r::encode);
          String detail = r.getString("detail");
          assertNotNull(detail, r::encode);
          assertTrue(detail.contains(c.key()) && detail.contains((String) bad[1]),
              () -> c.key() + " = " + json(bad[0]) + ": detail should name the field and '" + bad[1] + "': " + detail);
        }
      }
      JsonObject tooLong = error(sarah.request(topic(form), "field:text", new JsonObject().put("field", "v_textarea")
          .put("ops", new JsonArray().add(5).add(" makes it far too long")).put("base_version", 1)
          .put("op_id", op())), "invalid");
      assertEquals("v_textarea", tooLong.getString("field"));
      assertTrue(tooLong.getString("detail").contains("at most 20 characters"), tooLong::encode);
      JsonObject control = error(sarah.request(topic(form), "field:text", new JsonObject().put("field", "v_textarea")
          .put("ops", new JsonArray().add(5).add("\u0001")).put("base_version", 1).put("op_id", op())), "invalid");
      assertEquals("v_textarea", control.getString("field"));
      assertTrue(control.getString("detail").contains("control character"), control::encode);
      JsonObject third = error(list(sarah, form, "v_list", "append", "i3", new JsonObject().put("text", "three")),
          "invalid");
      assertEquals("v_list", third.getString("field"));
      assertTrue(third.getString("detail").contains("at most 2 items"), third::encode);
      JsonObject huge = error(list(sarah, form, "v_list", "append", "big",
          new JsonObject().put("text", "x".repeat(3000))), "invalid");
      assertEquals("v_list", huge.getString("field"));
      assertTrue(huge.getString("detail").contains("too large"), huge::encode);
      // field:set on a text area is the wrong event: refused, not silently applied.
      error(set(sarah, form, "v_textarea", "replaced", 1), "invalid");

      JsonObject after = getForm(form);
      for (Case c : cases) {
        JsonObject f = field(after, c.key());
        assertEquals(1L, f.getLong("version"), c.key() + " version changed by a refused write");
        assertEquals(json(c.stored()), json(f.getValue("value")), c.key() + " value");
      }
      assertEquals(1L, field(after, "v_textarea").getLong("version"));
      assertEquals("hello", field(after, "v_textarea").getString("value"));
      assertEquals(2L, field(after, "v_list").getLong("version"));
      assertEquals(2, field(after, "v_list").getJsonArray("value").size());
      for (Object o : before.getJsonArray("fields")) {
        JsonObject f = (JsonObject) o;
        JsonObject now = field(after, f.getString("key"));
        assertEquals(f.getValue("value"), now.getValue("value"), f.getString("key"));
        assertEquals(f.getLong("version"), now.getLong("version"), f.getString("key"));
      }
    }
  }

  static JsonObject list(WsClient c, UUID form, String field, String action, String itemId, JsonObject item) {
    JsonObject p = new JsonObject().put("field", field).put("action", action).put("item_id", itemId).put("op_id", op());
    if (item != null) p.put("item", item);
    return c.request(topic(form), "field:list", p);
  }

  // ---- atomic versions and conflicts ----------------------------------------------------------------------------

  @Test
  void concurrentSetsOnTheSameBaseVersionAcceptExactlyOneAndTheOtherGetsTheConflictThenForceWins() throws Exception {
    UUID form = newForm(S1, "in_progress", F.of("a_number", "number").rules("{\"min\": 0, \"max\": 1000}"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (WsClient emma = joined(hub, EMMA, form); WsClient sarah = joined(hub, SARAH, form)) {
      long version = 0;
      for (int round = 0; round < 5; round++) {
        long base = version;
        int emmaValue = 100 + round;
        int sarahValue = 200 + round;
        String emmaOp = op();
        String sarahOp = op();
        CyclicBarrier start = new CyclicBarrier(2);
        Future<JsonObject> fe = pool.submit(() -> {
          start.await(5, TimeUnit.SECONDS);
          return emma.request(topic(form), "field:set", setPayload("a_number", emmaValue, base, emmaOp));
        });
        Future<JsonObject> fs = pool.submit(() -> {
          start.await(5, TimeUnit.SECONDS);
          return sarah.request(topic(form), "field:set", setPayload("a_number", sarahValue, base, sarahOp));
        });
        JsonObject re = fe.get(15, TimeUnit.SECONDS);
        JsonObject rs = fs.get(15, TimeUnit.SECONDS);
        boolean emmaWon = "ok".equals(re.getString("status"));
        boolean sarahWon = "ok".equals(rs.getString("status"));
        assertTrue(emmaWon ^ sarahWon, () -> "exactly one may win: " + re.encode() + " / " + rs.encode());

        JsonObject won = ok(emmaWon ? re : rs);
        assertEquals(base + 1, won.getLong("version"));
        assertEquals("accepted", won.getString("status"));
        JsonObject lost = error(emmaWon ? rs : re, "conflict");
        JsonObject current = lost.getJsonObject("current");
        assertNotNull(current, lost::encode);
        assertEquals(emmaWon ? emmaValue : sarahValue, current.getInteger("value"), current::encode);
        assertEquals(base + 1, current.getLong("version"));
        assertEquals((emmaWon ? EMMA : SARAH).toString(), current.getJsonObject("by").getString("user_id"));
        assertEquals(emmaWon ? "Emma Wilson" : "Sarah Jones", current.getJsonObject("by").getString("name"));
        assertNotNull(Instant.parse(current.getString("at")));

        // The loser saw the warning and overwrites on purpose.
        WsClient loser = emmaWon ? sarah : emma;
        JsonObject forced = ok(loser.request(topic(form), "field:set",
            setPayload("a_number", emmaWon ? sarahValue : emmaValue, base, emmaWon ? sarahOp : emmaOp)
                .put("force", true)));
        assertEquals(base + 2, forced.getLong("version"));
        version = base + 2;
        JsonObject f = field(form, "a_number");
        assertEquals(version, f.getLong("version"));
        assertEquals(emmaWon ? sarahValue : emmaValue, f.getInteger("value"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- at-most-once op ids --------------------------------------------------------------------------------------

  @Test
  void repeatingAnOpIdRepliesTheFirstOutcomeWithoutANewVersionOrBroadcast() {
    UUID form = newForm(S1, "in_progress", F.of("d_text", "text"));
    try (WsClient emma = joined(hub, EMMA, form); WsClient sarah = joined(hub, SARAH, form)) {
      String opId = op();
      JsonObject first = ok(sarah.request(topic(form), "field:set", setPayload("d_text", "first", 0L, opId)));
      assertEquals(1L, first.getLong("version"));
      JsonObject again = ok(sarah.request(topic(form), "field:set", setPayload("d_text", "first", 0L, opId)));
      assertEquals(first, again, "a repeated op id gets the first reply");
      // Even a repeat carrying another value is the same op: applied at most once.
      JsonObject other = ok(sarah.request(topic(form), "field:set", setPayload("d_text", "second", 0L, opId)));
      assertEquals(first, other);

      Predicate<JsonArray> mine = event(form, "field:changed", p -> opId.equals(p.getString("op_id")));
      emma.await(mine, WAIT);
      emma.assertNone(mine, Duration.ofMillis(800));
      JsonObject f = field(form, "d_text");
      assertEquals(1L, f.getLong("version"));
      assertEquals("first", f.getString("value"));
    }
  }

  // ---- live change, then saved, then the record -----------------------------------------------------------------

  @Test
  void changeIsBroadcastAtOnceThenSavedAfterTheBatchAndIsInPostgresWithARevision() {
    UUID form = newForm(S1, "in_progress", F.of("s_number", "number").rules("{\"min\": 0, \"max\": 1000}"));
    try (WsClient emma = joined(hub, EMMA, form); WsClient sarah = joined(hub, SARAH, form)) {
      String opId = op();
      long sent = System.nanoTime();
      JsonObject reply = ok(sarah.request(topic(form), "field:set", setPayload("s_number", 42, 0L, opId)));
      assertEquals(new JsonObject().put("version", 1).put("status", "accepted"), reply);

      JsonObject changed = emma.await(changed(form, "s_number"), WAIT).getJsonObject(4);
      long changedAfterMs = (System.nanoTime() - sent) / 1_000_000;
      assertTrue(changedAfterMs < 1000, "field:changed should be immediate, took " + changedAfterMs + " ms");
      assertEquals("s_number", changed.getString("field"));
      assertEquals(42, changed.getInteger("value"));
      assertEquals(1L, changed.getLong("version"));
      assertEquals("set", changed.getString("kind"));
      assertEquals(SARAH.toString(), changed.getJsonObject("by").getString("user_id"));
      assertEquals("Sarah Jones", changed.getJsonObject("by").getString("name"));
      assertNotNull(Instant.parse(changed.getString("at")));
      assertEquals(opId, changed.getString("op_id"));
      assertEquals("user", changed.getString("source"));

      JsonObject saved = emma.await(event(form, "field:saved", p -> "s_number".equals(p.getString("field"))), WAIT)
          .getJsonObject(4);
      assertEquals("s_number", saved.getString("field"));
      assertEquals(1L, saved.getLong("version"));

      List<Map<String, Object>> row = TestPostgres.query("select id, value::text as value, version, updated_by from form_fields "
          + "where form_id = '" + form + "' and key = 's_number'");
      assertEquals("42", row.get(0).get("value"));
      assertEquals(1L, ((Number) row.get(0).get("version")).longValue());
      assertEquals(SARAH, row.get(0).get("updated_by"));
      List<Map<String, Object>> revisions = TestPostgres.query("select version, value::text as value, previous_value::text as prev,"
          + " kind, op_id, source, changed_by from field_revisions where field_id = '" + row.get(0).get("id") + "'");
      assertEquals(1, revisions.size(), revisions::toString);
      Map<String, Object> rev = revisions.get(0);
      assertEquals(1L, ((Number) rev.get("version")).longValue());
      assertEquals("42", rev.get("value"));
      assertTrue(rev.get("prev") == null || "null".equals(rev.get("prev")), rev::toString);
      assertEquals("set", rev.get("kind"));
      assertEquals(opId, rev.get("op_id"));
      assertEquals("user", rev.get("source"));
      assertEquals(SARAH, rev.get("changed_by"));
    }
  }

  // ---- text areas: operational transformation -------------------------------------------------------------------

  @Test
  void concurrentTextInsertsAgainstTheSameBaseAreBothKept() throws Exception {
    UUID form = newForm(S1, "in_progress", F.of("t_notes", "textarea"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (WsClient emma = joined(hub, EMMA, form); WsClient sarah = joined(hub, SARAH, form)) {
      JsonObject first = ok(emma.request(topic(form), "field:text", text("t_notes", 0, new JsonArray().add("Hello"))));
      assertEquals(1L, first.getLong("version"));
      assertEquals(new JsonArray().add("Hello"), first.getJsonArray("ops"));

      CyclicBarrier start = new CyclicBarrier(2);
      JsonArray emmaOps = new JsonArray().add(5).add(" world");
      JsonArray sarahOps = new JsonArray().add("Dear ").add(5);
      Future<JsonObject> fe = pool.submit(() -> {
        start.await(5, TimeUnit.SECONDS);
        return emma.request(topic(form), "field:text", text("t_notes", 1, emmaOps));
      });
      Future<JsonObject> fs = pool.submit(() -> {
        start.await(5, TimeUnit.SECONDS);
        return sarah.request(topic(form), "field:text", text("t_notes", 1, sarahOps));
      });
      JsonObject re = ok(fe.get(15, TimeUnit.SECONDS));
      JsonObject rs = ok(fs.get(15, TimeUnit.SECONDS));
      Set<Long> versions = new HashSet<>(List.of(re.getLong("version"), rs.getLong("version")));
      assertEquals(Set.of(2L, 3L), versions, "both edits accepted, each with its own version");

      JsonObject f = field(form, "t_notes");
      assertEquals(3L, f.getLong("version"));
      assertEquals("Dear Hello world", f.getString("value"), "both inserts survive");

      // The replies carry the ops as applied: replaying them in version order on version 1 gives the same text.
      JsonObject v2 = re.getLong("version") == 2 ? re : rs;
      JsonObject v3 = re.getLong("version") == 3 ? re : rs;
      String replayed = TextOp.parse(v3.getJsonArray("ops")).apply(TextOp.parse(v2.getJsonArray("ops")).apply("Hello"));
      assertEquals("Dear Hello world", replayed);

      // Every subscriber sees both as kind "text" events carrying the same applied ops.
      for (JsonObject mine : List.of(v2, v3)) {
        long v = mine.getLong("version");
        JsonObject ev = emma.await(event(form, "field:changed", p -> "t_notes".equals(p.getString("field"))
            && p.getLong("version") == v), WAIT).getJsonObject(4);
        assertEquals("text", ev.getString("kind"));
        assertEquals(mine.getJsonArray("ops"), ev.getJsonArray("ops"));
        assertEquals("user", ev.getString("source"));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  static JsonObject text(String field, long base, JsonArray ops) {
    return new JsonObject().put("field", field).put("ops", ops).put("base_version", base).put("op_id", op());
  }

  // ---- lists ----------------------------------------------------------------------------------------------------

  @Test
  void listAppendsByTwoClientsAreBothKeptRemovalIsByItemIdAndDuplicateAppendIsIdempotent() throws Exception {
    UUID form = newForm(S1, "in_progress", F.of("l_shots", "list"));
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try (WsClient emma = joined(hub, EMMA, form); WsClient sarah = joined(hub, SARAH, form)) {
      CyclicBarrier start = new CyclicBarrier(2);
      Future<JsonObject> fe = pool.submit(() -> {
        start.await(5, TimeUnit.SECONDS);
        return list(emma, form, "l_shots", "append", "e1", new JsonObject().put("text", "Grandparents"));
      });
      Future<JsonObject> fs = pool.submit(() -> {
        start.await(5, TimeUnit.SECONDS);
        return list(sarah, form, "l_shots", "append", "s1", new JsonObject().put("text", "First dance"));
      });
      JsonObject re = ok(fe.get(15, TimeUnit.SECONDS));
      JsonObject rs = ok(fs.get(15, TimeUnit.SECONDS));
      assertEquals(Set.of(1L, 2L), new HashSet<>(List.of(re.getLong("version"), rs.getLong("version"))));
      JsonObject f = field(form, "l_shots");
      assertEquals(2L, f.getLong("version"));
      assertEquals(Set.of("e1", "s1"), ids(f.getJsonArray("value")), "both appends kept");
      assertEquals("Grandparents", item(f.getJsonArray("value"), "e1").getString("text"));
      assertEquals("First dance", item(f.getJsonArray("value"), "s1").getString("text"));

      JsonObject removed = ok(list(sarah, form, "l_shots", "remove", "e1", null));
      assertEquals(3L, removed.getLong("version"));
      JsonObject ev = emma.await(event(form, "field:changed", p -> "l_shots".equals(p.getString("field"))
          && p.getLong("version") == 3), WAIT).getJsonObject(4);
      assertEquals("list", ev.getString("kind"));
      assertEquals(Set.of("s1"), ids(ev.getJsonArray("value")));
      f = field(form, "l_shots");
      assertEquals(3L, f.getLong("version"));
      assertEquals(Set.of("s1"), ids(f.getJsonArray("value")));

      // Appending an item id that is already there changes nothing (a retried append must not duplicate).
      JsonObject dup = ok(list(emma, form, "l_shots", "append", "s1", new JsonObject().put("text", "First dance")));
      assertEquals(3L, dup.getLong("version"));
      f = field(form, "l_shots");
      assertEquals(3L, f.getLong("version"));
      assertEquals(1, f.getJsonArray("value").size(), f::encode);
      emma.assertNone(event(form, "field:changed", p -> "l_shots".equals(p.getString("field"))
          && p.getLong("version") > 3), Duration.ofMillis(500));
    } finally {
      pool.shutdownNow();
    }
  }

  static Set<String> ids(JsonArray items) {
    Set<String> out = new HashSet<>();
    for (Object o : items) out.add(((JsonObject) o).getString("id"));
    assertEquals(items.size(), out.size(), "item ids are unique: " + items.encode());
    return out;
  }

  static JsonObject item(JsonArray items, String id) {
    for (Object o : items) if (id.equals(((JsonObject) o).getString("id"))) return (JsonObject) o;
    throw new AssertionError("no item " + id + " in " + items.encode());
  }

  // ---- write-behind: one row write per field per batch window ---------------------------------------------------

  @Test
  void hundredChangesInOneBatchWindowAreOneRowWriteAndHundredRevisions() {
    UUID form = newForm(S1, "in_progress", F.of("b_warmup", "number"), F.of("b_count", "number")
        .rules("{\"min\": 0, \"max\": 1000}"));
    try (TestHub slow = TestHub.start(TestHub.editing("3000")); WsClient sarah = joined(slow, SARAH, form)) {
      // Align with the batch timer: right after a batch was written, a whole window lies ahead.
      ok(sarah.request(topic(form), "field:set", setPayload("b_warmup", 1, 0L, op())));
      sarah.await(event(form, "field:saved", p -> "b_warmup".equals(p.getString("field"))), Duration.ofSeconds(10));
      SaveBuffer.Stats before = slow.hub.saves().stats();

      long started = System.nanoTime();
      for (int i = 1; i <= 100; i++) {
        JsonObject r = ok(sarah.request(topic(form), "field:set", setPayload("b_count", i, (long) i - 1, op())));
        assertEquals(i, r.getLong("version"));
      }
      long tookMs = (System.nanoTime() - started) / 1_000_000;
      assertTrue(tookMs < 2500, "the 100 changes must fit in one 3 s window; took " + tookMs + " ms");

      JsonObject saved = sarah.await(event(form, "field:saved", p -> "b_count".equals(p.getString("field"))),
          Duration.ofSeconds(10)).getJsonObject(4);
      assertEquals(100L, saved.getLong("version"));
      SaveBuffer.Stats after = slow.hub.saves().stats();
      assertEquals(1, after.batches() - before.batches(), "one batch: " + before + " → " + after);
      assertEquals(1, after.rowsWritten() - before.rowsWritten(), "one row write: " + before + " → " + after);
      assertEquals(100, after.revisionsWritten() - before.revisionsWritten(), before + " → " + after);
      sarah.assertNone(event(form, "field:saved", p -> "b_count".equals(p.getString("field"))), Duration.ofMillis(300));

      List<Map<String, Object>> row = TestPostgres.query("select id, value::text as value, version from form_fields "
          + "where form_id = '" + form + "' and key = 'b_count'");
      assertEquals("100", row.get(0).get("value"));
      assertEquals(100L, ((Number) row.get(0).get("version")).longValue());
      List<Map<String, Object>> count = TestPostgres.query("select count(*) as n, count(distinct version) as versions, "
          + "min(version) as lo, max(version) as hi from field_revisions where field_id = '" + row.get(0).get("id") + "'");
      assertEquals(100L, ((Number) count.get(0).get("n")).longValue(), "one revision per accepted change");
      assertEquals(100L, ((Number) count.get(0).get("versions")).longValue());
      assertEquals(1L, ((Number) count.get(0).get("lo")).longValue());
      assertEquals(100L, ((Number) count.get(0).get("hi")).longValue());
    }
  }

  // ---- history and rollback -------------------------------------------------------------------------------------

  @Test
  void historyListsRevisionsNewestFirstAndRollbackWritesANewVersionWithoutRewritingHistory() {
    UUID form = newForm(S1, "in_progress", F.of("h_text", "text"));
    try (WsClient emma = joined(hub, EMMA, form); WsClient sarah = joined(hub, SARAH, form)) {
      assertEquals(1L, ok(set(sarah, form, "h_text", "Alpha", 0)).getLong("version"));
      assertEquals(2L, ok(set(emma, form, "h_text", "Bravo", 1)).getLong("version"));
      assertEquals(3L, ok(set(sarah, form, "h_text", "Charlie", 2)).getLong("version"));
      String path = "/api/v1/forms/" + form + "/fields/h_text";

      TestHub.HttpResult h = hub.request(HttpMethod.GET, path + "/history", hub.token(EMMA), null);
      assertEquals(200, h.status(), h.body());
      JsonArray revisions = h.json().getJsonArray("revisions");
      assertEquals(List.of(3L, 2L, 1L), versions(revisions), "newest first");
      JsonObject r3 = revisions.getJsonObject(0), r2 = revisions.getJsonObject(1), r1 = revisions.getJsonObject(2);
      assertEquals("Charlie", r3.getString("value"));
      assertEquals("Bravo", r3.getString("previous_value"));
      assertEquals(SARAH.toString(), r3.getJsonObject("by").getString("user_id"));
      assertEquals("Sarah Jones", r3.getJsonObject("by").getString("name"));
      assertEquals("Bravo", r2.getString("value"));
      assertEquals("Alpha", r2.getString("previous_value"));
      assertEquals(EMMA.toString(), r2.getJsonObject("by").getString("user_id"));
      assertEquals("Alpha", r1.getString("value"));
      assertNull(r1.getValue("previous_value"));
      Instant at3 = Instant.parse(r3.getString("at")), at2 = Instant.parse(r2.getString("at")),
          at1 = Instant.parse(r1.getString("at"));
      assertFalse(at3.isBefore(at2) || at2.isBefore(at1), "times follow versions");

      TestHub.HttpResult rb = hub.request(HttpMethod.POST, path + "/rollback", hub.token(EMMA),
          new JsonObject().put("version", 1));
      assertEquals(200, rb.status(), rb.body());
      assertEquals(4L, rb.json().getLong("version"), rb.body());
      JsonObject ev = sarah.await(event(form, "field:changed", p -> "h_text".equals(p.getString("field"))
          && p.getLong("version") == 4), WAIT).getJsonObject(4);
      assertEquals("Alpha", ev.getString("value"));
      assertEquals("rollback", ev.getString("source"));
      assertEquals(EMMA.toString(), ev.getJsonObject("by").getString("user_id"));

      JsonArray after = hub.request(HttpMethod.GET, path + "/history", hub.token(SARAH), null).json()
          .getJsonArray("revisions");
      assertEquals(List.of(4L, 3L, 2L, 1L), versions(after));
      JsonObject r4 = after.getJsonObject(0);
      assertEquals("Alpha", r4.getString("value"));
      assertEquals("Charlie", r4.getString("previous_value"));
      assertEquals("rollback", r4.getString("source"));
      assertEquals(EMMA.toString(), r4.getJsonObject("by").getString("user_id"));
      assertEquals(r3, after.getJsonObject(1), "history is never rewritten");
      assertEquals(r2, after.getJsonObject(2));
      assertEquals(r1, after.getJsonObject(3));

      JsonObject f = field(form, "h_text");
      assertEquals(4L, f.getLong("version"));
      assertEquals("Alpha", f.getString("value"));

      TestHub.HttpResult bad = hub.request(HttpMethod.POST, path + "/rollback", hub.token(EMMA),
          new JsonObject().put("version", 99));
      assertEquals(400, bad.status(), bad.body());
      assertEquals("invalid", bad.json().getJsonObject("error").getString("code"));
      assertEquals("version", bad.json().getJsonObject("error").getString("field"));
      assertEquals(4L, field(form, "h_text").getLong("version"));
    }
  }

  static List<Long> versions(JsonArray revisions) {
    List<Long> out = new ArrayList<>();
    for (Object o : revisions) out.add(((JsonObject) o).getLong("version"));
    return out;
  }

  // ---- HTTP twin ------------------------------------------------------------------------------------------------

  @Test
  void httpPutHasTheSameSemanticsAsFieldSet() {
    UUID form = newForm(S1, "in_progress", F.of("p_number", "number").rules("{\"min\": 0, \"max\": 1000}"));
    String path = "/api/v1/forms/" + form + "/fields/p_number";
    try (WsClient emma = joined(hub, EMMA, form)) {
      String opId = op();
      JsonObject body = new JsonObject().put("value", 5).put("base_version", 0).put("op_id", opId);
      TestHub.HttpResult accepted = hub.request(HttpMethod.PUT, path, hub.token(SARAH), body);
      assertEquals(200, accepted.status(), accepted.body());
      assertEquals(new JsonObject().put("version", 1).put("status", "accepted"), accepted.json());
      JsonObject ev = emma.await(changed(form, "p_number"), WAIT).getJsonObject(4);
      assertEquals(5, ev.getInteger("value"));
      assertEquals(1L, ev.getLong("version"));
      assertEquals("user", ev.getString("source"));
      assertEquals(opId, ev.getString("op_id"));

      // The same op again: the first outcome, no new version.
      TestHub.HttpResult repeat = hub.request(HttpMethod.PUT, path, hub.token(SARAH), body);
      assertEquals(200, repeat.status(), repeat.body());
      assertEquals(1L, repeat.json().getLong("version"));

      TestHub.HttpResult conflict = hub.request(HttpMethod.PUT, path, hub.token(EMMA),
          new JsonObject().put("value", 6).put("base_version", 0).put("op_id", op()));
      assertEquals(409, conflict.status(), conflict.body());
      JsonObject error = conflict.json().getJsonObject("error");
      assertEquals("conflict", error.getString("code"));
      JsonObject current = error.getJsonObject("current");
      assertNotNull(current, conflict.body());
      assertEquals(5, current.getInteger("value"));
      assertEquals(1L, current.getLong("version"));
      assertEquals(SARAH.toString(), current.getJsonObject("by").getString("user_id"));
      assertNotNull(Instant.parse(current.getString("at")));

      TestHub.HttpResult invalid = hub.request(HttpMethod.PUT, path, hub.token(EMMA),
          new JsonObject().put("value", 5000).put("base_version", 1).put("op_id", op()));
      assertEquals(400, invalid.status(), invalid.body());
      JsonObject ie = invalid.json().getJsonObject("error");
      assertEquals("invalid", ie.getString("code"));
      assertEquals("p_number", ie.getString("field"));
      assertTrue(ie.getString("message").contains("between 0 and 1000"), invalid.body());

      JsonObject f = field(form, "p_number");
      assertEquals(1L, f.getLong("version"));
      assertEquals(5, f.getInteger("value"));

      TestHub.HttpResult forced = hub.request(HttpMethod.PUT, path, hub.token(EMMA),
          new JsonObject().put("value", 6).put("base_version", 0).put("op_id", op()).put("force", true));
      assertEquals(200, forced.status(), forced.body());
      assertEquals(2L, forced.json().getLong("version"));
      assertEquals(6, field(form, "p_number").getInteger("value"));
    }
  }

  // ---- viewers --------------------------------------------------------------------------------------------------

  @Test
  void aViewerMayJoinButNotWrite() {
    UUID form = newForm(S1, "in_progress", F.of("n_text", "text"));
    try (WsClient noah = joined(hub, NOAH, form)) {
      JsonObject r = error(set(noah, form, "n_text", "sneaky", 0), "forbidden");
      assertNotNull(r.getString("detail"));
      TestHub.HttpResult put = hub.request(HttpMethod.PUT, "/api/v1/forms/" + form + "/fields/n_text",
          hub.token(NOAH), new JsonObject().put("value", "sneaky").put("base_version", 0).put("op_id", op()));
      assertEquals(403, put.status(), put.body());
      assertEquals("forbidden", put.json().getJsonObject("error").getString("code"));
      noah.assertNone(changed(form, "n_text"), Duration.ofMillis(300));
      JsonObject f = field(form, "n_text");
      assertEquals(0L, f.getLong("version"));
      assertNull(f.getValue("value"));
      assertNotEquals("sneaky", f.getValue("value"));
    }
  }
}
