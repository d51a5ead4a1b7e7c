package com.wedsync.hub.notify;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.http.ApiError;
import com.wedsync.hub.http.ApiRoutes;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * {@code GET /api/v1/activity?scope=supplier:{id}|wedding:{id}&cursor=&limit=}: whoever may join that channel may
 * read its feed — the same access rules, from the same registry — and reads it as it would on that channel (a
 * supplier's team member sees on a wedding's feed only its suppliers' lines and the facts shared with them).
 */
public final class ActivityRoutes implements ApiRoutes {
  public static final int DEFAULT_LIMIT = 50;
  public static final int MAX_LIMIT = 100;

  private final HttpAuth auth;
  private final ChannelRegistry channels;
  private final ActivityFeed feed;

  public ActivityRoutes(HttpAuth auth, ChannelRegistry channels, ActivityFeed feed) {
    this.auth = auth;
    this.channels = channels;
    this.feed = feed;
  }

  /** The handlers by operationId (the OpenAPI document gives each its method and path). */
  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of("listActivity", this::list);
  }

  private void list(RoutingContext ctx) {
    String scope = ctx.request().getParam("scope");
    Topic topic = scope == null ? null : ChannelRegistry.parse(scope).orElse(null);
    if (topic == null || topic.suffix() != null
        || !(topic.family().name().equals("supplier") || topic.family().name().equals("wedding"))) {
      ApiError.send(ctx, ChannelError.invalid("scope", "scope must be supplier:{id} or wedding:{id}, got '"
          + scope + "'"));
      return;
    }
    int limit = DEFAULT_LIMIT;
    String rawLimit = ctx.request().getParam("limit");
    if (rawLimit != null && !rawLimit.isEmpty()) {
      try {
        limit = Integer.parseInt(rawLimit);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 1 || limit > MAX_LIMIT) {
        ApiError.send(ctx, ChannelError.invalid("limit", "limit must be a whole number from 1 to " + MAX_LIMIT
            + ", got '" + rawLimit + "'"));
        return;
      }
    }
    String cursor = ctx.request().getParam("cursor");
    int pageSize = limit;
    auth.user(ctx)
        .compose(p -> channels.authorize(p, topic))
        .compose(access -> {
          if (!access.allowed()) return Future.failedFuture(ChannelError.forbidden("no access to " + topic.name()));
          try {
            return feed.list(topic.family().name(), topic.id(), access,
                cursor == null || cursor.isEmpty() ? null : cursor, pageSize);
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .onSuccess(body -> HttpApi.json(ctx, 200, body))
        .onFailure(e -> ApiError.send(ctx, e));
  }
}
