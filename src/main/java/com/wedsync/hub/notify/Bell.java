package com.wedsync.hub.notify;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A user's notification bell: the list (newest first, cursor paging, filters, grouped by day), the unread count,
 * and read state. Every change of read state pushes the new {@code notification:count} on {@code user:{id}}, so the
 * badge on every device the user has open follows.
 */
public final class Bell {
  private static final String LIST = """
      select id, type, title, body, data, priority, read_at, created_at from notifications
       where recipient_id = $1
         and ($2::boolean is null or (read_at is null) = $2)
         and ($3::text[] is null or type = any($3))
         and ($4::timestamptz is null or (created_at, id) < ($4, $5::uuid))
       order by created_at desc, id desc
       limit $6""";
  private static final String ROW = "select type, title, body, data, priority, created_at from notifications "
      + "where id = $1";
  private static final String UNREAD = "select count(*) as unread from notifications where recipient_id = $1 "
      + "and read_at is null";

  /** A bell listing request, already validated. */
  public record Query(UUID user, Boolean unread, List<String> types, BellCursor cursor, int limit, ZoneId zone,
                      boolean groupByDay) {}

  private final Pool db;
  private final Publisher publisher;
  private final Consumer<UUID> unreadChanged;

  /** @param unreadChanged told of each user whose unread count changed (client status follows couples' counts) */
  public Bell(Pool db, Publisher publisher, Consumer<UUID> unreadChanged) {
    this.db = db;
    this.publisher = publisher;
    this.unreadChanged = unreadChanged;
  }

  public Future<JsonObject> list(Query q) {
    Tuple args = Tuple.tuple().addValue(q.user()).addValue(q.unread())
        .addValue(q.types() == null ? null : q.types().toArray(new String[0]))
        .addValue(q.cursor() == null ? null : q.cursor().createdAt())
        .addValue(q.cursor() == null ? null : q.cursor().id()).addValue(q.limit());
    return db.preparedQuery(LIST).execute(args).compose(rows -> unread(q.user()).map(unread -> {
      JsonArray items = new JsonArray();
      Row last = null;
      for (Row r : rows) {
        items.add(describe(r, q.zone()));
        last = r;
      }
      String next = items.size() == q.limit() && last != null
          ? new BellCursor(last.getOffsetDateTime("created_at"), last.getUUID("id")).encode() : null;
      JsonObject page = new JsonObject().put("notifications", items).put("next_cursor", next).put("unread", unread);
      if (q.groupByDay()) page.put("groups", byDay(items));
      return page;
    }));
  }

  private static JsonObject describe(Row r, ZoneId zone) {
    OffsetDateTime created = r.getOffsetDateTime("created_at");
    OffsetDateTime read = r.getOffsetDateTime("read_at");
    return new JsonObject().put("id", r.getUUID("id").toString()).put("type", r.getString("type"))
        .put("title", r.getString("title")).put("body", r.getString("body")).put("data", r.getJsonObject("data"))
        .put("priority", r.getString("priority")).put("read", read != null)
        .put("read_at", read == null ? null : read.toInstant().toString())
        .put("created_at", created.toInstant().toString())
        .put("day", created.atZoneSameInstant(zone).toLocalDate().toString());
  }

  /** Consecutive items of one day (the page is newest first, so each day appears once). */
  private static JsonArray byDay(JsonArray items) {
    JsonArray groups = new JsonArray();
    JsonObject current = null;
    for (int i = 0; i < items.size(); i++) {
      JsonObject n = items.getJsonObject(i);
      if (current == null || !current.getString("day").equals(n.getString("day"))) {
        current = new JsonObject().put("day", n.getString("day")).put("notifications", new JsonArray());
        groups.add(current);
      }
      current.getJsonArray("notifications").add(n);
    }
    return groups;
  }

  public Future<Long> unread(UUID user) {
    return db.preparedQuery(UNREAD).execute(Tuple.of(user)).map(rows -> rows.iterator().next().getLong("unread"));
  }

  public Future<JsonObject> markRead(UUID user, UUID id) {
    return change(user, id, "update notifications set read_at = coalesce(read_at, now()) "
        + "where id = $1 and recipient_id = $2 returning id", true);
  }

  public Future<JsonObject> markUnread(UUID user, UUID id) {
    return change(user, id, "update notifications set read_at = null where id = $1 and recipient_id = $2 returning id",
        false);
  }

  private Future<JsonObject> change(UUID user, UUID id, String sql, boolean read) {
    return db.preparedQuery(sql).execute(Tuple.of(id, user)).compose(rows -> {
      // Someone else's notification is as unknown to the caller as one that never existed.
      if (rows.size() == 0) {
        return Future.failedFuture(new ChannelError("not_found", "you have no notification " + id,
            new JsonObject().put("field", "id")));
      }
      return countChanged(user).map(unread -> new JsonObject().put("id", id.toString()).put("read", read)
          .put("unread", unread));
    });
  }

  public Future<JsonObject> readAll(UUID user) {
    return db.preparedQuery("update notifications set read_at = now() where recipient_id = $1 and read_at is null")
        .execute(Tuple.of(user))
        .compose(rows -> countChanged(user).map(unread -> new JsonObject().put("updated", rows.rowCount())
            .put("unread", unread)));
  }

  public Future<JsonObject> clear(UUID user) {
    return db.preparedQuery("delete from notifications where recipient_id = $1").execute(Tuple.of(user))
        .compose(rows -> countChanged(user).map(unread -> new JsonObject().put("deleted", rows.rowCount())
            .put("unread", unread)));
  }

  /** Pushes the user's unread count, as it is now, on {@code user:{id}}. */
  public Future<Long> countChanged(UUID user) {
    return unread(user).onSuccess(unread -> {
      publisher.durable("user:" + user, "notification:count", new JsonObject().put("unread", unread));
      unreadChanged.accept(user);
    });
  }

  /**
   * Another service wrote the notifications table (docs/protocol.md §6 as for the hub's own): a new row reaches its
   * recipient as {@code notification} with {@code source: "external"}; any insert, update (read/unread) or delete
   * changes the unread count, which is pushed.
   *
   * @param op {@code insert}, {@code update} or {@code delete}
   */
  public Future<Void> changedOutside(UUID id, UUID recipient, String op) {
    Future<Void> pushed = !"insert".equals(op) ? Future.succeededFuture()
        : db.preparedQuery(ROW).execute(Tuple.of(id)).map(rows -> {
          for (Row r : rows) {
            publisher.durable("user:" + recipient, "notification", new JsonObject().put("id", id.toString())
                .put("type", r.getString("type")).put("title", r.getString("title")).put("body", r.getString("body"))
                .put("data", r.getJsonObject("data")).put("priority", r.getString("priority"))
                .put("created_at", r.getOffsetDateTime("created_at").toInstant().toString())
                .put("source", "external"));
          }
          return null;
        });
    return pushed.compose(v -> countChanged(recipient)).mapEmpty();
  }
}
