package com.wedsync.hub.clients;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * What the record says about a supplier's clients: which couples are connected to which suppliers (through their
 * weddings), when a couple was last seen (its members' latest {@code last_seen_at}), and how many of a supplier's
 * messages the couple has not read yet.
 */
final class ClientDirectory {
  /** A notification is about a supplier's form when its data names one; a malformed id names none. */
  private static final String FORM_OF_NOTIFICATION = """
      case when n.data->>'form_id' ~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
           then (n.data->>'form_id')::uuid end""";

  /**
   * The supplier's messages the couple has not read (both given as SQL expressions): notifications to couple members
   * about the supplier's forms, one per message however many members it went to (a note's copies share its
   * {@code note_id}), read as soon as any member has read it; and the supplier's team's {@code messages} to the
   * couple that the couple has not read.
   */
  private static String unreadSql(String couple, String supplier) {
    return """
        ((select count(*) from (
           select coalesce(n.data->>'note_id', n.id::text)
             from notifications n
             join couple_members cm on cm.user_id = n.recipient_id and cm.couple_id = %1$s
             join forms f on f.id = %2$s and f.supplier_id = %3$s
            group by 1
           having bool_and(n.read_at is null)) as notes)
         + (select count(*) from messages m
             where m.couple_id = %1$s and m.supplier_id = %3$s and m.sender_side = 'supplier' and m.read_at is null))
        """.formatted(couple, FORM_OF_NOTIFICATION, supplier);
  }

  /** The couple's members' latest sighting (the couple given as an SQL expression). */
  private static String lastSeenSql(String couple) {
    return """
        (select max(u.last_seen_at) from couple_members cm join users u on u.id = cm.user_id
          where cm.couple_id = %s)""".formatted(couple);
  }

  private static final String BY_COUPLE = """
      select s.supplier_id, %s as last_seen, %s as unread
        from (select distinct ws.supplier_id from wedding_suppliers ws join weddings w on w.id = ws.wedding_id
               where w.couple_id = $1) s""".formatted(lastSeenSql("$1"), unreadSql("$1", "s.supplier_id"));

  private static final String BY_SUPPLIER = """
      select c.id as couple_id, c.name, array_agg(distinct w.id) as weddings, %s as last_seen, %s as unread
        from wedding_suppliers ws join weddings w on w.id = ws.wedding_id join couples c on c.id = w.couple_id
       where ws.supplier_id = $1
       group by c.id, c.name""".formatted(lastSeenSql("c.id"), unreadSql("c.id", "$1"));

  private static final String COUPLES_OF = "select couple_id from couple_members where user_id = $1";

  /** One supplier's view of one couple, as the record has it. */
  record Client(UUID supplier, UUID couple, String name, List<UUID> weddings, Instant lastSeen, long unread) {}

  private final Pool db;

  ClientDirectory(Pool db) {
    this.db = db;
  }

  /** Every supplier connected to the couple, each with the couple's unread count about its forms. */
  Future<List<Client>> suppliersOf(UUID couple) {
    return db.preparedQuery(BY_COUPLE).execute(Tuple.of(couple)).map(rows -> {
      List<Client> out = new ArrayList<>();
      for (var r : rows) out.add(new Client(r.getUUID("supplier_id"), couple, null, List.of(), instant(r), unread(r)));
      return out;
    });
  }

  /** The supplier's clients: every couple with a wedding connected to it. */
  Future<List<Client>> clientsOf(UUID supplier) {
    return db.preparedQuery(BY_SUPPLIER).execute(Tuple.of(supplier)).map(rows -> {
      List<Client> out = new ArrayList<>();
      for (var r : rows) {
        List<UUID> weddings = new ArrayList<>();
        for (Object w : r.getArrayOfUUIDs("weddings")) weddings.add((UUID) w);
        out.add(new Client(supplier, r.getUUID("couple_id"), r.getString("name"), weddings, instant(r), unread(r)));
      }
      return out;
    });
  }

  Future<List<UUID>> couplesOf(UUID user) {
    return db.preparedQuery(COUPLES_OF).execute(Tuple.of(user)).map(rows -> {
      List<UUID> out = new ArrayList<>();
      for (var r : rows) out.add(r.getUUID("couple_id"));
      return out;
    });
  }

  private static Instant instant(Row r) {
    OffsetDateTime t = r.getOffsetDateTime("last_seen");
    return t == null ? null : t.toInstant();
  }

  private static long unread(Row r) {
    return r.getLong("unread");
  }
}
