package com.wedsync.hub.changes;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who may see a row, from its table's rule: the team of the supplier it names, the members of the couple it names,
 * the user it names, or — through a wedding — that wedding's couple and every supplier connected to it. Worked out
 * once per change where the change is read (a wedding's people from the database, briefly cached), and carried with
 * the change as three lists, so each node decides per subscriber without asking anyone.
 */
final class RowAccess {
  private static final long WEDDING_CACHE_MS = 5_000;

  /** The people a row is for: couple ids, supplier ids, user ids. */
  record Audience(Set<String> couples, Set<String> suppliers, Set<String> users) {
    static final Audience NOBODY = new Audience(Set.of(), Set.of(), Set.of());

    JsonObject toJson() {
      return new JsonObject().put("c", new JsonArray(List.copyOf(couples))).put("s", new JsonArray(List.copyOf(suppliers)))
          .put("u", new JsonArray(List.copyOf(users)));
    }

    static Audience fromJson(JsonObject j) {
      if (j == null) return NOBODY;
      return new Audience(strings(j.getJsonArray("c")), strings(j.getJsonArray("s")), strings(j.getJsonArray("u")));
    }

    private static Set<String> strings(JsonArray a) {
      if (a == null) return Set.of();
      Set<String> out = new LinkedHashSet<>();
      for (Object o : a) out.add(String.valueOf(o));
      return out;
    }

    boolean admits(Principal p) {
      if (users.contains(p.userId().toString())) return true;
      for (UUID c : p.couples()) if (couples.contains(c.toString())) return true;
      for (UUID s : p.teamRoles().keySet()) if (suppliers.contains(s.toString())) return true;
      return false;
    }
  }

  private record WeddingPeople(String couple, List<String> suppliers, long at) {}

  private final Pool db;
  private final Map<String, WeddingPeople> weddings = new ConcurrentHashMap<>();

  RowAccess(Pool db) {
    this.db = db;
  }

  /** The audience of {@code row} (null: nobody) under {@code rule}. */
  Future<Audience> of(HubConfig.PublishedTable rule, JsonObject row) {
    if (row == null) return Future.succeededFuture(Audience.NOBODY);
    Set<String> couples = new LinkedHashSet<>();
    Set<String> suppliers = new LinkedHashSet<>();
    Set<String> users = new LinkedHashSet<>();
    add(couples, row, rule.couple());
    add(suppliers, row, rule.supplier());
    add(users, row, rule.user());
    String wedding = value(row, rule.wedding());
    if (wedding == null) return Future.succeededFuture(new Audience(couples, suppliers, users));
    return people(wedding).map(w -> {
      if (w.couple() != null) couples.add(w.couple());
      suppliers.addAll(w.suppliers());
      return new Audience(couples, suppliers, users);
    });
  }

  /** Forgets what it knew of weddings' people (their memberships changed). */
  void forget() {
    weddings.clear();
  }

  private Future<WeddingPeople> people(String wedding) {
    WeddingPeople known = weddings.get(wedding);
    long now = System.currentTimeMillis();
    if (known != null && now - known.at() < WEDDING_CACHE_MS) return Future.succeededFuture(known);
    UUID id;
    try {
      id = UUID.fromString(wedding);
    } catch (IllegalArgumentException e) {
      return Future.succeededFuture(new WeddingPeople(null, List.of(), now));
    }
    return db.preparedQuery("""
            select w.couple_id, coalesce(array_agg(ws.supplier_id) filter (where ws.supplier_id is not null), '{}')
                   as suppliers
              from weddings w left join wedding_suppliers ws on ws.wedding_id = w.id
             where w.id = $1 group by w.couple_id""")
        .execute(Tuple.of(id)).map(rows -> {
          WeddingPeople p = new WeddingPeople(null, List.of(), now);
          for (Row r : rows) {
            List<String> suppliers = new ArrayList<>();
            for (Object s : r.getArrayOfUUIDs("suppliers")) suppliers.add(s.toString());
            p = new WeddingPeople(r.getUUID("couple_id").toString(), suppliers, now);
          }
          weddings.put(wedding, p);
          return p;
        });
  }

  private static void add(Set<String> into, JsonObject row, String column) {
    String v = value(row, column);
    if (v != null) into.add(v);
  }

  private static String value(JsonObject row, String column) {
    if (column.isEmpty()) return null;
    Object v = row.getValue(column);
    return v == null ? null : String.valueOf(v);
  }
}
