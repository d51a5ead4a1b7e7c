package com.wedsync.hub.auth;

import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;

import java.util.UUID;

/**
 * Mints HS256 tokens with the development secret: for the start-up banner, the tests, and
 * {@code scripts/mint-token USER_ID|service [TTL_SECONDS]}.
 */
public final class DevTokens {
  private final JWTAuth jwt;

  public DevTokens(Vertx vertx, String secret) {
    this.jwt = JWTAuth.create(vertx, new JWTAuthOptions()
        .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret)));
  }

  public String user(UUID userId, long ttlSeconds) {
    return mint(new JsonObject().put("sub", userId.toString()).put("role", "authenticated"), ttlSeconds);
  }

  public String service(long ttlSeconds) {
    return mint(new JsonObject().put("sub", "service").put("role", "service_role"), ttlSeconds);
  }

  /** A token whose lifetime is {@code ttlSeconds} from now; negative values give an already expired token. */
  public String mint(JsonObject claims, long ttlSeconds) {
    long now = System.currentTimeMillis() / 1000;
    JsonObject c = claims.copy().put("iat", now).put("exp", now + ttlSeconds);
    return jwt.generateToken(c, new JWTOptions().setAlgorithm("HS256").setNoTimestamp(true));
  }

  public static void main(String[] args) {
    if (args.length < 1) {
      System.err.println("usage: mint-token USER_ID|service [TTL_SECONDS (default 86400)]");
      System.exit(2);
    }
    long ttl = args.length > 1 ? Long.parseLong(args[1]) : 86_400;
    HubConfig cfg = HubConfig.load();
    Vertx vertx = Vertx.vertx();
    try {
      DevTokens tokens = new DevTokens(vertx, cfg.auth().hs256Secret());
      System.out.println("service".equals(args[0]) ? tokens.service(ttl) : tokens.user(UUID.fromString(args[0]), ttl));
    } finally {
      vertx.close();
    }
  }
}
