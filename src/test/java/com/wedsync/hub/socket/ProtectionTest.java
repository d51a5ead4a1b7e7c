package com.wedsync.hub.socket;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The socket's limits and its answers to bad input: each gets its documented answer and the connection's other
 * channels keep working.
 */
class ProtectionTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final String FORM = "realtime:form:55555555-0000-0000-0000-000000000001";
  static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of(
        "WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION", "50",
        "WEDSYNC_HUB_SOCKET_MAX_FRAME_BYTES", "4096",
        "WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "20",
        "WEDSYNC_HUB_SOCKET_RATE_BURST", "40",
        "WEDSYNC_HUB_SOCKET_MAX_CONNECTIONS_PER_USER", "3",
        "WEDSYNC_HUB_SOCKET_OUTBOUND_QUEUE_BYTES", "65536",
        "WEDSYNC_HUB_SOCKET_ALLOWED_ORIGINS", "https://app.wedsync.example,http://localhost:*,http://127.0.0.1:*"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** A connection with one working channel, to prove it survives whatever the test throws at it. */
  private WsClient withWorkingChannel(UUID user) {
    WsClient c = hub.connect(user);
    assertEquals("ok", c.join(WEDDING, ack()).getString("status"));
    return c;
  }

  private static JsonObject ack() {
    return new JsonObject().put("config", new JsonObject().put("broadcast", new JsonObject().put("ack", true)
        .put("self", true)));
  }

  private static void assertStillWorks(WsClient c) {
    assertFalse(c.socket().isClosed(), "connection open (close status " + c.closeStatus() + " " + c.closeReason() + ")");
    JsonObject reply = c.request(WEDDING, "broadcast", new JsonObject().put("type", "broadcast")
        .put("event", "still-here").put("payload", new JsonObject()));
    assertEquals("ok", reply.getString("status"), "other channel still answers: " + reply);
    c.await(a -> "broadcast".equals(a.getString(3)) && "still-here".equals(a.getJsonObject(4).getString("event")),
        Duration.ofSeconds(5));
  }

  @Test
  void the51stChannelIsRefusedWithTooManyChannels() {
    // A user on 60 supplier teams has 60 channels they may join; the connection may hold 50.
    UUID many = UUID.fromString("aaaaaaaa-0000-0000-0000-000000000051");
    TestPostgres.execute("""
        insert into users (id, email, name) values ('%1$s', 'many@example.com', 'Many Channels') on conflict do nothing;
        insert into suppliers (id, name, business_type)
          select ('bbbbbbbb-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, 'Supplier ' || g, 'test'
            from generate_series(1, 60) g on conflict do nothing;
        insert into team_members (supplier_id, user_id, role)
          select ('bbbbbbbb-0000-0000-0000-' || lpad(g::text, 12, '0'))::uuid, '%1$s', 'member'
            from generate_series(1, 60) g on conflict do nothing;
        """.formatted(many));
    try (WsClient c = hub.connect(many)) {
      for (int i = 1; i <= 50; i++) {
        String topic = "realtime:supplier:bbbbbbbb-0000-0000-0000-" + String.format("%012d", i);
        assertEquals("ok", c.join(topic, i == 1 ? ack() : new JsonObject()).getString("status"), topic);
      }
      JsonObject over = c.join("realtime:supplier:bbbbbbbb-0000-0000-0000-000000000051");
      assertEquals("error", over.getString("status"));
      assertEquals("too_many_channels", over.getJsonObject("response").getString("reason"));
      // re-joining a channel already held does not count as another one
      assertEquals("ok", c.join("realtime:supplier:bbbbbbbb-0000-0000-0000-000000000002").getString("status"));
      // leaving frees a slot
      assertEquals("ok", c.request("realtime:supplier:bbbbbbbb-0000-0000-0000-000000000003", "phx_leave",
          new JsonObject()).getString("status"));
      assertEquals("ok", c.join("realtime:supplier:bbbbbbbb-0000-0000-0000-000000000051").getString("status"));
      // the first channel still works
      String first = "realtime:supplier:bbbbbbbb-0000-0000-0000-000000000001";
      assertEquals("ok", c.request(first, "broadcast", new JsonObject().put("type", "broadcast").put("event", "e")
          .put("payload", new JsonObject())).getString("status"));
    }
  }

  @Test
  void anOversizedFrameIsAnsweredPayloadTooLarge() {
    try (WsClient c = withWorkingChannel(EMMA)) {
      String big = "x".repeat(5000);
      JsonObject reply = c.request(WEDDING, "broadcast", new JsonObject().put("type", "broadcast")
          .put("event", "big").put("payload", new JsonObject().put("blob", big)));
      assertEquals("error", reply.getString("status"));
      assertEquals("payload_too_large", reply.getJsonObject("response").getString("reason"));
      assertStillWorks(c);
    }
  }

  @Test
  void aFloodPastTheRateLimitGetsRateLimitedWithARetryHint() {
    try (WsClient c = withWorkingChannel(SARAH)) {
      List<String> refs = new ArrayList<>();
      for (int i = 0; i < 120; i++) {
        String ref = c.nextRef();
        refs.add(ref);
        c.send(null, ref, WEDDING, "broadcast", new JsonObject().put("type", "broadcast").put("event", "flood")
            .put("payload", new JsonObject().put("i", i)));
      }
      int ok = 0, limited = 0;
      for (String ref : refs) {
        JsonObject reply = c.replyTo(ref);
        if ("ok".equals(reply.getString("status"))) ok++;
        else {
          assertEquals("rate_limited", reply.getJsonObject("response").getString("reason"));
          assertTrue(reply.getJsonObject("response").getLong("retry_after_ms") > 0);
          limited++;
        }
      }
      assertEquals(120, ok + limited, "every request got exactly one reply");
      assertTrue(limited > 0, "some requests were limited");
      assertTrue(ok >= 40, "the burst went through: " + ok);
      // once the bucket refills the connection works again
      sleep(1500);
      assertStillWorks(c);
    }
  }

  @Test
  void aBadOriginIsRefusedAtTheUpgrade() {
    MultiMap bad = MultiMap.caseInsensitiveMultiMap().add("Origin", "https://evil.example");
    WsClient.ConnectFailed e = assertThrows(WsClient.ConnectFailed.class,
        () -> WsClient.connect(hub.client, hub.wsUrl(hub.token(EMMA)), bad));
    assertTrue(e.getMessage().contains("403"), e.getMessage());
    MultiMap good = MultiMap.caseInsensitiveMultiMap().add("Origin", "http://localhost:5173");
    try (WsClient c = WsClient.connect(hub.client, hub.wsUrl(hub.token(EMMA)), good)) {
      assertEquals("ok", c.join(WEDDING).getString("status"));
    }
    MultiMap listed = MultiMap.caseInsensitiveMultiMap().add("Origin", "https://app.wedsync.example");
    try (WsClient c = WsClient.connect(hub.client, hub.wsUrl(hub.token(EMMA)), listed)) {
      assertEquals("ok", c.join(WEDDING).getString("status"));
    }
  }

  @Test
  void tooManyConnectionsForOneUserAreRefused() {
    UUID olivia = UUID.fromString("11111111-0000-0000-0000-000000000003");
    List<WsClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) open.add(hub.connect(olivia));
      WsClient.ConnectFailed e = assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(olivia));
      assertTrue(e.getMessage().contains("429"), e.getMessage());
      open.remove(0).close();
      // the slot is released when a socket closes
      WsClient again = retry(() -> hub.connect(olivia));
      open.add(again);
      assertEquals("ok", again.join("user:" + olivia).getString("status"));
    } finally {
      open.forEach(WsClient::close);
    }
  }

  @Test
  void malformedFramesGetClearErrorsAndTheConnectionKeepsWorking() {
    try (WsClient c = withWorkingChannel(EMMA)) {
      // not JSON: no ref can be recovered, so the answer is a system error on the phoenix topic
      c.sendRaw("this is not json");
      JsonArray sys = c.awaitEvent("phoenix", "system");
      assertEquals("invalid", sys.getJsonObject(4).getString("message"));
      assertTrue(sys.getJsonObject(4).getString("detail").contains("not JSON"));

      // not an array
      c.sendRaw("{\"topic\":\"x\"}");
      assertEquals("invalid", c.awaitEvent("phoenix", "system").getJsonObject(4).getString("reason"));

      // wrong arity, ref recoverable → a phx_reply error to that ref
      c.sendRaw("[null,\"900\",\"" + WEDDING + "\",\"broadcast\"]");
      JsonObject arity = c.replyTo("900");
      assertEquals("invalid", arity.getJsonObject("response").getString("reason"));
      assertEquals("frame", arity.getJsonObject("response").getString("field"));

      // wrong types
      c.sendRaw("[null,\"901\",\"" + WEDDING + "\",42,{}]");
      assertEquals("event", c.replyTo("901").getJsonObject("response").getString("field"));
      c.sendRaw("[null,\"902\",\"" + WEDDING + "\",\"broadcast\",\"payload-as-string\"]");
      assertEquals("payload", c.replyTo("902").getJsonObject("response").getString("field"));
      c.sendRaw("[null,\"903\",7,\"broadcast\",{}]");
      assertEquals("topic", c.replyTo("903").getJsonObject("response").getString("field"));
      c.sendRaw("[null,{\"a\":1},\"" + WEDDING + "\",\"broadcast\",{}]");
      assertEquals("invalid", c.awaitEvent(WEDDING, "system").getJsonObject(4).getString("reason"));

      // unknown event on a joined channel
      JsonObject unknown = c.request(WEDDING, "launch_rockets", new JsonObject());
      assertEquals("unknown_event", unknown.getJsonObject("response").getString("reason"));

      // an event on a channel never joined
      JsonObject notJoined = c.request("realtime:form:55555555-0000-0000-0000-000000000002", "broadcast",
          new JsonObject().put("type", "broadcast").put("event", "x"));
      assertEquals("not_found", notJoined.getJsonObject("response").getString("reason"));

      // broadcast and presence payloads with the wrong shape
      JsonObject badBroadcast = c.request(WEDDING, "broadcast", new JsonObject().put("type", "nope"));
      assertEquals("invalid", badBroadcast.getJsonObject("response").getString("reason"));
      assertEquals("type", badBroadcast.getJsonObject("response").getString("field"));
      JsonObject badPresence = c.request(WEDDING, "presence", new JsonObject().put("type", "presence")
          .put("event", "track").put("payload", new JsonObject().put("status", "asleep")));
      assertEquals("status", badPresence.getJsonObject("response").getString("field"));
      JsonObject badJoin = c.join("realtime:user:" + EMMA, new JsonObject().put("config", "yes"));
      assertEquals("config", badJoin.getJsonObject("response").getString("field"));

      // binary frames: unknown kind, truncated header, lengths past the end
      c.sendBinary(Buffer.buffer(new byte[] {9, 0, 0, 0, 0, 0, 0}));
      assertEquals("invalid", c.awaitEvent("phoenix", "system").getJsonObject(4).getString("reason"));
      c.sendBinary(Buffer.buffer(new byte[] {3, 1}));
      assertEquals("invalid", c.awaitEvent("phoenix", "system").getJsonObject(4).getString("reason"));
      c.sendBinary(Buffer.buffer(new byte[] {3, 0, 0, 100, 1, 0, 1, 'a'}));
      assertEquals("invalid", c.awaitEvent("phoenix", "system").getJsonObject(4).getString("reason"));

      // heartbeat still answered, other channel still works
      assertEquals("ok", c.request("phoenix", "heartbeat", new JsonObject()).getString("status"));
      assertStillWorks(c);
    }
  }

  @Test
  void aFuzzCorpusNeverBreaksTheConnection() {
    java.util.Random random = new java.util.Random(42);
    String[] pieces = {"[", "]", "{", "}", ",", "null", "\"", "\"phx_join\"", "\"" + WEDDING + "\"", "1", "\"ref\"",
        "\"broadcast\"", "{\"type\":\"broadcast\"}", "\\u0000", "true", "\"presence\"", "[[[", "\"access_token\"", "-1e999"};
    try (WsClient c = withWorkingChannel(SARAH)) {
      for (int i = 0; i < 2000; i++) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + random.nextInt(12);
        for (int j = 0; j < n; j++) sb.append(pieces[random.nextInt(pieces.length)]);
        c.sendRaw(sb.toString());
        if (i % 100 == 0) sleep(120); // stay under the rate limit so the corpus reaches the decoder
      }
      sleep(2500);
      assertFalse(c.socket().isClosed(), "connection survived the fuzz corpus");
      assertStillWorks(c);
    }
  }

  @Test
  void aBurstInOneLoopTurnArrivesWholeAndInOrder() {
    // The 100 broadcasts of one request reach a subscriber's loop together: their frames are written in one turn and
    // flushed once (FlushBatch). All 500 of five requests must arrive, in order, at both subscribers.
    try (WsClient a = withWorkingChannel(SARAH); WsClient b = withWorkingChannel(EMMA)) {
      for (int batch = 0; batch < 5; batch++) {
        JsonArray messages = new JsonArray();
        for (int j = 0; j < 100; j++) {
          messages.add(new JsonObject().put("topic", WEDDING.substring("realtime:".length())).put("event", "burst")
              .put("payload", new JsonObject().put("i", batch * 100 + j)));
        }
        var res = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(600),
            new JsonObject().put("messages", messages));
        assertEquals(202, res.status(), res.body());
      }
      for (WsClient c : List.of(a, b)) {
        for (int i = 0; i < 500; i++) {
          int expected = i;
          JsonArray frame = c.await(f -> "broadcast".equals(f.getString(3))
              && "burst".equals(f.getJsonObject(4).getString("event")), Duration.ofSeconds(10));
          assertEquals(expected, frame.getJsonObject(4).getJsonObject("payload").getInteger("i"), "order");
        }
        assertStillWorks(c);
      }
    }
  }

  @Test
  void aSlowReaderIsDisconnectedAndOthersKeepReceiving() throws Exception {
    // A raw TCP client that completes the upgrade, joins, and then never reads again.
    String token = hub.token(EMMA);
    try (Socket raw = new Socket("127.0.0.1", hub.hub.port()); WsClient fast = withWorkingChannel(SARAH)) {
      raw.setReceiveBufferSize(4096);
      OutputStream out = raw.getOutputStream();
      out.write(("GET /realtime/v1/websocket?vsn=2.0.0&apikey=" + token + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
          + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      InputStream in = raw.getInputStream();
      byte[] head = new byte[4096];
      int got = in.read(head);
      assertTrue(new String(head, 0, got, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 101"));
      out.write(maskedText("[\"1\",\"1\",\"" + WEDDING + "\",\"phx_join\",{}]"));
      out.flush();
      sleep(500);
      // Publish far more than socket buffers plus the outbound bound can hold: 4,000 × 3 KB in batches of 100.
      String blob = "y".repeat(3000);
      String service = hub.tokens.service(600);
      for (int batch = 0; batch < 40; batch++) {
        JsonArray messages = new JsonArray();
        for (int j = 0; j < 100; j++) {
          messages.add(new JsonObject().put("topic", WEDDING.substring("realtime:".length())).put("event", "bulk")
              .put("payload", new JsonObject().put("i", batch * 100 + j).put("blob", blob)));
        }
        var res = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", service,
            new JsonObject().put("messages", messages));
        assertEquals(202, res.status(), res.body());
      }
      // The hub must have closed the slow socket: draining it ends in EOF (after the buffered frames).
      raw.setSoTimeout(20_000);
      byte[] buf = new byte[65536];
      long total = 0;
      int r;
      try {
        while ((r = in.read(buf)) >= 0) total += r;
      } catch (java.net.SocketException reset) {
        // the hub reset the connection: also a disconnect
      }
      assertTrue(total < 4000L * 3000, "the slow reader did not get everything (" + total + " bytes): it was cut off");
      // The fast client kept receiving meanwhile.
      assertNotNull(fast.await(a -> "bulk".equals(a.getJsonObject(4).getString("event"))
          && a.getJsonObject(4).getJsonObject("payload").getInteger("i") == 3999, Duration.ofSeconds(20)));
      assertStillWorks(fast);
    }
  }

  private static byte[] maskedText(String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    byte[] mask = {1, 2, 3, 4};
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    out.write(0x81);
    if (data.length < 126) out.write(0x80 | data.length);
    else {
      out.write(0x80 | 126);
      out.write(data.length >> 8);
      out.write(data.length & 0xff);
    }
    out.write(mask, 0, 4);
    for (int i = 0; i < data.length; i++) out.write(data[i] ^ mask[i % 4]);
    return out.toByteArray();
  }

  private static <T> T retry(java.util.function.Supplier<T> s) {
    RuntimeException last = null;
    for (int i = 0; i < 20; i++) {
      try {
        return s.get();
      } catch (RuntimeException e) {
        last = e;
        sleep(100);
      }
    }
    throw last;
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
