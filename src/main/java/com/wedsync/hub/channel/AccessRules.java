package com.wedsync.hub.channel;

import com.wedsync.hub.auth.Principal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * The access rules of docs/protocol.md §2. Team roles and couple memberships come with the principal (loaded from the database
 * when the token was verified); which supplier and couple a wedding, form or journey belongs to is looked up per join.
 */
final class AccessRules {
  private AccessRules() {}

  static Future<Access> supplierTeam(Principal who, Topic t, Pool db) {
    String role = who.teamRoles().get(t.id());
    return Future.succeededFuture(role == null ? Access.DENIED : Access.supplier(role, Set.of(t.id())));
  }

  static Future<Access> coupleMember(Principal who, Topic t, Pool db) {
    return Future.succeededFuture(who.couples().contains(t.id()) ? Access.couple() : Access.DENIED);
  }

  static Future<Access> self(Principal who, Topic t, Pool db) {
    return Future.succeededFuture(who.userId().equals(t.id()) ? new Access(true, true, "self", "self")
        : Access.DENIED);
  }

  private static final String WEDDING = """
      select w.couple_id, array(select ws.supplier_id from wedding_suppliers ws where ws.wedding_id = w.id) as suppliers
        from weddings w where w.id = $1""";

  /**
   * The couple's members, and the team members of the suppliers connected to the wedding. A supplier-side subscriber
   * carries every connected supplier whose team it is on: what it receives on the channel is what any of them may see.
   */
  static Future<Access> wedding(Principal who, Topic t, Pool db) {
    return one(db, WEDDING, Tuple.of(t.id())).map(row -> {
      if (row == null) return Access.DENIED;
      if (who.couples().contains(row.getUUID("couple_id"))) return Access.couple();
      String role = null;
      Set<UUID> mine = new HashSet<>();
      for (UUID supplier : row.getArrayOfUUIDs("suppliers")) {
        String r = who.teamRoles().get(supplier);
        if (r == null) continue;
        if (role == null) role = r;
        mine.add(supplier);
      }
      return role == null ? Access.DENIED : Access.supplier(role, mine);
    });
  }

  private static final String FORM = """
      select f.supplier_id, w.couple_id from forms f join weddings w on w.id = f.wedding_id where f.id = $1""";

  static Future<Access> form(Principal who, Topic t, Pool db) {
    return one(db, FORM, Tuple.of(t.id())).map(row -> {
      if (row == null) return Access.DENIED;
      UUID supplier = row.getUUID("supplier_id");
      String role = who.teamRoles().get(supplier);
      if (role != null) return Access.supplier(role, Set.of(supplier));
      if (who.couples().contains(row.getUUID("couple_id"))) return Access.couple();
      // A hub admin sees any form, read-only (each such view is audited: ChannelRegistry#onAdminView).
      return who.admin() ? Access.adminView() : Access.DENIED;
    });
  }

  /** {@code admin:health}: the sync-health snapshots, for hub admins only ({@code users.is_admin}). */
  static Future<Access> admin(Principal who, Topic t, Pool db) {
    return Future.succeededFuture(who.admin() ? Access.adminView() : Access.DENIED);
  }

  private static final String JOURNEY = """
      select j.supplier_id from journeys j
        join journey_clients jc on jc.journey_id = j.id and jc.couple_id = $2
       where j.id = $1""";

  static Future<Access> journey(Principal who, Topic t, Pool db) {
    return one(db, JOURNEY, Tuple.of(t.id(), t.secondId())).map(row -> {
      if (row == null) return Access.DENIED;
      UUID supplier = row.getUUID("supplier_id");
      String role = who.teamRoles().get(supplier);
      if (role != null) return Access.supplier(role, Set.of(supplier));
      return who.couples().contains(t.secondId()) ? Access.couple() : Access.DENIED;
    });
  }

  private static Future<Row> one(Pool db, String sql, Tuple args) {
    return db.preparedQuery(sql).execute(args).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }
}
