package com.wedsync.hub.notify;

import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Sends a notification to an audience: one statement resolves the recipients, applies each one's preferences for the
 * type, stores a bell row per recipient who wants it in-app, and queues the email / SMS / push deliveries in the
 * outbox — all in one transaction, so a delivery is queued exactly when its notification is recorded. After the commit
 * every stored row is pushed on {@code user:{id}} with the recipient's new unread count.
 */
public final class NotificationService {
  /**
   * {@code %s} is the audience's query (parameters $1…$n); {type} … {channels} become the parameters after it.
   * The recipients CTE is referenced twice and calls a volatile function, so PostgreSQL materialises it once: the
   * bell row and its outbox rows share one notification id. Data-modifying CTEs always run to completion, referenced
   * or not. The unread count is read from the statement's snapshot, which does not yet hold the new row: hence + 1.
   */
  private static final String SEND = """
      with audience as (%s),
      recipients as (
        select u.id as user_id, u.name, u.email, gen_random_uuid() as notification_id,
               coalesce(p.in_app, true) as in_app,
               coalesce(p.email, {priority} in ('important', 'critical')) as by_email,
               coalesce(p.sms, {priority} = 'critical') as by_sms,
               coalesce(p.push, true) as by_push
          from (select distinct user_id from audience) a
          join users u on u.id = a.user_id
          left join notification_preferences p on p.user_id = u.id and p.type = {type}),
      stored as (
        insert into notifications (id, recipient_id, type, title, body, data, priority)
        select notification_id, user_id, {type}, {title}, {body}, {data}, {priority} from recipients where in_app
        returning id, recipient_id, created_at),
      queued as (
        insert into notification_outbox (notification_id, channel, recipient_id, payload)
        select r.notification_id, c.channel, r.user_id,
               jsonb_build_object('notification_id', r.notification_id, 'channel', c.channel,
                 'recipient', jsonb_build_object('user_id', r.user_id, 'name', r.name, 'email', r.email),
                 'type', {type}, 'title', {title}, 'body', {body}, 'data', {data}, 'priority', {priority},
                 'created_at', now())
          from recipients r cross join unnest({channels}) as c(channel)
         where (c.channel = 'email' and r.by_email) or (c.channel = 'sms' and r.by_sms)
            or (c.channel = 'push' and r.by_push)
        returning 1)
      select s.id, s.recipient_id, s.created_at,
             (select count(*) from notifications n where n.recipient_id = s.recipient_id and n.read_at is null) + 1
               as unread,
             (select count(*) from recipients) as recipients,
             (select count(*) from queued) as queued
        from (select 1) as one left join stored s on true""";

  private static final List<String> PARAMETERS = List.of("type", "title", "body", "data", "priority", "channels");

  /** What a send did: people resolved, bell rows stored, deliveries queued. */
  public record Sent(int recipients, int stored, int queued) {
    public JsonObject toJson() {
      return new JsonObject().put("recipients", recipients).put("stored", stored).put("queued", queued);
    }
  }

  private final Pool db;
  private final Publisher publisher;
  private final HubMetrics metrics;
  private final List<String> channels;
  private final Consumer<UUID> unreadChanged;

  /** @param channels the delivery channels that have a webhook; no outbox row is written for the others */
  /** @param unreadChanged told of each recipient whose unread count a new notification raised */
  public NotificationService(Pool db, Publisher publisher, HubMetrics metrics, List<String> channels,
                             Consumer<UUID> unreadChanged) {
    this.db = db;
    this.publisher = publisher;
    this.metrics = metrics;
    this.channels = List.copyOf(channels);
    this.unreadChanged = unreadChanged;
  }

  public Future<Sent> send(Audience audience, NotificationContent content) {
    Tuple args = Tuple.tuple();
    audience.args().forEach(args::addValue);
    String sql = SEND.formatted(audience.sql());
    int next = audience.args().size() + 1;
    for (String name : PARAMETERS) {
      String cast = switch (name) {
        case "data" -> "::jsonb";
        case "channels" -> "::text[]";
        default -> "::text";
      };
      sql = sql.replace("{" + name + "}", "$" + next++ + cast);
    }
    args.addValue(content.type()).addValue(content.title()).addValue(content.body()).addValue(content.data())
        .addValue(content.priority().wireName()).addValue(channels.toArray(new String[0]));
    return db.preparedQuery(sql).execute(args).map(rows -> {
      int stored = 0;
      int recipients = 0;
      int queued = 0;
      for (Row r : rows) {
        recipients = r.getLong("recipients").intValue();
        queued = r.getLong("queued").intValue();
        UUID id = r.getUUID("id");
        if (id == null) continue;
        stored++;
        String user = "user:" + r.getUUID("recipient_id");
        publisher.durable(user, "notification", new JsonObject().put("id", id.toString()).put("type", content.type())
            .put("title", content.title()).put("body", content.body()).put("data", content.data())
            .put("priority", content.priority().wireName())
            .put("created_at", r.getOffsetDateTime("created_at").toInstant().toString()));
        publisher.durable(user, "notification:count", new JsonObject().put("unread", r.getLong("unread")));
        unreadChanged.accept(r.getUUID("recipient_id"));
      }
      metrics.notificationsCreated(stored);
      metrics.deliveriesQueued(queued);
      return new Sent(recipients, stored, queued);
    });
  }
}
