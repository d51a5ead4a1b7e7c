package com.wedsync.hub.changes;

import com.wedsync.hub.backplane.Lease;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.ControlEvent;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The row changes of the published tables, from the database to every node: one node at a time (the holder of the
 * {@code postgres-changes} lease) reads the replication slot, works out who may see each row ({@link RowAccess}),
 * keeps only the columns that may leave the hub, logs the change ({@link ChangeLog}) and publishes it on the bus topic
 * {@link #TOPIC}, which every node's {@link ChangeListeners} hear. When the reading node dies, its lease lapses and
 * another node takes over from the slot's confirmed position within a few seconds; nothing is lost (the slot keeps
 * it) and nothing is published twice (the log knows what it has).
 */
public final class ChangeFeed {
  private static final Logger log = LoggerFactory.getLogger(ChangeFeed.class);
  /** The bus topic every change is published on (no client can join it: not a channel family). */
  public static final String TOPIC = "hub:pgchanges";
  public static final String LEASE = "postgres-changes";
  /** Transactions logged in one statement at most. */
  private static final int MAX_BATCH = 500;

  private record Job(PgOutput.Transaction tx, CompletableFuture<Void> done) {}

  private final Vertx vertx;
  private final Bus bus;
  private final PublishedTables tables;
  private final ChangeLog changeLog;
  private final RowAccess access;
  private final Lease lease;
  private final HubConfig.PostgresChanges cfg;
  private final ReplicationReader reader;
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private Context context;
  private boolean writing;
  /** The last position this node published, or -1 before its first batch as the reader. */
  private long lastPublished = -1;
  private long leaseTimer = -1;
  private long trimTimer = -1;
  private LoggedChange.Hook hook = LoggedChange.Hook.NONE;

  public ChangeFeed(Vertx vertx, Pool db, Bus bus, PublishedTables tables, Lease lease, HubConfig.PostgresChanges cfg,
                    String jdbcUrl, String user, String password) {
    this.vertx = vertx;
    this.bus = bus;
    this.tables = tables;
    this.changeLog = new ChangeLog(db);
    this.access = new RowAccess(db);
    this.lease = lease;
    this.cfg = cfg;
    List<String> names = new ArrayList<>();
    tables.all().forEach(t -> names.add(t.rule().name()));
    this.reader = new ReplicationReader(jdbcUrl, user, password, cfg, names, this::submit);
  }

  /**
   * What else to do with each change once it is logged (domain events): run on this node while it reads, in log
   * order, at least once per change (again after a hand-over when the reader died before the hook finished).
   */
  public ChangeFeed onLogged(LoggedChange.Hook hook) {
    this.hook = hook;
    return this;
  }

  ChangeLog log() {
    return changeLog;
  }

  PublishedTables tables() {
    return tables;
  }

  /** Starts competing for the lease (and reading while this node holds it); a no-op when nothing is published. */
  public Future<Void> start() {
    if (tables.isOff()) return Future.succeededFuture();
    context = vertx.getOrCreateContext();
    bus.subscribe(ControlEvent.HUB_TOPIC, m -> {
      if (m instanceof ControlEvent c && "access_changed".equals(c.name())) access.forget();
    });
    return changeLog.epoch().onSuccess(e -> {
      holdLease();
      leaseTimer = vertx.setPeriodic(1_000, id -> holdLease());
      trimTimer = vertx.setPeriodic(60_000, id -> {
        if (reader.running()) changeLog.trim(cfg.keepMs())
            .onFailure(err -> log.warn("trimming the change log failed: {}", err.getMessage()));
      });
    }).mapEmpty();
  }

  public Future<Void> stop() {
    if (leaseTimer >= 0) vertx.cancelTimer(leaseTimer);
    if (trimTimer >= 0) vertx.cancelTimer(trimTimer);
    boolean wasReading = reader.running();
    return vertx.<Void>executeBlocking(() -> {
      reader.stop();
      return null;
    }).compose(v -> wasReading ? lease.release() : Future.succeededFuture());
  }

  private void holdLease() {
    lease.hold().onComplete(ar -> {
      boolean held = ar.succeeded() && ar.result();
      if (held && !reader.running()) {
        log.info("this node reads the row changes (lease {})", LEASE);
        context.runOnContext(v -> lastPublished = -1);
        reader.start();
      } else if (!held && reader.running()) {
        log.warn("lost the lease {}: another node reads the row changes now", LEASE);
        vertx.executeBlocking(() -> {
          reader.stop();
          return null;
        });
      }
    });
  }

  /** From the reader's thread: a transaction to log and publish; done once both happened. */
  private CompletableFuture<Void> submit(PgOutput.Transaction tx) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    context.runOnContext(v -> {
      queue.add(new Job(tx, done));
      if (!writing) writeQueued();
    });
    return done;
  }

  /** Logs what is queued in one statement, publishes what was new, then takes the next batch. */
  private void writeQueued() {
    if (queue.isEmpty()) {
      writing = false;
      return;
    }
    writing = true;
    List<Job> batch = new ArrayList<>();
    while (!queue.isEmpty() && batch.size() < MAX_BATCH) batch.add(queue.poll());
    List<Future<ChangeLog.Pending>> prepared = new ArrayList<>();
    // Each logged change's whole row, for the hook (the log keeps only what may leave the hub).
    java.util.Map<JsonObject, RowChange> rows = new java.util.IdentityHashMap<>();
    for (Job job : batch) {
      int seq = 0;
      for (RowChange change : job.tx().changes()) {
        Optional<PublishedTables.Table> table = tables.table(change.name());
        int s = seq++;
        if (table.isEmpty()) continue; // dropped from the configuration since the slot was read
        prepared.add(prepare(job.tx(), s, change, table.get()).onSuccess(p -> rows.put(p.change(), change)));
      }
    }
    String epoch = changeLog.epoch().result();
    Future.all(prepared)
        .compose(all -> changeLog.append(all.<ChangeLog.Pending>list()))
        .compose(logged -> {
          if (!logged.isEmpty()) publish(epoch, logged);
          return runHook(logged, rows);
        })
        .onSuccess(v -> batch.forEach(j -> j.done().complete(null)))
        .onFailure(e -> {
          log.warn("logging {} transaction(s) of row changes failed: {}", batch.size(), e.getMessage());
          batch.forEach(j -> j.done().completeExceptionally(e));
          // What was queued behind them is re-read after them.
          queue.forEach(j -> j.done().completeExceptionally(e));
          queue.clear();
        })
        .onComplete(ar -> writeQueued());
  }

  /** The hook for each logged change, one after another in log order; its failures are logged, not retried. */
  private Future<Void> runHook(List<ChangeLog.Entry> logged, java.util.Map<JsonObject, RowChange> rows) {
    Future<Void> chain = Future.succeededFuture();
    for (ChangeLog.Entry e : logged) {
      RowChange row = rows.get(e.change());
      if (row == null) continue;
      LoggedChange change = new LoggedChange(e.id(), row, e.change(),
          java.time.Instant.parse(e.change().getString("commit_timestamp")));
      chain = chain.compose(v -> {
        Future<?> done;
        try {
          done = hook.logged(change);
        } catch (RuntimeException ex) {
          done = Future.failedFuture(ex);
        }
        return done.<Void>mapEmpty().recover(ex -> {
          log.warn("handling row change {} of {} failed: {}", change.id(), row.name(), ex.getMessage());
          return Future.succeededFuture();
        });
      });
    }
    return chain;
  }

  /**
   * One bus message per batch, saying which position came before it ({@code after}): messages may overtake each other
   * between nodes, and a reader that took over does not know what its predecessor published, so a node that sees
   * {@code after} beyond what it has reads the difference from the log ({@link ChangeListeners}).
   */
  private void publish(String epoch, List<ChangeLog.Entry> logged) {
    io.vertx.core.json.JsonArray entries = new io.vertx.core.json.JsonArray();
    for (ChangeLog.Entry e : logged) entries.add(new JsonObject().put("id", e.id()).put("change", e.change()));
    long first = logged.get(0).id();
    long after = lastPublished >= 0 && lastPublished < first ? lastPublished : first - 1;
    lastPublished = Math.max(lastPublished, logged.get(logged.size() - 1).id());
    bus.publish(ChannelEvent.of(TOPIC, "changes", new JsonObject().put("epoch", epoch).put("after", after)
        .put("entries", entries)));
  }

  /** The change as it is logged and published: only the columns that may leave the hub, and who may see each row. */
  private Future<ChangeLog.Pending> prepare(PgOutput.Transaction tx, int seq, RowChange c, PublishedTables.Table t) {
    Future<RowAccess.Audience> now = access.of(t.rule(), c.record());
    Future<RowAccess.Audience> before = access.of(t.rule(), c.oldRecord());
    return Future.all(now, before).map(v -> {
      JsonObject change = new JsonObject().put("schema", c.schema()).put("table", c.table()).put("type", c.type())
          .put("commit_timestamp", tx.committedAt().toString())
          .put("columns", new io.vertx.core.json.JsonArray(c.columns().stream()
              .filter(col -> t.columns().contains(col.name()))
              .map(col -> new JsonObject().put("name", col.name()).put("type", col.type())).toList()))
          .put("access", new JsonObject().put("new", now.result().toJson()).put("old", before.result().toJson()));
      if (c.record() != null) change.put("record", visible(c.record(), t));
      if (c.oldRecord() != null) change.put("old_record", visible(c.oldRecord(), t));
      return new ChangeLog.Pending(tx.commitLsn(), seq, tx.committedAt(), c.name(), change);
    });
  }

  private static JsonObject visible(JsonObject row, PublishedTables.Table t) {
    JsonObject out = new JsonObject();
    row.forEach(e -> {
      if (t.columns().contains(e.getKey())) out.put(e.getKey(), e.getValue());
    });
    return out;
  }
}
