package com.wedsync.hub.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code cluster.redisMode}, {@code cluster.redisNodes} and {@code cluster.redisWaitReplicas}. */
class RedisTopologyConfigTest {

  @Test
  void oneRedisByDefault() {
    HubConfig.Cluster c = HubConfig.load(Map.of()).cluster();
    assertFalse(c.redisCluster());
    assertEquals(List.of(), c.redisNodes());
    assertEquals(0, c.redisWaitReplicas());
    assertFalse(c.sharded());
  }

  @Test
  void aRedisClusterFromSeedNodesInTheEnvironment() {
    HubConfig.Cluster c = HubConfig.load(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "cluster",
        "WEDSYNC_HUB_CLUSTER_REDIS_NODES", "redis://10.0.0.1:7000, redis://10.0.0.2:7000",
        "WEDSYNC_HUB_CLUSTER_REDIS_WAIT_REPLICAS", "1")).cluster();
    assertTrue(c.redisCluster());
    assertEquals(List.of("redis://10.0.0.1:7000", "redis://10.0.0.2:7000"), c.redisNodes());
    assertEquals(1, c.redisWaitReplicas());
    assertTrue(c.sharded(), "pub/sub on a Redis Cluster is sharded, whatever cluster.sharded says");
    HubConfig.Cluster json = HubConfig.load(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "cluster",
        "WEDSYNC_HUB_CLUSTER_REDIS_NODES", "[\"rediss://user:secret@redis-0.example:6380\"]")).cluster();
    assertEquals(List.of("rediss://user:secret@redis-0.example:6380"), json.redisNodes());
  }

  @Test
  void withoutSeedNodesTheRedisUrlIsTheSeed() {
    HubConfig.Cluster c = HubConfig.load(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "cluster",
        "WEDSYNC_HUB_CLUSTER_REDIS_URL", "redis://10.0.0.9:7001")).cluster();
    assertEquals(List.of("redis://10.0.0.9:7001"), c.redisNodes());
  }

  @Test
  void mistakesNameTheKey() {
    assertMessage(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "sentinel"), "cluster.redisMode");
    assertMessage(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_NODES", "10.0.0.1:7000"),
        "cluster.redisNodes[0]");
    assertMessage(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_NODES", "redis://10.0.0.1:7000"), "cluster.redisNodes");
    assertMessage(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_MODE", "cluster", "WEDSYNC_HUB_CLUSTER_REDIS_NODES", "[7000]"),
        "cluster.redisNodes[0]");
    assertMessage(Map.of("WEDSYNC_HUB_CLUSTER_REDIS_WAIT_REPLICAS", "-1"), "cluster.redisWaitReplicas");
  }

  private static void assertMessage(Map<String, String> env, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.load(env));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }
}
