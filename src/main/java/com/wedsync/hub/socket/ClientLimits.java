package com.wedsync.hub.socket;

import com.wedsync.hub.config.HubConfig;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one client may take from this node, shared by all its event loops: open sockets per user and open TCP
 * connections per address, new connections per second per user and per address, and writes per second per user (a
 * token bucket per user, so opening more sockets does not buy more throughput, and HTTP writes draw from the same
 * bucket as socket writes).
 *
 * <p>A bucket outlives the user's last socket: it is dropped only once it has refilled completely, so closing and
 * reopening a socket in a loop does not reset it. The limits hold per node; behind a load balancer a client spread
 * over N nodes gets up to N times as much (stated in the README).
 */
public final class ClientLimits {
  private final HubConfig.Socket cfg;
  private final Map<String, Integer> connections = new ConcurrentHashMap<>();
  private final Map<String, Integer> addresses = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> writes = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> userConnects = new ConcurrentHashMap<>();
  private final Map<String, TokenBucket> addressConnects = new ConcurrentHashMap<>();

  public ClientLimits(HubConfig.Socket cfg) {
    this.cfg = cfg;
  }

  /** Counts a connection for the user; false (and nothing counted) when the user is at the limit. */
  public boolean acquireConnection(String user) {
    return acquire(connections, user, cfg.maxConnectionsPerUser());
  }

  public void releaseConnection(String user) {
    release(connections, user);
  }

  /** Counts a TCP connection from an address; false (nothing counted) when that address is at its cap. */
  public boolean openedFrom(String address) {
    return acquire(addresses, address, cfg.maxConnectionsPerIp());
  }

  public void closedFrom(String address) {
    release(addresses, address);
  }

  /** 0 when the write may go ahead, else how long to wait (the {@code retry_after_ms} of {@code rate_limited}). */
  public long takeWrite(String user) {
    return writes.computeIfAbsent(user, u -> new TokenBucket(cfg.ratePerSecond(), cfg.rateBurst())).take();
  }

  /** A new socket from this address: 0, or how long to wait before the next one is accepted. */
  public long takeConnectFrom(String address) {
    return addressConnects.computeIfAbsent(address, a -> new TokenBucket(cfg.connectRatePerIp(),
        cfg.connectBurstPerIp())).take();
  }

  /** A new socket for this user: 0, or how long to wait before the next one is accepted. */
  public long takeConnectFor(String user) {
    return userConnects.computeIfAbsent(user, u -> new TokenBucket(cfg.connectRatePerUser(),
        cfg.connectBurstPerUser())).take();
  }

  /** Forgets the buckets that have refilled: a full bucket is the same as a new one. Called every few seconds. */
  public void sweep() {
    long now = System.currentTimeMillis();
    for (Map<String, TokenBucket> buckets : java.util.List.of(writes, userConnects, addressConnects)) {
      buckets.entrySet().removeIf(e -> e.getValue().isFull(now));
    }
  }

  /** Buckets kept now (tests). */
  int buckets() {
    return writes.size() + userConnects.size() + addressConnects.size();
  }

  private static boolean acquire(Map<String, Integer> counts, String key, int max) {
    boolean[] ok = {false};
    counts.compute(key, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= max) return n;
      ok[0] = true;
      return count + 1;
    });
    return ok[0];
  }

  private static void release(Map<String, Integer> counts, String key) {
    counts.computeIfPresent(key, (k, n) -> n > 1 ? n - 1 : null);
  }
}
