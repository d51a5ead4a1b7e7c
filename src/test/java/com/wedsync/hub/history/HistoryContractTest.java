package com.wedsync.hub.history;

import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.support.TestNodes;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static com.wedsync.hub.support.TestNodes.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link History} contract against both adapters (the Redis one on a real Redis, two nodes sharing it): offsets
 * assigned with publication and delivered in order with {@code meta}, reads since an offset, retention by count and by
 * age, a new epoch when history is lost, and {@code recovered:false} for a wrong epoch, a trimmed or a future offset.
 */
class HistoryContractTest {
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  private record Node(TestNodes.Node node, History history) {}

  private Node node(String adapter, String id, HubConfig.History retention) {
    TestNodes.Node n = nodes.node(adapter, id);
    return new Node(n, nodes.history(n, retention));
  }

  private static String topic() {
    return "form:" + UUID.randomUUID();
  }

  private static ChannelEvent event(String topic, int n) {
    return ChannelEvent.of(topic, "form:note", new JsonObject().put("n", n));
  }

  private static void publish(History h, String topic, int from, int to) {
    for (int i = from; i <= to; i++) await(h.publish(event(topic, i)));
  }

  private static List<Long> offsets(List<ChannelEvent> events) {
    return events.stream().map(e -> e.position().offset()).toList();
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 10_000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void publishNumbersEventsOneByOneAndDeliversThemWithMeta(String adapter) throws Exception {
    Node a = node(adapter, "a", TestNodes.RETENTION);
    String topic = topic();
    List<ChannelEvent> seen = new CopyOnWriteArrayList<>();
    a.node().bus().subscribe(topic, m -> seen.add((ChannelEvent) m));
    Thread.sleep(100); // Redis SUBSCRIBE is batched and asynchronous
    StreamPosition start = await(a.history().top(topic));
    assertEquals(0, start.offset(), "a channel with no durable event yet");
    List<StreamPosition> assigned = new ArrayList<>();
    for (int i = 1; i <= 5; i++) assigned.add(await(a.history().publish(event(topic, i))));
    eventually(() -> seen.size() == 5, "five events");
    Thread.sleep(100);
    assertEquals(5, seen.size(), "each event once");
    for (int i = 0; i < 5; i++) {
      JsonObject payload = seen.get(i).payload();
      assertEquals(i + 1, payload.getInteger("n"), "in publication order");
      assertEquals(new JsonObject().put("offset", i + 1L).put("epoch", start.epoch()), payload.getJsonObject("meta"));
      assertEquals(new StreamPosition(i + 1, start.epoch()), assigned.get(i));
    }
    assertEquals(new StreamPosition(5, start.epoch()), await(a.history().top(topic)));
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void sinceReturnsWhatFollowsOrSaysNotRecovered(String adapter) {
    Node a = node(adapter, "a", TestNodes.RETENTION);
    String topic = topic();
    publish(a.history(), topic, 1, 5);
    String epoch = await(a.history().top(topic)).epoch();

    Recovery r = await(a.history().since(topic, new StreamPosition(2, epoch)));
    assertTrue(r.recovered());
    assertEquals(List.of(3L, 4L, 5L), offsets(r.events()));
    assertEquals(List.of(3, 4, 5), r.events().stream().map(e -> e.payload().getInteger("n")).toList());
    assertEquals(new StreamPosition(5, epoch), r.top());

    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), offsets(await(a.history().since(topic, new StreamPosition(0, epoch)))
        .events()), "from the start");
    Recovery upToDate = await(a.history().since(topic, new StreamPosition(5, epoch)));
    assertTrue(upToDate.recovered(), "nothing missed is recovered");
    assertTrue(upToDate.events().isEmpty());

    Recovery future = await(a.history().since(topic, new StreamPosition(6, epoch)));
    assertFalse(future.recovered(), "an offset beyond the newest");
    assertTrue(future.events().isEmpty());
    assertEquals(new StreamPosition(5, epoch), future.top());
    Recovery otherEpoch = await(a.history().since(topic, new StreamPosition(2, epoch + "x")));
    assertFalse(otherEpoch.recovered(), "another epoch");
    assertTrue(otherEpoch.events().isEmpty());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void retentionByCountDropsOnlyEventsBeyondTheLastN(String adapter) {
    Node a = node(adapter, "a", new HubConfig.History(10, 0, 86_400_000));
    String topic = topic();
    publish(a.history(), topic, 1, 30);
    String epoch = await(a.history().top(topic)).epoch();
    Recovery kept = await(a.history().since(topic, new StreamPosition(20, epoch)));
    assertTrue(kept.recovered(), "the last 10 are kept");
    assertEquals(10, kept.events().size());
    assertEquals(21L, kept.events().get(0).position().offset());
    assertFalse(await(a.history().since(topic, new StreamPosition(19, epoch))).recovered(), "offset 20 is gone");
    assertFalse(await(a.history().since(topic, new StreamPosition(0, epoch))).recovered(), "too old");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void retentionByAgeKeepsEveryYoungEventBeyondTheCount(String adapter) throws Exception {
    Node a = node(adapter, "a", new HubConfig.History(5, 1500, 86_400_000));
    String topic = topic();
    publish(a.history(), topic, 1, 20);
    String epoch = await(a.history().top(topic)).epoch();
    Recovery young = await(a.history().since(topic, new StreamPosition(0, epoch)));
    assertTrue(young.recovered(), "20 events younger than keepMs are all kept, though keepEvents is 5");
    assertEquals(20, young.events().size());
    Thread.sleep(1700);
    publish(a.history(), topic, 21, 21); // trimming happens as events are added
    assertFalse(await(a.history().since(topic, new StreamPosition(0, epoch))).recovered(), "old ones beyond 5 gone");
    Recovery last = await(a.history().since(topic, new StreamPosition(16, epoch)));
    assertTrue(last.recovered(), "the last 5 stay, however old");
    assertEquals(List.of(17L, 18L, 19L, 20L, 21L), offsets(last.events()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void lostHistoryStartsANewEpoch(String adapter) throws Exception {
    HubConfig.History retention = new HubConfig.History(300, 0, 1000);
    Node a = node(adapter, "a", retention);
    String topic = topic();
    publish(a.history(), topic, 1, 3);
    StreamPosition before = await(a.history().top(topic));

    // Lost: a fresh in-process store (a restarted node), or the Redis keys gone.
    History after;
    if (adapter.equals("local")) {
      after = nodes.history(a.node(), retention);
    } else {
      for (String key : RedisHistory.keys(topic)) {
        await(a.node().redisConnections().send(Request.cmd(Command.DEL).arg(key)));
      }
      after = a.history();
    }
    StreamPosition fresh = await(after.top(topic));
    assertEquals(0, fresh.offset());
    assertNotEquals(before.epoch(), fresh.epoch(), "a new epoch");
    assertFalse(await(after.since(topic, before)).recovered(), "the old position cannot be recovered");
    assertEquals(new StreamPosition(1, fresh.epoch()), await(after.publish(event(topic, 4))), "offsets start over");

    // Idle: no publication for idleTtlMs forgets the channel too.
    Thread.sleep(1300);
    if (after instanceof LocalHistory local) local.sweep(System.currentTimeMillis());
    StreamPosition idle = await(after.top(topic));
    assertEquals(0, idle.offset());
    assertNotEquals(fresh.epoch(), idle.epoch());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void concurrentPublishersStillDeliverInOffsetOrderEverywhere(String adapter) throws Exception {
    Node a = node(adapter, "node-a", TestNodes.RETENTION);
    Node b = adapter.equals("local") ? a : node(adapter, "node-b", TestNodes.RETENTION);
    String topic = topic();
    List<Long> onA = new CopyOnWriteArrayList<>(), onB = new CopyOnWriteArrayList<>();
    a.node().bus().subscribe(topic, m -> onA.add(((ChannelEvent) m).position().offset()));
    b.node().bus().subscribe(topic, m -> onB.add(((ChannelEvent) m).position().offset()));
    Thread.sleep(150);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    for (int t = 0; t < 4; t++) {
      History h = t % 2 == 0 ? a.history() : b.history();
      pool.submit(() -> {
        for (int i = 0; i < 100; i++) h.publish(event(topic, i));
      });
    }
    pool.shutdown();
    assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
    eventually(() -> onA.size() >= 400 && onB.size() >= 400, "400 events on both nodes");
    Thread.sleep(100);
    List<Long> expected = new ArrayList<>();
    for (long i = 1; i <= 400; i++) expected.add(i);
    assertEquals(expected, onA, "node a: every offset once, in order");
    assertEquals(expected, onB, "node b: every offset once, in order");
  }
}
