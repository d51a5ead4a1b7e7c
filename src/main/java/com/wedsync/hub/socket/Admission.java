package com.wedsync.hub.socket;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.auth.Claims;
import com.wedsync.hub.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Whether a new connection may open, whatever carries it (a WebSocket upgrade, a long-poll session's first poll):
 * the browser origin, the protocol version, new connections per second from the address and for the user, the token
 * (a user's, or an anonymous key), and the user's connection slot. The answer is what the client is let in as, or
 * the HTTP status that refuses it (docs/protocol.md §1.2).
 */
final class Admission {
  private static final Logger log = LoggerFactory.getLogger(Admission.class);

  /** Who was let in: the token, what it says, and the principal (null for an anonymous key; its slot is taken). */
  record Admitted(Vsn vsn, String token, Claims claims, Principal principal) {}

  /** Why a connection was refused: the HTTP status to answer. */
  static final class Refused extends RuntimeException {
    final int status;

    Refused(int status, String message) {
      super(message, null, false, false);
      this.status = status;
    }
  }

  private final SocketServices services;

  Admission(SocketServices services) {
    this.services = services;
  }

  Future<Admitted> admit(MultiMap headers, String query, SocketAddress remote) {
    try {
      String origin = headers.get("Origin");
      if (origin != null && !OriginPolicy.allows(services.config().socket().allowedOrigins(), origin)) {
        log.info("refused a connection from origin {}", origin);
        services.metrics().error("bad_origin");
        return Future.failedFuture(new Refused(403, "origin not allowed"));
      }
      String address = remote == null ? "unknown" : remote.hostAddress();
      if (services.limits().takeConnectFrom(address) > 0) {
        services.metrics().error("rate_limited");
        return Future.failedFuture(new Refused(429, "too many new connections from " + address));
      }
      Map<String, String> params = params(query);
      Vsn vsn = Vsn.parse(params.get("vsn"));
      String token = params.get("apikey") != null ? params.get("apikey") : params.get("token");
      return services.tokens().verify(token).compose(claims -> claims.subject() == null
              ? Future.succeededFuture(new Admitted(vsn, token, claims, null))
              : services.principals().load(claims).compose(p -> {
                if (services.limits().takeConnectFor(p.userId().toString()) > 0) {
                  return Future.failedFuture(new AuthFailure("rate_limited", "too many new connections"));
                }
                if (!services.limits().acquireConnection(p.userId().toString())) {
                  return Future.failedFuture(new AuthFailure("too_many_connections", "too many connections"));
                }
                return Future.succeededFuture(new Admitted(vsn, token, claims, p));
              }))
          .recover(e -> {
            String reason = e instanceof AuthFailure af ? af.reason() : "unavailable";
            services.metrics().error(reason);
            return Future.failedFuture(new Refused(switch (reason) {
              case "too_many_connections", "rate_limited" -> 429;
              case "unavailable" -> 503;
              default -> 401;
            }, e.getMessage()));
          });
    } catch (IllegalArgumentException e) { // a bad vsn, a query Vert.x cannot decode
      return Future.failedFuture(new Refused(400, e.getMessage()));
    }
  }

  /** Gives back the slot of a user admitted but never connected (the upgrade failed). */
  void abandon(Admitted admitted) {
    if (admitted.principal() != null) services.limits().releaseConnection(admitted.principal().userId().toString());
  }

  /** Query-string parameters of the request that opens a connection. */
  static Map<String, String> params(String query) {
    Map<String, String> m = new HashMap<>();
    if (query != null) {
      for (String pair : query.split("&")) {
        int eq = pair.indexOf('=');
        if (eq <= 0) continue;
        m.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
      }
    }
    return m;
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }
}
