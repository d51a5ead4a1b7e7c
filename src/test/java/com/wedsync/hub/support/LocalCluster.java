package com.wedsync.hub.support;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Vertx;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code scripts/cluster}: a local cluster for trying cluster mode by hand — one embedded PostgreSQL (data kept under
 * data/cluster-postgres), one embedded Redis, N hub nodes (default 3) in their own JVMs. Prints the URLs and demo tokens;
 * Ctrl-C stops everything.
 *
 * <p>{@code LocalCluster [NODES] [--data-dir DIR] [--info-file FILE] [--redis-fsync always|everysec]}: {@code scripts/bench-cluster} gives it a
 * throw-away data directory and reads the nodes' URLs, process ids and the PostgreSQL port from the info file
 * (written once every node is ready). Redis keeps an append-only file fsynced every second, as production should
 * (the tests fsync on every write). {@code WEDSYNC_HUB_*} variables of this process are passed on to every node.
 */
public final class LocalCluster {
  public static void main(String[] args) throws Exception {
    int nodes = 3;
    Path data = Path.of("data", "cluster-postgres");
    Path infoFile = null;
    String fsync = "everysec";
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--data-dir" -> data = Path.of(args[++i]);
        case "--info-file" -> infoFile = Path.of(args[++i]);
        case "--redis-fsync" -> fsync = args[++i];
        default -> nodes = Integer.parseInt(args[i]);
      }
    }
    Files.createDirectories(data);
    EmbeddedPostgres pg = EmbeddedPostgres.builder().setDataDirectory(data).setCleanDataDirectory(false).start();
    TestRedis redis = TestRedis.start(fsync);
    List<HubProcess> hubs = new ArrayList<>();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      hubs.forEach(HubProcess::close);
      redis.close();
      try {
        pg.close();
      } catch (Exception ignored) {
        // going away
      }
    }));
    String dbUrl = "postgresql://postgres:postgres@127.0.0.1:" + pg.getPort() + "/postgres";
    Map<String, String> env = new java.util.HashMap<>();
    System.getenv().forEach((k, v) -> {
      if (k.startsWith("WEDSYNC_HUB_")) env.put(k, v);
    });
    env.putAll(Map.of("WEDSYNC_HUB_CLUSTER_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_URL", redis.url(),
        "WEDSYNC_HUB_DATABASE_URL", dbUrl, "WEDSYNC_HUB_DEMO_DATA", "true"));
    for (int i = 1; i <= nodes; i++) hubs.add(HubProcess.start("node-" + i, env));
    if (infoFile != null) {
      StringBuilder info = new StringBuilder("pg_port=" + pg.getPort() + "\nredis=" + redis.url() + "\n");
      for (int i = 0; i < hubs.size(); i++) {
        info.append("node").append(i + 1).append("_url=http://127.0.0.1:").append(hubs.get(i).port).append('\n')
            .append("node").append(i + 1).append("_pid=").append(hubs.get(i).pid()).append('\n');
      }
      Path tmp = infoFile.resolveSibling(infoFile.getFileName() + ".tmp");
      Files.writeString(tmp, info);
      Files.move(tmp, infoFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
    Vertx vertx = Vertx.vertx();
    DevTokens tokens = new DevTokens(vertx, HubConfig.load(Map.of()).auth().hs256Secret());
    StringBuilder b = new StringBuilder("\n  Local WedSync hub cluster is ready\n\n");
    b.append("  PostgreSQL  ").append(dbUrl).append('\n');
    b.append("  Redis       ").append(redis.url()).append('\n');
    for (HubProcess h : hubs) {
      b.append("  ").append(String.format("%-11s", h.nodeId)).append(" http://127.0.0.1:").append(h.port)
          .append("   ws://127.0.0.1:").append(h.port).append("/realtime/v1/websocket")
          .append("   (log: target/cluster-logs/").append(h.nodeId).append('-').append(h.port).append(".log)\n");
    }
    b.append("\n  Demo tokens (valid 7 days):\n");
    b.append("    couple member   ").append(tokens.user(UUID.fromString("11111111-0000-0000-0000-000000000001"), 604800))
        .append('\n');
    b.append("    supplier owner  ").append(tokens.user(UUID.fromString("11111111-0000-0000-0000-000000000006"), 604800))
        .append("\n\n  Ctrl-C stops the cluster.\n");
    System.out.println(b);
    vertx.close();
    Thread.currentThread().join();
  }
}
