package com.wedsync.hub.support;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.LocalBus;
import com.wedsync.hub.bus.RedisBus;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.history.History;
import com.wedsync.hub.history.LocalHistory;
import com.wedsync.hub.history.RedisHistory;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Hub "nodes" for the port contract tests: each its own Vert.x with a bus, and for the Redis adapters a started
 * {@link RedisConnections} on the class's real Redis. Registered as an extension
 * ({@code @RegisterExtension static final TestNodes nodes = new TestNodes();}): nodes are closed after each test, Redis
 * after the class.
 */
public final class TestNodes implements AutoCloseable, org.junit.jupiter.api.extension.BeforeAllCallback,
    org.junit.jupiter.api.extension.AfterEachCallback, org.junit.jupiter.api.extension.AfterAllCallback {
  private TestRedis redis;

  @Override
  public void beforeAll(org.junit.jupiter.api.extension.ExtensionContext context) {
    redis = TestRedis.start();
    TestPostgres.get();
  }

  @Override
  public void afterEach(org.junit.jupiter.api.extension.ExtensionContext context) {
    closeNodes();
  }

  @Override
  public void afterAll(org.junit.jupiter.api.extension.ExtensionContext context) {
    close();
  }
  private final List<Vertx> vertxes = new ArrayList<>();
  private final List<RedisConnections> connections = new ArrayList<>();
  private final List<Pool> pools = new ArrayList<>();

  /** @param redisConnections null for an in-process node */
  public record Node(Vertx vertx, LocalBus local, Bus bus, RedisConnections redisConnections) {}

  public Node node(String adapter, String id) {
    Vertx vertx = Vertx.vertx();
    vertxes.add(vertx);
    LocalBus local = new LocalBus(vertx);
    if (adapter.equals("local")) return new Node(vertx, local, local, null);
    RedisBus bus = new RedisBus(local, id);
    RedisConnections c = new RedisConnections(vertx, redis.url(), 4, false, id, bus::received);
    connections.add(c);
    await(c.start());
    bus.attach(c);
    return new Node(vertx, local, bus, c);
  }

  /** The default retention of conf/hub.json. */
  public static final HubConfig.History RETENTION = new HubConfig.History(300, 600_000, 86_400_000);

  /** The node's {@link History}: in-process for a local node, in its Redis for a Redis node. */
  public History history(Node node, HubConfig.History retention) {
    return node.redisConnections() == null ? new LocalHistory(node.bus(), retention)
        : new RedisHistory(node.redisConnections(), retention, false);
  }

  public History history(Node node) {
    return history(node, RETENTION);
  }

  /** A pool on the suite's PostgreSQL, closed with the nodes. */
  public Pool pool(Vertx vertx) {
    var pg = TestPostgres.get();
    Pool pool = PgBuilder.pool().connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
        .setDatabase("postgres").setUser("postgres").setPassword("postgres")).using(vertx).build();
    pools.add(pool);
    return pool;
  }

  /** Stops one node's Redis connection and Vert.x, as if the node went away. */
  public void stop(Node node) {
    if (node.redisConnections() != null) {
      await(node.redisConnections().close());
      connections.remove(node.redisConnections());
    }
    await(node.vertx().close());
    vertxes.remove(node.vertx());
  }

  public void closeNodes() {
    pools.forEach(p -> await(p.close()));
    connections.forEach(c -> await(c.close()));
    vertxes.forEach(v -> await(v.close()));
    pools.clear();
    connections.clear();
    vertxes.clear();
  }

  public static <T> T await(Future<T> f) {
    try {
      return f.toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    closeNodes();
    redis.close();
  }
}
