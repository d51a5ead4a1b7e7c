package com.wedsync.hub.http;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.auth.Claims;
import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.auth.Principals;
import com.wedsync.hub.auth.TokenVerifier;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.socket.ClientLimits;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Bearer authentication for the REST API: the same tokens and the same principal as the socket. A user's writes
 * (every method but GET and HEAD) draw from the same per-user bucket as their socket writes, so HTTP is no way around
 * the write limit; a service's calls (other backends) are not limited.
 */
public final class HttpAuth {
  private static final String CHARGED = "hub.writeCharged";
  private final TokenVerifier tokens;
  private final Principals principals;
  private final ClientLimits limits;

  public HttpAuth(TokenVerifier tokens, Principals principals, ClientLimits limits) {
    this.tokens = tokens;
    this.principals = principals;
    this.limits = limits;
  }

  public Future<Claims> claims(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new AuthFailure("unauthorized", "missing 'Authorization: Bearer <token>' header"));
    }
    return tokens.verify(header.substring(7).trim()).compose(c -> charged(ctx, c));
  }

  private Future<Claims> charged(RoutingContext ctx, Claims c) {
    HttpMethod method = ctx.request().method();
    if (c.subject() == null || method == HttpMethod.GET || method == HttpMethod.HEAD || ctx.get(CHARGED) != null) {
      return Future.succeededFuture(c);
    }
    ctx.put(CHARGED, true);
    long wait = limits.takeWrite(c.subject().toString());
    if (wait == 0) return Future.succeededFuture(c);
    return Future.failedFuture(new ChannelError("rate_limited", "too many writes; retry after " + wait + " ms",
        new JsonObject().put("retry_after_ms", wait)));
  }

  /** A user (not a service or anonymous key). */
  public Future<Principal> user(RoutingContext ctx) {
    return claims(ctx).compose(c -> c.subject() == null
        ? Future.failedFuture(new AuthFailure("unauthorized", "this route needs a user's token"))
        : principals.load(c));
  }
}
