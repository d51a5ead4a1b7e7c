package com.wedsync.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;

import static com.wedsync.hub.bench.BenchArgs.number;
import static com.wedsync.hub.bench.BenchKit.*;

/**
 * Benchmark for the README's Performance targets P7 (one notification to 5,000 recipients: stored, and delivered to every online recipient
 * with p99 ≤ 1 s) and P8 (1,000 clients cut off for 10 s while their channels get 100 events/s: all recovered on
 * rejoin, no gap, no duplicate) against a running hub. Prints the workload, the figures and the targets side by side;
 * never fails on a missed target. {@code scripts/bench-delivery} starts a throw-away hub and runs this class.
 */
public final class DeliveryBench {
  private static final String HELP = """
      usage: java -cp target/hub.jar com.wedsync.hub.bench.DeliveryBench --url URL --jdbc-port PORT [options]

        --url URL                the hub's HTTP base URL                              [http://127.0.0.1:4000]
        --jdbc-port PORT         the hub's PostgreSQL port (fixtures)
        --hub-pid PID            the hub's process id, to show its share of the CPUs (Linux)           [unknown]
        --secret-file FILE       the HS256 secret the hub verifies tokens with     [conf/dev-jwt-secret.txt]
        --p7-recipients N        P7: users, each online on user:{id}; 0 skips P7                      [5000]
        --p7-rounds N            P7: notifications sent, one after the other (figures per round, median)  [5]
        --p8-clients N           P8: clients, 20 per form channel; 0 skips P8                          [1000]
        --p8-rate N              P8: durable events per second over all their channels                  [100]
        --p8-cut-seconds N       P8: how long the clients are away                                       [10]
        --client-loops N         event loops of the load generator                                        [2]
        --connect-concurrency N  WebSocket connects (and joins) in flight at once                        [64]
        --help                   this text
      """;
  private static final int P8_GROUP = 20;
  private static final byte[] NOTIFICATION = "\",\"notification\",{".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] META_OFFSET = "\"meta\":{\"offset\":".getBytes(StandardCharsets.US_ASCII);

  private final Options o;
  private final Vertx vertx;
  private final BenchKit kit;
  private final Target hub;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private DeliveryBench(Options o, Vertx vertx) throws Exception {
    this.o = o;
    this.vertx = vertx;
    this.kit = new BenchKit(vertx, o.secretFile, o.connectConcurrency);
    this.hub = Target.of(o.url, o.jdbcUrl, o.hubPid);
  }

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    withVertx(o.clientLoops, vertx -> new DeliveryBench(o, vertx).run());
  }

  private void run() throws Exception {
    System.out.printf("%nWedSync hub delivery benchmark (the README's Performance targets P7, P8) against %s%n", hub.url());
    printMachine(o.clientLoops, "");
    List<String[]> rows = new ArrayList<>();
    if (o.p7Recipients > 0) rows.addAll(runP7());
    if (o.p8Clients > 0) rows.addAll(runP8());
    section("Summary (the README's Performance targets, one node; benchmarks report, they do not gate)");
    table(rows);
  }

  // ---- P7: one notification to 5,000 recipients ------------------------------------------------------------------

  private List<String[]> runP7() throws Exception {
    int n = o.p7Recipients;
    section("P7 — one notification to " + n + " recipients (the target: stored, and delivered to every online "
        + "recipient with p99 ≤ 1 s)");
    System.out.printf("  workload: %,d users, each online with one socket joined to its user:{id} channel; %d times, "
            + "one service POST /api/v1/notifications naming all of them, the next when the last one was delivered."
            + "%n  latency = POST sent → the notification event received by each recipient.%n", n, o.p7Rounds);
    List<UUID> users;
    try (Fixtures fx = new Fixtures(hub.jdbcUrl(), "postgres", "postgres")) {
      users = fx.users("p7", n);
    }
    List<String> topics = users.stream().map(u -> "realtime:user:" + u).toList();
    List<BenchSocket> sockets = kit.connectAll(i -> hub, users, topics);
    CpuShare cpu = new CpuShare(hub.pid());
    AtomicLong sentAt = new AtomicLong();
    LongAdder received = new LongAdder();
    Histogram all = histogram();
    Histogram[] round = {histogram()};
    for (BenchSocket s : sockets) {
      s.onPush(frame -> {
        if (!contains(frame, NOTIFICATION, 0)) return;
        long latency = System.nanoTime() - sentAt.get();
        record(all, latency);
        record(round[0], latency);
        received.increment();
      });
    }
    String token = kit.tokens().service(3600);
    JsonArray ids = new JsonArray();
    users.forEach(u -> ids.add(u.toString()));
    List<Double> p99s = new ArrayList<>(), lasts = new ArrayList<>();
    long stored = 0, missing = 0;
    for (int r = 1; r <= o.p7Rounds; r++) {
      round[0] = histogram();
      long before = received.sum();
      String body = new JsonObject().put("user_ids", ids).put("type", "bench").put("title", "Benchmark round " + r)
          .put("body", "P7").put("priority", "normal").encode();
      sentAt.set(System.nanoTime());
      HttpResponse<String> res = http.send(HttpRequest.newBuilder(URI.create(hub.url() + "/api/v1/notifications"))
          .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body)).timeout(Duration.ofSeconds(60)).build(),
          HttpResponse.BodyHandlers.ofString());
      double postMs = (System.nanoTime() - sentAt.get()) / 1e6;
      if (res.statusCode() / 100 != 2) {
        throw new IllegalStateException("POST /api/v1/notifications answered " + res.statusCode() + ": " + res.body());
      }
      long roundStored = new JsonObject(res.body()).getLong("stored", 0L);
      stored += roundStored;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (received.sum() - before < n && System.nanoTime() < deadline) Thread.sleep(5);
      long got = received.sum() - before;
      missing += n - got;
      Latency l = Latency.of(round[0]);
      p99s.add(l.p99());
      lasts.add(l.max());
      System.out.printf("  round %d: POST answered in %.0f ms (stored %,d); delivered %,d of %,d: p50 %.0f ms, p99 "
          + "%.0f ms, last %.0f ms%n", r, postMs, roundStored, got, n, l.p50(), l.p99(), l.max());
      Thread.sleep(500);
    }
    String cpuShare = cpu.report();
    kit.closeAll(sockets);
    Latency l = Latency.of(all);
    double medianP99 = median(p99s);
    System.out.printf("  all rounds: p50 %.0f ms, p99 %.0f ms, max %.0f ms; median of the rounds' p99: %.0f ms%n",
        l.p50(), l.p99(), l.max(), medianP99);
    System.out.printf("  CPU during P7: %s%n", cpuShare);
    String w = String.format("1 notification → %,d online recipients, %d rounds", n, o.p7Rounds);
    boolean allStored = stored == (long) n * o.p7Rounds;
    return List.of(
        new String[] {"P7", w, "stored for every recipient",
            String.format("%,d of %,d rows — %s", stored, (long) n * o.p7Rounds, allStored ? "met" : "MISSED")},
        new String[] {"P7", w, "delivered to every online recipient, p99 ≤ 1 s",
            String.format("%,d missing; p99 %.0f ms (median of rounds), last delivery %.0f ms (median) — %s",
                missing, medianP99, median(lasts), missing == 0 && medianP99 <= 1000 ? "met" : "MISSED")});
  }

  // ---- P8: recovery after a cut --------------------------------------------------------------------------------

  /** One client of P8: the offsets of the durable events it saw on its form channel, in arrival order. */
  private static final class Watcher {
    final int index;
    final String topic;
    final List<Long> offsets = new ArrayList<>();
    String epoch;
    Boolean recovered;

    Watcher(int index, String topic) {
      this.index = index;
      this.topic = topic;
    }
  }

  private List<String[]> runP8() throws Exception {
    int n = o.p8Clients - o.p8Clients % P8_GROUP;
    int forms = n / P8_GROUP;
    section("P8 — " + n + " clients cut off for " + o.p8CutSeconds + " s while their channels get " + o.p8Rate
        + " events/s (the target: 100 % recovered on rejoin, no gap, no duplicate)");
    System.out.printf("  workload: %,d clients on %d form channels (%d each) plus one never-disconnected reference "
            + "client per channel; a writer per form sends field:set so that the channels get %d field:changed/s in "
            + "all (each followed by field:saved, also durable). After 3 s every client's socket is closed; %d s "
            + "later each reconnects and rejoins with since = its last offset and epoch; writing goes on for 5 s more."
            + "%n  check: each client's offsets, before the cut and after the rejoin, equal the reference's from the "
            + "client's first offset on, with no gap, duplicate or reordering.%n",
        n, forms, P8_GROUP, o.p8Rate, o.p8CutSeconds);
    List<UUID> users, writers;
    List<UUID> formIds;
    try (Fixtures fx = new Fixtures(hub.jdbcUrl(), "postgres", "postgres")) {
      users = fx.users("p8", n + forms);
      writers = fx.users("p8w", forms);
      formIds = fx.forms("p8", forms);
    }
    List<Watcher> watchers = new ArrayList<>();
    List<String> topics = new ArrayList<>();
    for (int i = 0; i < n + forms; i++) {
      String topic = "realtime:form:" + formIds.get(i < n ? i / P8_GROUP : i - n);
      watchers.add(new Watcher(i, topic));
      topics.add(topic);
    }
    // Push handlers go on before the joins and the writers start after them: every client and its channel's reference
    // see the same events from the first on.
    List<BenchSocket> sockets = kit.connectAll(i -> hub, users, topics, i -> new JsonObject(),
        (i, sock) -> watch(watchers.get(i), sock), (i, reply) -> { });
    List<String> writerTopics = formIds.stream().map(f -> "realtime:form:" + f).toList();
    List<BenchSocket> writerSockets = kit.connectAll(i -> hub, writers, writerTopics);

    CpuShare cpu = new CpuShare(hub.pid());
    LongAdder writes = new LongAdder(), refused = new LongAdder();
    long intervalMs = Math.max(1, 1000L * forms / o.p8Rate);
    long[] timers = new long[forms];
    for (int f = 0; f < forms; f++) {
      BenchSocket ws = writerSockets.get(f);
      String topic = writerTopics.get(f);
      long[] acked = {0};
      int[] inFlight = {0};
      long offset = 1 + (long) f * intervalMs / forms;
      int form = f;
      ws.context().runOnContext(v -> timers[form] = vertx.setPeriodic(offset, intervalMs, id -> {
        String set = "{\"field\":\"f0\",\"value\":" + (writes.sum() % 1_000_000) + ",\"base_version\":"
            + (acked[0] + inFlight[0]++) + ",\"op_id\":\"p8-" + form + "-" + System.nanoTime() + "\"}";
        writes.increment();
        ws.requestJson(topic, "field:set", set).onComplete(ar -> {
          inFlight[0]--;
          if (ar.succeeded() && "ok".equals(ar.result().getString("status"))) {
            acked[0] = Math.max(acked[0], ar.result().getJsonObject("response").getLong("version"));
          } else {
            refused.increment();
          }
        });
      }));
    }

    Thread.sleep(3000);
    List<Future<Void>> closing = new ArrayList<>();
    for (int i = 0; i < n; i++) closing.add(sockets.get(i).close());
    Future.join(closing).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    System.out.printf("  cut: %,d sockets closed; away for %d s ...%n", n, o.p8CutSeconds);
    Thread.sleep(o.p8CutSeconds * 1000L);

    long r0 = System.nanoTime();
    List<Watcher> cut = watchers.subList(0, n);
    List<UUID> cutUsers = users.subList(0, n);
    List<String> cutTopics = topics.subList(0, n);
    List<BenchSocket> again = kit.connectAll(i -> hub, cutUsers, cutTopics, i -> {
      Watcher w = cut.get(i);
      JsonObject join = new JsonObject();
      synchronized (w) {
        if (!w.offsets.isEmpty()) {
          join.put("since", new JsonObject().put("offset", w.offsets.get(w.offsets.size() - 1)).put("epoch", w.epoch));
        }
      }
      return join;
    }, (i, sock) -> watch(cut.get(i), sock), (i, reply) -> {
      Watcher w = cut.get(i);
      synchronized (w) {
        w.recovered = reply.getBoolean("recovered");
      }
    });
    double rejoinSeconds = (System.nanoTime() - r0) / 1e9;
    System.out.printf("  rejoined %,d clients in %.1f s; writing on for 5 s ...%n", again.size(), rejoinSeconds);
    Thread.sleep(5000);
    for (int f = 0; f < forms; f++) {
      int form = f;
      writerSockets.get(f).context().runOnContext(v -> vertx.cancelTimer(timers[form]));
    }
    Thread.sleep(3000); // the last saves (field:saved follows within a batch window) and deliveries
    String cpuShare = cpu.report();
    kit.closeAll(again);
    kit.closeAll(sockets.subList(n, n + forms));
    kit.closeAll(writerSockets);

    // Compare every cut client with its channel's reference.
    long recovered = 0, notRecovered = 0, complete = 0, gaps = 0, duplicates = 0, reordered = 0, events = 0;
    for (int i = 0; i < n; i++) {
      Watcher w = watchers.get(i);
      Watcher ref = watchers.get(n + i / P8_GROUP);
      List<Long> mine, theirs;
      synchronized (w) {
        mine = new ArrayList<>(w.offsets);
        if (Boolean.TRUE.equals(w.recovered)) recovered++;
        else notRecovered++;
      }
      synchronized (ref) {
        theirs = new ArrayList<>(ref.offsets);
      }
      events += mine.size();
      for (int k = 1; k < mine.size(); k++) {
        long d = mine.get(k) - mine.get(k - 1);
        if (d == 0) duplicates++;
        else if (d < 0) reordered++;
        else if (d > 1) gaps++;
      }
      int from = mine.isEmpty() ? -1 : theirs.indexOf(mine.get(0));
      if (from >= 0 && theirs.subList(from, theirs.size()).equals(mine)) complete++;
    }
    System.out.printf("  joins answered recovered:true %,d, recovered:false %,d; clients whose events equal the "
        + "reference's exactly: %,d of %,d%n", recovered, notRecovered, complete, n);
    System.out.printf("  %,d events seen by the cut clients; gaps %d, duplicates %d, out of order %d; writes %,d "
        + "(refused %d)%n", events, gaps, duplicates, reordered, writes.sum(), refused.sum());
    System.out.printf("  CPU during P8: %s%n", cpuShare);
    String w = String.format("%,d clients cut %d s, %d events/s", n, o.p8CutSeconds, o.p8Rate);
    boolean met = recovered == n && complete == n && gaps + duplicates + reordered == 0;
    return List.<String[]>of(new String[] {"P8", w, "100 % recovered, no gap, no duplicate",
        String.format("%,d of %,d recovered, %,d of %,d identical to the reference; gaps %d, duplicates %d, "
            + "reordered %d; rejoin of all took %.1f s — %s", recovered, n, complete, n, gaps, duplicates, reordered,
            rejoinSeconds, met ? "met" : "MISSED")});
  }

  /** Records every durable event's offset (and the channel's epoch) that reaches {@code sock} for {@code w}. */
  private static void watch(Watcher w, BenchSocket sock) {
    sock.onPush(frame -> {
      int at = indexOf(frame, META_OFFSET, 0);
      if (at < 0) return;
      // Only the durable events carry meta; read offset and epoch straight from the bytes.
      JsonObject meta = metaOf(frame, at + META_OFFSET.length - "{\"offset\":".length());
      synchronized (w) {
        w.offsets.add(meta.getLong("offset"));
        w.epoch = meta.getString("epoch");
      }
    });
  }

  /** The {@code {...}} object starting at {@code from} (meta holds no nested objects). */
  private static JsonObject metaOf(Buffer frame, int from) {
    int end = from;
    while (end < frame.length() && frame.getByte(end) != '}') end++;
    return new JsonObject(frame.getString(from, end + 1));
  }

  private static double median(List<Double> values) {
    if (values.isEmpty()) return 0;
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(Double::compare);
    int m = sorted.size() / 2;
    return sorted.size() % 2 == 1 ? sorted.get(m) : (sorted.get(m - 1) + sorted.get(m)) / 2;
  }

  // ---- options ---------------------------------------------------------------------------------------------------

  private static final class Options {
    String url = "http://127.0.0.1:4000";
    String jdbcUrl;
    long hubPid = -1;
    String secretFile = "conf/dev-jwt-secret.txt";
    int p7Recipients = 5000;
    int p7Rounds = 5;
    int p8Clients = 1000;
    int p8Rate = 100;
    int p8CutSeconds = 10;
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
            case "--p7-recipients" -> o.p7Recipients = number(a, v, 0);
            case "--p7-rounds" -> o.p7Rounds = number(a, v, 1);
            case "--p8-clients" -> o.p8Clients = number(a, v, 0);
            case "--p8-rate" -> o.p8Rate = number(a, v, 1);
            case "--p8-cut-seconds" -> o.p8CutSeconds = number(a, v, 0);
            case "--client-loops" -> o.clientLoops = number(a, v, 1);
            case "--connect-concurrency" -> o.connectConcurrency = number(a, v, 1);
            default -> throw new BenchArgs.BadOption("unknown option " + a);
          }
        });
        if (!run) {
          System.out.print(HELP);
          System.exit(0);
        }
        if (jdbcPort[0] == null) throw new BenchArgs.BadOption("--jdbc-port is required: fixtures are written over JDBC");
        if (o.p8Clients > 0 && o.p8Clients < P8_GROUP) {
          throw new BenchArgs.BadOption("--p8-clients must be 0 or at least " + P8_GROUP);
        }
      } catch (BenchArgs.BadOption e) {
        BenchArgs.exitWithUsage("DeliveryBench", e.getMessage(), HELP);
      }
      o.jdbcUrl = "jdbc:postgresql://127.0.0.1:" + jdbcPort[0] + "/postgres";
      return o;
    }
  }
}
