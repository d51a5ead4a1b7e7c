package com.wedsync.hub.changes;

import com.wedsync.hub.support.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A table for postgres_changes tests, its publication rule, and a slot of its own per test class (dropped when done,
 * so the shared test database does not keep WAL for a reader that is gone).
 */
final class PgChangesWorld {
  static final UUID COUPLE_1 = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID COUPLE_2 = UUID.fromString("33333333-0000-0000-0000-000000000002");
  static final UUID LENS = UUID.fromString("22222222-0000-0000-0000-000000000001");
  static final UUID FEAST = UUID.fromString("22222222-0000-0000-0000-000000000002");

  private PgChangesWorld() {
  }

  /** Creates {@code table} (dropped first): a task row with a couple, a supplier, and a column that must not leave. */
  static void createTable(String table) {
    TestPostgres.execute("drop table if exists " + table);
    TestPostgres.execute("create table " + table + " (id bigserial primary key, couple_id uuid, supplier_id uuid, "
        + "title text, done boolean not null default false, priority int, due date, tags text[], meta jsonb, "
        + "secret text)");
  }

  /** Hub settings publishing {@code table} on slot and publication {@code name}. */
  static Map<String, String> settings(String name, String table) {
    Map<String, String> env = new HashMap<>();
    env.put("WEDSYNC_HUB_POSTGRES_CHANGES_SLOT", name);
    env.put("WEDSYNC_HUB_POSTGRES_CHANGES_PUBLICATION", name);
    env.put("WEDSYNC_HUB_POSTGRES_CHANGES_TABLES", new JsonArray().add(new JsonObject().put("table", table)
        .put("couple", "couple_id").put("supplier", "supplier_id")
        .put("columns", new JsonArray().add("id").add("couple_id").add("supplier_id").add("title").add("done")
            .add("priority").add("due").add("tags").add("meta"))).encode());
    return env;
  }

  static void dropSlot(String name) {
    for (int i = 0; i < 50; i++) {
      try {
        TestPostgres.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots "
            + "where slot_name = '" + name + "' and not active");
        if (TestPostgres.query("select 1 from pg_replication_slots where slot_name = '" + name + "'").isEmpty()) {
          break;
        }
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    TestPostgres.execute("drop publication if exists " + name);
  }

  /** The join payload asking for these postgres_changes entries. */
  static JsonObject join(JsonObject... entries) {
    JsonArray list = new JsonArray();
    for (JsonObject e : entries) list.add(e);
    return new JsonObject().put("config", new JsonObject().put("postgres_changes", list));
  }

  static JsonObject entry(String event, String table, String filter) {
    JsonObject e = new JsonObject().put("event", event).put("schema", "public");
    if (table != null) e.put("table", table);
    if (filter != null) e.put("filter", filter);
    return e;
  }
}
