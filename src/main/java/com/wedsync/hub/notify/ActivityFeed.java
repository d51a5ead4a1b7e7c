package com.wedsync.hub.notify;

import com.wedsync.hub.channel.Access;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Arrays;
import java.util.UUID;

/**
 * The activity feed (docs/protocol.md §6.3): events stored in {@code activity_events}, pushed live as {@code activity} on
 * {@code wedding:{id}} and on the feed of every supplier that may see them, and listed newest first per supplier or
 * per wedding with an id cursor. Live or listed, a supplier sees its own forms' lines and the wedding facts the couple
 * shares with it, never another supplier's (docs/protocol.md §2); the couple sees all of its wedding's.
 */
public final class ActivityFeed {
  /** Stores the event and names the suppliers whose feeds show it, in one statement. */
  private static final String RECORD = """
      with a as (
        insert into activity_events (supplier_id, wedding_id, actor_id, verb, object, text)
        values ($1, $2, $3, $4, $5, $6) returning id, created_at, supplier_id, wedding_id)
      select a.id, a.created_at,
             case when a.supplier_id is not null then array[a.supplier_id]
                  else array(select ws.supplier_id from wedding_suppliers ws where ws.wedding_id = a.wedding_id
                              and ($7::text is null or $7::text = any(ws.shared_fields))) end as suppliers
        from a""";

  private static final String COLUMNS = "x.id, x.verb, x.object, x.text, x.created_at, x.actor_id, u.name as actor_name";

  /** A supplier's feed: its own events, and its connected weddings' facts it is shared. */
  private static final String BY_SUPPLIER = """
      select %s from (
        (select a.* from activity_events a where a.supplier_id = $1 and a.id < $2 order by a.id desc limit $3)
        union all
        (select a.* from activity_events a
           join wedding_suppliers ws on ws.wedding_id = a.wedding_id and ws.supplier_id = $1
          where a.supplier_id is null and a.id < $2
            and (a.object->>'core_field' is null or a.object->>'core_field' = any(ws.shared_fields))
          order by a.id desc limit $3)) x
      left join users u on u.id = x.actor_id
      order by x.id desc limit $3""".formatted(COLUMNS);

  /** A wedding's feed as the couple sees it: everything. */
  private static final String BY_WEDDING = """
      select %s from activity_events x left join users u on u.id = x.actor_id
       where x.wedding_id = $1 and x.id < $2 order by x.id desc limit $3""".formatted(COLUMNS);

  /**
   * A wedding's feed as a team member of the suppliers {@code $4} sees it: their own forms' lines, and the wedding's
   * facts the couple shares with one of them — never another supplier's.
   */
  private static final String BY_WEDDING_FOR_SUPPLIERS = """
      select %s from activity_events x left join users u on u.id = x.actor_id
       where x.wedding_id = $1 and x.id < $2
         and (x.supplier_id = any($4::uuid[])
           or (x.supplier_id is null and exists (
                 select 1 from wedding_suppliers ws
                  where ws.wedding_id = x.wedding_id and ws.supplier_id = any($4::uuid[])
                    and (x.object->>'core_field' is null or x.object->>'core_field' = any(ws.shared_fields)))))
       order by x.id desc limit $3""".formatted(COLUMNS);

  private final Pool db;
  private final Publisher publisher;
  /** Told of each supplier whose feed got a line (its dashboard numbers may have moved). */
  private volatile java.util.function.Consumer<UUID> recorded = s -> { };

  public ActivityFeed(Pool db, Publisher publisher) {
    this.db = db;
    this.publisher = publisher;
  }

  /** {@code listener} is told of each supplier whose feed shows a line just recorded. */
  public void onRecorded(java.util.function.Consumer<UUID> listener) {
    this.recorded = listener;
  }

  public Future<JsonObject> record(ActivityEvent e) {
    Tuple args = Tuple.tuple().addValue(e.supplierId()).addValue(e.weddingId()).addValue(e.actorId())
        .addValue(e.verb()).addValue(e.object()).addValue(e.text()).addValue(e.coreField());
    return db.preparedQuery(RECORD).execute(args).map(rows -> {
      Row r = rows.iterator().next();
      JsonObject activity = new JsonObject().put("id", r.getLong("id")).put("verb", e.verb())
          .put("actor", e.actorId() == null ? null
              : new JsonObject().put("user_id", e.actorId().toString()).put("name", e.actorName()))
          .put("object", e.object()).put("text", e.text())
          .put("at", r.getOffsetDateTime("created_at").toInstant().toString());
      UUID[] suppliers = r.getArrayOfUUIDs("suppliers");
      // On the wedding's channel, as on the suppliers' feeds: the couple, and only the suppliers whose line it is.
      if (e.weddingId() != null) {
        publisher.durable("wedding:" + e.weddingId(), "activity", activity,
            com.wedsync.hub.bus.Audience.coupleAnd(Arrays.asList(suppliers)));
      }
      for (UUID supplier : suppliers) publisher.durable("supplier:" + supplier, "activity", activity);
      for (UUID supplier : suppliers) recorded.accept(supplier);
      return activity;
    });
  }

  /**
   * A page of a feed, newest first, as {@code viewer} may see it (a wedding's feed shows a supplier's team member only
   * its suppliers' lines and the facts shared with them). {@code cursor} is the previous page's {@code next_cursor} (an
   * event id), or null for the newest page.
   */
  public Future<JsonObject> list(String family, UUID id, Access viewer, String cursor, int limit) {
    long before = Long.MAX_VALUE;
    if (cursor != null) {
      try {
        before = Long.parseLong(cursor);
      } catch (NumberFormatException bad) {
        before = -1;
      }
      if (before < 1) {
        throw ChannelError.invalid("cursor", "cursor must be the next_cursor of a previous page, got '" + cursor + "'");
      }
    }
    Tuple args = Tuple.of(id, before, limit);
    String sql;
    if (family.equals("supplier")) {
      sql = BY_SUPPLIER;
    } else if (viewer.isCouple()) {
      sql = BY_WEDDING;
    } else { // anyone else on a wedding: only what its suppliers may see (nothing without one)
      sql = BY_WEDDING_FOR_SUPPLIERS;
      args.addValue(viewer.suppliers().toArray(new UUID[0]));
    }
    return db.preparedQuery(sql).execute(args).map(rows -> {
      JsonArray items = new JsonArray();
      long last = 0;
      for (Row r : rows) {
        last = r.getLong("id");
        UUID actor = r.getUUID("actor_id");
        items.add(new JsonObject().put("id", last).put("verb", r.getString("verb"))
            .put("actor", actor == null ? null
                : new JsonObject().put("user_id", actor.toString()).put("name", r.getString("actor_name")))
            .put("object", r.getJsonObject("object")).put("text", r.getString("text"))
            .put("at", r.getOffsetDateTime("created_at").toInstant().toString()));
      }
      return new JsonObject().put("scope", family + ":" + id).put("activity", items)
          .put("next_cursor", items.size() == limit ? String.valueOf(last) : null);
    });
  }
}
