package com.wedsync.hub.db;

import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.support.TestPostgres;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 §3: the embedded PostgreSQL is a supported major (17), the tests run on the same one, and a data directory
 * made by another major stops start-up with the way forward instead of PostgreSQL's terse refusal.
 */
class EmbeddedPostgresVersionTest {

  @Test
  void theHubEmbedsPostgres17AndTheTestsRunOnTheSameMajor() {
    EmbeddedBinaries binaries = EmbeddedBinaries.onClasspath();
    assertEquals(17, binaries.major(), "the binaries the build recorded: " + binaries.version());
    int testMajor = Integer.parseInt(String.valueOf(TestPostgres.query("show server_version_num").get(0)
        .get("server_version_num"))) / 10_000;
    assertEquals(binaries.major(), testMajor, "the test suite's PostgreSQL is the hub's major");
    assertEquals("logical", TestPostgres.query("show wal_level").get(0).get("wal_level"));
  }

  /**
   * The embedded database commits durably (zonky's default is synchronous_commit=off, for test databases): what the hub
   * reports saved is on disk, and the change feed sees a commit at once, not at the next WAL-writer flush.
   */
  @Test
  void theEmbeddedDatabaseCommitsSynchronouslyWithLogicalWal() throws Exception {
    Path data = Files.createTempDirectory("pg-sync");
    try (Database db = Database.open(embedded(data));
         java.sql.Connection c = java.sql.DriverManager.getConnection(db.jdbcUrl(), "postgres", "postgres");
         java.sql.Statement st = c.createStatement()) {
      for (String[] setting : new String[][] {{"synchronous_commit", "on"}, {"wal_level", "logical"}}) {
        try (java.sql.ResultSet rs = st.executeQuery("show " + setting[0])) {
          rs.next();
          assertEquals(setting[1], rs.getString(1), setting[0]);
        }
      }
    }
  }

  @Test
  void aDataDirectoryMadeByPostgres14StopsStartUpNamingBothVersionsAndTheUpgrade() throws Exception {
    Path data = Files.createTempDirectory("pg14-data");
    Files.writeString(data.resolve("PG_VERSION"), "14\n");
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> Database.open(embedded(data)));
    String m = e.getMessage();
    assertTrue(m.contains(data.toAbsolutePath().toString()), m);
    assertTrue(m.contains("made by PostgreSQL 14"), m);
    assertTrue(m.contains("PostgreSQL 17 (binaries 17."), m);
    assertTrue(m.contains("scripts/upgrade-embedded-postgres " + data), m);
    assertTrue(m.contains(data.toAbsolutePath() + ".pg14"), "where the old directory will be kept: " + m);
    assertFalse(Files.exists(data.resolve("postmaster.pid")), "no PostgreSQL was started on it");
    assertEquals("14\n", Files.readString(data.resolve("PG_VERSION")), "the directory is left as it was");
  }

  @Test
  void aDataDirectoryOfANewerMajorOrWithoutAVersionIsRefusedClearly() throws Exception {
    Path newer = Files.createTempDirectory("pg18-data");
    Files.writeString(newer.resolve("PG_VERSION"), "18\n");
    String m = assertThrows(IllegalStateException.class, () -> Database.open(embedded(newer))).getMessage();
    assertTrue(m.contains("made by PostgreSQL 18, newer than this hub's PostgreSQL 17"), m);

    Path garbage = Files.createTempDirectory("garbage-data");
    Files.writeString(garbage.resolve("PG_VERSION"), "not a version");
    m = assertThrows(IllegalStateException.class, () -> Database.open(embedded(garbage))).getMessage();
    assertTrue(m.contains("does not hold a PostgreSQL version (it says 'not a version')"), m);
  }

  @Test
  void versionsAreReadAsPostgresWritesThem() throws Exception {
    Path old = Files.createTempDirectory("pg96-data");
    Files.writeString(old.resolve("PG_VERSION"), "9.6\n");
    assertEquals(9, DataDirectoryVersion.of(old).getAsInt());
    assertTrue(DataDirectoryVersion.of(Files.createTempDirectory("empty-data")).isEmpty(), "a new directory");
    assertEquals(16, new EmbeddedBinaries("16.4.0").major());
    assertThrows(IllegalArgumentException.class, () -> new EmbeddedBinaries("${postgres.binaries.version}"));
  }

  static HubConfig.Database embedded(Path data) {
    return new HubConfig.Database(HubConfig.DatabaseMode.EMBEDDED, data, 0, "", "postgres", "", 2);
  }
}
