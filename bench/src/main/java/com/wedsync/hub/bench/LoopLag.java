package com.wedsync.hub.bench;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.List;

/**
 * How late the load generator's own event loops run a 10 ms timer. A latency figure is only the hub's if the client
 * was on time to read the reply: when this lag is large, the generator (or the machine) is the bottleneck.
 */
final class LoopLag {
  private static final long EVERY_MS = 10;

  private final Vertx vertx;
  private final Histogram lagMicros = new Histogram(60_000_000L, 3);
  private final List<long[]> timers = new ArrayList<>();

  /** One probe per event loop: fresh contexts are handed out round-robin over the loops. */
  LoopLag(Vertx vertx, int loops) {
    this.vertx = vertx;
    for (int i = 0; i < loops; i++) {
      Context ctx = ((VertxInternal) vertx).createEventLoopContext();
      long[] timer = {-1};
      timers.add(timer);
      ctx.runOnContext(v -> {
        long[] expected = {System.nanoTime() + EVERY_MS * 1_000_000};
        timer[0] = vertx.setPeriodic(EVERY_MS, id -> {
          long now = System.nanoTime();
          long lateUs = Math.max(0, (now - expected[0]) / 1000);
          expected[0] = now + EVERY_MS * 1_000_000;
          synchronized (lagMicros) {
            lagMicros.recordValue(Math.min(60_000_000L, Math.max(1, lateUs)));
          }
        });
      });
    }
  }

  /** Stops the probes; returns "p99 X ms, max Y ms". */
  String stop() {
    for (long[] t : timers) vertx.cancelTimer(t[0]);
    synchronized (lagMicros) {
      return String.format("p99 %.1f ms, max %.1f ms", lagMicros.getValueAtPercentile(99) / 1000.0,
          lagMicros.getMaxValue() / 1000.0);
    }
  }
}
