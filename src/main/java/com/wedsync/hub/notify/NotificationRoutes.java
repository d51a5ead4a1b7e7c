package com.wedsync.hub.notify;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.http.ApiError;
import com.wedsync.hub.http.ApiRoutes;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.DateTimeException;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import static com.wedsync.hub.http.RequestBody.jsonBody;

/**
 * The bell, preferences and the service route of docs/protocol.md §10. The OpenAPI contract checks the shapes first; the
 * checks here give the precise messages for what it cannot express (cursors, time zones, lists in one parameter).
 */
public final class NotificationRoutes implements ApiRoutes {
  public static final int DEFAULT_LIMIT = 20;
  public static final int MAX_LIMIT = 100;
  public static final int MAX_RECIPIENTS = 10_000;

  private final HttpAuth auth;
  private final Bell bell;
  private final Preferences preferences;
  private final NotificationService notifications;

  public NotificationRoutes(HttpAuth auth, Bell bell, Preferences preferences, NotificationService notifications) {
    this.auth = auth;
    this.bell = bell;
    this.preferences = preferences;
    this.notifications = notifications;
  }

  /** The handlers by operationId (the OpenAPI document gives each its method and path). */
  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> ops = new LinkedHashMap<>();
    ops.put("listNotifications", ctx -> asUser(ctx, p -> bell.list(query(ctx, p))));
    ops.put("countUnreadNotifications", ctx -> asUser(ctx, p -> bell.unread(p.userId())
        .map(n -> new JsonObject().put("unread", n))));
    ops.put("readAllNotifications", ctx -> asUser(ctx, p -> bell.readAll(p.userId())));
    ops.put("readNotification", ctx -> asUser(ctx, p -> bell.markRead(p.userId(), id(ctx))));
    ops.put("unreadNotification", ctx -> asUser(ctx, p -> bell.markUnread(p.userId(), id(ctx))));
    ops.put("clearNotifications", ctx -> asUser(ctx, p -> bell.clear(p.userId())));
    ops.put("postNotification", this::post);
    ops.put("getNotificationPreferences", ctx -> asUser(ctx, p -> preferences.get(p.userId())));
    ops.put("putNotificationPreferences", ctx -> asUser(ctx, p -> preferences.put(p.userId(), jsonBody(ctx))));
    return ops;
  }

  private void asUser(RoutingContext ctx, Function<Principal, Future<JsonObject>> action) {
    auth.user(ctx).compose(p -> {
      try {
        return action.apply(p);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
    }).onSuccess(body -> HttpApi.json(ctx, 200, body)).onFailure(e -> ApiError.send(ctx, e));
  }

  private static Bell.Query query(RoutingContext ctx, Principal p) {
    Boolean unread = switch (param(ctx, "unread", "")) {
      case "" -> null;
      case "true" -> true;
      case "false" -> false;
      default -> throw ChannelError.invalid("unread", "unread must be true or false, got '"
          + param(ctx, "unread", "") + "'");
    };
    List<String> types = null;
    String typeParam = param(ctx, "type", "");
    if (!typeParam.isEmpty()) {
      Set<String> distinct = new LinkedHashSet<>();
      for (String t : typeParam.split(",")) {
        if (!NotificationContent.TYPE.matcher(t.trim()).matches()) {
          throw ChannelError.invalid("type", "type must be one or more notification types separated by commas, got '"
              + typeParam + "'");
        }
        distinct.add(t.trim());
      }
      types = new ArrayList<>(distinct);
    }
    String cursor = param(ctx, "cursor", "");
    int limit = DEFAULT_LIMIT;
    String rawLimit = param(ctx, "limit", "");
    if (!rawLimit.isEmpty()) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        throw ChannelError.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIMIT + ", got '"
            + rawLimit + "'");
      }
    }
    String group = param(ctx, "group", "");
    if (!group.isEmpty() && !group.equals("day")) {
      throw ChannelError.invalid("group", "group must be 'day', got '" + group + "'");
    }
    ZoneId zone = ZoneOffset.UTC;
    String tz = param(ctx, "tz", "");
    if (!tz.isEmpty()) {
      try {
        zone = ZoneId.of(tz);
      } catch (DateTimeException e) {
        throw ChannelError.invalid("tz", "tz must be a time zone such as Europe/London or +01:00, got '" + tz + "'");
      }
    }
    return new Bell.Query(p.userId(), unread, types, cursor.isEmpty() ? null : BellCursor.decode(cursor), limit, zone,
        group.equals("day"));
  }

  private static String param(RoutingContext ctx, String name, String fallback) {
    String v = ctx.request().getParam(name);
    return v == null ? fallback : v;
  }

  private static UUID id(RoutingContext ctx) {
    try {
      return UUID.fromString(ctx.pathParam("id"));
    } catch (IllegalArgumentException e) {
      throw ChannelError.invalid("id", "id must be a notification id (a UUID), got '" + ctx.pathParam("id") + "'");
    }
  }

  /** Another service notifies users ("payment received", "meeting booked", …): service-role tokens only. */
  private void post(RoutingContext ctx) {
    auth.claims(ctx).compose(claims -> {
      if (!claims.isService()) {
        return Future.failedFuture(ChannelError.forbidden("only a service_role token may post notifications"));
      }
      JsonObject b = jsonBody(ctx);
      List<UUID> users = recipients(b.getValue("user_ids"));
      String type = b.getValue("type") instanceof String t ? t : null;
      if (type == null || !NotificationContent.TYPE.matcher(type).matches()) {
        throw ChannelError.invalid("type", "type must be a notification type (lower case letters, digits, '_' or "
            + "'.', up to 64, starting with a letter), got " + b.getValue("type"));
      }
      String title = text(b, "title", 1, 200);
      String text = b.containsKey("body") ? text(b, "body", 0, 2000) : "";
      Object data = b.getValue("data", new JsonObject());
      if (!(data instanceof JsonObject dataObject)) throw ChannelError.invalid("data", "data must be an object");
      if (dataObject.encode().length() > 16_384) {
        throw ChannelError.invalid("data", "data must encode to at most 16 KB");
      }
      Priority priority = Priority.NORMAL;
      if (b.getValue("priority") != null) {
        priority = b.getValue("priority") instanceof String s ? Priority.parse(s) : null;
        if (priority == null) {
          throw ChannelError.invalid("priority", "priority must be low, normal, important or critical, got "
              + b.getValue("priority"));
        }
      }
      return notifications.send(Recipients.users(users), new NotificationContent(type, title, text, dataObject,
          priority)).map(sent -> sent.toJson().put("skipped", users.size() - sent.recipients()));
    }).onSuccess(result -> HttpApi.json(ctx, 201, result)).onFailure(e -> ApiError.send(ctx, e));
  }

  private static List<UUID> recipients(Object raw) {
    if (!(raw instanceof JsonArray ids) || ids.isEmpty() || ids.size() > MAX_RECIPIENTS) {
      throw ChannelError.invalid("user_ids", "user_ids must be an array of 1 to " + MAX_RECIPIENTS + " user ids");
    }
    Set<UUID> out = new LinkedHashSet<>();
    for (int i = 0; i < ids.size(); i++) {
      try {
        out.add(UUID.fromString((String) ids.getValue(i)));
      } catch (RuntimeException e) {
        throw ChannelError.invalid("user_ids[" + i + "]", "user_ids[" + i + "] must be a user id (a UUID), got "
            + ids.getValue(i));
      }
    }
    return new ArrayList<>(out);
  }

  private static String text(JsonObject b, String key, int min, int max) {
    if (!(b.getValue(key) instanceof String s) || s.length() < min || s.length() > max) {
      throw ChannelError.invalid(key, key + " must be a string of " + min + " to " + max + " characters");
    }
    return s;
  }
}
