package com.wedsync.hub.http;

import com.wedsync.hub.support.DemoIds;
import com.wedsync.hub.support.HubProcess;
import com.wedsync.hub.support.StallingProxy;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code /ready} as a load balancer and Kubernetes use it: it turns 503 {@code shutting_down} the moment a graceful
 * shutdown begins, while the node's sockets are still open and served (so the node is drained, not cut off), and a
 * dependency that accepts connections but never replies makes it 503 within its timeout, naming the check, instead of
 * hanging the probe.
 */
class ReadinessTest {
  private static final String FORM = "form:55555555-0000-0000-0000-000000000001";

  @Test
  void readyTurns503ShuttingDownAsSoonAsAShutdownBeginsWhileSocketsStayOpen() throws Exception {
    TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_HTTP_SHUTDOWN_DELAY_MS", "4000"));
    try (WsClient emma = hub.connect(DemoIds.user(1))) {
      assertEquals("ok", emma.join(FORM).getString("status"));
      assertEquals(200, hub.request(HttpMethod.GET, "/ready", null, null).status());

      long began = System.nanoTime();
      Future<Void> stopping = hub.hub.stop();
      TestHub.HttpResult during = hub.request(HttpMethod.GET, "/ready", null, null);
      assertEquals(503, during.status(), during.body());
      assertEquals("shutting_down", during.json().getString("reason"), during.body());
      assertEquals("not_ready", during.json().getString("status"), during.body());

      // Still serving: the open socket answers a heartbeat and HTTP still works, during the delay.
      assertEquals("ok", emma.request("phoenix", "heartbeat", new JsonObject()).getString("status"));
      assertEquals(200, hub.request(HttpMethod.GET, "/health", null, null).status());
      assertFalse(stopping.isComplete(), "the sockets close only after the delay");

      stopping.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      long tookMs = (System.nanoTime() - began) / 1_000_000;
      assertTrue(tookMs >= 4000, "the shutdown waited the delay before closing sockets, took " + tookMs + " ms");
      assertTrue(emma.awaitClosed(Duration.ofSeconds(10)), "the socket closes when the hub stops");
    } finally {
      hub.close();
    }
  }

  @Test
  void aSigtermedNodeIsNotReadyDuringItsShutdownDelayAndKubernetesServiceVariablesDoNotStopIt() throws Exception {
    Map<String, String> env = new HashMap<>(Map.of("WEDSYNC_HUB_HTTP_SHUTDOWN_DELAY_MS", "4000"));
    // What Kubernetes injects into every pod of a namespace with a Service named "hub".
    env.putAll(Map.of("HUB_SERVICE_HOST", "10.96.12.34", "HUB_SERVICE_PORT", "4000",
        "HUB_PORT", "tcp://10.96.12.34:4000", "HUB_PORT_4000_TCP_ADDR", "10.96.12.34"));
    HubProcess node = HubProcess.start("ready-sigterm", env);
    Vertx vertx = Vertx.vertx();
    HttpClient http = HttpClient.newHttpClient();
    try {
      assertTrue(node.output().stream().anyMatch(l -> l.contains("ignoring environment variable HUB_PORT:")),
          "a warning names the ignored variable: " + node.output());
      assertEquals(200, get(http, node.port, "/ready").statusCode());
      String token = new com.wedsync.hub.auth.DevTokens(vertx, devSecret()).user(DemoIds.user(1), 600);
      try (WsClient emma = WsClient.connect(vertx, node.wsUrl(token))) {
        assertEquals("ok", emma.join(FORM).getString("status"));
        ProcessHandle.of(node.pid()).orElseThrow().destroy(); // SIGTERM, as the kubelet sends it
        HttpResponse<String> during = awaitStatus(http, node.port, 503, Duration.ofSeconds(3));
        assertEquals("shutting_down", new JsonObject(during.body()).getString("reason"), during.body());
        assertEquals("ok", emma.request("phoenix", "heartbeat", new JsonObject()).getString("status"),
            "the open socket is still served while the node drains");
        assertTrue(emma.awaitClosed(Duration.ofSeconds(20)), "the socket closes when the delay is over");
      }
    } finally {
      node.close();
      vertx.close();
    }
  }

  @Test
  void aPostgresThatStopsAnsweringMakesReadyA503WithinTheTimeoutNamingIt() throws Exception {
    TestPostgres.get();
    StallingProxy proxy = StallingProxy.to(TestPostgres.get().getPort());
    TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_DATABASE_URL",
        "postgresql://postgres:postgres@127.0.0.1:" + proxy.port() + "/postgres",
        "WEDSYNC_HUB_HTTP_READY_TIMEOUT_MS", "1000"));
    try {
      assertEquals(200, hub.request(HttpMethod.GET, "/ready", null, null).status());
      proxy.stall();
      long began = System.nanoTime();
      TestHub.HttpResult stalled = hub.request(HttpMethod.GET, "/ready", null, null);
      long tookMs = (System.nanoTime() - began) / 1_000_000;
      assertEquals(503, stalled.status(), stalled.body());
      assertTrue(tookMs >= 900 && tookMs < 2500, "answered at the 1 s timeout, took " + tookMs + " ms");
      assertEquals("timed out after 1000 ms", stalled.json().getJsonObject("checks").getString("postgres"),
          stalled.body());
      assertEquals("postgres failed", stalled.json().getString("reason"), stalled.body());
      assertEquals("ok", stalled.json().getJsonObject("checks").getString("saves"), stalled.body());

      proxy.resume();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      int status;
      do {
        status = hub.request(HttpMethod.GET, "/ready", null, null).status();
      } while (status != 200 && System.nanoTime() < deadline);
      assertEquals(200, status, "ready again once PostgreSQL answers");
    } finally {
      proxy.resume();
      hub.close();
      proxy.close();
    }
  }

  private static String devSecret() throws Exception {
    return java.nio.file.Files.readString(java.nio.file.Path.of("conf/dev-jwt-secret.txt")).trim();
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> awaitStatus(HttpClient http, int port, int status, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    HttpResponse<String> last;
    do {
      last = get(http, port, "/ready");
      if (last.statusCode() == status) return last;
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    throw new AssertionError("/ready did not answer " + status + " within " + timeout + "; last: "
        + last.statusCode() + " " + last.body());
  }
}
