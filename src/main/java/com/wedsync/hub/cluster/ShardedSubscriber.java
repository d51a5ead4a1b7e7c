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
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * The pub/sub side of a node on a Redis Cluster. Sharded pub/sub delivers a channel's messages only to subscribers
 * connected to the master that serves the channel's hash slot, so this keeps one subscriber connection per master and
 * sends each channel's {@code SSUBSCRIBE} on the connection of its master (one command per slot, as Redis requires).
 *
 * <p>The topology ({@code CLUSTER SLOTS}) is read again whenever it may have changed: a master's connection ended
 * (killed), Redis itself unsubscribed a channel (its slot moved: a failover or resharding), a {@code SSUBSCRIBE} was
 * refused, or a connection's probe stopped coming back. Each connection has a probe channel served by its master; a
 * probe published to that master must come back on that connection, so a connection that still stands but
 * no longer hears its shard (its master became a replica) is noticed too. When every wanted channel is subscribed again
 * after such a loss, {@code onRecovered} runs (the node re-writes the presences and locks it owns, as after a Redis
 * restart); events published in between are filled from history by the channels (they see the gap in offsets).
 */
final class ShardedSubscriber {
  private static final Logger log = LoggerFactory.getLogger(ShardedSubscriber.class);
  private static final long PROBE_EVERY_MS = 2000;
  private static final long PROBE_DEADLINE_MS = 4000;
  private static final long BATCH_MS = 2;
  private static final long SUBSCRIBE_DEADLINE_MS = 5000;
  /** How often the topology is read even when nothing went wrong (a replica added, a slot migrated). */
  private static final long TOPOLOGY_EVERY_MS = 5000;

  private final Vertx vertx;
  private final List<String> seeds;
  private final Function<String, Redis> nodeClient;
  private final String probeBase;
  private final BiConsumer<String, String> onMessage;
  private final Runnable onRecovered;

  /** Every channel asked for, and who waits for its first confirmation. */
  private final Set<String> wanted = new HashSet<>();
  private final Map<String, Promise<Void>> unconfirmed = new HashMap<>();
  /** The shard each wanted channel was subscribed on (sent or confirmed). */
  private final Map<String, Shard> holder = new HashMap<>();
  private final Map<String, Shard> shards = new HashMap<>();
  private final Map<Shard, Set<String>> toSubscribe = new HashMap<>();
  private ClusterSlots slots;
  private boolean batchScheduled;
  private boolean reconciling;
  private boolean reconcileAgain;
  private boolean recovering;
  private long backoffMs = 100;
  private final Promise<Void> started = Promise.promise();
  private final List<Long> timers = new ArrayList<>();
  private volatile boolean closed;

  /**
   * @param seeds      the configured seed nodes, asked for the topology when no known master answers
   * @param nodeClient a standalone client for one node's URL (shared: {@code CLUSTER SLOTS}, the probes)
   */
  ShardedSubscriber(Vertx vertx, List<String> seeds, Function<String, Redis> nodeClient, String nodeId,
                    BiConsumer<String, String> onMessage, Runnable onRecovered) {
    this.vertx = vertx;
    this.seeds = seeds;
    this.nodeClient = nodeClient;
    this.probeBase = "hub:probe:" + nodeId + ":" + UUID.randomUUID();
    this.onMessage = onMessage;
    this.onRecovered = onRecovered;
  }

  /** Completes once the topology is known and a connection to every master stands. */
  Future<Void> start() {
    timers.add(vertx.setPeriodic(PROBE_EVERY_MS, id -> probe()));
    timers.add(vertx.setPeriodic(TOPOLOGY_EVERY_MS, id -> requestReconcile()));
    requestReconcile();
    return started.future();
  }

  /** The topology as last read (a scan over every master, the replicas a write waits for). */
  synchronized ClusterSlots slots() {
    return slots;
  }

  synchronized void subscribe(String channel) {
    if (!wanted.add(channel)) return;
    Promise<Void> waiting = Promise.promise();
    unconfirmed.put(channel, waiting);
    vertx.setTimer(SUBSCRIBE_DEADLINE_MS, id -> {
      if (waiting.tryFail("Redis did not confirm the subscription to " + channel + " within "
          + SUBSCRIBE_DEADLINE_MS + " ms")) {
        synchronized (this) {
          unconfirmed.remove(channel, waiting);
        }
      }
    });
    Shard owner = slots == null ? null : shards.get(slots.masterOf(channel));
    if (owner == null || owner.conn == null) {
      requestReconcile(); // it subscribes every wanted channel that has no holder
      return;
    }
    holder.put(channel, owner);
    toSubscribe.computeIfAbsent(owner, s -> new HashSet<>()).add(channel);
    if (!batchScheduled) {
      batchScheduled = true;
      vertx.setTimer(BATCH_MS, id -> flush());
    }
  }

  synchronized Future<Void> whenSubscribed(String channel) {
    Promise<Void> waiting = unconfirmed.get(channel);
    return waiting == null ? Future.succeededFuture() : waiting.future();
  }

  void unsubscribe(String channel) {
    Shard h;
    synchronized (this) {
      if (!wanted.remove(channel)) return;
      Promise<Void> waiting = unconfirmed.remove(channel);
      if (waiting != null) waiting.tryComplete(); // nobody is left to receive it
      h = holder.remove(channel);
      if (h != null) {
        Set<String> queued = toSubscribe.get(h);
        if (queued != null) queued.remove(channel);
      }
    }
    RedisConnection conn = h == null ? null : h.conn;
    if (conn != null) conn.send(Request.cmd(Command.SUNSUBSCRIBE).arg(channel));
  }

  private void flush() {
    Map<Shard, Set<String>> batch;
    synchronized (this) {
      batchScheduled = false;
      batch = new HashMap<>(toSubscribe);
      toSubscribe.clear();
    }
    batch.forEach(this::ssubscribe);
  }

  /** One SSUBSCRIBE per hash slot (Redis refuses channels of several slots in one); confirms those that succeed. */
  private Future<Void> ssubscribe(Shard shard, Set<String> channels) {
    RedisConnection conn = shard.conn;
    if (conn == null || channels.isEmpty()) return Future.succeededFuture();
    Map<Integer, List<String>> bySlot = new HashMap<>();
    for (String c : channels) bySlot.computeIfAbsent(HashSlot.of(c), s -> new ArrayList<>()).add(c);
    List<Future<?>> all = new ArrayList<>();
    for (List<String> group : bySlot.values()) {
      Request r = Request.cmd(Command.SSUBSCRIBE);
      group.forEach(r::arg);
      all.add(conn.send(r).onSuccess(ok -> confirmed(group)).onFailure(e -> refused(shard, group, e)));
    }
    return Future.all(all).mapEmpty();
  }

  private void confirmed(List<String> channels) {
    List<Promise<Void>> ready = new ArrayList<>();
    synchronized (this) {
      for (String c : channels) {
        Promise<Void> waiting = unconfirmed.remove(c);
        if (waiting != null) ready.add(waiting);
      }
    }
    ready.forEach(Promise::tryComplete);
  }

  /** A MOVED (the slot is elsewhere now) or a lost connection: those channels need their owner found again. */
  private void refused(Shard shard, List<String> channels, Throwable e) {
    synchronized (this) {
      for (String c : channels) holder.remove(c, shard);
      recovering = true;
    }
    log.warn("redis cluster refused SSUBSCRIBE on {} ({}); reading the topology again", shard.endpoint, e.getMessage());
    requestReconcile();
  }

  // ---- the topology and the connections ----

  private void requestReconcile() {
    synchronized (this) {
      if (closed) return;
      if (reconciling) {
        reconcileAgain = true;
        return;
      }
      reconciling = true;
    }
    vertx.runOnContext(v -> reconcileNow());
  }

  private void reconcileNow() {
    readSlots(candidates(), 0, null).compose(this::apply).onComplete(ar -> {
      boolean again;
      boolean recovered = false;
      synchronized (this) {
        reconciling = false;
        again = reconcileAgain || ar.failed();
        reconcileAgain = false;
        if (!again) {
          backoffMs = 100;
          recovered = recovering;
          recovering = false;
        }
      }
      if (closed) return;
      if (ar.failed()) {
        log.warn("redis cluster topology not usable yet ({}); again in {} ms", ar.cause().getMessage(), backoffMs);
      }
      if (again) {
        long delay = ar.failed() ? backoffMs : 0;
        synchronized (this) {
          if (ar.failed()) backoffMs = Math.min(2000, backoffMs * 2);
        }
        vertx.setTimer(Math.max(1, delay), id -> requestReconcile());
        return;
      }
      started.tryComplete();
      if (recovered) {
        log.info("redis cluster subscriptions restored on {} master(s)", shards.size());
        onRecovered.run();
      }
    });
  }

  private synchronized List<String> candidates() {
    List<String> out = new ArrayList<>(slots == null ? List.of() : slots.masters());
    for (String s : seeds) if (!out.contains(s)) out.add(s);
    return out;
  }

  /** CLUSTER SLOTS from the first node that answers with every slot served. */
  private Future<ClusterSlots> readSlots(List<String> nodes, int i, Throwable last) {
    if (i >= nodes.size()) {
      return Future.failedFuture("no node answered CLUSTER SLOTS with every slot served"
          + (last == null ? "" : " (last: " + last.getMessage() + ")"));
    }
    return nodeClient.apply(nodes.get(i)).send(Request.cmd(Command.CLUSTER).arg("SLOTS")).compose(r -> {
      ClusterSlots read = ClusterSlots.parse(r, seeds.get(0));
      return read.complete() ? Future.succeededFuture(read)
          : Future.failedFuture(nodes.get(i) + " reports slots without a master (a failover under way?)");
    }).recover(e -> readSlots(nodes, i + 1, e));
  }

  /** Connections to exactly the masters of {@code read}; every wanted channel subscribed on its master's. */
  private Future<Void> apply(ClusterSlots read) {
    List<Shard> gone = new ArrayList<>();
    List<Future<Void>> connecting = new ArrayList<>();
    synchronized (this) {
      slots = read;
      for (Shard s : new ArrayList<>(shards.values())) {
        if (!read.masters().contains(s.endpoint)) gone.add(s);
      }
      gone.forEach(this::forget);
      for (String master : read.masters()) {
        connecting.add(shards.computeIfAbsent(master, Shard::new).connect(read));
      }
    }
    gone.forEach(Shard::close);
    return Future.all(connecting).compose(v -> {
      Map<Shard, Set<String>> send = new HashMap<>();
      List<Runnable> unsubscribes = new ArrayList<>();
      synchronized (this) {
        for (String c : wanted) {
          Shard owner = shards.get(read.masterOf(c));
          Shard h = holder.get(c);
          if (owner == null || h == owner) continue;
          if (h != null && h.conn != null) {
            RedisConnection old = h.conn;
            unsubscribes.add(() -> old.send(Request.cmd(Command.SUNSUBSCRIBE).arg(c)));
          }
          holder.put(c, owner);
          send.computeIfAbsent(owner, s -> new HashSet<>()).add(c);
        }
      }
      unsubscribes.forEach(Runnable::run);
      List<Future<Void>> all = new ArrayList<>();
      send.forEach((shard, channels) -> all.add(ssubscribe(shard, channels)));
      return Future.all(all).mapEmpty();
    });
  }

  /** Drops a shard from the state (the caller closes it): its channels have no holder until the next reconcile. */
  private void forget(Shard s) {
    shards.remove(s.endpoint, s);
    holder.values().removeIf(h -> h == s);
    toSubscribe.remove(s);
  }

  private void lost(Shard s, String why) {
    synchronized (this) {
      if (shards.get(s.endpoint) != s) return; // already handled
      forget(s);
      recovering = true;
    }
    if (closed) return;
    log.warn("redis cluster subscriber on {} lost ({}); reading the topology again", s.endpoint, why);
    s.close();
    requestReconcile();
  }

  private void onPush(Shard s, Response r) {
    if (r == null || r.size() < 3) return;
    String kind = r.get(0).toString();
    String channel = r.get(1).toString();
    if (kind.equals("smessage") || kind.equals("message")) {
      if (channel.equals(s.probe)) {
        s.lastProbeSeen = System.currentTimeMillis();
        return;
      }
      onMessage.accept(channel, r.get(2).toString());
    } else if (kind.equals("sunsubscribe")) {
      boolean movedAway;
      synchronized (this) {
        // Our own SUNSUBSCRIBE removed the holder first; one for a channel still held here comes from Redis: the
        // channel's slot is no longer this master's.
        movedAway = holder.get(channel) == s && wanted.contains(channel) || channel.equals(s.probe);
        if (movedAway) {
          holder.remove(channel, s);
          recovering = true;
        }
      }
      if (movedAway) {
        log.info("redis cluster moved {} away from {}; reading the topology again", channel, s.endpoint);
        if (channel.equals(s.probe)) lost(s, "its probe channel moved");
        else requestReconcile();
      }
    }
  }

  private void probe() {
    if (closed) return;
    List<Shard> all;
    synchronized (this) {
      all = new ArrayList<>(shards.values());
    }
    long now = System.currentTimeMillis();
    for (Shard s : all) {
      if (s.conn == null) continue;
      if (now - s.lastProbeSeen > PROBE_DEADLINE_MS) {
        lost(s, "probe not seen for " + PROBE_DEADLINE_MS + " ms");
        continue;
      }
      // Through the shard's own master, so a failover elsewhere in the cluster does not hold the probe up.
      nodeClient.apply(s.endpoint).send(Request.cmd(Command.SPUBLISH).arg(s.probe).arg("1"))
          .onFailure(e -> log.debug("redis cluster probe publish failed: {}", e.getMessage()));
    }
  }

  Future<Void> close() {
    List<Shard> all;
    synchronized (this) {
      closed = true;
      timers.forEach(vertx::cancelTimer);
      all = new ArrayList<>(shards.values());
      shards.clear();
      holder.clear();
    }
    all.forEach(Shard::close);
    return Future.succeededFuture();
  }

  /** One master's subscriber connection, with its own client (a subscribed connection never goes back to a pool). */
  private final class Shard {
    final String endpoint;
    final Redis client;
    volatile RedisConnection conn;
    volatile String probe;
    volatile long lastProbeSeen = System.currentTimeMillis();
    private Future<Void> connecting;

    Shard(String endpoint) {
      this.endpoint = endpoint;
      this.client = Redis.createClient(vertx, new RedisOptions().setConnectionString(endpoint));
    }

    /** Connected and listening to its probe (called under the subscriber's lock; the same future while under way). */
    Future<Void> connect(ClusterSlots read) {
      if (conn != null) return Future.succeededFuture();
      if (connecting != null) return connecting;
      String probeChannel = read.channelOn(endpoint, probeBase);
      connecting = client.connect().compose(c -> {
        c.handler(r -> onPush(this, r));
        c.exceptionHandler(e -> lost(this, e.getMessage()));
        c.endHandler(v -> lost(this, "connection closed"));
        return c.send(Request.cmd(Command.SSUBSCRIBE).arg(probeChannel)).map(ok -> {
          probe = probeChannel;
          lastProbeSeen = System.currentTimeMillis();
          conn = c;
          return (Void) null;
        }).onFailure(e -> c.close());
      }).onComplete(ar -> {
        synchronized (ShardedSubscriber.this) {
          connecting = null;
          if (ar.failed()) shards.remove(endpoint, this);
        }
        if (ar.failed()) client.close();
      });
      return connecting;
    }

    void close() {
      RedisConnection c = conn;
      conn = null;
      if (c != null) c.close();
      client.close();
    }
  }
}
