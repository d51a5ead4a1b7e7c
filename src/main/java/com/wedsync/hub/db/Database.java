package com.wedsync.hub.db;

import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Where the record lives: an embedded PostgreSQL kept under a data directory (the default, nothing to install), or an
 * external server named by URL. Either way the schema is migrated before anything else starts.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);
  /**
   * The name the hub's own sessions carry. The triggers of migration V6 recognise the hub's writes by it and do not
   * announce them as changes made outside the hub (the hub has already published them).
   */
  public static final String APPLICATION_NAME = "wedsync-hub";

  private final EmbeddedPostgres embedded;
  private final PgConnectOptions connectOptions;
  private final AtomicBoolean closed = new AtomicBoolean();

  private Database(EmbeddedPostgres embedded, PgConnectOptions connectOptions) {
    this.embedded = embedded;
    this.connectOptions = connectOptions;
  }

  /** Blocking: starts or reaches the server and applies migrations. Call before any verticle is deployed. */
  public static Database open(HubConfig.Database cfg) {
    Database db = cfg.mode() == HubConfig.DatabaseMode.EMBEDDED ? startEmbedded(cfg) : external(cfg);
    try {
      Migrations.apply(db.jdbcUrl(), db.connectOptions.getUser(), db.connectOptions.getPassword());
    } catch (RuntimeException e) {
      db.close(); // nothing else stops an embedded server the hub started (see startEmbedded)
      throw e;
    }
    return db;
  }

  private static Database startEmbedded(HubConfig.Database cfg) {
    try {
      Files.createDirectories(cfg.dataDir());
      DataDirectoryVersion.requireSameMajor(cfg.dataDir(), EmbeddedBinaries.onClasspath());
      EmbeddedPostgres pg = EmbeddedPostgres.builder()
          // zonky's own JVM shutdown hook would stop PostgreSQL while the hub's shutdown still drains accepted
          // changes into it (hooks run at once, in no order): the hub stops it itself, last (Hub.stop → close()).
          .setRegisterShutdownHook(false)
          .setDataDirectory(cfg.dataDir())
          .setCleanDataDirectory(false)
          .setPort(cfg.embeddedPort() == 0 ? 0 : cfg.embeddedPort())
          .setServerConfig("max_connections", "200")
          // zonky turns synchronous commits off (made for throw-away test databases): a commit would then return before
          // its WAL is on disk, so a "field:saved" could be lost in a crash, and the change feed would see each commit
          // only when the WAL writer flushes it (every 200 ms: commit → postgres_changes p50 ~250 ms).
          .setServerConfig("synchronous_commit", "on")
          // postgres_changes reads a logical replication slot (docs/protocol.md §12)
          .setServerConfig("wal_level", "logical")
          .setServerConfig("max_replication_slots", "10")
          .setServerConfig("max_wal_senders", "10")
          .start();
      log.info("embedded PostgreSQL on port {} with data in {}", pg.getPort(), cfg.dataDir().toAbsolutePath());
      return new Database(pg, new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
          .setDatabase("postgres").setUser("postgres").setPassword("postgres"));
    } catch (IOException e) {
      throw new IllegalStateException("cannot start embedded PostgreSQL in " + cfg.dataDir() + ": " + e.getMessage(), e);
    }
  }

  private static Database external(HubConfig.Database cfg) {
    PgConnectOptions options = PgConnectOptions.fromUri(cfg.url());
    if (!cfg.user().isEmpty() && (options.getUser() == null || options.getUser().isEmpty())) options.setUser(cfg.user());
    if (!cfg.password().isEmpty() && (options.getPassword() == null || options.getPassword().isEmpty())) {
      options.setPassword(cfg.password());
    }
    return new Database(null, options);
  }

  /** For tests and tools that already have a server (the test suite's shared PostgreSQL). */
  public static Database forServer(String host, int port, String database, String user, String password) {
    PgConnectOptions options = new PgConnectOptions().setHost(host).setPort(port).setDatabase(database)
        .setUser(user).setPassword(password);
    Database db = new Database(null, options);
    Migrations.apply(db.jdbcUrl(), user, password);
    return db;
  }

  public String jdbcUrl() {
    return "jdbc:postgresql://" + connectOptions.getHost() + ":" + connectOptions.getPort() + "/"
        + connectOptions.getDatabase();
  }

  public PgConnectOptions connectOptions() {
    return connectOptions;
  }

  public Pool pool(Vertx vertx, int size) {
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size).setShared(false).setName("postgres"))
        .connectingTo(new PgConnectOptions(connectOptions).setCachePreparedStatements(true)
            .setReconnectAttempts(0).addProperty("application_name", APPLICATION_NAME))
        .using(vertx).build();
  }

  /** A human-readable location without the password, for the start-up banner. */
  public String describe() {
    return URI.create("postgresql://" + connectOptions.getUser() + "@" + connectOptions.getHost() + ":"
        + connectOptions.getPort() + "/" + connectOptions.getDatabase()).toString()
        + (embedded != null ? " (embedded)" : "");
  }

  /** Stops the embedded server, once (the hub's shutdown and its time-out path may both call it). */
  @Override
  public void close() {
    if (embedded != null && closed.compareAndSet(false, true)) {
      try {
        embedded.close();
      } catch (IOException e) {
        log.warn("embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
      }
    }
  }
}
