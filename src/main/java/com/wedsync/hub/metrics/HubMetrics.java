package com.wedsync.hub.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The hub's meters, scraped at {@code /metrics} in Prometheus format, with Vert.x's ({@link VertxMeters}) and the
 * JVM's ({@link JvmMeters}) in the same registry. Counters are cached per tag to keep hot paths cheap. Every timer is
 * a histogram with the buckets of {@link LatencyBuckets}. The names are a contract (alert rules, the Grafana
 * dashboard, the benchmarks read them): docs/metrics.md lists them.
 */
public final class HubMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong subscriptions = new AtomicLong();
  private final Map<String, Counter> inbound = new ConcurrentHashMap<>();
  private final Map<String, Counter> outbound = new ConcurrentHashMap<>();
  private final Map<String, Counter> errors = new ConcurrentHashMap<>();
  private final Timer joinLatency;
  private final io.micrometer.core.instrument.DistributionSummary saveRows;
  private final Counter saveRevisions;
  private final Timer saveLatency;
  private final Map<String, Counter> locks = new ConcurrentHashMap<>();
  private final Counter conflicts;
  private final Counter notificationsCreated;
  private final Counter deliveriesQueued;
  private final Map<String, Counter> deliveries = new ConcurrentHashMap<>();
  private final Counter recovered;
  private final Counter deadLetters;
  /** Age of the oldest accepted change not yet in PostgreSQL, as the save buffer last saw it (0: none). */
  private final AtomicLong saveBacklogAgeMs = new AtomicLong();
  private final AtomicLong saveBacklogFields = new AtomicLong();
  private final Counter notRecovered;
  private final Timer deliveryLatency;
  /** The JVM binders of a node's registry ({@link #forNode}), closed with it; none for a bare one. */
  private JvmMeters jvm;

  /**
   * A node's meters: the hub's, its JVM's, and {@code hub_node{node}} (always 1) naming the node behind a scrape
   * target, to tell nodes apart on a dashboard ({@code _info} would be the convention, but the exporter strips it).
   */
  public static HubMetrics forNode(String nodeId) {
    HubMetrics metrics = new HubMetrics();
    metrics.jvm = new JvmMeters(metrics.registry);
    Gauge.builder("hub_node", () -> 1).tag("node", nodeId)
        .description("1, labelled with this node's id (node.id)").register(metrics.registry);
    return metrics;
  }

  /** The hub's own meters only (tests of one component). */
  public HubMetrics() {
    // First, so it applies to every timer registered after it, Vert.x's included.
    registry.config().meterFilter(new LatencyBuckets());
    Gauge.builder("hub_connections", connections, AtomicLong::get).description("open WebSocket connections")
        .register(registry);
    Gauge.builder("hub_subscriptions", subscriptions, AtomicLong::get).description("joined channels, all connections")
        .register(registry);
    joinLatency = Timer.builder("hub_join_seconds").description("phx_join to reply").register(registry);
    deliveryLatency = Timer.builder("hub_delivery_seconds")
        .description("a channel event's publication (on any node) to its write on this node's sockets, per event "
            + "and event loop; live fan-out only (replays and presence diffs are not counted)")
        .register(registry);
    saveRows = io.micrometer.core.instrument.DistributionSummary.builder("hub_save_batch_rows")
        .serviceLevelObjectives(1, 10, 50, 100, 200, 500, 1000, 2000, 5000)
        .description("field rows written per write-behind batch").register(registry);
    saveRevisions = Counter.builder("hub_save_revisions_total").description("revisions written").register(registry);
    saveLatency = Timer.builder("hub_save_batch_seconds").description("write-behind batch transaction time")
        .register(registry);
    conflicts = Counter.builder("hub_conflicts_total").description("field writes refused as conflicts")
        .register(registry);
    // Not "…_created_total": OpenMetrics reserves the _created suffix and the exporter would mangle the name.
    notificationsCreated = Counter.builder("hub_notifications_stored_total")
        .description("bell notifications created, one per recipient").register(registry);
    deliveriesQueued = Counter.builder("hub_notification_deliveries_queued_total")
        .description("email/SMS/push deliveries written to the outbox").register(registry);
    recovered = Counter.builder("hub_recoveries_total").tag("recovered", "true")
        .description("joins with since: missed events replayed (true) or the client told to reload (false)")
        .register(registry);
    notRecovered = Counter.builder("hub_recoveries_total").tag("recovered", "false")
        .description("joins with since: missed events replayed (true) or the client told to reload (false)")
        .register(registry);
    deadLetters = Counter.builder("hub_save_dead_letters_total")
        .description("accepted changes PostgreSQL refused to store, parked in save_dead_letters").register(registry);
    Gauge.builder("hub_save_backlog_oldest_seconds", saveBacklogAgeMs, v -> v.get() / 1000.0)
        .description("age of the oldest accepted change not yet written to PostgreSQL (0 when none)")
        .register(registry);
    Gauge.builder("hub_save_backlog_fields", saveBacklogFields, AtomicLong::get)
        .description("fields with accepted changes waiting to be written (this node's buffer)").register(registry);
  }

  /**
   * A channel event reached this event loop's subscribers. Publication time is wall-clock (it crosses nodes), so a
   * clock stepping back between nodes could make it negative: that counts as 0.
   *
   * @param publishedAtMicros when it was published, epoch microseconds ({@code ChannelEvent.publishedAt})
   */
  public void delivered(long publishedAtMicros, long nowMicros) {
    deliveryLatency.record(Math.max(0, nowMicros - publishedAtMicros), TimeUnit.MICROSECONDS);
  }

  public void notificationsCreated(int count) {
    notificationsCreated.increment(count);
  }

  public void deliveriesQueued(int count) {
    deliveriesQueued.increment(count);
  }

  /** An outbox delivery's outcome per channel: delivered, failed (will be retried), dead (gave up). */
  public void delivery(String channel, String outcome) {
    deliveries.computeIfAbsent(channel + "/" + outcome, k -> Counter.builder("hub_notification_deliveries_total")
        .tag("channel", channel).tag("outcome", outcome).register(registry)).increment();
  }

  /** A join that asked for the events it missed ({@code since}): whether history could give them. */
  public void recovery(boolean replayed) {
    (replayed ? recovered : notRecovered).increment();
  }

  public void saveBatch(int rows, int revisions, long nanos) {
    saveRows.record(rows);
    saveRevisions.increment(revisions);
    saveLatency.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void deadLetter() {
    deadLetters.increment();
  }

  public void saveBacklog(long oldestAgeMs, long fields) {
    saveBacklogAgeMs.set(oldestAgeMs);
    saveBacklogFields.set(fields);
  }

  /** Lock outcomes: granted, denied, renewed, released, expired, broken, stale. */
  public void lock(String outcome) {
    locks.computeIfAbsent(outcome, o -> Counter.builder("hub_locks_total").tag("outcome", o).register(registry))
        .increment();
  }

  public void conflict() {
    conflicts.increment();
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void connectionOpened() { connections.incrementAndGet(); }
  public void connectionClosed() { connections.decrementAndGet(); }
  public long connections() { return connections.get(); }
  public void subscribed() { subscriptions.incrementAndGet(); }
  public void unsubscribed() { subscriptions.decrementAndGet(); }
  public long subscriptions() { return subscriptions.get(); }

  public void inbound(String event) {
    counter(inbound, "hub_messages_in_total", event).increment();
  }

  public void outbound(String event, int count) {
    counter(outbound, "hub_messages_out_total", event).increment(count);
  }

  /**
   * The counter for an event name, looked up by the raw name (no pattern match on the hot path). Client-chosen names
   * cannot grow the map without bound: past a few hundred names, new ones share the {@code other} counter.
   */
  private Counter counter(Map<String, Counter> byName, String meter, String event) {
    Counter c = byName.get(event);
    if (c != null) return c;
    String label = byName.size() < 256 ? bucket(event) : "other";
    Counter counter = Counter.builder(meter).tag("event", label).register(registry);
    if (byName.size() < 256) byName.putIfAbsent(event, counter);
    return counter;
  }

  public void error(String reason) {
    errors.computeIfAbsent(bucket(reason), r -> Counter.builder("hub_errors_total").tag("reason", r).register(registry))
        .increment();
  }

  public Timer joinLatency() {
    return joinLatency;
  }

  /** Stops the JVM binders' listeners; after Vert.x has closed (its meters are in this registry too). */
  @Override
  public void close() {
    if (jvm != null) jvm.close();
    registry.close();
  }

  /** Client-chosen event names must not explode the label space. */
  private static final java.util.regex.Pattern EVENT_NAME = java.util.regex.Pattern.compile("[a-z_:]+");

  private static String bucket(String event) {
    return event.length() <= 32 && EVENT_NAME.matcher(event).matches() ? event : "other";
  }
}
