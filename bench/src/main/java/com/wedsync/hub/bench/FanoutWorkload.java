package com.wedsync.hub.bench;

import com.wedsync.hub.bench.BenchKit.Latency;
import com.wedsync.hub.bench.LoadTarget.LoadClient;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;
import org.HdrHistogram.ConcurrentHistogram;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

import static com.wedsync.hub.bench.BenchKit.count;
import static com.wedsync.hub.bench.BenchKit.describe;
import static com.wedsync.hub.bench.BenchKit.snapshot;

/**
 * the README's Performance targets P1, fan-out: {@code channels} channels with {@code perChannel} subscribers each and one publisher each
 * (a client of its own, so every publish is delivered to all the subscribers), published to at a rising rate in
 * steps. Each subscriber measures publish → receipt from the time inside the payload ({@link Tick}) and records the
 * sequence numbers it saw, so that every publish the server accepted can be checked to arrive at every subscriber of
 * its channel exactly once. The rise stops at the first step that misses (p99 over the limit, deliveries behind the
 * offered rate, a delivery lost, a publish refused); the best step is the last that met them all.
 */
final class FanoutWorkload {
  /** Deliveries must keep up to within this share of the offered rate for a step to count. */
  private static final double KEEP_UP = 0.9;
  private static final long DRAIN_NANOS = 5_000_000_000L;

  /** {@code warmupSeconds}: first a run at the lowest rate, not reported (a fresh server JIT-compiles its hot paths). */
  record Settings(int channels, int perChannel, List<Integer> rates, int stepSeconds, int warmupSeconds,
                  double p99LimitMs, int loops) {
    int subscribers() {
      return channels * perChannel;
    }

    int sockets() {
      return subscribers() + channels;
    }
  }

  /** One step of the rising rate; {@code verdict} is "ok" or what it missed. */
  record Step(int offered, double achieved, long published, Map<String, Long> refused, long expected, long delivered,
              Latency latency, long skipped, String cpu, String generatorLag, long serverHeapBytes, String verdict) {
    boolean met() {
      return verdict.equals("ok");
    }
  }

  /**
   * Everything measured against one target. {@code missing}, {@code duplicates}, {@code unexpected} and
   * {@code misrouted} are over the whole run, per subscriber: accepted publishes of its channel it never got, got
   * twice, got though not accepted, and got from another channel.
   */
  record Result(String target, Settings settings, double openSeconds, List<Step> steps, long accepted,
                long deliveries, long missing, long duplicates, long unexpected, long misrouted, long closed) {
    /** The highest step that met everything, or null. */
    Step best() {
      Step best = null;
      for (Step s : steps) if (s.met()) best = s;
      return best;
    }
  }

  private final BenchKit kit;
  private final Vertx vertx;
  private final LoadTarget target;
  private final Settings s;
  private final BitSet[] seen;
  private final ConcurrentHistogram[] latencies;
  private final LongAdder[] deliveredByStep;
  private final LongAdder delivered = new LongAdder(), duplicates = new LongAdder(), misrouted = new LongAdder();
  private final LongAdder acceptedTotal = new LongAdder();
  private final AtomicIntegerArray nextSeq, acceptedPerChannel;
  private final LongAdder opened = new LongAdder();
  private volatile Supplier<String> status = () -> "preparing";

  FanoutWorkload(BenchKit kit, LoadTarget target, Settings settings) {
    this.kit = kit;
    this.vertx = kit.vertx();
    this.target = target;
    this.s = settings;
    this.seen = new BitSet[s.subscribers()];
    for (int i = 0; i < seen.length; i++) seen[i] = new BitSet();
    this.latencies = new ConcurrentHistogram[s.rates().size()];
    this.deliveredByStep = new LongAdder[s.rates().size()];
    for (int k = 0; k < latencies.length; k++) {
      latencies[k] = new ConcurrentHistogram(60_000_000L, 3);
      deliveredByStep[k] = new LongAdder();
    }
    this.nextSeq = new AtomicIntegerArray(s.channels());
    this.acceptedPerChannel = new AtomicIntegerArray(s.channels());
  }

  Result run() throws Exception {
    try (Progress p = Progress.start("P1 " + target.name(), () -> status.get())) {
      return runSteps();
    }
  }

  private Result runSteps() throws Exception {
    target.prepare(s.sockets(), s.channels());
    status = () -> String.format("opening sockets: %,d of %,d", opened.sum(), s.sockets());
    long t0 = System.nanoTime();
    List<LoadClient> subscribers = kit.openAll(s.subscribers(), i -> joined(i, i / s.perChannel(),
        frame -> onFrame(i, frame)));
    List<LoadClient> publishers = kit.openAll(s.channels(), c -> joined(s.subscribers() + c, c, frame -> { }));
    double openSeconds = (System.nanoTime() - t0) / 1e9;
    System.out.printf("  %s: %,d sockets opened and joined in %.1f s (%,.0f/s)%n", target.name(), s.sockets(),
        openSeconds, s.sockets() / openSeconds);

    if (s.warmupSeconds() > 0) {
      Step warm = new StepRun(-1, publishers).execute();
      System.out.printf("  warm-up: %d s at %,d deliveries/s offered, %,d publishes, not reported%n",
          s.warmupSeconds(), warm.offered(), warm.published());
    }
    List<Step> steps = new ArrayList<>();
    for (int k = 0; k < s.rates().size(); k++) {
      Step step = new StepRun(k, publishers).execute();
      steps.add(step);
      printStep(k, step);
      if (!step.met()) break;
    }
    long closed = subscribers.stream().filter(LoadClient::closed).count()
        + publishers.stream().filter(LoadClient::closed).count();
    status = () -> "closing sockets";
    kit.closeAll(subscribers);
    kit.closeAll(publishers);

    long missing = 0, unexpected = 0;
    for (int i = 0; i < seen.length; i++) {
      int accepted = acceptedPerChannel.get(i / s.perChannel());
      int got;
      synchronized (seen[i]) {
        got = seen[i].cardinality();
      }
      missing += Math.max(0, accepted - got);
      unexpected += Math.max(0, got - accepted);
    }
    return new Result(target.name(), s, openSeconds, steps, acceptedTotal.sum(), delivered.sum(), missing,
        duplicates.sum(), unexpected, misrouted.sum(), closed);
  }

  private Future<LoadClient> joined(int index, int channel, io.vertx.core.Handler<Buffer> pushes) {
    return target.open(index, pushes).compose(c -> c.join(channel, false).map(v -> {
      opened.increment();
      return c;
    }));
  }

  /** On the subscriber's event loop: one frame pushed to subscriber {@code i}. */
  private void onFrame(int i, Buffer frame) {
    long now = System.nanoTime();
    Tick t = Tick.find(frame);
    if (t == null) return;
    if (t.channel() != i / s.perChannel()) {
      misrouted.increment();
      return;
    }
    BitSet mine = seen[i];
    synchronized (mine) { // uncontended: only the final count reads it from another thread
      if (mine.get(t.seq())) {
        duplicates.increment();
        return;
      }
      mine.set(t.seq());
    }
    delivered.increment();
    if (t.step() >= 0 && t.step() < latencies.length) {
      deliveredByStep[t.step()].increment();
      latencies[t.step()].recordValue(Math.max(1, Math.min(60_000_000L, (now - t.sentNanos()) / 1000)));
    }
  }

  /**
   * One step: publishers driven at the step's rate for stepSeconds, then a drain of what is still on its way. Step -1
   * is the warm-up: the lowest rate for warmupSeconds, checked for exactly-once delivery but not measured.
   */
  private final class StepRun {
    final int k;
    final int seconds;
    final int offered;
    final List<LoadClient> publishers;
    final LongAdder published = new LongAdder(), accepted = new LongAdder(), skipped = new LongAdder();
    final Map<String, LongAdder> refused = new ConcurrentHashMap<>();

    StepRun(int k, List<LoadClient> publishers) {
      this.k = k;
      this.offered = s.rates().get(Math.max(0, k));
      this.seconds = k < 0 ? s.warmupSeconds() : s.stepSeconds();
      this.publishers = publishers;
    }

    Step execute() throws Exception {
      long before = delivered.sum();
      long[] lastSecond = {before};
      String name = k < 0 ? "warm-up" : "step " + (k + 1) + "/" + s.rates().size();
      status = () -> {
        long now = delivered.sum();
        long perSecond = now - lastSecond[0];
        lastSecond[0] = now;
        double p99 = k < 0 ? 0 : latencies[k].getValueAtPercentile(99) / 1000.0;
        return String.format("%s, offered %,d deliveries/s: %,d delivered in the last second, p99 so far %.1f ms, "
            + "refused %,d", name, offered, perSecond, p99, BenchKit.sum(snapshot(refused)));
      };
      CpuShare cpu = new CpuShare(target.serverPid(), target.name());
      LoopLag lag = new LoopLag(vertx, s.loops());
      List<Runnable> stops = new ArrayList<>();
      int groups = Math.min(s.loops(), s.channels());
      for (int g = 0; g < groups; g++) stops.add(startScheduler(g, groups));
      Thread.sleep(seconds * 1000L);
      stops.forEach(Runnable::run);
      double achieved = (delivered.sum() - before) / (double) seconds;
      String cpuShare = cpu.report();
      String generatorLag = lag.stop();

      // What was accepted during the step may still be on its way: wait for it (or for the drain to time out).
      status = () -> String.format("%s: draining, %,d of %,d deliveries in", name, delivered.sum(),
          acceptedTotal.sum() * s.perChannel());
      long drainEnd = System.nanoTime() + DRAIN_NANOS;
      while (System.nanoTime() < drainEnd && (settled() < published.sum()
          || delivered.sum() < acceptedTotal.sum() * s.perChannel())) {
        Thread.sleep(20);
      }
      long expected = accepted.sum() * s.perChannel();
      long got = k < 0 ? expected - Math.max(0, acceptedTotal.sum() * s.perChannel() - delivered.sum())
          : deliveredByStep[k].sum();
      Latency latency = k < 0 ? new Latency(0, 0, 0, 0) : Latency.of(latencies[k]);
      Map<String, Long> refusals = snapshot(refused);
      String verdict;
      if (got < expected) verdict = String.format("lost %,d deliveries", expected - got);
      else if (!refusals.isEmpty()) verdict = "publishes refused";
      else if (achieved < KEEP_UP * offered) verdict = "deliveries behind the offered rate";
      else if (latency.p99() > s.p99LimitMs()) verdict = "p99 over " + fmt(s.p99LimitMs()) + " ms";
      else verdict = "ok";
      return new Step(offered, achieved, published.sum(), refusals, expected, got, latency, skipped.sum(), cpuShare,
          generatorLag, target.serverHeapBytes(), verdict);
    }

    private long settled() {
      return accepted.sum() + BenchKit.sum(snapshot(refused));
    }

    /**
     * Publishes for channels c ≡ g (mod groups) from one event loop: every 5 ms as many as are due by now at the
     * group's share of the rate, round-robin over its channels. Returns what stops it.
     */
    private Runnable startScheduler(int g, int groups) {
      List<Integer> channels = new ArrayList<>();
      for (int c = g; c < s.channels(); c += groups) channels.add(c);
      double perSecond = offered / (double) s.perChannel() * channels.size() / s.channels();
      var ctx = ((VertxInternal) vertx).createEventLoopContext();
      long[] timer = {-1};
      ctx.runOnContext(v -> {
        long start = System.nanoTime();
        long[] sent = {0};
        int[] cursor = {0};
        timer[0] = vertx.setPeriodic(5, id -> {
          long due = (long) (perSecond * (System.nanoTime() - start) / 1e9) - sent[0];
          if (due > perSecond / 2) { // more than half a second behind: the generator cannot keep this rate
            long behind = due - (long) (perSecond / 2);
            skipped.add(behind);
            sent[0] += behind;
            due -= behind;
          }
          for (long n = 0; n < due; n++) {
            int c = channels.get(cursor[0]++ % channels.size());
            publish(c);
          }
          sent[0] += Math.max(0, due);
        });
      });
      return () -> ctx.runOnContext(v -> vertx.cancelTimer(timer[0]));
    }

    private void publish(int c) {
      Tick t = new Tick(System.nanoTime(), k, c, nextSeq.getAndIncrement(c));
      published.increment();
      publishers.get(c).publish(c, t.json()).onComplete(ar -> {
        if (ar.succeeded()) {
          accepted.increment();
          acceptedTotal.increment();
          acceptedPerChannel.incrementAndGet(c);
        } else {
          count(refused, ar.cause() instanceof BenchSocket.SocketClosed ? "socket closed" : ar.cause().getMessage());
        }
      });
    }
  }

  private void printStep(int k, Step st) {
    System.out.printf("  step %d: offered %,d deliveries/s → achieved %,.0f/s; latency p50 %.1f ms, p99 %.1f ms, "
            + "max %.1f ms; %,d publishes, %,d of %,d deliveries; refused: %s%s; server heap %s — %s%n"
            + "          CPU: %s; generator loop lag %s%n",
        k + 1, st.offered(), st.achieved(), st.latency().p50(), st.latency().p99(), st.latency().max(),
        st.published(), st.delivered(), st.expected(), describe(st.refused()),
        st.skipped() > 0 ? String.format("; %,d publishes skipped (generator behind)", st.skipped()) : "",
        mb(st.serverHeapBytes()), st.verdict(), st.cpu(), st.generatorLag());
  }

  static String mb(long bytes) {
    return bytes < 0 ? "n/a" : String.format("%,.0f MB", bytes / 1048576.0);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
