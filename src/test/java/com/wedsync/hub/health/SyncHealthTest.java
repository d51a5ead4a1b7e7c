package com.wedsync.hub.health;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Sync health on one node: {@code GET /api/v1/admin/sync-health} moves with what clients do (connections, channels,
 * messages, delivery latency, locks), {@code admin:health} pushes it to admins only, an outbox dead letter raises an
 * alert with its since-time, and every metric the Prometheus alerting rules name is one {@code /metrics} exposes.
 */
class SyncHealthTest {
  static final UUID AVA = UUID.fromString("11111111-0000-0000-0000-000000000015");
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("100"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  static JsonObject health() {
    TestHub.HttpResult res = hub.request(HttpMethod.GET, "/api/v1/admin/sync-health", hub.token(AVA), null);
    assertEquals(200, res.status(), res.body());
    return res.json();
  }

  static JsonObject eventually(Predicate<JsonObject> check, String what) {
    long deadline = System.currentTimeMillis() + 20_000;
    JsonObject last = null;
    while (System.currentTimeMillis() < deadline) {
      last = health();
      if (check.test(last)) return last;
      sleep(200);
    }
    throw new AssertionError("timed out waiting for " + what + "; last: " + (last == null ? null
        : last.copy().put("history", "…").encode()));
  }

  @Test
  void theNumbersMoveWhenClientsConnectEditAndLock() {
    // The first snapshot may predate the first PostgreSQL ping (status unknown): wait for one with its answer.
    JsonObject before = eventually(h -> h.getJsonArray("nodes").size() == 1 && "ok".equals(h.getJsonArray("nodes")
        .getJsonObject(0).getJsonObject("postgres").getString("status")), "this node's snapshot with a ping answer");
    JsonObject node = before.getJsonArray("nodes").getJsonObject(0);
    assertEquals(hub.hub.config().nodeId(), node.getString("node"));
    assertEquals("up", node.getString("status"));
    assertEquals("ok", node.getJsonObject("postgres").getString("status"));
    assertTrue(node.getJsonObject("postgres").getDouble("latency_ms") >= 0);
    assertEquals("not_used", node.getJsonObject("redis").getString("status"));
    long connections = before.getJsonObject("total").getLong("connections");
    long messagesIn = window(before, "1m").getLong("messages_in");
    long granted = window(before, "1m").getJsonObject("locks").getLong("granted");

    UUID form = TestForms.create("Sync health", "names:text");
    String topic = "realtime:form:" + form;
    try (WsClient emma = hub.connect(EMMA); WsClient sarah = hub.connect(SARAH)) {
      ok(emma.join(topic));
      ok(sarah.join(topic));
      JsonObject lock = ok(emma.request(topic, "field:lock", new JsonObject().put("field", "names")));
      for (int i = 1; i <= 5; i++) {
        ok(emma.request(topic, "field:set", new JsonObject().put("field", "names").put("value", "v" + i)
            .put("base_version", i - 1).put("op_id", "sync-health-" + i).put("lock_token", lock.getLong("token"))));
      }
      error(sarah.request(topic, "field:lock", new JsonObject().put("field", "names")), "locked");
      JsonObject after = eventually(h -> h.getJsonObject("total").getLong("connections") >= connections + 2
          && window(h, "1m").getLong("messages_in") >= messagesIn + 9
          && window(h, "1m").getJsonObject("locks").getLong("granted") >= granted + 1
          && window(h, "1m").getJsonObject("locks").getLong("denied") >= 1
          && window(h, "1m").getLong("deliveries") > 0, "connections, messages, locks and deliveries counted");
      JsonObject total = after.getJsonObject("total");
      assertTrue(total.getLong("channels") >= 2, total.encode());
      JsonObject latency = window(after, "1m").getJsonObject("latency_ms");
      assertNotNull(latency, "delivery latency measured");
      assertTrue(latency.getDouble("p50") <= latency.getDouble("p99"), latency.encode());
      assertTrue(latency.getDouble("p99") < 2_000, "a local delivery takes less than 2 s: " + latency.encode());
      assertTrue(window(after, "1m").getDouble("field_writes") >= 5);
      assertTrue(window(after, "5m").getLong("messages_in") >= window(after, "1m").getLong("messages_in"));
      // The 15 minutes of history, a point a second, end with the numbers of now.
      JsonArray points = after.getJsonObject("history").getJsonArray("points");
      assertFalse(points.isEmpty());
      assertEquals(total.getLong("connections"), points.getJsonObject(points.size() - 1).getLong("connections"));
    }
    eventually(h -> h.getJsonObject("total").getLong("connections") == connections, "the connections closed");
  }

  @Test
  void adminHealthPushesTheSnapshotToAdminsOnlyAndIsReadOnly() {
    try (WsClient emma = hub.connect(EMMA); WsClient ava = hub.connect(AVA)) {
      JsonObject refused = error(emma.join("realtime:admin:health"), "forbidden");
      assertTrue(refused.getString("detail").contains("admin:health"), refused.encode());
      ok(ava.join("realtime:admin:health"));
      // Pushed every second: one soon counts both sockets.
      JsonArray push = ava.await(a -> "realtime:admin:health".equals(a.getString(2))
          && "health".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("total").getLong("connections") >= 2, Duration.ofSeconds(10));
      JsonObject view = push.getJsonObject(4);
      assertEquals(hub.hub.config().nodeId(), view.getJsonArray("nodes").getJsonObject(0).getString("node"));
      assertEquals(view.getJsonObject("total").getLong("connections"),
          view.getJsonObject("point").getLong("connections"));
      // Another push a second or so later: it is live.
      ava.await(a -> "realtime:admin:health".equals(a.getString(2)) && "health".equals(a.getString(3))
          && !a.getJsonObject(4).getString("at").equals(view.getString("at")), Duration.ofSeconds(10));
      error(ava.request("realtime:admin:health", "broadcast", new JsonObject().put("type", "broadcast")
          .put("event", "x").put("payload", new JsonObject())), "forbidden");
    }
  }

  @Test
  void anOutboxDeadLetterRaisesAnAlertWithItsSinceTimeUntilItIsGone() {
    String marker = "sync-health-test-" + UUID.randomUUID();
    // Other tests of the suite may have left dead deliveries (the alert then fires already, since earlier).
    long deadBefore = deadLetters();
    TestPostgres.execute("""
        insert into notifications (id, recipient_id, type, title, body, data, priority)
        values ('%s', '%s', 'test', 'dead letter', '%s', '{}', 'normal');
        insert into notification_outbox (notification_id, channel, recipient_id, payload, status, attempts, last_error)
        values ('%s', 'email', '%s', '{}', 'dead', 5, '%s');""".formatted(NOTIFICATION, EMMA, marker, NOTIFICATION,
        EMMA, marker));
    try {
      Instant inserted = Instant.now();
      JsonObject h = eventually(x -> alert(x, "outbox_dead_letters") != null
          && alert(x, "outbox_dead_letters").getLong("value") >= deadBefore + 1, "the dead-letter alert");
      JsonObject alert = alert(h, "outbox_dead_letters");
      Instant since = Instant.parse(alert.getString("since"));
      assertFalse(since.isAfter(Instant.now()), alert.encode());
      if (deadBefore == 0) assertFalse(since.isBefore(inserted.minusSeconds(1)), "firing since the insert: " + alert);
      assertTrue(h.getJsonObject("record").getJsonObject("outbox").getLong("dead_letters") >= 1);
      // Still firing a moment later, with the same since-time.
      sleep(1500);
      assertEquals(alert.getString("since"), alert(health(), "outbox_dead_letters").getString("since"));
    } finally {
      TestPostgres.execute("delete from notification_outbox where last_error = '" + marker + "';"
          + "delete from notifications where id = '" + NOTIFICATION + "'");
    }
    if (deadLetters() == 0) eventually(x -> alert(x, "outbox_dead_letters") == null, "the alert to clear");
  }

  static final UUID NOTIFICATION = UUID.randomUUID();

  static long deadLetters() {
    return ((Number) TestPostgres.query("select count(*) as n from notification_outbox where status = 'dead'")
        .get(0).get("n")).longValue();
  }

  /** Every metric an expression of deploy/prometheus/alerts.yml names is on /metrics (Prometheus's own up aside). */
  @Test
  void thePrometheusRulesNameOnlyMetricsTheHubExposes() throws Exception {
    // Meters that appear with their first increment: an inbound message and an error.
    try (WsClient emma = hub.connect(EMMA)) {
      error(emma.join("realtime:no-such-channel"), "not_found");
    }
    String metrics = hub.request(HttpMethod.GET, "/metrics", null, null).body();
    Set<String> exposed = new TreeSet<>();
    for (String line : metrics.split("\n")) {
      if (line.isEmpty() || line.startsWith("#")) continue;
      exposed.add(line.split("[{ ]", 2)[0]);
    }
    String rules = Files.readString(Path.of("deploy/prometheus/alerts.yml"));
    List<String> expressions = expressions(rules);
    assertEquals(6, expressions.size(), "one expression per alerting rule: " + expressions);
    Set<String> promql = Set.of("sum", "max", "min", "rate", "increase", "by", "without", "and", "or", "unless",
        "count", "avg", "absent", "on", "ignoring");
    for (String expr : expressions) {
      // Label matchers, ranges and grouping labels name no metric.
      String bare = expr.replaceAll("\\{[^}]*}", "").replaceAll("\\[[^]]*]", "")
          .replaceAll("\\b(by|without|on|ignoring)\\s*\\([^)]*\\)", "");
      Matcher m = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*").matcher(bare);
      List<String> named = new ArrayList<>();
      while (m.find()) {
        String name = m.group();
        if (!promql.contains(name)) named.add(name);
      }
      assertFalse(named.isEmpty(), "the rule names a metric: " + expr);
      for (String name : named) {
        if (name.equals("up")) continue; // Prometheus's own series per scraped target
        assertTrue(exposed.contains(name), "'" + name + "' of `" + expr + "` is not on /metrics: " + exposed);
      }
    }
  }

  /** The expr of each rule: its value on the line, or the folded lines under {@code expr: >-}. */
  static List<String> expressions(String yaml) {
    List<String> out = new ArrayList<>();
    String[] lines = yaml.split("\n");
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (!line.startsWith("expr:")) continue;
      String value = line.substring(5).strip();
      if (!value.equals(">-")) {
        out.add(value);
        continue;
      }
      StringBuilder folded = new StringBuilder();
      int indent = lines[i].indexOf("expr:");
      while (i + 1 < lines.length && (lines[i + 1].isBlank() || lines[i + 1].indexOf(lines[i + 1].strip()) > indent)) {
        folded.append(' ').append(lines[++i].strip());
      }
      out.add(folded.toString().strip());
    }
    return out;
  }

  static JsonObject window(JsonObject health, String name) {
    return health.getJsonObject("total").getJsonObject("windows").getJsonObject(name);
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
