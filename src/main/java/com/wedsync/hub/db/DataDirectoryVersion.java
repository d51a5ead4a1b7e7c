package com.wedsync.hub.db;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

/**
 * The PostgreSQL major that made a data directory, from its {@code PG_VERSION} file. PostgreSQL refuses a directory
 * of another major with a terse "database files are incompatible with server" deep in its log; the hub checks first
 * and says what to do instead.
 */
public final class DataDirectoryVersion {
  /** The command that moves an embedded data directory to the binaries' major (README "Upgrading the embedded PostgreSQL"). */
  public static final String UPGRADE_COMMAND = "scripts/upgrade-embedded-postgres";

  private DataDirectoryVersion() {}

  /** Empty for a directory PostgreSQL has not initialised yet (no PG_VERSION): the embedded start creates it. */
  public static OptionalInt of(Path dataDir) {
    Path file = dataDir.resolve("PG_VERSION");
    if (!Files.exists(file)) return OptionalInt.empty();
    String text;
    try {
      text = Files.readString(file).trim();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file.toAbsolutePath() + ": " + e.getMessage(), e);
    }
    // PG_VERSION holds the major alone ("14", "17"); before PostgreSQL 10 it was "9.6".
    if (!text.matches("\\d+(\\.\\d+)?")) {
      throw new IllegalStateException(file.toAbsolutePath() + " does not hold a PostgreSQL version (it says '" + text
          + "'): is " + dataDir.toAbsolutePath() + " a PostgreSQL data directory?");
    }
    return OptionalInt.of(Integer.parseInt(text.contains(".") ? text.substring(0, text.indexOf('.')) : text));
  }

  /** Stops start-up with the way forward when {@code dataDir} was made by another major than {@code binaries}. */
  public static void requireSameMajor(Path dataDir, EmbeddedBinaries binaries) {
    OptionalInt found = of(dataDir);
    if (found.isEmpty() || found.getAsInt() == binaries.major()) return;
    int made = found.getAsInt();
    String dir = dataDir.toAbsolutePath().normalize().toString();
    if (made < binaries.major()) {
      throw new IllegalStateException("the embedded PostgreSQL data directory " + dir + " was made by PostgreSQL "
          + made + ", and this hub runs PostgreSQL " + binaries.major() + " (binaries " + binaries.version()
          + "), which cannot open it. Stop every hub using it and run `" + UPGRADE_COMMAND + " " + dataDir
          + "`: it copies the data into a new PostgreSQL " + binaries.major() + " directory and keeps the old one as "
          + dir + ".pg" + made + " (README, \"Upgrading the embedded PostgreSQL\")");
    }
    throw new IllegalStateException("the embedded PostgreSQL data directory " + dir + " was made by PostgreSQL " + made
        + ", newer than this hub's PostgreSQL " + binaries.major() + " (binaries " + binaries.version()
        + "): run the hub version that made it, or point database.dataDir at another directory");
  }
}
