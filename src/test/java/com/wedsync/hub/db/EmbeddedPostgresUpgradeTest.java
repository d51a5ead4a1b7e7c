package com.wedsync.hub.db;

import com.wedsync.hub.demo.DemoData;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 §3: a data directory made by the PostgreSQL 14 the hub embedded before is upgraded to 17 — made here with
 * the real 14 binaries (hub/pom.xml copies them to target/previous-postgres), upgraded, and opened by the hub's own
 * start-up, every row and sequence carried; and an upgrade that could not carry everything refuses before moving.
 */
class EmbeddedPostgresUpgradeTest {
  static final Path OLD_BINARIES = Path.of("target", "previous-postgres", "previous-postgres-binaries.jar");
  static final String TRICKY = "Fleurs d'Été\tà\nLyon \\ ☃";

  @Test
  void aPostgres14DirectoryIsCopiedInto17AndTheHubOpensIt() throws Exception {
    Path data = Files.createTempDirectory("upgrade").resolve("postgres");
    long revisionMax;
    List<String> before;
    String oldSchema;
    EmbeddedPostgres old = startOld(data);
    try (Connection c = connect(old)) {
      assertEquals("14", one(c, "select current_setting('server_version_num')::int / 10000"));
      Migrations.apply(url(old), "postgres", "postgres");
      DemoData.loadIfEmpty(url(old), "postgres", "postgres");
      exec(c, "insert into suppliers (id, name, business_type) values ('66666666-0000-0000-0000-000000000001', '"
          + TRICKY.replace("'", "''") + "', 'florist')");
      exec(c, "insert into field_revisions (field_id, form_id, version, value, kind, source) select id, form_id, "
          + "version + 1000, '{\"a\": [1, \"two\"]}', 'set', 'user' from form_fields limit 1");
      revisionMax = Long.parseLong(one(c, "select max(id) from field_revisions"));
      // The change feed's slot: the old server has one, so it must start with logical WAL for the copy.
      exec(c, "select pg_create_logical_replication_slot('upgrade_test_slot', 'pgoutput')");
      before = counts(c);
      oldSchema = one(c, "select version from flyway_schema_history where success and version is not null "
          + "order by installed_rank desc limit 1");
    } finally {
      old.close();
    }

    List<String> said = new ArrayList<>();
    var result = new EmbeddedPostgresUpgrade(data, OLD_BINARIES, EmbeddedBinaries.onClasspath(), said::add).run();
    assertEquals(14, result.fromMajor());
    assertEquals(17, result.toMajor());
    assertEquals(oldSchema, result.schemaVersion(), "the new database gets the old one's schema version");
    assertEquals("17", Files.readString(data.resolve("PG_VERSION")).trim());
    Path kept = data.resolveSibling("postgres.pg14");
    assertEquals("14", Files.readString(kept.resolve("PG_VERSION")).trim(), "the old directory is kept");
    assertFalse(Files.exists(data.resolveSibling("postgres.pg17-upgrading")));
    assertTrue(said.stream().anyMatch(l -> l.contains("public.suppliers: ")), String.valueOf(said));

    // The hub's own start-up on the upgraded directory: the version check passes, the schema is current.
    try (Database db = Database.open(EmbeddedPostgresVersionTest.embedded(data));
         Connection c = DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres")) {
      assertEquals("17", one(c, "select current_setting('server_version_num')::int / 10000"));
      assertEquals(TRICKY, one(c, "select name from suppliers where id = '66666666-0000-0000-0000-000000000001'"));
      assertEquals("{\"a\": [1, \"two\"]}", one(c, "select value::text from field_revisions where id = "
          + revisionMax));
      assertEquals(before, counts(c), "every table has its rows");
      assertTrue(before.stream().anyMatch(t -> t.startsWith("form_fields=") && !t.endsWith("=0")), "demo data");
      exec(c, "insert into field_revisions (field_id, form_id, version, value, kind, source) select id, form_id, "
          + "version + 2000, 'null', 'set', 'user' from form_fields limit 1");
      assertTrue(Long.parseLong(one(c, "select max(id) from field_revisions")) > revisionMax,
          "the sequences continue where the old database left them");
    }
  }

  @Test
  void aTableNoMigrationMadeStopsTheUpgradeBeforeAnythingMoves() throws Exception {
    Path data = Files.createTempDirectory("upgrade-refused").resolve("postgres");
    EmbeddedPostgres old = startOld(data);
    try (Connection c = connect(old)) {
      Migrations.apply(url(old), "postgres", "postgres");
      exec(c, "create table my_own_notes (id int primary key, body text)");
    } finally {
      old.close();
    }
    var upgrade = new EmbeddedPostgresUpgrade(data, OLD_BINARIES, EmbeddedBinaries.onClasspath(), line -> { });
    String m = assertThrows(IllegalStateException.class, upgrade::run).getMessage();
    assertTrue(m.contains("tables no hub migration made: [public.my_own_notes]"), m);
    assertEquals("14", Files.readString(data.resolve("PG_VERSION")).trim(), "the old directory is where it was");
    assertFalse(Files.exists(data.resolveSibling("postgres.pg14")));
    assertFalse(Files.exists(data.resolveSibling("postgres.pg17-upgrading")), "the half-made copy is removed");
    assertFalse(Files.exists(data.resolve("postmaster.pid")), "the old server was stopped");
  }

  @Test
  void theWrongOldBinariesOrARunningServerAreNamed() throws Exception {
    Path data = Files.createTempDirectory("upgrade-running").resolve("postgres");
    EmbeddedPostgres old = startOld(data);
    try {
      String m = assertThrows(IllegalStateException.class, () -> new EmbeddedPostgresUpgrade(data, OLD_BINARIES,
          EmbeddedBinaries.onClasspath(), line -> { }).run()).getMessage();
      assertTrue(m.contains("a PostgreSQL is running on " + data), m);
    } finally {
      old.close();
    }
    Path notAJar = Files.writeString(Files.createTempFile("not-binaries", ".jar"), "x");
    String m = assertThrows(IllegalStateException.class, () -> new EmbeddedPostgresUpgrade(data, notAJar,
        EmbeddedBinaries.onClasspath(), line -> { }).run()).getMessage();
    assertTrue(m.contains(notAJar + " is not a zonky PostgreSQL binaries jar (not a zip file"), m);
    assertEquals("14", Files.readString(data.resolve("PG_VERSION")).trim());
  }

  private static EmbeddedPostgres startOld(Path data) throws Exception {
    assertTrue(Files.isRegularFile(OLD_BINARIES), OLD_BINARIES + " is copied by the build (mvn test-compile)");
    Files.createDirectories(data);
    return EmbeddedPostgres.builder().setPgBinaryResolver(EmbeddedPostgresUpgrade.resolverFrom(OLD_BINARIES))
        .setRegisterShutdownHook(false).setDataDirectory(data).setCleanDataDirectory(false)
        .setServerConfig("wal_level", "logical").start();
  }

  /** "table=rows" for the hub's main tables, in name order. */
  private static List<String> counts(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select tablename from pg_tables where "
        + "schemaname = 'public' and tablename in ('users', 'suppliers', "
        + "'forms', 'form_fields', 'field_revisions', 'form_notes', 'notifications', 'weddings', 'hub_change_log', "
        + "'hub_change_log_epoch', 'save_dead_letters', 'journeys') order by 1")) {
      while (rs.next()) tables.add(rs.getString(1));
    }
    List<String> counts = new ArrayList<>();
    for (String t : tables) counts.add(t + "=" + one(c, "select count(*) from " + t));
    return counts;
  }

  private static Connection connect(EmbeddedPostgres pg) throws SQLException {
    return DriverManager.getConnection(url(pg), "postgres", "postgres");
  }

  private static String url(EmbeddedPostgres pg) {
    return "jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres";
  }

  private static void exec(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static String one(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), sql);
      return rs.getString(1);
    }
  }
}
