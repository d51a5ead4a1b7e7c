package com.wedsync.hub.cluster;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.TestRedisCluster;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two hub nodes on a real Redis Cluster (three masters, a replica each, Redis 7 processes started here) with
 * {@code cluster.redisMode=cluster}: locks, field commits, saves, history and presence on forms whose keys live on
 * each of the three masters, carried between the nodes by sharded pub/sub on the right master; then a master killed
 * with SIGKILL while two people edit a form it serves — nothing accepted is lost, and both nodes' clients converge.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisClusterTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final Duration WAIT = Duration.ofSeconds(10);
  static TestRedisCluster redis;
  static TestHub a;
  static TestHub b;

  @BeforeAll
  static void start() {
    TestPostgres.get();
    redis = TestRedisCluster.start(3, 1);
    List<String> seeds = redis.urls().subList(0, 2); // the rest is learnt from these
    Map<String, String> env = new HashMap<>(TestHub.editing("200"));
    env.put("WEDSYNC_HUB_CLUSTER_MODE", "cluster");
    env.put("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "cluster");
    env.put("WEDSYNC_HUB_CLUSTER_REDIS_NODES", String.join(",", seeds));
    env.put("WEDSYNC_HUB_CLUSTER_REDIS_WAIT_REPLICAS", "1");
    env.put("WEDSYNC_HUB_FORMS_SAVE_RETRY_MAX_MS", "500");
    a = TestHub.start(env);
    b = TestHub.start(env);
  }

  @AfterAll
  static void stop() {
    if (redis != null) redis.resumeAll(); // a failed test may have left a node paused, which the hubs would wait on
    if (a != null) a.close();
    if (b != null) b.close();
    if (redis != null) redis.close();
  }

  static boolean event(JsonArray frame, String topic, String event) {
    return topic.equals(frame.getString(2)) && event.equals(frame.getString(3));
  }

  /** Forms until one has its keys on each master; asserted with Redis's own CLUSTER KEYSLOT. */
  static Map<Integer, UUID> oneFormPerMaster() {
    Map<Integer, UUID> byMaster = new LinkedHashMap<>();
    for (int i = 0; i < 60 && byMaster.size() < 3; i++) {
      UUID form = TestForms.create("redis cluster " + i, "a:text", "b:text");
      String key = RedisKeys.form(form);
      assertEquals(redis.slotOf(key), HashSlot.of(key), "the hub's slot of " + key + " is Redis's");
      byMaster.putIfAbsent(redis.masterOf(key), form);
    }
    assertEquals(3, byMaster.size(), "forms on three different masters: " + byMaster);
    return byMaster;
  }

  @Test
  @Order(1)
  void locksCommitsHistoryAndPresenceOnEveryMaster() throws Exception {
    Map<Integer, UUID> forms = oneFormPerMaster();
    for (Map.Entry<Integer, UUID> e : forms.entrySet()) {
      int master = e.getKey();
      UUID form = e.getValue();
      String topic = "realtime:form:" + form;
      JsonObject since;
      try (WsClient emma = a.connect(EMMA); WsClient sarah = b.connect(SARAH)) {
        JsonObject joined = ok(emma.join(topic));
        since = new JsonObject().put("offset", joined.getLong("offset")).put("epoch", joined.getString("epoch"));
        ok(sarah.join(topic, new JsonObject().put("config", new JsonObject()
            .put("presence", new JsonObject().put("key", "").put("enabled", true)))));
        // The channel is subscribed on the master that serves its slot, by both nodes.
        String channel = RedisKeys.channel("form:" + form);
        assertEquals(master, redis.masterOf(channel));
        assertEquals("2", redis.cli(master, "PUBSUB", "SHARDNUMSUB", channel).lines().skip(1).findFirst()
            .orElse(""), "both nodes subscribed " + channel + " on its master " + master);

        // presence: tracked on node b, seen on node a
        ok(sarah.request(topic, "presence", new JsonObject().put("type", "presence").put("event", "track")
            .put("payload", new JsonObject().put("status", "active"))));
        emma.await(f -> event(f, topic, "presence_diff")
            && f.getJsonObject(4).getJsonObject("joins").containsKey(SARAH.toString()), WAIT);

        // a lock granted through node a is held against node b
        JsonObject lock = emma.request(topic, "field:lock", new JsonObject().put("field", "a"));
        assertEquals("ok", lock.getString("status"), lock.encode());
        sarah.await(f -> event(f, topic, "field:locked"), WAIT);
        JsonObject denied = sarah.request(topic, "field:lock", new JsonObject().put("field", "a"));
        assertEquals("locked", denied.getJsonObject("response").getString("reason"), denied.encode());

        // a commit through node a reaches node b, and PostgreSQL
        JsonObject set = emma.request(topic, "field:set", new JsonObject().put("field", "a")
            .put("value", "on " + master).put("base_version", 0).put("op_id", "rc-" + form)
            .put("lock_token", lock.getJsonObject("response").getLong("token")));
        assertEquals(1L, set.getJsonObject("response").getLong("version"), set.encode());
        JsonObject changed = sarah.await(f -> event(f, topic, "field:changed"), WAIT).getJsonObject(4);
        assertEquals("on " + master, changed.getValue("value"));
        sarah.await(f -> event(f, topic, "field:saved"), WAIT);
        assertEquals("\"on " + master + "\"@1", stored(form, "a"));

        // the form's state, locks and history are keys on that master
        for (String key : List.of(RedisKeys.form(form), RedisKeys.locks(form),
            com.wedsync.hub.history.RedisHistory.keys("form:" + form).get(0))) {
          assertEquals("1", redis.cli(master, "EXISTS", key), key + " on master " + master);
        }
      }
      // history: a client away since its first join recovers the change through the other node
      try (WsClient emma = b.connect(EMMA)) {
        JsonObject rejoined = ok(emma.join(topic, new JsonObject().put("since", since)));
        assertEquals(Boolean.TRUE, rejoined.getBoolean("recovered"), rejoined.encode());
        JsonObject changed = emma.await(f -> event(f, topic, "field:changed"), WAIT).getJsonObject(4);
        assertEquals("on " + master, changed.getValue("value"));
      }
    }
  }

  /** One person's edits of one field: each field:set retried (same op id) until the hub accepts it. */
  static final class Editor {
    final WsClient ws;
    final String topic;
    final String field;
    final String run;
    long version;
    final List<String> accepted = new ArrayList<>();
    int failures;

    Editor(WsClient ws, String topic, String field, String run) {
      this.ws = ws;
      this.topic = topic;
      this.field = field;
      this.run = run;
    }

    /** One field:set of the next value, not retried. */
    JsonObject attempt() {
      return ws.request(topic, "field:set", new JsonObject().put("field", field).put("value", field + "-" + (version + 1))
          .put("base_version", version).put("op_id", run + "-" + field + "-" + (version + 1)));
    }

    void edit(long deadline) {
      String value = field + "-" + (version + 1);
      while (true) {
        JsonObject r = attempt();
        if ("ok".equals(r.getString("status"))) {
          long v = r.getJsonObject("response").getLong("version");
          assertEquals(version + 1, v, "accepted as the next version: " + r.encode());
          version = v;
          accepted.add(value);
          return;
        }
        // Only "Redis unavailable" may happen during a failover; a conflict would mean an accepted change vanished.
        assertEquals("unavailable", r.getJsonObject("response").getString("reason"), r.encode());
        failures++;
        if (System.currentTimeMillis() > deadline) throw new AssertionError(field + " not accepted by the deadline");
        try {
          Thread.sleep(50);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new AssertionError(e);
        }
      }
    }
  }

  @Test
  @Order(2)
  void aMasterKilledDuringEditingLosesNothingAccepted() throws Exception {
    UUID form = TestForms.create("redis cluster failover", "a:text", "b:text");
    String topic = "realtime:form:" + form;
    int master = redis.masterOf(RedisKeys.form(form));
    String run = UUID.randomUUID().toString().substring(0, 8);
    try (WsClient emma = a.connect(EMMA); WsClient sarah = b.connect(SARAH)) {
      JsonObject joined = ok(emma.join(topic));
      JsonObject since = new JsonObject().put("offset", joined.getLong("offset")).put("epoch", joined.getString("epoch"));
      ok(sarah.join(topic));
      Editor onA = new Editor(emma, topic, "a", run);
      Editor onB = new Editor(sarah, topic, "b", run);
      long deadline = System.currentTimeMillis() + 30_000;
      for (int i = 0; i < 10; i++) {
        onA.edit(deadline);
        onB.edit(deadline);
      }
      // The replica falls behind (frozen): a change the master has but its replica does not is not accepted.
      int replica = redis.replicaOf(master);
      redis.pause(replica);
      JsonObject unconfirmed = onA.attempt();
      assertEquals("error", unconfirmed.getString("status"), "not accepted before a replica has it: "
          + unconfirmed.encode());
      assertEquals("unavailable", unconfirmed.getJsonObject("response").getString("reason"));
      // The master dies with that change (only it had it); the replica, running again, takes over. Edits keep coming
      // from both nodes, the unconfirmed one retried with its op id like any other.
      Thread killer = new Thread(() -> {
        redis.kill(master);
        redis.resume(replica);
      });
      killer.start();
      for (int i = 0; i < 30; i++) {
        onA.edit(deadline);
        onB.edit(deadline);
        if (i == 5) killer.join();
      }
      redis.awaitHealthy(3, 0, List.of(master));
      int newMaster = redis.masterOf(RedisKeys.form(form));
      assertEquals(replica, newMaster, "the form moved to its replica");
      for (int i = 0; i < 5; i++) {
        onA.edit(deadline);
        onB.edit(deadline);
      }
      System.out.println("RedisClusterTest: " + (onA.failures + onB.failures) + " field:set refused while master "
          + master + " was failing over to " + newMaster + "; every one retried until accepted");
      assertTrue(onA.failures + onB.failures > 0, "the master died while edits were coming in");

      // PostgreSQL has every accepted change: the last value, and one revision per accepted change.
      long saveDeadline = System.currentTimeMillis() + 15_000;
      String lastA = "\"" + onA.accepted.get(onA.accepted.size() - 1) + "\"@" + onA.version;
      String lastB = "\"" + onB.accepted.get(onB.accepted.size() - 1) + "\"@" + onB.version;
      while ((!lastA.equals(stored(form, "a")) || !lastB.equals(stored(form, "b"))
          || revisions(form) != onA.version + onB.version) && System.currentTimeMillis() < saveDeadline) {
        Thread.sleep(100);
      }
      assertEquals(lastA, stored(form, "a"));
      assertEquals(lastB, stored(form, "b"));
      assertEquals(onA.version + onB.version, revisions(form), "one revision per accepted change");
      assertEquals(onA.accepted, revisionValues(form, "a"), "every accepted change of a, in order");
      assertEquals(onB.accepted, revisionValues(form, "b"), "every accepted change of b, in order");

      // Both nodes' clients converge on the last values (events lost in the failover are filled from history).
      for (WsClient c : List.of(emma, sarah)) {
        for (Editor e : List.of(onA, onB)) {
          c.await(f -> event(f, topic, "field:changed") && e.field.equals(f.getJsonObject(4).getString("field"))
              && e.version == f.getJsonObject(4).getLong("version"), WAIT);
        }
      }
      // History kept every accepted change: a client away since the start recovers all of them, in order.
      try (WsClient late = b.connect(EMMA)) {
        JsonObject rejoined = ok(late.join(topic, new JsonObject().put("since", since)));
        assertEquals(Boolean.TRUE, rejoined.getBoolean("recovered"), rejoined.encode());
        Map<String, List<Long>> versions = new HashMap<>(Map.of("a", new ArrayList<>(), "b", new ArrayList<>()));
        while (versions.get("a").size() < onA.version || versions.get("b").size() < onB.version) {
          JsonObject c = late.await(f -> event(f, topic, "field:changed"), WAIT).getJsonObject(4);
          versions.get(c.getString("field")).add(c.getLong("version"));
        }
        assertEquals(sequence(onA.version), versions.get("a"));
        assertEquals(sequence(onB.version), versions.get("b"));
      }
      assertFalse(redis.masters().contains(master));
    }
  }

  static List<Long> sequence(long n) {
    List<Long> out = new ArrayList<>();
    for (long i = 1; i <= n; i++) out.add(i);
    return out;
  }

  static String stored(UUID form, String key) throws Exception {
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("select value::text, version from form_fields where form_id = '"
             + form + "' and key = '" + key + "'")) {
      rs.next();
      return rs.getString(1) + "@" + rs.getLong(2);
    }
  }

  static int revisions(UUID form) throws Exception {
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("select count(*) from field_revisions where form_id = '"
             + form + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  static List<String> revisionValues(UUID form, String key) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("select r.value #>> '{}' from field_revisions r join form_fields f"
             + " on f.id = r.field_id where r.form_id = '" + form + "' and f.key = '" + key + "' order by r.version")) {
      while (rs.next()) out.add(rs.getString(1));
    }
    return out;
  }
}
