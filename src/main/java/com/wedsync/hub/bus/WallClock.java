package com.wedsync.hub.bus;

import java.time.Instant;

/**
 * Epoch microseconds, for the time a channel event was published. Wall-clock rather than {@code nanoTime}: the time
 * travels with the event to other nodes, and is compared with their clocks (NTP keeps them within a millisecond or
 * so, well under the delivery latency buckets that matter).
 */
public final class WallClock {
  private WallClock() {}

  public static long micros() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000L + now.getNano() / 1_000;
  }
}
