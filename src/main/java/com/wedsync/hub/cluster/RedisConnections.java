package com.wedsync.hub.cluster;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiConsumer;

/**
 * The node's one way to Redis: a pool for commands and scripts, and a dedicated subscriber connection for pub/sub.
 * The subscriber reconnects by itself with backoff and resubscribes every channel; a probe message sent through the
 * pool every two seconds must come back through the subscription, so a silently dead subscription is noticed too.
 * After every reconnection the listeners are told, so state kept in Redis (presence, locks) can be resynchronised.
 *
 * <p>On a Redis Cluster ({@link #cluster}) the pool is Vert.x's cluster client (each command goes to the master of its
 * keys' hash slot, following MOVED/ASK), pub/sub is sharded and runs through {@link ShardedSubscriber} (one subscriber
 * connection per master), a pipelined batch becomes commands sent one after the other (their keys may live on
 * different masters), a scan visits every master, and writes sent with {@link #sendReplicated} are answered only once
 * {@code WAIT} reports that many replicas have them.
 */
public final class RedisConnections {
  private static final Logger log = LoggerFactory.getLogger(RedisConnections.class);
  private static final long PROBE_EVERY_MS = 2000;
  private static final long PROBE_DEADLINE_MS = 4000;
  private static final long SUBSCRIBE_BATCH_MS = 2;
  private static final long SUBSCRIBE_DEADLINE_MS = 5000;

  /** How long a replicated write waits for its replicas before it is reported as failed. */
  static final long REPLICA_WAIT_MS = 1000;

  private final Vertx vertx;
  private final Redis pool;
  private final Redis subscriberClient;
  private final boolean sharded;
  /** Set on a Redis Cluster: the per-master subscriber (the single subscriber connection is unused). */
  private final ShardedSubscriber shards;
  private final int waitReplicas;
  private final java.util.Map<String, Redis> nodeClients = new java.util.concurrent.ConcurrentHashMap<>();
  /** Connections per master of the direct pools (replicated writes go through them, with their WAIT). */
  private final int nodePoolSize;
  private final String probeChannel;
  private final BiConsumer<String, String> onMessage;
  private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
  private final Set<String> channels = new HashSet<>();
  private final Set<String> toSubscribe = new HashSet<>();
  private final Set<String> toUnsubscribe = new HashSet<>();
  /** Channels asked for whose SUBSCRIBE Redis has not confirmed yet, with who waits for it. */
  private final java.util.Map<String, io.vertx.core.Promise<Void>> unconfirmed = new java.util.HashMap<>();
  private RedisConnection subscriber;
  private long backoffMs = 100;
  private long lastProbeSeen = System.currentTimeMillis();
  private boolean batchScheduled;
  private volatile boolean closed;

  /**
   * @param onMessage (channel, payload) for every pub/sub message, on the Vert.x context that created this object
   */
  public RedisConnections(Vertx vertx, String url, int poolSize, boolean sharded, String nodeId,
                          BiConsumer<String, String> onMessage) {
    this.vertx = vertx;
    this.sharded = sharded;
    this.onMessage = onMessage;
    this.probeChannel = RedisKeys.probe(nodeId);
    // Named pools: their meters' pool_name (vertx_pool_*) would otherwise be a random id, new at every start.
    this.pool = Redis.createClient(vertx, new RedisOptions().setConnectionString(url).setMaxPoolSize(poolSize)
        .setMaxPoolWaiting(10_000).setPoolName("redis"));
    this.subscriberClient = Redis.createClient(vertx, new RedisOptions().setConnectionString(url)
        .setPoolName("redis-subscriber"));
    this.shards = null;
    this.waitReplicas = 0;
    this.nodePoolSize = 2;
  }

  /**
   * On a Redis Cluster.
   *
   * @param seeds        some of its nodes ({@code redis://host:port}); the rest is learnt from them
   * @param poolSize     command connections per master
   * @param waitReplicas replicas a {@link #sendReplicated} write must reach (0: answered as soon as the master has it)
   */
  public RedisConnections(Vertx vertx, List<String> seeds, int poolSize, int waitReplicas, String nodeId,
                          BiConsumer<String, String> onMessage) {
    this.vertx = vertx;
    this.sharded = true; // plain PUBLISH would be copied to every node of the cluster
    this.onMessage = onMessage;
    this.probeChannel = null;
    this.waitReplicas = waitReplicas;
    this.nodePoolSize = Math.max(2, poolSize);
    // Replicas are only failover copies here: every read goes to the master, which has every accepted write.
    this.pool = Redis.createClient(vertx, new RedisOptions().setType(io.vertx.redis.client.RedisClientType.CLUSTER)
        .setEndpoints(new ArrayList<>(seeds)).setUseReplicas(io.vertx.redis.client.RedisReplicas.NEVER)
        // No pool name here: the cluster client keeps a pool per master, and one name would make them one pool, so a
        // WAIT could go to another master than the write it confirms (RedisClusterTest's failover then fails).
        .setMaxPoolSize(poolSize).setMaxPoolWaiting(10_000));
    this.subscriberClient = null;
    this.shards = new ShardedSubscriber(vertx, seeds, this::node, nodeId, onMessage,
        () -> reconnectListeners.forEach(Runnable::run));
  }

  /** A standalone pool to one node of the cluster (topology reads, scans, probes, replicated writes). */
  private Redis node(String url) {
    return nodeClients.computeIfAbsent(url, u -> Redis.createClient(vertx, new RedisOptions().setConnectionString(u)
        .setMaxPoolSize(nodePoolSize).setMaxPoolWaiting(10_000)));
  }

  /** Whether this is a Redis Cluster. */
  public boolean cluster() {
    return shards != null;
  }

  public Future<Void> start() {
    if (shards != null) return shards.start();
    vertx.setPeriodic(PROBE_EVERY_MS, id -> probe());
    return connectSubscriber();
  }

  /** Runs after every successful reconnection of the subscriber (not after the first connection). */
  public void onReconnect(Runnable listener) {
    reconnectListeners.add(listener);
  }

  public Future<Response> send(Request request) {
    return pool.send(request);
  }

  /**
   * Sends the requests in order; fails if any of them fails. On one Redis they are pipelined on one pooled
   * connection; on a Redis Cluster each waits for the one before (their keys may be on different masters).
   */
  public Future<List<Response>> batch(List<Request> requests) {
    if (shards == null) return pool.batch(requests);
    Future<List<Response>> chain = Future.succeededFuture(new ArrayList<>());
    for (Request r : requests) {
      chain = chain.compose(done -> pool.send(r).map(answer -> {
        done.add(answer);
        return done;
      }));
    }
    return chain;
  }

  /**
   * Sends a write whose loss a client would notice (an accepted change, a granted lock) to the master of {@code key}.
   * On a Redis Cluster with replicas to wait for, it goes with a {@code WAIT} on the same connection and succeeds only
   * when that many of the master's replicas (as many as it has, up to {@code cluster.redisWaitReplicas}) have it, so
   * a failover to one of them keeps it. A write not copied in time fails: the client retries it, and the op id makes
   * a retry of a write that did happen return its first outcome. A master left without replicas (its replica took
   * over from a dead master) is not waited on: there is no copy to wait for until a replica joins it again.
   */
  public Future<Response> sendReplicated(Request write, String key) {
    if (shards == null || waitReplicas == 0) return pool.send(write);
    ClusterSlots slots = shards.slots();
    String master = slots == null ? null : slots.masterOf(key);
    if (master == null) return Future.failedFuture("the Redis Cluster topology is not known yet");
    return replicasToWaitFor(slots, key, master).compose(wait -> wait == 0 ? pool.send(write)
        // WAIT counts the replicas that have this connection's last write, so both go over one connection to the
        // key's master (the cluster client may route a keyless WAIT to any node). A stale topology answers MOVED:
        // the write fails, the client retries it, and the subscriber's topology refresh puts the next one right.
        : node(master).connect().compose(conn -> conn.batch(List.of(write,
                Request.cmd(Command.WAIT).arg(wait).arg(REPLICA_WAIT_MS)))
            .eventually(() -> conn.close()))
        .compose(r -> {
          long acked = r.get(1).toLong();
          return acked >= wait ? Future.succeededFuture(r.get(0))
              : Future.failedFuture(new IllegalStateException("the write reached " + acked + " of " + wait
                  + " replica(s) within " + REPLICA_WAIT_MS + " ms; it may not survive a failover"));
        }));
  }

  /**
   * The replicas a write to {@code master} waits for. The topology as last read says how many it has, but a read
   * from before its replicas attached (a cluster just made, a replica back after a failover) says none for up to the
   * next refresh: "none" is asked of the master itself ({@code ROLE}), so a write is never let through unwaited on a
   * stale count.
   */
  private Future<Integer> replicasToWaitFor(ClusterSlots slots, String key, String master) {
    int known = slots.replicasOf(key);
    if (known > 0) return Future.succeededFuture(Math.min(waitReplicas, known));
    return node(master).send(Request.cmd(Command.ROLE))
        .map(role -> Math.min(waitReplicas, role != null && role.size() > 2 ? role.get(2).size() : 0));
  }

  /** Every key matching {@code pattern}: one SCAN over Redis, or over every master of a Redis Cluster. */
  public Future<List<String>> scan(String pattern) {
    if (shards == null) return scan(pool, pattern, "0", new ArrayList<>());
    ClusterSlots slots = shards.slots();
    if (slots == null) return Future.failedFuture("the Redis Cluster topology is not known yet");
    List<Future<List<String>>> all = new ArrayList<>();
    for (String master : slots.masters()) all.add(scan(node(master), pattern, "0", new ArrayList<>()));
    return Future.all(all).map(v -> {
      List<String> keys = new ArrayList<>();
      for (Future<List<String>> f : all) keys.addAll(f.result());
      return keys;
    });
  }

  private static Future<List<String>> scan(Redis on, String pattern, String cursor, List<String> found) {
    return on.send(Request.cmd(Command.SCAN).arg(cursor).arg("MATCH").arg(pattern).arg("COUNT").arg(10_000))
        .compose(r -> {
          for (Response key : r.get(1)) found.add(key.toString());
          String next = r.get(0).toString();
          return next.equals("0") ? Future.succeededFuture(found) : scan(on, pattern, next, found);
        });
  }

  public Future<Response> publish(String channel, String payload) {
    return pool.send(Request.cmd(sharded ? Command.SPUBLISH : Command.PUBLISH).arg(channel).arg(payload));
  }

  /** Subscribes (batched with others asked for within a couple of milliseconds). */
  public synchronized void subscribe(String channel) {
    if (shards != null) {
      shards.subscribe(channel);
      return;
    }
    if (!channels.add(channel)) return;
    io.vertx.core.Promise<Void> waiting = io.vertx.core.Promise.promise();
    unconfirmed.put(channel, waiting);
    vertx.setTimer(SUBSCRIBE_DEADLINE_MS, id -> {
      if (waiting.tryFail("Redis did not confirm the subscription to " + channel + " within "
          + SUBSCRIBE_DEADLINE_MS + " ms")) {
        synchronized (this) {
          unconfirmed.remove(channel, waiting);
        }
      }
    });
    toUnsubscribe.remove(channel);
    toSubscribe.add(channel);
    scheduleBatch();
  }

  /**
   * Completes once messages published to {@code channel} reach this node: at once when the channel is not asked for
   * or already confirmed, else when Redis confirms its SUBSCRIBE. Fails if that takes more than a few seconds (Redis
   * away), so a caller never waits forever.
   */
  public synchronized Future<Void> whenSubscribed(String channel) {
    if (shards != null) return shards.whenSubscribed(channel);
    io.vertx.core.Promise<Void> waiting = unconfirmed.get(channel);
    return waiting == null ? Future.succeededFuture() : waiting.future();
  }

  public synchronized void unsubscribe(String channel) {
    if (shards != null) {
      shards.unsubscribe(channel);
      return;
    }
    if (!channels.remove(channel)) return;
    io.vertx.core.Promise<Void> waiting = unconfirmed.remove(channel);
    if (waiting != null) waiting.tryComplete(); // nobody is left to receive it
    toSubscribe.remove(channel);
    toUnsubscribe.add(channel);
    scheduleBatch();
  }

  private void scheduleBatch() {
    if (batchScheduled) return;
    batchScheduled = true;
    vertx.setTimer(SUBSCRIBE_BATCH_MS, id -> flushSubscriptions());
  }

  private void flushSubscriptions() {
    List<String> sub, unsub;
    RedisConnection conn;
    synchronized (this) {
      batchScheduled = false;
      sub = new ArrayList<>(toSubscribe);
      unsub = new ArrayList<>(toUnsubscribe);
      toSubscribe.clear();
      toUnsubscribe.clear();
      conn = subscriber;
    }
    if (conn == null) return; // the reconnection resubscribes everything in `channels`
    if (!sub.isEmpty()) {
      conn.send(command(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE, sub)).onSuccess(r -> confirmed(sub));
    }
    if (!unsub.isEmpty()) conn.send(command(sharded ? Command.SUNSUBSCRIBE : Command.UNSUBSCRIBE, unsub));
  }

  /** Redis answered a SUBSCRIBE of {@code subscribed}: whoever waited for those channels may go on. */
  private void confirmed(List<String> subscribed) {
    List<io.vertx.core.Promise<Void>> ready = new ArrayList<>();
    synchronized (this) {
      for (String channel : subscribed) {
        io.vertx.core.Promise<Void> waiting = unconfirmed.remove(channel);
        if (waiting != null) ready.add(waiting);
      }
    }
    ready.forEach(io.vertx.core.Promise::tryComplete);
  }

  private static Request command(Command cmd, List<String> args) {
    Request r = Request.cmd(cmd);
    args.forEach(r::arg);
    return r;
  }

  private Future<Void> connectSubscriber() {
    return subscriberClient.connect().compose(conn -> {
      conn.handler(this::onPush);
      conn.exceptionHandler(e -> lost(conn, e.getMessage()));
      conn.endHandler(v -> lost(conn, "connection closed"));
      List<String> all;
      synchronized (this) {
        subscriber = conn;
        all = new ArrayList<>(channels);
        toSubscribe.clear();
      }
      // The probe channel is always plain pub/sub: it checks this connection, not a shard.
      Future<Response> probeSub = conn.send(Request.cmd(Command.SUBSCRIBE).arg(probeChannel));
      Future<?> rest = all.isEmpty() ? Future.succeededFuture()
          : conn.send(command(sharded ? Command.SSUBSCRIBE : Command.SUBSCRIBE, all));
      return Future.all(probeSub, rest).<Void>mapEmpty().onSuccess(v -> {
        lastProbeSeen = System.currentTimeMillis();
        backoffMs = 100;
        confirmed(all);
      });
    });
  }

  private void onPush(Response r) {
    if (r == null || r.size() < 3) return;
    String kind = r.get(0).toString();
    if (kind.equals("message") || kind.equals("smessage")) {
      String channel = r.get(1).toString();
      if (channel.equals(probeChannel)) {
        lastProbeSeen = System.currentTimeMillis();
        return;
      }
      onMessage.accept(channel, r.get(2).toString());
    }
  }

  private void probe() {
    if (closed) return;
    RedisConnection conn;
    synchronized (this) {
      conn = subscriber;
    }
    if (conn != null && System.currentTimeMillis() - lastProbeSeen > PROBE_DEADLINE_MS) {
      lost(conn, "probe not seen for " + PROBE_DEADLINE_MS + " ms");
      return;
    }
    pool.send(Request.cmd(Command.PUBLISH).arg(probeChannel).arg("1"))
        .onFailure(e -> log.debug("redis probe publish failed: {}", e.getMessage()));
  }

  private void lost(RedisConnection conn, String why) {
    synchronized (this) {
      if (subscriber != conn) return; // already handled
      subscriber = null;
    }
    if (closed) return;
    log.warn("redis subscriber lost ({}); reconnecting", why);
    conn.close();
    reconnect();
  }

  private void reconnect() {
    long delay = backoffMs;
    backoffMs = Math.min(5000, backoffMs * 2);
    vertx.setTimer(delay, id -> connectSubscriber()
        .onSuccess(v -> {
          log.info("redis subscriber reconnected; {} channel(s) resubscribed", channels.size());
          reconnectListeners.forEach(Runnable::run);
        })
        .onFailure(e -> {
          log.warn("redis reconnect failed: {}", e.getMessage());
          if (!closed) reconnect();
        }));
  }

  /** For /ready: can a command round-trip now? */
  public Future<Void> ping() {
    Promise<Void> p = Promise.promise();
    pool.send(Request.cmd(Command.PING)).onComplete(ar -> {
      if (ar.succeeded()) p.complete();
      else p.fail(ar.cause());
    });
    return p.future();
  }

  public Future<Void> close() {
    closed = true;
    if (shards != null) {
      shards.close();
      nodeClients.values().forEach(Redis::close);
      return pool.close();
    }
    RedisConnection conn;
    synchronized (this) {
      conn = subscriber;
      subscriber = null;
    }
    if (conn != null) conn.close();
    subscriberClient.close();
    return pool.close();
  }
}
