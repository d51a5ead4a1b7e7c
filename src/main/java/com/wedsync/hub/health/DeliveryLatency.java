package com.wedsync.hub.health;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.function.LongConsumer;

/**
 * How long live events take from their publication (on any node) to their fan-out on the event loop that delivers
 * them, once per event per loop, in an HdrHistogram {@link Recorder} that the sync-health windows drain every second
 * (exact p50/p99 over 1/5/15 minutes, mergeable across nodes). The same measurement is {@code hub_delivery_seconds} on
 * {@code /metrics} ({@link com.wedsync.hub.metrics.HubMetrics#delivered}), a histogram with fixed buckets that
 * Prometheus aggregates across nodes and the alerting rules use. Written from every event loop at once: the recorder
 * is safe for concurrent writers.
 */
public final class DeliveryLatency implements LongConsumer {
  /** Longer is recorded as this: a minute late is as alarming as an hour. */
  static final long MAX_MICROS = 60_000_000L;
  static final int DIGITS = 2;

  private final Recorder recorder = new Recorder(MAX_MICROS, DIGITS);

  @Override
  public void accept(long micros) {
    recorder.recordValue(Math.min(Math.max(0, micros), MAX_MICROS));
  }

  /** What was recorded since the last call (the histogram given back is reused). */
  Histogram drain(Histogram recycle) {
    return recorder.getIntervalHistogram(recycle);
  }

  static Histogram empty() {
    return new Histogram(MAX_MICROS, DIGITS);
  }
}
