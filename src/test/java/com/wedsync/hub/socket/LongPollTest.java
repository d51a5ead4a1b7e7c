package com.wedsync.hub.socket;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-poll transport seen from HTTP (docs/protocol.md §1.9): sessions opened with the WebSocket's admission
 * rules, polls and posts by session token, a session that stops polling cleaned up like a closed socket (its locks
 * released), and a client that stops taking its frames cut off.
 */
class LongPollTest {
  static final UUID EMMA = user(1);
  static final UUID SARAH = user(6);
  static TestHub hub;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_SOCKET_IDLE_TIMEOUT_MS", "2000", "WEDSYNC_HUB_SOCKET_OUTBOUND_QUEUE_BYTES", "65536",
        "WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "100000", "WEDSYNC_HUB_SOCKET_RATE_BURST", "100000"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  static HttpResponse<String> send(String method, String query, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.hub.port()
        + "/realtime/v1/longpoll?" + query)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Opens a session for {@code user}; its token. */
  static String open(UUID user) throws Exception {
    var r = send("GET", "vsn=2.0.0&apikey=" + hub.token(user), null);
    JsonObject body = new JsonObject(r.body());
    assertEquals(410, body.getInteger("status"), r.body());
    return body.getString("token");
  }

  static JsonObject post(String token, String... frames) throws Exception {
    return new JsonObject(send("POST", "vsn=2.0.0&token=" + token, String.join("\n", frames)).body());
  }

  /** Polls until a frame matching {@code event} arrives (or fails after a few polls). */
  static JsonArray pollFor(String token, String event) throws Exception {
    for (int i = 0; i < 5; i++) {
      JsonObject r = new JsonObject(send("GET", "vsn=2.0.0&token=" + token, null).body());
      if (r.getInteger("status") != 200) continue;
      for (Object m : r.getJsonArray("messages")) {
        JsonArray frame = new JsonArray((String) m);
        if (event.equals(frame.getString(3))) return frame;
      }
    }
    throw new AssertionError("no " + event + " within five polls");
  }

  @Test
  void sessionsOpenLikeSocketsAndAnswerByToken() throws Exception {
    var refused = send("GET", "vsn=2.0.0&apikey=not-a-token", null);
    assertEquals(401, refused.statusCode());
    assertEquals(403, new JsonObject(refused.body()).getInteger("status"), "the phoenix client stops, not retries");
    assertEquals(410, new JsonObject(send("GET", "vsn=2.0.0&token=nobody.xyz", null).body()).getInteger("status"));
    assertEquals(410, post("test-x.unknown", "[null,\"1\",\"phoenix\",\"heartbeat\",{}]").getInteger("status"));

    String token = open(EMMA);
    assertTrue(token.startsWith(hub.hub.config().nodeId() + "."), "the token names the node that holds the session");
    JsonObject ack = post(token, "[null,\"1\",\"phoenix\",\"heartbeat\",{}]",
        "[\"2\",\"2\",\"realtime:user:" + EMMA + "\",\"phx_join\",{}]");
    assertEquals(200, ack.getInteger("status"));
    JsonArray reply = pollFor(token, "phx_reply");
    assertEquals("ok", reply.getJsonObject(4).getString("status"));
    // A batch announced over 1 MiB is refused before a byte of it is read.
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", hub.hub.port())) {
      raw.getOutputStream().write(("POST /realtime/v1/longpoll?vsn=2.0.0&token=" + token + " HTTP/1.1\r\nHost: x\r\n"
          + "Content-Type: application/x-ndjson\r\nContent-Length: 2097152\r\n\r\n").getBytes(
              java.nio.charset.StandardCharsets.US_ASCII));
      raw.setSoTimeout(5000);
      String status = new String(raw.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 413", status);
    }
  }

  @Test
  void aSessionThatStopsPollingIsCleanedUpItsLocksReleased() throws Exception {
    UUID form = TestForms.create("long-poll locks", "t:text");
    String topic = "realtime:form:" + form;
    try (WsClient sarah = hub.connect(SARAH)) {
      assertEquals("ok", sarah.join(topic).getString("status"));
      String token = open(EMMA);
      post(token, "[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
      pollFor(token, "phx_reply"); // joined (as the phoenix client, push after the join's reply)
      post(token, "[\"1\",\"2\",\"" + topic + "\",\"field:lock\",{\"field\":\"t\"}]");
      JsonArray locked = pollFor(token, "phx_reply");
      assertEquals("ok", locked.getJsonObject(4).getString("status"), locked.encode());
      sarah.await(a -> "field:locked".equals(a.getString(3)), Duration.ofSeconds(5));
      // Emma stops polling: the session goes idle, and everything it held is released. (Sarah keeps her socket
      // alive meanwhile: the test hub's idle timeout is short for both.)
      JsonArray unlocked = null;
      for (int i = 0; i < 40 && unlocked == null; i++) {
        sarah.request("phoenix", "heartbeat", new JsonObject());
        unlocked = sarah.poll(a -> "field:unlocked".equals(a.getString(3)));
        if (unlocked == null) Thread.sleep(250);
      }
      assertTrue(unlocked != null, "the lock was released within 10 s of the last poll");
      assertEquals("disconnected", unlocked.getJsonObject(4).getString("reason"));
      assertEquals(410, new JsonObject(send("GET", "vsn=2.0.0&token=" + token, null).body()).getInteger("status"),
          "the session is gone: the client opens a new one");
    }
  }

  @Test
  void aClientThatStopsTakingItsFramesIsCutOff() throws Exception {
    String token = open(SARAH);
    String topic = "realtime:wedding:44444444-0000-0000-0000-000000000001";
    post(token, "[\"1\",\"1\",\"" + topic + "\",\"phx_join\",{}]");
    // Sarah never polls; 100 KB of broadcasts arrive for her (her queue is bounded at 64 KiB here).
    String blob = "y".repeat(5000);
    for (int i = 0; i < 20; i++) {
      hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(600), new JsonObject()
          .put("messages", new JsonArray().add(new JsonObject().put("topic", topic).put("event", "bulk")
              .put("payload", new JsonObject().put("blob", blob)))));
    }
    Thread.sleep(300);
    assertEquals(410, new JsonObject(send("GET", "vsn=2.0.0&token=" + token, null).body()).getInteger("status"));
  }
}
