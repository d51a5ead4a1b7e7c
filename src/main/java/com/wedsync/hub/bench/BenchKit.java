package com.wedsync.hub.bench;

import com.wedsync.hub.auth.DevTokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.json.JsonObject;
import org.HdrHistogram.Histogram;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * What every benchmark of the hub needs: sockets opened and joined at a bounded pace, histograms in microseconds,
 * counters, and the printed summary table. One instance per load-generator Vert.x.
 */
final class BenchKit {
  private final Vertx vertx;
  private final WebSocketClient client;
  private final DevTokens tokens;
  private final int connectConcurrency;

  BenchKit(Vertx vertx, String secretFile, int connectConcurrency) throws java.io.IOException {
    this.vertx = vertx;
    // The default pool allows 50 WebSockets per server; a load generator needs them all open at once.
    this.client = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(1_000_000)
        .setConnectTimeout(30_000));
    this.tokens = new DevTokens(vertx, Files.readString(Path.of(secretFile)).trim());
    this.connectConcurrency = connectConcurrency;
  }

  DevTokens tokens() {
    return tokens;
  }

  /** A hub under test: its HTTP base URL (WebSocket host and port come from it) and its PostgreSQL (JDBC). */
  record Target(String url, String host, int port, String jdbcUrl, long pid) {
    static Target of(String url, String jdbcUrl, long pid) {
      URI u = URI.create(url);
      return new Target(url, u.getHost(), u.getPort() > 0 ? u.getPort() : 80, jdbcUrl, pid);
    }
  }

  /** Latency figures of one histogram, in milliseconds. */
  record Latency(double p50, double p99, double max, long count) {
    static Latency of(Histogram h) {
      synchronized (h) {
        return new Latency(ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)), ms(h.getMaxValue()),
            h.getTotalCount());
      }
    }
  }

  // ---- sockets ---------------------------------------------------------------------------------------------------

  /**
   * Opens one socket per user and joins it to its topic, {@code connectConcurrency} at a time (the hub reads the
   * user and checks the membership in PostgreSQL for each, so an unbounded burst would only measure its pool queue).
   */
  List<BenchSocket> connectAll(Target hub, List<UUID> users, List<String> topics) throws Exception {
    return connectAll(i -> hub, users, topics);
  }

  /** The same with each socket's hub chosen by its index (clients spread over the nodes of a cluster). */
  List<BenchSocket> connectAll(IntFunction<Target> hubOf, List<UUID> users, List<String> topics) throws Exception {
    return connectAll(hubOf, users, topics, i -> new JsonObject(), (i, s) -> { }, (i, reply) -> { });
  }

  /**
   * The same with each join's payload chosen by index, {@code opened} told of each socket before it joins (so a
   * push handler sees everything the join brings, such as replayed history) and {@code joined} given each join's
   * ok response.
   */
  List<BenchSocket> connectAll(IntFunction<Target> hubOf, List<UUID> users, List<String> topics,
                               IntFunction<JsonObject> joinPayload, BiConsumer<Integer, BenchSocket> opened,
                               BiConsumer<Integer, JsonObject> joined) throws Exception {
    int n = users.size();
    BenchSocket[] out = new BenchSocket[n];
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    Connecting c = new Connecting(hubOf, users, topics, joinPayload, opened, joined, out, next);
    for (int w = 0; w < Math.min(connectConcurrency, n); w++) {
      Promise<Void> done = Promise.promise();
      workers.add(done.future());
      connectNext(c, done);
    }
    await(Future.all(workers), 300);
    return List.of(out);
  }

  private record Connecting(IntFunction<Target> hubOf, List<UUID> users, List<String> topics,
                            IntFunction<JsonObject> joinPayload, BiConsumer<Integer, BenchSocket> opened,
                            BiConsumer<Integer, JsonObject> joined, BenchSocket[] out, AtomicInteger next) {}

  private void connectNext(Connecting c, Promise<Void> done) {
    int i = c.next.getAndIncrement();
    if (i >= c.users.size()) {
      done.tryComplete();
      return;
    }
    Target hub = c.hubOf.apply(i);
    String token = tokens.user(c.users.get(i), 86_400);
    BenchSocket.connect(vertx, client, hub.host, hub.port, token)
        .compose(s -> {
          c.opened.accept(i, s);
          return s.join(c.topics.get(i), c.joinPayload.apply(i)).map(reply -> {
            c.joined.accept(i, reply);
            return s;
          });
        })
        .onSuccess(s -> {
          synchronized (c.out) {
            c.out[i] = s;
          }
          connectNext(c, done);
        })
        .onFailure(e -> done.tryFail(new IllegalStateException("socket " + i + " could not connect and join "
            + c.topics.get(i) + ": " + e.getMessage(), e)));
  }

  void closeAll(List<BenchSocket> sockets) throws Exception {
    List<Future<Void>> closing = new ArrayList<>();
    for (BenchSocket s : sockets) closing.add(s.close());
    await(Future.join(closing).recover(e -> Future.succeededFuture()), 60);
  }

  // ---- small helpers ---------------------------------------------------------------------------------------------

  /** Microseconds, up to one minute, three significant digits. Recorded from several event loops, so guarded. */
  static Histogram histogram() {
    return new Histogram(60_000_000L, 3);
  }

  static void record(Histogram h, long nanos) {
    long us = Math.max(1, Math.min(60_000_000L, nanos / 1000));
    synchronized (h) {
      h.recordValue(us);
    }
  }

  static double ms(long micros) {
    return micros / 1000.0;
  }

  static String reason(JsonObject reply) {
    JsonObject r = reply.getJsonObject("response");
    return r == null ? "?" : r.getString("reason", "?");
  }

  static void count(Map<String, LongAdder> counts, String key) {
    counts.computeIfAbsent(key, k -> new LongAdder()).increment();
  }

  static Map<String, Long> snapshot(Map<String, LongAdder> counts) {
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((k, v) -> out.put(k, v.sum()));
    return out;
  }

  static long sum(Map<String, Long> counts) {
    return counts.values().stream().mapToLong(Long::longValue).sum();
  }

  static String describe(Map<String, Long> counts) {
    return counts.isEmpty() ? "none" : counts.toString();
  }

  static String describeD(Map<String, Double> counts) {
    if (counts.isEmpty()) return "none";
    Map<String, Long> out = new LinkedHashMap<>();
    counts.forEach((k, v) -> out.put(k, Math.round(v)));
    return out.toString();
  }

  /** The 1, 5 and 15 minute load averages (Linux), so figures from a busy machine can be recognised as such. */
  static String loadAvg() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " / " + f[1] + " / " + f[2];
    } catch (Exception e) {
      return "n/a";
    }
  }

  static void section(String title) {
    System.out.printf("%n== %s ==%n", title);
  }

  static <T> T await(Future<T> f, long seconds) throws Exception {
    try {
      return f.toCompletionStage().toCompletableFuture().get(seconds, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof Exception ex ? ex : e;
    }
  }

  /** The generator's own logs (Vert.x, the JDBC driver) would interleave with the figures: warnings only. */
  static void quietLogs() {
    if (org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext ctx) {
      ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(ch.qos.logback.classic.Level.WARN);
    }
  }


  /** Prints the summary: one row per figure, columns #, workload, target, measured. */
  static void table(List<String[]> rows) {
    int[] width = {1, 8, 6, 8};
    String[] head = {"#", "workload", "target", "measured"};
    for (int i = 0; i < 4; i++) width[i] = Math.max(width[i], head[i].length());
    for (String[] r : rows) for (int i = 0; i < 4; i++) width[i] = Math.max(width[i], r[i].length());
    System.out.println(line(head, width));
    String[] dashes = new String[4];
    for (int i = 0; i < 4; i++) dashes[i] = "-".repeat(width[i]);
    System.out.println(line(dashes, width));
    for (String[] r : rows) System.out.println(line(r, width));
    System.out.println();
  }

  private static String line(String[] cells, int[] width) {
    StringBuilder b = new StringBuilder("|");
    for (int i = 0; i < cells.length; i++) {
      b.append(' ').append(cells[i]).append(" ".repeat(width[i] - cells[i].length())).append(" |");
    }
    return b.toString();
  }
}
