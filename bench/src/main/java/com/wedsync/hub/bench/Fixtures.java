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

  private static final String USER_INSERT = "insert into users (id, email, name) values (?, ?, ?)";
  private static final String MEMBER_INSERT =
      "insert into team_members (supplier_id, user_id, role) values (?, ?, 'member')";
  private static final String FORM_INSERT =
      "insert into forms (id, supplier_id, wedding_id, title, status) values (?, ?, ?, ?, 'sent')";
  private static final String FIELD_INSERT = """
      insert into form_fields (form_id, key, label, type, required, validation, position, value, version)
      values (?, ?, ?, 'number', false, '{"min": 0, "max": 1000000}', ?, null, 0)""";

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
    inTransaction(() -> {
      try (PreparedStatement u = db.prepareStatement(USER_INSERT);
           PreparedStatement t = db.prepareStatement(MEMBER_INSERT)) {
        for (int i = 0; i < count; i++) {
          addUser(u, ids.get(i), label + "-" + i);
          addMember(t, SUPPLIER, ids.get(i));
        }
        u.executeBatch();
        t.executeBatch();
      }
    });
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
    inTransaction(() -> {
      try (PreparedStatement f = db.prepareStatement(FORM_INSERT);
           PreparedStatement ff = db.prepareStatement(FIELD_INSERT)) {
        for (int i = 0; i < count; i++) {
          addForm(f, ff, ids.get(i), SUPPLIER, WEDDING, "Bench " + label + " " + run + " #" + i, fields);
        }
        f.executeBatch();
        ff.executeBatch();
      }
    });
    return ids;
  }

  /** A supplier on a wedding: its team (role member) and the one form it sent the couple. */
  record Supplier(UUID id, List<UUID> team, UUID form) {}

  /** A wedding as the wedding workload sees it: the couple's two partners and the suppliers working on it. */
  record Wedding(UUID id, UUID couple, List<UUID> partners, List<Supplier> suppliers) {}

  /**
   * {@code count} weddings, each with a couple of two partners and {@code suppliers} suppliers of its own, each with
   * {@code team} members and one form (status sent, {@code fields} number fields) on the wedding.
   */
  List<Wedding> weddings(int count, int suppliers, int team, int fields) throws SQLException {
    List<Wedding> out = new ArrayList<>(count);
    inTransaction(() -> {
      try (PreparedStatement user = db.prepareStatement(USER_INSERT);
           PreparedStatement couple = db.prepareStatement("insert into couples (id, name) values (?, ?)");
           PreparedStatement partner = db.prepareStatement(
               "insert into couple_members (couple_id, user_id, role) values (?, ?, 'partner')");
           PreparedStatement wedding = db.prepareStatement("""
               insert into weddings (id, couple_id, wedding_date, venue_name, guest_count, partner1_name, partner2_name)
               values (?, ?, date '2027-06-12', 'Bench Hall', 120, ?, ?)""");
           PreparedStatement supplier = db.prepareStatement(
               "insert into suppliers (id, name, business_type) values (?, ?, 'photographer')");
           PreparedStatement member = db.prepareStatement(MEMBER_INSERT);
           PreparedStatement link = db.prepareStatement(
               "insert into wedding_suppliers (wedding_id, supplier_id) values (?, ?)");
           PreparedStatement form = db.prepareStatement(FORM_INSERT);
           PreparedStatement field = db.prepareStatement(FIELD_INSERT)) {
        for (int w = 0; w < count; w++) {
          UUID weddingId = UUID.randomUUID(), coupleId = UUID.randomUUID();
          List<UUID> partners = List.of(UUID.randomUUID(), UUID.randomUUID());
          couple.setObject(1, coupleId);
          couple.setString(2, "Bench couple " + run + " #" + w);
          couple.addBatch();
          for (int p = 0; p < 2; p++) {
            addUser(user, partners.get(p), "w" + w + "-partner" + p);
            partner.setObject(1, coupleId);
            partner.setObject(2, partners.get(p));
            partner.addBatch();
          }
          wedding.setObject(1, weddingId);
          wedding.setObject(2, coupleId);
          wedding.setString(3, "Partner A" + w);
          wedding.setString(4, "Partner B" + w);
          wedding.addBatch();
          List<Supplier> onWedding = new ArrayList<>();
          for (int s = 0; s < suppliers; s++) {
            UUID supplierId = UUID.randomUUID(), formId = UUID.randomUUID();
            supplier.setObject(1, supplierId);
            supplier.setString(2, "Bench supplier " + run + " #" + w + "." + s);
            supplier.addBatch();
            List<UUID> members = new ArrayList<>();
            for (int m = 0; m < team; m++) {
              UUID id = UUID.randomUUID();
              members.add(id);
              addUser(user, id, "w" + w + "-s" + s + "-m" + m);
              addMember(member, supplierId, id);
            }
            link.setObject(1, weddingId);
            link.setObject(2, supplierId);
            link.addBatch();
            addForm(form, field, formId, supplierId, weddingId, "Bench form " + run + " #" + w + "." + s, fields);
            onWedding.add(new Supplier(supplierId, members, formId));
          }
          out.add(new Wedding(weddingId, coupleId, partners, onWedding));
        }
        // Parents before children: the batches run in the order of the foreign keys.
        for (PreparedStatement batch : List.of(user, couple, partner, wedding, supplier, member, link, form, field)) {
          batch.executeBatch();
        }
      }
    });
    return out;
  }

  /** A couple and its members (role helper beyond the first two partners), as the change benchmark subscribes them. */
  record Couple(UUID id, List<UUID> members) {}

  /** {@code count} couples of {@code members} users each, with no wedding: rows that name the couple are enough. */
  List<Couple> couples(int count, int members) throws SQLException {
    List<Couple> out = new ArrayList<>(count);
    inTransaction(() -> {
      try (PreparedStatement user = db.prepareStatement(USER_INSERT);
           PreparedStatement couple = db.prepareStatement("insert into couples (id, name) values (?, ?)");
           PreparedStatement member = db.prepareStatement(
               "insert into couple_members (couple_id, user_id, role) values (?, ?, ?)")) {
        for (int c = 0; c < count; c++) {
          UUID coupleId = UUID.randomUUID();
          couple.setObject(1, coupleId);
          couple.setString(2, "Bench couple " + run + " #" + c);
          couple.addBatch();
          List<UUID> ids = new ArrayList<>(members);
          for (int m = 0; m < members; m++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            addUser(user, id, "c" + c + "-m" + m);
            member.setObject(1, coupleId);
            member.setObject(2, id);
            member.setString(3, m < 2 ? "partner" : "helper");
            member.addBatch();
          }
          out.add(new Couple(coupleId, ids));
        }
        for (PreparedStatement batch : List.of(user, couple, member)) batch.executeBatch();
      }
    });
    return out;
  }

  /** Work on {@link #db} that commits as a whole or not at all. */
  private interface SqlWork {
    void run() throws SQLException;
  }

  private void inTransaction(SqlWork work) throws SQLException {
    db.setAutoCommit(false);
    try {
      work.run();
      db.commit();
    } catch (SQLException | RuntimeException e) {
      db.rollback();
      throw e;
    } finally {
      db.setAutoCommit(true);
    }
  }

  private static void addMember(PreparedStatement member, UUID supplier, UUID user) throws SQLException {
    member.setObject(1, supplier);
    member.setObject(2, user);
    member.addBatch();
  }

  private static void addForm(PreparedStatement form, PreparedStatement field, UUID id, UUID supplier, UUID wedding,
                              String title, int fields) throws SQLException {
    form.setObject(1, id);
    form.setObject(2, supplier);
    form.setObject(3, wedding);
    form.setString(4, title);
    form.addBatch();
    addFields(field, id, fields);
  }

  private void addUser(PreparedStatement user, UUID id, String label) throws SQLException {
    user.setObject(1, id);
    user.setString(2, "bench-" + run + "-" + label + "@bench.example");
    user.setString(3, "Bench " + label.replace('-', ' '));
    user.addBatch();
  }

  private static void addFields(PreparedStatement field, UUID formId, int fields) throws SQLException {
    for (int k = 0; k < fields; k++) {
      field.setObject(1, formId);
      field.setString(2, fieldKey(k));
      field.setString(3, "Field " + k);
      field.setInt(4, k + 1);
      field.addBatch();
    }
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
