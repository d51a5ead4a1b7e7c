package com.wedsync.hub.form;

import com.wedsync.hub.form.text.RandomTextOps;
import com.wedsync.hub.form.text.TextOp;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.OtClient;
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
    hub = TestHub.start(Map.of("WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "5000", "WEDSYNC_HUB_SOCKET_RATE_BURST", "5000",
        "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "100"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 42, 2026})
  void concurrentTextEditsConvergeAndKeepEveryInsert(long seed) throws Exception {
    Random r = new Random(seed);
    UUID form = TestForms.create("Convergence " + seed, "story:textarea");
    String topic = "realtime:form:" + form;
    String runId = UUID.randomUUID().toString().substring(0, 8);
    List<OtClient> editors = new ArrayList<>();
    for (int i = 0; i < PEOPLE.size(); i++) {
      WsClient ws = hub.connect(PEOPLE.get(i));
      assertEquals("ok", ws.join(topic).getString("status"));
      editors.add(new OtClient(i, ws, topic, "story", runId));
    }
    List<String> markers = new ArrayList<>();
    try {
      for (int step = 0; step < 300; step++) {
        OtClient e = editors.get(r.nextInt(editors.size()));
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
        editors.forEach(OtClient::drain);
        long max = editors.stream().mapToLong(x -> x.version).max().orElse(0);
        if (editors.stream().allMatch(x -> x.idle() && x.version == max)) break;
        Thread.sleep(5);
      }
      String ctx = "seed " + seed;
      OtClient first = editors.get(0);
      for (OtClient e : editors) {
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
