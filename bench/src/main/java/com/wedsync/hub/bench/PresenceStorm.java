package com.wedsync.hub.bench;

import com.wedsync.hub.bench.LoadTarget.LoadClient;
import com.wedsync.hub.bench.LoadTarget.PresenceChange;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.VertxInternal;

import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

import static com.wedsync.hub.bench.BenchKit.count;
import static com.wedsync.hub.bench.BenchKit.snapshot;

/**
 * the README's Performance targets P6, presence storm: {@code clients} sockets, opened beforehand, all join one channel and track their
 * presence, the joins spread evenly over {@code joinSeconds}. Each client keeps the member set its presence frames
 * describe (a full state replaces it, a diff adds and removes); the storm has converged when every client's set is
 * all the clients. The frames counted are every presence frame delivered to any client, against the naive N² (every
 * join sent to every member).
 */
final class PresenceStorm {
  record Settings(int clients, int joinSeconds, int timeoutSeconds) {}

  /**
   * {@code joinsDoneSeconds}: storm start → the last join (and track) acknowledged; {@code convergeSeconds}: storm
   * start → the last client's set became complete; {@code leaves}: members removed by diffs (none expected).
   */
  record Result(String target, Settings settings, long joined, Map<String, Long> refused, double joinsDoneSeconds,
                int converged, double convergeSeconds, long frames, long leaves, long maxFramesPerClient, String cpu) {
    long naive() {
      return (long) settings.clients() * settings.clients();
    }

    double percentOfNaive() {
      return 100.0 * frames / naive();
    }
  }

  private final BenchKit kit;
  private final Vertx vertx;
  private final LoadTarget target;
  private final Settings s;
  private final BitSet[] views;
  private final int[] framesPerClient;
  private final LongAdder frames = new LongAdder(), leaves = new LongAdder(), joined = new LongAdder();
  private final AtomicInteger complete = new AtomicInteger();
  private final AtomicLong lastComplete = new AtomicLong(), lastJoined = new AtomicLong();
  private final Map<String, LongAdder> refused = new ConcurrentHashMap<>();
  private final LongAdder opened = new LongAdder();
  private volatile long stormStart;

  PresenceStorm(BenchKit kit, LoadTarget target, Settings settings) {
    this.kit = kit;
    this.vertx = kit.vertx();
    this.target = target;
    this.s = settings;
    this.views = new BitSet[s.clients()];
    for (int i = 0; i < views.length; i++) views[i] = new BitSet(s.clients());
    this.framesPerClient = new int[s.clients()];
  }

  Result run() throws Exception {
    int n = s.clients();
    String[] phase = {"preparing"};
    try (Progress p = Progress.start("P6 " + target.name(), () -> switch (phase[0]) {
      case "opening" -> String.format("opening sockets: %,d of %,d", opened.sum(), n);
      case "storm" -> String.format("joined %,d of %,d; %,d clients see all %,d members; %,d presence frames so far",
          joined.sum(), n, complete.get(), n, frames.sum());
      default -> phase[0];
    })) {
      target.prepare(n, 1);
      phase[0] = "opening";
      List<LoadClient> clients = kit.openAll(n, i -> target.open(i, frame -> onFrame(i, frame)).map(c -> {
        opened.increment();
        return c;
      }));
      phase[0] = "storm";
      CpuShare cpu = new CpuShare(target.serverPid(), target.name());
      stormStart = System.nanoTime();
      startJoins(clients);
      long deadline = stormStart + s.timeoutSeconds() * 1_000_000_000L;
      while (System.nanoTime() < deadline
          && (complete.get() < n || joined.sum() + BenchKit.sum(snapshot(refused)) < n)) {
        Thread.sleep(20);
      }
      Thread.sleep(300); // frames still on their way would change the counts, not the outcome: let them land
      String cpuShare = cpu.report();
      // Counted before any socket closes: each close is a leave every other client sees.
      int converged = 0;
      long maxFrames = 0;
      for (int i = 0; i < n; i++) {
        synchronized (views[i]) {
          if (views[i].cardinality() == n) converged++;
          maxFrames = Math.max(maxFrames, framesPerClient[i]);
        }
      }
      long framesSeen = frames.sum(), leavesSeen = leaves.sum();
      phase[0] = "closing sockets";
      kit.closeAll(clients);
      return new Result(target.name(), s, joined.sum(), snapshot(refused), seconds(lastJoined.get()), converged,
          seconds(lastComplete.get()), framesSeen, leavesSeen, maxFrames, cpuShare);
    }
  }

  private double seconds(long at) {
    return at == 0 ? Double.NaN : (at - stormStart) / 1e9;
  }

  /** Client i joins and tracks at stormStart + i × joinSeconds / n; a timer every 5 ms starts those that are due. */
  private void startJoins(List<LoadClient> clients) {
    int n = clients.size();
    long span = s.joinSeconds() * 1_000_000_000L;
    var ctx = ((VertxInternal) vertx).createEventLoopContext();
    ctx.runOnContext(v -> {
      int[] next = {0};
      long[] timer = {-1};
      timer[0] = vertx.setPeriodic(1, 5, id -> {
        long elapsed = System.nanoTime() - stormStart;
        int due = span == 0 ? n : (int) Math.min(n, (long) n * elapsed / span + 1);
        while (next[0] < due) {
          int i = next[0]++;
          LoadClient c = clients.get(i);
          c.join(0, true).compose(x -> c.track(0)).onComplete(ar -> {
            if (ar.succeeded()) {
              joined.increment();
              lastJoined.accumulateAndGet(System.nanoTime(), Math::max);
            } else {
              count(refused, ar.cause() instanceof BenchSocket.SocketClosed ? "socket closed"
                  : String.valueOf(ar.cause().getMessage()));
            }
          });
        }
        if (next[0] >= n) vertx.cancelTimer(timer[0]);
      });
    });
  }

  /** On client i's event loop: a pushed frame; presence frames update its member set. */
  private void onFrame(int i, Buffer frame) {
    PresenceChange change = target.presence(frame);
    if (change == null) return;
    frames.increment();
    BitSet view = views[i];
    boolean wasComplete, nowComplete;
    synchronized (view) {
      framesPerClient[i]++;
      wasComplete = view.cardinality() == s.clients();
      if (change.state()) view.clear();
      for (int k : change.leaves()) {
        view.clear(k);
        leaves.increment();
      }
      for (int k : change.joins()) view.set(k);
      nowComplete = view.cardinality() == s.clients();
      if (wasComplete != nowComplete) complete.addAndGet(nowComplete ? 1 : -1);
    }
    if (nowComplete && !wasComplete) lastComplete.accumulateAndGet(System.nanoTime(), Math::max);
  }
}
