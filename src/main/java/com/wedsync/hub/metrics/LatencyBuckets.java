package com.wedsync.hub.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;

import java.time.Duration;
import java.util.Arrays;

/**
 * Every timer in the registry — the hub's and Vert.x's — as a Prometheus histogram with the same fixed buckets, so
 * {@code histogram_quantile(0.99, sum by (le) (rate(x_bucket[5m])))} works across nodes (client-side percentiles
 * cannot be added up). The bounds bracket the targets of SPEC §7: 2 ms / 10 ms / 15 ms deliveries (P3), 3 ms / 8 ms
 * locks (P4), 50 ms fan-out (P1), 1 s notifications (P7), and the 2 s average-latency alert.
 */
public final class LatencyBuckets implements MeterFilter {
  public static final Duration[] BOUNDS = {
      ms(1), ms(2), ms(3), ms(5), ms(8), ms(10), ms(15), ms(25), ms(50), ms(100), ms(250), ms(500),
      ms(1000), ms(2000), ms(5000), ms(10_000)};

  private static final double[] NANOS = Arrays.stream(BOUNDS).mapToDouble(Duration::toNanos).toArray();

  @Override
  public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
    if (id.getType() != Meter.Type.TIMER) return config;
    // Set here, the buckets win over whatever the meter asked for; no percentiles are computed on the node.
    return DistributionStatisticConfig.builder()
        .percentilesHistogram(false)
        .percentiles()
        .serviceLevelObjectives(NANOS)
        .build()
        .merge(config);
  }

  private static Duration ms(long millis) {
    return Duration.ofMillis(millis);
  }
}
