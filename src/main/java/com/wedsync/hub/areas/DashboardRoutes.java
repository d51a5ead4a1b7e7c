package com.wedsync.hub.areas;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.http.ApiError;
import com.wedsync.hub.http.ApiRoutes;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /api/v1/suppliers/{id}/dashboard}: the supplier's dashboard numbers now, for its team members (any role)
 * — the same people who may join {@code supplier:{id}}, where {@code dashboard:numbers} arrives when they change.
 */
public final class DashboardRoutes implements ApiRoutes {
  private final HttpAuth auth;
  private final DashboardNumbers dashboard;

  public DashboardRoutes(HttpAuth auth, DashboardNumbers dashboard) {
    this.auth = auth;
    this.dashboard = dashboard;
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of("getSupplierDashboard", this::get);
  }

  private void get(RoutingContext ctx) {
    UUID supplier = UUID.fromString(ctx.pathParam("id")); // the document's pattern has checked it
    auth.user(ctx)
        .compose(p -> p.isTeamMember(supplier) ? dashboard.numbers(supplier)
            : Future.failedFuture(ChannelError.forbidden("only supplier " + supplier + "'s team sees its dashboard")))
        .onSuccess(numbers -> HttpApi.json(ctx, 200, numbers))
        .onFailure(e -> ApiError.send(ctx, e));
  }
}
