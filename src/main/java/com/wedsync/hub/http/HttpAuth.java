package com.wedsync.hub.http;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.auth.Claims;
import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.auth.Principals;
import com.wedsync.hub.auth.TokenVerifier;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;

/** Bearer authentication for the REST API: the same tokens and the same principal as the socket. */
public final class HttpAuth {
  private final TokenVerifier tokens;
  private final Principals principals;

  public HttpAuth(TokenVerifier tokens, Principals principals) {
    this.tokens = tokens;
    this.principals = principals;
  }

  public Future<Claims> claims(RoutingContext ctx) {
    String header = ctx.request().getHeader("Authorization");
    if (header == null || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Future.failedFuture(new AuthFailure("unauthorized", "missing 'Authorization: Bearer <token>' header"));
    }
    return tokens.verify(header.substring(7).trim());
  }

  /** A user (not a service or anonymous key). */
  public Future<Principal> user(RoutingContext ctx) {
    return claims(ctx).compose(c -> c.subject() == null
        ? Future.failedFuture(new AuthFailure("unauthorized", "this route needs a user's token"))
        : principals.load(c));
  }
}
