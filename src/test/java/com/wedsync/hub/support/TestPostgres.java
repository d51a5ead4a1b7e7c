package com.wedsync.hub.support;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * One real PostgreSQL for the whole test JVM (embedded binaries from Maven, a fresh temporary data directory),
 * stopped when the JVM exits. Hubs under test reach it as an external database.
 */
public final class TestPostgres {
  private static EmbeddedPostgres pg;

  private TestPostgres() {}

  public static synchronized EmbeddedPostgres get() {
    if (pg == null) {
      try {
        pg = EmbeddedPostgres.builder().setServerConfig("max_connections", "300")
            .setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "20")
            .setServerConfig("max_wal_senders", "20").start();
        // Ready before any test touches it: schema migrated, demo data loaded (hubs started later find both).
        String jdbc = "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
        com.wedsync.hub.db.Migrations.apply(jdbc, "postgres", "postgres");
        com.wedsync.hub.demo.DemoData.loadIfEmpty(jdbc, "postgres", "postgres");
      } catch (IOException e) {
        throw new IllegalStateException("cannot start embedded PostgreSQL for tests", e);
      }
      EmbeddedPostgres started = pg;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          started.close();
        } catch (IOException ignored) {
          // the JVM is going away
        }
      }));
    }
    return pg;
  }

  public static String url() {
    return "postgresql://postgres:postgres@127.0.0.1:" + get().getPort() + "/postgres";
  }

  public static String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + get().getPort() + "/postgres";
  }

  /** Runs SQL as another service would: plain JDBC, outside the hub. */
  public static void execute(String sql) {
    try (Connection c = DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
         Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs SQL as the hub's own sessions do (application_name {@code wedsync-hub}), so the change triggers do not
   * announce it: test set-up that must not reach a running hub as a change made outside it.
   */
  public static void executeUnannounced(String sql) {
    java.util.Properties props = new java.util.Properties();
    props.setProperty("user", "postgres");
    props.setProperty("password", "postgres");
    props.setProperty("ApplicationName", "wedsync-hub");
    try (Connection c = DriverManager.getConnection(jdbcUrl(), props); Statement s = c.createStatement()) {
      s.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }

  /** Rows of a query, column label → value, as another service would read them. */
  public static java.util.List<java.util.Map<String, Object>> query(String sql) {
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         Statement s = c.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
      java.sql.ResultSetMetaData md = rs.getMetaData();
      java.util.List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
      while (rs.next()) {
        java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) row.put(md.getColumnLabel(i), rs.getObject(i));
        rows.add(row);
      }
      return rows;
    } catch (SQLException e) {
      throw new IllegalStateException(sql + ": " + e.getMessage(), e);
    }
  }
}
