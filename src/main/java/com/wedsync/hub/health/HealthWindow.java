package com.wedsync.hub.health;

import org.HdrHistogram.Histogram;

/**
 * One node's last 15 minutes: a count per {@link Rate} for every second, and the delivery latencies in 10-second
 * slots (an HdrHistogram per slot: 90 of them rather than 900 keeps the memory near 2 MB). A window of the last
 * {@code n} seconds sums the seconds it covers; its latency merges the slots that overlap it, so a 1-minute window's
 * percentiles cover 50 to 60 seconds. Used on one thread (the sync-health timer).
 */
final class HealthWindow {
  static final int SECONDS = 15 * 60;
  static final int SLOT_SECONDS = 10;
  private static final int SLOTS = SECONDS / SLOT_SECONDS + 1;

  private final long[][] counts = new long[SECONDS][Rate.ALL.length];
  private final long[] secondAt = new long[SECONDS];
  private final Histogram[] latency = new Histogram[SLOTS];
  private final long[] slotAt = new long[SLOTS];
  private final long startedSecond;
  private long lastSecond = -1;

  HealthWindow(long startedSecond) {
    this.startedSecond = startedSecond;
    java.util.Arrays.fill(secondAt, -1);
    java.util.Arrays.fill(slotAt, -1);
    for (int i = 0; i < SLOTS; i++) latency[i] = DeliveryLatency.empty();
  }

  /** The counts of one second (epoch seconds, increasing) and the latencies recorded in it. */
  void add(long second, long[] deltas, Histogram latencies) {
    int i = (int) Math.floorMod(second, (long) SECONDS);
    secondAt[i] = second;
    System.arraycopy(deltas, 0, counts[i], 0, deltas.length);
    long slot = Math.floorDiv(second, SLOT_SECONDS);
    int s = (int) Math.floorMod(slot, (long) SLOTS);
    if (slotAt[s] != slot) {
      latency[s].reset();
      slotAt[s] = slot;
    }
    latency[s].add(latencies);
    lastSecond = second;
  }

  /** How many seconds of the last {@code seconds} this node has been counting (a young node has fewer). */
  int covered(int seconds) {
    if (lastSecond < 0) return 0;
    return (int) Math.min(seconds, lastSecond - startedSecond + 1);
  }

  /** The counts of the last {@code seconds} seconds. */
  long[] sum(int seconds) {
    long[] total = new long[Rate.ALL.length];
    for (int k = 0; k < seconds && k < SECONDS; k++) {
      long second = lastSecond - k;
      int i = (int) Math.floorMod(second, (long) SECONDS);
      if (secondAt[i] != second) continue;
      for (int r = 0; r < total.length; r++) total[r] += counts[i][r];
    }
    return total;
  }

  /** The delivery latencies of the 10-second slots overlapping the last {@code seconds} seconds. */
  Histogram latency(int seconds) {
    Histogram merged = DeliveryLatency.empty();
    if (lastSecond < 0) return merged;
    long newest = Math.floorDiv(lastSecond, SLOT_SECONDS);
    long oldest = Math.floorDiv(lastSecond - seconds + 1, SLOT_SECONDS);
    for (long slot = oldest; slot <= newest; slot++) {
      int s = (int) Math.floorMod(slot, (long) SLOTS);
      if (slotAt[s] == slot) merged.add(latency[s]);
    }
    return merged;
  }
}
