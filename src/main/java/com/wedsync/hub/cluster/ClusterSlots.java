package com.wedsync.hub.cluster;

import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which master of a Redis Cluster serves which hash slots, as {@code CLUSTER SLOTS} answered it at one moment. The
 * endpoints are Redis URLs made like the seed URL (same scheme and credentials), so a connection to a master is made
 * the way the seed's is.
 */
public final class ClusterSlots {
  private final String[] masterOfSlot = new String[HashSlot.SLOTS];
  private final int[] replicasOfSlot = new int[HashSlot.SLOTS];
  private final Set<String> masters = new LinkedHashSet<>();

  private ClusterSlots() {}

  /**
   * @param reply   the answer to {@code CLUSTER SLOTS}: per range {@code [start, end, [host, port, id], replicas…]}
   * @param seedUrl one seed URL ({@code redis://[user:password@]host:port}), whose scheme and credentials are reused
   */
  public static ClusterSlots parse(Response reply, String seedUrl) {
    ClusterSlots slots = new ClusterSlots();
    String prefix = prefix(seedUrl);
    for (Response range : reply) {
      int start = range.get(0).toInteger();
      int end = range.get(1).toInteger();
      Response master = range.get(2);
      String host = master.get(0).toString();
      if (host.isEmpty() || host.equals("?")) continue; // a master whose address is unknown serves nothing now
      String endpoint = prefix + (host.contains(":") ? "[" + host + "]" : host) + ":" + master.get(1).toInteger();
      slots.masters.add(endpoint);
      // Redis lists a master's replicas after it, leaving out those it considers failed.
      int replicas = Math.max(0, range.size() - 3);
      for (int s = start; s <= end && s < HashSlot.SLOTS; s++) {
        slots.masterOfSlot[s] = endpoint;
        slots.replicasOfSlot[s] = replicas;
      }
    }
    return slots;
  }

  private static String prefix(String seedUrl) {
    int scheme = seedUrl.indexOf("://");
    int at = seedUrl.lastIndexOf('@');
    return seedUrl.substring(0, scheme + 3) + (at > scheme ? seedUrl.substring(scheme + 3, at + 1) : "");
  }

  /** The master serving {@code slot}, or null while no master does (a failover under way). */
  public String masterOf(int slot) {
    return masterOfSlot[slot];
  }

  public String masterOf(String keyOrChannel) {
    return masterOf(HashSlot.of(keyOrChannel));
  }

  /** How many replicas (not failed) the master of {@code keyOrChannel}'s slot has. */
  public int replicasOf(String keyOrChannel) {
    return replicasOfSlot[HashSlot.of(keyOrChannel)];
  }

  /** Whether every slot has a master (the cluster can serve every channel). */
  public boolean complete() {
    for (String m : masterOfSlot) if (m == null) return false;
    return true;
  }

  public List<String> masters() {
    return new ArrayList<>(masters);
  }

  /** A channel name served by {@code master}, made from {@code base} (a probe that must travel through that node). */
  public String channelOn(String master, String base) {
    for (int i = 0; i < 10 * HashSlot.SLOTS; i++) {
      String channel = base + ":{" + i + "}";
      if (master.equals(masterOf(channel))) return channel;
    }
    throw new IllegalArgumentException(master + " serves no slot");
  }
}
