package com.wedsync.hub.clients;

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

import java.util.Map;
import java.util.UUID;

/**
 * {@code GET /api/v1/suppliers/{id}/clients}: the supplier's client list with live status, for its team members
 * (any role) — the same people who may join {@code supplier:{id}:clients}, where the list's changes arrive.
 */
public final class ClientRoutes implements ApiRoutes {
  private final HttpAuth auth;
  private final ClientStatus status;

  public ClientRoutes(HttpAuth auth, ClientStatus status) {
    this.auth = auth;
    this.status = status;
  }

  @Override
  public Map<String, Handler<RoutingContext>> operations() {
    return Map.of("listSupplierClients", this::list);
  }

  private void list(RoutingContext ctx) {
    UUID supplier = UUID.fromString(ctx.pathParam("id")); // the document's pattern has checked it
    auth.user(ctx)
        .compose(p -> p.isTeamMember(supplier) ? status.clientsOf(supplier)
            : Future.failedFuture(ChannelError.forbidden("only supplier " + supplier + "'s team sees its clients")))
        .onSuccess(clients -> HttpApi.json(ctx, 200, new JsonObject().put("clients", new JsonArray(clients))))
        .onFailure(e -> ApiError.send(ctx, e));
  }
}
