package com.wedsync.hub.security;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.PresenceDelta;
import com.wedsync.hub.channel.Access;
import com.wedsync.hub.history.History;
import com.wedsync.hub.history.Recovery;
import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.presence.LocalPresenceStore;
import com.wedsync.hub.presence.PresenceEntry;
import com.wedsync.hub.presence.PresenceStore;
import com.wedsync.hub.presence.PresenceTracker;
import com.wedsync.hub.presence.RedisPresenceStore;
import com.wedsync.hub.support.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.wedsync.hub.support.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The audience of a wedding event or presence, against the in-process and the Redis adapters (two nodes on one real
 * Redis): it stays with a durable event when history numbers it, delivers it to another node and replays it, and with
 * a presence in the store and in the deltas every node receives — so every node's delivery check, live or replayed,
 * sees the same audience the publisher gave. And the check itself: the couple sees what the couple may, a supplier's
 * member what any of its suppliers may, and a supplier's own presence the couple and its own team.
 */
class AudienceContractTest {
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  static final UUID S1 = UUID.randomUUID();
  static final UUID S2 = UUID.randomUUID();
  static final UUID S3 = UUID.randomUUID();

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void aDurableEventKeepsItsAudienceLiveOnEveryNodeAndInHistory(String adapter) throws Exception {
    TestNodes.Node one = nodes.node(adapter, "one");
    TestNodes.Node two = adapter.equals("local") ? one : nodes.node(adapter, "two");
    History history = nodes.history(one);
    String topic = "wedding:" + UUID.randomUUID();
    List<BusMessage> seen = new CopyOnWriteArrayList<>();
    two.bus().subscribe(topic, seen::add);
    await(two.bus().ready(topic));
    Thread.sleep(100); // Redis SUBSCRIBE is batched and asynchronous

    Audience coupleAndS1 = Audience.coupleAnd(List.of(S1));
    Audience s2s3 = Audience.suppliersOnly(List.of(S2, S3));
    await(history.publish(ChannelEvent.of(topic, "activity", new JsonObject().put("n", 1)).withAudience(coupleAndS1)));
    await(history.publish(ChannelEvent.of(topic, "wedding:updated", new JsonObject().put("n", 2)).withAudience(s2s3)));
    await(history.publish(ChannelEvent.of(topic, "wedding:updated", new JsonObject().put("n", 3))));
    long deadline = System.currentTimeMillis() + 10_000;
    while (seen.size() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(10);

    List<Audience> expected = java.util.Arrays.asList(coupleAndS1, s2s3, null);
    assertEquals(expected, seen.stream().map(m -> ((ChannelEvent) m).audience()).toList(), "live, on the other node");
    String epoch = await(history.top(topic)).epoch();
    History other = adapter.equals("local") ? history : nodes.history(two); // one process holds one history
    Recovery replay = await(other.since(topic, new StreamPosition(0, epoch)));
    assertTrue(replay.recovered());
    assertEquals(expected, replay.events().stream().map(ChannelEvent::audience).toList(), "replayed from history");
    assertEquals(List.of(1, 2, 3), replay.events().stream().map(e -> e.payload().getInteger("n")).toList());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void aPresenceKeepsWhoseSideItIsOnInTheStoreAndInItsDeltas(String adapter) throws Exception {
    TestNodes.Node one = nodes.node(adapter, "one");
    TestNodes.Node two = adapter.equals("local") ? one : nodes.node(adapter, "two");
    PresenceStore store = adapter.equals("local") ? new LocalPresenceStore()
        : new RedisPresenceStore(one.redisConnections(), "one", 15_000);
    PresenceTracker tracker = new PresenceTracker(store, one.bus(), "one");
    String topic = "wedding:" + UUID.randomUUID();
    List<PresenceDelta> deltas = new CopyOnWriteArrayList<>();
    two.bus().subscribe(topic, m -> deltas.add((PresenceDelta) m));
    await(two.bus().ready(topic));
    Thread.sleep(100);

    Audience s1 = Access.supplier("owner", Set.of(S1)).ownAudience();
    PresenceEntry supplier = await(tracker.track(topic, "sarah", "c1", new JsonObject(), null, s1));
    await(tracker.track(topic, "emma", "c2", new JsonObject(), null, Access.couple().ownAudience()));
    await(tracker.untrack(topic, supplier));
    long deadline = System.currentTimeMillis() + 10_000;
    while (deltas.size() < 3 && System.currentTimeMillis() < deadline) Thread.sleep(10);

    assertEquals(java.util.Arrays.asList(s1, null, s1), deltas.stream().map(PresenceDelta::audience).toList(),
        "joins and the leave carry it to every node");
    await(tracker.track(topic, "sarah", "c1", new JsonObject(), null, s1));
    assertEquals(Set.of("sarah", "emma"), await(tracker.state(topic, Access.couple()::sees)).fieldNames(), "couple");
    assertEquals(Set.of("sarah", "emma"), await(tracker.state(topic, Access.supplier("viewer", Set.of(S1, S2))::sees))
        .fieldNames(), "a member of S1 (and S2)");
    assertEquals(Set.of("emma"), await(tracker.state(topic, Access.supplier("owner", Set.of(S2))::sees))
        .fieldNames(), "a member of S2 only");
  }

  @Test
  void whoSeesWhat() {
    Audience coupleAndS1 = Audience.coupleAnd(List.of(S1));
    Audience s2 = Audience.suppliersOnly(List.of(S2));
    Access couple = Access.couple();
    Access ofS1 = Access.supplier("member", Set.of(S1));
    Access ofS2andS3 = Access.supplier("viewer", Set.of(S2, S3));
    Access ofNone = Access.supplier("owner", Set.of());
    Access self = new Access(true, true, "self", "self");

    for (Access a : List.of(couple, ofS1, ofS2andS3, ofNone, self)) assertTrue(a.sees(null), "no audience: everyone");
    assertTrue(couple.sees(coupleAndS1));
    assertFalse(couple.sees(s2), "meant for a supplier only");
    assertTrue(ofS1.sees(coupleAndS1));
    assertFalse(ofS1.sees(s2));
    assertTrue(ofS2andS3.sees(s2), "any of its suppliers");
    assertFalse(ofS2andS3.sees(coupleAndS1));
    assertFalse(ofNone.sees(coupleAndS1));
    assertFalse(self.sees(coupleAndS1), "no other side is let into a narrowed event");

    assertNull(couple.ownAudience(), "the couple is seen by everyone");
    assertEquals(Audience.coupleAnd(List.of(S2, S3)), ofS2andS3.ownAudience(), "a supplier by the couple and its own");
    assertEquals(coupleAndS1, Audience.fromJson(coupleAndS1.toJson()));
    assertNull(Audience.fromJson(null));
  }
}
