package com.wedsync.hub.health;

import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.zip.DataFormatException;

/**
 * A window of one node, or of all nodes merged: how many seconds it covers, its counts, and its delivery latencies.
 * Crosses nodes as {@link #toWire} (the latencies as a compressed HdrHistogram, so the total's percentiles are the
 * percentiles of every node's deliveries together, not an average of percentiles) and is shown as {@link #describe}.
 */
record WindowStats(int seconds, long[] counts, Histogram latency) {

  static WindowStats empty() {
    return new WindowStats(0, new long[Rate.ALL.length], DeliveryLatency.empty());
  }

  long count(Rate r) {
    return counts[r.ordinal()];
  }

  /** This window and another node's over the same span. */
  WindowStats plus(WindowStats other) {
    long[] sum = counts.clone();
    for (int i = 0; i < sum.length; i++) sum[i] += other.counts[i];
    Histogram merged = latency.copy();
    merged.add(other.latency);
    return new WindowStats(Math.max(seconds, other.seconds), sum, merged);
  }

  /** Errors per inbound message (0 without messages). */
  double errorRate() {
    return ratio(count(Rate.ERRORS), count(Rate.MESSAGES_IN));
  }

  /** Average delivery latency in milliseconds, or -1 without deliveries. */
  double averageLatencyMs() {
    return latency.getTotalCount() == 0 ? -1 : latency.getMean() / 1000.0;
  }

  JsonObject toWire() {
    JsonObject c = new JsonObject();
    for (Rate r : Rate.ALL) c.put(r.key, counts[r.ordinal()]);
    ByteBuffer buffer = ByteBuffer.allocate(latency.getNeededByteBufferCapacity());
    int length = latency.encodeIntoCompressedByteBuffer(buffer);
    byte[] bytes = new byte[length];
    buffer.flip();
    buffer.get(bytes);
    return new JsonObject().put("seconds", seconds).put("counts", c)
        .put("latency", Base64.getEncoder().encodeToString(bytes));
  }

  static WindowStats fromWire(JsonObject j) {
    long[] counts = new long[Rate.ALL.length];
    JsonObject c = j.getJsonObject("counts", new JsonObject());
    for (Rate r : Rate.ALL) counts[r.ordinal()] = c.getLong(r.key, 0L);
    Histogram latency;
    try {
      latency = Histogram.decodeFromCompressedByteBuffer(
          ByteBuffer.wrap(Base64.getDecoder().decode(j.getString("latency", ""))), DeliveryLatency.MAX_MICROS);
    } catch (DataFormatException | RuntimeException e) {
      latency = DeliveryLatency.empty(); // a snapshot from a node of another version: its counts still count
    }
    return new WindowStats(j.getInteger("seconds", 0), counts, latency);
  }

  /** As the sync-health reply shows it. */
  JsonObject describe() {
    double span = Math.max(1, seconds);
    JsonObject latencyMs = latency.getTotalCount() == 0 ? null : new JsonObject()
        .put("p50", ms(latency.getValueAtPercentile(50))).put("p99", ms(latency.getValueAtPercentile(99)))
        .put("avg", round(latency.getMean() / 1000.0)).put("max", ms(latency.getMaxValue()));
    return new JsonObject()
        .put("seconds", seconds)
        .put("messages_in", count(Rate.MESSAGES_IN))
        .put("messages_out", count(Rate.MESSAGES_OUT))
        .put("messages_in_per_s", round(count(Rate.MESSAGES_IN) / span))
        .put("messages_out_per_s", round(count(Rate.MESSAGES_OUT) / span))
        .put("errors", count(Rate.ERRORS))
        .put("error_rate", round(errorRate()))
        .put("conflicts", count(Rate.CONFLICTS))
        .put("field_writes", count(Rate.FIELD_WRITES))
        .put("conflict_rate", round(ratio(count(Rate.CONFLICTS), count(Rate.FIELD_WRITES))))
        .put("connects", count(Rate.CONNECTS))
        .put("reconnects", count(Rate.RECONNECTS))
        .put("reconnect_rate", round(ratio(count(Rate.RECONNECTS), count(Rate.CONNECTS))))
        .put("reconnects_per_min", round(count(Rate.RECONNECTS) * 60.0 / span))
        .put("locks", new JsonObject().put("granted", count(Rate.LOCKS_GRANTED))
            .put("denied", count(Rate.LOCKS_DENIED)).put("expired", count(Rate.LOCKS_EXPIRED)))
        .put("recoveries", new JsonObject().put("recovered", count(Rate.RECOVERED))
            .put("not_recovered", count(Rate.NOT_RECOVERED)))
        .put("save_dead_letters", count(Rate.SAVE_DEAD_LETTERS))
        .put("outbox_dead", count(Rate.OUTBOX_DEAD))
        .put("deliveries", latency.getTotalCount())
        .put("latency_ms", latencyMs);
  }

  private static double ratio(long part, long whole) {
    return whole == 0 ? 0 : (double) part / whole;
  }

  private static double ms(long micros) {
    return round(micros / 1000.0);
  }

  static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }
}
