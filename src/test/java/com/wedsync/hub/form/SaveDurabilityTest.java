package com.wedsync.hub.form;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Nothing accepted is lost: not when PostgreSQL goes away mid-editing (edits keep flowing live and land after it
 * returns), not at a graceful shutdown (the buffer is flushed), and a batch window collapses row writes.
 */
class SaveDurabilityTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");

  private static JsonObject set(String field, Object value, long base, String opId) {
    return new JsonObject().put("field", field).put("value", value).put("base_version", base).put("op_id", opId);
  }

  @Test
  void editsDuringAPostgresOutageAllLandAfterItReturns() throws Exception {
    Path data = Files.createTempDirectory("pg-outage");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    EmbeddedPostgres pg = start(data, port);
    String url = "postgresql://postgres:postgres@127.0.0.1:" + port + "/postgres";
    try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_DATABASE_URL", url, "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "300",
        "WEDSYNC_HUB_FORMS_SAVE_RETRY_MAX_MS", "1000", "WEDSYNC_HUB_DATABASE_POOL_SIZE", "4"))) {
      String topic = "realtime:form:55555555-0000-0000-0000-000000000001";
      WsClient emma = hub.connect(EMMA);
      WsClient sarah = hub.connect(SARAH);
      emma.join(topic);
      sarah.join(topic);

      pg.close(); // PostgreSQL goes away
      assertEquals(503, hub.request(HttpMethod.GET, "/ready", null, null).status(), "/ready reports the outage");

      for (int i = 0; i < 20; i++) {
        JsonObject reply = emma.request(topic, "field:set", set("coverage_hours", 1 + (i % 14), i, "outage-" + i));
        assertEquals("ok", reply.getString("status"), "accepted while PostgreSQL is down: " + reply);
        assertEquals(i + 1, reply.getJsonObject("response").getLong("version"));
        // live for the others at once
        int version = i + 1;
        sarah.await(a -> "field:changed".equals(a.getString(3)) && a.getJsonObject(4).getLong("version") == version,
            Duration.ofSeconds(5));
      }
      Thread.sleep(1500); // a few failed flushes
      pg = start(data, port); // PostgreSQL is back

      sarah.await(a -> "field:saved".equals(a.getString(3)) && a.getJsonObject(4).getLong("version") == 20,
          Duration.ofSeconds(20));
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres",
          "postgres", "postgres"); Statement st = c.createStatement()) {
        ResultSet rs = st.executeQuery("select value::text, version from form_fields where form_id = "
            + "'55555555-0000-0000-0000-000000000001' and key = 'coverage_hours'");
        rs.next();
        assertEquals("6", rs.getString(1)); // 1 + 19 % 14
        assertEquals(20, rs.getLong(2));
        rs = st.executeQuery("select count(*), count(distinct r.version) from field_revisions r join form_fields f "
            + "on f.id = r.field_id where f.key = 'coverage_hours' and f.form_id = '55555555-0000-0000-0000-000000000001'");
        rs.next();
        assertEquals(20, rs.getInt(1), "every accepted change kept as a revision");
        assertEquals(20, rs.getInt(2));
      }
      assertEquals(200, hub.request(HttpMethod.GET, "/ready", null, null).status());
    } finally {
      pg.close();
    }
  }

  private static EmbeddedPostgres start(Path data, int port) throws Exception {
    return EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(port).start();
  }

  @Test
  void aGracefulShutdownFlushesEverythingPending() throws Exception {
    UUID form = TestForms.create("Shutdown flush", "a:text", "b:number", "c:textarea");
    String topic = "realtime:form:" + form;
    TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "600000"));
    try (WsClient emma = hub.connect(EMMA)) {
      emma.join(topic);
      for (int i = 0; i < 5; i++) {
        assertEquals("ok", emma.request(topic, "field:set", set("a", "value " + i, i, "sd-a-" + i + form))
            .getString("status"));
      }
      assertEquals("ok", emma.request(topic, "field:set", set("b", 42, 0, "sd-b" + form)).getString("status"));
      assertEquals("ok", emma.request(topic, "field:text", new JsonObject().put("field", "c")
          .put("ops", new JsonArray().add("hello")).put("base_version", 0).put("op_id", "sd-c" + form))
          .getString("status"));
      assertEquals(4, hub.hub.saves().stats().pendingFields() == 3 ? 4 : hub.hub.saves().stats().pendingFields() + 1,
          "nothing written yet: the batch window is ten minutes");
    } finally {
      hub.close();
    }
    Map<String, String> stored = new java.util.HashMap<>();
    try (Connection c = DriverManager.getConnection(com.wedsync.hub.support.TestPostgres.jdbcUrl(), "postgres",
        "postgres"); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("select key, value::text, version from form_fields where form_id = '" + form + "'");
      while (rs.next()) stored.put(rs.getString(1), rs.getString(2) + "@" + rs.getLong(3));
      rs = st.executeQuery("select count(*) from field_revisions where form_id = '" + form + "'");
      rs.next();
      assertEquals(7, rs.getInt(1), "every revision written at shutdown");
    }
    assertEquals("\"value 4\"@5", stored.get("a"));
    assertEquals("42@1", stored.get("b"));
    assertEquals("\"hello\"@1", stored.get("c"));
  }

  @Test
  void aHundredChangesInOneWindowAreOneRowWriteAndAHundredRevisions() throws Exception {
    UUID form = TestForms.create("Coalescing", "n:number");
    String topic = "realtime:form:" + form;
    try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "5000",
        "WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "1000", "WEDSYNC_HUB_SOCKET_RATE_BURST", "1000"));
         WsClient emma = hub.connect(EMMA)) {
      emma.join(topic);
      hub.hub.saves().flush().toCompletionStage().toCompletableFuture().get();
      SaveBuffer.Stats before = hub.hub.saves().stats();
      for (int i = 0; i < 100; i++) {
        JsonObject reply = emma.request(topic, "field:set", set("n", i, i, "co-" + i + form));
        assertEquals("ok", reply.getString("status"), reply.encode());
      }
      hub.hub.saves().flush().toCompletionStage().toCompletableFuture().get();
      SaveBuffer.Stats after = hub.hub.saves().stats();
      assertEquals(1, after.rowsWritten() - before.rowsWritten(), "one row write for the field");
      assertEquals(100, after.revisionsWritten() - before.revisionsWritten(), "one revision per change");
      assertEquals(1, after.batches() - before.batches(), "in one batch");
    }
    try (Connection c = DriverManager.getConnection(com.wedsync.hub.support.TestPostgres.jdbcUrl(), "postgres",
        "postgres"); Statement st = c.createStatement()) {
      ResultSet rs = st.executeQuery("select count(*), min(version), max(version) from field_revisions where form_id = '"
          + form + "'");
      rs.next();
      assertEquals(100, rs.getInt(1));
      assertEquals(1, rs.getInt(2));
      assertEquals(100, rs.getInt(3));
    }
  }
}
