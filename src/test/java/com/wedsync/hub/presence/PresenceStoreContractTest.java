package com.wedsync.hub.presence;

import com.wedsync.hub.support.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link PresenceStore} contract, against the in-process and the Redis adapter. */
class PresenceStoreContractTest {
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  private PresenceStore store(String adapter, String node, long ttlMs) {
    if (adapter.equals("local")) return new LocalPresenceStore();
    TestNodes.Node n = nodes.node(adapter, node);
    RedisPresenceStore s = new RedisPresenceStore(n.redisConnections(), node, ttlMs);
    s.start(n.vertx());
    lastNode = n;
    return s;
  }

  private TestNodes.Node lastNode;

  static <T> T await(Future<T> f) {
    return TestNodes.await(f);
  }

  private static PresenceEntry entry(String key, String ref, String node) {
    return new PresenceEntry(key, ref, new JsonObject().put("phx_ref", ref).put("status", "active"), "conn-" + ref,
        node);
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void putListRemove(String adapter) throws Exception {
    PresenceStore s = store(adapter, "n1", 15_000);
    String topic = "form:" + UUID.randomUUID();
    await(s.put(topic, entry("emma", "r1", "n1")));
    await(s.put(topic, entry("emma", "r2", "n1")));
    await(s.put(topic, entry("sarah", "r3", "n1")));
    List<PresenceEntry> all = await(s.list(topic));
    assertEquals(3, all.size());
    assertEquals("active", all.get(0).meta().getString("status"));
    PresenceEntry removed = await(s.remove(topic, "emma", "r1"));
    assertEquals("r1", removed.ref());
    assertEquals("conn-r1", removed.connectionId());
    assertNull(await(s.remove(topic, "emma", "r1")), "removing twice finds nothing");
    assertEquals(List.of("r2", "r3"), await(s.list(topic)).stream().map(PresenceEntry::ref).sorted().toList());
    assertTrue(await(s.list("form:" + UUID.randomUUID())).isEmpty(), "other topics are empty");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void aDeadNodesEntriesAreRemovedAndReturned(String adapter) throws Exception {
    PresenceStore s = store(adapter, "n1", 15_000);
    String t1 = "form:" + UUID.randomUUID(), t2 = "wedding:" + UUID.randomUUID();
    await(s.put(t1, entry("emma", "a", "dead")));
    await(s.put(t2, entry("emma", "b", "dead")));
    await(s.put(t1, entry("sarah", "c", "alive")));
    if (adapter.equals("redis")) {
      // entries written by the dead node itself, through its own store
      PresenceStore dead = store(adapter, "dead", 15_000);
      await(dead.put(t1, entry("emma", "a", "dead")));
      await(dead.put(t2, entry("emma", "b", "dead")));
    }
    Map<String, List<PresenceEntry>> removed = await(s.removeNode("dead"));
    assertEquals(List.of("a"), removed.get(t1).stream().map(PresenceEntry::ref).toList());
    assertEquals(List.of("b"), removed.get(t2).stream().map(PresenceEntry::ref).toList());
    assertEquals(List.of("c"), await(s.list(t1)).stream().map(PresenceEntry::ref).toList());
    assertTrue(await(s.list(t2)).isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis"})
  void entriesNobodyRefreshesExpireAndRefreshedOnesStay(String adapter) throws Exception {
    PresenceStore living = store(adapter, "living", 1500);
    PresenceStore dying = store(adapter, "dying", 1500);
    TestNodes.Node dyingNode = lastNode;
    String topic = "form:" + UUID.randomUUID();
    await(living.put(topic, entry("emma", "kept", "living")));
    await(dying.put(topic, entry("sarah", "lost", "dying")));
    // the dying node stops: its Vert.x (and so its refresh timer) goes away
    nodes.stop(dyingNode);
    Thread.sleep(2500);
    assertEquals(List.of("kept"), await(living.list(topic)).stream().map(PresenceEntry::ref).toList());
  }
}
