package com.wedsync.hub.form;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.form.text.TextOp;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.history.RedisHistory;
import com.wedsync.hub.support.TestNodes;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@link FieldStore} contract, against the in-process and the Redis adapter (two nodes sharing one Redis). */
class FieldStoreContractTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  record Node(FieldStore store, SaveBuffer saves, Bus bus) {}

  private Node node(String adapter, String id) {
    TestNodes.Node n = nodes.node(adapter, id);
    io.vertx.sqlclient.Pool pool = nodes.pool(n.vertx());
    FormRepository repository = new FormRepository(pool);
    Publisher publisher = new Publisher(n.bus(), nodes.history(n));
    SplittingWriter writer = new SplittingWriter(new RevisionWriter(pool), new DeadLetters(pool, id));
    HubMetrics metrics = new HubMetrics();
    if (adapter.equals("local")) {
      SaveBuffer saves = new LocalSaveBuffer(n.vertx(), writer, new SaveSpill(n.vertx(), java.nio.file.Path.of(
          System.getProperty("java.io.tmpdir"), "spill-contract-" + id)), publisher, metrics, 600_000, 1000);
      return new Node(new LocalFieldStore(repository, 50, publisher, saves), saves, n.bus());
    }
    return new Node(new RedisFieldStore(n.redisConnections(), repository, 50, (RedisHistory) nodes.history(n)),
        new RedisSaveBuffer(n.vertx(), n.redisConnections(), writer, publisher, metrics, id, 4000, 600_000, 1000), n.bus());
  }

  /** The field as a caller reads it before deciding a change. */
  private static FieldView seen(FieldStore store, UUID form, String key) {
    return await(store.field(form, key));
  }

  /**
   * The commit contract, the same for both adapters: a committed change is published at once as the numbered
   * {@code field:changed} and is queued for saving — the caller does nothing else for either.
   */
  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void aCommitPublishesTheNumberedChangeAndQueuesItForSaving(String adapter) throws Exception {
    UUID form = TestForms.create("contract commit", "n:number");
    Node node = node(adapter, "c-" + adapter);
    List<ChannelEvent> published = new CopyOnWriteArrayList<>();
    node.bus().subscribe("form:" + form, m -> published.add((ChannelEvent) m));
    await(node.bus().ready("form:" + form));
    FieldView view = seen(node.store(), form, "n");
    assertEquals(CommitResult.Kind.COMMITTED, await(node.store().commit(view,
        change(form, view.field(), 42, "op-commit-" + form, 1), null, new JsonObject())).kind());
    long deadline = System.currentTimeMillis() + 5000;
    while (published.isEmpty() && System.currentTimeMillis() < deadline) Thread.sleep(10);
    assertEquals(1, published.size());
    ChannelEvent changed = published.get(0);
    assertEquals("field:changed", changed.event());
    assertEquals(42, changed.payload().getInteger("value"));
    assertTrue(changed.position() != null && changed.position().offset() > 0, "numbered in the form's history");
    assertEquals(changed.position().toJson(), changed.payload().getJsonObject("meta"), "and the clients see it");
    await(node.saves().flush());
    assertEquals(List.of("n@1"), SaveBufferContractTest.rows(form), "queued for saving by the commit itself");
    assertEquals(1, SaveBufferContractTest.revisions(form));
  }

  static <T> T await(Future<T> f) {
    return TestNodes.await(f);
  }

  private static FieldChange change(UUID form, FieldState f, Object value, String opId, long version) {
    return new FieldChange(form, f.fieldId(), f.key(), version, value, f.value(), "set", null, opId, "user", EMMA,
        "Emma", Instant.now());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void compareAndSetWithIdempotentOpIds(String adapter) throws Exception {
    UUID form = TestForms.create("contract cas", "n:number", "t:text");
    Node node = node(adapter, "a");
    FormSnapshot s = await(node.store().form(form));
    assertEquals(List.of("n", "t"), s.fields().stream().map(FieldState::key).toList(), "fields in order");
    FieldState n = s.field("n").orElseThrow();
    assertEquals(0, n.version());
    JsonObject reply = new JsonObject().put("version", 1).put("status", "accepted");
    FieldView atZero = seen(node.store(), form, "n");
    CommitResult first = await(node.store().commit(atZero, change(form, n, 5, "op-1", 1), null, reply));
    assertEquals(CommitResult.Kind.COMMITTED, first.kind());
    assertEquals(5, ((Number) await(node.store().form(form)).field("n").orElseThrow().value()).intValue());
    CommitResult stale = await(node.store().commit(atZero, change(form, n, 6, "op-2", 1), null, reply));
    assertEquals(CommitResult.Kind.STALE, stale.kind());
    assertEquals(1, stale.state().version());
    CommitResult dup = await(node.store().commit(seen(node.store(), form, "n"), change(form, n, 7, "op-1", 2), null,
        reply));
    assertEquals(CommitResult.Kind.DUPLICATE, dup.kind());
    assertEquals(reply, dup.firstReply());
    assertEquals(reply, await(node.store().reply(form, EMMA, "op-1")));
    assertNull(await(node.store().reply(form, EMMA, "op-unknown")));
    await(node.store().updateInfo(form, i -> i.withStatus("in_progress")));
    assertEquals("in_progress", await(node.store().form(form)).info().status());
    await(node.store().updateInfo(form, i -> i.withTitle("renamed elsewhere")));
    FormInfo info = await(node.store().form(form)).info();
    assertEquals("renamed elsewhere", info.title());
    assertEquals("in_progress", info.status(), "a new title keeps the status");
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void textOpsAreKeptForRebasingAndTooOldBasesConflict(String adapter) throws Exception {
    UUID form = TestForms.create("contract text", "story:textarea");
    Node node = node(adapter, "a");
    String text = "";
    for (int v = 1; v <= 60; v++) {
      FieldView view = seen(node.store(), form, "story");
      FieldState f = view.field();
      TextOp op = TextOp.parse(new JsonArray().add(String.valueOf(v % 10)));
      text = op.apply(text);
      FieldChange c = new FieldChange(form, f.fieldId(), "story", v, text, f.value(), "text", op.toJson(), "t" + v,
          "user", EMMA, "Emma", Instant.now());
      assertEquals(CommitResult.Kind.COMMITTED, await(node.store().commit(view, c, op, new JsonObject())).kind());
    }
    List<TextOp> since = await(node.store().textOpsSince(form, "story", 55, 60));
    assertEquals(5, since.size());
    assertEquals(new JsonArray().add("6"), since.get(0).toJson());
    assertEquals(3, await(node.store().textOpsSince(form, "story", 55, 58)).size(), "only up to the caller's view");
    assertEquals(List.of(), await(node.store().textOpsSince(form, "story", 60, 60)));
    ChannelError tooOld = assertThrows(ChannelError.class,
        () -> await(node.store().textOpsSince(form, "story", 2, 60)));
    assertEquals("conflict", tooOld.reason());
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void concurrentCommitsFromTwoNodesAreSeenInVersionOrder(String adapter) throws Exception {
    UUID form = TestForms.create("contract order", "n:number");
    Node a = node(adapter, "a");
    Node b = adapter.equals("local") ? a : node(adapter, "b");
    List<Long> seenOnA = new CopyOnWriteArrayList<>(), seenOnB = new CopyOnWriteArrayList<>();
    a.bus().subscribe("form:" + form, m -> seenOnA.add(((ChannelEvent) m).payload().getLong("version")));
    b.bus().subscribe("form:" + form, m -> seenOnB.add(((ChannelEvent) m).payload().getLong("version")));
    Thread.sleep(100);
    int committed = 0;
    // Both nodes race: each retries on stale until it has committed 20 changes.
    List<Future<Integer>> racers = List.of(race(a.store(), form, "a"), race(b.store(), form, "b"));
    for (Future<Integer> r : racers) committed += await(r);
    assertEquals(40, committed);
    long deadline = System.currentTimeMillis() + 5000;
    while ((seenOnA.size() < 40 || seenOnB.size() < 40) && System.currentTimeMillis() < deadline) Thread.sleep(10);
    List<Long> expected = new ArrayList<>();
    for (long v = 1; v <= 40; v++) expected.add(v);
    assertEquals(expected, seenOnA, "node a saw every change once, in version order");
    assertEquals(expected, seenOnB, "node b saw every change once, in version order");
  }

  private Future<Integer> race(FieldStore store, UUID form, String who) {
    return raceFrom(store, form, who, 0);
  }

  private Future<Integer> raceFrom(FieldStore store, UUID form, String who, int done) {
    if (done == 20) return Future.succeededFuture(done);
    return store.field(form, "n").compose(view -> {
      FieldState f = view.field();
      return store.commit(view, change(form, f, done, who + done, f.version() + 1), null, new JsonObject())
          .compose(r -> raceFrom(store, form, who, r.kind() == CommitResult.Kind.COMMITTED ? done + 1 : done));
    });
  }
}
