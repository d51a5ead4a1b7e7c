package com.wedsync.hub.changes;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.changes.PgChangesWorld.COUPLE_1;
import static com.wedsync.hub.changes.PgChangesWorld.COUPLE_2;
import static com.wedsync.hub.changes.PgChangesWorld.FEAST;
import static com.wedsync.hub.changes.PgChangesWorld.LENS;
import static com.wedsync.hub.changes.PgChangesWorld.entry;
import static com.wedsync.hub.changes.PgChangesWorld.join;
import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * postgres_changes on one node, as a plain phoenix-style client sees them: rows written with plain SQL by another
 * connection reach the subscribers who may see them — never anyone else, never a column that may not leave — with
 * the subscription ids, shapes and filters of Supabase Realtime; a row moving out of reach is a delete for those it
 * left; a client away replays what it missed from its position.
 */
class PostgresChangesTest {
  static final String TABLE = "pgc_tasks";
  static final String NAME = "pgc_test_single";
  static final UUID EMMA = user(1);    // couple 1
  static final UUID SOPHIE = user(4);  // couple 2
  static final UUID SARAH = user(6);   // Lens & Light
  static final UUID CHLOE = user(10);  // Feast
  static TestHub hub;

  @BeforeAll
  static void start() {
    PgChangesWorld.createTable(TABLE);
    hub = TestHub.start(PgChangesWorld.settings(NAME, TABLE));
  }

  @AfterAll
  static void stop() {
    hub.close();
    PgChangesWorld.dropSlot(NAME);
  }

  static String topic(UUID u) {
    return "realtime:user:" + u;
  }

  /** Joins the user's own channel for these entries and waits for the extension's "Subscribed to PostgreSQL". */
  static WsClient subscribed(UUID who, JsonObject... entries) {
    WsClient c = hub.connect(who);
    JsonObject reply = c.join(topic(who), join(entries));
    assertEquals("ok", reply.getString("status"), reply.encode());
    JsonObject system = c.awaitEvent(topic(who), "system").getJsonObject(4);
    assertEquals("ok", system.getString("status"), system.encode());
    assertEquals("postgres_changes", system.getString("extension"));
    return c;
  }

  static Predicate<JsonArray> change(UUID who, Predicate<JsonObject> data) {
    return a -> topic(who).equals(a.getString(2)) && "postgres_changes".equals(a.getString(3))
        && data.test(a.getJsonObject(4).getJsonObject("data"));
  }

  static JsonObject next(WsClient c, UUID who, Predicate<JsonObject> data) {
    return c.await(change(who, data), Duration.ofSeconds(10)).getJsonObject(4);
  }

  static Predicate<JsonObject> titled(String title) {
    return d -> {
      JsonObject row = d.getJsonObject("record") != null && !"DELETE".equals(d.getString("type"))
          ? d.getJsonObject("record") : d.getJsonObject("old_record");
      return row != null && title.equals(row.getString("title"));
    };
  }

  static void sql(String statement) {
    TestPostgres.execute(statement);
  }

  static String insert(UUID couple, UUID supplier, String title, int priority) {
    return "insert into " + TABLE + " (couple_id, supplier_id, title, priority, due, tags, meta, secret) values ("
        + (couple == null ? "null" : "'" + couple + "'") + ", " + (supplier == null ? "null" : "'" + supplier + "'")
        + ", '" + title + "', " + priority + ", '2027-06-12', '{flowers,\"first dance\"}', '{\"n\": 1}', 'hush')";
  }

  /** Waits until the hub has read and logged the row titled {@code title}. */
  static void awaitLogged(String title) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (TestPostgres.query("select 1 from hub_change_log where change->'record'->>'title' = '" + title + "'")
        .isEmpty()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError(title + " was not logged");
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
  }

  @Test
  void theJoinReplyListsEachEntryWithItsIdAsSentAndTheFeedsPosition() {
    try (WsClient emma = hub.connect(EMMA)) {
      JsonObject reply = emma.join(topic(EMMA), join(entry("INSERT", TABLE, null), entry("*", TABLE, "priority=gt.2"),
          entry("INSERT", TABLE, null)));
      JsonObject response = reply.getJsonObject("response");
      JsonArray listed = response.getJsonArray("postgres_changes");
      assertEquals(3, listed.size());
      assertEquals("INSERT", listed.getJsonObject(0).getString("event"));
      assertEquals(TABLE, listed.getJsonObject(0).getString("table"));
      assertNull(listed.getJsonObject(0).getValue("filter"));
      assertEquals("priority=gt.2", listed.getJsonObject(1).getString("filter"));
      assertEquals(listed.getJsonObject(0).getInteger("id"), listed.getJsonObject(2).getInteger("id"),
          "equal entries share an id");
      assertTrue(listed.getJsonObject(0).getInteger("id") != listed.getJsonObject(1).getInteger("id"));
      JsonObject position = response.getJsonObject("postgres_changes_position");
      assertTrue(position.getLong("offset") >= 0 && !position.getString("epoch").isEmpty(), position.encode());
    }
  }

  @Test
  void aRowReachesExactlyThoseWhoMaySeeItWithItsPublishedColumnsOnly() {
    try (WsClient emma = subscribed(EMMA, entry("*", TABLE, null));
         WsClient sophie = subscribed(SOPHIE, entry("*", TABLE, null));
         WsClient sarah = subscribed(SARAH, entry("*", TABLE, null));
         WsClient chloe = subscribed(CHLOE, entry("*", TABLE, null))) {
      sql(insert(COUPLE_1, LENS, "book the photographer", 3));
      JsonObject seen = next(emma, EMMA, titled("book the photographer"));
      JsonObject data = seen.getJsonObject("data");
      assertEquals("INSERT", data.getString("type"));
      assertEquals("public", data.getString("schema"));
      assertEquals(TABLE, data.getString("table"));
      JsonObject row = data.getJsonObject("record");
      assertEquals(COUPLE_1.toString(), row.getString("couple_id"));
      assertEquals(3, row.getInteger("priority"), "numbers are numbers");
      assertEquals(false, row.getBoolean("done"), "booleans are booleans");
      assertEquals(new JsonArray().add("flowers").add("first dance"), row.getJsonArray("tags"));
      assertEquals(new JsonObject().put("n", 1), row.getJsonObject("meta"));
      assertEquals("2027-06-12", row.getString("due"));
      assertFalse(row.containsKey("secret"), "a column outside the allow-list never leaves the hub");
      assertTrue(data.getJsonArray("columns").stream().noneMatch(c -> "secret".equals(((JsonObject) c)
          .getString("name"))));
      assertTrue(data.getJsonArray("columns").contains(new JsonObject().put("name", "priority").put("type", "int4")));
      assertTrue(data.getString("commit_timestamp").endsWith("Z"));
      assertEquals(1, seen.getJsonArray("ids").size());
      assertTrue(seen.getJsonObject("meta").getLong("offset") > 0);
      next(sarah, SARAH, titled("book the photographer"));
      // Neither the other couple nor another supplier hears of it.
      sophie.assertNone(change(SOPHIE, titled("book the photographer")), Duration.ofMillis(500));
      chloe.assertNone(change(CHLOE, titled("book the photographer")), Duration.ofMillis(100));
    }
  }

  @Test
  void anUpdateThatMovesARowOutOfReachIsADeleteForThoseItLeftAndAnInsertForThoseItReached() {
    sql(insert(COUPLE_1, null, "seating plan", 1));
    try (WsClient emma = subscribed(EMMA, entry("*", TABLE, null));
         WsClient sophie = subscribed(SOPHIE, entry("*", TABLE, null))) {
      sql("update " + TABLE + " set title = 'seating plan v2' where title = 'seating plan'");
      JsonObject update = next(emma, EMMA, titled("seating plan v2")).getJsonObject("data");
      assertEquals("UPDATE", update.getString("type"));
      assertEquals("seating plan", update.getJsonObject("old_record").getString("title"), "the old row comes along");
      sql("update " + TABLE + " set couple_id = '" + COUPLE_2 + "' where title = 'seating plan v2'");
      JsonObject gone = next(emma, EMMA, d -> "DELETE".equals(d.getString("type"))).getJsonObject("data");
      assertEquals("seating plan v2", gone.getJsonObject("old_record").getString("title"));
      assertNull(gone.getValue("record"), "the row where it went is not shown to the one it left");
      JsonObject arrived = next(sophie, SOPHIE, titled("seating plan v2")).getJsonObject("data");
      assertEquals("INSERT", arrived.getString("type"), "it came into reach: an insert, without the old row");
      assertNull(arrived.getValue("old_record"));
      sql("delete from " + TABLE + " where title = 'seating plan v2'");
      assertEquals("DELETE", next(sophie, SOPHIE, d -> "DELETE".equals(d.getString("type"))).getJsonObject("data")
          .getString("type"));
      emma.assertNone(change(EMMA, titled("seating plan v2")), Duration.ofMillis(300));
    }
  }

  @Test
  void eventsAndFiltersSelectWhatEachEntryGets() {
    JsonObject[] entries = {entry("INSERT", TABLE, "priority=eq.5"), entry("INSERT", TABLE, "priority=neq.5"),
        entry("INSERT", TABLE, "priority=lt.5"), entry("INSERT", TABLE, "priority=lte.5"),
        entry("INSERT", TABLE, "priority=gt.5"), entry("INSERT", TABLE, "priority=gte.5"),
        entry("INSERT", TABLE, "title=in.(filters a,\"filters, b\")"), entry("DELETE", TABLE, null),
        entry("UPDATE", TABLE, "done=eq.true")};
    try (WsClient emma = hub.connect(EMMA)) {
      JsonObject reply = emma.join(topic(EMMA), join(entries));
      JsonArray listed = reply.getJsonObject("response").getJsonArray("postgres_changes");
      emma.awaitEvent(topic(EMMA), "system");
      List<Integer> ids = new ArrayList<>();
      for (int i = 0; i < listed.size(); i++) ids.add(listed.getJsonObject(i).getInteger("id"));
      sql(insert(COUPLE_1, null, "filters a", 5));
      assertEquals(List.of(ids.get(0), ids.get(3), ids.get(5), ids.get(6)),
          next(emma, EMMA, titled("filters a")).getJsonArray("ids").getList());
      sql(insert(COUPLE_1, null, "filters, b", 7));
      assertEquals(List.of(ids.get(1), ids.get(4), ids.get(5), ids.get(6)),
          next(emma, EMMA, titled("filters, b")).getJsonArray("ids").getList());
      sql(insert(COUPLE_1, null, "filters c", 2));
      assertEquals(List.of(ids.get(1), ids.get(2), ids.get(3)),
          next(emma, EMMA, titled("filters c")).getJsonArray("ids").getList());
      sql("update " + TABLE + " set done = true where title = 'filters c'");
      assertEquals(List.of(ids.get(8)), next(emma, EMMA, d -> "UPDATE".equals(d.getString("type"))
          && "filters c".equals(d.getJsonObject("record").getString("title"))).getJsonArray("ids").getList());
      sql("update " + TABLE + " set priority = 9 where title = 'filters a'"); // done stays false: no entry wants it
      sql("delete from " + TABLE + " where title = 'filters a'");
      JsonObject deleted = next(emma, EMMA, d -> "DELETE".equals(d.getString("type")));
      assertEquals(List.of(ids.get(7)), deleted.getJsonArray("ids").getList());
      emma.assertNone(change(EMMA, d -> "UPDATE".equals(d.getString("type"))
          && "filters a".equals(d.getJsonObject("record").getString("title"))), Duration.ofMillis(200));
    }
  }

  @Test
  void whatCannotBeGivenIsRefusedAtTheJoinWithTheReason() {
    try (WsClient emma = hub.connect(EMMA)) {
      for (var bad : List.of(
          new Object[]{entry("*", "users", null), "config.postgres_changes[0].table", "not published"},
          new Object[]{entry("*", TABLE, "secret=eq.x"), "config.postgres_changes[0].filter", "no such column"},
          new Object[]{entry("*", TABLE, "priority=like.5"), "filter", "unknown filter operator"},
          new Object[]{entry("TRUNCATE", TABLE, null), "config.postgres_changes[0].event", "INSERT, UPDATE"},
          new Object[]{entry("*", null, "priority=eq.1"), "config.postgres_changes[0].filter", "needs one table"},
          new Object[]{new JsonObject().put("event", "*"), "config.postgres_changes[0].schema", "required"})) {
        JsonObject reply = emma.join(topic(EMMA), join((JsonObject) bad[0]));
        assertEquals("error", reply.getString("status"), reply.encode());
        JsonObject response = reply.getJsonObject("response");
        assertEquals("invalid", response.getString("reason"), response.encode());
        assertEquals(bad[1], response.getString("field"), response.encode());
        assertTrue(response.getString("detail").contains((String) bad[2]), response.encode());
      }
    }
  }

  @Test
  void aClientThatWasAwayReplaysWhatItMissedFromItsPositionAndNothingTwice() {
    long position;
    String epoch;
    try (WsClient emma = subscribed(EMMA, entry("INSERT", TABLE, null))) {
      sql(insert(COUPLE_1, null, "before the break", 1));
      JsonObject meta = next(emma, EMMA, titled("before the break")).getJsonObject("meta");
      position = meta.getLong("offset");
      epoch = meta.getString("epoch");
    }
    sql(insert(COUPLE_1, null, "missed 1", 1));
    sql(insert(COUPLE_2, null, "not hers", 1));
    sql(insert(COUPLE_1, null, "missed 2", 1));
    awaitLogged("missed 2"); // read from the slot while she was away
    try (WsClient emma = hub.connect(EMMA)) {
      JsonObject payload = join(entry("INSERT", TABLE, null))
          .put("postgres_changes_since", new JsonObject().put("offset", position).put("epoch", epoch));
      assertEquals("ok", emma.join(topic(EMMA), payload).getString("status"));
      // The missed rows come in order before the extension says it is subscribed, the other couple's never.
      List<String> replayed = new ArrayList<>();
      JsonObject system = null;
      while (system == null) {
        JsonArray f = emma.await(a -> topic(EMMA).equals(a.getString(2))
            && ("postgres_changes".equals(a.getString(3)) || "system".equals(a.getString(3))), Duration.ofSeconds(10));
        if ("system".equals(f.getString(3))) system = f.getJsonObject(4);
        else replayed.add(f.getJsonObject(4).getJsonObject("data").getJsonObject("record").getString("title"));
      }
      assertEquals(List.of("missed 1", "missed 2"), replayed);
      assertEquals(true, system.getBoolean("recovered"));
      sql(insert(COUPLE_1, null, "live again", 1));
      next(emma, EMMA, titled("live again"));
      emma.assertNone(change(EMMA, titled("missed 1")), Duration.ofMillis(200));
    }
    try (WsClient emma = hub.connect(EMMA)) {
      JsonObject payload = join(entry("INSERT", TABLE, null))
          .put("postgres_changes_since", new JsonObject().put("offset", position).put("epoch", "another-log"));
      emma.join(topic(EMMA), payload);
      assertEquals(false, emma.awaitEvent(topic(EMMA), "system").getJsonObject(4).getBoolean("recovered"),
          "a position from another log recovers nothing: the client is told so");
    }
  }
}
