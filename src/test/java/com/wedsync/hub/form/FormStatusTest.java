package com.wedsync.hub.form;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.support.DemoIds.supplier;
import static com.wedsync.hub.support.DemoIds.user;
import static com.wedsync.hub.support.Replies.ok;
import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The form status machine, live progress and notes over real sockets (docs/protocol.md §5 "Form status", §5; docs/protocol.md §5):
 * who may move a form where, the couple's first save, refused transitions and edits, the recorded history,
 * {@code form:progress}, and {@code form:note} with mentions and at-most-once op ids.
 */
class FormStatusTest {
  static final UUID EMMA = user(1);   // couple partner
  static final UUID JAMES = user(2);  // couple partner
  static final UUID SARAH = user(6);  // S1 owner
  static final UUID MIA = user(8);    // S1 member
  static final UUID NOAH = user(9);   // S1 viewer
  static final UUID CHLOE = user(10); // S2 owner: connected to the wedding, but not this form's supplier
  static final UUID SAM = user(16);   // no memberships
  static final UUID COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID S1 = supplier(1);
  static final UUID S2 = supplier(2);
  static final UUID S3 = supplier(3);
  static final Duration WAIT = Duration.ofSeconds(8);

  static TestHub hub;
  static UUID wedding;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
    wedding = UUID.randomUUID();
    TestPostgres.execute("insert into weddings (id, couple_id, wedding_date, ceremony_time, venue_name, guest_count)"
        + " values ('" + wedding + "', '" + COUPLE + "', '2027-10-02', '12:00', 'Status Hall', 90);"
        + "insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values "
        + "('" + wedding + "', '" + S1 + "', '{wedding_date,ceremony_time,venue_name,venue_address,guest_count,"
        + "partner1_name,partner2_name,contact_email,contact_phone}'), "
        + "('" + wedding + "', '" + S2 + "', '{wedding_date,guest_count}'), "
        + "('" + wedding + "', '" + S3 + "', '{wedding_date,venue_name}')");
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  /** A new form of supplier S1 on this class's wedding; fields as "key:type" or "key:type:required". */
  static UUID newForm(String status, String... fields) {
    UUID form = UUID.randomUUID();
    StringBuilder sql = new StringBuilder("insert into forms (id, supplier_id, wedding_id, title, status) values ('")
        .append(form).append("', '").append(S1).append("', '").append(wedding).append("', 'Status test', '")
        .append(status).append("');");
    int position = 1;
    for (String spec : fields) {
      String[] p = spec.split(":");
      String value = p[1].equals("textarea") ? "'\"\"'" : p[1].equals("list") ? "'[]'" : "null";
      sql.append("insert into form_fields (form_id, key, label, type, required, position, value, version) values ('")
          .append(form).append("', '").append(p[0]).append("', '").append(p[0]).append("', '").append(p[1])
          .append("', ").append(p.length > 2 && p[2].equals("required")).append(", ").append(position++)
          .append(", ").append(value).append(", 0);");
    }
    TestPostgres.execute(sql.toString());
    return form;
  }

  static String topic(UUID form) {
    return "realtime:form:" + form;
  }

  static WsClient joined(UUID user, UUID form) {
    WsClient c = hub.connect(user);
    JsonObject reply = c.join(topic(form));
    assertEquals("ok", reply.getString("status"), reply.encode());
    return c;
  }

  static String op() {
    return "op-" + UUID.randomUUID();
  }

  static JsonObject status(WsClient c, UUID form, String to) {
    return c.request(topic(form), "form:status", new JsonObject().put("status", to).put("op_id", op()));
  }

  static JsonObject set(WsClient c, UUID form, String field, Object value, long base) {
    return c.request(topic(form), "field:set", new JsonObject().put("field", field).put("value", value)
        .put("base_version", base).put("op_id", op()));
  }

  static Predicate<JsonArray> statusEvent(UUID form, String to) {
    return event(form, "form:status", p -> to.equals(p.getString("status")));
  }

  /** Every subscriber sees the transition with from, by and at. */
  static void seen(UUID form, String from, String to, UUID by, WsClient... clients) {
    for (WsClient c : clients) {
      JsonObject e = c.await(statusEvent(form, to), WAIT).getJsonObject(4);
      assertEquals(to, e.getString("status"), e::encode);
      assertEquals(from, e.getString("from"), e::encode);
      assertEquals(by.toString(), e.getJsonObject("by").getString("user_id"), e::encode);
      assertNotNull(e.getJsonObject("by").getString("name"), e::encode);
      assertNotNull(Instant.parse(e.getString("at")));
    }
  }

  /** Refused as the wrong transition: {@code invalid} on "status", the detail naming every allowed target. */
  static void refusedTransition(WsClient c, UUID form, String to, String... allowed) {
    JsonObject r = error(status(c, form, to), "invalid");
    assertEquals("status", r.getString("field"), r::encode);
    String detail = r.getString("detail");
    assertTrue(detail.contains("allowed"), detail);
    for (String a : allowed) assertTrue(detail.contains(a), () -> "detail should name " + a + ": " + detail);
  }

  static List<String> history(UUID form) {
    List<String> out = new ArrayList<>();
    for (Map<String, Object> r : TestPostgres.query("select from_status, to_status, changed_by from form_status_history "
        + "where form_id = '" + form + "' order by id")) {
      out.add(r.get("from_status") + "->" + r.get("to_status") + " by " + r.get("changed_by"));
    }
    return out;
  }

  // ---- the status machine ---------------------------------------------------------------------------------------

  @Test
  void aFormGoesThroughItsLifeWithEveryTransitionCheckedPublishedAndRecorded() {
    UUID form = newForm("draft", "name:text", "count:number");
    try (WsClient emma = joined(EMMA, form); WsClient sarah = joined(SARAH, form); WsClient mia = joined(MIA, form);
         WsClient noah = joined(NOAH, form)) {
      // draft: the couple can neither fill it in nor send it
      error(set(emma, form, "name", "Emma", 0), "forbidden");
      error(status(emma, form, "sent"), "forbidden");
      refusedTransition(sarah, form, "submitted", "sent", "archived");
      error(status(noah, form, "sent"), "forbidden");

      assertEquals("sent", ok(status(sarah, form, "sent")).getString("status"));
      seen(form, "draft", "sent", SARAH, emma, sarah);

      // the couple's first save: sent → in_progress, seen by everyone, once
      ok(set(emma, form, "name", "Emma", 0));
      seen(form, "sent", "in_progress", EMMA, emma, sarah, mia);
      ok(set(emma, form, "count", 5, 0));
      sarah.assertNone(statusEvent(form, "in_progress"), Duration.ofMillis(500));
      assertEquals("in_progress", formStatus(form));

      // only the couple submits
      error(status(sarah, form, "submitted"), "forbidden");
      refusedTransition(emma, form, "completed", "submitted", "archived");
      assertEquals("submitted", ok(status(emma, form, "submitted")).getString("status"));
      seen(form, "in_progress", "submitted", EMMA, emma, sarah);

      // a submitted form cannot be edited by anyone
      error(set(emma, form, "name", "Changed", 1), "forbidden");
      error(set(sarah, form, "name", "Changed", 1), "forbidden");

      // only the supplier reopens
      error(status(emma, form, "in_progress"), "forbidden");
      assertEquals("in_progress", ok(status(sarah, form, "in_progress")).getString("status"));
      seen(form, "submitted", "in_progress", SARAH, emma, sarah);
      ok(set(emma, form, "name", "Emma W", 1));
      assertEquals("submitted", ok(status(emma, form, "submitted")).getString("status"));
      seen(form, "in_progress", "submitted", EMMA, sarah);

      // only the supplier completes
      error(status(emma, form, "completed"), "forbidden");
      assertEquals("completed", ok(status(sarah, form, "completed")).getString("status"));
      seen(form, "submitted", "completed", SARAH, emma, sarah);
      error(set(emma, form, "name", "Late", 2), "forbidden");
      error(set(sarah, form, "name", "Late", 2), "forbidden");
      refusedTransition(sarah, form, "in_progress", "archived");
      refusedTransition(sarah, form, "submitted", "archived");

      // archiving is for the team's owner or admin
      error(status(mia, form, "archived"), "forbidden");
      error(status(emma, form, "archived"), "forbidden");
      assertEquals("archived", ok(status(sarah, form, "archived")).getString("status"));
      seen(form, "completed", "archived", SARAH, emma, sarah);
      error(set(sarah, form, "name", "Ghost", 2), "forbidden");
      JsonObject dead = error(status(sarah, form, "sent"), "invalid");
      assertEquals("status", dead.getString("field"));
      assertTrue(dead.getString("detail").contains("allowed"), dead::encode);

      JsonObject unknown = error(status(sarah, form, "paid"), "invalid");
      assertEquals("status", unknown.getString("field"));

      assertEquals("archived", formStatus(form));
      assertEquals(List.of(
          "draft->sent by " + SARAH,
          "sent->in_progress by " + EMMA,
          "in_progress->submitted by " + EMMA,
          "submitted->in_progress by " + SARAH,
          "in_progress->submitted by " + EMMA,
          "submitted->completed by " + SARAH,
          "completed->archived by " + SARAH), history(form), "every transition recorded, nothing else");
      assertEquals(0L, ((Number) TestPostgres.query("select count(*) as n from form_status_history where form_id = '" + form
          + "' and (changed_at is null or changed_by is null)").get(0).get("n")).longValue(), "who and when recorded");
    }
  }

  @Test
  void twoFirstSavesByTheCoupleAtOnceStartTheFormOnceAndLoseNothing() throws Exception {
    UUID form = newForm("sent", "a:text", "b:text");
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (WsClient emma = joined(EMMA, form); WsClient james = joined(JAMES, form); WsClient sarah = joined(SARAH, form)) {
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      var fa = pool.submit(() -> {
        start.await(5, java.util.concurrent.TimeUnit.SECONDS);
        return set(emma, form, "a", "from Emma", 0);
      });
      var fb = pool.submit(() -> {
        start.await(5, java.util.concurrent.TimeUnit.SECONDS);
        return set(james, form, "b", "from James", 0);
      });
      assertEquals(1L, ok(fa.get(15, java.util.concurrent.TimeUnit.SECONDS)).getLong("version"));
      assertEquals(1L, ok(fb.get(15, java.util.concurrent.TimeUnit.SECONDS)).getLong("version"));

      JsonObject started = sarah.await(statusEvent(form, "in_progress"), WAIT).getJsonObject(4);
      assertEquals("sent", started.getString("from"));
      sarah.assertNone(statusEvent(form, "in_progress"), Duration.ofMillis(500));
      assertEquals(List.of("sent->in_progress by " + started.getJsonObject("by").getString("user_id")), history(form));

      // both accepted versions are still the truth: the next edits build on them
      assertEquals(2L, ok(set(emma, form, "a", "again", 1)).getLong("version"));
      assertEquals(2L, ok(set(james, form, "b", "again", 1)).getLong("version"));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void theOwnerMayArchiveADraft() {
    UUID form = newForm("draft", "name:text");
    try (WsClient sarah = joined(SARAH, form)) {
      assertEquals("archived", ok(status(sarah, form, "archived")).getString("status"));
      seen(form, "draft", "archived", SARAH, sarah);
      assertEquals(List.of("draft->archived by " + SARAH), history(form));
    }
  }

  @Test
  void aSupplierSaveOnASentFormDoesNotStartIt() {
    UUID form = newForm("sent", "name:text");
    try (WsClient sarah = joined(SARAH, form)) {
      ok(set(sarah, form, "name", "Prefilled by the supplier", 0));
      sarah.assertNone(event(form, "form:status", p -> true), Duration.ofMillis(500));
      assertEquals("sent", formStatus(form));
      assertEquals(List.of(), history(form));
    }
  }

  static String formStatus(UUID form) {
    return (String) TestPostgres.query("select status from forms where id = '" + form + "'").get(0).get("status");
  }

  // ---- progress -------------------------------------------------------------------------------------------------

  @Test
  void progressIsPushedWhenARequiredFieldBecomesFilledOrEmptied() {
    UUID form = newForm("in_progress", "r_name:text:required", "r_count:number:required", "r_agree:checkbox:required",
        "o_note:text");
    try (WsClient emma = joined(EMMA, form); WsClient sarah = joined(SARAH, form)) {
      Predicate<JsonArray> progress = event(form, "form:progress", p -> true);

      ok(set(emma, form, "o_note", "optional only", 0));
      sarah.assertNone(progress, Duration.ofMillis(400));

      ok(set(emma, form, "r_name", "Emma", 0));
      assertProgress(1, 3, 33, sarah.await(progress, WAIT).getJsonObject(4));
      ok(set(emma, form, "r_count", 80, 0));
      assertProgress(2, 3, 66, sarah.await(progress, WAIT).getJsonObject(4));
      // changing a filled field to another valid value changes nothing in the progress
      ok(set(emma, form, "r_name", "Emma Wilson", 1));
      sarah.assertNone(progress, Duration.ofMillis(400));
      ok(set(sarah, form, "r_agree", true, 0));
      assertProgress(3, 3, 100, sarah.await(progress, WAIT).getJsonObject(4));
      // every subscriber gets it, the editor too
      assertProgress(3, 3, 100, emma.await(event(form, "form:progress", p -> p.getInteger("filled") == 3), WAIT)
          .getJsonObject(4));
      // an unticked required checkbox no longer counts: emptied
      ok(set(emma, form, "r_agree", false, 1));
      assertProgress(2, 3, 66, sarah.await(progress, WAIT).getJsonObject(4));
      sarah.assertNone(progress, Duration.ofMillis(300));
    }
  }

  static void assertProgress(int filled, int required, int percent, JsonObject event) {
    assertEquals(filled, event.getInteger("filled"), event::encode);
    assertEquals(required, event.getInteger("required"), event::encode);
    assertEquals(percent, event.getInteger("percent"), event::encode);
  }

  // ---- notes ----------------------------------------------------------------------------------------------------

  @Test
  void aNoteIsStoredPublishedAndPostedOncePerOpId() {
    UUID form = newForm("in_progress", "name:text");
    try (WsClient emma = joined(EMMA, form); WsClient sarah = joined(SARAH, form)) {
      String text = "Could we move the group shots before the speeches? @James agrees";
      String opId = op();
      JsonObject reply = ok(emma.request(topic(form), "form:note", new JsonObject().put("text", text)
          .put("op_id", opId)));
      String noteId = reply.getString("note_id");
      assertNotNull(noteId, reply::encode);

      JsonObject e = sarah.await(event(form, "form:note", p -> noteId.equals(p.getString("note_id"))), WAIT)
          .getJsonObject(4);
      assertEquals(text, e.getString("text"));
      assertEquals(EMMA.toString(), e.getJsonObject("by").getString("user_id"));
      assertEquals("Emma Wilson", e.getJsonObject("by").getString("name"));
      assertNotNull(Instant.parse(e.getString("at")));
      JsonArray mentions = e.getJsonArray("mentions");
      assertTrue(mentions == null || mentions.isEmpty(), e::encode);

      List<Map<String, Object>> rows = TestPostgres.query("select id, author_id, text, mentions::text as mentions, op_id"
          + " from form_notes where form_id = '" + form + "'");
      assertEquals(1, rows.size(), rows::toString);
      assertEquals(UUID.fromString(noteId), rows.get(0).get("id"));
      assertEquals(EMMA, rows.get(0).get("author_id"));
      assertEquals(text, rows.get(0).get("text"));
      assertEquals("{}", rows.get(0).get("mentions"));
      assertEquals(opId, rows.get(0).get("op_id"));

      // the same op again (a client retrying after a reconnect): the same note, not a second one
      JsonObject again = ok(emma.request(topic(form), "form:note", new JsonObject().put("text", text)
          .put("op_id", opId)));
      assertEquals(noteId, again.getString("note_id"));
      sarah.assertNone(event(form, "form:note", p -> true), Duration.ofMillis(500));
      assertEquals(1, TestPostgres.query("select id from form_notes where form_id = '" + form + "'").size());

      // a viewer may read but not post
      try (WsClient noah = joined(NOAH, form)) {
        error(noah.request(topic(form), "form:note", new JsonObject().put("text", "hi").put("op_id", op())),
            "forbidden");
      }
      assertEquals(1, TestPostgres.query("select id from form_notes where form_id = '" + form + "'").size());
    }
  }

  @Test
  void mentionsKeepOnlyPeopleWhoCanSeeTheFormAndARepeatedOpIdPostsOnce() {
    UUID form = newForm("in_progress", "name:text");
    try (WsClient emma = joined(EMMA, form); WsClient sarah = joined(SARAH, form)) {
      // Sarah (the form's supplier) and James (the couple) can see the form; Chloe (another supplier of the same
      // wedding), Sam (nobody) and an unknown id cannot: their mentions are dropped.
      String text = "Please check the timeline @{" + SARAH + "} and @{" + JAMES + "} (cc @{" + CHLOE + "}, @{" + SAM
          + "}, @{" + UUID.randomUUID() + "})";
      String opId = op();
      JsonObject reply = ok(emma.request(topic(form), "form:note", new JsonObject().put("text", text)
          .put("op_id", opId)));
      String noteId = reply.getString("note_id");
      assertNotNull(noteId, reply::encode);

      JsonObject e = sarah.await(event(form, "form:note", p -> noteId.equals(p.getString("note_id"))), WAIT)
          .getJsonObject(4);
      assertEquals(text, e.getString("text"));
      assertEquals(EMMA.toString(), e.getJsonObject("by").getString("user_id"));
      assertNotNull(Instant.parse(e.getString("at")));
      JsonArray mentions = e.getJsonArray("mentions");
      assertNotNull(mentions, e::encode);
      assertEquals(List.of(SARAH.toString(), JAMES.toString()), sorted(mentions, SARAH, JAMES),
          "only people who can see the form are mentioned: " + mentions.encode());
      assertEquals(2, mentions.size(), mentions::encode);

      List<Map<String, Object>> rows = TestPostgres.query("select id, mentions::text as mentions from form_notes"
          + " where form_id = '" + form + "'");
      assertEquals(1, rows.size(), rows::toString);
      assertEquals(UUID.fromString(noteId), rows.get(0).get("id"));
      String stored = (String) rows.get(0).get("mentions");
      assertTrue(stored.contains(SARAH.toString()) && stored.contains(JAMES.toString()), stored);
      assertTrue(!stored.contains(CHLOE.toString()) && !stored.contains(SAM.toString()), stored);

      JsonObject again = ok(emma.request(topic(form), "form:note", new JsonObject().put("text", text)
          .put("op_id", opId)));
      assertEquals(noteId, again.getString("note_id"));
      sarah.assertNone(event(form, "form:note", p -> true), Duration.ofMillis(500));
      assertEquals(1, TestPostgres.query("select id from form_notes where form_id = '" + form + "'").size());
    }
  }

  /** The mentions in the order given, so the assertion does not depend on the hub's ordering. */
  static List<String> sorted(JsonArray mentions, UUID... order) {
    List<String> got = new ArrayList<>();
    for (UUID u : order) if (mentions.contains(u.toString())) got.add(u.toString());
    return got;
  }
}
