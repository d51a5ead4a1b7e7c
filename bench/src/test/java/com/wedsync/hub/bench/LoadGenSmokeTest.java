package com.wedsync.hub.bench;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The load generator's P1, P6 and wedding-workload logic at a tiny size against an in-process hub, for a few seconds. Asserts counts
 * only (every accepted publish reaches every subscriber of its channel exactly once; presence converges), never a
 * timing: the figures of a shared CI machine mean nothing. The sockets come from two source addresses, so the
 * 127.0.0.x spreading is exercised too.
 */
class LoadGenSmokeTest {
  private static TestHub hub;
  private static Vertx vertx;
  private static BenchKit kit;
  private static HubTarget target;
  private static BenchKit.Target hubTarget;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    kit = new BenchKit(vertx, hub.tokens, SourceAddresses.of(vertx, 2, 60, "127.0.0.1"), 16);
    String url = "http://127.0.0.1:" + hub.hub.port();
    hubTarget = BenchKit.Target.of(url, TestPostgres.jdbcUrl(), -1);
    target = new HubTarget(kit, hubTarget, "postgres", "postgres");
  }

  @AfterAll
  static void stop() throws Exception {
    if (vertx != null) vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    if (hub != null) hub.close();
  }

  @Test
  void fanoutDeliversEveryAcceptedPublishToEverySubscriberOnce() throws Exception {
    // 4 channels × 6 subscribers; 240 then 480 deliveries/s = 10 then 20 publishes/s over 4 publishers, far below
    // the hub's per-user write rate. A lenient p99 limit: the rise must not stop early on a slow machine.
    var settings = new FanoutWorkload.Settings(4, 6, List.of(240, 480), 2, 1, 60_000, 2);
    FanoutWorkload.Result r = new FanoutWorkload(kit, target, settings).run();

    assertEquals(2, r.steps().size(), "both steps ran: " + r.steps());
    assertTrue(r.accepted() > 0, "publishes were accepted");
    for (FanoutWorkload.Step step : r.steps()) {
      assertTrue(step.refused().isEmpty(), "no publish refused: " + step.refused());
      assertEquals(step.expected(), step.delivered(), "every delivery of the step counted");
    }
    assertEquals(r.accepted() * 6, r.deliveries(), "each accepted publish delivered to its 6 subscribers");
    assertEquals(0, r.missing(), "missing");
    assertEquals(0, r.duplicates(), "duplicates");
    assertEquals(0, r.unexpected(), "delivered though not accepted");
    assertEquals(0, r.misrouted(), "delivered on another channel");
    assertEquals(0, r.closed(), "sockets closed by the hub");
  }

  @Test
  void theWeddingWorkloadDeliversEveryChangeAndEveryMention() throws Exception {
    // 2 weddings × (2 partners + 2 suppliers × 2 members) = 12 people; an edit each per 200 ms for 2 s, every 3rd a
    // note: well inside the hub's per-user write rate (four requests per edit).
    var settings = new WeddingWorkload.Settings(2, 2, 2, 200, 2, 1, 3, 2);
    WeddingWorkload.Result r = new WeddingWorkload(kit, hubTarget, settings, "postgres", "postgres").run();

    assertEquals(12, r.clients(), "people");
    assertEquals(2 * (2 * (3 + 2) + 4 * (3 + 1)), r.subscriptions(), "partners: 3 channels + 2 forms; members: 3 + 1");
    assertTrue(r.refused().isEmpty(), "nothing refused: " + r.refused());
    assertEquals(0, r.closed(), "sockets closed by the hub");
    assertTrue(r.setsAccepted() > 0 && r.notesAccepted() > 0, "sets and notes were accepted: " + r);
    assertEquals(r.setsAccepted() * 3, r.changedExpected(), "each form has 4 editors: 3 others per set");
    assertEquals(r.changedExpected(), r.changedReceived(), "every field:changed reached every other editor");
    assertEquals(r.notesAccepted(), r.mentionsReceived(), "every note's mention became a notification");
    assertTrue(r.typingReceived() > 0, "typing reached the other editors");
    assertTrue(r.pushes().getOrDefault("presence_state", 0L) >= 2 * (2 * 2 + 4), "a presence_state per form join");
  }

  @Test
  void presenceStormConverges() throws Exception {
    int n = 30;
    PresenceStorm.Result r = new PresenceStorm(kit, target, new PresenceStorm.Settings(n, 1, 60)).run();

    assertTrue(r.refused().isEmpty(), "no join or track refused: " + r.refused());
    assertEquals(n, r.joined(), "all joined and tracked");
    assertEquals(n, r.converged(), "every client sees all " + n + " members");
    assertEquals(0, r.leaves(), "nobody left");
    assertTrue(r.frames() >= n, "at least one presence frame per client, got " + r.frames());
  }
}
