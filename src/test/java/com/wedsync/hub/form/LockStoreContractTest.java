package com.wedsync.hub.form;

import com.wedsync.hub.support.TestNodes;
import io.vertx.core.Future;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@link LockStore} contract, against the in-process and the Redis adapter. */
class LockStoreContractTest {
  static final UUID EMMA = UUID.randomUUID(), SARAH = UUID.randomUUID();
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  private LockStore store(String adapter) {
    if (adapter.equals("local")) return new LocalLockStore();
    return new RedisLockStore(nodes.node(adapter, "n" + UUID.randomUUID()).redisConnections());
  }

  static <T> T await(Future<T> f) {
    return TestNodes.await(f);
  }

  private static Lease wanted(UUID form, String field, UUID user, String conn, boolean soft) {
    return new Lease(form, field, 0, user, user == EMMA ? "Emma" : "Sarah", conn, "node", 0, soft);
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void exclusiveLeasesWithIncreasingFencingTokens(String adapter) throws Exception {
    LockStore s = store(adapter);
    UUID form = UUID.randomUUID();
    LockStore.Grant emma = await(s.acquire(wanted(form, "guest_count", EMMA, "c1", false), 30_000));
    assertTrue(emma.granted());
    assertEquals(1, emma.lease().token());
    assertTrue(emma.lease().expiresAt() > System.currentTimeMillis() + 29_000);
    LockStore.Grant sarah = await(s.acquire(wanted(form, "guest_count", SARAH, "c2", false), 30_000));
    assertFalse(sarah.granted(), "another user's live lease refuses");
    assertEquals(EMMA, sarah.lease().userId());
    assertEquals(emma.lease().token(), await(s.holder(form, "guest_count")).token());
    LockStore.Grant again = await(s.acquire(wanted(form, "guest_count", EMMA, "c3", false), 30_000));
    assertTrue(again.granted(), "the holder re-locking replaces their own lease");
    assertEquals(2, again.lease().token());
    assertEquals(1, again.replaced().token());
    assertEquals(2L, await(s.latestToken(form, "guest_count")));
    assertNull(await(s.renew(form, "guest_count", 1, 30_000)), "an old token renews nothing");
    assertNotNull(await(s.renew(form, "guest_count", 2, 30_000)));
    assertNull(await(s.release(form, "guest_count", 1)));
    assertEquals(2, await(s.release(form, "guest_count", 2)).token());
    assertNull(await(s.holder(form, "guest_count")));
    LockStore.Grant next = await(s.acquire(wanted(form, "guest_count", SARAH, "c2", false), 30_000));
    assertEquals(3, next.lease().token(), "tokens only increase");
    assertEquals(0L, await(s.latestToken(form, "other")));
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void softLeasesCoexistAndConnectionsReleaseWhatTheyHold(String adapter) throws Exception {
    LockStore s = store(adapter);
    UUID form = UUID.randomUUID();
    assertTrue(await(s.acquire(wanted(form, "notes", EMMA, "c1", true), 30_000)).granted());
    assertTrue(await(s.acquire(wanted(form, "notes", SARAH, "c2", true), 30_000)).granted());
    assertTrue(await(s.acquire(wanted(form, "venue", EMMA, "c1", false), 30_000)).granted());
    assertEquals(3, await(s.leases(form)).size());
    assertNull(await(s.holder(form, "notes")), "soft leases hold nothing exclusively");
    List<Lease> released = await(s.releaseConnection(form, "c1"));
    assertEquals(List.of("notes", "venue"), released.stream().map(Lease::field).sorted().toList());
    assertEquals(List.of("c2"), await(s.leases(form)).stream().map(Lease::connectionId).toList());
    Lease broken = await(s.breakLock(form, "venue"));
    assertNull(broken, "nothing left to break");
    assertTrue(await(s.acquire(wanted(form, "venue", SARAH, "c2", false), 30_000)).granted());
    assertEquals(SARAH, await(s.breakLock(form, "venue")).userId());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void expiredLeasesAreReleasedExactlyOnce(String adapter) throws Exception {
    LockStore a = store(adapter);
    LockStore b = adapter.equals("local") ? a : store(adapter); // two nodes racing over one Redis
    UUID form = UUID.randomUUID();
    await(a.acquire(wanted(form, "f1", EMMA, "c1", false), 300));
    await(a.acquire(wanted(form, "f2", EMMA, "c1", false), 60_000));
    Thread.sleep(400);
    assertNull(await(a.renew(form, "f1", 1, 30_000)), "a lapsed lease cannot be renewed");
    long now = System.currentTimeMillis();
    List<Lease> fromA = new ArrayList<>(), fromB = new ArrayList<>();
    var fa = a.expire(now).onSuccess(fromA::addAll);
    var fb = b.expire(now).onSuccess(fromB::addAll);
    await(Future.all(fa, fb));
    List<Lease> all = new ArrayList<>(fromA);
    all.addAll(fromB);
    assertEquals(List.of("f1"), all.stream().map(Lease::field).toList(), "released once, by one node");
    assertTrue(await(a.expire(System.currentTimeMillis())).isEmpty());
    assertEquals("f2", await(a.holder(form, "f2")).field());
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis"})
  void theSameLockIsNeverHeldTwiceUnderAConcurrentStorm(String adapter) throws Exception {
    List<LockStore> nodes = List.of(store(adapter), store(adapter), store(adapter));
    UUID form = UUID.randomUUID();
    List<Future<LockStore.Grant>> grants = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      UUID user = UUID.randomUUID();
      grants.add(nodes.get(i % 3).acquire(wanted(form, "hot", user, "c" + i, false), 30_000));
    }
    await(Future.join(grants));
    long granted = grants.stream().filter(g -> g.result().granted()).count();
    assertEquals(1, granted, "exactly one of 60 concurrent requests from three nodes holds the lock");
  }

  /**
   * Redis restarted without persistence comes back empty: once the node's subscriber has reconnected, the leases it
   * granted are back with their tokens — the holder can renew, another user is still refused, and the next grant's
   * token is higher than the restored one. A lease that ended before the loss is not brought back.
   */
  @ParameterizedTest
  @ValueSource(strings = {"redis"}) // the in-process store cannot lose its state under a running node
  void leasesComeBackAfterRedisLostItsData(String adapter) throws Exception {
    TestNodes.Node node = nodes.node(adapter, "n" + UUID.randomUUID());
    LockStore s = new RedisLockStore(node.redisConnections());
    UUID form = UUID.randomUUID();
    Lease hard = await(s.acquire(wanted(form, "guest_count", EMMA, "c1", false), 30_000)).lease();
    Lease soft = await(s.acquire(wanted(form, "notes", SARAH, "c2", true), 30_000)).lease();
    Lease ended = await(s.acquire(wanted(form, "venue", EMMA, "c1", false), 30_000)).lease();
    await(s.release(form, "venue", ended.token()));

    await(node.redisConnections().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.FLUSHALL)));
    assertNull(await(s.holder(form, "guest_count")), "the data is gone");
    // The subscriber connection drops as it would with the restart; its reconnection restores the leases.
    await(node.redisConnections().send(io.vertx.redis.client.Request.cmd(io.vertx.redis.client.Command.CLIENT)
        .arg("KILL").arg("TYPE").arg("pubsub")));
    long deadline = System.currentTimeMillis() + 10_000;
    while (await(s.holder(form, "guest_count")) == null) {
      assertTrue(System.currentTimeMillis() < deadline, "the lease was not restored within 10 s");
      Thread.sleep(50);
    }
    assertEquals(hard.token(), await(s.holder(form, "guest_count")).token());
    assertEquals(hard.token(), (long) await(s.latestToken(form, "guest_count")));
    assertEquals(List.of("guest_count", "notes"), await(s.leases(form)).stream().map(Lease::field).sorted().toList(),
        "both live leases back, the released one not");
    assertEquals(soft.token(), await(s.leases(form)).stream().filter(l -> l.field().equals("notes")).findFirst()
        .orElseThrow().token());
    assertFalse(await(s.acquire(wanted(form, "guest_count", SARAH, "c2", false), 30_000)).granted(),
        "the restored lease still refuses another user");
    assertNotNull(await(s.renew(form, "guest_count", hard.token(), 30_000)), "the holder renews with its token");
    await(s.release(form, "guest_count", hard.token()));
    assertTrue(await(s.acquire(wanted(form, "guest_count", SARAH, "c2", false), 30_000)).lease().token()
        > hard.token(), "tokens keep increasing after the restore");
  }
}
