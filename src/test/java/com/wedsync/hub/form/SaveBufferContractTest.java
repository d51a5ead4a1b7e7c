package com.wedsync.hub.form;

import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.LocalBus;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.history.History;
import com.wedsync.hub.history.RedisHistory;
import com.wedsync.hub.support.TestNodes;
import com.wedsync.hub.support.TestPostgres;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import com.wedsync.hub.cluster.RedisKeys;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@link SaveBuffer} contract (with its {@link FieldStore}, which hands it the changes), against both adapters:
 * one row write per field per flush, every change a revision, {@code field:saved} after the commit, nothing written
 * twice; and in a cluster, what one node accepted is written by another.
 */
class SaveBufferContractTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  /** The node TTL the Redis buffers judge a flush lease's holder by: silent longer than this, it is dead. */
  static final long NODE_TTL_MS = 4000;
  @RegisterExtension
  static final TestNodes nodes = new TestNodes();

  record Node(FieldStore store, SaveBuffer saves, LocalBus bus) {}

  private Node node(String adapter, String id) {
    TestNodes.Node n = nodes.node(adapter, id);
    Pool pool = nodes.pool(n.vertx());
    FormRepository repository = new FormRepository(pool);
    HubMetrics metrics = new HubMetrics();
    History history = nodes.history(n);
    Publisher publisher = new Publisher(n.bus(), history);
    SplittingWriter writer = new SplittingWriter(new RevisionWriter(pool), new DeadLetters(pool, id));
    if (adapter.equals("local")) {
      SaveSpill spill = new SaveSpill(n.vertx(), spillDir(id));
      SaveBuffer saves = new LocalSaveBuffer(n.vertx(), writer, spill, publisher, metrics, 600_000, 1000);
      return new Node(new LocalFieldStore(repository, 50, publisher, saves), saves, n.local());
    }
    return new Node(new RedisFieldStore(n.redisConnections(), repository, 50, (RedisHistory) history),
        new RedisSaveBuffer(n.vertx(), n.redisConnections(), writer, publisher, metrics, id, NODE_TTL_MS, 600_000, 1000),
        n.local());
  }

  private static java.nio.file.Path spillDir(String id) {
    try {
      return java.nio.file.Files.createTempDirectory("spill-" + id);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static <T> T await(Future<T> f) {
    return TestNodes.await(f);
  }

  /** Commits {@code n} changes to field {@code key} (which queues them in the node's buffer). */
  private static void edit(Node node, UUID form, String key, int n) throws Exception {
    edit(node, form, key, n, i -> key + "-" + i + "-" + form);
  }

  private static void edit(Node node, UUID form, String key, int n, java.util.function.IntFunction<String> opId)
      throws Exception {
    for (int i = 0; i < n; i++) {
      FieldView view = await(node.store().field(form, key));
      FieldState f = view.field();
      FieldChange c = new FieldChange(form, f.fieldId(), key, f.version() + 1, (int) f.version() + 1, f.value(), "set",
          null, opId.apply(i), "user", EMMA, "Emma", Instant.now());
      // The commit queues the change for saving itself (the FieldStore contract).
      assertEquals(CommitResult.Kind.COMMITTED, await(node.store().commit(view, c, null, new JsonObject())).kind());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void oneRowPerFieldEveryChangeARevisionSavedAfterCommit(String adapter) throws Exception {
    UUID form = TestForms.create("save contract", "a:number", "b:number");
    Node node = node(adapter, "s1");
    List<JsonObject> saved = new CopyOnWriteArrayList<>();
    node.bus().subscribe("form:" + form, m -> {
      if (m instanceof ChannelEvent e && e.event().equals("field:saved")) saved.add(e.payload());
    });
    Thread.sleep(100);
    edit(node, form, "a", 30);
    edit(node, form, "b", 5);
    SaveBuffer.Stats before = node.saves().stats();
    await(node.saves().flush());
    SaveBuffer.Stats after = node.saves().stats();
    assertEquals(2, after.rowsWritten() - before.rowsWritten(), "one row write per field");
    assertEquals(35, after.revisionsWritten() - before.revisionsWritten());
    assertEquals(List.of("a@30", "b@5"), rows(form));
    assertEquals(35, revisions(form));
    long deadline = System.currentTimeMillis() + 5000;
    while (saved.size() < 2 && System.currentTimeMillis() < deadline) Thread.sleep(10);
    assertEquals(List.of("a:30", "b:5"), saved.stream().map(j -> j.getString("field") + ":" + j.getLong("version"))
        .sorted().toList());
    await(node.saves().flush());
    assertEquals(35, revisions(form), "a second flush writes nothing twice");
  }

  /**
   * A change PostgreSQL refuses (here an op id with U+0000, which a {@code text} column cannot hold — the edge refuses
   * it, so the change is made behind the edge's back) is parked as a dead letter with the reason and announced as
   * {@code field:error}; every other change of the same batch, of the same field and of other forms, is written.
   */
  @ParameterizedTest
  @ValueSource(strings = {"local", "redis"})
  void aRowPostgresRefusesIsParkedAndTheRestOfTheBatchIsWritten(String adapter) throws Exception {
    UUID poisoned = TestForms.create("poisoned", "a:number", "b:number");
    UUID healthy = TestForms.create("healthy", "c:number");
    Node node = node(adapter, "s-poison-" + adapter);
    List<JsonObject> errors = new CopyOnWriteArrayList<>();
    List<JsonObject> saved = new CopyOnWriteArrayList<>();
    node.bus().subscribe("form:" + poisoned, m -> {
      if (m instanceof ChannelEvent e && e.event().equals("field:error")) errors.add(e.payload());
      if (m instanceof ChannelEvent e && e.event().equals("field:saved")) saved.add(e.payload());
    });
    Thread.sleep(100);
    edit(node, poisoned, "a", 5, i -> i == 2 ? "bad\u0000op-" + poisoned : "a-" + i + "-" + poisoned);
    edit(node, poisoned, "b", 3);
    edit(node, healthy, "c", 4);
    SaveBuffer.Stats before = node.saves().stats();
    await(node.saves().flush());
    SaveBuffer.Stats after = node.saves().stats();
    assertEquals(1, after.deadLetters() - before.deadLetters());
    assertEquals(List.of("a@5", "b@3"), rows(poisoned), "the changes around the refused one are written");
    assertEquals(List.of("c@4"), rows(healthy), "another form of the batch is written");
    assertEquals(7, revisions(poisoned), "every revision but the refused one");
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("select field_key, version, change, reason, sql_state "
             + "from save_dead_letters where form_id = '" + poisoned + "'")) {
      assertTrue(rs.next(), "the refused change is kept as a dead letter");
      assertEquals("a", rs.getString(1));
      assertEquals(3, rs.getLong(2));
      FieldChange kept = FieldChangeCodec.decode(rs.getString(3));
      assertEquals("bad\u0000op-" + poisoned, kept.opId(), "the dead letter holds exactly what was accepted");
      assertEquals("22021", rs.getString(5));
      assertFalse(rs.next());
    }
    long deadline = System.currentTimeMillis() + 5000;
    while ((errors.isEmpty() || saved.size() < 2) && System.currentTimeMillis() < deadline) Thread.sleep(10);
    assertEquals(1, errors.size());
    assertEquals("a", errors.get(0).getString("field"));
    assertEquals(3, errors.get(0).getLong("version"));
    assertEquals("save_failed", errors.get(0).getString("reason"));
    assertEquals(List.of("a:5", "b:3"), saved.stream().map(j -> j.getString("field") + ":" + j.getLong("version"))
        .sorted().toList());
    assertEquals(0, node.saves().stats().oldestPendingMs(), "nothing left waiting");
  }

  @ParameterizedTest
  @ValueSource(strings = {"redis"})
  void anotherNodeWritesWhatANodeAcceptedButNeverFlushed(String adapter) throws Exception {
    UUID form = TestForms.create("save takeover", "a:number");
    Node accepting = node(adapter, "s-accepting");
    Node survivor = node(adapter, "s-survivor");
    edit(accepting, form, "a", 12);
    // the accepting node never flushes (its interval is ten minutes); the survivor does
    await(survivor.saves().flush());
    assertEquals(List.of("a@12"), rows(form));
    assertEquals(12, revisions(form));
  }

  // ---- the flush lease after a node death (issue 16 §1) -----------------------------------------------------------

  /** Another node holds {@code form}'s flush lease, with its last heartbeat {@code beatAgoMs} ago (null: none). */
  private static void leaseHeldBy(TestNodes.Node n, UUID form, String holder, Long beatAgoMs) {
    await(n.redisConnections().send(Request.cmd(Command.SET).arg(RedisKeys.flushLease(form)).arg(holder)
        .arg("PX").arg(30_000)));
    if (beatAgoMs != null) {
      await(n.redisConnections().send(Request.cmd(Command.ZADD).arg(RedisKeys.NODES)
          .arg(System.currentTimeMillis() - beatAgoMs).arg(holder)));
    }
  }

  /**
   * A node that died holding a form's flush lease (no heartbeat for longer than the node TTL, or none at all) does not
   * hold the form's saves up for the rest of its 30 s lease: the next flush takes the lease over and writes.
   */
  @ParameterizedTest
  @ValueSource(longs = {60_000, -1})
  void aFlushLeaseOfADeadNodeIsTakenOverAtOnce(long beatAgoMs) throws Exception {
    UUID form = TestForms.create("lease of the dead", "a:number");
    Node node = node("redis", "s-heir-" + (beatAgoMs < 0 ? "gone" : "silent"));
    String dead = "dead-" + form.toString().substring(0, 8);
    edit(node, form, "a", 3);
    leaseHeldBy(nodes.node("redis", "s-heir-" + (beatAgoMs < 0 ? "gone" : "silent")), form, dead,
        beatAgoMs < 0 ? null : beatAgoMs);
    await(node.saves().flush());
    assertEquals(List.of("a@3"), rows(form), "written by the survivor, not 30 s later");
    assertEquals(3, revisions(form));
  }

  /** A living node's lease is left to it: nothing is written twice at once, and the form is written once it is done. */
  @org.junit.jupiter.api.Test
  void aFlushLeaseOfALivingNodeIsLeftToIt() throws Exception {
    UUID form = TestForms.create("lease of the living", "a:number");
    Node node = node("redis", "s-polite");
    TestNodes.Node n = nodes.node("redis", "s-polite");
    String living = "living-" + form.toString().substring(0, 8);
    edit(node, form, "a", 2);
    leaseHeldBy(n, form, living, 0L);
    await(node.saves().flush());
    assertEquals(List.of("a@0"), rows(form), "the living holder's flush is not doubled");
    await(n.redisConnections().send(Request.cmd(Command.DEL).arg(RedisKeys.flushLease(form))));
    await(node.saves().flush());
    assertEquals(List.of("a@2"), rows(form));
    await(n.redisConnections().send(Request.cmd(Command.ZREM).arg(RedisKeys.NODES).arg(living)));
  }

  /**
   * The pending list is trimmed only by what is still its head: a node whose changes another node already wrote and
   * trimmed (two flushers after a take-over) must not drop the changes behind them, which nobody wrote yet.
   */
  @org.junit.jupiter.api.Test
  void aFlushTrimsOnlyWhatIsStillTheHeadOfThePendingList() {
    TestNodes.Node n = nodes.node("redis", "s-trim");
    String key = RedisKeys.pending(UUID.randomUUID());
    var redis = n.redisConnections();
    await(redis.send(Request.cmd(Command.RPUSH).arg(key).arg("c1").arg("c2").arg("c3")));
    com.wedsync.hub.cluster.LuaScript trim = com.wedsync.hub.cluster.LuaScript.load("pending-trim");
    assertEquals(1, await(trim.run(redis, List.of(key), List.of("2", "c2"))).toInteger(), "its own two: trimmed");
    assertEquals(0, await(trim.run(redis, List.of(key), List.of("2", "c2"))).toInteger(),
        "the same two again (a second flusher): c3 is not theirs to drop");
    await(redis.send(Request.cmd(Command.RPUSH).arg(key).arg("c4")));
    assertEquals(0, await(trim.run(redis, List.of(key), List.of("1", "c1"))).toInteger());
    assertEquals(List.of("c3", "c4"), await(redis.send(Request.cmd(Command.LRANGE).arg(key).arg(0).arg(-1)))
        .stream().map(Object::toString).toList());
    await(redis.send(Request.cmd(Command.DEL).arg(key)));
  }

  static List<String> rows(UUID form) throws Exception {
    List<String> out = new ArrayList<>();
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("select key, version from form_fields where form_id = '"
             + form + "' order by key")) {
      while (rs.next()) out.add(rs.getString(1) + "@" + rs.getLong(2));
    }
    return out;
  }

  static int revisions(UUID form) throws Exception {
    try (Connection c = DriverManager.getConnection(TestPostgres.jdbcUrl(), "postgres", "postgres");
         ResultSet rs = c.createStatement().executeQuery("select count(*) from field_revisions where form_id = '"
             + form + "'")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
