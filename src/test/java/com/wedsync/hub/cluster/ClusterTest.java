package com.wedsync.hub.cluster;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.support.HubProcess;
import com.wedsync.hub.support.OtClient;
import com.wedsync.hub.support.TestForms;
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
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three hub nodes (separate JVMs) sharing one Redis and one PostgreSQL: what a client sees does not depend on the node
 * it landed on, and a node killed with SIGKILL, or Redis restarting, loses nothing accepted.
 */
class ClusterTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID JAMES = UUID.fromString("11111111-0000-0000-0000-000000000002");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final UUID COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final String LENS_FORM = "55555555-0000-0000-0000-000000000001";
  static final String LENS_CLIENTS = "supplier:22222222-0000-0000-0000-000000000001:clients";

  static TestRedis redis;
  static Vertx client;
  static DevTokens tokens;
  static HubProcess n1, n2;

  static Map<String, String> clusterEnv(String saveIntervalMs) {
    return Map.of("WEDSYNC_HUB_CLUSTER_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_URL", redis.url(),
        "WEDSYNC_HUB_CLUSTER_PRESENCE_TTL_MS", "6000", "WEDSYNC_HUB_CLUSTER_NODE_TTL_MS", "4000",
        "WEDSYNC_HUB_FORMS_LOCK_LEASE_MS", "3000", "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", saveIntervalMs,
        "WEDSYNC_HUB_FORMS_SAVE_RETRY_MAX_MS", "1000",
        "WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "10000", "WEDSYNC_HUB_SOCKET_RATE_BURST", "10000");
  }

  @BeforeAll
  static void start() {
    TestPostgres.get();
    redis = TestRedis.start();
    client = Vertx.vertx();
    tokens = new DevTokens(client, HubConfig.load(Map.of()).auth().hs256Secret());
    n1 = HubProcess.start("n1", clusterEnv("300"));
    n2 = HubProcess.start("n2", clusterEnv("300"));
  }

  @AfterAll
  static void stop() {
    n1.close();
    n2.close();
    client.close();
    redis.close();
  }

  static WsClient on(HubProcess node, UUID user) {
    return WsClient.connect(client, node.wsUrl(tokens.user(user, 3600)));
  }

  private static JsonObject track() {
    return new JsonObject().put("type", "presence").put("event", "track").put("payload", new JsonObject());
  }

  @Test
  void presenceAndBroadcastCrossNodes() {
    String topic = "realtime:form:" + TestForms.create("cluster presence", "a:text");
    try (WsClient emma = on(n1, EMMA); WsClient sarah = on(n2, SARAH)) {
      emma.join(topic);
      sarah.join(topic);
      emma.request(topic, "presence", track());
      sarah.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("joins").containsKey(EMMA.toString()), Duration.ofSeconds(5));
      try (WsClient james = on(n1, JAMES)) {
        james.join(topic);
        JsonObject state = james.awaitEvent(topic, "presence_state").getJsonObject(4);
        assertTrue(state.containsKey(EMMA.toString()), "state from Redis includes the other node's user: " + state);
      }
      sarah.request(topic, "broadcast", new JsonObject().put("type", "broadcast").put("event", "wave")
          .put("payload", new JsonObject().put("from", "n2")));
      JsonArray got = emma.await(a -> "broadcast".equals(a.getString(3)), Duration.ofSeconds(5));
      assertEquals("n2", got.getJsonObject(4).getJsonObject("payload").getString("from"));
      emma.close();
      sarah.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("leaves").containsKey(EMMA.toString()), Duration.ofSeconds(5));
    }
  }

  @Test
  void locksAndEditsAreOneStateAcrossNodes() throws Exception {
    UUID form = TestForms.create("cluster edits", "a:text", "n:number");
    String topic = "realtime:form:" + form;
    try (WsClient emma = on(n1, EMMA); WsClient sarah = on(n2, SARAH)) {
      emma.join(topic);
      sarah.join(topic);
      JsonObject lock = emma.request(topic, "field:lock", new JsonObject().put("field", "a"));
      assertEquals("ok", lock.getString("status"), lock.encode());
      sarah.awaitEvent(topic, "field:locked");
      JsonObject denied = sarah.request(topic, "field:lock", new JsonObject().put("field", "a"));
      assertEquals("locked", denied.getJsonObject("response").getString("reason"));
      JsonObject set = emma.request(topic, "field:set", new JsonObject().put("field", "a").put("value", "hello")
          .put("base_version", 0).put("op_id", "c-" + form).put("lock_token",
              lock.getJsonObject("response").getLong("token")));
      assertEquals(1, set.getJsonObject("response").getLong("version"));
      JsonObject changed = sarah.awaitEvent(topic, "field:changed").getJsonObject(4);
      assertEquals("hello", changed.getString("value"));
      // the same op id through the other node is the same op
      JsonObject again = sarah.request(topic, "field:set", new JsonObject().put("field", "n").put("value", 5)
          .put("base_version", 0).put("op_id", "n-" + form));
      assertEquals(1, again.getJsonObject("response").getLong("version"));
      JsonObject conflict = emma.request(topic, "field:set", new JsonObject().put("field", "n").put("value", 6)
          .put("base_version", 0).put("op_id", "n2-" + form));
      assertEquals("conflict", conflict.getJsonObject("response").getString("reason"), "versions are shared");
      sarah.await(a -> "field:saved".equals(a.getString(3)) && "a".equals(a.getJsonObject(4).getString("field")),
          Duration.ofSeconds(10));
      assertEquals("\"hello\"@1", stored(form, "a"));
      // the lease lapses on schedule, announced once to each client
      JsonArray expired = sarah.await(a -> "field:unlocked".equals(a.getString(3)), Duration.ofSeconds(6));
      assertEquals("expired", expired.getJsonObject(4).getString("reason"));
      sarah.assertNone(a -> "field:unlocked".equals(a.getString(3)), Duration.ofMillis(700));
    }
  }

  @Test
  void aCouplesClientStatusIsOneStateAcrossNodes() throws Exception {
    awaitListed(n1, "the couple offline before it starts", c -> !"online".equals(c.getString("status")));
    try (WsClient sarah = on(n1, SARAH)) {
      sarah.join(LENS_CLIENTS);
      WsClient emma = on(n2, EMMA);
      clientStatus(sarah, c -> "online".equals(c.getString("status")));
      emma.join("form:" + LENS_FORM);
      clientStatus(sarah, c -> LENS_FORM.equals(c.getString("filling_form_id")));
      JsonObject listed = awaitListed(n1, "n1 lists what n2's client does", c -> LENS_FORM.equals(
          c.getString("filling_form_id")));
      assertEquals("online", listed.getString("status"));
      // A second member on the other node: the couple stays online when the first leaves, offline when both have.
      WsClient james = on(n1, JAMES);
      emma.close();
      clientStatus(sarah, c -> "online".equals(c.getString("status")) && c.getValue("filling_form_id") == null);
      james.close();
      clientStatus(sarah, c -> "recent".equals(c.getString("status")));
    }
  }

  /**
   * Waits for the couple's {@code client:status} that {@code test} expects. Earlier ones may come first: a node that
   * saw a change publishes it after a database read, so an earlier test's last events can still be under way.
   */
  static JsonObject clientStatus(WsClient watcher, java.util.function.Predicate<JsonObject> test) {
    return watcher.await(a -> LENS_CLIENTS.equals(a.getString(2)) && "client:status".equals(a.getString(3))
        && COUPLE.toString().equals(a.getJsonObject(4).getString("couple_id")) && test.test(a.getJsonObject(4)),
        Duration.ofSeconds(15)).getJsonObject(4);
  }

  /** Reads Lens & Light's client list from {@code node} until the couple's row passes {@code test}. */
  static JsonObject awaitListed(HubProcess node, String what, java.util.function.Predicate<JsonObject> test)
      throws Exception {
    var http = java.net.http.HttpClient.newHttpClient();
    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + node.port
            + "/api/v1/suppliers/22222222-0000-0000-0000-000000000001/clients"))
        .header("Authorization", "Bearer " + tokens.user(SARAH, 3600)).build();
    long deadline = System.currentTimeMillis() + 15_000;
    JsonObject row = null;
    while (System.currentTimeMillis() < deadline) {
      var response = http.send(request, java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode(), response.body());
      for (Object c : new JsonObject(response.body()).getJsonArray("clients")) {
        if (COUPLE.toString().equals(((JsonObject) c).getString("couple_id"))) row = (JsonObject) c;
      }
      if (row != null && test.test(row)) return row;
      Thread.sleep(100);
    }
    throw new AssertionError(what + ": last row " + row);
  }

  @Test
  void aKilledNodeLosesNothingAcceptedAndItsGhostsAndLocksGo() throws Exception {
    UUID form = TestForms.create("cluster crash", "a:text", "b:text");
    String topic = "realtime:form:" + form;
    // n3 keeps its changes pending for a minute: only the survivors can write them to PostgreSQL.
    HubProcess n3 = HubProcess.start("n3", clusterEnv("60000"));
    awaitListed(n1, "the couple offline before it starts", c -> !"online".equals(c.getString("status")));
    try (WsClient sarah = on(n1, SARAH)) {
      sarah.join(topic);
      sarah.join(LENS_CLIENTS);
      WsClient emma = on(n3, EMMA);
      clientStatus(sarah, c -> "online".equals(c.getString("status")));
      emma.join(topic);
      emma.request(topic, "presence", track());
      sarah.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("joins").containsKey(EMMA.toString()), Duration.ofSeconds(5));
      JsonObject lock = emma.request(topic, "field:lock", new JsonObject().put("field", "b"));
      long leaseEnd = java.time.Instant.parse(lock.getJsonObject("response").getString("expires_at")).toEpochMilli();
      for (int i = 0; i < 5; i++) {
        JsonObject r = emma.request(topic, "field:set", new JsonObject().put("field", "a").put("value", "v" + i)
            .put("base_version", i).put("op_id", "crash-" + i + form));
        assertEquals("ok", r.getString("status"), r.encode());
      }
      long killedAt = System.currentTimeMillis();
      n3.kill();
      JsonArray unlocked = sarah.await(a -> "field:unlocked".equals(a.getString(3)), Duration.ofSeconds(10));
      assertEquals("expired", unlocked.getJsonObject(4).getString("reason"));
      assertTrue(System.currentTimeMillis() <= leaseEnd + 1000, "released by lease end + 1 s although its node died");
      sarah.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("leaves").containsKey(EMMA.toString()), Duration.ofSeconds(15));
      assertTrue(System.currentTimeMillis() - killedAt < 15_000, "the ghost left within 15 s");
      // The survivor that cleaned up after n3 tells Emma's suppliers that their client went offline.
      clientStatus(sarah, c -> "recent".equals(c.getString("status")));
      // Emma's client reconnects to a surviving node and replays the ops it had not seen saved: each is answered with
      // its first outcome, none is applied twice.
      try (WsClient back = on(n1, EMMA)) {
        back.join(topic);
        for (int i = 0; i < 5; i++) {
          JsonObject replay = back.request(topic, "field:set", new JsonObject().put("field", "a").put("value", "v" + i)
              .put("base_version", i).put("op_id", "crash-" + i + form));
          assertEquals("ok", replay.getString("status"), replay.encode());
          assertEquals(i + 1, replay.getJsonObject("response").getLong("version"), "the first outcome, not a new one");
        }
      }
      // every accepted change reached PostgreSQL through the survivors
      long deadline = System.currentTimeMillis() + 15_000;
      while (!"\"v4\"@5".equals(stored(form, "a")) && System.currentTimeMillis() < deadline) Thread.sleep(200);
      assertEquals("\"v4\"@5", stored(form, "a"));
      assertEquals(5, revisions(form));
    } finally {
      n3.kill();
    }
  }

  @Test
  void deliveryResumesAfterRedisRestartsAndNothingAcceptedIsLost() throws Exception {
    UUID form = TestForms.create("cluster redis restart", "a:text");
    String topic = "realtime:form:" + form;
    try (WsClient emma = on(n1, EMMA); WsClient sarah = on(n2, SARAH)) {
      emma.join(topic);
      sarah.join(topic);
      JsonObject before = emma.request(topic, "field:set", new JsonObject().put("field", "a").put("value", "before")
          .put("base_version", 0).put("op_id", "rr-0" + form));
      assertEquals("ok", before.getString("status"));
      redis.stop();
      Thread.sleep(1000);
      redis.restart();
      long restarted = System.currentTimeMillis();
      JsonArray got = null;
      while (got == null && System.currentTimeMillis() - restarted < 5000) {
        emma.send(null, emma.nextRef(), topic, "broadcast", new JsonObject().put("type", "broadcast")
            .put("event", "ping").put("payload", new JsonObject()));
        got = sarah.poll(a -> "broadcast".equals(a.getString(3)));
        Thread.sleep(100);
        if (got == null) got = sarah.poll(a -> "broadcast".equals(a.getString(3)));
      }
      assertTrue(got != null, "cross-node delivery resumed within 5 s of Redis coming back");
      JsonObject after = emma.request(topic, "field:set", new JsonObject().put("field", "a").put("value", "after")
          .put("base_version", 1).put("op_id", "rr-1" + form));
      assertEquals("ok", after.getString("status"), after.encode());
      long deadline = System.currentTimeMillis() + 15_000;
      while (!"\"after\"@2".equals(stored(form, "a")) && System.currentTimeMillis() < deadline) Thread.sleep(200);
      assertEquals("\"after\"@2", stored(form, "a"));
      assertEquals(2, revisions(form));
    }
  }

  @Test
  void concurrentTextOpsThroughDifferentNodesConverge() throws Exception {
    UUID form = TestForms.create("cluster text", "story:textarea");
    String topic = "realtime:form:" + form;
    java.util.List<OtClient> editors = new java.util.ArrayList<>();
    UUID[] people = {EMMA, JAMES, SARAH, EMMA, JAMES, SARAH};
    String run = UUID.randomUUID().toString().substring(0, 6);
    for (int i = 0; i < people.length; i++) {
      WsClient ws = on(i % 2 == 0 ? n1 : n2, people[i]);
      ws.join(topic);
      editors.add(new OtClient(i, ws, topic, "story", run));
    }
    java.util.Random r = new java.util.Random(7);
    java.util.List<String> markers = new java.util.ArrayList<>();
    try {
      for (int step = 0; step < 200; step++) {
        OtClient e = editors.get(r.nextInt(editors.size()));
        if (r.nextBoolean()) {
          var op = com.wedsync.hub.form.text.RandomTextOps.markerSafeOp(r, e.text, markers, "n" + e.id + "-" + step);
          if (!op.isNoop()) e.edit(op);
        } else {
          e.drain();
        }
      }
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        editors.forEach(OtClient::drain);
        long max = editors.stream().mapToLong(x -> x.version).max().orElse(0);
        if (editors.stream().allMatch(x -> x.idle() && x.version == max)) break;
        Thread.sleep(5);
      }
      OtClient first = editors.get(0);
      for (OtClient e : editors) assertEquals(first.text, e.text, "client " + e.id + " converged");
      for (String m : markers) assertTrue(first.text.contains(m), "insert " + m + " kept");
      long deadlineSaved = System.currentTimeMillis() + 10_000;
      while (!stored(form, "story").endsWith("@" + first.version) && System.currentTimeMillis() < deadlineSaved) {
        Thread.sleep(100);
      }
      assertEquals(new JsonArray().add(first.text).encode().replaceAll("^\\[|]$", "") + "@" + first.version,
          stored(form, "story"));
    } finally {
      editors.forEach(e -> e.ws.close());
    }
  }

  @Test
  void theSameLockIsNeverHeldTwiceUnderAStormAcrossNodes() {
    UUID form = TestForms.create("cluster storm", "hot:text");
    String topic = "realtime:form:" + form;
    java.util.List<WsClient> clients = new java.util.ArrayList<>();
    UUID[] people = {EMMA, JAMES, SARAH};
    try {
      for (int i = 0; i < 18; i++) {
        WsClient c = on(i % 2 == 0 ? n1 : n2, people[i % 3]);
        c.join(topic);
        clients.add(c);
      }
      java.util.List<String> refs = new java.util.ArrayList<>();
      for (WsClient c : clients) {
        String ref = c.nextRef();
        refs.add(ref);
        c.send(null, ref, topic, "field:lock", new JsonObject().put("field", "hot"));
      }
      java.util.Set<String> holders = new java.util.HashSet<>();
      int granted = 0;
      for (int i = 0; i < clients.size(); i++) {
        JsonObject reply = clients.get(i).replyTo(refs.get(i));
        if ("ok".equals(reply.getString("status"))) {
          granted++;
          holders.add(people[i % 3].toString());
        } else {
          assertEquals("locked", reply.getJsonObject("response").getString("reason"));
        }
      }
      // A user re-locking replaces their own lease, so several grants may go to one user; never to two users.
      assertEquals(1, holders.size(), "one holder across both nodes, granted " + granted + " time(s)");
    } finally {
      clients.forEach(WsClient::close);
    }
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
}
