package com.wedsync.hub.db;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.support.HubProcess;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 §3: in the embedded mode the hub owns its PostgreSQL, so a SIGTERM writes every accepted change into it
 * before stopping it. zonky's own shutdown hook used to stop PostgreSQL at the same moment as the hub's drain began
 * (JVM hooks run together), leaving the accepted changes to the spill file at best.
 */
class EmbeddedShutdownDrainTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final String FORM = "55555555-0000-0000-0000-000000000001";

  @Test
  void sigtermSavesAcceptedChangesIntoTheEmbeddedPostgresBeforeStoppingIt() throws Exception {
    Path data = Files.createTempDirectory("drain").resolve("postgres");
    Path spill = Files.createTempDirectory("drain-spill");
    int pgPort;
    try (ServerSocket s = new ServerSocket(0)) {
      pgPort = s.getLocalPort();
    }
    Map<String, String> env = new HashMap<>();
    env.put("HUB_DATABASE_MODE", "embedded");
    env.put("HUB_DATABASE_URL", "");
    env.put("HUB_DATABASE_DATA_DIR", data.toString());
    env.put("HUB_DATABASE_EMBEDDED_PORT", String.valueOf(pgPort));
    env.put("HUB_DEMO_DATA", "true");
    env.put("HUB_FORMS_SAVE_INTERVAL_MS", "600000"); // nothing is written before the shutdown
    env.put("HUB_FORMS_SPILL_DIR", spill.toString());
    env.put("HUB_FORMS_DRAIN_MS", "15000");
    Vertx client = Vertx.vertx();
    DevTokens tokens = new DevTokens(client, HubConfig.load(Map.of()).auth().hs256Secret());
    String topic = "realtime:form:" + FORM;
    HubProcess first = HubProcess.start("drain-1", env);
    try (WsClient emma = WsClient.connect(client, first.wsUrl(tokens.user(EMMA, 3600)))) {
      emma.join(topic);
      for (int i = 1; i <= 5; i++) {
        JsonObject r = emma.request(topic, "field:set", new JsonObject().put("field", "album")
            .put("value", List.of("small", "medium", "large").get(i % 3)).put("force", true)
            .put("op_id", "drain-" + i));
        assertEquals("ok", r.getString("status"), r.encode());
      }
      assertEquals(0, storedRevisions(pgPort), "still unsaved when the signal comes");
    } finally {
      first.close(); // SIGTERM, and waits for the process to end
      client.close();
    }
    String log = String.join("\n", first.output());
    assertTrue(log.contains("hub drain-1 stopped"), log);
    assertFalse(log.contains("could not be saved"), log);
    assertFalse(Files.exists(spill.resolve("unsaved-changes.jsonl")), "written to PostgreSQL, not spilled: " + log);
    assertFalse(Files.exists(data.resolve("postmaster.pid")), "the hub stopped its PostgreSQL after the drain");

    HubProcess second = HubProcess.start("drain-2", env);
    try {
      assertEquals(5, storedRevisions(pgPort), "every accepted change is in the database after the restart");
      try (Connection c = connect(pgPort); ResultSet rs = c.createStatement().executeQuery("select value #>> '{}' "
          + "from form_fields where form_id = '" + FORM + "' and key = 'album'")) {
        assertTrue(rs.next());
        assertEquals("large", rs.getString(1));
      }
      assertFalse(String.join("\n", second.output()).contains("spilled at the last shutdown"));
    } finally {
      second.close();
    }
    assertFalse(Files.exists(data.resolve("postmaster.pid")), "stopped again");
  }

  private static int storedRevisions(int pgPort) throws Exception {
    try (Connection c = connect(pgPort); ResultSet rs = c.createStatement().executeQuery("select count(*) from "
        + "field_revisions where op_id like 'drain-%'")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static Connection connect(int pgPort) throws Exception {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres", "postgres", "postgres");
  }
}
