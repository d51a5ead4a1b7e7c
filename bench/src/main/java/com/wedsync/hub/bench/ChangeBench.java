package com.wedsync.hub.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import static com.wedsync.hub.bench.BenchArgs.number;
import static com.wedsync.hub.bench.BenchKit.*;

/**
 * Row changes ({@code postgres_changes}, issue 14): another service inserts rows into a published, couple-mapped
 * table ({@code tasks}) at a steady rate over plain JDBC, and every member of the row's couple — subscribed on their
 * {@code user:{id}} channel — receives it through the hub's replication reader, change log and access checks. Prints
 * the latency from the commit to each delivery (by PostgreSQL's {@code commit_timestamp}, a millisecond clock, and by
 * the writer's commit returning), what was lost, duplicated or delivered to a member of another couple (each must be
 * 0), and the hub's share of the CPUs. Never fails on a figure. {@code scripts/bench-changes} starts a throw-away hub
 * and runs this class.
 */
public final class ChangeBench {
  private static final String HELP = """
      usage: java -cp bench.jar com.wedsync.hub.bench.ChangeBench --url URL --jdbc-port PORT [options]

        --url URL                the hub's HTTP base URL                              [http://127.0.0.1:4000]
        --jdbc-port PORT         the hub's PostgreSQL port (fixtures and the writers)
        --hub-pid PID            the hub's process id, to show its share of the CPUs (Linux)           [unknown]
        --secret-file FILE       the HS256 secret the hub verifies tokens with     [conf/dev-jwt-secret.txt]
        --couples N              couples, each with MEMBERS subscribed members                          [500]
        --members N              members per couple, one socket each                                     [10]
        --rate N                 rows inserted per second, over all couples in turn                    [1000]
        --warmup-seconds N       rows written (and delivered) before the measured window                  [5]
        --seconds N              the measured window                                                    [20]
        --writers N              JDBC connections writing, each one row per transaction                   [4]
        --client-loops N         event loops of the load generator                                        [2]
        --connect-concurrency N  WebSocket connects (and joins) in flight at once                        [64]
        --help                   this text
      """;
  private static final byte[] POSTGRES_CHANGES = "\"postgres_changes\",{".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] SYSTEM = "\"system\",{".getBytes(StandardCharsets.US_ASCII);
  private static final String TITLE = "bench-change ";
  private static final byte[] TITLE_FIELD = ("\"title\":\"" + TITLE).getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COUPLE_FIELD = "\"couple_id\":\"".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] COMMIT_FIELD = "\"commit_timestamp\":\"".getBytes(StandardCharsets.US_ASCII);

  private final Options o;
  private final Vertx vertx;
  private final BenchKit kit;
  private final Target hub;

  private ChangeBench(Options o, Vertx vertx) throws Exception {
    this.o = o;
    this.vertx = vertx;
    this.kit = new BenchKit(vertx, o.secretFile, o.connectConcurrency);
    this.hub = Target.of(o.url, o.jdbcUrl, o.hubPid);
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    withVertx(o.clientLoops, vertx -> new ChangeBench(o, vertx).run());
  }

  private void run() throws Exception {
    int subscribers = o.couples * o.members;
    long warmupRows = (long) o.rate * o.warmupSeconds, measuredRows = (long) o.rate * o.seconds;
    int rows = Math.toIntExact(warmupRows + measuredRows);
    System.out.printf("%nWedSync hub row-change benchmark (postgres_changes) against %s%n", hub.url());
    printMachine(o.clientLoops, "");
    section(String.format("%,d row changes/s on a published couple-mapped table to %,d subscribers", o.rate,
        subscribers));
    System.out.printf("  workload: %,d couples × %d members, each member online with one socket joined to user:{id} "
            + "with postgres_changes INSERT on public.tasks (row access: the couple_id column); %d JDBC writers "
            + "insert one task per transaction, the couples in turn, %,d rows/s for %d s of warm-up and %d s "
            + "measured. Each row reaches its couple's %d members: %,d deliveries/s.%n"
            + "  latency = the row's commit → its postgres_changes event received by each member.%n",
        o.couples, o.members, o.writers, o.rate, o.warmupSeconds, o.seconds, o.members,
        (long) o.rate * o.members);

    List<Fixtures.Couple> couples;
    try (Fixtures fx = new Fixtures(hub.jdbcUrl(), "postgres", "postgres")) {
      couples = fx.couples(o.couples, o.members);
    }
    List<UUID> users = new ArrayList<>(subscribers);
    int[] coupleOf = new int[subscribers];
    for (int c = 0; c < couples.size(); c++) {
      for (UUID m : couples.get(c).members()) {
        coupleOf[users.size()] = c;
        users.add(m);
      }
    }
    List<String> topics = users.stream().map(u -> "realtime:user:" + u).toList();
    JsonObject join = new JsonObject().put("config", new JsonObject().put("postgres_changes", new JsonArray()
        .add(new JsonObject().put("event", "INSERT").put("schema", "public").put("table", "tasks"))));

    Histogram fromCommitTimestamp = histogram(), fromWriter = histogram();
    AtomicLongArray committedAt = new AtomicLongArray(rows);
    AtomicIntegerArray deliveredTimes = new AtomicIntegerArray(rows);
    LongAdder deliveries = new LongAdder(), foreign = new LongAdder(), subscribed = new LongAdder();
    long t0 = System.nanoTime();
    List<BenchSocket> sockets = kit.connectAll(i -> hub, users, topics, i -> join, (i, s) -> s.onPush(frame -> {
      if (contains(frame, SYSTEM, 0)) {
        subscribed.increment();
        return;
      }
      if (!contains(frame, POSTGRES_CHANGES, 0)) return;
      long now = System.nanoTime(), wallNow = System.currentTimeMillis();
      // Byte peeks, not a JSON parse per frame: 10,000 frames a second would make the generator the bottleneck.
      int t = indexOf(frame, TITLE_FIELD, 0);
      if (t < 0) return;
      int seq = 0;
      for (int k = t + TITLE_FIELD.length; k < frame.length(); k++) {
        byte b = frame.getByte(k);
        if (b < '0' || b > '9') break;
        seq = seq * 10 + (b - '0');
      }
      int c = indexOf(frame, COUPLE_FIELD, 0);
      String couple = c < 0 ? "" : frame.getString(c + COUPLE_FIELD.length, c + COUPLE_FIELD.length + 36);
      if (!couples.get(coupleOf[i]).id().toString().equals(couple)) foreign.increment();
      deliveries.increment();
      deliveredTimes.incrementAndGet(seq);
      if (seq < warmupRows) return;
      long committed = committedAt.get(seq);
      if (committed != 0) record(fromWriter, Math.max(0, now - committed));
      int ts = indexOf(frame, COMMIT_FIELD, 0);
      if (ts >= 0) {
        int end = ts + COMMIT_FIELD.length;
        while (end < frame.length() && frame.getByte(end) != '"') end++;
        long commitMs = Instant.parse(frame.getString(ts + COMMIT_FIELD.length, end)).toEpochMilli();
        record(fromCommitTimestamp, TimeUnit.MILLISECONDS.toNanos(Math.max(0, wallNow - commitMs)));
      }
    }), (i, reply) -> {
      if (reply.getJsonArray("postgres_changes", new JsonArray()).isEmpty()) {
        throw new IllegalStateException("the hub did not subscribe socket " + i + " to row changes: " + reply);
      }
    });
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (subscribed.sum() < subscribers && System.nanoTime() < deadline) Thread.sleep(20);
    System.out.printf("  %,d sockets connected, joined and subscribed to PostgreSQL in %.1f s%n", subscribed.sum(),
        (System.nanoTime() - t0) / 1e9);

    CpuShare[] cpu = {null};
    AtomicLong written = new AtomicLong(), writeErrors = new AtomicLong();
    long start = System.nanoTime();
    long measuredFrom = start + TimeUnit.SECONDS.toNanos(o.warmupSeconds);
    List<Thread> writers = new ArrayList<>();
    for (int w = 0; w < o.writers; w++) {
      int writer = w;
      Thread t = new Thread(() -> write(writer, rows, start, couples, committedAt, written, writeErrors),
          "change-writer-" + w);
      t.start();
      writers.add(t);
    }
    while (System.nanoTime() < measuredFrom) Thread.sleep(10);
    cpu[0] = new CpuShare(hub.pid());
    for (Thread t : writers) t.join();
    double writeSeconds = (System.nanoTime() - start) / 1e9;
    String cpuShare = cpu[0].report();
    long expected = (long) written.get() * o.members;
    deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (deliveries.sum() < expected && System.nanoTime() < deadline) Thread.sleep(20);
    Thread.sleep(500); // a duplicate would come after the last expected delivery
    long missing = 0, duplicated = 0;
    for (int seq = 0; seq < rows; seq++) {
      if (committedAt.get(seq) == 0) continue;
      int got = deliveredTimes.get(seq);
      if (got < o.members) missing += o.members - got;
      if (got > o.members) duplicated += got - o.members;
    }
    kit.closeAll(sockets);

    Latency byCommit = Latency.of(fromCommitTimestamp), byWriter = Latency.of(fromWriter);
    System.out.printf("  written: %,d rows in %.1f s (%,.0f rows/s; %d write errors)%n", written.get(), writeSeconds,
        written.get() / writeSeconds, writeErrors.get());
    System.out.printf("  delivered: %,d of %,d; missing %,d, duplicated %,d, to a member of another couple %,d%n",
        deliveries.sum(), expected, missing, duplicated, foreign.sum());
    System.out.printf("  commit → delivery (measured window, %,d deliveries): by commit_timestamp p50 %.0f ms, p99 "
            + "%.0f ms, max %.0f ms; by the writer's commit returning p50 %.1f ms, p99 %.1f ms, max %.0f ms%n",
        byCommit.count(), byCommit.p50(), byCommit.p99(), byCommit.max(), byWriter.p50(), byWriter.p99(),
        byWriter.max());
    System.out.printf("  CPU during the measured window: %s%n", cpuShare);
    section("Summary (issue 14's benchmark; benchmarks report, they do not gate)");
    String w = String.format("%,d rows/s → %,d subscribers (%,d couples × %d)", o.rate, subscribers, o.couples,
        o.members);
    table(List.of(
        new String[] {"row changes", w, "every row to every member of its couple, nothing else",
            String.format("%,d missing, %,d duplicated, %,d to another couple", missing, duplicated, foreign.sum())},
        new String[] {"row changes", w, "commit → delivery",
            String.format("p50 %.0f ms, p99 %.0f ms (commit_timestamp); p99 %.1f ms (writer's commit)",
                byCommit.p50(), byCommit.p99(), byWriter.p99())}));
  }

  /**
   * Writer {@code writer} of {@link Options#writers}: rows writer, writer + writers, … each at its due time (the
   * rate over all writers), one autocommitted insert each; the time its commit returned is kept by row.
   */
  private void write(int writer, int rows, long start, List<Fixtures.Couple> couples, AtomicLongArray committedAt,
                     AtomicLong written, AtomicLong errors) {
    long intervalNanos = 1_000_000_000L / o.rate;
    try (Connection db = DriverManager.getConnection(hub.jdbcUrl(), "postgres", "postgres");
         PreparedStatement insert = db.prepareStatement("insert into tasks (couple_id, title) values (?, ?)")) {
      for (int seq = writer; seq < rows; seq += o.writers) {
        long due = start + seq * intervalNanos;
        long wait = due - System.nanoTime();
        if (wait > 0) TimeUnit.NANOSECONDS.sleep(wait);
        insert.setObject(1, couples.get(seq % couples.size()).id());
        insert.setString(2, TITLE + seq);
        try {
          insert.executeUpdate();
          committedAt.set(seq, System.nanoTime());
          written.incrementAndGet();
        } catch (java.sql.SQLException e) {
          if (errors.incrementAndGet() == 1) System.err.println("  write failed: " + e.getMessage());
        }
      }
    } catch (Exception e) {
      throw new IllegalStateException("writer " + writer + " failed: " + e.getMessage(), e);
    }
  }

  private static final class Options {
    String url = "http://127.0.0.1:4000";
    String jdbcUrl;
    long hubPid = -1;
    String secretFile = "conf/dev-jwt-secret.txt";
    int couples = 500;
    int members = 10;
    int rate = 1000;
    int warmupSeconds = 5;
    int seconds = 20;
    int writers = 4;
    int clientLoops = 2;
    int connectConcurrency = 64;

    static Options parse(String[] args) {
      Options o = new Options();
      Integer[] jdbcPort = {null};
      try {
        boolean run = BenchArgs.walk(args, (a, v) -> {
          switch (a) {
            case "--url" -> o.url = v.replaceAll("/+$", "");
            case "--jdbc-port" -> jdbcPort[0] = number(a, v, 1);
            case "--hub-pid" -> o.hubPid = BenchArgs.longNumber(a, v, 1);
            case "--secret-file" -> o.secretFile = v;
            case "--couples" -> o.couples = number(a, v, 1);
            case "--members" -> o.members = number(a, v, 1);
            case "--rate" -> o.rate = number(a, v, 1);
            case "--warmup-seconds" -> o.warmupSeconds = number(a, v, 0);
            case "--seconds" -> o.seconds = number(a, v, 1);
            case "--writers" -> o.writers = number(a, v, 1);
            case "--client-loops" -> o.clientLoops = number(a, v, 1);
            case "--connect-concurrency" -> o.connectConcurrency = number(a, v, 1);
            default -> throw new BenchArgs.BadOption("unknown option " + a);
          }
        });
        if (!run) {
          System.out.print(HELP);
          System.exit(0);
        }
        if (jdbcPort[0] == null) throw new BenchArgs.BadOption("--jdbc-port is required: the rows are written over JDBC");
      } catch (BenchArgs.BadOption e) {
        BenchArgs.exitWithUsage("ChangeBench", e.getMessage(), HELP);
      }
      o.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + jdbcPort[0] + "/postgres";
      return o;
    }
  }
}
