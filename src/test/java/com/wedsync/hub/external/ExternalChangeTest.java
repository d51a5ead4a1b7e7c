package com.wedsync.hub.external;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.support.DemoIds.user;
import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.event;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Changes made outside the hub (docs/protocol.md §5.15, {@code source: "external"}): rows another service changes
 * with plain SQL reach the subscribed clients within a second, the hub's hot state takes them (later edits compare
 * against the new version), the hub's own writes are never announced, a cluster publishes each change once, and the
 * listener comes back after PostgreSQL restarts.
 */
class ExternalChangeTest {
  static final UUID EMMA = user(1);   // couple partner
  static final UUID SARAH = user(6);  // S1 owner
  static final UUID COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID S1 = UUID.fromString("22222222-0000-0000-0000-000000000001");
  static final Duration SECOND = Duration.ofSeconds(1);
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

  static Predicate<JsonArray> external(UUID form, String event) {
    return event(form, event, p -> "external".equals(p.getString("source")));
  }

  static Predicate<JsonArray> on(String topic, String event, Predicate<JsonObject> payload) {
    return a -> ("realtime:" + topic).equals(a.getString(2)) && event.equals(a.getString(3))
        && a.getValue(4) instanceof JsonObject p && payload.test(p);
  }

  static JsonObject set(String field, Object value, long base, String opId) {
    return new JsonObject().put("field", field).put("value", value).put("base_version", base).put("op_id", opId);
  }

  static long recordVersion(UUID form, String key) {
    return ((Number) TestPostgres.query("select version from form_fields where form_id = '" + form + "' and key = '"
        + key + "'").get(0).get("version")).longValue();
  }

  /** A fresh wedding of Emma & James, connected to S1 sharing guest_count, with one S1 form bound to it. */
  static UUID[] newWedding() {
    UUID wedding = UUID.randomUUID();
    UUID form = UUID.randomUUID();
    TestPostgres.execute("insert into weddings (id, couple_id, guest_count, venue_name) values ('" + wedding + "', '"
        + COUPLE + "', 100, 'Old Barn');"
        + "insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values ('" + wedding + "', '" + S1
        + "', '{guest_count,venue_name}');"
        + "insert into forms (id, supplier_id, wedding_id, title, status) values ('" + form + "', '" + S1 + "', '"
        + wedding + "', 'External cascade', 'in_progress');"
        + "insert into form_fields (form_id, key, label, type, core_field, position, value, version) values ('" + form
        + "', 'guest_count', 'Guests', 'number', 'guest_count', 1, '100', 1);");
    return new UUID[] {wedding, form};
  }

  @Test
  void aFieldValueChangedBySqlReachesTheChannelAndTheNextEditComparesAgainstIt() {
    UUID form = TestForms.create("external field", "guests:number", "notes:textarea");
    String topic = "realtime:form:" + form;
    try (WsClient sarah = hub.connect(SARAH)) {
      ok(sarah.join(topic));
      ok(sarah.request(topic, "field:set", set("guests", 10, 0, "ext-field-1")));
      sarah.await(event(form, "field:saved", p -> p.getLong("version") == 1), WAIT);

      // Another service sets the value and leaves the version alone.
      TestPostgres.execute("update form_fields set value = '42' where form_id = '" + form + "' and key = 'guests'");
      JsonObject changed = sarah.await(external(form, "field:changed"), SECOND).getJsonObject(4);
      assertEquals("guests", changed.getString("field"));
      assertEquals(42, changed.getInteger("value"));
      assertEquals(2, changed.getLong("version"), "a new version above the one clients held");
      assertEquals(2, recordVersion(form, "guests"), "the record's version moved with the value");

      // The hot state took it: an edit against the old version conflicts with the external value, one against the
      // new version is accepted.
      JsonObject conflict = error(sarah.request(topic, "field:set", set("guests", 11, 1, "ext-field-2")), "conflict");
      assertEquals(42, conflict.getJsonObject("current").getInteger("value"));
      assertEquals(3, ok(sarah.request(topic, "field:set", set("guests", 12, 2, "ext-field-3"))).getLong("version"));
      sarah.await(event(form, "field:saved", p -> p.getLong("version") == 3), WAIT);
      assertEquals(12, ((Number) TestPostgres.query("select value::text::int as v from form_fields where form_id = '"
          + form + "' and key = 'guests'").get(0).get("v")).intValue());
      var revisions = TestPostgres.query("select r.version, r.value::text as value, r.previous_value::text as prev "
          + "from field_revisions r join form_fields f on f.id = r.field_id where f.form_id = '" + form
          + "' and f.key = 'guests' and r.source = 'external'");
      assertEquals(1, revisions.size(), "the external change is kept as a revision: " + revisions);
      assertEquals(2L, ((Number) revisions.get(0).get("version")).longValue());
      assertEquals("42", revisions.get(0).get("value"));
      assertEquals("10", revisions.get(0).get("prev"));

      // A text area set from outside replaces the text; text edits continue from it.
      TestPostgres.execute("update form_fields set value = '\"from the CRM\"' where form_id = '" + form
          + "' and key = 'notes'");
      JsonObject notes = sarah.await(external(form, "field:changed"), SECOND).getJsonObject(4);
      assertEquals("from the CRM", notes.getString("value"));
      assertEquals(1, notes.getLong("version"));
      JsonObject text = ok(sarah.request(topic, "field:text", new JsonObject().put("field", "notes")
          .put("ops", new JsonArray().add(12).add("!")).put("base_version", 1).put("op_id", "ext-field-4")));
      assertEquals(2, text.getLong("version"));
      sarah.await(event(form, "field:changed", p -> "from the CRM!".equals(p.getString("value"))), WAIT);
    }
  }

  @Test
  void aFormStatusOrTitleChangedBySqlReachesTheChannel() {
    UUID form = TestForms.create("external status", "a:text");
    String topic = "realtime:form:" + form;
    try (WsClient sarah = hub.connect(SARAH)) {
      ok(sarah.join(topic));
      TestPostgres.execute("update forms set status = 'in_progress', title = 'Renamed elsewhere' where id = '" + form
          + "'");
      JsonObject status = sarah.await(external(form, "form:status"), SECOND).getJsonObject(4);
      assertEquals("in_progress", status.getString("status"));
      assertEquals("sent", status.getString("from"));
      JsonObject updated = sarah.await(external(form, "form:updated"), SECOND).getJsonObject(4);
      assertEquals("Renamed elsewhere", updated.getString("title"));

      JsonObject read = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(SARAH), null).json();
      assertEquals("in_progress", read.getString("status"), "the hot state took the status");
      assertEquals("Renamed elsewhere", read.getString("title"));
      var history = TestPostgres.query("select from_status, to_status, changed_by from form_status_history "
          + "where form_id = '" + form + "'");
      assertEquals(1, history.size(), "the transition is recorded: " + history);
      assertEquals("sent", history.get(0).get("from_status"));
      assertNull(history.get(0).get("changed_by"));

      // The hub decides from the status the record has now: the couple may submit an in-progress form.
      try (WsClient emma = hub.connect(EMMA)) {
        ok(emma.join(topic));
        ok(emma.request(topic, "form:status", new JsonObject().put("status", "submitted").put("op_id", "ext-st-1")));
      }
    }
  }

  @Test
  void aWeddingCoreFieldChangedBySqlReachesTheWeddingAndCascadesToBoundFields() {
    UUID[] w = newWedding();
    UUID wedding = w[0];
    UUID form = w[1];
    try (WsClient emma = hub.connect(EMMA); WsClient sarah = hub.connect(SARAH)) {
      ok(emma.join("realtime:wedding:" + wedding));
      ok(sarah.join("realtime:form:" + form));
      TestPostgres.execute("update weddings set guest_count = 150 where id = '" + wedding + "'");
      JsonObject updated = emma.await(on("wedding:" + wedding, "wedding:updated",
          p -> "external".equals(p.getString("source"))), SECOND).getJsonObject(4);
      assertEquals(new JsonObject().put("guest_count", 150), updated.getJsonObject("changes"));
      assertEquals(2, updated.getLong("version"), "the wedding's version moved with the fact");
      JsonObject cascaded = sarah.await(event(form, "field:changed", p -> "core".equals(p.getString("source"))),
          SECOND).getJsonObject(4);
      assertEquals(150, cascaded.getInteger("value"));
      assertEquals(2, cascaded.getLong("version"));
      // One change, one cascade: the bound field is not announced again as an external change.
      sarah.assertNone(external(form, "field:changed"), Duration.ofMillis(800));
    }
  }

  @Test
  void aNotificationInsertedByAnotherServiceReachesTheBell() {
    String topic = "user:" + EMMA;
    try (WsClient emma = hub.connect(EMMA)) {
      ok(emma.join("realtime:" + topic));
      UUID id = UUID.randomUUID();
      TestPostgres.execute("insert into notifications (id, recipient_id, type, title, body, data, priority) values ('"
          + id + "', '" + EMMA + "', 'payment_received', 'Payment received', '£500 from Lens & Light', "
          + "'{\"amount\": 500}', 'important')");
      JsonObject n = emma.await(on(topic, "notification", p -> id.toString().equals(p.getString("id"))), SECOND)
          .getJsonObject(4);
      assertEquals("payment_received", n.getString("type"));
      assertEquals("Payment received", n.getString("title"));
      assertEquals(500, n.getJsonObject("data").getInteger("amount"));
      assertEquals("important", n.getString("priority"));
      long unread = unread(EMMA);
      emma.await(on(topic, "notification:count", p -> p.getLong("unread") == unread), SECOND);

      TestPostgres.execute("update notifications set read_at = now() where id = '" + id + "'");
      emma.await(on(topic, "notification:count", p -> p.getLong("unread") == unread - 1), SECOND);
      TestPostgres.execute("delete from notifications where id = '" + id + "'");
      emma.await(on(topic, "notification:count", p -> p.getLong("unread") == unread - 1), SECOND);
    }
  }

  static long unread(UUID user) {
    return ((Number) TestPostgres.query("select count(*) as n from notifications where recipient_id = '" + user
        + "' and read_at is null").get(0).get("n")).longValue();
  }

  @Test
  void theHubsOwnWritesAreNotAnnounced() throws Exception {
    UUID[] w = newWedding();
    UUID form = TestForms.create("own writes", "a:text", "n:textarea");
    String topic = "realtime:form:" + form;
    try (Connection listen = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         WsClient emma = hub.connect(EMMA); WsClient sarah = hub.connect(SARAH)) {
      try (Statement s = listen.createStatement()) {
        s.execute("listen hub_external");
      }
      ok(emma.join(topic));
      ok(sarah.join("realtime:form:" + w[1]));
      // Field saves (set and text), the couple's first save moving the form to in_progress, a status change, and a
      // wedding patch with its cascade: every kind of write the hub makes to the announced tables.
      ok(emma.request(topic, "field:set", set("a", "hello", 0, "own-1")));
      ok(emma.request(topic, "field:text", new JsonObject().put("field", "n").put("ops", new JsonArray().add("hi"))
          .put("base_version", 0).put("op_id", "own-2")));
      emma.await(event(form, "form:status", p -> "in_progress".equals(p.getString("status"))), WAIT);
      ok(emma.request(topic, "form:status", new JsonObject().put("status", "submitted").put("op_id", "own-3")));
      var patched = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + w[0], hub.token(EMMA),
          new JsonObject().put("guest_count", 120));
      assertEquals(200, patched.status(), patched.body());
      sarah.await(event(w[1], "field:changed", p -> "core".equals(p.getString("source"))), WAIT);
      emma.await(event(form, "field:saved", p -> p.getString("field").equals("n")), WAIT);
      emma.await(event(form, "field:saved", p -> p.getString("field").equals("a")), WAIT);
      sarah.await(event(w[1], "field:saved", p -> true), WAIT);

      List<String> announced = new ArrayList<>();
      long until = System.currentTimeMillis() + 1000;
      while (System.currentTimeMillis() < until) {
        PGNotification[] got = listen.unwrap(PGConnection.class).getNotifications(200);
        if (got != null) for (PGNotification n : got) announced.add(n.getParameter());
      }
      announced.removeIf(p -> !p.contains(form.toString()) && !p.contains(w[0].toString())
          && !p.contains(w[1].toString()));
      assertEquals(List.of(), announced, "the hub's own writes are not announced as external");
      emma.assertNone(external(form, "field:changed").or(external(form, "form:status")), Duration.ofMillis(200));
      sarah.assertNone(external(w[1], "field:changed"), Duration.ofMillis(1));

      // The same listener does see another service's write, so the silence above is meaningful.
      TestPostgres.execute("update form_fields set value = '\"elsewhere\"' where form_id = '" + form
          + "' and key = 'a'");
      PGNotification[] got = listen.unwrap(PGConnection.class).getNotifications(2000);
      assertTrue(got != null && got.length == 1 && got[0].getParameter().contains(form.toString()),
          "one announcement for one external write");
      JsonObject payload = new JsonObject(got[0].getParameter());
      assertEquals("form_fields", payload.getString("table"));
      assertEquals(null, payload.getValue("value"), "announcements carry ids, not values");
    }
  }

  @Test
  void aClusterPublishesEachExternalChangeOnceToClientsOnEveryNode() {
    TestRedis redis = TestRedis.start();
    Map<String, String> cluster = Map.of("WEDSYNC_HUB_CLUSTER_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_URL", redis.url(),
        "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200");
    TestHub a = TestHub.start(cluster);
    TestHub b = TestHub.start(cluster);
    UUID form = TestForms.create("external cluster", "guests:number");
    String topic = "realtime:form:" + form;
    String bell = "user:" + EMMA;
    try (WsClient onA = a.connect(SARAH); WsClient onB = b.connect(SARAH);
         WsClient emmaA = a.connect(EMMA); WsClient emmaB = b.connect(EMMA)) {
      ok(onA.join(topic));
      ok(onB.join(topic));
      ok(emmaA.join("realtime:" + bell));
      ok(emmaB.join("realtime:" + bell));

      TestPostgres.execute("update form_fields set value = '7' where form_id = '" + form + "' and key = 'guests'");
      for (WsClient c : List.of(onA, onB)) {
        JsonObject changed = c.await(external(form, "field:changed"), SECOND).getJsonObject(4);
        assertEquals(7, changed.getInteger("value"));
        assertEquals(1, changed.getLong("version"));
      }
      UUID id = UUID.randomUUID();
      TestPostgres.execute("insert into notifications (id, recipient_id, type, title) values ('" + id + "', '" + EMMA
          + "', 'meeting_booked', 'Meeting booked')");
      for (WsClient c : List.of(emmaA, emmaB)) {
        c.await(on(bell, "notification", p -> id.toString().equals(p.getString("id"))), SECOND);
      }
      // Exactly once each: no second copy from the other node.
      for (WsClient c : List.of(onA, onB)) c.assertNone(external(form, "field:changed"), Duration.ofMillis(700));
      for (WsClient c : List.of(emmaA, emmaB)) {
        c.assertNone(on(bell, "notification", p -> id.toString().equals(p.getString("id"))), Duration.ofMillis(1));
      }
      // The shared hot state took the value: an edit on the other node against the new version is accepted.
      assertEquals(2, ok(onB.request(topic, "field:set", set("guests", 8, 1, "ext-cluster-1"))).getLong("version"));
    } finally {
      a.close();
      b.close();
      redis.close();
    }
  }

  @Test
  void theListenerComesBackAfterPostgresRestarts() throws Exception {
    Path data = Files.createTempDirectory("external-pg");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port)
        .start();
    String jdbc = "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    TestHub own = TestHub.start(Map.of("WEDSYNC_HUB_DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:" + port
        + "/postgres", "WEDSYNC_HUB_DEMO_DATA", "true"));
    UUID form = UUID.fromString("55555555-0000-0000-0000-000000000001"); // demo data of this database only
    String topic = "realtime:form:" + form;
    try (WsClient sarah = own.connect(SARAH)) {
      ok(sarah.join(topic));
      pg.close();
      Thread.sleep(500);
      pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
      // Changes made while the listener was away are not announced (LISTEN/NOTIFY), so keep changing the field until
      // one is: the listener must be back within the backoff's ceiling.
      long deadline = System.currentTimeMillis() + 20_000;
      boolean seen = false;
      for (int i = 1; !seen && System.currentTimeMillis() < deadline; i++) {
        try (Connection c = DriverManager.getConnection(jdbc, "postgres", "postgres");
             Statement s = c.createStatement()) {
          s.execute("update form_fields set value = '" + i + "' where form_id = '" + form
              + "' and key = 'coverage_hours'");
        }
        int value = i;
        try {
          sarah.await(event(form, "field:changed", p -> "external".equals(p.getString("source"))
              && Integer.valueOf(value).equals(p.getInteger("value"))), SECOND);
          seen = true;
        } catch (AssertionError notYet) {
          // not listening again yet
        }
      }
      assertTrue(seen, "an external change is announced again after PostgreSQL restarted");
    } finally {
      own.close();
      pg.close();
    }
  }
}
