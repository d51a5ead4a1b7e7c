package com.wedsync.hub.areas;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;

import static com.wedsync.hub.support.DemoIds.supplier;
import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The demo world of the live-area tests: a hub publishing the default tables (conf/hub.json) on a slot and
 * publication of the test's own, dropped when it is done (a slot left behind keeps WAL in the shared test database),
 * and who is whom, read from the database.
 */
final class LiveAreasWorld {
  static final UUID S1 = supplier(1); // Lens & Light: W1
  static final UUID S2 = supplier(2); // Feast: W1, W2
  static final UUID S3 = supplier(3); // Grand Hall: W1
  static final UUID S4 = supplier(4); // Bloom: W2
  static final UUID C1 = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID C2 = UUID.fromString("33333333-0000-0000-0000-000000000002");
  static final UUID W1 = UUID.fromString("44444444-0000-0000-0000-000000000001");
  static final UUID W2 = UUID.fromString("44444444-0000-0000-0000-000000000002");
  static final UUID J1 = UUID.fromString("66666666-0000-0000-0000-000000000001"); // S1's, client C1
  static final UUID J2 = UUID.fromString("66666666-0000-0000-0000-000000000002"); // S2's, clients C1 and C2
  static final UUID EMMA = user(1);
  static final UUID SOPHIE = user(4);
  static final UUID SARAH = user(6);
  static final UUID TOM = user(7);
  static final UUID CHLOE = user(10);
  static final UUID GRACE = user(12);
  static final UUID LILY = user(14);

  private LiveAreasWorld() {
  }

  /** Settings for a hub reading slot and publication {@code name}: the default published tables otherwise. */
  static Map<String, String> settings(String name) {
    Map<String, String> env = new HashMap<>();
    env.put("WEDSYNC_HUB_POSTGRES_CHANGES_SLOT", name);
    env.put("WEDSYNC_HUB_POSTGRES_CHANGES_PUBLICATION", name);
    return env;
  }

  /** A hub on its own slot, once it reads it (so every row written from now on is seen). */
  static TestHub start(String name, Map<String, String> more) {
    Map<String, String> env = settings(name);
    env.putAll(more);
    dropSlot(name); // a run that was killed may have left it
    TestHub hub = TestHub.start(env);
    await(() -> !TestPostgres.query("select 1 from pg_replication_slots where slot_name = '" + name + "' and active")
        .isEmpty(), "the hub reads slot " + name);
    return hub;
  }

  static void dropSlot(String name) {
    for (int i = 0; i < 100; i++) {
      TestPostgres.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots "
          + "where slot_name = '" + name + "' and not active");
      if (TestPostgres.query("select 1 from pg_replication_slots where slot_name = '" + name + "'").isEmpty()) break;
      pause(100);
    }
    TestPostgres.execute("drop publication if exists " + name);
  }

  static void await(BooleanSupplier condition, String what) {
    long deadline = System.currentTimeMillis() + 20_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting until " + what);
      pause(20);
    }
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The members of each demo couple, as the database has them now. */
  static Map<UUID, Set<UUID>> couples() {
    return members("select couple_id as g, user_id as u from couple_members where couple_id in ('" + C1 + "', '"
        + C2 + "')");
  }

  /** The team of each demo supplier, as the database has them now. */
  static Map<UUID, Set<UUID>> teams() {
    return members("select supplier_id as g, user_id as u from team_members where supplier_id in ('" + S1 + "', '"
        + S2 + "', '" + S3 + "', '" + S4 + "')");
  }

  private static Map<UUID, Set<UUID>> members(String sql) {
    Map<UUID, Set<UUID>> out = new HashMap<>();
    for (Map<String, Object> r : TestPostgres.query(sql)) {
      out.computeIfAbsent((UUID) r.get("g"), k -> new LinkedHashSet<>()).add((UUID) r.get("u"));
    }
    return out;
  }

  /** The join payload asking for every published table's changes. */
  static JsonObject everyTable() {
    return new JsonObject().put("config", new JsonObject().put("postgres_changes",
        new JsonArray().add(new JsonObject().put("event", "*").put("schema", "public"))));
  }

  /** Joins {@code user:{id}} for every published table's changes; answers the feed's position then. */
  static JsonObject subscribeChanges(WsClient c, UUID who) {
    String topic = "user:" + who;
    JsonObject reply = c.join(topic, everyTable());
    assertEquals("ok", reply.getString("status"), reply.encode());
    JsonObject system = c.awaitEvent(topic, "system").getJsonObject(4);
    assertEquals("ok", system.getString("status"), system.encode());
    return reply.getJsonObject("response").getJsonObject("postgres_changes_position");
  }

  static JsonObject joined(WsClient c, String topic) {
    JsonObject reply = c.join(topic);
    assertEquals("ok", reply.getString("status"), topic + ": " + reply.encode());
    return reply.getJsonObject("response");
  }

  static Predicate<JsonArray> event(String topic, String event) {
    return a -> topic.equals(a.getString(2)) && event.equals(a.getString(3));
  }

  static JsonObject next(WsClient c, String topic, String event) {
    return c.await(event(topic, event), Duration.ofSeconds(10)).getJsonObject(4);
  }

  static String q(Object v) {
    return v == null ? "null" : "'" + v + "'";
  }
}
