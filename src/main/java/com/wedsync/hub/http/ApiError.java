package com.wedsync.hub.http;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** REST errors as docs/protocol.md §10 shapes them: {@code {"error":{"code","message","field"?}}} with a matching status. */
public final class ApiError {
  private static final Logger log = LoggerFactory.getLogger(ApiError.class);

  private ApiError() {}

  public static void send(RoutingContext ctx, Throwable e) {
    if (ctx.response().ended()) return;
    int status;
    JsonObject error;
    if (e instanceof ChannelError ce) {
      status = ce.httpStatus();
      JsonObject r = ce.response();
      error = new JsonObject().put("code", ce.reason()).put("message", r.getString("detail", ce.getMessage()));
      r.forEach(entry -> {
        if (!entry.getKey().equals("reason") && !entry.getKey().equals("detail")) error.put(entry.getKey(), entry.getValue());
      });
      if (r.getValue("retry_after_ms") instanceof Number wait) {
        ctx.response().putHeader("Retry-After", String.valueOf(Math.max(1, (wait.longValue() + 999) / 1000)));
      }
    } else if (e instanceof AuthFailure af) {
      status = 401;
      error = new JsonObject().put("code", af.reason()).put("message", af.getMessage());
    } else {
      log.warn("request {} {} failed", ctx.request().method(), ctx.request().path(), e);
      status = 503;
      error = new JsonObject().put("code", "unavailable").put("message", "the hub could not complete the request");
    }
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", error).encode());
  }

  public static void send(RoutingContext ctx, String code, String message, String field) {
    send(ctx, field == null ? new ChannelError(code, message) : ChannelError.invalid(field, message));
  }
}
