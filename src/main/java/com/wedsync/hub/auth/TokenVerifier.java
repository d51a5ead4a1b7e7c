package com.wedsync.hub.auth;

import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Verifies bearer tokens: HS256 with the configured secret, RS256 with a PEM public key, and keys from a JWKS URL
 * (fetched at start, every ten minutes, and — rate limited — when a token names a key id not seen yet, as an identity
 * provider rotating its keys does). The library checks the signature; the claims are checked here, with their types,
 * so the caller learns <em>why</em> a token failed ({@code token_expired} vs {@code unauthorized}) and no claim of
 * an unexpected shape can throw past this class: every failure is an {@link AuthFailure}.
 *
 * <p>Rules: {@code exp} is required (a token that never expires cannot be revoked by time), and a token may not live
 * longer than {@code auth.maxTokenLifetimeSeconds}; {@code iss} and {@code aud} are checked when configured.
 */
public final class TokenVerifier {
  private static final Logger log = LoggerFactory.getLogger(TokenVerifier.class);
  private static final long JWKS_REFRESH_MS = 10 * 60 * 1000;
  /** An unknown key id refetches the JWKS at most this often: tokens with made-up ids cannot hammer the provider. */
  static final long JWKS_UNKNOWN_KID_MIN_INTERVAL_MS = 30_000;

  private final Vertx vertx;
  private final HubConfig.Auth cfg;
  private volatile JWTAuth jwt;
  private volatile Set<String> knownKids = Set.of();
  private volatile long lastKidRefetch;
  private volatile Future<Void> refetching;

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
          java.util.Set<String> kids = new java.util.HashSet<>();
          body.toJsonObject().getJsonArray("keys").forEach(k -> {
            keys.add((JsonObject) k);
            if (((JsonObject) k).getValue("kid") instanceof String kid) kids.add(kid);
          });
          jwt = JWTAuth.create(vertx, options(keys));
          knownKids = Set.copyOf(kids);
          log.info("loaded {} key(s) from JWKS {}", keys.size(), cfg.jwksUrl());
          return (Void) null;
        })
        .onFailure(e -> log.warn("JWKS refresh from {} failed: {}", cfg.jwksUrl(), e.getMessage()))
        .eventually(client::close);
  }

  /** Fails with {@link AuthFailure}, whatever the token holds. */
  public Future<Claims> verify(String token) {
    try {
      if (token == null || token.isBlank()) {
        return Future.failedFuture(new AuthFailure("unauthorized", "no token given"));
      }
      if (cfg.anonKeys().contains(token)) return Future.succeededFuture(new Claims(null, "anon", 0, 0));
      if (token.length() > 16_384) return Future.failedFuture(unauthorized("token longer than 16384 characters"));
      String[] parts = token.split("\\.", -1);
      if (parts.length != 3) return Future.failedFuture(unauthorized("not a JWT (header.payload.signature)"));
      JsonObject header = section(parts[0], "header");
      JsonObject payload = section(parts[1], "payload");
      return keysFor(header).compose(v -> signatureChecked(token)).compose(ok -> claims(payload));
    } catch (AuthFailure e) {
      return Future.failedFuture(e);
    } catch (RuntimeException e) {
      return Future.failedFuture(unauthorized("token is malformed: " + e.getClass().getSimpleName()));
    }
  }

  private Future<Void> signatureChecked(String token) {
    Future<?> checked;
    try {
      checked = jwt.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) { // a library that throws instead of failing must not leave the caller hanging
      checked = Future.failedFuture(e);
    }
    return checked.<Void>mapEmpty()
        .recover(e -> Future.failedFuture(unauthorized("token rejected: " + e.getMessage())));
  }

  /**
   * A token signed with a key id the JWKS did not have when last fetched: fetch it again once (an identity provider
   * rotated its keys), at most every {@link #JWKS_UNKNOWN_KID_MIN_INTERVAL_MS}.
   */
  private Future<Void> keysFor(JsonObject header) {
    if (cfg.jwksUrl().isEmpty() || !(header.getValue("kid") instanceof String kid) || knownKids.contains(kid)) {
      return Future.succeededFuture();
    }
    Future<Void> inFlight = refetching;
    if (inFlight != null) return inFlight.recover(e -> Future.succeededFuture());
    long now = System.currentTimeMillis();
    if (now - lastKidRefetch < JWKS_UNKNOWN_KID_MIN_INTERVAL_MS) return Future.succeededFuture();
    lastKidRefetch = now;
    log.info("token signed with unknown key id {}: fetching the JWKS again", kid);
    Future<Void> f = refreshJwks();
    refetching = f;
    return f.eventually(() -> {
      refetching = null;
      return Future.succeededFuture();
    }).recover(e -> Future.succeededFuture());
  }

  private Future<Claims> claims(JsonObject p) {
    long now = System.currentTimeMillis() / 1000;
    Long exp = epochSeconds(p, "exp");
    if (exp == null) throw unauthorized("token has no exp: tokens must expire");
    Long iat = epochSeconds(p, "iat");
    Long nbf = epochSeconds(p, "nbf");
    if (exp + cfg.leewaySeconds() < now) {
      return Future.failedFuture(new AuthFailure("token_expired", "token expired at " + exp));
    }
    if (nbf != null && nbf - cfg.leewaySeconds() > now) throw unauthorized("token not valid before " + nbf);
    long lifetime = exp - (iat != null ? iat : now);
    if (lifetime > cfg.maxTokenLifetimeSeconds()) {
      throw unauthorized("token lives " + lifetime + " s, longer than the " + cfg.maxTokenLifetimeSeconds()
          + " s allowed");
    }
    if (!cfg.issuer().isEmpty() && !cfg.issuer().equals(p.getValue("iss"))) {
      throw unauthorized("token issuer is not " + cfg.issuer());
    }
    if (!cfg.audience().isEmpty() && !audienceMatches(p.getValue("aud"))) {
      throw unauthorized("token audience does not include " + cfg.audience());
    }
    long issued = iat != null ? iat : exp - cfg.maxTokenLifetimeSeconds();
    Object roleClaim = p.getValue("role", "authenticated");
    if (!(roleClaim instanceof String role)) throw unauthorized("token role must be a string");
    if ("anon".equals(role) || "service_role".equals(role)) return Future.succeededFuture(new Claims(null, role, exp, issued));
    if (!(p.getValue("sub") instanceof String sub)) throw unauthorized("token subject must be a user id string");
    try {
      return Future.succeededFuture(new Claims(UUID.fromString(sub), role, exp, issued));
    } catch (IllegalArgumentException bad) {
      throw unauthorized("token subject is not a user id: " + sub);
    }
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) return s.equals(cfg.audience());
    if (aud instanceof JsonArray a) return a.contains(cfg.audience());
    return false;
  }

  /** A NumericDate claim: absent (null), or a whole number of seconds; anything else refuses the token. */
  private static Long epochSeconds(JsonObject p, String claim) {
    Object v = p.getValue(claim);
    if (v == null) return null;
    if (v instanceof Number n && !(v instanceof Double d && (d.isNaN() || d.isInfinite()))
        && n.doubleValue() == Math.rint(n.doubleValue()) && Math.abs(n.doubleValue()) < 1e15) {
      return n.longValue();
    }
    throw unauthorized(claim + " must be a number of seconds, got " + (v instanceof String ? "a string"
        : v.getClass().getSimpleName()));
  }

  private static JsonObject section(String base64url, String what) {
    try {
      return new JsonObject(new String(Base64.getUrlDecoder().decode(base64url), StandardCharsets.UTF_8));
    } catch (RuntimeException e) {
      throw unauthorized("token " + what + " is not base64url JSON");
    }
  }

  private static AuthFailure unauthorized(String message) {
    return new AuthFailure("unauthorized", message);
  }
}
