package com.wedsync.hub.demo;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.UUID;

/**
 * The demo wedding world of the embedded default: two weddings, their couples, four suppliers with teams, forms with
 * a field of every type. Loaded once, into a database that has no users yet, so a restart keeps what people edited.
 */
public final class DemoData {
  private static final Logger log = LoggerFactory.getLogger(DemoData.class);

  /** The people the start-up banner prints tokens for. */
  public record DemoUser(String label, UUID id, String name) {}

  public static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  public static final UUID SARAH_OWNER = UUID.fromString("11111111-0000-0000-0000-000000000006");
  public static final UUID NOAH_VIEWER = UUID.fromString("11111111-0000-0000-0000-000000000009");
  public static final UUID AVA_ADMIN = UUID.fromString("11111111-0000-0000-0000-000000000015");
  public static final UUID PHOTO_FORM = UUID.fromString("55555555-0000-0000-0000-000000000001");

  public static final List<DemoUser> BANNER_USERS = List.of(
      new DemoUser("couple member", EMMA, "Emma Wilson"),
      new DemoUser("supplier owner", SARAH_OWNER, "Sarah Jones"),
      new DemoUser("supplier viewer", NOAH_VIEWER, "Noah Hill"),
      new DemoUser("admin", AVA_ADMIN, "Ava Admin"));

  private DemoData() {}

  /** Blocking; returns true when the data was loaded now, false when the database already had users. */
  public static boolean loadIfEmpty(String jdbcUrl, String user, String password) {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("select exists (select 1 from users)")) {
        rs.next();
        if (rs.getBoolean(1)) return false;
      }
      c.setAutoCommit(false);
      s.execute(script());
      c.commit();
      log.info("demo data loaded");
      return true;
    } catch (SQLException e) {
      throw new IllegalStateException("cannot load demo data: " + e.getMessage(), e);
    }
  }

  private static String script() {
    try (InputStream in = DemoData.class.getClassLoader().getResourceAsStream("db/demo/demo-data.sql")) {
      if (in == null) throw new IllegalStateException("db/demo/demo-data.sql missing from the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read demo data: " + e.getMessage(), e);
    }
  }
}
