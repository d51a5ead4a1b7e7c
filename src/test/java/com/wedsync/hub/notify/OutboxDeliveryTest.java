package com.wedsync.hub.notify;

import com.sun.net.httpserver.HttpServer;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The transactional outbox delivered to webhooks (docs/protocol.md §6): a receiver that fails or is down loses nothing, every
 * delivery is answered successfully exactly once (keyed by the {@code Idempotency-Key} header = outbox id), a delivery
 * that keeps failing ends {@code dead} after the configured attempts, and two hub nodes polling one database never
 * deliver a row twice. The receiver is a plain JDK HTTP server on a free port of 127.0.0.1.
 */
class OutboxDeliveryTest {

  /** A webhook receiver: records every request; fails "flaky" deliveries twice and "dead" ones always. */
  static final class Receiver implements AutoCloseable {
    record Request(String key, String path, int status, JsonObject body) {}

    final List<Request> requests = new CopyOnWriteArrayList<>();
    final Map<String, Integer> seen = new ConcurrentHashMap<>();
    final HttpServer server;
    final long delayMs;

    Receiver(int port, long delayMs) throws IOException {
      this.delayMs = delayMs;
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
      server.setExecutor(Executors.newFixedThreadPool(8));
      server.createContext("/", exchange -> {
        String body;
        try (InputStream in = exchange.getRequestBody()) {
          body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        JsonObject json = new JsonObject(body);
        String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        int attempt = seen.merge(key, 1, Integer::sum);
        String title = json.getString("title", "");
        int status = title.startsWith("dead") ? 500 : title.startsWith("flaky") && attempt <= 2 ? 503 : 200;
        if (delayMs > 0) sleep(delayMs);
        requests.add(new Request(key, exchange.getRequestURI().getPath(), status, json));
        exchange.sendResponseHeaders(status, -1);
        exchange.close();
      });
      server.start();
    }

    int port() {
      return server.getAddress().getPort();
    }

    String url(String path) {
      return "http://127.0.0.1:" + port() + path;
    }

    List<Request> of(String key) {
      return requests.stream().filter(r -> key.equals(r.key())).toList();
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  static Map<String, String> delivery(int port, Map<String, String> more) {
    Map<String, String> env = new HashMap<>(Map.of(
        "WEDSYNC_HUB_DELIVERY_EMAIL_URL", "http://127.0.0.1:" + port + "/email",
        "WEDSYNC_HUB_DELIVERY_SMS_URL", "http://127.0.0.1:" + port + "/sms",
        "WEDSYNC_HUB_DELIVERY_PUSH_URL", "http://127.0.0.1:" + port + "/push",
        "WEDSYNC_HUB_DELIVERY_POLL_INTERVAL_MS", "50", "WEDSYNC_HUB_DELIVERY_BACKOFF_BASE_MS", "50",
        "WEDSYNC_HUB_DELIVERY_BACKOFF_MAX_MS", "300", "WEDSYNC_HUB_DELIVERY_REQUEST_TIMEOUT_MS", "2000"));
    env.putAll(more);
    return env;
  }

  static List<UUID> users(int n) {
    List<UUID> out = new ArrayList<>();
    StringBuilder sql = new StringBuilder("insert into users (id, email, name) values ");
    for (int i = 0; i < n; i++) {
      UUID u = UUID.randomUUID();
      out.add(u);
      sql.append(i == 0 ? "" : ", ").append("('").append(u).append("', '").append(u).append("@outbox.example', 'O')");
    }
    TestPostgres.execute(sql.toString());
    return out;
  }

  static void notify(TestHub hub, List<UUID> users, String title) {
    JsonArray ids = new JsonArray();
    users.forEach(u -> ids.add(u.toString()));
    var r = hub.request(HttpMethod.POST, "/api/v1/notifications", hub.tokens.service(3600), new JsonObject()
        .put("user_ids", ids).put("type", "payment_received").put("title", title).put("priority", "critical"));
    assertEquals(201, r.status(), r.body());
    assertEquals(users.size() * 3, r.json().getInteger("queued"), r.body());
  }

  /** The outbox rows for these users, once every one of them satisfies {@code done}. */
  static List<Map<String, Object>> awaitRows(List<UUID> users, Predicate<Map<String, Object>> done, long timeoutMs) {
    StringBuilder in = new StringBuilder();
    users.forEach(u -> in.append(in.length() == 0 ? "'" : ", '").append(u).append("'"));
    String sql = "select id, channel, status, attempts, last_error, claimed_by from notification_outbox "
        + "where recipient_id in (" + in + ") order by id";
    long deadline = System.currentTimeMillis() + timeoutMs;
    List<Map<String, Object>> rows;
    do {
      rows = TestPostgres.query(sql);
      if (!rows.isEmpty() && rows.stream().allMatch(done)) return rows;
      sleep(50);
    } while (System.currentTimeMillis() < deadline);
    throw new AssertionError("outbox rows did not get there in " + timeoutMs + " ms: " + rows);
  }

  @Test
  void aFailingReceiverGetsEveryDeliveryExactlyOnceAfterRetries() throws Exception {
    try (Receiver receiver = new Receiver(0, 0);
         TestHub hub = TestHub.start(delivery(receiver.port(), Map.of("WEDSYNC_HUB_DELIVERY_MAX_ATTEMPTS", "6")))) {
      List<UUID> users = users(3);
      notify(hub, users, "flaky deposit");
      List<Map<String, Object>> rows = awaitRows(users, r -> "delivered".equals(r.get("status")), 20_000);
      assertEquals(9, rows.size());
      Set<String> channels = new HashSet<>();
      for (Map<String, Object> row : rows) {
        String key = row.get("id").toString();
        List<Receiver.Request> got = receiver.of(key);
        // Two refusals, then one success — never a second success.
        assertEquals(List.of(503, 503, 200), got.stream().map(Receiver.Request::status).toList(), key);
        assertEquals(3, row.get("attempts"));
        Receiver.Request ok = got.get(2);
        String channel = (String) row.get("channel");
        channels.add(channel);
        assertEquals("/" + channel, ok.path());
        assertEquals(Long.parseLong(key), ok.body().getLong("outbox_id"));
        assertEquals(3, ok.body().getInteger("attempt"));
        assertEquals(channel, ok.body().getString("channel"));
        assertEquals("flaky deposit", ok.body().getString("title"));
        assertTrue(users.contains(UUID.fromString(ok.body().getJsonObject("recipient").getString("user_id"))));
      }
      assertEquals(Set.of("email", "sms", "push"), channels);
      sleep(500);
      for (Map<String, Object> row : rows) assertEquals(3, receiver.of(row.get("id").toString()).size(), "no more");
      String metrics = hub.request(HttpMethod.GET, "/metrics", null, null).body();
      assertTrue(metrics.contains("hub_notification_deliveries_total{channel=\"sms\",outcome=\"delivered\"}"), metrics);
      assertTrue(metrics.contains("hub_notifications_stored_total"), metrics);
    }
  }

  @Test
  void aDeliveryThatKeepsFailingIsDeadAfterTheMaximumAttempts() throws Exception {
    try (Receiver receiver = new Receiver(0, 0);
         TestHub hub = TestHub.start(delivery(receiver.port(), Map.of("WEDSYNC_HUB_DELIVERY_MAX_ATTEMPTS", "4")))) {
      List<UUID> users = users(1);
      notify(hub, users, "dead letter");
      List<Map<String, Object>> rows = awaitRows(users, r -> "dead".equals(r.get("status")), 20_000);
      assertEquals(3, rows.size());
      sleep(600);
      for (Map<String, Object> row : rows) {
        assertEquals(4, row.get("attempts"));
        assertEquals("webhook answered HTTP 500", row.get("last_error"));
        assertEquals(4, receiver.of(row.get("id").toString()).size(), "no attempt after dead");
      }
      String metrics = hub.request(HttpMethod.GET, "/metrics", null, null).body();
      assertTrue(metrics.contains("hub_notification_deliveries_total{channel=\"email\",outcome=\"dead\"} 1.0"),
          metrics);
    }
  }

  @Test
  void aReceiverThatIsDownLosesNothingAndTwoNodesNeverDeliverTwice() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort(); // reserved, then left closed: the receiver is down
    }
    Map<String, String> env = delivery(port, Map.of("WEDSYNC_HUB_DELIVERY_MAX_ATTEMPTS", "100",
        "WEDSYNC_HUB_DELIVERY_BATCH_SIZE", "3", "WEDSYNC_HUB_DELIVERY_POLL_INTERVAL_MS", "30"));
    try (TestHub n1 = TestHub.start(env); TestHub n2 = TestHub.start(env)) {
      List<UUID> users = users(20);
      notify(n1, users, "deposit while down");
      awaitRows(users, r -> ((Integer) r.get("attempts")) >= 1 && r.get("last_error") != null, 20_000);

      try (Receiver receiver = new Receiver(port, 5)) {
        List<Map<String, Object>> rows = awaitRows(users, r -> "delivered".equals(r.get("status")), 30_000);
        assertEquals(60, rows.size());
        sleep(500);
        Set<Object> nodes = new HashSet<>();
        for (Map<String, Object> row : rows) {
          List<Receiver.Request> got = receiver.of(row.get("id").toString());
          assertEquals(1, got.size(), "delivered once: " + got);
          assertEquals(200, got.get(0).status());
          nodes.add(row.get("claimed_by"));
        }
        assertEquals(Set.of(n1.hub.config().nodeId(), n2.hub.config().nodeId()), nodes,
            "both nodes delivered a share");
      }
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
