package com.wedsync.hub.changes;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.support.HubProcess;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import static com.wedsync.hub.changes.PgChangesWorld.COUPLE_1;
import static com.wedsync.hub.changes.PgChangesWorld.entry;
import static com.wedsync.hub.changes.PgChangesWorld.join;
import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The change feed across a hub that dies: 1,000 rows inserted by another connection while the node reading the slot
 * is killed (SIGKILL) — a single node restarted, or one node of two sharing Redis — reach a client exactly once, the
 * ones it missed replayed from its position when it rejoins.
 */
class ChangeFeedFailoverTest {
  static final UUID EMMA = user(1);
  static final int ROWS = 1_000;
  static Vertx client;
  static DevTokens tokens;

  @BeforeAll
  static void start() {
    TestPostgres.get();
    client = Vertx.vertx();
    tokens = new DevTokens(client, HubConfig.load(Map.of()).auth().hs256Secret());
  }

  @AfterAll
  static void stop() {
    client.close();
  }

  static Map<String, String> env(String name, String table, Map<String, String> more) {
    Map<String, String> env = new HashMap<>(PgChangesWorld.settings(name, table));
    env.put("WEDSYNC_HUB_DEMO_DATA", "true");
    env.putAll(more);
    return env;
  }

  /** Every title received, in order, and the last position; a title twice is a duplicate. */
  static final class Seen {
    final Map<String, Integer> titles = new LinkedHashMap<>();
    long offset = -1;
    String epoch;
    int duplicates;

    void take(WsClient c, String topic) {
      for (JsonArray f : c.received(a -> topic.equals(a.getString(2)) && "postgres_changes".equals(a.getString(3)))) {
        JsonObject p = f.getJsonObject(4);
        if (p.getJsonObject("meta").getLong("offset") <= offset) continue; // already taken from this client
        offset = p.getJsonObject("meta").getLong("offset");
        epoch = p.getJsonObject("meta").getString("epoch");
        String title = p.getJsonObject("data").getJsonObject("record").getString("title");
        if (titles.merge(title, 1, Integer::sum) > 1) duplicates++;
      }
    }
  }

  /** Inserts ROWS rows, one every couple of milliseconds, on a thread of its own. */
  static Thread writer(String table, String prefix, AtomicInteger written) {
    Thread t = new Thread(() -> {
      try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
           PreparedStatement ps = c.prepareStatement("insert into " + table + " (couple_id, title, priority) "
               + "values (?, ?, 1)")) {
        for (int i = 0; i < ROWS; i++) {
          ps.setObject(1, COUPLE_1);
          ps.setString(2, prefix + i);
          ps.executeUpdate();
          written.incrementAndGet();
          Thread.sleep(3);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }, "row-writer");
    t.start();
    return t;
  }

  static WsClient subscribe(HubProcess node, String topic, String table, Seen since) {
    WsClient c = WsClient.connect(client, node.wsUrl(tokens.user(EMMA, 3600)));
    JsonObject payload = join(entry("INSERT", table, null));
    if (since != null && since.offset >= 0) {
      payload.put("postgres_changes_since", new JsonObject().put("offset", since.offset).put("epoch", since.epoch));
    }
    assertEquals("ok", c.join(topic, payload).getString("status"));
    JsonObject system = c.awaitEvent(topic, "system").getJsonObject(4);
    assertEquals("ok", system.getString("status"), system.encode());
    if (since != null && since.offset >= 0) assertEquals(true, system.getBoolean("recovered"), system.encode());
    return c;
  }

  static void awaitAll(WsClient c, String topic, Seen seen, String prefix) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 60_000;
    while (System.currentTimeMillis() < deadline) {
      seen.take(c, topic);
      if (seen.titles.keySet().stream().filter(t -> t.startsWith(prefix)).count() == ROWS) return;
      Thread.sleep(50);
    }
    throw new AssertionError("got " + seen.titles.size() + " of " + ROWS + " rows");
  }

  @Test
  void aRestartedHubLosesNoRowAndRepeatsNoneToAClientThatRejoinsWithItsPosition() throws Exception {
    String table = "pgc_restart";
    String name = "pgc_test_restart";
    PgChangesWorld.createTable(table);
    String topic = "realtime:user:" + EMMA;
    Seen seen = new Seen();
    HubProcess first = HubProcess.start("pgc-restart-1", env(name, table, Map.of()));
    HubProcess second = null;
    try {
      WsClient c = subscribe(first, topic, table, null);
      AtomicInteger written = new AtomicInteger();
      Thread w = writer(table, "r", written);
      while (seen.titles.size() < 250) {
        seen.take(c, topic);
        Thread.sleep(20);
      }
      first.kill();
      c.close();
      Thread.sleep(500); // rows keep coming while no hub reads them
      second = HubProcess.start("pgc-restart-2", env(name, table, Map.of()));
      try (WsClient back = subscribe(second, topic, table, seen)) {
        w.join();
        awaitAll(back, topic, seen, "r");
      }
      assertEquals(0, seen.duplicates, "no row twice");
      assertEquals(ROWS, seen.titles.size());
    } finally {
      first.kill();
      if (second != null) second.close();
      PgChangesWorld.dropSlot(name);
    }
  }

  @Test
  void whenTheNodeReadingTheSlotDiesAnotherTakesOverWithinTenSecondsAndNothingIsLost() throws Exception {
    String table = "pgc_failover";
    String name = "pgc_test_failover";
    PgChangesWorld.createTable(table);
    String topic = "realtime:user:" + EMMA;
    try (TestRedis redis = TestRedis.start()) {
      Map<String, String> cluster = Map.of("WEDSYNC_HUB_CLUSTER_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_URL", redis.url(),
          "WEDSYNC_HUB_CLUSTER_NODE_TTL_MS", "3000", "WEDSYNC_HUB_CLUSTER_PRESENCE_TTL_MS", "6000");
      HubProcess a = HubProcess.start("pgc-a", env(name, table, cluster));
      awaitReader(List.of(a));
      HubProcess b = HubProcess.start("pgc-b", env(name, table, cluster));
      try {
        // a reads the slot (it started first); the client is on b, which only delivers.
        Seen seen = new Seen();
        WsClient c = subscribe(b, topic, table, null);
        AtomicInteger written = new AtomicInteger();
        Thread w = writer(table, "f", written);
        while (seen.titles.size() < 250) {
          seen.take(c, topic);
          Thread.sleep(20);
        }
        a.kill();
        long killedAt = System.currentTimeMillis();
        int writtenAtKill = written.get();
        // The first row written after the kill arrives once b has the lease and reads from where a stopped.
        while (true) {
          seen.take(c, topic);
          if (seen.titles.keySet().stream().anyMatch(t -> t.startsWith("f")
              && Integer.parseInt(t.substring(1)) >= writtenAtKill)) break;
          assertTrue(System.currentTimeMillis() - killedAt < 10_000, "no row written after the kill within 10 s");
          Thread.sleep(20);
        }
        long handover = System.currentTimeMillis() - killedAt;
        assertTrue(b.output().stream().anyMatch(l -> l.contains("this node reads the row changes")), "b took over");
        w.join();
        awaitAll(c, topic, seen, "f");
        assertEquals(0, seen.duplicates, "no row twice");
        System.out.println("change feed handed over " + handover + " ms after the reader died");
        c.close();
      } finally {
        a.kill();
        b.close();
        PgChangesWorld.dropSlot(name);
      }
    }
  }

  static void awaitReader(List<HubProcess> nodes) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      for (HubProcess n : nodes) {
        if (n.output().stream().anyMatch(l -> l.contains("reading row changes from slot"))) return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no node reads the slot");
  }
}
