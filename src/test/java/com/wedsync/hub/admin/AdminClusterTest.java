package com.wedsync.hub.admin;

import com.wedsync.hub.bus.BusCodec;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.health.SyncHealth;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestNodes;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sync health and the admin powers across two nodes on one Redis: either node answers for both, a node that stops
 * reporting raises "node missing" with its since-time, an admin on one node ends a user's sessions on the other,
 * breaks a lock held through the other, and watches a form read-only while the change comes from the other.
 */
class AdminClusterTest {
  static final UUID AVA = AdminPowersTest.AVA;
  static final UUID EMMA = AdminPowersTest.EMMA;
  static final UUID MIA = UUID.fromString("11111111-0000-0000-0000-000000000008");
  static final JsonObject REASON = new JsonObject().put("reason", "test: cluster power");

  static TestRedis redis;
  static TestHub n1, n2;

  @BeforeAll
  static void start() {
    TestPostgres.get();
    redis = TestRedis.start();
    Map<String, String> env = new HashMap<>(TestHub.editing("100"));
    env.put("HUB_CLUSTER_NODE_TTL_MS", "2000");
    n1 = TestHub.clusterNode(redis, env);
    n2 = TestHub.clusterNode(redis, env);
  }

  @AfterAll
  static void stop() {
    if (n1 != null) n1.close();
    if (n2 != null) n2.close();
    if (redis != null) redis.close();
    TestPostgres.execute("update users set sessions_ended_at = null where id = '" + MIA + "'");
  }

  static JsonObject health(TestHub node) {
    TestHub.HttpResult res = node.request(HttpMethod.GET, "/api/v1/admin/sync-health", node.token(AVA), null);
    assertEquals(200, res.status(), res.body());
    return res.json();
  }

  static JsonObject eventually(TestHub node, Predicate<JsonObject> check, String what) {
    long deadline = System.currentTimeMillis() + 20_000;
    JsonObject last = null;
    while (System.currentTimeMillis() < deadline) {
      last = health(node);
      if (check.test(last)) return last;
      sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what + "; last: " + last.copy().put("history", "…").encode());
  }

  static Set<String> up(JsonObject health) {
    Set<String> up = new TreeSet<>();
    for (Object o : health.getJsonArray("nodes")) {
      JsonObject n = (JsonObject) o;
      if ("up".equals(n.getString("status"))) up.add(n.getString("node"));
    }
    return up;
  }

  @Test
  void eitherNodeAnswersForBothWithRedisHealthAndTheirConnectionsAddUp() {
    Set<String> both = Set.of(n1.hub.config().nodeId(), n2.hub.config().nodeId());
    try (WsClient a = n1.connect(EMMA); WsClient b = n2.connect(EMMA)) {
      ok(a.join("realtime:user:" + EMMA));
      ok(b.join("realtime:user:" + EMMA));
      for (TestHub node : new TestHub[] {n1, n2}) {
        JsonObject h = eventually(node, x -> up(x).containsAll(both) && perNode(x, n1).getLong("connections") >= 1
            && perNode(x, n2).getLong("connections") >= 1, "both nodes with a connection each");
        assertTrue(h.getJsonObject("total").getLong("connections") >= 2, h.getJsonObject("total").encode());
        assertEquals("ok", perNode(h, n2).getJsonObject("redis").getString("status"));
        assertTrue(perNode(h, n2).getJsonObject("redis").getDouble("latency_ms") >= 0);
      }
    }
  }

  @Test
  void aNodeThatStopsReportingIsMissingWithItsSinceTime() throws Exception {
    Vertx vertx = Vertx.vertx();
    RedisConnections ghost = new RedisConnections(vertx, redis.url(), 1, false, "ghost", (c, p) -> { });
    TestNodes.await(ghost.start());
    try {
      JsonObject snapshot = new JsonObject().put("node", "ghost-node").put("at", System.currentTimeMillis())
          .put("started_at", System.currentTimeMillis()).put("connections", 3).put("channels", 4);
      for (int i = 0; i < 3; i++) {
        TestNodes.await(ghost.publish(RedisKeys.channel(SyncHealth.TOPIC),
            BusCodec.encode("ghost", ChannelEvent.of(SyncHealth.TOPIC, "snapshot", snapshot))));
        sleep(300);
      }
      Instant lastSent = Instant.now();
      JsonObject h = eventually(n1, x -> alert(x, "node_missing") != null, "the ghost to go missing");
      JsonObject alert = alert(h, "node_missing");
      assertEquals("ghost-node", alert.getValue("value"));
      Instant since = Instant.parse(alert.getString("since"));
      // Its last snapshot plus the node TTL (2 s): when it became missing, not when someone looked.
      assertTrue(!since.isBefore(lastSent.plusMillis(1000)) && !since.isAfter(lastSent.plusMillis(3500)),
          since + " vs last snapshot " + lastSent);
      assertTrue(h.getJsonArray("nodes").stream().map(o -> (JsonObject) o)
          .anyMatch(n -> n.getString("node").equals("ghost-node") && n.getString("status").equals("missing")));
      assertEquals(1, h.getJsonObject("total").getInteger("nodes_missing"));
      // A missing node's numbers are not in the total.
      assertEquals(2, up(h).size());
      assertEquals(perNode(h, n1).getLong("connections") + perNode(h, n2).getLong("connections"),
          h.getJsonObject("total").getLong("connections"), "the ghost's 3 connections are not in the total");
      // The other node says the same, with the same since-time.
      JsonObject other = eventually(n2, x -> alert(x, "node_missing") != null, "n2 to see the ghost missing");
      assertEquals(alert.getString("since"), alert(other, "node_missing").getString("since"));
      // A node that leaves gracefully is dropped, not missed.
      TestNodes.await(ghost.publish(RedisKeys.channel(SyncHealth.TOPIC), BusCodec.encode("ghost",
          ChannelEvent.of(SyncHealth.TOPIC, "snapshot", new JsonObject().put("node", "ghost-node")
              .put("leaving", true)))));
      eventually(n1, x -> alert(x, "node_missing") == null, "the ghost to leave");
    } finally {
      TestNodes.await(ghost.close());
      TestNodes.await(vertx.close());
    }
  }

  @Test
  void endingSessionsOnOneNodeClosesTheUsersSocketsOnTheOther() {
    try (WsClient mia = n2.connect(n2.token(MIA))) {
      ok(mia.join("realtime:user:" + MIA));
      sleep(1100); // the token's iat is a whole second before the end
      TestHub.HttpResult res = n1.request(HttpMethod.POST, "/api/v1/admin/users/" + MIA + "/sessions/end",
          n1.token(AVA), REASON);
      assertEquals(200, res.status(), res.body());
      assertTrue(mia.awaitClosed(Duration.ofSeconds(10)), "Mia's socket on the other node closed");
      assertEquals((short) 4001, mia.closeStatus());
      assertTrue(mia.closeReason().contains("Ava Admin"), mia.closeReason());
    }
    TestHub.HttpResult audit = n2.request(HttpMethod.GET, "/api/v1/admin/audit?action=end_sessions", n2.token(AVA),
        null);
    assertTrue(audit.json().getJsonArray("entries").stream().map(o -> (JsonObject) o)
        .anyMatch(e -> e.getString("target").equals("user:" + MIA)), audit.body());
    assertEquals(403, n2.request(HttpMethod.POST, "/api/v1/admin/users/" + MIA + "/sessions/end", n2.token(EMMA),
        REASON).status());
  }

  @Test
  void anAdminOnOneNodeBreaksALockHeldThroughTheOtherAndWatchesTheFormReadOnly() {
    UUID form = TestForms.create("Cluster admin", "names:text");
    String topic = "realtime:form:" + form;
    try (WsClient emma = n2.connect(EMMA); WsClient ava = n1.connect(AVA)) {
      ok(emma.join(topic));
      ok(ava.join(topic));
      ok(emma.request(topic, "field:lock", new JsonObject().put("field", "names")));
      ok(emma.request(topic, "field:set", new JsonObject().put("field", "names").put("value", "from n2")
          .put("base_version", 0).put("op_id", "cluster-admin-1")));
      JsonArray changed = ava.await(a -> topic.equals(a.getString(2)) && "field:changed".equals(a.getString(3)),
          Duration.ofSeconds(10));
      assertEquals("from n2", changed.getJsonObject(4).getValue("value"));
      error(ava.request(topic, "field:set", new JsonObject().put("field", "names").put("value", "x")
          .put("base_version", 1).put("op_id", "cluster-admin-2")), "forbidden");

      assertEquals(403, n1.request(HttpMethod.POST, "/api/v1/admin/forms/" + form + "/locks/names/break",
          n1.token(EMMA), REASON).status());
      TestHub.HttpResult res = n1.request(HttpMethod.POST, "/api/v1/admin/forms/" + form + "/locks/names/break",
          n1.token(AVA), REASON);
      assertEquals(200, res.status(), res.body());
      emma.await(a -> topic.equals(a.getString(2)) && "field:unlocked".equals(a.getString(3))
          && "broken".equals(a.getJsonObject(4).getString("reason")), Duration.ofSeconds(10));
    }
    TestHub.HttpResult audit = n2.request(HttpMethod.GET, "/api/v1/admin/audit?action=break_lock", n2.token(AVA),
        null);
    assertTrue(audit.json().getJsonArray("entries").stream().map(o -> (JsonObject) o)
        .anyMatch(e -> e.getString("target").equals("form:" + form + "/names")), audit.body());
  }

  static JsonObject perNode(JsonObject health, TestHub node) {
    for (Object o : health.getJsonArray("nodes")) {
      JsonObject n = (JsonObject) o;
      if (n.getString("node").equals(node.hub.config().nodeId())) return n;
    }
    return new JsonObject().put("connections", -1L);
  }

  static JsonObject alert(JsonObject health, String name) {
    for (Object o : health.getJsonArray("alerts")) {
      if (name.equals(((JsonObject) o).getString("name"))) return (JsonObject) o;
    }
    return null;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
