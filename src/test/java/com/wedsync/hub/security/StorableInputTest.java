package com.wedsync.hub.security;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.Json;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 §1, as a property test: random strings from every Unicode plane, with U+0000 and unpaired surrogates among
 * them, sent through every write path over the socket and over HTTP. Each one is either refused {@code invalid} (naming
 * where it was) or stored and read back from PostgreSQL exactly as sent — and meanwhile a well-behaved editor's
 * changes on another form are all saved (one client's bad value never stalls anyone else's work).
 *
 * <p>Strings travel as JSON {@code \\uXXXX} escapes, the way a client's JSON can carry a lone surrogate that no UTF-8
 * frame could.
 */
class StorableInputTest {
  static final UUID EMMA = user(1);
  static final UUID SARAH = user(6);
  static final int PER_PATH = 120;

  static TestHub hub;
  static UUID form;
  static UUID quietForm;
  static final HttpClient http = HttpClient.newHttpClient();
  static final AtomicInteger ops = new AtomicInteger();

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
    form = TestForms.create("storable input", "t:text", "ta:textarea", "l:list");
    quietForm = TestForms.create("well-behaved editor", "n:number");
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  /** Random text: ASCII, the BMP, astral planes (paired surrogates), and now and then NUL or an unpaired surrogate. */
  static String randomText(Random r) {
    StringBuilder sb = new StringBuilder();
    int n = 1 + r.nextInt(24);
    for (int i = 0; i < n; i++) {
      int kind = r.nextInt(20);
      if (kind == 0) sb.append('\u0000');
      else if (kind == 1) sb.append((char) (0xD800 + r.nextInt(0x400))); // a high surrogate, usually unpaired
      else if (kind == 2) sb.append((char) (0xDC00 + r.nextInt(0x400))); // a low one
      else if (kind < 9) sb.append((char) (0x20 + r.nextInt(0x5F)));
      else if (kind < 13) sb.append((char) (0xA0 + r.nextInt(0xD800 - 0xA0)));
      else if (kind < 14) sb.append((char) (1 + r.nextInt(0x1F))); // control characters
      else {
        int plane = new int[] {1, 2, 3, 14, 15, 16}[r.nextInt(6)];
        sb.appendCodePoint(plane * 0x10000 + r.nextInt(0xFFFE));
      }
    }
    return sb.toString();
  }

  static boolean storable(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == 0) return false;
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) i++;
      else if (Character.isSurrogate(c)) return false;
    }
    return true;
  }

  static boolean hasControl(String s, boolean multiLine) {
    return s.chars().anyMatch(c -> Character.getType(c) == Character.CONTROL
        && !(multiLine && (c == '\n' || c == '\t')));
  }

  /** JSON with every non-ASCII character escaped: what a client sends to carry any UTF-16 string exactly. */
  static String ascii(String json) {
    StringBuilder out = new StringBuilder();
    for (char c : json.toCharArray()) {
      if (c < 0x80) out.append(c);
      else out.append(String.format("\\u%04x", (int) c));
    }
    return out.toString();
  }

  /** Percent-encodes the UTF-8 of {@code s}; an unpaired surrogate becomes the three bytes a CESU encoder writes. */
  static String percentEncoded(String s) {
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      byte[] bytes;
      if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
        bytes = s.substring(i, i + 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);
        i++;
      } else if (Character.isSurrogate(c)) {
        bytes = new byte[] {(byte) (0xE0 | c >> 12), (byte) (0x80 | (c >> 6 & 0x3F)), (byte) (0x80 | (c & 0x3F))};
      } else if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_' || c == '.')) {
        out.append(c);
        continue;
      } else {
        bytes = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      for (byte b : bytes) out.append(String.format("%%%02X", b & 0xFF));
    }
    return out.toString();
  }

  static String op() {
    return "op-" + ops.incrementAndGet() + "-" + UUID.randomUUID();
  }

  // ---- the socket --------------------------------------------------------------------------------------------------

  static JsonObject push(WsClient c, String topic, String event, JsonObject payload) {
    String ref = c.nextRef();
    c.sendRaw(ascii(new JsonArray().add("1").add(ref).add(topic).add(event).add(payload).encode()));
    return c.replyTo(ref);
  }

  static void assertInvalid(JsonObject reply, String field, String what) {
    assertEquals("error", reply.getString("status"), what + " " + reply.encode());
    assertEquals("invalid", reply.getJsonObject("response").getString("reason"), what + " " + reply.encode());
    String named = reply.getJsonObject("response").getString("field");
    assertTrue(named != null && named.startsWith(field), what + ": the error names " + field + ", got " + named);
  }

  @Test
  void everyWritePathStoresExactlyOrRefusesAndNobodyElseIsHeldUp() throws Exception {
    long seed = System.nanoTime();
    Random r = new Random(seed);
    String topic = "realtime:form:" + form;
    AtomicReference<Throwable> editorFailed = new AtomicReference<>();
    // A well-behaved editor keeps changing its own form while the fuzz runs.
    Thread editor = new Thread(() -> {
      try (WsClient sarah = hub.connect(SARAH)) {
        String t = "realtime:form:" + quietForm;
        assertEquals("ok", sarah.join(t).getString("status"));
        for (int i = 1; i <= 150; i++) {
          JsonObject reply = sarah.request(t, "field:set", new JsonObject().put("field", "n").put("value", i)
              .put("base_version", i - 1).put("op_id", "quiet-" + i + "-" + quietForm));
          assertEquals("ok", reply.getString("status"), reply.encode());
        }
      } catch (Throwable e) {
        editorFailed.set(e);
      }
    });
    editor.start();

    Map<Long, String> opIdAtVersion = new HashMap<>();
    Map<Long, String> valueAtVersion = new HashMap<>();
    List<String[]> listItems = new ArrayList<>();
    Map<String, String> notesByOp = new HashMap<>();
    StringBuilder textarea = new StringBuilder();
    try (WsClient emma = hub.connect(EMMA)) {
      assertEquals("ok", emma.join(topic).getString("status"), "seed " + seed);
      for (int i = 0; i < PER_PATH; i++) {
        String s = randomText(r);
        String what = "seed " + seed + ", string " + Json.encode(ascii(s));

        // field:set — the value, then the op id
        String opId = op();
        JsonObject set = push(emma, topic, "field:set", new JsonObject().put("field", "t").put("value", s)
            .put("force", true).put("op_id", opId));
        if (!storable(s)) assertInvalid(set, "value", what);
        else if (!hasControl(s, false) && !s.isBlank()) {
          long v = set.getJsonObject("response").getLong("version");
          valueAtVersion.put(v, s);
          opIdAtVersion.put(v, opId);
        }
        JsonObject byOp = push(emma, topic, "field:set", new JsonObject().put("field", "t").put("value", "x")
            .put("force", true).put("op_id", s));
        if (!storable(s)) assertInvalid(byOp, "op_id", what);
        else {
          assertEquals("ok", byOp.getString("status"), what + " " + byOp.encode());
          long v = byOp.getJsonObject("response").getLong("version");
          valueAtVersion.put(v, "x");
          opIdAtVersion.put(v, s);
        }

        // field:text — inserted at the start of the text area
        JsonObject text = push(emma, topic, "field:text", new JsonObject().put("field", "ta")
            .put("ops", new JsonArray().add(s)).put("base_version", versionOf("ta")).put("op_id", op()));
        if (!storable(s)) assertInvalid(text, "ops", what);
        else if (!hasControl(s, true)) {
          assertEquals("ok", text.getString("status"), what + " " + text.encode());
          textarea.insert(0, s);
        }

        // field:list — the item id and an item property
        String id = s.length() > 30 ? s.substring(0, 30) : s;
        JsonObject list = push(emma, topic, "field:list", new JsonObject().put("field", "l").put("action", "append")
            .put("item_id", id + "#" + i).put("item", new JsonObject().put("label", s)).put("op_id", op()));
        if (!storable(id + s)) assertInvalid(list, "item", what);
        else if (!hasControl(id, false)) {
          assertEquals("ok", list.getString("status"), what + " " + list.encode());
          listItems.add(new String[] {id + "#" + i, s});
        }

        // form:note
        String noteOp = op();
        JsonObject note = push(emma, topic, "form:note", new JsonObject().put("text", s).put("op_id", noteOp));
        if (!storable(s)) assertInvalid(note, "text", what);
        else {
          assertEquals("ok", note.getString("status"), what + " " + note.encode());
          notesByOp.put(noteOp, s);
        }

        // sync (offline replay)
        JsonObject sync = push(emma, topic, "sync", new JsonObject().put("ops", new JsonArray()
            .add(new JsonObject().put("event", "field:set").put("payload", new JsonObject().put("field", "t")
                .put("value", "synced").put("force", true).put("op_id", s)))));
        if (!storable(s)) assertInvalid(sync, "ops[0].payload.op_id", what);
        else {
          JsonObject result = sync.getJsonObject("response").getJsonArray("results").getJsonObject(0);
          assertTrue(List.of("applied", "duplicate").contains(result.getString("result")), what + " " + sync.encode());
        }
      }
    }

    // ---- HTTP: the same through the REST twins -----------------------------------------------------------------
    String emmaToken = hub.token(EMMA);
    UUID bellUser = freshUser();
    Map<String, String> titles = new HashMap<>();
    for (int i = 0; i < PER_PATH; i++) {
      String s = randomText(r);
      String what = "seed " + seed + ", string " + Json.encode(ascii(s));
      String opId = op();
      var put = send("PUT", "/api/v1/forms/" + form + "/fields/t", emmaToken,
          new JsonObject().put("value", s).put("force", true).put("op_id", opId));
      if (!storable(s)) assertHttpInvalid(put, "value", what);
      else if (!hasControl(s, false) && !s.isBlank()) {
        assertEquals(200, put.statusCode(), what + " " + put.body());
        long v = new JsonObject(put.body()).getLong("version");
        valueAtVersion.put(v, s);
        opIdAtVersion.put(v, opId);
      }
      var rollback = send("POST", "/api/v1/forms/" + form + "/fields/t/rollback", emmaToken,
          new JsonObject().put("version", 1).put("op_id", s));
      if (!storable(s)) assertHttpInvalid(rollback, "op_id", what);
      else assertEquals(200, rollback.statusCode(), what + " " + rollback.body());
      var note = send("POST", "/api/v1/forms/" + form + "/notes", emmaToken,
          new JsonObject().put("text", s).put("op_id", opId));
      if (!storable(s)) assertHttpInvalid(note, "text", what);
      else {
        assertEquals(200, note.statusCode(), what + " " + note.body());
        notesByOp.put(opId, s);
      }
      var sync = send("POST", "/api/v1/sync/changes", emmaToken, new JsonObject().put("changes", new JsonArray()
          .add(new JsonObject().put("op_id", s).put("form_id", form.toString()).put("field", "t").put("value", "y")
              .put("force", true))));
      if (!storable(s)) assertHttpInvalid(sync, "changes[0].op_id", what);
      else assertEquals(200, sync.statusCode(), what + " " + sync.body());
      String title = s.length() > 200 ? s.substring(0, 200) : s;
      var notify = send("POST", "/api/v1/notifications", hub.tokens.service(600), new JsonObject()
          .put("user_ids", new JsonArray().add(bellUser.toString())).put("type", "fuzz").put("title", title)
          .put("body", s).put("data", new JsonObject().put("k", s)));
      if (!storable(s)) assertHttpInvalid(notify, "title", what);
      else {
        assertEquals(201, notify.statusCode(), what + " " + notify.body());
        titles.put(title, s);
      }
      // A URL carries bytes: an unpaired surrogate can only arrive as bytes that decode to U+FFFD; U+0000 as %00.
      var query = send("GET", "/api/v1/notifications?type=" + percentEncoded(s), hub.token(bellUser), null);
      if (s.indexOf('\u0000') >= 0) assertHttpInvalid(query, "type", what);
      else assertTrue(query.statusCode() == 200 || query.statusCode() == 400 && new JsonObject(query.body())
          .getJsonObject("error").getString("code").equals("invalid"), what + " " + query.body());
    }

    editor.join(60_000);
    if (editorFailed.get() != null) throw new AssertionError("the well-behaved editor failed", editorFailed.get());

    // ---- everything accepted is in PostgreSQL exactly as sent -------------------------------------------------
    awaitSaved(quietForm, "n", 150);
    assertEquals(150, count("select count(*) from field_revisions where form_id = '" + quietForm + "'"),
        "every change of the well-behaved editor was saved");
    long last = versionOf("t");
    awaitSaved(form, "t", last);
    for (var e : opIdAtVersion.entrySet()) {
      var rows = TestPostgres.query("select r.op_id, r.value::text as value from field_revisions r join form_fields f "
          + "on f.id = r.field_id where r.form_id = '" + form + "' and f.key = 't' and r.version = " + e.getKey());
      assertEquals(1, rows.size(), "revision " + e.getKey() + " stored");
      assertEquals(e.getValue(), rows.get(0).get("op_id"), "op id read back exactly (seed " + seed + ")");
      assertEquals(valueAtVersion.get(e.getKey()), new JsonArray("[" + rows.get(0).get("value") + "]").getValue(0),
          "value read back exactly (seed " + seed + ")");
    }
    awaitSaved(form, "ta", versionOf("ta"));
    assertEquals(textarea.toString(), new JsonArray("[" + TestPostgres.query("select value::text as v from form_fields "
        + "where form_id = '" + form + "' and key = 'ta'").get(0).get("v") + "]").getValue(0), "seed " + seed);
    awaitSaved(form, "l", versionOf("l"));
    JsonArray stored = new JsonArray((String) TestPostgres.query("select value::text as v from form_fields where "
        + "form_id = '" + form + "' and key = 'l'").get(0).get("v"));
    assertEquals(listItems.size(), stored.size(), "seed " + seed);
    for (int i = 0; i < listItems.size(); i++) {
      assertEquals(listItems.get(i)[0], stored.getJsonObject(i).getString("id"), "seed " + seed);
      assertEquals(listItems.get(i)[1], stored.getJsonObject(i).getString("label"), "seed " + seed);
    }
    for (var e : notesByOp.entrySet()) {
      var rows = TestPostgres.query("select text from form_notes where op_id = '" + e.getKey() + "'");
      assertEquals(1, rows.size());
      assertEquals(e.getValue(), rows.get(0).get("text"), "note read back exactly (seed " + seed + ")");
    }
    var bell = new JsonObject(send("GET", "/api/v1/notifications?limit=100", hub.token(bellUser), null).body());
    for (Object n : bell.getJsonArray("notifications")) {
      JsonObject notification = (JsonObject) n;
      String sent = titles.get(notification.getString("title"));
      assertTrue(sent != null, "a notification title read back exactly: " + notification.encode());
      assertEquals(sent, notification.getString("body"));
      assertEquals(sent, notification.getJsonObject("data").getString("k"));
    }
    assertEquals(0, count("select count(*) from save_dead_letters where form_id in ('" + form + "', '" + quietForm
        + "')"), "nothing reached the save batch that PostgreSQL refused");
    String ready = hub.request(HttpMethod.GET, "/ready", null, null).body();
    assertEquals("ready", new JsonObject(ready).getString("status"), ready);
  }

  @Test
  void aNulInNoteTextIsInvalidNotUnavailable() {
    try (WsClient emma = hub.connect(EMMA)) {
      String topic = "realtime:form:" + form;
      emma.join(topic);
      JsonObject reply = push(emma, topic, "form:note", new JsonObject().put("text", "a\u0000b").put("op_id", op()));
      assertInvalid(reply, "text", "note");
      assertTrue(reply.getJsonObject("response").getString("detail").contains("U+0000"), reply.encode());
    }
  }

  @Test
  void aNonFiniteNumberIsRefusedAtTheEdge() {
    try (WsClient emma = hub.connect(EMMA)) {
      String topic = "realtime:form:" + form;
      emma.join(topic);
      String ref = emma.nextRef();
      emma.sendRaw("[\"1\",\"" + ref + "\",\"" + topic + "\",\"field:list\",{\"field\":\"l\",\"action\":\"append\","
          + "\"item_id\":\"inf\",\"item\":{\"n\":1e400},\"op_id\":\"" + op() + "\"}]");
      assertInvalid(emma.replyTo(ref), "item.n", "1e400");
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  static HttpResponse<String> send(String method, String path, String token, JsonObject body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.hub.port() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(ascii(body.encode())));
    if (body != null) b.header("content-type", "application/json");
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertHttpInvalid(HttpResponse<String> res, String field, String what) {
    assertEquals(400, res.statusCode(), what + " " + res.body());
    JsonObject error = new JsonObject(res.body()).getJsonObject("error");
    assertEquals("invalid", error.getString("code"), what + " " + res.body());
    assertTrue(error.getString("field", "").startsWith(field), what + ": names " + field + ": " + res.body());
  }

  static long versionOf(String key) {
    var res = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(EMMA), null);
    for (Object f : res.json().getJsonArray("fields")) {
      if (((JsonObject) f).getString("key").equals(key)) return ((JsonObject) f).getLong("version");
    }
    throw new AssertionError("no field " + key);
  }

  static void awaitSaved(UUID formId, String key, long version) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 15_000;
    while (System.currentTimeMillis() < deadline) {
      var rows = TestPostgres.query("select version from form_fields where form_id = '" + formId + "' and key = '"
          + key + "'");
      if (((Number) rows.get(0).get("version")).longValue() >= version) return;
      Thread.sleep(100);
    }
    throw new AssertionError(key + " of " + formId + " not saved up to version " + version + " within 15 s");
  }

  static long count(String sql) {
    return ((Number) TestPostgres.query(sql).get(0).values().iterator().next()).longValue();
  }

  static UUID freshUser() {
    UUID id = UUID.randomUUID();
    TestPostgres.execute("insert into users (id, email, name) values ('" + id + "', '" + id + "@fuzz.example', "
        + "'Fuzz Bell')");
    return id;
  }
}
