package com.wedsync.hub.history;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * History recovery over real sockets (docs/protocol.md §7, docs/protocol.md §2 {@code since}), in embedded mode
 * and in cluster mode (two hub nodes in this JVM sharing one real Redis and PostgreSQL): a client cut off while
 * hundreds of durable events flow rejoins with {@code since} and ends with exactly the events a client that stayed
 * saw, in the same order, also while events keep flowing during the rejoin; a wrong epoch, an offset history no
 * longer has, or one in the future gets {@code recovered:false} and no replay.
 */
class RecoveryTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");   // couple partner
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");  // supplier owner
  static final Duration WAIT = Duration.ofSeconds(20);
  /** Fewer than the events in {@link #tooOldWrongEpochAndFutureOffsetsAreNotRecovered}, more than a rejoin misses. */
  static final int KEEP_EVENTS = 600;

  static final String[] FIELDS = {"f0:text", "f1:text", "f2:text", "f3:text", "f4:text", "f5:text", "f6:text",
      "f7:text"};
  static final Map<String, List<TestHub>> hubs = new HashMap<>();
  static TestRedis redis;

  /** Node 0 and node 1 of a mode; in embedded mode both are the one hub. */
  static List<TestHub> hubs(String mode) {
    return hubs.computeIfAbsent(mode, m -> {
      Map<String, String> env = new HashMap<>(Map.of("WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "100000",
          "WEDSYNC_HUB_SOCKET_RATE_BURST", "100000", "WEDSYNC_HUB_HISTORY_KEEP_EVENTS", String.valueOf(KEEP_EVENTS),
          "WEDSYNC_HUB_HISTORY_KEEP_MS", "0", "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200"));
      if (m.equals("embedded")) {
        TestHub one = TestHub.start(env);
        return List.of(one, one);
      }
      if (redis == null) redis = TestRedis.start();
      env.put("WEDSYNC_HUB_CLUSTER_MODE", "cluster");
      env.put("WEDSYNC_HUB_CLUSTER_REDIS_URL", redis.url());
      return List.of(TestHub.start(env), TestHub.start(env));
    });
  }

  @AfterAll
  static void stop() {
    hubs.values().forEach(list -> list.stream().distinct().forEach(TestHub::close));
    if (redis != null) redis.close();
  }

  static String topic(UUID form) {
    return "realtime:form:" + form;
  }

  static Predicate<JsonArray> durable(String topic) {
    // Durable events carry their history position in meta (broadcasts carry only meta.sender).
    return a -> topic.equals(a.getString(2)) && a.getValue(4) instanceof JsonObject p
        && p.getJsonObject("meta") != null && p.getJsonObject("meta").containsKey("offset");
  }

  static long offset(JsonArray frame) {
    return frame.getJsonObject(4).getJsonObject("meta").getLong("offset");
  }

  static JsonObject ok(JsonObject reply) {
    assertEquals("ok", reply.getString("status"), reply.encode());
    return reply.getJsonObject("response");
  }

  /**
   * A writer: each op is a durable event (field:changed, and notes every tenth), with broadcasts in between; up to
   * {@link #FIELDS} in flight, one per field (racing sets of one field would only measure contention).
   */
  static void write(WsClient writer, String topic, int from, int to) {
    List<String> refs = new ArrayList<>();
    for (int i = from; i < to; i++) {
      String ref = writer.nextRef();
      refs.add(ref);
      String joinRef = "w";
      if (i % 10 == 0) {
        writer.send(joinRef, ref, topic, "form:note", new JsonObject().put("text", "note " + i)
            .put("op_id", "note-" + UUID.randomUUID()));
      } else {
        writer.send(joinRef, ref, topic, "field:set", new JsonObject().put("field", "f" + (i % FIELDS.length)).put("value", "v" + i)
            .put("force", true).put("op_id", "set-" + UUID.randomUUID()));
      }
      if (i % 25 == 0) {
        writer.send(joinRef, null, topic, "broadcast", new JsonObject().put("type", "broadcast")
            .put("event", "cursor").put("payload", new JsonObject().put("i", i)));
      }
      if (refs.size() >= FIELDS.length) ok(writer.replyTo(refs.remove(0)));
    }
    for (String ref : refs) ok(writer.replyTo(ref));
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Publishes a marker note and waits until every client has it (leaving it in place); returns its offset. */
  static long marker(WsClient writer, String topic, String text, WsClient... clients) {
    ok(writer.request(topic, "form:note", new JsonObject().put("text", text).put("op_id", "m-" + UUID.randomUUID())));
    long offset = -1;
    for (WsClient c : clients) {
      long deadline = System.currentTimeMillis() + WAIT.toMillis();
      List<JsonArray> seen;
      while ((seen = c.received(a -> durable(topic).test(a) && "form:note".equals(a.getString(3))
          && text.equals(a.getJsonObject(4).getString("text")))).isEmpty()) {
        if (System.currentTimeMillis() > deadline) throw new AssertionError("marker " + text + " never arrived");
        sleep(10);
      }
      offset = offset(seen.get(0));
    }
    return offset;
  }

  /** Waits until no durable event has reached the client for a while (write-behind saves included); the last offset. */
  static long settle(WsClient c, String topic) {
    int before = -1;
    List<JsonArray> seen = c.received(durable(topic));
    while (seen.size() != before) {
      before = seen.size();
      sleep(800);
      seen = c.received(durable(topic));
    }
    return offset(seen.get(seen.size() - 1));
  }

  static List<JsonArray> durableUpTo(WsClient c, String topic, long after, long upTo) {
    List<JsonArray> out = new ArrayList<>();
    for (JsonArray a : c.received(durable(topic))) {
      long o = offset(a);
      if (o > after && o <= upTo) out.add(a);
    }
    return out;
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "cluster"})
  void aRejoiningClientGetsExactlyWhatAnotherSawInOrder(String mode) throws Exception {
    List<TestHub> nodes = hubs(mode);
    UUID form = TestForms.create("recovery " + mode, FIELDS);
    String topic = topic(form);
    try (WsClient a = nodes.get(0).connect(SARAH); WsClient b = nodes.get(1).connect(EMMA);
         WsClient writer = nodes.get(0).connect(EMMA)) {
      JsonObject joinedA = ok(a.join(topic));
      assertFalse(joinedA.getBoolean("recovered"), "a join without since recovers nothing");
      assertNotNull(joinedA.getString("epoch"), "the join reply says where the channel stands");
      long startA = joinedA.getLong("offset");
      String epoch = joinedA.getString("epoch");
      ok(b.join(topic));
      ok(writer.join(topic));

      write(writer, topic, 0, 20);
      long first = marker(writer, topic, "b-connected", a, b);
      sleep(300); // let some write-behind field:saved arrive too
      List<JsonArray> seenByB = b.received(durable(topic));
      long last = seenByB.isEmpty() ? first : Math.max(first, offset(seenByB.get(seenByB.size() - 1)));
      JsonObject since = new JsonObject().put("offset", last).put("epoch", epoch);
      b.close();

      write(writer, topic, 20, 270);
      long midway = marker(writer, topic, "b-away", a);
      assertTrue(midway - last > 250, "B missed at least 250 durable events, got " + (midway - last));

      // B comes back (in cluster mode on the other node) while the writer keeps going.
      CompletableFuture<Void> more = CompletableFuture.runAsync(() -> write(writer, topic, 270, 520));
      sleep(20);
      try (WsClient b2 = nodes.get(0).connect(EMMA)) {
        JsonObject rejoined = ok(b2.join(topic, new JsonObject().put("since", since)));
        assertTrue(rejoined.getBoolean("recovered"), rejoined.encode());
        assertEquals(epoch, rejoined.getString("epoch"));
        assertTrue(rejoined.getLong("offset") >= midway, rejoined.encode());
        more.get(60, TimeUnit.SECONDS);
        long end = marker(writer, topic, "end", a, b2);
        sleep(300);

        List<JsonArray> onA = durableUpTo(a, topic, last, end);
        List<JsonArray> onB = durableUpTo(b2, topic, last, end);
        List<Long> every = new ArrayList<>();
        for (long o = last + 1; o <= end; o++) every.add(o);
        assertEquals(every, onA.stream().map(RecoveryTest::offset).toList(), "A saw every offset once, in order");
        assertEquals(every, onB.stream().map(RecoveryTest::offset).toList(),
            "B: the missed events, then live ones, no gap, no duplicate");
        for (int i = 0; i < onA.size(); i++) {
          assertEquals(onA.get(i).getString(3), onB.get(i).getString(3));
          assertEquals(onA.get(i).getJsonObject(4), onB.get(i).getJsonObject(4), "same payload at " + every.get(i));
        }
        assertTrue(b2.received(f -> topic.equals(f.getString(2)) && "broadcast".equals(f.getString(3))).stream()
                .allMatch(f -> f.getJsonObject(4).getJsonObject("payload").getInteger("i") >= 270),
            "broadcasts are ephemeral: never replayed");
        assertTrue(a.received(f -> topic.equals(f.getString(2)) && "broadcast".equals(f.getString(3))).stream()
            .allMatch(f -> f.getJsonObject(4).getJsonObject("meta").fieldNames().equals(java.util.Set.of("sender"))),
            "ephemeral events carry no history position (broadcasts only their sender)");
        assertTrue(startA < last);
      }
      String metrics = nodes.get(0).request(HttpMethod.GET, "/metrics", null, null).body();
      assertTrue(metrics.contains("hub_recoveries_total{recovered=\"true\"}"), metrics);
    }
  }

  /**
   * No gap between the history a join reads and the live events after it, also for a node's first subscriber of a
   * channel in a cluster: an event published on the other node right after the join reply must arrive. Fresh forms,
   * so each round is node 1's first subscription to its topic.
   */
  @ParameterizedTest
  @ValueSource(strings = {"embedded", "cluster"})
  void anEventPublishedRightAfterAJoinReachesTheNewSubscriber(String mode) {
    List<TestHub> nodes = hubs(mode);
    try (WsClient writer = nodes.get(0).connect(SARAH); WsClient reader = nodes.get(1).connect(EMMA)) {
      for (int round = 0; round < 20; round++) {
        String topic = topic(TestForms.create("first subscriber " + mode + " " + round, FIELDS));
        ok(writer.join(topic));
        ok(reader.join(topic));
        String value = "right after " + round;
        ok(writer.request(topic, "field:set", new JsonObject().put("field", "f0").put("value", value)
            .put("force", true).put("op_id", "after-join-" + UUID.randomUUID())));
        reader.await(f -> topic.equals(f.getString(2)) && "field:changed".equals(f.getString(3))
            && value.equals(f.getJsonObject(4).getValue("value")), WAIT);
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded", "cluster"})
  void tooOldWrongEpochAndFutureOffsetsAreNotRecovered(String mode) {
    List<TestHub> nodes = hubs(mode);
    UUID form = TestForms.create("not recovered " + mode, FIELDS);
    String topic = topic(form);
    try (WsClient writer = nodes.get(0).connect(EMMA)) {
      JsonObject joined = ok(writer.join(topic));
      String epoch = joined.getString("epoch");
      write(writer, topic, 1, KEEP_EVENTS + 100);
      marker(writer, topic, "top", writer);
      long top = settle(writer, topic);

      try (WsClient b = nodes.get(1).connect(EMMA)) {
        JsonObject tooOld = ok(b.join(topic, new JsonObject().put("since",
            new JsonObject().put("offset", 1).put("epoch", epoch))));
        assertFalse(tooOld.getBoolean("recovered"), "offset 2 is no longer kept: " + tooOld.encode());
        assertEquals(top, tooOld.getLong("offset"));
        assertEquals(epoch, tooOld.getString("epoch"));
        b.assertNone(durable(topic), Duration.ofMillis(300));

        JsonObject kept = ok(b.join(topic, new JsonObject().put("since",
            new JsonObject().put("offset", top - 10).put("epoch", epoch))));
        assertTrue(kept.getBoolean("recovered"), "the newest are kept");
        long deadline = System.currentTimeMillis() + 10_000;
        while (b.received(durable(topic)).size() < 10 && System.currentTimeMillis() < deadline) sleep(20);
        assertEquals(List.of(top - 9, top - 8, top - 7, top - 6, top - 5, top - 4, top - 3, top - 2, top - 1, top),
            b.received(durable(topic)).stream().map(RecoveryTest::offset).toList());
      }
      for (JsonObject since : List.of(new JsonObject().put("offset", top - 10).put("epoch", "not-" + epoch),
          new JsonObject().put("offset", top + 5).put("epoch", epoch))) {
        try (WsClient b = nodes.get(1).connect(EMMA)) {
          JsonObject r = ok(b.join(topic, new JsonObject().put("since", since)));
          assertFalse(r.getBoolean("recovered"), since + " → " + r.encode());
          assertEquals(top, r.getLong("offset"));
          assertEquals(epoch, r.getString("epoch"), "the current epoch, to start over from");
          b.assertNone(durable(topic), Duration.ofMillis(300));
        }
      }
      String metrics = nodes.get(1).request(HttpMethod.GET, "/metrics", null, null).body();
      assertTrue(metrics.contains("hub_recoveries_total{recovered=\"false\"}"), metrics);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"embedded"})
  void aMalformedSinceIsRefusedNamingIt(String mode) {
    UUID form = TestForms.create("bad since", "notes:text");
    try (WsClient c = hubs(mode).get(0).connect(EMMA)) {
      for (Object bad : List.of("12", new JsonObject().put("epoch", "e"), new JsonObject().put("offset", -1)
          .put("epoch", "e"), new JsonObject().put("offset", 1.5).put("epoch", "e"), new JsonObject().put("offset", 3))) {
        JsonObject reply = c.join(topic(form), new JsonObject().put("since", bad));
        assertEquals("error", reply.getString("status"), bad + " → " + reply.encode());
        assertEquals("invalid", reply.getJsonObject("response").getString("reason"));
        assertTrue(reply.getJsonObject("response").getString("field").startsWith("since"), reply.encode());
      }
      JsonObject fine = ok(c.join(topic(form), new JsonObject().putNull("since")));
      assertFalse(fine.getBoolean("recovered"), "no since: nothing to recover");
    }
  }
}
