package com.wedsync.hub.socket;

import com.wedsync.hub.config.HubConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user limits shared by all event loops of the node: open connections, and the write rate (a token bucket per
 * user, so opening more sockets does not buy more throughput).
 */
public final class UserLimits {
  private final HubConfig.Socket cfg;
  private final Map<String, Integer> connections = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

  public UserLimits(HubConfig.Socket cfg) {
    this.cfg = cfg;
  }

  /** Counts a connection for the user; false (and nothing counted) when the user is at the limit. */
  public boolean acquireConnection(String user) {
    boolean[] ok = {false};
    connections.compute(user, (u, n) -> {
      int count = n == null ? 0 : n;
      if (count >= cfg.maxConnectionsPerUser()) return n;
      ok[0] = true;
      return count + 1;
    });
    return ok[0];
  }

  public void releaseConnection(String user) {
    connections.computeIfPresent(user, (u, n) -> {
      if (n > 1) return n - 1;
      buckets.remove(u);
      return null;
    });
  }

  /** 0 when the write may go ahead, else how long to wait (the {@code retry_after_ms} of {@code rate_limited}). */
  public long takeWrite(String user) {
    return buckets.computeIfAbsent(user, u -> new TokenBucket(cfg.ratePerSecond(), cfg.rateBurst())).take();
  }
}
