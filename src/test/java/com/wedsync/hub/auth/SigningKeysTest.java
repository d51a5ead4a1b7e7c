package com.wedsync.hub.auth;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** RS256 tokens verified with a configured PEM public key, and with keys fetched from a JWKS URL. */
class SigningKeysTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");

  private static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END " + type + "-----\n";
  }

  /** An identity provider's signer: RS256 with the private key, a kid when given. */
  private static String rs256(Vertx vertx, KeyPair keys, String kid, UUID user, long ttl) {
    PubSecKeyOptions key = new PubSecKeyOptions().setAlgorithm("RS256")
        .setBuffer(pem("PRIVATE KEY", keys.getPrivate().getEncoded()));
    if (kid != null) key.setId(kid);
    JWTAuth signer = JWTAuth.create(vertx, new JWTAuthOptions().addPubSecKey(key));
    long now = System.currentTimeMillis() / 1000;
    JWTOptions options = new JWTOptions().setAlgorithm("RS256").setNoTimestamp(true);
    if (kid != null) options.setHeader(new JsonObject().put("kid", kid));
    return signer.generateToken(new JsonObject().put("sub", user.toString()).put("role", "authenticated")
        .put("exp", now + ttl), options);
  }

  @Test
  void rs256TokensAreVerifiedWithTheConfiguredPublicKey() throws Exception {
    KeyPair keys = rsa();
    Path pub = Files.createTempFile("hub-rs256", ".pem");
    Files.writeString(pub, pem("PUBLIC KEY", keys.getPublic().getEncoded()));
    try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_AUTH_RS256_PUBLIC_KEY_FILE", pub.toString()))) {
      String good = rs256(hub.client, keys, null, EMMA, 600);
      var me = hub.request(HttpMethod.GET, "/api/v1/me", good, null);
      assertEquals(200, me.status(), me.body());
      try (WsClient c = hub.connect(good)) {
        assertEquals("ok", c.join("realtime:user:" + EMMA).getString("status"));
      }
      String forged = rs256(hub.client, rsa(), null, EMMA, 600);
      assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/me", forged, null).status(), "another key's signature");
      assertThrows(WsClient.ConnectFailed.class, () -> hub.connect(forged));
      assertEquals("token_expired", hub.request(HttpMethod.GET, "/api/v1/me", rs256(hub.client, keys, null, EMMA, -60),
          null).json().getJsonObject("error").getString("code"));
    }
  }

  @Test
  void keysFromAJwksUrlAreUsed() throws Exception {
    KeyPair keys = rsa();
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    JsonObject jwk = new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", "k1")
        .put("n", b64url(pub.getModulus())).put("e", b64url(pub.getPublicExponent()));
    Vertx idp = Vertx.vertx();
    HttpServer server = idp.createHttpServer().requestHandler(req -> req.response()
            .putHeader("content-type", "application/json")
            .end(new JsonObject().put("keys", new JsonArray().add(jwk)).encode()))
        .listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_AUTH_JWKS_URL",
        "http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json"))) {
      String token = rs256(hub.client, keys, "k1", EMMA, 600);
      var me = hub.request(HttpMethod.GET, "/api/v1/me", token, null);
      assertEquals(200, me.status(), me.body());
      assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/me", rs256(hub.client, rsa(), "k1", EMMA, 600), null)
          .status());
    } finally {
      idp.close();
    }
  }

  @Test
  void aNewKeyIdMakesTheHubFetchTheJwksAgain() throws Exception {
    KeyPair first = rsa();
    KeyPair rotated = rsa();
    java.util.concurrent.atomic.AtomicReference<JsonArray> served =
        new java.util.concurrent.atomic.AtomicReference<>(new JsonArray().add(jwk(first, "k1")));
    java.util.concurrent.atomic.AtomicInteger fetches = new java.util.concurrent.atomic.AtomicInteger();
    Vertx idp = Vertx.vertx();
    HttpServer server = idp.createHttpServer().requestHandler(req -> {
      fetches.incrementAndGet();
      req.response().putHeader("content-type", "application/json")
          .end(new JsonObject().put("keys", served.get()).encode());
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
    try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_AUTH_JWKS_URL",
        "http://127.0.0.1:" + server.actualPort() + "/.well-known/jwks.json"))) {
      assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/me", rs256(hub.client, first, "k1", EMMA, 600), null)
          .status());
      int before = fetches.get();
      // The provider rotates its key: a token with the new key id is accepted without a restart.
      served.set(new JsonArray().add(jwk(first, "k1")).add(jwk(rotated, "k2")));
      var me = hub.request(HttpMethod.GET, "/api/v1/me", rs256(hub.client, rotated, "k2", EMMA, 600), null);
      assertEquals(200, me.status(), me.body());
      assertEquals(before + 1, fetches.get(), "one fetch for the new key id");
      // Made-up key ids do not hammer the provider: at most one refetch per 30 s.
      for (int i = 0; i < 5; i++) {
        assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/me", rs256(hub.client, rsa(), "made-up-" + i, EMMA,
            600), null).status());
      }
      assertEquals(before + 1, fetches.get(), "rate limited");
    } finally {
      idp.close();
    }
  }

  private static JsonObject jwk(KeyPair keys, String kid) {
    RSAPublicKey pub = (RSAPublicKey) keys.getPublic();
    return new JsonObject().put("kty", "RSA").put("alg", "RS256").put("use", "sig").put("kid", kid)
        .put("n", b64url(pub.getModulus())).put("e", b64url(pub.getPublicExponent()));
  }

  private static String b64url(BigInteger n) {
    byte[] bytes = n.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) bytes = java.util.Arrays.copyOfRange(bytes, 1, bytes.length);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
