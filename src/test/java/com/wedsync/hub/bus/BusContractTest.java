package com.wedsync.hub.bus;

import com.wedsync.hub.support.TestNodes;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link Bus} contract, run against both adapters. For Redis, two nodes (each its own Vert.x and RedisBus) share
 * one real Redis: what one publishes reaches the other's subscribers exactly once, and its own exactly once.
 */
class BusContractTest {
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  private Bus node(String adapter, String nodeId) {
    return nodes.node(adapter, nodeId).bus();
  }

  private static ChannelEvent event(String topic, int n) {
    return ChannelEvent.of(topic, "e", new JsonObject().put("n", n));
  }

  private static void eventually(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.currentTimeMillis() + 5000;
    while (!condition.getAsBoolean()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("timed out waiting for " + what);
      Thread.sleep(10);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void subscribersGetEveryMessageOnceInOrderAndNothingAfterCancelling(String adapter) throws Exception {
    Bus bus = node(adapter, "a");
    List<Integer> first = new CopyOnWriteArrayList<>(), second = new CopyOnWriteArrayList<>(),
        other = new CopyOnWriteArrayList<>();
    Bus.Registration r1 = bus.subscribe("form:1", m -> first.add(((ChannelEvent) m).payload().getInteger("n")));
    bus.subscribe("form:1", m -> second.add(((ChannelEvent) m).payload().getInteger("n")));
    bus.subscribe("form:2", m -> other.add(((ChannelEvent) m).payload().getInteger("n")));
    Thread.sleep(50);
    for (int i = 0; i < 100; i++) bus.publish(event("form:1", i));
    eventually(() -> first.size() == 100 && second.size() == 100, "100 messages on both subscribers");
    Thread.sleep(100);
    assertEquals(100, first.size(), "exactly once");
    for (int i = 0; i < 100; i++) assertEquals(i, first.get(i), "in order");
    assertTrue(other.isEmpty(), "other topics see nothing");
    r1.cancel();
    bus.publish(event("form:1", 100));
    eventually(() -> second.size() == 101, "the remaining subscriber");
    Thread.sleep(100);
    assertEquals(100, first.size(), "a cancelled subscription gets nothing more");
  }

  /**
   * What a join relies on: once {@code ready} completes, a message another node publishes reaches this node's new
   * subscriber (no sleep to let the subscription settle — that is the point). Fresh topics each round, so every round
   * is a node's first subscriber of its topic.
   */
  @ParameterizedTest
  @ValueSource(strings = {"redis"}) // in-process "nodes" share nothing; in one process ready is immediate
  void aSubscriptionReadyOnOneNodeGetsWhatAnotherPublishesRightAfter(String adapter) throws Exception {
    Bus a = node(adapter, "publisher");
    Bus b = node(adapter, "subscriber");
    for (int round = 0; round < 30; round++) {
      String topic = "user:ready-" + round;
      List<Integer> got = new CopyOnWriteArrayList<>();
      b.subscribe(topic, m -> got.add(((ChannelEvent) m).payload().getInteger("n")));
      b.ready(topic).toCompletionStage().toCompletableFuture().get(5, java.util.concurrent.TimeUnit.SECONDS);
      a.publish(event(topic, round));
      int expected = round;
      eventually(() -> got.equals(List.of(expected)), "round " + round + ": the message published right after ready");
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis"})
  void nodesSeeEachOthersMessagesExactlyOnce(String adapter) throws Exception {
    Bus a = node(adapter, "node-a");
    Bus b = node(adapter, "node-b");
    List<String> onA = new CopyOnWriteArrayList<>(), onB = new CopyOnWriteArrayList<>();
    a.subscribe("wedding:9", m -> onA.add(m.getClass().getSimpleName() + ":" + m.topic()));
    b.subscribe("wedding:9", m -> onB.add(m.getClass().getSimpleName() + ":" + m.topic()));
    Thread.sleep(100); // SUBSCRIBE is batched and asynchronous
    a.publish(event("wedding:9", 1));
    b.publish(new PresenceDelta("wedding:9", "k", List.of(new JsonObject().put("phx_ref", "r")), List.of()));
    a.publish(new ControlEvent("wedding:9", "local-only", new JsonObject()));
    eventually(() -> onA.size() >= 3 && onB.size() >= 2, "cross-node delivery");
    Thread.sleep(200);
    assertEquals(List.of("ChannelEvent:wedding:9", "ControlEvent:wedding:9", "PresenceDelta:wedding:9"),
        onA.stream().sorted().toList(), "node a: its own event and b's presence once each, its control event");
    assertEquals(List.of("ChannelEvent:wedding:9", "PresenceDelta:wedding:9"), onB.stream().sorted().toList(),
        "node b: a's event once, its own presence once, never a's control event");
  }
}
