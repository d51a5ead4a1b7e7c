package com.wedsync.hub.config;

import java.util.List;

/**
 * What kind of Redis the cluster mode talks to: one server ({@code cluster.redisMode=standalone}, at
 * {@code cluster.redisUrl}) or a Redis Cluster ({@code cluster}), reached through seed nodes
 * ({@code cluster.redisNodes}, or {@code cluster.redisUrl} when that list is empty) from which the client learns the
 * rest of the cluster.
 */
record RedisTopology(boolean cluster, List<String> nodes) {

  static RedisTopology read(ConfigSource c, String redisUrl) {
    String mode = c.string("cluster.redisMode").toLowerCase();
    List<String> nodes = c.strings("cluster.redisNodes");
    switch (mode) {
      case "standalone" -> {
        if (!nodes.isEmpty()) {
          throw new ConfigException("cluster.redisNodes", "seed nodes are for cluster.redisMode=cluster; "
              + "a standalone Redis is cluster.redisUrl (got " + nodes + ")");
        }
        return new RedisTopology(false, List.of());
      }
      case "cluster" -> {
        List<String> seeds = nodes.isEmpty() ? List.of(redisUrl) : nodes;
        for (int i = 0; i < seeds.size(); i++) {
          if (!seeds.get(i).matches("rediss?://[^/]+:\\d+/?")) {
            throw new ConfigException(nodes.isEmpty() ? "cluster.redisUrl" : "cluster.redisNodes[" + i + "]",
                "a Redis Cluster seed node is redis://host:port (or rediss://, with user:password@ if needed), got '"
                    + seeds.get(i) + "'");
          }
        }
        return new RedisTopology(true, List.copyOf(seeds));
      }
      default -> throw new ConfigException("cluster.redisMode", "expected 'standalone' or 'cluster', got '"
          + c.string("cluster.redisMode") + "'");
    }
  }
}
