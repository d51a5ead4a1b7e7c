package com.wedsync.hub.bench;

import com.wedsync.hub.auth.DevTokens;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
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
  private final SourceAddresses sources;
  private final DevTokens tokens;
  private final int connectConcurrency;

  BenchKit(Vertx vertx, String secretFile, int connectConcurrency) throws java.io.IOException {
    this(vertx, new DevTokens(vertx, Files.readString(Path.of(secretFile)).trim()), SourceAddresses.single(vertx),
        connectConcurrency);
  }

  BenchKit(Vertx vertx, DevTokens tokens, SourceAddresses sources, int connectConcurrency) {
    this.vertx = vertx;
    this.sources = sources;
    this.tokens = tokens;
    this.connectConcurrency = connectConcurrency;
  }

  Vertx vertx() {
    return vertx;
  }

  DevTokens tokens() {
    return tokens;
  }

  SourceAddresses sources() {
    return sources;
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
    return openAll(users.size(), i -> {
      Target hub = hubOf.apply(i);
      return BenchSocket.connect(vertx, sources.clientFor(i), hub.host, hub.port, tokens.user(users.get(i), 86_400))
          .compose(s -> {
            opened.accept(i, s);
            return s.join(topics.get(i), joinPayload.apply(i)).map(reply -> {
              joined.accept(i, reply);
              return s;
            });
          })
          .recover(e -> Future.failedFuture(new IllegalStateException("socket " + i + " could not connect and join "
              + topics.get(i) + ": " + e.getMessage(), e)));
    });
  }

  /**
   * Runs {@code open(0)} … {@code open(n-1)}, {@code connectConcurrency} at a time, and returns their results by index;
   * fails with the first failure. Any kind of client (a hub socket, a Socket.IO socket) is opened this way.
   */
  <T> List<T> openAll(int n, IntFunction<Future<T>> open) throws Exception {
    Object[] out = new Object[n];
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> workers = new ArrayList<>();
    for (int w = 0; w < Math.min(connectConcurrency, n); w++) {
      Promise<Void> done = Promise.promise();
      workers.add(done.future());
      openNext(n, open, out, next, done);
    }
    await(Future.all(workers), 300 + n / 50);
    List<T> result = new ArrayList<>(n);
    synchronized (out) {
      for (Object o : out) {
        @SuppressWarnings("unchecked") T t = (T) o;
        result.add(t);
      }
    }
    return result;
  }

  private <T> void openNext(int n, IntFunction<Future<T>> open, Object[] out, AtomicInteger next, Promise<Void> done) {
    int i = next.getAndIncrement();
    if (i >= n) {
      done.tryComplete();
      return;
    }
    open.apply(i)
        .onSuccess(t -> {
          synchronized (out) {
            out[i] = t;
          }
          openNext(n, open, out, next, done);
        })
        .onFailure(done::tryFail);
  }

  void closeAll(List<? extends ClientSocket> sockets) throws Exception {
    List<Future<Void>> closing = new ArrayList<>();
    for (ClientSocket s : sockets) closing.add(s.close());
    await(Future.join(closing).recover(e -> Future.succeededFuture()), 60);
  }

  // ---- small helpers ---------------------------------------------------------------------------------------------

  /** Microseconds, up to one minute, three significant digits. Recorded from several event loops, so guarded. */
  /** Whether {@code needle} occurs in the frame at or after {@code from} (an event's name, without parsing JSON). */
  static boolean contains(io.vertx.core.buffer.Buffer frame, byte[] needle, int from) {
    return indexOf(frame, needle, from) >= 0;
  }

  static int indexOf(io.vertx.core.buffer.Buffer frame, byte[] needle, int from) {
    int n = frame.length();
    outer:
    for (int i = from; i + needle.length <= n; i++) {
      for (int j = 0; j < needle.length; j++) if (frame.getByte(i + j) != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

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

  /** A benchmark's body, given the load generator's Vert.x. */
  interface Body {
    void run(Vertx vertx) throws Exception;
  }

  /** Runs {@code body} on a load-generator Vert.x with {@code loops} event loops and quiet logs; closes it after. */
  static void withVertx(int loops, Body body) throws Exception {
    quietLogs();
    // The same transport as the hub (epoll on Linux), so the generator is not the first thing to saturate.
    Vertx vertx = Vertx.vertx(new io.vertx.core.VertxOptions().setEventLoopPoolSize(loops)
        .setPreferNativeTransport(true));
    try {
      body.run(vertx);
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /** The lines under every benchmark's title: what generates the load, and how busy the machine already is. */
  static void printMachine(int loops, String extra) {
    System.out.printf("  load generator: %d event loop(s), %d CPU(s) visible, Java %s%s; servers and generator share "
        + "the machine%n", loops, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), extra);
    System.out.printf("  machine load average now: %s (anything else running competes for the same CPUs)%n", loadAvg());
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
