package com.wedsync.hub.cluster;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.support.HubProcess;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * PostgreSQL unreachable for ten seconds under a two-node cluster: edits keep flowing live between nodes, /ready says
 * so, and every accepted change lands once PostgreSQL is back.
 */
class ClusterPostgresOutageTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final String FORM = "55555555-0000-0000-0000-000000000001";

  @Test
  void editsFlowThroughATenSecondOutageAndAllLandAfterwards() throws Exception {
    Path data = Files.createTempDirectory("cluster-pg");
    int pgPort;
    try (ServerSocket s = new ServerSocket(0)) {
      pgPort = s.getLocalPort();
    }
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false)
        .setPort(pgPort).start();
    TestRedis redis = TestRedis.start();
    Vertx client = Vertx.vertx();
    DevTokens tokens = new DevTokens(client, HubConfig.load(Map.of()).auth().hs256Secret());
    Map<String, String> env = new HashMap<>(Map.of("WEDSYNC_HUB_CLUSTER_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_URL",
        redis.url(), "WEDSYNC_HUB_DATABASE_URL", "postgresql://postgres:postgres@127.0.0.1:" + pgPort + "/postgres",
        "WEDSYNC_HUB_DEMO_DATA", "true", "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "300", "WEDSYNC_HUB_FORMS_SAVE_RETRY_MAX_MS", "1000"));
    HubProcess a = HubProcess.start("pa", env);
    HubProcess b = HubProcess.start("pb", env);
    String topic = "realtime:form:" + FORM;
    try (WsClient emma = WsClient.connect(client, a.wsUrl(tokens.user(EMMA, 3600)));
         WsClient sarah = WsClient.connect(client, b.wsUrl(tokens.user(SARAH, 3600)))) {
      emma.join(topic);
      sarah.join(topic);
      // The form is in Redis once someone has worked on it; then PostgreSQL goes away for ten seconds.
      int accepted = 0;
      JsonObject first = emma.request(topic, "field:set", new JsonObject().put("field", "coverage_hours")
          .put("value", 1).put("base_version", 0).put("op_id", "pgo-first"));
      assertEquals("ok", first.getString("status"), first.encode());
      accepted++;
      pg.close();
      long down = System.currentTimeMillis();
      assertEquals(503, ready(a.port), "/ready reports the outage");
      while (System.currentTimeMillis() - down < 10_000) {
        JsonObject r = emma.request(topic, "field:set", new JsonObject().put("field", "coverage_hours")
            .put("value", 1 + accepted % 14).put("base_version", accepted).put("op_id", "pgo-" + accepted));
        assertEquals("ok", r.getString("status"), "accepted during the outage: " + r);
        int version = ++accepted;
        sarah.await(x -> "field:changed".equals(x.getString(3)) && x.getJsonObject(4).getLong("version") == version,
            Duration.ofSeconds(5));
        Thread.sleep(200);
      }
      pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).setPort(pgPort).start();
      int last = accepted;
      sarah.await(x -> "field:saved".equals(x.getString(3)) && x.getJsonObject(4).getLong("version") == last,
          Duration.ofSeconds(20));
      try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pgPort + "/postgres",
          "postgres", "postgres")) {
        ResultSet rs = c.createStatement().executeQuery("select version from form_fields where form_id = '" + FORM
            + "' and key = 'coverage_hours'");
        rs.next();
        assertEquals(last, rs.getLong(1), "the last accepted version is stored");
        rs = c.createStatement().executeQuery("select count(*) from field_revisions r join form_fields f on "
            + "f.id = r.field_id where f.form_id = '" + FORM + "' and f.key = 'coverage_hours'");
        rs.next();
        assertEquals(last, rs.getInt(1), "every accepted change is a stored revision, none twice");
      }
      assertEquals(200, ready(b.port));
    } finally {
      a.kill();
      b.kill();
      pg.close();
      redis.close();
      client.close();
    }
  }

  private static int ready(int port) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }
}
