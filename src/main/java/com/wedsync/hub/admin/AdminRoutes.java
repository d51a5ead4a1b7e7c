package com.wedsync.hub.admin;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.Access;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.form.Editor;
import com.wedsync.hub.form.FieldLocks;
import com.wedsync.hub.form.Lease;
import com.wedsync.hub.health.SyncHealth;
import com.wedsync.hub.http.ApiError;
import com.wedsync.hub.http.ApiRoutes;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

import static com.wedsync.hub.http.RequestBody.jsonBody;

/**
 * The admin routes (docs/protocol.md "Admin"), for hub admins only ({@code users.is_admin}; 401 without a token, 403
 * for anyone else): the sync health of every node, the audit of admin powers, and the powers that change something —
 * break any lock, end a user's sessions on every node. Each power writes its audit row before it acts.
 */
public final class AdminRoutes implements ApiRoutes {
  private final HttpAuth auth;
  private final SyncHealth health;
  private final AdminAudit audit;
  private final FieldLocks locks;
  private final AdminSessions sessions;

  public AdminRoutes(HttpAuth auth, SyncHealth health, AdminAudit audit, FieldLocks locks, AdminSessions sessions) {
    this.auth = auth;
    this.health = health;
    this.audit = audit;
    this.locks = locks;
    this.sessions = sessions;
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> ops = new LinkedHashMap<>();
    ops.put("getSyncHealth", ctx -> asAdmin(ctx, admin -> Future.succeededFuture(health.reply())));
    ops.put("listAdminAudit", ctx -> asAdmin(ctx, admin -> audit.list(longParam(ctx, "before"),
        ctx.queryParams().get("action"), (int) Math.min(500, Math.max(1, orElse(longParam(ctx, "limit"), 100L))))));
    ops.put("breakLockAsAdmin", ctx -> asAdmin(ctx, admin -> breakLock(ctx, admin)));
    ops.put("endUserSessions", ctx -> asAdmin(ctx, admin -> endSessions(ctx, admin)));
    return ops;
  }

  /** Runs the action for an admin; anyone else is answered 403 naming what is missing. */
  private void asAdmin(RoutingContext ctx, Function<Principal, Future<JsonObject>> action) {
    auth.user(ctx)
        .compose(p -> {
          if (!p.admin()) {
            return Future.failedFuture(ChannelError.forbidden(ctx.request().method() + " " + ctx.request().path()
                + " is for hub admins only (users.is_admin), and " + p.name() + " is not one"));
          }
          try {
            return action.apply(p);
          } catch (RuntimeException e) {
            return Future.failedFuture(e);
          }
        })
        .onSuccess(body -> HttpApi.json(ctx, 200, body))
        .onFailure(e -> ApiError.send(ctx, e));
  }

  /**
   * The holder loses the lock as when a team owner breaks it: {@code field:unlocked} with reason {@code broken} and
   * who broke it, an activity entry and a notification.
   */
  private Future<JsonObject> breakLock(RoutingContext ctx, Principal admin) {
    UUID form = UUID.fromString(ctx.pathParam("id"));
    String key = ctx.pathParam("key");
    String reason = reason(ctx);
    return locks.leases(form).compose(leases -> {
      Lease held = leases.stream().filter(l -> l.field().equals(key)).findFirst().orElse(null);
      if (held == null) {
        throw new ChannelError("not_found", key + " on form " + form + " is not locked",
            new JsonObject().put("field", key));
      }
      return audit.record(admin, AdminAudit.BREAK_LOCK, "form:" + form + "/" + key, reason,
              new JsonObject().put("form_id", form.toString()).put("field", key).put("holder", held.holder()))
          .compose(row -> locks.breakLockAsAdmin(new Editor(admin.userId(), admin.name(), Access.adminView(), null),
              form, key).map(broken -> new JsonObject().put("broken", true).put("field", key)
                  .put("holder", held.holder()).put("audit", row)));
    });
  }

  private Future<JsonObject> endSessions(RoutingContext ctx, Principal admin) {
    UUID user = UUID.fromString(ctx.pathParam("id"));
    String reason = reason(ctx);
    return sessions.name(user)
        .compose(name -> audit.record(admin, AdminAudit.END_SESSIONS, "user:" + user, reason,
            new JsonObject().put("user", new JsonObject().put("user_id", user.toString()).put("name", name))))
        .compose(row -> sessions.end(user, reason, admin.identity())
            .map(at -> new JsonObject().put("user_id", user.toString()).put("ended_at", at.toInstant().toString())
                .put("audit", row)));
  }

  private static String reason(RoutingContext ctx) {
    Object reason = jsonBody(ctx).getValue("reason");
    if (!(reason instanceof String s) || s.isBlank()) {
      throw ChannelError.invalid("reason", "reason must say why (a non-blank string): it goes into the audit");
    }
    return s.strip();
  }

  private static Long longParam(RoutingContext ctx, String name) {
    String v = ctx.queryParams().get(name);
    if (v == null) return null;
    try {
      return Long.parseLong(v);
    } catch (NumberFormatException e) {
      throw ChannelError.invalid(name, name + " must be a whole number");
    }
  }

  private static long orElse(Long v, long fallback) {
    return v == null ? fallback : v;
  }
}
