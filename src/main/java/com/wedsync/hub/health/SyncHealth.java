package com.wedsync.hub.health;

import com.wedsync.hub.backplane.Lease;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.form.SaveBuffer;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import org.HdrHistogram.Histogram;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Sync health (SPEC §5 Operations, docs/protocol.md "Admin"): every second each node counts its last second into its
 * {@link HealthWindow}, pings PostgreSQL (and Redis in a cluster) and publishes its snapshot on the bus topic
 * {@link #TOPIC}; every node keeps every node's latest snapshot, so any node answers
 * {@code GET /api/v1/admin/sync-health} for all of them. A node whose snapshots stop is missing (an alert) until it
 * has been gone 15 minutes; one that stops gracefully says so and is dropped. The node holding the lease {@link #LEASE}
 * pushes the cluster view to the admins on {@code admin:health} once a second. All state lives on one context (the
 * timer's); readers on other threads get the last view built there.
 */
public final class SyncHealth {
  private static final Logger log = LoggerFactory.getLogger(SyncHealth.class);
  /** Node snapshots between nodes: no client can join it (no channel family matches). */
  public static final String TOPIC = "hub:health";
  /** The admins' channel. */
  public static final String CHANNEL = "admin:health";
  public static final String LEASE = "admin-health";
  static final long TICK_MS = 1_000;
  static final int RECORD_EVERY_TICKS = 5;
  static final long PING_TIMEOUT_MS = 2_000;
  static final long FORGET_MISSING_MS = 15 * 60_000;
  static final int[] WINDOWS = {60, 300, 900};
  static final String[] WINDOW_NAMES = {"1m", "5m", "15m"};

  /** What the hub gives it. {@code redisPing} is null for a single node (no Redis). */
  public record Needs(Vertx vertx, String nodeId, long missingAfterMs, HubMetrics metrics, DeliveryLatency latency,
                      SaveBuffer saves, Pool pool, Supplier<Future<?>> redisPing, Bus bus, Publisher publisher,
                      Lease lease, EventHandlers handlers) {}

  private final Needs n;
  private final NodeCounters counters;
  private final HealthWindow window;
  private final Alerts alerts = new Alerts();
  private final long startedMs = System.currentTimeMillis();
  private final Map<String, Seen> nodes = new LinkedHashMap<>();
  private final ArrayDeque<JsonObject> history = new ArrayDeque<>();
  private Context context;
  private long timer = -1;
  private long ticks;
  private long[] previous;
  private Histogram recycled;
  private final Probe postgres = new Probe("postgres");
  private final Probe redis = new Probe("redis");
  private volatile Alerts.Record record = Alerts.Record.UNKNOWN;
  private boolean leading;
  private Bus.Registration subscription;
  private volatile JsonObject view;
  private volatile JsonArray points = new JsonArray();

  /**
   * A node's latest snapshot: when it arrived here (whether the node is silent is judged by this node's own clock, so
   * a sender's skewed clock cannot make it look missing) and when it was published (every node dates the silence, and
   * the node_missing alert's since-time, from this, so they agree to the millisecond).
   */
  private record Seen(JsonObject snapshot, long receivedMs, long publishedMs) {}

  public SyncHealth(Needs needs) {
    this.n = needs;
    this.counters = new NodeCounters(needs.metrics().registry(), needs.handlers());
    this.window = new HealthWindow(startedMs / 1000);
    // The record's backlog for Prometheus too (deploy/prometheus/alerts.yml): the same on every node, so take max().
    var registry = needs.metrics().registry();
    io.micrometer.core.instrument.Gauge.builder("hub_outbox_dead_letters", this, h -> h.recordValue(Alerts.Record::outboxDead))
        .description("notification_outbox rows that gave up (status dead), read every 5 s; NaN when unknown")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("hub_outbox_pending", this, h -> h.recordValue(Alerts.Record::outboxPending))
        .description("notification_outbox rows waiting to be delivered, read every 5 s; NaN when unknown")
        .register(registry);
    io.micrometer.core.instrument.Gauge.builder("hub_save_dead_letters_parked", this,
            h -> h.recordValue(Alerts.Record::saveDeadLetters))
        .description("rows in save_dead_letters (accepted changes PostgreSQL refused), read every 5 s; NaN when unknown")
        .register(registry);
    this.view = new JsonObject().put("at", Instant.now().toString()).put("node", needs.nodeId())
        .put("nodes", new JsonArray()).put("total", new JsonObject()).put("alerts", new JsonArray());
  }

  public Future<Void> start() {
    context = n.vertx().getOrCreateContext();
    Promise<Void> started = Promise.promise();
    context.runOnContext(v -> {
      previous = counters.totals();
      subscription = n.bus().subscribe(TOPIC, this::received);
      timer = n.vertx().setPeriodic(TICK_MS, id -> tick());
      n.bus().ready(TOPIC).onComplete(ar -> started.complete());
    });
    return started.future();
  }

  /** Tells the other nodes this one is leaving (so it is not missed), and stops. */
  public Future<Void> stop() {
    if (context == null) return Future.succeededFuture();
    Promise<Void> stopped = Promise.promise();
    context.runOnContext(v -> {
      if (timer >= 0) n.vertx().cancelTimer(timer);
      timer = -1;
      n.bus().publish(ChannelEvent.of(TOPIC, "snapshot", new JsonObject().put("node", n.nodeId())
          .put("leaving", true)));
      if (subscription != null) subscription.cancel();
      (leading ? n.lease().release() : Future.<Void>succeededFuture()).onComplete(ar -> stopped.complete());
    });
    return stopped.future();
  }

  /** A number of the record for the gauges; NaN while the record could not be read. */
  private double recordValue(java.util.function.ToLongFunction<Alerts.Record> which) {
    Alerts.Record r = record;
    return r.known() ? which.applyAsLong(r) : Double.NaN;
  }

  /** The cluster view as of the last second: every node, the total, the record's backlog and the alerts. */
  public JsonObject view() {
    return view;
  }

  /** The view with the totals of the last 15 minutes, a point a second (the page's charts). */
  public JsonObject reply() {
    return view.copy().put("history", new JsonObject().put("step_ms", TICK_MS).put("points", points.copy()));
  }

  // ---- every second, on the context ----------------------------------------------------------------------------

  private void tick() {
    long now = System.currentTimeMillis();
    try {
      publishSnapshot(now);
      probe(now);
      if (ticks++ % RECORD_EVERY_TICKS == 0) readRecord();
      rebuild(now);
      n.lease().hold().onComplete(ar -> context.runOnContext(v -> leading = ar.succeeded() && ar.result()));
      if (leading) {
        n.publisher().ephemeral(CHANNEL, "health", view.copy().put("point", points.isEmpty() ? null
            : points.getJsonObject(points.size() - 1)));
      }
    } catch (RuntimeException e) {
      log.warn("sync-health tick failed", e);
    }
  }

  private void publishSnapshot(long now) {
    long[] totals = counters.totals();
    long[] deltas = new long[totals.length];
    for (int i = 0; i < totals.length; i++) deltas[i] = Math.max(0, totals[i] - previous[i]);
    previous = totals;
    Histogram second = n.latency().drain(recycled);
    recycled = second;
    deltas[Rate.DELIVERIES.ordinal()] = second.getTotalCount();
    window.add(now / 1000, deltas, second);

    JsonObject windows = new JsonObject();
    for (int i = 0; i < WINDOWS.length; i++) {
      windows.put(WINDOW_NAMES[i], new WindowStats(window.covered(WINDOWS[i]), window.sum(WINDOWS[i]),
          window.latency(WINDOWS[i])).toWire());
    }
    SaveBuffer.Stats saves = n.saves().stats();
    JsonObject snapshot = new JsonObject()
        .put("node", n.nodeId()).put("at", now).put("started_at", startedMs)
        .put("connections", n.metrics().connections()).put("channels", n.metrics().subscriptions())
        .put("now", new JsonObject()
            .put("messages_in", deltas[Rate.MESSAGES_IN.ordinal()])
            .put("messages_out", deltas[Rate.MESSAGES_OUT.ordinal()])
            .put("errors", deltas[Rate.ERRORS.ordinal()])
            .put("deliveries", second.getTotalCount())
            .put("latency_p99_ms", second.getTotalCount() == 0 ? null
                : WindowStats.round(second.getValueAtPercentile(99) / 1000.0)))
        .put("windows", windows)
        .put("save_backlog", new JsonObject().put("fields", saves.pendingFields())
            .put("oldest_ms", n.saves().oldestPendingAgeMs()))
        .put("postgres", postgres.toJson(now))
        .put("redis", n.redisPing() == null ? new JsonObject().put("status", "not_used") : redis.toJson(now));
    n.bus().publish(ChannelEvent.of(TOPIC, "snapshot", snapshot));
  }

  private void received(BusMessage message) {
    if (!(message instanceof ChannelEvent e) || !"snapshot".equals(e.event())) return;
    String node = e.payload().getString("node");
    if (node == null) return;
    if (e.payload().getBoolean("leaving", false)) nodes.remove(node);
    else nodes.put(node, new Seen(e.payload(), System.currentTimeMillis(), e.publishedAt() / 1000));
  }

  /** Pings PostgreSQL (and Redis) once a second; the answer shows in the next snapshot. */
  private void probe(long now) {
    postgres.start(now, () -> n.pool().query("select 1").execute());
    if (n.redisPing() != null) redis.start(now, n.redisPing());
  }

  private static final String RECORD = """
      select (select count(*) from notification_outbox where status = 'pending') as outbox_pending,
             (select coalesce((extract(epoch from now() - min(created_at)) * 1000)::int8, 0)
                from notification_outbox where status = 'pending') as outbox_oldest_ms,
             (select count(*) from notification_outbox where status = 'dead') as outbox_dead,
             (select count(*) from save_dead_letters) as save_dead""";

  private void readRecord() {
    n.pool().query(RECORD).execute().onComplete(ar -> context.runOnContext(v -> {
      if (ar.failed()) {
        record = Alerts.Record.UNKNOWN;
        return;
      }
      Row r = ar.result().iterator().next();
      record = new Alerts.Record(r.getLong("outbox_pending"), r.getLong("outbox_oldest_ms"),
          r.getLong("outbox_dead"), r.getLong("save_dead"), true);
    }));
  }

  /** The cluster view from every node's latest snapshot. */
  private void rebuild(long now) {
    nodes.values().removeIf(s -> now - s.receivedMs() > n.missingAfterMs() + FORGET_MISSING_MS);
    JsonArray list = new JsonArray();
    List<Alerts.NodeState> states = new ArrayList<>();
    WindowStats[] total = {WindowStats.empty(), WindowStats.empty(), WindowStats.empty()};
    long connections = 0, channels = 0, backlogFields = 0, backlogOldest = 0, in = 0, out = 0, errors = 0;
    long deliveries = 0;
    double p99 = -1;
    int up = 0, missing = 0;
    for (Seen s : nodes.values()) {
      JsonObject snap = normalized(s.snapshot());
      boolean gone = now - s.receivedMs() > n.missingAfterMs();
      JsonObject windows = new JsonObject();
      for (int i = 0; i < WINDOWS.length; i++) {
        JsonObject wire = snap.getJsonObject("windows").getJsonObject(WINDOW_NAMES[i]);
        WindowStats w = wire == null ? WindowStats.empty() : WindowStats.fromWire(wire);
        windows.put(WINDOW_NAMES[i], w.describe());
        if (!gone) total[i] = total[i].plus(w);
      }
      JsonObject backlog = snap.getJsonObject("save_backlog");
      list.add(new JsonObject().put("node", snap.getString("node")).put("status", gone ? "missing" : "up")
          .put("last_seen", Instant.ofEpochMilli(s.publishedMs()).toString())
          .put("started_at", Instant.ofEpochMilli(snap.getLong("started_at")).toString())
          .put("connections", snap.getLong("connections")).put("channels", snap.getLong("channels"))
          .put("now", snap.getJsonObject("now")).put("windows", windows).put("save_backlog", backlog)
          .put("postgres", snap.getJsonObject("postgres")).put("redis", snap.getJsonObject("redis")));
      states.add(new Alerts.NodeState(snap.getString("node"), backlog.getLong("oldest_ms"), gone,
          s.publishedMs() + n.missingAfterMs()));
      if (gone) {
        missing++;
        continue;
      }
      up++;
      connections += snap.getLong("connections");
      channels += snap.getLong("channels");
      backlogFields += backlog.getLong("fields");
      backlogOldest = Math.max(backlogOldest, backlog.getLong("oldest_ms"));
      JsonObject last = snap.getJsonObject("now");
      in += last.getLong("messages_in");
      out += last.getLong("messages_out");
      errors += last.getLong("errors");
      deliveries += last.getLong("deliveries");
      Double nodeP99 = last.getDouble("latency_p99_ms");
      if (nodeP99 != null) p99 = Math.max(p99, nodeP99);
    }
    JsonObject totalWindows = new JsonObject();
    for (int i = 0; i < WINDOWS.length; i++) totalWindows.put(WINDOW_NAMES[i], total[i].describe());
    List<Alerts.Alert> firing = alerts.evaluate(new Alerts.Inputs(now, total[0], total[1], states, record));
    JsonObject point = new JsonObject().put("t", now).put("connections", connections).put("channels", channels)
        .put("messages_in", in).put("messages_out", out).put("errors", errors).put("deliveries", deliveries)
        .put("latency_p99_ms", p99 < 0 ? null : p99).put("save_backlog_ms", backlogOldest)
        .put("alerts", firing.size());
    history.addLast(point);
    while (history.size() > HealthWindow.SECONDS) history.removeFirst();
    points = new JsonArray(new ArrayList<>(history));
    view = new JsonObject()
        .put("at", Instant.ofEpochMilli(now).toString())
        .put("node", n.nodeId())
        .put("nodes", list)
        .put("total", new JsonObject().put("nodes_up", up).put("nodes_missing", missing)
            .put("connections", connections).put("channels", channels)
            .put("now", new JsonObject().put("messages_in_per_s", in).put("messages_out_per_s", out)
                .put("errors_per_s", errors).put("deliveries_per_s", deliveries)
                .put("latency_p99_ms", p99 < 0 ? null : p99))
            .put("windows", totalWindows)
            .put("save_backlog", new JsonObject().put("fields", backlogFields).put("oldest_ms", backlogOldest)))
        .put("record", record.toJson())
        .put("alerts", Alerts.toJson(firing));
  }

  /**
   * A snapshot with every part the view reads present: a node of another version (or a half-written message) may lack
   * some, and must not stop the view of every other node.
   */
  private static JsonObject normalized(JsonObject snap) {
    JsonObject j = snap.copy();
    JsonObject now = j.getValue("now") instanceof JsonObject o ? o : new JsonObject();
    for (String k : List.of("messages_in", "messages_out", "errors", "deliveries")) {
      if (!(now.getValue(k) instanceof Number)) now.put(k, 0L);
    }
    if (now.getValue("latency_p99_ms") != null && !(now.getValue("latency_p99_ms") instanceof Number)) {
      now.putNull("latency_p99_ms");
    }
    j.put("now", now);
    for (String k : List.of("started_at", "connections", "channels")) {
      if (!(j.getValue(k) instanceof Number)) j.put(k, 0L);
    }
    if (!(j.getValue("windows") instanceof JsonObject)) j.put("windows", new JsonObject());
    JsonObject backlog = j.getValue("save_backlog") instanceof JsonObject b ? b : new JsonObject();
    for (String k : List.of("fields", "oldest_ms")) if (!(backlog.getValue(k) instanceof Number)) backlog.put(k, 0L);
    j.put("save_backlog", backlog);
    for (String k : List.of("postgres", "redis")) {
      if (!(j.getValue(k) instanceof JsonObject)) j.put(k, new JsonObject().put("status", "unknown"));
    }
    return j;
  }

  /**
   * A dependency's health as the last ping saw it: {@code ok} with its round trip, {@code down} with the error, or
   * {@code down} when a ping has had no answer for {@link #PING_TIMEOUT_MS} (a hung dependency answers nothing).
   */
  private final class Probe {
    private final String name;
    private long inFlightSince = -1;
    private String status = "unknown";
    private Double latencyMs;
    private String error;

    Probe(String name) {
      this.name = name;
    }

    void start(long now, Supplier<Future<?>> ping) {
      if (inFlightSince >= 0) return; // the last one has not answered yet: toJson says so once it is late
      inFlightSince = now;
      long started = System.nanoTime();
      Future<?> f;
      try {
        f = ping.get();
      } catch (RuntimeException e) {
        f = Future.failedFuture(e);
      }
      f.onComplete(ar -> context.runOnContext(v -> {
        inFlightSince = -1;
        latencyMs = WindowStats.round((System.nanoTime() - started) / 1_000_000.0);
        status = ar.succeeded() ? "ok" : "down";
        error = ar.succeeded() ? null : String.valueOf(ar.cause().getMessage());
      }));
    }

    JsonObject toJson(long now) {
      if (inFlightSince >= 0 && now - inFlightSince > PING_TIMEOUT_MS) {
        return new JsonObject().put("status", "down").put("latency_ms", (double) (now - inFlightSince))
            .put("error", name + " has not answered a ping for " + (now - inFlightSince) + " ms");
      }
      JsonObject j = new JsonObject().put("status", status).put("latency_ms", latencyMs);
      if (error != null) j.put("error", error);
      return j;
    }
  }
}
