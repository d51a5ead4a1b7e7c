package com.wedsync.hub.metrics;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A Vert.x whose own meters — HTTP server requests and response times, open WebSockets, the PostgreSQL and Redis
 * pools and clients, TCP bytes — go to the hub's registry, next to the hub's meters at {@code /metrics}. Labels
 * stay the module's defaults (method, status code, pool type and name: no remote addresses or paths) plus the hub's
 * fixed {@link HttpEndpoint}. Not the event bus: it is the hub's internal fan-out, already counted as
 * {@code hub_messages_out_total}, and its meters would add work to every event on the hottest path.
 */
public final class VertxMeters {
  /**
   * vertx-micrometer-metrics keeps its backends in a JVM-wide map by registry name and hands an existing one back:
   * each hub (the tests run several in one JVM) needs a name of its own to get its own registry.
   */
  private static final AtomicLong NAMES = new AtomicLong();

  private VertxMeters() {}

  public static Vertx vertx(VertxOptions options, HubMetrics metrics, io.vertx.core.transport.Transport transport) {
    MicrometerMetricsOptions meters = new MicrometerMetricsOptions()
        .setEnabled(true)
        .setRegistryName("wedsync-hub-" + NAMES.incrementAndGet())
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS)
        .setServerRequestTagsProvider(HttpEndpoint::tags);
    return Vertx.builder().with(options.setMetricsOptions(meters))
        .withMetrics(new MicrometerMetricsFactory(metrics.registry())).withTransport(transport).build();
  }
}
