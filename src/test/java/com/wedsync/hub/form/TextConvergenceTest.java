package com.wedsync.hub.form;

import com.wedsync.hub.form.text.RandomTextOps;
import com.wedsync.hub.form.text.TextOp;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The randomised property over real sockets: several clients of both sides apply concurrent {@code field:text} ops
 * with random delays against one text area. Every client's text, the hub's value and the stored value end identical,
 * and every client's insertion (a unique marker) is present exactly once. Seeded, so a failure repeats.
 */
class TextConvergenceTest {
  static final List<UUID> PEOPLE = List.of(
      UUID.fromString("11111111-0000-0000-0000-000000000001"), UUID.fromString("11111111-0000-0000-0000-000000000002"),
      UUID.fromString("11111111-0000-0000-0000-000000000003"), UUID.fromString("11111111-0000-0000-0000-000000000006"),
      UUID.fromString("11111111-0000-0000-0000-000000000007"), UUID.fromString("11111111-0000-0000-0000-000000000008"));

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("HUB_SOCKET_RATE_PER_SECOND", "5000", "HUB_SOCKET_RATE_BURST", "5000",
        "HUB_FORMS_SAVE_INTERVAL_MS", "100"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  /** A ShareDB-style client: one op in flight, later edits buffered, others' ops transformed in version order. */
  private static final class Editor {
    final int id;
    final WsClient ws;
    final String topic;
    final String runId;
    String text = "";
    long version;
    TextOp inflight;
    String inflightId;
    TextOp buffer;
    int seq;
    final TreeMap<Long, JsonObject> early = new TreeMap<>();

    Editor(int id, WsClient ws, String topic, String runId) {
      this.id = id;
      this.ws = ws;
      this.topic = topic;
      this.runId = runId;
    }

    void edit(TextOp op) {
      text = op.apply(text);
      if (inflight == null) send(op);
      else buffer = buffer == null ? op : TextOp.compose(buffer, op);
    }

    private void send(TextOp op) {
      inflight = op;
      inflightId = runId + "-c" + id + "-" + (seq++);
      ws.send(null, ws.nextRef(), topic, "field:text", new JsonObject().put("field", "story")
          .put("ops", op.toJson()).put("base_version", version).put("op_id", inflightId));
    }

    /** Applies every field:changed received so far, strictly in version order. */
    void drain() {
      JsonArray frame;
      while ((frame = ws.poll(a -> "field:changed".equals(a.getString(3)))) != null) {
        JsonObject e = frame.getJsonObject(4);
        early.put(e.getLong("version"), e);
      }
      JsonArray error;
      while ((error = ws.poll(a -> "phx_reply".equals(a.getString(3))
          && "error".equals(a.getJsonObject(4).getString("status")))) != null) {
        throw new AssertionError("client " + id + " got an error: " + error);
      }
      ws.poll(a -> "phx_reply".equals(a.getString(3))); // acks carry nothing the events do not
      while (!early.isEmpty() && early.firstKey() == version + 1) receive(early.pollFirstEntry().getValue());
    }

    private void receive(JsonObject e) {
      version = e.getLong("version");
      if (inflight != null && inflightId.equals(e.getString("op_id"))) {
        inflight = null;
        if (buffer != null) {
          TextOp next = buffer;
          buffer = null;
          send(next);
        }
        return;
      }
      TextOp incoming = TextOp.parse(e.getJsonArray("ops"));
      if (inflight != null) {
        TextOp over = TextOp.transform(incoming, inflight, true);
        inflight = TextOp.transform(inflight, incoming, false);
        incoming = over;
      }
      if (buffer != null) {
        TextOp over = TextOp.transform(incoming, buffer, true);
        buffer = TextOp.transform(buffer, incoming, false);
        incoming = over;
      }
      text = incoming.apply(text);
    }

    boolean idle() {
      return inflight == null && buffer == null && early.isEmpty();
    }
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void concurrentTextEditsConvergeAndKeepEveryInsert(long seed) throws Exception {
    Random r = new Random(seed);
    UUID form = TestForms.create("Convergence " + seed, "story:textarea");
    String topic = "realtime:form:" + form;
    String runId = UUID.randomUUID().toString().substring(0, 8);
    List<Editor> editors = new ArrayList<>();
    for (int i = 0; i < PEOPLE.size(); i++) {
      WsClient ws = hub.connect(PEOPLE.get(i));
      assertEquals("ok", ws.join(topic).getString("status"));
      editors.add(new Editor(i, ws, topic, runId));
    }
    List<String> markers = new ArrayList<>();
    try {
      for (int step = 0; step < 300; step++) {
        Editor e = editors.get(r.nextInt(editors.size()));
        switch (r.nextInt(4)) {
          case 0, 1 -> {
            TextOp op = RandomTextOps.markerSafeOp(r, e.text, markers, "s" + seed + "c" + e.id + "-" + step);
            if (!op.isNoop()) e.edit(op);
          }
          case 2 -> e.drain();
          default -> Thread.sleep(r.nextInt(3));
        }
      }
      long deadline = System.currentTimeMillis() + 20_000;
      while (System.currentTimeMillis() < deadline) {
        editors.forEach(Editor::drain);
        long max = editors.stream().mapToLong(x -> x.version).max().orElse(0);
        if (editors.stream().allMatch(x -> x.idle() && x.version == max)) break;
        Thread.sleep(5);
      }
      String ctx = "seed " + seed;
      Editor first = editors.get(0);
      for (Editor e : editors) {
        assertNull(e.inflight, ctx + ": client " + e.id + " still waits for an op");
        assertEquals(first.version, e.version, ctx + ": versions of client " + e.id);
        assertEquals(first.text, e.text, ctx + ": text of client " + e.id);
      }
      JsonObject served = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(PEOPLE.get(0)), null).json();
      JsonObject story = served.getJsonArray("fields").getJsonObject(0);
      assertEquals(first.text, story.getString("value"), ctx + ": the hub's value");
      assertEquals(first.version, story.getLong("version"), ctx + ": the hub's version");
      for (String marker : markers) {
        int at = first.text.indexOf(marker);
        assertTrue(at >= 0, ctx + ": insert " + marker + " was lost");
        assertEquals(at, first.text.lastIndexOf(marker), ctx + ": insert " + marker + " duplicated");
      }
      assertFalse(markers.isEmpty());
      hub.hub.saves().flush().toCompletionStage().toCompletableFuture().get();
      try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
           ResultSet rs = c.createStatement().executeQuery(
               "select value #>> '{}', version from form_fields where form_id = '" + form + "'")) {
        rs.next();
        assertEquals(first.text, rs.getString(1), ctx + ": the stored value");
        assertEquals(first.version, rs.getLong(2), ctx + ": the stored version");
      }
    } finally {
      editors.forEach(e -> e.ws.close());
    }
  }
}
