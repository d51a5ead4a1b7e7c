package com.wedsync.hub.health;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The alert rules over windows and node states, without a hub: each fires past its threshold and not below it, with
 * the since-time the data gives (save backlog, node missing) or the first evaluation that saw it (kept while it holds,
 * forgotten once it clears). And a window survives the trip between nodes with its percentiles intact.
 */
class AlertsTest {
  static final long NOW = 1_800_000_000_000L;

  static WindowStats window(long messagesIn, long errors, long... latenciesMicros) {
    long[] counts = new long[Rate.ALL.length];
    counts[Rate.MESSAGES_IN.ordinal()] = messagesIn;
    counts[Rate.ERRORS.ordinal()] = errors;
    Histogram h = DeliveryLatency.empty();
    for (long l : latenciesMicros) h.recordValue(l);
    return new WindowStats(60, counts, h);
  }

  static List<Alerts.Alert> eval(Alerts alerts, long now, WindowStats w1, WindowStats w5, List<Alerts.NodeState> nodes,
                                 Alerts.Record record) {
    return alerts.evaluate(new Alerts.Inputs(now, w1, w5, nodes, record));
  }

  static Alerts.Alert named(List<Alerts.Alert> list, String name) {
    return list.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
  }

  static final Alerts.Record CLEAN = new Alerts.Record(0, 0, 0, 0, true);

  @Test
  void deliveryLatencyFiresOverTwoSecondsOnAverageAndKeepsItsSinceWhileItHolds() {
    Alerts alerts = new Alerts();
    WindowStats fast = window(10, 0, 1_900_000, 2_000_000);
    assertEquals(null, named(eval(alerts, NOW, fast, fast, List.of(), CLEAN), "delivery_latency"));
    WindowStats slow = window(10, 0, 2_500_000, 2_100_000);
    Alerts.Alert first = named(eval(alerts, NOW, slow, slow, List.of(), CLEAN), "delivery_latency");
    assertEquals(NOW, first.sinceMs());
    Alerts.Alert later = named(eval(alerts, NOW + 5000, slow, slow, List.of(), CLEAN), "delivery_latency");
    assertEquals(NOW, later.sinceMs(), "the since-time stays while the condition holds");
    eval(alerts, NOW + 6000, fast, fast, List.of(), CLEAN);
    assertEquals(NOW + 7000, named(eval(alerts, NOW + 7000, slow, slow, List.of(), CLEAN), "delivery_latency")
        .sinceMs(), "a new episode has a new since-time");
  }

  @Test
  void errorRateFiresOverTenPercentInFiveMinutesWithEnoughMessages() {
    Alerts alerts = new Alerts();
    WindowStats none = window(0, 0);
    assertEquals(null, named(eval(alerts, NOW, none, window(100, 10), List.of(), CLEAN), "error_rate"), "10 % is not over");
    assertEquals(null, named(eval(alerts, NOW, none, window(19, 19), List.of(), CLEAN), "error_rate"), "too few messages");
    Alerts.Alert a = named(eval(alerts, NOW, none, window(100, 11), List.of(), CLEAN), "error_rate");
    assertEquals(0.11, (double) a.value(), 1e-9);
    assertTrue(a.message().contains("11 % of 100 messages"), a.message());
  }

  @Test
  void saveBacklogAndMissingNodesTakeTheirSinceFromTheData() {
    Alerts alerts = new Alerts();
    WindowStats none = window(0, 0);
    List<Alerts.Alert> fired = eval(alerts, NOW, none, none, List.of(
        new Alerts.NodeState("a", 10_000, false, 0),
        new Alerts.NodeState("b", 12_500, false, 0),
        new Alerts.NodeState("c", 0, true, NOW - 4_000)), CLEAN);
    List<Alerts.Alert> backlog = fired.stream().filter(x -> x.name().equals("save_backlog")).toList();
    assertEquals(1, backlog.size(), "10 s is not older than 10 s; 12.5 s is");
    assertEquals(NOW - 2_500, backlog.get(0).sinceMs(), "when the oldest change turned 10 s old");
    Alerts.Alert missing = named(fired, "node_missing");
    assertEquals("c", missing.value());
    assertEquals(NOW - 4_000, missing.sinceMs());
    assertEquals(Instant.ofEpochMilli(NOW - 4_000).toString(), missing.toJson().getString("since"));
  }

  @Test
  void deadLettersFireFromTheRecordOnlyWhenItIsKnown() {
    Alerts alerts = new Alerts();
    WindowStats none = window(0, 0);
    List<Alerts.Alert> fired = eval(alerts, NOW, none, none, List.of(), new Alerts.Record(3, 1000, 2, 1, true));
    assertEquals(2L, named(fired, "outbox_dead_letters").value());
    assertEquals(1L, named(fired, "save_dead_letters").value());
    assertTrue(eval(alerts, NOW, none, none, List.of(), Alerts.Record.UNKNOWN).isEmpty());
  }

  @Test
  void aWindowCrossesNodesWithItsCountsAndPercentilesAndTwoMergeExactly() {
    long[] a = new long[2000];
    for (int i = 0; i < a.length; i++) a[i] = 1_000 + i * 10L; // 1 ms … ~21 ms
    WindowStats one = window(40, 4, a);
    WindowStats back = WindowStats.fromWire(new JsonObject(one.toWire().encode()));
    assertEquals(40, back.count(Rate.MESSAGES_IN));
    assertEquals(one.latency().getValueAtPercentile(99), back.latency().getValueAtPercentile(99));
    WindowStats slow = window(60, 0, 2_000_000, 2_000_000);
    WindowStats both = back.plus(slow);
    assertEquals(100, both.count(Rate.MESSAGES_IN));
    assertEquals(2002, both.latency().getTotalCount());
    JsonObject shown = both.describe();
    assertEquals(0.04, shown.getDouble("error_rate"), 1e-9);
    assertTrue(shown.getJsonObject("latency_ms").getDouble("max") >= 1999, shown.encode());
  }
}
