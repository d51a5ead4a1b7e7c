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

/**
 * The {@link SaveBuffer} contract (with its {@link FieldStore}, which hands it the changes), against both adapters:
 * one row write per field per flush, every change a revision, {@code field:saved} after the commit, nothing written
 * twice; and in a cluster, what one node accepted is written by another.
 */
class SaveBufferContractTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
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
    if (adapter.equals("local")) {
      return new Node(new LocalFieldStore(repository, 50, publisher),
          new LocalSaveBuffer(n.vertx(), pool, publisher, metrics, 600_000, 1000), n.local());
    }
    return new Node(new RedisFieldStore(n.redisConnections(), repository, 50, (RedisHistory) history),
        new RedisSaveBuffer(n.vertx(), n.redisConnections(), new RevisionWriter(pool), publisher, metrics, id,
            600_000, 1000), n.local());
  }

  static <T> T await(Future<T> f) {
    return TestNodes.await(f);
  }

  /** Commits {@code n} changes to field {@code key} and hands them to the node's buffer. */
  private static void edit(Node node, UUID form, String key, int n) throws Exception {
    for (int i = 0; i < n; i++) {
      FieldState f = await(node.store().form(form)).field(key).orElseThrow();
      FieldChange c = new FieldChange(form, f.fieldId(), key, f.version() + 1, (int) f.version() + 1, f.value(), "set",
          null, key + "-" + i + "-" + form, "user", EMMA, "Emma", Instant.now());
      assertEquals(CommitResult.Kind.COMMITTED, await(node.store().commit(c, f.version(), null, new JsonObject()))
          .kind());
      node.saves().add(c);
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
