package com.wedsync.hub.health;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The alerts the hub evaluates every second over what the sync-health reply shows, each with the time it started.
 * Where the data says when a condition began (a save backlog's age, a node's last snapshot), that is its since-time,
 * the same on every node; otherwise it is when this node first saw it, kept while the condition holds. The same
 * thresholds are Prometheus alerting rules in {@code deploy/prometheus/alerts.yml}.
 */
final class Alerts {
  static final double LATENCY_AVG_MS = 2_000;
  static final double ERROR_RATE = 0.10;
  /** Fewer inbound messages in 5 minutes than this make no error rate worth waking someone for. */
  static final long ERROR_RATE_MIN_MESSAGES = 20;
  static final long SAVE_BACKLOG_MS = 10_000;

  /** One firing alert. */
  record Alert(String name, String severity, String message, long sinceMs, Object value, Object threshold) {
    JsonObject toJson() {
      return new JsonObject().put("name", name).put("severity", severity).put("message", message)
          .put("since", Instant.ofEpochMilli(sinceMs).toString()).put("value", value).put("threshold", threshold);
    }
  }

  /** What the alerts are evaluated over. */
  record Inputs(long nowMs, WindowStats total1m, WindowStats total5m, List<NodeState> nodes, Record record) {}

  /** A node as the cluster view knows it: its save backlog, and whether (since when) it stopped reporting. */
  record NodeState(String node, long saveBacklogOldestMs, boolean missing, long missingSinceMs) {}

  /** The record's (PostgreSQL's) backlog, the same for every node. */
  record Record(long outboxPending, long outboxOldestMs, long outboxDead, long saveDeadLetters, boolean known) {
    static final Record UNKNOWN = new Record(0, 0, 0, 0, false);

    JsonObject toJson() {
      if (!known) return new JsonObject().put("known", false);
      return new JsonObject().put("known", true)
          .put("outbox", new JsonObject().put("pending", outboxPending).put("oldest_pending_ms", outboxOldestMs)
              .put("dead_letters", outboxDead))
          .put("save_dead_letters", saveDeadLetters);
    }
  }

  /** When this node first saw each condition without a since-time of its own, by alert key. */
  private final Map<String, Long> firstSeen = new HashMap<>();

  List<Alert> evaluate(Inputs in) {
    List<Alert> out = new ArrayList<>();
    Map<String, Long> seen = new HashMap<>();

    double avg = in.total1m().averageLatencyMs();
    if (avg > LATENCY_AVG_MS) {
      out.add(new Alert("delivery_latency", "critical", "average delivery latency over the last minute is "
          + Math.round(avg) + " ms (over " + Math.round(LATENCY_AVG_MS) + " ms)",
          since("delivery_latency", in.nowMs(), seen), WindowStats.round(avg), LATENCY_AVG_MS));
    }
    WindowStats five = in.total5m();
    if (five.count(Rate.MESSAGES_IN) >= ERROR_RATE_MIN_MESSAGES && five.errorRate() > ERROR_RATE) {
      out.add(new Alert("error_rate", "warning", Math.round(five.errorRate() * 100) + " % of "
          + five.count(Rate.MESSAGES_IN) + " messages in the last 5 minutes were answered with an error (over "
          + Math.round(ERROR_RATE * 100) + " %)", since("error_rate", in.nowMs(), seen),
          WindowStats.round(five.errorRate()), ERROR_RATE));
    }
    for (NodeState n : in.nodes()) {
      if (!n.missing() && n.saveBacklogOldestMs() > SAVE_BACKLOG_MS) {
        out.add(new Alert("save_backlog", "critical", "on " + n.node() + " the oldest accepted change not yet in "
            + "PostgreSQL is " + n.saveBacklogOldestMs() / 1000 + " s old (over " + SAVE_BACKLOG_MS / 1000 + " s)",
            in.nowMs() - n.saveBacklogOldestMs() + SAVE_BACKLOG_MS, n.saveBacklogOldestMs(), SAVE_BACKLOG_MS));
      }
      if (n.missing()) {
        out.add(new Alert("node_missing", "critical", "node " + n.node() + " stopped reporting",
            n.missingSinceMs(), n.node(), null));
      }
    }
    Record r = in.record();
    if (r.known() && r.outboxDead() > 0) {
      out.add(new Alert("outbox_dead_letters", "warning", r.outboxDead() + " email/SMS/push deliveries gave up "
          + "(notification_outbox status 'dead')", since("outbox_dead_letters", in.nowMs(), seen), r.outboxDead(), 0));
    }
    if (r.known() && r.saveDeadLetters() > 0) {
      out.add(new Alert("save_dead_letters", "critical", r.saveDeadLetters() + " accepted changes PostgreSQL "
          + "refused are parked in save_dead_letters", since("save_dead_letters", in.nowMs(), seen),
          r.saveDeadLetters(), 0));
    }
    firstSeen.keySet().retainAll(seen.keySet());
    firstSeen.putAll(seen);
    return out;
  }

  private long since(String key, long now, Map<String, Long> seen) {
    long at = firstSeen.getOrDefault(key, now);
    seen.put(key, at);
    return at;
  }

  static JsonArray toJson(List<Alert> alerts) {
    JsonArray a = new JsonArray();
    for (Alert alert : alerts) a.add(alert.toJson());
    return a;
  }
}
