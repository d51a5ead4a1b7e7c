package com.wedsync.hub.external;

import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.UUID;

/**
 * Notifications another service wrote straight into the notifications table reach the recipient's bell like the hub's
 * own (PROTOCOL.md §6): a new row as {@code notification}, and any insert, update (read/unread) or delete as the new
 * {@code notification:count}.
 */
public final class ExternalNotifications {
  private static final String ROW = """
      select id, type, title, body, data::text as data, priority, created_at from notifications where id = $1""";
  private static final String UNREAD =
      "select count(*) as unread from notifications where recipient_id = $1 and read_at is null";

  private final Pool db;
  private final Publisher publisher;

  public ExternalNotifications(Pool db, Publisher publisher) {
    this.db = db;
    this.publisher = publisher;
  }

  /** @param op {@code insert}, {@code update} or {@code delete} */
  public Future<Void> changed(UUID id, UUID recipient, String op) {
    String topic = "user:" + recipient;
    Future<Void> pushed = !"insert".equals(op) ? Future.succeededFuture()
        : db.preparedQuery(ROW).execute(Tuple.of(id)).map(rows -> {
          if (rows.size() > 0) publisher.durable(topic, "notification", describe(rows.iterator().next()));
          return null;
        });
    return pushed.compose(v -> db.preparedQuery(UNREAD).execute(Tuple.of(recipient))).map(rows -> {
      publisher.durable(topic, "notification:count",
          new JsonObject().put("unread", rows.iterator().next().getLong("unread")));
      return null;
    });
  }

  private static JsonObject describe(Row r) {
    return new JsonObject().put("id", r.getUUID("id").toString()).put("type", r.getString("type"))
        .put("title", r.getString("title")).put("body", r.getString("body"))
        .put("data", new JsonObject(r.getString("data"))).put("priority", r.getString("priority"))
        .put("created_at", r.getOffsetDateTime("created_at").toInstant().toString()).put("source", "external");
  }
}
