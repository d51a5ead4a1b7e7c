package com.wedsync.hub.security;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static com.wedsync.hub.support.DemoIds.user;
import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 §5, the smaller probes: a frame past the WebSocket limit is answered with a close that says why; the
 * sender of a broadcast is the server's to say; typing only in fields one may write; presence keys that pass for a
 * user id; origins with user-info tricks; fractions in whole-number fields.
 */
class SocketProbesTest {
  static final UUID EMMA = user(1);
  static final UUID SARAH = user(6);
  static final UUID NOAH = user(9);   // S1 viewer
  static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";

  static TestHub hub;
  static UUID form;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
    form = TestForms.create("probes", "t:text", "n:number", "m:number", "u:number");
    com.wedsync.hub.support.TestPostgres.execute("update form_fields set validation = '{\"editableBy\":\"couple\"}' "
        + "where form_id = '" + form + "' and key = 't'");
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  /**
   * A frame announced past the WebSocket layer's limit (max(4 × socket.maxFrameBytes, 1 MiB)) is answered with a close
   * that says why (1009, "payload_too_large…"), not a mute drop. The probe sends only the frame's header, as an attacker
   * announcing a huge frame would: a client that goes on sending after the close may see its own data reset the
   * connection before it reads the close frame (TCP discards what arrives after a close), which no server can prevent.
   */
  @Test
  void aFrameOverTheWebSocketLimitIsClosedWithAReason() throws Exception {
    try (java.net.Socket raw = new java.net.Socket("127.0.0.1", hub.hub.port())) {
      var out = raw.getOutputStream();
      out.write(("GET /realtime/v1/websocket?vsn=2.0.0&apikey=" + hub.token(SARAH) + " HTTP/1.1\r\nHost: 127.0.0.1"
          + "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          + "Sec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      raw.setSoTimeout(5000);
      var in = raw.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 101"), head);
      // FIN + text, masked, 64-bit length 2 MiB, mask key; no payload follows
      long length = 2L << 20;
      byte[] header = {(byte) 0x81, (byte) (0x80 | 127), 0, 0, 0, 0, (byte) (length >>> 24), (byte) (length >>> 16),
          (byte) (length >>> 8), (byte) length, 1, 2, 3, 4};
      out.write(header);
      out.flush();
      int opcode = in.read() & 0x0F;
      assertEquals(0x8, opcode, "a close frame");
      int len = in.read() & 0x7F;
      byte[] body = in.readNBytes(len);
      int code = ((body[0] & 0xFF) << 8) | (body[1] & 0xFF);
      assertEquals(1009, code, "message too big");
      String reason = new String(body, 2, body.length - 2, StandardCharsets.UTF_8);
      assertTrue(reason.startsWith("payload_too_large"), reason);
    }
    // under the WebSocket limit but over socket.maxFrameBytes: one reply, the connection lives
    try (WsClient c = hub.connect(SARAH)) {
      JsonObject reply = c.request("phoenix", "heartbeat", new JsonObject().put("a", "x".repeat(100_000)));
      error(reply, "payload_too_large");
      ok(c.request("phoenix", "heartbeat", new JsonObject()));
    }
  }

  /** The status line and headers of an HTTP response, read byte by byte (what follows is WebSocket frames). */
  static String readHead(java.io.InputStream in) throws java.io.IOException {
    StringBuilder head = new StringBuilder();
    while (!head.toString().endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) break;
      head.append((char) b);
    }
    return head.toString();
  }

  @Test
  void theSenderOfABroadcastIsStampedAndCannotBeForged() {
    try (WsClient noah = hub.connect(NOAH); WsClient sarah = hub.connect(SARAH)) {
      ok(noah.join(WEDDING));
      ok(sarah.join(WEDDING));
      JsonObject forged = new JsonObject().put("user_id", SARAH.toString()).put("name", "Sarah Jones");
      ok(noah.request(WEDDING, "broadcast", new JsonObject().put("type", "broadcast").put("event", "cursor")
          .put("payload", forged).put("meta", new JsonObject().put("sender", forged))));
      JsonArray got = sarah.await(a -> "broadcast".equals(a.getString(3)), Duration.ofSeconds(5));
      assertEquals(new JsonObject().put("user_id", NOAH.toString()).put("name", "Noah Hill"),
          got.getJsonObject(4).getJsonObject("meta").getJsonObject("sender"), "the server says who sent it");
      // binary (realtime-js kind 3) with forged metadata: the kind-4 metadata names the real sender
      byte[] topic = WEDDING.getBytes(StandardCharsets.UTF_8);
      byte[] event = "bin".getBytes(StandardCharsets.UTF_8);
      byte[] meta = forged.encode().getBytes(StandardCharsets.UTF_8);
      Buffer kind3 = Buffer.buffer().appendByte((byte) 3).appendByte((byte) 0).appendByte((byte) 0)
          .appendByte((byte) topic.length).appendByte((byte) event.length).appendByte((byte) meta.length)
          .appendByte((byte) 0).appendBytes(topic).appendBytes(event).appendBytes(meta).appendBytes(new byte[] {1, 2});
      noah.sendBinary(kind3);
      // Sarah's socket speaks JSON only: the raw bytes come base64-encoded with the stamped meta
      JsonArray bin = sarah.await(a -> "broadcast".equals(a.getString(3))
          && "bin".equals(a.getJsonObject(4).getString("event")), Duration.ofSeconds(5));
      assertEquals(NOAH.toString(), bin.getJsonObject(4).getJsonObject("meta").getJsonObject("sender")
          .getString("user_id"));
    }
    var http = hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.token(NOAH), new JsonObject()
        .put("messages", new JsonArray().add(new JsonObject().put("topic", WEDDING).put("event", "e")
            .put("payload", new JsonObject()))));
    assertEquals(403, http.status(), "a viewer may not publish over HTTP: " + http.body());
  }

  @Test
  void typingOnlyInFieldsOneMayWrite() {
    String topic = "realtime:form:" + form;
    try (WsClient noah = hub.connect(NOAH); WsClient sarah = hub.connect(SARAH); WsClient emma = hub.connect(EMMA)) {
      ok(noah.join(topic));
      ok(sarah.join(topic));
      ok(emma.join(topic));
      error(sarah.request(topic, "field:typing", new JsonObject().put("field", "no_such_field")), "not_found");
      error(noah.request(topic, "field:typing", new JsonObject().put("field", "n")), "forbidden");
      error(sarah.request(topic, "field:typing", new JsonObject().put("field", "t")), "forbidden");
      emma.assertNone(a -> "field:typing".equals(a.getString(3)), Duration.ofMillis(300));
      ok(sarah.request(topic, "field:typing", new JsonObject().put("field", "n")));
      JsonArray typing = emma.await(a -> "field:typing".equals(a.getString(3)), Duration.ofSeconds(5));
      assertEquals("n", typing.getJsonObject(4).getString("field"));
      assertEquals(SARAH.toString(), typing.getJsonObject(4).getJsonObject("user").getString("user_id"));
    }
  }

  @Test
  void onlyTheHolderUnlocksAField() {
    String topic = "realtime:form:" + form;
    try (WsClient sarah = hub.connect(SARAH); WsClient tom = hub.connect(user(7)); WsClient noah = hub.connect(NOAH)) {
      ok(sarah.join(topic));
      ok(tom.join(topic));
      ok(noah.join(topic));
      long token = ok(sarah.request(topic, "field:lock", new JsonObject().put("field", "u"))).getLong("token");
      // Tokens count up per field: easy to guess. Guessing one does not release someone else's lock.
      for (WsClient other : List.of(tom, noah)) {
        error(other.request(topic, "field:unlock", new JsonObject().put("field", "u").put("token", token)),
            "forbidden");
      }
      JsonObject read = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(SARAH), null).json();
      assertTrue(read.getJsonArray("fields").stream().map(f -> (JsonObject) f)
          .anyMatch(f -> f.getString("key").equals("u") && !f.getJsonArray("locks").isEmpty()), "still locked");
      ok(sarah.request(topic, "field:unlock", new JsonObject().put("field", "u").put("token", token)));
    }
  }

  @Test
  void aFieldFilledInByTheOtherSideCannotBeLocked() {
    String topic = "realtime:form:" + form;
    try (WsClient sarah = hub.connect(SARAH)) {
      ok(sarah.join(topic));
      error(sarah.request(topic, "field:lock", new JsonObject().put("field", "t")), "forbidden");
    }
  }

  @Test
  void typingIsNeverEchoedToTheTypistEvenWithBroadcastSelf() {
    String topic = "realtime:form:" + form;
    try (WsClient sarah = hub.connect(SARAH); WsClient tom = hub.connect(user(7))) {
      ok(sarah.join(topic, new JsonObject().put("config", new JsonObject().put("broadcast",
          new JsonObject().put("self", true)))));
      ok(tom.join(topic));
      ok(sarah.request(topic, "field:typing", new JsonObject().put("field", "m")));
      tom.await(a -> "field:typing".equals(a.getString(3)), Duration.ofSeconds(5));
      sarah.assertNone(a -> "field:typing".equals(a.getString(3)), Duration.ofMillis(300));
      // broadcast.self still echoes broadcasts, as Supabase does
      ok(sarah.request(topic, "broadcast", new JsonObject().put("type", "broadcast").put("event", "cursor")
          .put("payload", new JsonObject())));
      sarah.await(a -> "broadcast".equals(a.getString(3)), Duration.ofSeconds(5));
    }
  }

  @Test
  void presenceKeysThatLookLikeAUserIdAreRefused() {
    try (WsClient sarah = hub.connect(SARAH)) {
      for (String key : List.of(" " + EMMA, EMMA + " ", "{" + EMMA + "}", "user:" + EMMA,
          EMMA.toString().replace("-", ""), "tab 1")) {
        JsonObject reply = sarah.join(WEDDING, new JsonObject().put("config", new JsonObject().put("presence",
            new JsonObject().put("key", key))));
        assertEquals("config.presence.key", error(reply, "invalid").getString("field"), key);
      }
      // a user id as key means one's own (the hub's default), never someone else's
      ok(sarah.join(WEDDING, new JsonObject().put("config", new JsonObject().put("presence",
          new JsonObject().put("key", EMMA.toString())))));
      ok(sarah.request(WEDDING, "presence", new JsonObject().put("type", "presence").put("event", "track")
          .put("payload", new JsonObject())));
      JsonObject state = hub.request(HttpMethod.GET, "/api/v1/channels/wedding:44444444-0000-0000-0000-000000000001"
          + "/presence", hub.token(SARAH), null).json();
      assertTrue(state.containsKey(SARAH.toString()), state.encode());
      assertTrue(!state.containsKey(EMMA.toString()) || state.getJsonObject(EMMA.toString()).getJsonArray("metas")
          .stream().allMatch(m -> ((JsonObject) m).getString("user_id").equals(EMMA.toString())), state.encode());
      ok(sarah.join(WEDDING, new JsonObject().put("config", new JsonObject().put("presence",
          new JsonObject().put("key", "cursor-tab_1")))));
    }
  }

  @Test
  void originsAreComparedAsUrlsNotText() {
    for (String origin : List.of("http://localhost:1@evil.example", "http://localhost.evil.example",
        "http://127.0.0.1:80@evil.example:443", "http://evil.example/http://localhost:3000", "null")) {
      MultiMap h = MultiMap.caseInsensitiveMultiMap().add("Origin", origin);
      WsClient.ConnectFailed refused = assertThrows(WsClient.ConnectFailed.class,
          () -> WsClient.connect(hub.client, hub.wsUrl(hub.token(SARAH)), h), origin);
      assertTrue(refused.getMessage().contains("403"), origin + ": " + refused.getMessage());
    }
    for (String origin : List.of("http://localhost:5173", "http://127.0.0.1:4000", "HTTP://LOCALHOST:3000")) {
      WsClient.connect(hub.client, hub.wsUrl(hub.token(SARAH)),
          MultiMap.caseInsensitiveMultiMap().add("Origin", origin)).close();
    }
  }

  @Test
  void fieldsBoundToTheGuestCountRefuseFractions() {
    UUID f1 = UUID.fromString("55555555-0000-0000-0000-000000000001");
    var res = hub.request(HttpMethod.PUT, "/api/v1/forms/" + f1 + "/fields/guest_count", hub.token(EMMA),
        new JsonObject().put("value", 1.5).put("force", true).put("op_id", "fraction-" + UUID.randomUUID()));
    assertEquals(400, res.status(), res.body());
    assertTrue(res.json().getJsonObject("error").getString("message").contains("whole number"), res.body());
  }
}
