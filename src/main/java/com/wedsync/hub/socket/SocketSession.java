package com.wedsync.hub.socket;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.auth.Claims;
import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.Future;

/**
 * Who a socket is, and for how long: its token, what the token says, and the principal the database says it is.
 *
 * <p>A socket has one identity. It is fixed by the first user token that authenticates it (at the upgrade, or on the
 * first join of a socket opened with an anonymous key); later tokens must name the same user. The connection slot of
 * {@code socket.maxConnectionsPerUser} is taken when the identity is fixed and released once, when the socket closes;
 * the features are told of both ({@code EventHandlers.connected/disconnected}: client status, last seen).
 * Single-threaded: used on the socket's loop.
 */
final class SocketSession {
  private final SocketServices services;
  private final String connectionId;
  private String token;
  private Claims claims;
  private Principal principal;
  /** The first user token's check while it is in flight: the socket's identity is being decided. */
  private Future<Principal> identifying;
  private boolean closed;

  /** @param principal who the upgrade's token named (its slot already taken), or null for an anonymous key */
  SocketSession(SocketServices services, String connectionId, String token, Claims claims, Principal principal) {
    this.services = services;
    this.connectionId = connectionId;
    this.token = token;
    this.claims = claims;
    this.principal = principal;
    if (principal != null) services.handlers().connected(connectionId, principal);
  }

  Principal principal() {
    return principal;
  }

  /** The key of the write bucket: the user once known, else the connection. */
  String rateKey(String connectionId) {
    return principal != null ? principal.userId().toString() : connectionId;
  }

  /** Whether the socket's token has expired (past {@code auth.leewaySeconds}) at {@code nowMs}. */
  boolean expired(long nowMs) {
    return claims != null && claims.expiresAt() > 0
        && claims.expiresAt() + services.config().auth().leewaySeconds() < nowMs / 1000;
  }

  /**
   * The principal for a join's token ({@code null}: the socket's own). Joins that arrive while the
   * first token is still being checked wait for it, so two tokens racing on an anonymous socket cannot both win.
   */
  Future<Principal> authenticate(String joinToken) {
    String candidate = joinToken != null ? joinToken : token;
    if (candidate != null && candidate.equals(token) && principal != null) {
      if (expired(System.currentTimeMillis())) {
        return Future.failedFuture(new AuthFailure("token_expired", "the socket's token expired; send a fresh one"));
      }
      return Future.succeededFuture(principal);
    }
    if (principal == null && identifying != null) {
      return identifying.transform(ar -> authenticate(joinToken));
    }
    Future<Principal> result = services.tokens().verify(candidate).compose(c -> {
      if (c.subject() == null) {
        return Future.failedFuture(new AuthFailure("unauthorized", "joining a channel needs a user's token"));
      }
      if (principal != null && !principal.userId().equals(c.subject())) {
        return Future.failedFuture(new AuthFailure("unauthorized", "token is for another user than this socket's"));
      }
      return services.principals().load(c).compose(p -> {
        if (closed) return Future.failedFuture(new AuthFailure("unauthorized", "the socket closed"));
        if (principal == null) {
          if (!services.limits().acquireConnection(p.userId().toString())) {
            return Future.failedFuture(new ChannelError("too_many_connections",
                "at most " + services.config().socket().maxConnectionsPerUser() + " connections per user"));
          }
        } else if (!principal.userId().equals(p.userId())) {
          return Future.failedFuture(new AuthFailure("unauthorized", "token is for another user than this socket's"));
        }
        boolean identified = principal == null;
        token = candidate;
        claims = c;
        principal = p;
        if (identified) services.handlers().connected(connectionId, p);
        return Future.succeededFuture(p);
      });
    });
    if (principal == null) {
      identifying = result;
      result.onComplete(ar -> identifying = null);
    }
    return result;
  }

  /** True when {@code fresh} is the token the socket holds already (a refresh that changes nothing). */
  boolean holds(String fresh) {
    return fresh.equals(token);
  }

  /**
   * A fresh token for the same user replaces the socket's (for every channel on it); the memberships are read again,
   * since a refresh is also when access is re-checked.
   */
  Future<Principal> refresh(String fresh) {
    Principal before = principal;
    if (before == null) {
      return Future.failedFuture(new AuthFailure("unauthorized", "join a channel with a user's token first"));
    }
    return services.tokens().verify(fresh).compose(c -> {
      if (c.subject() == null || !before.userId().equals(c.subject())) {
        return Future.failedFuture(new AuthFailure("unauthorized", "refreshed token must be for the same user"));
      }
      return services.principals().load(c).map(p -> {
        token = fresh;
        claims = c;
        principal = p;
        return p;
      });
    });
  }

  /** Reads the user's memberships again (they changed in the database); fails when the user is gone. */
  Future<Principal> reload() {
    if (claims == null || principal == null) return Future.succeededFuture(principal);
    return services.principals().load(claims).map(p -> {
      principal = p;
      return p;
    });
  }

  /** The socket closed: its connection slot is released, once; an identity still being decided is refused. */
  void close() {
    if (closed) return;
    closed = true;
    if (principal == null) return;
    services.limits().releaseConnection(principal.userId().toString());
    services.handlers().disconnected(connectionId, principal);
  }
}
