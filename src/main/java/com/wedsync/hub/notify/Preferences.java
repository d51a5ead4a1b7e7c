package com.wedsync.hub.notify;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Per user and notification type: in-app, email, SMS, push. Without a saved choice the SPEC's defaults hold: in-app
 * and push on, email for important and critical notifications only, SMS for critical only. {@code email} and
 * {@code sms} may also be saved as null, which means exactly that default ("by priority").
 */
public final class Preferences {
  /** The types the hub itself sends, and those other services commonly post: listed even before anyone saves one. */
  public static final List<String> KNOWN_TYPES = List.of(NotificationContent.FORM_SUBMITTED,
      NotificationContent.FORM_COMPLETED, NotificationContent.CORE_FIELD_CHANGED, NotificationContent.NOTE_ADDED,
      NotificationContent.MENTION, NotificationContent.LOCK_BROKEN, "payment_received", "meeting_booked",
      "task_completed", "journey_milestone", "message_received");
  public static final int MAX_PER_REQUEST = 100;
  private static final List<String> CHANNELS = List.of("in_app", "email", "sms", "push");

  /**
   * A channel left out of an entry keeps its saved value (or its default). The {@code $7…$10} flags say which were
   * given, so one statement serves a first save and a partial update alike.
   */
  private static final String UPSERT = """
      insert into notification_preferences as p (user_id, type, in_app, email, sms, push)
      values ($1, $2, coalesce($3, true), $4, $5, coalesce($6, true))
      on conflict (user_id, type) do update set
        in_app = case when $7 then excluded.in_app else p.in_app end,
        email = case when $8 then excluded.email else p.email end,
        sms = case when $9 then excluded.sms else p.sms end,
        push = case when $10 then excluded.push else p.push end""";

  private final Pool db;
  private final List<String> deliveryChannels;

  /** @param deliveryChannels the channels with a webhook configured: the others are shown as not delivered */
  public Preferences(Pool db, List<String> deliveryChannels) {
    this.db = db;
    this.deliveryChannels = List.copyOf(deliveryChannels);
  }

  public Future<JsonObject> get(UUID user) {
    return db.preparedQuery("select type, in_app, email, sms, push from notification_preferences where user_id = $1 "
        + "order by type").execute(Tuple.of(user)).map(rows -> {
      Map<String, JsonObject> byType = new LinkedHashMap<>();
      for (String type : KNOWN_TYPES) {
        byType.put(type, new JsonObject().put("type", type).put("in_app", true).put("email", null).put("sms", null)
            .put("push", true).put("saved", false));
      }
      for (Row r : rows) {
        byType.put(r.getString("type"), new JsonObject().put("type", r.getString("type"))
            .put("in_app", r.getBoolean("in_app")).put("email", r.getBoolean("email")).put("sms", r.getBoolean("sms"))
            .put("push", r.getBoolean("push")).put("saved", true));
      }
      JsonObject delivery = new JsonObject();
      for (String channel : List.of("email", "sms", "push")) delivery.put(channel, deliveryChannels.contains(channel));
      return new JsonObject().put("preferences", new JsonArray(new ArrayList<>(byType.values())))
          .put("defaults", new JsonObject().put("in_app", true).put("email", "important").put("sms", "critical")
              .put("push", true))
          .put("delivery", delivery);
    });
  }

  /** Saves the given entries ({@code {"preferences":[{"type", "in_app"?, "email"?, "sms"?, "push"?}]}}). */
  public Future<JsonObject> put(UUID user, JsonObject body) {
    if (!(body.getValue("preferences") instanceof JsonArray entries) || entries.isEmpty()) {
      throw ChannelError.invalid("preferences", "preferences must be a non-empty array of {type, in_app, email, sms, "
          + "push}");
    }
    if (entries.size() > MAX_PER_REQUEST) {
      throw ChannelError.invalid("preferences", "at most " + MAX_PER_REQUEST + " entries per request");
    }
    List<Tuple> batch = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < entries.size(); i++) {
      String at = "preferences[" + i + "]";
      if (!(entries.getValue(i) instanceof JsonObject e)) throw ChannelError.invalid(at, at + " must be an object");
      if (!(e.getValue("type") instanceof String type) || !NotificationContent.TYPE.matcher(type).matches()) {
        throw ChannelError.invalid(at + ".type", at + ".type must be a notification type (lower case letters, "
            + "digits, '_' or '.', up to 64), got " + e.getValue("type"));
      }
      if (!seen.add(type)) throw ChannelError.invalid(at + ".type", "type " + type + " appears twice");
      for (String key : e.fieldNames()) {
        if (!key.equals("type") && !CHANNELS.contains(key)) {
          throw ChannelError.invalid(at + "." + key, key + " is not a channel (in_app, email, sms, push)");
        }
      }
      Tuple t = Tuple.tuple().addValue(user).addValue(type);
      List<Boolean> given = new ArrayList<>();
      for (String channel : CHANNELS) {
        Object v = e.getValue(channel);
        boolean nullable = channel.equals("email") || channel.equals("sms");
        if (e.containsKey(channel) && !(v instanceof Boolean) && !(v == null && nullable)) {
          throw ChannelError.invalid(at + "." + channel, at + "." + channel + " must be true or false"
              + (nullable ? " (or null: by priority)" : "") + ", got " + v);
        }
        t.addValue(v);
        given.add(e.containsKey(channel));
      }
      given.forEach(t::addValue);
      batch.add(t);
    }
    return db.preparedQuery(UPSERT).executeBatch(batch).compose(done -> get(user));
  }
}
