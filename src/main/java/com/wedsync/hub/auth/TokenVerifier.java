package com.wedsync.hub.auth;

import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Verifies bearer tokens: HS256 with the configured secret, RS256 with a PEM public key, and keys from a JWKS URL
 * (fetched at start and every ten minutes). Expiry and not-before are checked here, not by the library, so the caller
 * learns <em>why</em> a token failed ({@code token_expired} vs {@code unauthorized}).
 */
public final class TokenVerifier {
  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);
  private static final long JWKS_REFRESH_MS = 10 * 60 * 1000;

  private final Vertx vertx;
  private final HubConfig.Auth cfg;
  private volatile JWTAuth jwt;

  private TokenVerifier(Vertx vertx, HubConfig.Auth cfg) {
    this.vertx = vertx;
    this.cfg = cfg;
  }

  public static Future<TokenVerifier> create(Vertx vertx, HubConfig.Auth cfg) {
    TokenVerifier v = new TokenVerifier(vertx, cfg);
    v.jwt = JWTAuth.create(vertx, v.options(List.of()));
    if (cfg.jwksUrl().isEmpty()) return Future.succeededFuture(v);
    vertx.setPeriodic(JWKS_REFRESH_MS, id -> v.refreshJwks());
    // An identity provider that is briefly down must not keep the hub from starting: retry soon, tokens signed with
    // its keys are refused (unauthorized) until they arrive.
    return v.refreshJwks().recover(e -> {
      vertx.setTimer(5000, id -> v.refreshJwks());
      return Future.succeededFuture();
    }).map(v);
  }

  private JWTAuthOptions options(List<JsonObject> jwks) {
    JWTAuthOptions o = new JWTAuthOptions()
        .setJWTOptions(new JWTOptions().setIgnoreExpiration(true).setLeeway(cfg.leewaySeconds()));
    if (!cfg.hs256Secret().isEmpty()) {
      o.addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(cfg.hs256Secret()));
    }
    if (!cfg.rs256PublicKeyPem().isEmpty()) {
      o.addPubSecKey(new PubSecKeyOptions().setAlgorithm("RS256").setBuffer(cfg.rs256PublicKeyPem()));
    }
    if (!jwks.isEmpty()) o.setJwks(jwks);
    return o;
  }

  private Future<Void> refreshJwks() {
    HttpClient client = vertx.createHttpClient();
    return client.request(new io.vertx.core.http.RequestOptions().setMethod(HttpMethod.GET)
            .setAbsoluteURI(cfg.jwksUrl()))
        .compose(req -> req.send())
        .compose(resp -> resp.statusCode() == 200 ? resp.body()
            : Future.failedFuture("JWKS answered HTTP " + resp.statusCode()))
        .map(body -> {
          List<JsonObject> keys = new ArrayList<>();
          body.toJsonObject().getJsonArray("keys").forEach(k -> keys.add((JsonObject) k));
          jwt = JWTAuth.create(vertx, options(keys));
          log.info("loaded {} key(s) from JWKS {}", keys.size(), cfg.jwksUrl());
          return (Void) null;
        })
        .onFailure(e -> log.warn("JWKS refresh from {} failed: {}", cfg.jwksUrl(), e.getMessage()))
        .eventually(client::close);
  }

  private static JsonObject payload(String token) {
    String[] parts = token.split("\\.");
    return new JsonObject(new String(java.util.Base64.getUrlDecoder().decode(parts[1]),
        java.nio.charset.StandardCharsets.UTF_8));
  }

  /** Fails with {@link AuthFailure}. */
  public Future<Claims> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(new AuthFailure("unauthorized", "no token given"));
    }
    if (cfg.anonKeys().contains(token)) return Future.succeededFuture(new Claims(null, "anon", 0));
    return jwt.authenticate(new TokenCredentials(token))
        .recover(e -> Future.failedFuture(new AuthFailure("unauthorized", "token rejected: " + e.getMessage())))
        .compose(user -> {
          // Vert.x 5 keeps only some claims in the principal; the signature is verified, so read the payload itself.
          JsonObject p = payload(token);
          long now = System.currentTimeMillis() / 1000;
          long exp = p.getLong("exp", 0L);
          if (exp != 0 && exp + cfg.leewaySeconds() < now) {
            return Future.failedFuture(new AuthFailure("token_expired", "token expired at " + exp));
          }
          long nbf = p.getLong("nbf", 0L);
          if (nbf != 0 && nbf - cfg.leewaySeconds() > now) {
            return Future.failedFuture(new AuthFailure("unauthorized", "token not valid before " + nbf));
          }
          String role = p.getString("role", "authenticated");
          String sub = p.getString("sub");
          if ("anon".equals(role) || "service_role".equals(role)) {
            return Future.succeededFuture(new Claims(null, role, exp));
          }
          try {
            return Future.succeededFuture(new Claims(UUID.fromString(sub), role, exp));
          } catch (RuntimeException bad) {
            return Future.failedFuture(new AuthFailure("unauthorized", "token subject is not a user id: " + sub));
          }
        });
  }
}
