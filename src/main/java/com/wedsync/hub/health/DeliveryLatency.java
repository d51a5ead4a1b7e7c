package com.wedsync.hub.health;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * How long live events take from their publication (on any node) to their fan-out on the event loop that delivers
 * them, once per event per loop. Kept twice: in an HdrHistogram {@link Recorder} that the sync-health windows drain
 * every second (exact p50/p99 over 1/5/15 minutes, mergeable across nodes), and as {@code hub_delivery_latency_seconds}
 * on {@code /metrics}, a histogram with buckets that Prometheus aggregates across nodes (the alerting rules use it).
 * Written from every event loop at once: both are safe for concurrent writers.
 */
public final class DeliveryLatency implements LongConsumer {
  /** Longer is recorded as this: a minute late is as alarming as an hour. */
  static final long MAX_MICROS = 60_000_000L;
  static final int DIGITS = 2;

  private final Recorder recorder = new Recorder(MAX_MICROS, DIGITS);
  private final Timer timer;

  public DeliveryLatency(MeterRegistry registry) {
    timer = Timer.builder("hub_delivery_latency_seconds")
        .description("publication of a live event to its fan-out on the delivering event loop (once per event per loop)")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  @Override
  public void accept(long micros) {
    recorder.recordValue(Math.min(Math.max(0, micros), MAX_MICROS));
    timer.record(micros, TimeUnit.MICROSECONDS);
  }

  /** What was recorded since the last call (the histogram given back is reused). */
  Histogram drain(Histogram recycle) {
    return recorder.getIntervalHistogram(recycle);
  }

  static Histogram empty() {
    return new Histogram(MAX_MICROS, DIGITS);
  }
}
