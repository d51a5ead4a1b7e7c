package com.wedsync.hub.socket;

/** A token bucket: {@code rate} tokens per second up to {@code burst}. Thread-safe; one per user. */
final class TokenBucket {
  private final double ratePerMs;
  private final double burst;
  private double tokens;
  private long last;

  TokenBucket(int perSecond, int burst) {
    this.ratePerMs = perSecond / 1000.0;
    this.burst = burst;
    this.tokens = burst;
    this.last = System.currentTimeMillis();
  }

  /** True when the bucket has refilled to its burst: forgetting it then changes nothing. */
  synchronized boolean isFull(long now) {
    return tokens + (now - last) * ratePerMs >= burst;
  }

  /** Returns 0 when a token was taken, else the milliseconds until one will be available. */
  synchronized long take() {
    long now = System.currentTimeMillis();
    tokens = Math.min(burst, tokens + (now - last) * ratePerMs);
    last = now;
    if (tokens >= 1) {
      tokens -= 1;
      return 0;
    }
    return (long) Math.ceil((1 - tokens) / ratePerMs);
  }
}
