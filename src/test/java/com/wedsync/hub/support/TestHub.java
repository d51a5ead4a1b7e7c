package com.wedsync.hub.support;

import com.wedsync.hub.Hub;
import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real hub for a test: started in-process on a free port against the suite's PostgreSQL (demo data loaded), with a
 * client-side Vert.x for sockets and HTTP. Close it to stop both.
 */
public final class TestHub implements AutoCloseable {
  private static final AtomicInteger NODES = new AtomicInteger();

  public final Hub hub;
  public final Vertx client = Vertx.vertx();
  public final DevTokens tokens;
  private final java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();

  private TestHub(Hub hub) {
    this.hub = hub;
    this.tokens = new DevTokens(client, hub.config().auth().hs256Secret());
  }

  public static TestHub start() {
    return start(Map.of());
  }

  /**
   * Settings for editing tests: the given write-behind interval, and no per-user write rate limit (the tests send
   * bursts one user would not).
   */
  public static Map<String, String> editing(String saveIntervalMs) {
    return Map.of("WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", saveIntervalMs, "WEDSYNC_HUB_SOCKET_RATE_BURST", "100000",
        "WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "100000");
  }

  /** A node in cluster mode on {@code redis} (sharing the test PostgreSQL), with more overrides. */
  public static TestHub clusterNode(TestRedis redis, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>(overrides);
    env.put("WEDSYNC_HUB_CLUSTER_MODE", "cluster");
    env.put("WEDSYNC_HUB_CLUSTER_REDIS_URL", redis.url());
    return start(env);
  }

  /** @param overrides environment-style overrides, e.g. {@code WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION=5} */
  public static TestHub start(Map<String, String> overrides) {
    TestPostgres.get();
    Map<String, String> env = new HashMap<>();
    env.put("WEDSYNC_HUB_DATABASE_MODE", "external");
    env.put("WEDSYNC_HUB_DATABASE_URL", TestPostgres.url());
    env.put("WEDSYNC_HUB_HTTP_PORT", "0");
    env.put("WEDSYNC_HUB_LOG_FORMAT", "text");
    env.put("WEDSYNC_HUB_NODE_ID", "test-" + NODES.incrementAndGet());
    env.put("WEDSYNC_HUB_FORMS_SPILL_DIR", tempDir("spill-").toString());
    // Every test client comes from 127.0.0.1 and many open sockets in bursts: the per-address and per-user connection
    // limits are tested on their own (security.LimitsTest), not in every test.
    env.put("WEDSYNC_HUB_SOCKET_MAX_CONNECTIONS_PER_IP", "1000000");
    env.put("WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_IP", "1000000");
    env.put("WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_IP", "1000000");
    env.put("WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_USER", "1000000");
    env.put("WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_USER", "1000000");
    env.putAll(FEED_OFF_UNLESS_NAMED.apply(overrides));
    override(env, overrides);
    try {
      Hub hub = Hub.start(HubConfig.load(env)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
      return new TestHub(hub);
    } catch (Exception e) {
      throw new IllegalStateException("hub did not start: " + e.getMessage(), e);
    }
  }

  /**
   * The change feed reads a logical replication slot of the shared test database, which keeps WAL for as long as it
   * exists: only a test that names its own slot ({@code WEDSYNC_HUB_POSTGRES_CHANGES_SLOT}, dropped when it is done)
   * turns the feed on; every other hub runs without it, as it did before any table was published by default.
   */
  public static final java.util.function.Function<Map<String, String>, Map<String, String>> FEED_OFF_UNLESS_NAMED =
      overrides -> overrides.containsKey("WEDSYNC_HUB_POSTGRES_CHANGES_SLOT")
          || overrides.containsKey("HUB_POSTGRES_CHANGES_SLOT") ? Map.of()
          : Map.of("WEDSYNC_HUB_POSTGRES_CHANGES_ENABLED", "false");

  /**
   * Puts a test's overrides over the defaults. An override in the older {@code HUB_} spelling replaces the default
   * too (the hub lets a {@code WEDSYNC_HUB_} variable win over its {@code HUB_} twin).
   */
  static void override(Map<String, String> env, Map<String, String> overrides) {
    overrides.keySet().forEach(k -> {
      if (k.startsWith("HUB_")) env.remove("WEDSYNC_" + k);
    });
    env.putAll(overrides);
  }

  static java.nio.file.Path tempDir(String prefix) {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory(prefix);
      dir.toFile().deleteOnExit();
      return dir;
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  public String wsUrl(String token) {
    return wsUrl(token, "2.0.0");
  }

  public String wsUrl(String token, String vsn) {
    return "ws://127.0.0.1:" + hub.port() + "/realtime/v1/websocket?vsn=" + vsn
        + (token == null ? "" : "&apikey=" + token);
  }

  public String token(UUID user) {
    return tokens.user(user, 3600);
  }

  public WsClient connect(UUID user) {
    return WsClient.connect(client, wsUrl(token(user)));
  }

  public WsClient connect(String token) {
    return WsClient.connect(client, wsUrl(token));
  }

  /** A blocking HTTP call with the JDK's client (independent of the Vert.x code under test); status and body. */
  public HttpResult request(HttpMethod method, String path, String token, JsonObject body) {
    var builder = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + hub.port() + path))
        .timeout(java.time.Duration.ofSeconds(10))
        .method(method.name(), body == null ? java.net.http.HttpRequest.BodyPublishers.noBody()
            : java.net.http.HttpRequest.BodyPublishers.ofString(body.encode()));
    if (body != null) builder.header("content-type", "application/json");
    if (token != null) builder.header("Authorization", "Bearer " + token);
    try {
      var resp = http.send(builder.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      return new HttpResult(resp.statusCode(), resp.body());
    } catch (Exception e) {
      throw new IllegalStateException(method + " " + path + " failed: " + e, e);
    }
  }

  public record HttpResult(int status, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }
  }

  @Override
  public void close() {
    try {
      hub.stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("hub did not stop: " + e.getMessage(), e);
    } finally {
      client.close();
    }
  }
}
