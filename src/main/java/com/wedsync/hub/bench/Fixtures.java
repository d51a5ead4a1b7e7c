package com.wedsync.hub.bench;

import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The benchmark's rows in the hub's PostgreSQL, written over JDBC before any socket opens: users that are team
 * members (role {@code member}, so they may lock and write) of the demo supplier, and forms in status {@code sent} on
 * the demo wedding with {@value #FIELDS_PER_FORM} number fields each. Every run makes fresh ids, so a run never meets
 * the rows (or the hub's cached state) of an earlier one.
 */
final class Fixtures implements AutoCloseable {
  static final UUID SUPPLIER = UUID.fromString("22222222-0000-0000-0000-000000000001");
  static final UUID WEDDING = UUID.fromString("44444444-0000-0000-0000-000000000001");
  static final int FIELDS_PER_FORM = 10;

  private final Connection db;
  private final String run = UUID.randomUUID().toString().substring(0, 8);

  Fixtures(String jdbcUrl, String user, String password) throws SQLException {
    this.db = DriverManager.getConnection(jdbcUrl, user, password);
  }

  static String fieldKey(int i) {
    return "f" + i;
  }

  /** {@code count} users, each a member of the demo supplier's team. */
  List<UUID> users(String label, int count) throws SQLException {
    List<UUID> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) ids.add(UUID.randomUUID());
    db.setAutoCommit(false);
    try (PreparedStatement u = db.prepareStatement("insert into users (id, email, name) values (?, ?, ?)");
         PreparedStatement t = db.prepareStatement(
             "insert into team_members (supplier_id, user_id, role) values (?, ?, 'member')")) {
      for (int i = 0; i < count; i++) {
        u.setObject(1, ids.get(i));
        u.setString(2, "bench-" + run + "-" + label + "-" + i + "@bench.example");
        u.setString(3, "Bench " + label + " " + i);
        u.addBatch();
        t.setObject(1, SUPPLIER);
        t.setObject(2, ids.get(i));
        t.addBatch();
      }
      u.executeBatch();
      t.executeBatch();
      db.commit();
    } finally {
      db.setAutoCommit(true);
    }
    return ids;
  }

  /** {@code count} forms (status sent) with number fields f0..f9, 0 ≤ value ≤ 1,000,000, not required, version 0. */
  List<UUID> forms(String label, int count) throws SQLException {
    return forms(label, count, FIELDS_PER_FORM);
  }

  /** The same with {@code fields} number fields per form. */
  List<UUID> forms(String label, int count, int fields) throws SQLException {
    List<UUID> ids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) ids.add(UUID.randomUUID());
    db.setAutoCommit(false);
    try (PreparedStatement f = db.prepareStatement(
             "insert into forms (id, supplier_id, wedding_id, title, status) values (?, ?, ?, ?, 'sent')");
         PreparedStatement ff = db.prepareStatement("""
             insert into form_fields (form_id, key, label, type, required, validation, position, value, version)
             values (?, ?, ?, 'number', false, '{"min": 0, "max": 1000000}', ?, null, 0)""")) {
      for (int i = 0; i < count; i++) {
        f.setObject(1, ids.get(i));
        f.setObject(2, SUPPLIER);
        f.setObject(3, WEDDING);
        f.setString(4, "Bench " + label + " " + run + " #" + i);
        f.addBatch();
        for (int k = 0; k < fields; k++) {
          ff.setObject(1, ids.get(i));
          ff.setString(2, fieldKey(k));
          ff.setString(3, "Field " + k);
          ff.setInt(4, k + 1);
          ff.addBatch();
        }
      }
      f.executeBatch();
      ff.executeBatch();
      db.commit();
    } finally {
      db.setAutoCommit(true);
    }
    return ids;
  }

  /** What PostgreSQL holds for one field. */
  record Stored(long version, Long value) {}

  /** Stored version and value of every field of the given forms, keyed "formId/key". */
  Map<String, Stored> stored(List<UUID> forms) throws SQLException {
    Map<String, Stored> out = new HashMap<>();
    try (PreparedStatement q = db.prepareStatement(
        "select form_id, key, version, value::text from form_fields where form_id = any(?)")) {
      q.setArray(1, uuids(forms));
      try (ResultSet rs = q.executeQuery()) {
        while (rs.next()) {
          String v = rs.getString(4);
          out.put(rs.getObject(1) + "/" + rs.getString(2), new Stored(rs.getLong(3),
              v == null || v.equals("null") ? null : Long.valueOf(v)));
        }
      }
    }
    return out;
  }

  /** Revisions stored for the given forms (every accepted change is one). */
  long revisions(List<UUID> forms) throws SQLException {
    try (PreparedStatement q = db.prepareStatement("select count(*) from field_revisions where form_id = any(?)")) {
      q.setArray(1, uuids(forms));
      try (ResultSet rs = q.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  private Array uuids(List<UUID> ids) throws SQLException {
    return db.createArrayOf("uuid", ids.toArray());
  }

  @Override
  public void close() throws SQLException {
    db.close();
  }
}
