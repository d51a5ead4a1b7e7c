package com.wedsync.hub.security;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
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

import static com.wedsync.hub.support.DemoIds.user;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 11 §1: a save backlog that is not draining shows in {@code /ready} and the metrics, and a graceful shutdown
 * never drops accepted changes silently — what it cannot write within its grace period goes to a spill file that the
 * next start writes before it opens.
 */
class SaveBacklogAndSpillTest {
  static final UUID EMMA = user(1);
  static final UUID F1 = UUID.fromString("55555555-0000-0000-0000-000000000001");

  @Test
  void aBacklogThatDoesNotDrainMakesTheNodeNotReady() throws Exception {
    // Saves every minute, a backlog older than one second is "not draining": /ready must say so, then recover.
    Map<String, String> env = new HashMap<>(TestHub.editing("60000"));
    env.put("WEDSYNC_HUB_FORMS_SAVE_BACKLOG_READY_MS", "1000");
    UUID form = com.wedsync.hub.support.TestForms.create("backlog", "t:text");
    try (TestHub hub = TestHub.start(env); WsClient emma = hub.connect(EMMA)) {
      String topic = "realtime:form:" + form;
      ok(emma.join(topic));
      ok(emma.request(topic, "field:set", new JsonObject().put("field", "t").put("value", "waiting").put("force", true)
          .put("op_id", "backlog-" + form)));
      assertEquals(200, hub.request(HttpMethod.GET, "/ready", null, null).status(), "a fresh change is no backlog");
      Thread.sleep(1500);
      var ready = hub.request(HttpMethod.GET, "/ready", null, null);
      assertEquals(503, ready.status(), ready.body());
      assertTrue(ready.json().getJsonObject("checks").getString("saves").contains("not draining"), ready.body());
      hub.hub.saves().flush().toCompletionStage().toCompletableFuture().get();
      String metrics = hub.request(HttpMethod.GET, "/metrics", null, null).body();
      assertTrue(metrics.contains("hub_save_backlog_oldest_seconds 0.0"), "the gauge is back to 0 once written");
      assertEquals(200, hub.request(HttpMethod.GET, "/ready", null, null).status(), "ready again once written");
    }
  }

  @Test
  void whatCannotBeSavedAtShutdownIsSpilledAndWrittenAtTheNextStart() throws Exception {
    Path data = Files.createTempDirectory("spill-pg");
    Path spill = Files.createTempDirectory("spill-dir");
    int pgPort;
    try (ServerSocket s = new ServerSocket(0)) {
      pgPort = s.getLocalPort();
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setPort(pgPort).start();
    Map<String, String> env = new HashMap<>(TestHub.editing("600000"));
    env.put("WEDSYNC_HUB_DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:" + pgPort + "/postgres");
    env.put("WEDSYNC_HUB_DEMO_DATA", "true");
    env.put("WEDSYNC_HUB_FORMS_SPILL_DIR", spill.toString());
    env.put("WEDSYNC_HUB_FORMS_DRAIN_MS", "1500");
    try {
      TestHub first = TestHub.start(env);
      try (WsClient emma = first.connect(EMMA)) {
        String topic = "realtime:form:" + F1;
        ok(emma.join(topic));
        for (int i = 1; i <= 5; i++) {
          ok(emma.request(topic, "field:set", new JsonObject().put("field", "album")
              .put("value", List.of("small", "medium", "large").get(i % 3)).put("force", true)
              .put("op_id", "spill-" + i)));
        }
      }
      pg.close(); // PostgreSQL is gone for the whole grace period
      first.close();
      Path file = spill.resolve("unsaved-changes.jsonl");
      assertTrue(Files.exists(file), "the unsaved changes are on disk");
      assertEquals(5, Files.readAllLines(file).size());

      pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start();
      try (TestHub second = TestHub.start(env)) {
        assertFalse(Files.exists(file), "written and removed before the hub opened");
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres",
            "postgres", "postgres");
             ResultSet rs = c.createStatement().executeQuery("select value #>> '{}', version from form_fields "
                 + "where form_id = '" + F1 + "' and key = 'album'")) {
          assertTrue(rs.next());
          assertEquals("large", rs.getString(1));
          long version = rs.getLong(2);
          var read = second.request(HttpMethod.GET, "/api/v1/forms/" + F1, second.token(EMMA), null).json();
          JsonObject field = read.getJsonArray("fields").stream().map(o -> (JsonObject) o)
              .filter(f -> f.getString("key").equals("album")).findFirst().orElseThrow();
          assertEquals(version, field.getLong("version"), "the restarted hub serves the spilled version");
          try (ResultSet revs = c.createStatement().executeQuery("select count(*) from field_revisions where op_id "
              + "in ('spill-1','spill-2','spill-3','spill-4','spill-5')")) {
            revs.next();
            assertEquals(5, revs.getInt(1), "every accepted change kept its revision");
          }
        }
      }
    } finally {
      pg.close();
    }
  }
}
