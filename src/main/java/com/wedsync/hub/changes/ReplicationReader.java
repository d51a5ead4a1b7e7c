package com.wedsync.hub.changes;

import com.wedsync.hub.config.HubConfig;
import org.postgresql.PGConnection;
import org.postgresql.PGProperty;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Reads the hub's logical replication slot: row changes of the published tables, whole transactions in commit order,
 * as PostgreSQL's built-in {@code pgoutput} plugin streams them. It runs on a thread of its own (pgjdbc's replication
 * API is blocking) while this node holds the reader lease, and sets up what it needs first: the publication (the
 * published tables), {@code REPLICA IDENTITY FULL} on each (so updates and deletes carry the old row) and the slot.
 *
 * <p>Each transaction goes to the {@code sink}; the slot is told a transaction is done only once the sink's future
 * for it (and every earlier one) completed — the change is logged and published — so a crash or a hand-over to
 * another node re-reads what was not yet passed on, and the log recognises what it already has.
 */
final class ReplicationReader {
  private static final Logger log = LoggerFactory.getLogger(ReplicationReader.class);
  /** Transactions handed on but not yet done, past which reading waits. */
  private static final int MAX_IN_FLIGHT = 2_000;

  private record InFlight(long endLsn, CompletableFuture<Void> done) {}

  private final String jdbcUrl;
  private final String user;
  private final String password;
  private final HubConfig.PostgresChanges cfg;
  private final List<String> tables;
  private final Function<PgOutput.Transaction, CompletableFuture<Void>> sink;
  private volatile boolean running;
  private volatile Connection connection;
  private Thread thread;

  /** @param tables the published tables that exist ({@code schema.table}) */
  ReplicationReader(String jdbcUrl, String user, String password, HubConfig.PostgresChanges cfg, List<String> tables,
                    Function<PgOutput.Transaction, CompletableFuture<Void>> sink) {
    this.jdbcUrl = jdbcUrl;
    this.user = user;
    this.password = password;
    this.cfg = cfg;
    this.tables = tables;
    this.sink = sink;
  }

  synchronized void start() {
    if (running) return;
    running = true;
    thread = new Thread(this::run, "hub-replication-reader");
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops reading (the lease was lost, or the hub stops); what was not confirmed is read again by the next reader. */
  synchronized void stop() {
    running = false;
    closeQuietly(connection);
    if (thread != null) {
      try {
        thread.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      thread = null;
    }
  }

  boolean running() {
    return running;
  }

  private void run() {
    long backoff = 200;
    while (running) {
      try {
        setUp();
        stream();
        backoff = 200;
      } catch (Exception e) {
        if (!running) break;
        log.warn("replication stream of slot {} interrupted ({}); retrying in {} ms", cfg.slot(), e.getMessage(),
            backoff);
        sleep(backoff);
        backoff = Math.min(backoff * 2, 5_000);
      } finally {
        closeQuietly(connection);
        connection = null;
      }
    }
  }

  /** The publication of exactly the published tables, full old rows for each, and the slot. */
  private void setUp() throws SQLException {
    try (Connection c = DriverManager.getConnection(jdbcUrl, user, password); Statement st = c.createStatement()) {
      for (String t : tables) {
        String[] parts = t.split("\\.", 2);
        try (PreparedStatement ps = c.prepareStatement("""
            select c.relreplident from pg_class c join pg_namespace n on n.oid = c.relnamespace
             where n.nspname = ? and c.relname = ?""")) {
          ps.setString(1, parts[0]);
          ps.setString(2, parts[1]);
          try (ResultSet rs = ps.executeQuery()) {
            if (rs.next() && !"f".equals(rs.getString(1))) {
              st.execute("alter table " + quoted(t) + " replica identity full");
            }
          }
        }
      }
      String list = String.join(", ", tables.stream().map(ReplicationReader::quoted).toList());
      boolean exists;
      try (PreparedStatement ps = c.prepareStatement("select 1 from pg_publication where pubname = ?")) {
        ps.setString(1, cfg.publication());
        try (ResultSet rs = ps.executeQuery()) {
          exists = rs.next();
        }
      }
      if (!exists) st.execute("create publication " + cfg.publication() + " for table " + list);
      else st.execute("alter publication " + cfg.publication() + " set table " + list);
      try (PreparedStatement ps = c.prepareStatement("select 1 from pg_replication_slots where slot_name = ?")) {
        ps.setString(1, cfg.slot());
        try (ResultSet rs = ps.executeQuery()) {
          if (!rs.next()) {
            try (PreparedStatement create = c.prepareStatement(
                "select pg_create_logical_replication_slot(?, 'pgoutput')")) {
              create.setString(1, cfg.slot());
              create.execute();
              log.info("created logical replication slot {}", cfg.slot());
            }
          }
        }
      }
    }
  }

  private void stream() throws Exception {
    Properties props = new Properties();
    PGProperty.USER.set(props, user);
    PGProperty.PASSWORD.set(props, password);
    PGProperty.ASSUME_MIN_SERVER_VERSION.set(props, "10");
    PGProperty.REPLICATION.set(props, "database");
    PGProperty.PREFER_QUERY_MODE.set(props, "simple");
    connection = DriverManager.getConnection(jdbcUrl, props);
    PGReplicationStream stream = connection.unwrap(PGConnection.class).getReplicationAPI().replicationStream()
        .logical().withSlotName(cfg.slot())
        .withSlotOption("proto_version", "1").withSlotOption("publication_names", cfg.publication())
        .withStatusInterval(5, TimeUnit.SECONDS)
        .start();
    log.info("reading row changes from slot {} (publication {}: {})", cfg.slot(), cfg.publication(), tables);
    PgOutput decoder = new PgOutput();
    ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    long confirmed = 0;
    long idleSince = System.nanoTime();
    while (running) {
      ByteBuffer msg = inFlight.size() >= MAX_IN_FLIGHT ? null : stream.readPending();
      if (msg != null) {
        PgOutput.Transaction tx = decoder.accept(msg);
        if (tx != null) inFlight.add(new InFlight(tx.endLsn(), tx.changes().isEmpty()
            ? CompletableFuture.completedFuture(null) : sink.apply(tx)));
        idleSince = System.nanoTime();
      }
      // Confirm, in order, what is done; a failed hand-over stops here and the stream is read again from it.
      while (!inFlight.isEmpty() && inFlight.peek().done().isDone()) {
        InFlight f = inFlight.poll();
        f.done().join(); // throws when the sink failed: the session restarts and re-reads from the last confirmed
        confirmed = f.endLsn();
        stream.setFlushedLSN(LogSequenceNumber.valueOf(confirmed));
        stream.setAppliedLSN(LogSequenceNumber.valueOf(confirmed));
      }
      if (msg == null) {
        // Quiet: poll again soon (1 ms while things move, up to 10 ms when idle) — readPending does not block.
        long idleMs = (System.nanoTime() - idleSince) / 1_000_000;
        sleep(idleMs < 100 ? 1 : 10);
      }
    }
    if (confirmed > 0) stream.forceUpdateStatus();
  }

  private static String quoted(String table) {
    String[] parts = table.split("\\.", 2);
    return "\"" + parts[0] + "\".\"" + parts[1] + "\"";
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void closeQuietly(Connection c) {
    if (c == null) return;
    try {
      c.close();
    } catch (SQLException ignored) {
      // closing a broken replication connection: nothing left to do
    }
  }
}
