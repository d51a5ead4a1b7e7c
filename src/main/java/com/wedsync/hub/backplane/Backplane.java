package com.wedsync.hub.backplane;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.LocalBus;
import com.wedsync.hub.bus.RedisBus;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.cluster.NodeLiveness;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.external.ChangeClaims;
import com.wedsync.hub.external.LocalChangeClaims;
import com.wedsync.hub.external.RedisChangeClaims;
import com.wedsync.hub.form.FieldStore;
import com.wedsync.hub.form.FormRepository;
import com.wedsync.hub.form.LocalFieldStore;
import com.wedsync.hub.form.LocalLockStore;
import com.wedsync.hub.form.LocalSaveBuffer;
import com.wedsync.hub.form.LockStore;
import com.wedsync.hub.form.RedisFieldStore;
import com.wedsync.hub.form.RedisLockStore;
import com.wedsync.hub.form.RedisSaveBuffer;
import com.wedsync.hub.form.SaveBuffer;
import com.wedsync.hub.form.SaveSpill;
import com.wedsync.hub.form.SplittingWriter;
import com.wedsync.hub.history.History;
import com.wedsync.hub.history.LocalHistory;
import com.wedsync.hub.history.RedisHistory;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.presence.LocalPresenceStore;
import com.wedsync.hub.presence.PresenceStore;
import com.wedsync.hub.presence.RedisPresenceStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shared state of the hub behind its ports, as one thing: the bus every channel message takes, history, presence,
 * field locks, the hot field values, the write-behind save buffer, the claims on changes made outside the hub, and
 * the relay that carries a request to the node holding its state.
 * {@link #inProcess} keeps it all in this JVM (one node); {@link #redis} keeps it in Redis, so any number of nodes
 * share it. The features only ever see the ports; a third backplane would be one more factory here.
 */
public final class Backplane {
  /** What the backplanes build on: the record and the node's own parts, made before any state is shared. */
  public record Needs(Vertx vertx, HubConfig config, FormRepository forms, SplittingWriter saveWriter,
                      SaveSpill spill, HubMetrics metrics) {}

  private final Bus bus;
  private final History history;
  private final Publisher publisher;
  private final PresenceStore presence;
  private final LockStore locks;
  private final FieldStore fields;
  private final SaveBuffer saves;
  private final ChangeClaims claims;
  private final NodeRelay relay;
  private final Lifecycle lifecycle;
  private final Map<String, Supplier<Future<?>>> readiness;
  private final Function<String, Lease> leases;

  /** Starting and stopping what the backplane runs beside its ports (connections, heartbeats, the save timer). */
  private interface Lifecycle {
    Future<Void> start(Function<String, Future<?>> onNodeDead);

    Future<Void> stop();
  }

  private Backplane(Bus bus, History history, Publisher publisher, PresenceStore presence, LockStore locks,
                    FieldStore fields, SaveBuffer saves, ChangeClaims claims, NodeRelay relay, Lifecycle lifecycle,
                    Map<String, Supplier<Future<?>>> readiness, Function<String, Lease> leases) {
    this.bus = bus;
    this.history = history;
    this.publisher = publisher;
    this.presence = presence;
    this.locks = locks;
    this.fields = fields;
    this.saves = saves;
    this.claims = claims;
    this.relay = relay;
    this.lifecycle = lifecycle;
    this.readiness = readiness;
    this.leases = leases;
  }

  /**
   * One node: the Vert.x event bus, history in memory, the save buffer in memory (spilled to disk if a shutdown cannot
   * write it). What was spilled at the last shutdown is written when it starts, before any form is loaded.
   */
  public static Backplane inProcess(Needs n) {
    var cfg = n.config();
    LocalBus bus = new LocalBus(n.vertx());
    LocalHistory history = new LocalHistory(bus, cfg.history());
    Publisher publisher = new Publisher(bus, history);
    SaveBuffer saves = new LocalSaveBuffer(n.vertx(), n.saveWriter(), n.spill(), publisher, n.metrics(),
        cfg.forms().saveIntervalMs(), cfg.forms().saveRetryMaxMs());
    FieldStore fields = new LocalFieldStore(n.forms(), cfg.forms().textOpsKept(), publisher, saves);
    Lifecycle lifecycle = new Lifecycle() {
      public Future<Void> start(Function<String, Future<?>> onNodeDead) {
        history.start(n.vertx());
        return n.spill().replay(n.saveWriter()).<Void>mapEmpty().onSuccess(v -> saves.start());
      }

      public Future<Void> stop() {
        return Future.succeededFuture();
      }
    };
    return new Backplane(bus, history, publisher, new LocalPresenceStore(), new LocalLockStore(), fields, saves,
        new LocalChangeClaims(), new LocalNodeRelay(n.vertx(), cfg.nodeId()), lifecycle, Map.of(),
        name -> new LocalLease());
  }

  /**
   * Many nodes on one Redis: pub/sub between nodes' buses, history as streams, presences with node TTLs, leased locks,
   * field values compared-and-set by Lua, pending saves in lists any node can write. A dead node is noticed by its
   * silence and cleaned up after by one survivor.
   */
  public static Backplane redis(Needs n) {
    var cfg = n.config();
    var cluster = cfg.cluster();
    RedisBus bus = new RedisBus(new LocalBus(n.vertx()), cfg.nodeId());
    RedisNodeRelay relay = new RedisNodeRelay(cfg.nodeId());
    java.util.function.BiConsumer<String, String> received = (channel, payload) -> {
      if (!relay.received(channel, payload)) bus.received(channel, payload);
    };
    RedisConnections redis = cluster.redisCluster()
        ? new RedisConnections(n.vertx(), cluster.redisNodes(), cluster.redisPoolSize(), cluster.redisWaitReplicas(),
            cfg.nodeId(), received)
        : new RedisConnections(n.vertx(), cluster.redisUrl(), cluster.redisPoolSize(), cluster.sharded(), cfg.nodeId(),
            received);
    bus.attach(redis);
    relay.attach(redis);
    RedisHistory history = new RedisHistory(redis, cfg.history(), cluster.sharded());
    Publisher publisher = new Publisher(bus, history);
    RedisPresenceStore presence = new RedisPresenceStore(redis, cfg.nodeId(), cluster.presenceTtlMs());
    SaveBuffer saves = new RedisSaveBuffer(n.vertx(), redis, n.saveWriter(), publisher, n.metrics(), cfg.nodeId(),
        cluster.nodeTtlMs(), cfg.forms().saveIntervalMs(), cfg.forms().saveRetryMaxMs());
    FieldStore fields = new RedisFieldStore(redis, n.forms(), cfg.forms().textOpsKept(), history);
    Lifecycle lifecycle = new Lifecycle() {
      NodeLiveness liveness;

      public Future<Void> start(Function<String, Future<?>> onNodeDead) {
        liveness = new NodeLiveness(redis, cfg.nodeId(), cluster.nodeTtlMs(), onNodeDead);
        return redis.start().onSuccess(v -> {
          presence.start(n.vertx());
          liveness.start(n.vertx());
          saves.start();
        });
      }

      public Future<Void> stop() {
        return (liveness == null ? Future.<Void>succeededFuture() : liveness.stop(n.vertx()))
            .transform(ar -> redis.close());
      }
    };
    Map<String, Supplier<Future<?>>> readiness = new LinkedHashMap<>();
    readiness.put("redis", redis::ping);
    return new Backplane(bus, history, publisher, presence, new RedisLockStore(redis), fields, saves,
        new RedisChangeClaims(redis, cfg.nodeId()), relay, lifecycle, readiness,
        name -> new RedisLease(redis, name, cfg.nodeId(), cluster.nodeTtlMs()));
  }

  /** The backplane the configuration asks for. */
  public static Backplane of(Needs n) {
    return n.config().cluster().clustered() ? redis(n) : inProcess(n);
  }

  /**
   * Connects and starts what runs beside the ports.
   *
   * @param onNodeDead what a survivor does when another node has died (remove its presences)
   */
  public Future<Void> start(Function<String, Future<?>> onNodeDead) {
    return lifecycle.start(onNodeDead);
  }

  /** After the save buffer has drained: stops heartbeats and closes connections. */
  public Future<Void> stop() {
    return lifecycle.stop();
  }

  public Bus bus() { return bus; }
  public History history() { return history; }
  public Publisher publisher() { return publisher; }
  public PresenceStore presence() { return presence; }
  public LockStore locks() { return locks; }
  public FieldStore fields() { return fields; }
  public SaveBuffer saves() { return saves; }
  public ChangeClaims claims() { return claims; }
  public NodeRelay relay() { return relay; }

  /** The lease named {@code name}: always held on one node; in a cluster, by one node at a time. */
  public Lease lease(String name) {
    return leases.apply(name);
  }

  /** What {@code /ready} checks besides PostgreSQL (Redis, for the Redis backplane). */
  public Map<String, Supplier<Future<?>>> readiness() {
    return readiness;
  }
}
