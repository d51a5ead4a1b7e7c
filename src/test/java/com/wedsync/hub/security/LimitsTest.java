package com.wedsync.hub.security;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 §3 and §4: the per-user write limit holds across reconnects and over HTTP, new connections are limited per
 * user and per address, open connections per address are capped, and a connection that never finishes its request
 * is closed.
 */
class LimitsTest {
  static final UUID SARAH = user(6);
  static final UUID EMMA = user(1);
  static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";
  static final String F1 = "55555555-0000-0000-0000-000000000001";

  /** Defaults of TestHub lift the connection limits; these tests put the ones they probe back. */
  static Map<String, String> limits(String... kv) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < kv.length; i += 2) env.put(kv[i], kv[i + 1]);
    return env;
  }

  static JsonObject broadcast(WsClient c) {
    return c.request(WEDDING, "broadcast", new JsonObject().put("type", "broadcast").put("event", "probe")
        .put("payload", new JsonObject()));
  }

  @Test
  void reconnectingDoesNotRefillTheWriteBucket() {
    try (TestHub hub = TestHub.start(limits("WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "2", "WEDSYNC_HUB_SOCKET_RATE_BURST", "5"))) {
      int accepted = 0;
      int refused = 0;
      long started = System.currentTimeMillis();
      // The probe that found it: close the last socket and reconnect, again and again, writing in between.
      for (int round = 0; round < 8; round++) {
        try (WsClient c = hub.connect(SARAH)) {
          assertEquals("ok", c.join(WEDDING).getString("status"));
          for (int i = 0; i < 5; i++) {
            JsonObject reply = broadcast(c);
            if ("ok".equals(reply.getString("status"))) accepted++;
            else {
              assertEquals("rate_limited", reply.getJsonObject("response").getString("reason"));
              assertTrue(reply.getJsonObject("response").getLong("retry_after_ms") > 0);
              refused++;
            }
          }
        }
      }
      double seconds = (System.currentTimeMillis() - started) / 1000.0;
      assertTrue(accepted <= 5 + Math.ceil(seconds * 2) + 1, accepted + " writes accepted in " + seconds
          + " s: the bucket (burst 5, 2/s) was refilled by reconnecting");
      assertTrue(refused > 0);
    }
  }

  @Test
  void httpWritesDrawFromTheSameBucketAndGet429WithRetryAfter() throws Exception {
    try (TestHub hub = TestHub.start(limits("WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "1", "WEDSYNC_HUB_SOCKET_RATE_BURST", "3"))) {
      HttpClient http = HttpClient.newHttpClient();
      String token = hub.token(EMMA);
      List<Integer> statuses = new ArrayList<>();
      HttpResponse<String> limited = null;
      for (int i = 0; i < 8; i++) {
        HttpResponse<String> res = put(http, hub, token);
        statuses.add(res.statusCode());
        if (res.statusCode() == 429 && limited == null) limited = res;
      }
      assertTrue(statuses.subList(0, 3).stream().allMatch(s -> s == 200), statuses.toString());
      assertTrue(limited != null, "HTTP writes past the burst are refused: " + statuses);
      assertEquals("rate_limited", new JsonObject(limited.body()).getJsonObject("error").getString("code"));
      assertTrue(Integer.parseInt(limited.headers().firstValue("Retry-After").orElseThrow()) >= 1, "Retry-After");
      // reads are never limited
      var read = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.hub.port() + "/api/v1/forms/"
          + F1)).header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, read.statusCode());
    }
    // The other way round: a user's socket writes empty the bucket their HTTP writes draw from.
    try (TestHub hub = TestHub.start(limits("WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "1", "WEDSYNC_HUB_SOCKET_RATE_BURST", "3"));
         WsClient c = hub.connect(EMMA)) {
      c.join(WEDDING);
      int refused = 0;
      for (int i = 0; i < 5; i++) if (!"ok".equals(broadcast(c).getString("status"))) refused++;
      assertTrue(refused > 0, "the socket emptied the bucket");
      assertEquals(429, put(HttpClient.newHttpClient(), hub, hub.token(EMMA)).statusCode(), "and HTTP finds it empty");
    }
  }

  static HttpResponse<String> put(HttpClient http, TestHub hub, String token) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.hub.port() + "/api/v1/forms/" + F1
            + "/fields/album")).header("Authorization", "Bearer " + token).header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(new JsonObject().put("value", "small").put("force", true)
            .put("op_id", "http-limit-" + UUID.randomUUID()).encode())).build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void newConnectionsAreLimitedPerAddress() {
    try (TestHub hub = TestHub.start(limits("WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_IP", "1",
        "WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_IP", "3"))) {
      List<WsClient> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) open.add(hub.connect(user(1 + i)));
        WsClient.ConnectFailed refused = assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(user(5)));
        assertTrue(refused.getMessage().contains("429"), refused.getMessage());
      } finally {
        open.forEach(WsClient::close);
      }
    }
  }

  @Test
  void newConnectionsAreLimitedPerUser() {
    try (TestHub hub = TestHub.start(limits("WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_USER", "1",
        "WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_USER", "2"))) {
      WsClient a = hub.connect(SARAH);
      WsClient b = hub.connect(SARAH);
      try {
        WsClient.ConnectFailed refused = assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(SARAH));
        assertTrue(refused.getMessage().contains("429"), refused.getMessage());
        hub.connect(EMMA).close(); // another user is not held back
      } finally {
        a.close();
        b.close();
      }
    }
  }

  @Test
  void openConnectionsPerAddressAreCappedAndReleasedOnClose() throws Exception {
    try (TestHub hub = TestHub.start(limits("WEDSYNC_HUB_SOCKET_MAX_CONNECTIONS_PER_IP", "3"))) {
      // Sockets opened and closed release their place: many in a row never hit the cap.
      for (int i = 0; i < 10; i++) {
        try (WsClient c = hub.connect(SARAH)) {
          assertEquals("ok", c.request("phoenix", "heartbeat", new JsonObject()).getString("status"));
        }
        Thread.sleep(30);
      }
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          // A request answered proves the hub has taken (and counted) the connection before the next one opens.
          Socket s = new Socket("127.0.0.1", hub.hub.port());
          held.add(s);
          s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          s.setSoTimeout(5000);
          assertEquals("HTTP/1.1 200", new String(s.getInputStream().readNBytes(12), StandardCharsets.US_ASCII));
        }
        try (Socket fourth = new Socket("127.0.0.1", hub.hub.port())) {
          fourth.setSoTimeout(3000);
          assertEquals(-1, fourth.getInputStream().read(), "the fourth connection from one address is closed");
        }
      } finally {
        for (Socket s : held) s.close();
      }
    }
  }

  // ---- deadlines (§4) -----------------------------------------------------------------------------------------

  static Map<String, String> deadline() {
    return limits("WEDSYNC_HUB_SOCKET_REQUEST_TIMEOUT_MS", "500");
  }

  /** Milliseconds until the server closes {@code s}, reading (and discarding) what it sends meanwhile. */
  static long closedAfter(Socket s, long started) throws Exception {
    s.setSoTimeout(5000);
    InputStream in = s.getInputStream();
    while (in.read() != -1) {
      // a response, if any
    }
    return System.currentTimeMillis() - started;
  }

  @Test
  void aConnectionThatNeverSendsARequestIsClosed() throws Exception {
    try (TestHub hub = TestHub.start(deadline()); Socket s = new Socket("127.0.0.1", hub.hub.port())) {
      long took = closedAfter(s, System.currentTimeMillis());
      assertTrue(took < 3000, "closed after " + took + " ms");
    }
  }

  @Test
  void headersThatTrickleInAreCutOff() throws Exception {
    try (TestHub hub = TestHub.start(deadline()); Socket s = new Socket("127.0.0.1", hub.hub.port())) {
      long started = System.currentTimeMillis();
      OutputStream out = s.getOutputStream();
      out.write("GET /health HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      boolean cut = false;
      for (int i = 0; i < 30 && !cut; i++) {
        Thread.sleep(100);
        try {
          out.write('X'); // a header that never ends
          out.flush();
        } catch (java.io.IOException e) {
          cut = true;
        }
      }
      long took = cut ? System.currentTimeMillis() - started : closedAfter(s, started);
      assertTrue(took < 3000, "cut off after " + took + " ms");
    }
  }

  @Test
  void anIdleKeptAliveConnectionIsClosedButASocketIsNot() throws Exception {
    try (TestHub hub = TestHub.start(deadline())) {
      try (Socket s = new Socket("127.0.0.1", hub.hub.port())) {
        s.getOutputStream().write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        long took = closedAfter(s, System.currentTimeMillis());
        assertTrue(took < 3000, "an idle keep-alive connection closed after " + took + " ms");
      }
      try (WsClient c = hub.connect(SARAH)) {
        Thread.sleep(1200); // more than twice the deadline: an upgraded socket has none
        assertEquals("ok", c.request("phoenix", "heartbeat", new JsonObject()).getString("status"));
      }
    }
  }

  @Test
  void aBodyThatTricklesInIsAnswered503() throws Exception {
    try (TestHub hub = TestHub.start(deadline()); Socket s = new Socket("127.0.0.1", hub.hub.port())) {
      OutputStream out = s.getOutputStream();
      out.write(("POST /api/v1/sync/changes HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + hub.token(EMMA)
          + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"changes\":").getBytes(
              StandardCharsets.US_ASCII));
      out.flush();
      s.setSoTimeout(5000);
      byte[] head = new byte[12];
      int n = s.getInputStream().readNBytes(head, 0, 12);
      assertEquals("HTTP/1.1 503", new String(head, 0, n, StandardCharsets.US_ASCII));
    }
  }

  static Duration seconds(int n) {
    return Duration.ofSeconds(n);
  }
}
