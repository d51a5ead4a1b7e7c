package com.wedsync.hub.metrics;

import com.wedsync.hub.bus.BusCodec;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.WallClock;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestRedis;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 §4: one cluster-mode hub (so both the PostgreSQL and the Redis pools exist) after a little traffic —
 * two people on a form, a lock granted and one denied, a field set and delivered, a refused join, a saved batch —
 * scraped at {@code /metrics} while the sockets are open. Vert.x's and the JVM's meters are there, every latency is a
 * histogram with the fixed buckets, labels stay bounded, and every metric the Grafana dashboard queries exists.
 */
class MetricsTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final Path DASHBOARD = Path.of("deploy/grafana/wedsync-hub.json");
  /** A path no route knows: it must not become a label value. */
  static final String ODD_PATH = "/no-such-page-" + UUID.randomUUID();

  static TestRedis redis;
  static TestHub hub;
  static String scrape;

  @BeforeAll
  static void traffic() throws Exception {
    redis = TestRedis.start();
    hub = TestHub.clusterNode(redis, TestHub.editing("200"));
    String topic = "form:" + TestForms.create("metrics", "name:text");
    try (WsClient emma = hub.connect(EMMA); WsClient sarah = hub.connect(SARAH)) {
      ok(emma.join(topic));
      ok(sarah.join(topic));
      ok(emma.request(topic, "field:lock", new JsonObject().put("field", "name")));
      assertEquals("error", sarah.request(topic, "field:lock", new JsonObject().put("field", "name"))
          .getString("status"), "Emma holds the lock");
      ok(emma.request(topic, "field:set", new JsonObject().put("field", "name").put("value", "Lens & Light")
          .put("force", true).put("op_id", "metrics-" + UUID.randomUUID())));
      sarah.await(f -> topic.equals(f.getString(2)) && "field:changed".equals(f.getString(3)), Duration.ofSeconds(10));
      assertEquals("error", sarah.join("form:" + UUID.randomUUID()).getString("status"), "no such form");
      assertEquals(404, hub.request(HttpMethod.GET, ODD_PATH, null, null).status());
      // A GC pause is only recorded once one happens, and the save batch a moment after the set.
      System.gc();
      long deadline = System.currentTimeMillis() + 15_000;
      do {
        Thread.sleep(100);
        scrape = hub.request(HttpMethod.GET, "/metrics", null, null).body();
      } while ((!scrape.contains("jvm_gc_pause_seconds_count") || scrape.contains("hub_save_batch_seconds_count 0"))
          && System.currentTimeMillis() < deadline);
    }
  }

  @AfterAll
  static void stop() {
    hub.close();
    redis.close();
  }

  @Test
  void vertxHttpWebSocketPoolAndJvmMetersAreScraped() {
    for (String series : List.of(
        "vertx_http_server_requests_total{code=\"101\",endpoint=\"websocket\",method=\"GET\"}",
        "vertx_http_server_requests_total{code=\"404\",endpoint=\"static\",method=\"GET\"}",
        "vertx_http_server_active_ws_connections 2.0",
        "vertx_pool_in_use{pool_name=\"postgres\",pool_type=\"sql\"}",
        "vertx_pool_in_use{pool_name=\"redis\",pool_type=\"redis\"}",
        "vertx_pool_queue_pending{pool_name=\"redis-subscriber\",pool_type=\"redis\"}",
        "vertx_sql_processing_time_seconds_count",
        "vertx_redis_processing_time_seconds_count",
        "jvm_memory_used_bytes{area=\"heap\"",
        "jvm_gc_pause_seconds_count{",
        "jvm_threads_live_threads",
        "jvm_classes_loaded_classes",
        "process_cpu_usage",
        "process_files_open_files",
        "process_uptime_seconds",
        "hub_node{node=\"" + hub.hub.config().nodeId() + "\"} 1.0",
        "hub_locks_total{outcome=\"granted\"} 1.0",
        "hub_locks_total{outcome=\"denied\"} 1.0")) {
      assertTrue(scrape.contains(series), series + " in\n" + scrape);
    }
  }

  @Test
  void httpLabelsAreBounded() {
    assertFalse(scrape.contains(ODD_PATH.substring(1)), "a requested path became a label value");
    Pattern label = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    for (String line : scrape.lines().filter(l -> l.startsWith("vertx_http_server_")).toList()) {
      Matcher m = label.matcher(line);
      while (m.find()) {
        assertTrue(Set.of("code", "endpoint", "method", "le").contains(m.group(1)), line);
        if (m.group(1).equals("endpoint")) {
          assertTrue(Set.of("websocket", "longpoll", "api", "ops", "static").contains(m.group(2)), line);
        }
      }
    }
  }

  @Test
  void latenciesAreHistogramsWithTheFixedBuckets() {
    assertFalse(scrape.contains("quantile="), "no client-side percentiles (they cannot be aggregated across nodes)");
    for (String h : List.of("hub_delivery_seconds", "hub_join_seconds", "hub_save_batch_seconds",
        "vertx_http_server_response_time_seconds", "vertx_pool_queue_time_seconds", "vertx_pool_usage_seconds",
        "vertx_sql_processing_time_seconds", "vertx_redis_processing_time_seconds", "jvm_gc_pause_seconds")) {
      assertTrue(scrape.contains("# TYPE " + h + " histogram"), h + " is a histogram");
      for (String le : List.of("0.001", "0.002", "0.003", "0.005", "0.008", "0.01", "0.015", "0.025", "0.05", "0.1",
          "0.25", "0.5", "1.0", "2.0", "5.0", "10.0", "+Inf")) {
        assertTrue(Pattern.compile("(?m)^" + h + "_bucket\\{([^}]*,)?le=\"" + Pattern.quote(le) + "\"").matcher(scrape)
            .find(), h + " bucket le=" + le);
      }
    }
    // The field change reached Sarah: at least one delivery timed, every one within the +Inf bucket's count.
    double deliveries = value("hub_delivery_seconds_count");
    assertTrue(deliveries >= 1, "deliveries timed: " + deliveries);
    assertEquals(deliveries, value("hub_delivery_seconds_bucket{le=\"+Inf\"}"));
    assertTrue(value("hub_delivery_seconds_bucket{le=\"10.0\"}") == deliveries, "a local delivery under 10 s");
  }

  @Test
  void publicationTimeTravelsWithTheEventAcrossNodesAndThroughHistory() {
    ChannelEvent published = ChannelEvent.of("form:x", "field:changed", new JsonObject().put("value", 1));
    assertTrue(Math.abs(published.publishedAt() - WallClock.micros()) < 5_000_000, "epoch microseconds");
    ChannelEvent stamped = new StreamPosition(7, "e1").stamp(published);
    assertEquals(published.publishedAt(), stamped.publishedAt(), "numbered in history: same publication");
    ChannelEvent received = (ChannelEvent) BusCodec.decode(BusCodec.encode("node-a", stamped)).message();
    assertEquals(published.publishedAt(), received.publishedAt(), "decoded on another node");
    // A message from a node that does not send "at" yet (a rolling upgrade) counts as published on arrival.
    JsonObject old = new JsonObject(BusCodec.encode("node-a", published));
    old.remove("at");
    long before = WallClock.micros();
    assertTrue(((ChannelEvent) BusCodec.decode(old.encode()).message()).publishedAt() >= before);
  }

  @Test
  void everyMetricTheDashboardQueriesIsScraped() throws Exception {
    JsonObject dashboard = new JsonObject(Files.readString(DASHBOARD));
    List<String> exprs = new ArrayList<>();
    collectPanels(dashboard.getJsonArray("panels"), exprs);
    for (Object v : dashboard.getJsonObject("templating").getJsonArray("list")) {
      JsonObject variable = (JsonObject) v;
      if (variable.getString("type").equals("query")) exprs.add(variable.getString("definition"));
    }
    assertTrue(exprs.size() >= 30, "the dashboard's queries: " + exprs.size());
    Set<String> names = new TreeSet<>();
    for (String expr : exprs) {
      Set<String> used = PromQl.metricNames(expr);
      assertFalse(used.isEmpty(), "no metric in " + expr);
      names.addAll(used);
    }
    // The parser finds what the panels are about (so an empty result cannot pass).
    assertTrue(names.containsAll(List.of("hub_connections", "hub_messages_out_total", "hub_delivery_seconds_bucket",
        "hub_save_batch_rows_sum", "hub_save_backlog_oldest_seconds", "hub_locks_total", "hub_recoveries_total",
        "hub_errors_total", "vertx_pool_in_use", "jvm_gc_pause_seconds_bucket", "process_files_open_files",
        "hub_node")), names.toString());
    Set<String> scraped = new TreeSet<>();
    scrape.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
        .forEach(l -> scraped.add(l.split("[{ ]", 2)[0]));
    for (String name : names) assertTrue(scraped.contains(name), name + " is queried by the dashboard");
  }

  private static void collectPanels(JsonArray panels, List<String> exprs) {
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      if (panel.containsKey("panels")) collectPanels(panel.getJsonArray("panels"), exprs);
      JsonArray targets = panel.getJsonArray("targets");
      if (targets == null) continue;
      for (Object t : targets) exprs.add(((JsonObject) t).getString("expr"));
    }
  }

  /** The value of the one sample of {@code series} (name and labels as printed). */
  private static double value(String series) {
    return scrape.lines().filter(l -> l.startsWith(series + " ")).findFirst()
        .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
        .orElseThrow(() -> new AssertionError(series + " not in\n" + scrape));
  }

  private static void ok(JsonObject reply) {
    assertEquals("ok", reply.getString("status"), reply.encode());
  }
}
