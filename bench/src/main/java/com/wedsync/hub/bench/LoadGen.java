package com.wedsync.hub.bench;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.bench.BenchKit.Target;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static com.wedsync.hub.bench.BenchKit.*;

/**
 * The load generator of issue 6 for the README's Performance targets P1 (fan-out), P2 (idle connections) and P6 (presence storm): many
 * WebSocket clients in one process, against the hub and, for P1 and P6, in the same run against a Socket.IO 4 peer
 * ({@code --peer-url}), with the ratio. Prints the workload, the figures and the targets side by side; a missed target
 * does not fail it (benchmarks report, they do not gate). {@code scripts/bench-fanout}, {@code scripts/bench-idle} and
 * {@code scripts/bench-presence} start the servers and run it.
 */
public final class LoadGen {
  private final LoadGenOptions o;
  private final BenchKit kit;
  private final Target hub;

  private LoadGen(LoadGenOptions o, BenchKit kit) {
    this.o = o;
    this.kit = kit;
    this.hub = Target.of(o.url, o.jdbcUrl, o.hubPid);
  }

  public static void main(String[] args) throws Exception {
    LoadGenOptions o;
    try {
      o = LoadGenOptions.parse(args);
    } catch (BenchArgs.BadOption e) {
      System.err.println("LoadGen: " + e.getMessage());
      System.err.println("(LoadGen --help lists the options)");
      System.exit(2);
      return;
    }
    if (o == null) {
      System.out.print(LoadGenOptions.HELP);
      return;
    }
    long fds = openFileLimit();
    if (fds > 0 && fds < o.sockets() + 200L) {
      System.err.printf("LoadGen: --clients: %,d sockets need about %,d file descriptors, but this process may open "
          + "%,d (raise it with ulimit -n)%n", o.sockets(), o.sockets() + 200L, fds);
      System.exit(2);
    }
    withVertx(o.clientLoops, vertx -> {
      SourceAddresses sources;
      try {
        sources = SourceAddresses.of(vertx, o.sources, o.sockets(), Target.of(o.url, o.jdbcUrl, -1).host());
      } catch (IllegalArgumentException e) {
        System.err.println("LoadGen: " + e.getMessage());
        System.exit(2);
        return;
      }
      DevTokens tokens = new DevTokens(vertx, Files.readString(Path.of(o.secretFile)).trim());
      new LoadGen(o, new BenchKit(vertx, tokens, sources, o.connectConcurrency)).run();
    });
  }

  private void run() throws Exception {
    System.out.printf("%nWedSync hub load generator — %s%n", o.workload.equals("wedding")
        ? "the wedding workload (sizing)" : "the README's Performance targets " + o.workload.toUpperCase());
    printMachine(o.clientLoops, ", source addresses: " + kit.sources().describe());
    List<String[]> rows = switch (o.workload) {
      case "p1" -> fanout();
      case "p2" -> idle();
      case "wedding" -> wedding();
      default -> presence();
    };
    section("Summary (the README's Performance targets; benchmarks report, they do not gate)");
    table(rows);
  }

  private List<LoadTarget> targets() {
    List<LoadTarget> t = new ArrayList<>();
    t.add(new HubTarget(kit, hub, o.dbUser, o.dbPassword));
    if (o.peerUrl != null) t.add(new SocketIoTarget(kit, o.peerUrl, o.peerPid));
    return t;
  }

  // ---- P1 --------------------------------------------------------------------------------------------------------

  private List<String[]> fanout() throws Exception {
    int perChannel = o.clients / o.channels;
    FanoutWorkload.Settings s = new FanoutWorkload.Settings(o.channels, perChannel, o.rates, o.stepSeconds,
        o.warmupSeconds, o.p99LimitMs, o.clientLoops);
    String workload = String.format("%,d subscribers: %,d channels × %d, + %,d publishers; rising rate", o.clients,
        o.channels, perChannel, o.channels);
    List<FanoutWorkload.Result> results = new ArrayList<>();
    for (LoadTarget target : targets()) {
      section("P1 — fan-out against " + target.name() + " (the target: ≥ 200,000 deliveries/s with p99 ≤ "
          + o.p99LimitMs + " ms, and ≥ 3× Socket.IO 4)");
      System.out.printf("  server: %s%n", target.describe());
      System.out.printf("  workload: %,d subscriber sockets on %,d channels (%d each) and one publisher socket per "
              + "channel; after a %d s warm-up at the lowest rate, steps of %d s at %s deliveries/s offered (publishes/s = deliveries/s ÷ %d, spread evenly "
              + "over the channels); the rise stops at the first step that misses.%n"
              + "  latency = publish (time in the payload) → receipt at each subscriber, one clock: every client "
              + "lives in this process. A step counts when p99 ≤ %d ms, deliveries keep up with ≥ 90 %% of the "
              + "offered rate, none is lost and no publish is refused.%n",
          o.clients, o.channels, perChannel, o.warmupSeconds, o.stepSeconds, rateList(o.rates), perChannel, o.p99LimitMs);
      FanoutWorkload.Result r = new FanoutWorkload(kit, target, s).run();
      System.out.printf("  %s, whole run: %,d publishes accepted, %,d deliveries; per subscriber: %,d missing, %,d "
              + "duplicates, %,d not accepted yet delivered, %,d from another channel; %,d sockets closed by the "
              + "server%n", target.name(), r.accepted(), r.deliveries(), r.missing(), r.duplicates(), r.unexpected(),
          r.misrouted(), r.closed());
      results.add(r);
    }
    List<String[]> rows = new ArrayList<>();
    for (FanoutWorkload.Result r : results) {
      FanoutWorkload.Step best = r.best();
      boolean top = best != null && r.steps().size() == o.rates.size() && r.steps().get(r.steps().size() - 1).met();
      String measured = best == null ? "no step met p99 ≤ " + o.p99LimitMs + " ms"
          : String.format("%s%,.0f deliveries/s (offered %,d), p99 %.1f ms%s", top ? "≥ " : "", best.achieved(),
              best.offered(), best.latency().p99(), top ? " (highest step offered)" : "");
      boolean hubRow = r.target().equals("hub");
      String verdict = hubRow ? (best != null && best.achieved() >= 200_000 ? " — met" : " — MISSED") : "";
      rows.add(new String[] {"P1", r.target() + ": " + workload,
          hubRow ? "≥ 200,000 deliveries/s, p99 ≤ " + o.p99LimitMs + " ms" : "(peer)", measured + verdict});
      rows.add(new String[] {"P1", r.target() + ": every accepted publish to every subscriber",
          "exactly once", String.format("%,d missing, %,d duplicates — %s", r.missing(), r.duplicates(),
          r.missing() == 0 && r.duplicates() == 0 && r.unexpected() == 0 && r.misrouted() == 0 ? "met" : "MISSED")});
    }
    if (results.size() == 2) {
      FanoutWorkload.Step h = results.get(0).best(), p = results.get(1).best();
      boolean peerAtTop = p != null && p.offered() == o.rates.get(o.rates.size() - 1);
      String ratio = h == null || p == null ? "n/a (a side met no step)"
          : String.format("%s%.1f× (%,.0f vs %,.0f deliveries/s)%s", peerAtTop ? "≤ " : "", h.achieved() / p.achieved(),
              h.achieved(), p.achieved(), peerAtTop ? " — Socket.IO met the highest step: raise --rates to compare"
              : h.achieved() >= 3 * p.achieved() ? " — met" : " — MISSED");
      rows.add(new String[] {"P1", "hub ÷ Socket.IO, best steps of the same workload", "≥ 3×", ratio});
    }
    return rows;
  }

  private static String rateList(List<Integer> rates) {
    StringBuilder b = new StringBuilder();
    for (int r : rates) b.append(b.length() == 0 ? "" : ", ").append(String.format("%,d", r));
    return b.toString();
  }

  // ---- P2 --------------------------------------------------------------------------------------------------------

  private List<String[]> idle() throws Exception {
    section("P2 — " + String.format("%,d", o.clients) + " idle connections on one node (the target: ≤ 8 KB retained "
        + "heap per connection, ≥ 2,000 connects/s)");
    System.out.printf("  workload: %,d users, one socket each, joined to its user:{id} channel, %d sockets being "
            + "opened at once; then idle for %d s (heartbeats only).%n"
            + "  connects/s = sockets ÷ (first open → last join acknowledged). Retained heap per connection = (hub "
            + "heap after − heap before) ÷ connections, each read from /metrics (jvm_memory_used_bytes, heap) right "
            + "after a full GC of the hub forced with jcmd PID GC.run%s.%n",
        o.clients, o.connectConcurrency, o.settleSeconds, hub.pid() > 0 ? "" : " (no --hub-pid: no GC forced)");
    IdleConnections.Result r = new IdleConnections(kit, hub, new IdleConnections.Settings(o.clients,
        o.settleSeconds), o.dbUser, o.dbPassword).run();
    String gc = r.before().afterGc() && r.after().afterGc() ? "after a forced full GC" : "NO GC forced (jcmd/pid)";
    System.out.printf("  hub heap: %s before, %s with the sockets (%s); the hub counted %,d open connections; %,d "
            + "sockets closed by the server while idle%n  CPU while connecting: %s%n", FanoutWorkload.mb(r.before()
            .bytes()), FanoutWorkload.mb(r.after().bytes()), gc, r.hubConnections(), r.closedBeforeEnd(), r.cpu());
    String w = String.format("%,d idle connections, one node", o.clients);
    double kb = r.bytesPerConnection() / 1024;
    return List.of(
        new String[] {"P2", w, "≥ 2,000 connects/s", String.format("%,.0f connects/s (open + join) — %s",
            r.connectsPerSecond(), r.connectsPerSecond() >= 2000 ? "met" : "MISSED")},
        new String[] {"P2", w, "≤ 8 KB retained heap per connection", String.format("%.1f KB (%s) — %s", kb, gc,
            kb <= 8 && r.hubConnections() >= o.clients ? "met" : "MISSED")});
  }

  // ---- P6 --------------------------------------------------------------------------------------------------------

  private List<String[]> presence() throws Exception {
    PresenceStorm.Settings s = new PresenceStorm.Settings(o.clients, o.joinSeconds, o.timeoutSeconds);
    List<PresenceStorm.Result> results = new ArrayList<>();
    for (LoadTarget target : targets()) {
      section("P6 — presence storm against " + target.name() + " (the target: all converge to the same "
          + String.format("%,d", o.clients) + "-member presence; presence frames ≤ 5 % of N²)");
      System.out.printf("  server: %s%n", target.describe());
      System.out.printf("  workload: %,d sockets opened beforehand; then each joins one channel and tracks its "
              + "presence, the joins spread evenly over %d s. Converged: every client's member set (presence state "
              + "plus diffs) holds all %,d. Frames: every presence frame delivered to any client, against N² = %,d.%n",
          o.clients, o.joinSeconds, o.clients, (long) o.clients * o.clients);
      PresenceStorm.Result r = new PresenceStorm(kit, target, s).run();
      System.out.printf("  %s: %,d joined and tracked (last ack %.1f s after the start), refused: %s; %,d of %,d "
              + "clients converged (the last %.1f s after the start); %,d presence frames (%.2f %% of N²; at most "
              + "%,d to one client), %,d members removed by diffs%n  CPU during the storm: %s%n",
          target.name(), r.joined(), r.joinsDoneSeconds(), describe(r.refused()), r.converged(), o.clients,
          r.convergeSeconds(), r.frames(), r.percentOfNaive(), r.maxFramesPerClient(), r.leaves(), r.cpu());
      results.add(r);
    }
    List<String[]> rows = new ArrayList<>();
    String w = String.format("%,d clients join one channel within %d s", o.clients, o.joinSeconds);
    for (PresenceStorm.Result r : results) {
      boolean hubRow = r.target().equals("hub");
      boolean all = r.converged() == o.clients;
      rows.add(new String[] {"P6", r.target() + ": " + w, hubRow ? "all converge" : "(peer) all converge",
          String.format("%,d of %,d converged in %.1f s%s", r.converged(), o.clients, r.convergeSeconds(),
              hubRow ? (all ? " — met" : " — MISSED") : "")});
      rows.add(new String[] {"P6", r.target() + ": presence frames delivered", hubRow ? "≤ 5 % of N²" : "(peer)",
          String.format("%,d = %.2f %% of %,d%s", r.frames(), r.percentOfNaive(), r.naive(),
              hubRow ? (r.percentOfNaive() <= 5 ? " — met" : " — MISSED") : "")});
    }
    if (results.size() == 2) {
      PresenceStorm.Result h = results.get(0), p = results.get(1);
      rows.add(new String[] {"P6", "Socket.IO ÷ hub, same storm", "(comparison)", String.format(
          "%.1f× the frames; converged in %.1f s vs %.1f s", p.frames() / (double) Math.max(1, h.frames()),
          p.convergeSeconds(), h.convergeSeconds())});
    }
    return rows;
  }

  // ---- the wedding workload ---------------------------------------------------------------------------------------

  private List<String[]> wedding() throws Exception {
    WeddingWorkload.Settings s = o.wedding();
    section("The wedding workload — every kind of traffic at once, for sizing (the README's Performance targets sets no target for the "
        + "mix; the P3/P4/P7 targets are shown for reference)");
    System.out.printf("  workload: %,d weddings × (a couple of 2 partners + %d suppliers × %d team members, one form "
            + "per supplier) = %,d people, one socket each, on their supplier/couple, user, wedding and form channels "
            + "(presence tracked on forms); %d editors per form. Every %,d ms each person locks a field of its own, "
            + "sends typing, sets it and unlocks it (one step after the other's reply); every %s edit is a note "
            + "mentioning someone on the other side. %d s warm-up, then %d s measured.%n",
        o.weddings, o.suppliers, o.team, s.clients(), s.editorsPerForm(), o.intervalMs,
        o.noteEvery == 0 ? "no" : ordinal(o.noteEvery), o.warmupSeconds, o.seconds);
    HubHeap.Reading heapBefore = HubHeap.read(hub.url(), -1);
    WeddingWorkload.Result r = new WeddingWorkload(kit, hub, s, o.dbUser, o.dbPassword).run();
    HubHeap.Reading heapAfter = HubHeap.read(hub.url(), -1);
    double rate = r.pushesTotal() / r.seconds();
    System.out.printf("  edits: %,d started, %,d ticks skipped (the previous edit unfinished); %,d sets accepted, %,d "
            + "notes; refused: %s; %,d sockets closed by the hub%n", r.cycles(), r.skipped(), r.setsAccepted(),
        r.notesAccepted(), describe(r.refused()), r.closed());
    System.out.printf("  pushes received: %,d (%,.0f/s over %.0f s) by event: %s%n", r.pushesTotal(), rate,
        r.seconds(), describe(r.pushes()));
    System.out.printf("  field:changed seen by the other editors: %,d of %,d expected; typing seen: %,d; mention "
            + "notifications: %,d of %,d notes; notifications in all: %,d%n", r.changedReceived(), r.changedExpected(),
        r.typingReceived(), r.mentionsReceived(), r.notesAccepted(), r.notificationsReceived());
    for (Object[] row : new Object[][] {{"field:set → field:changed at each other editor", r.changed()},
        {"typing → seen by each other editor", r.typing()}, {"field:lock → reply", r.lockAck()},
        {"field:set → reply", r.setAck()}, {"note → mention notification", r.notification()}}) {
      Latency l = (Latency) row[1];
      System.out.printf("  %-48s p50 %8.3f ms   p99 %8.3f ms   max %8.3f ms   (%,d measured)%n", row[0], l.p50(),
          l.p99(), l.max(), l.count());
    }
    System.out.printf("  hub heap in use: %s before, %s after (no GC forced); CPU: %s; generator loop lag: %s%n",
        FanoutWorkload.mb(heapBefore.bytes()), FanoutWorkload.mb(heapAfter.bytes()), r.cpu(), r.generatorLag());
    String w = String.format("%,d people, %,d weddings, an edit per person every %,d ms", r.clients(), o.weddings,
        o.intervalMs);
    boolean complete = r.changedReceived() == r.changedExpected() && r.mentionsReceived() == r.notesAccepted();
    return List.of(
        new String[] {"mix", w, "(sizing)", String.format("%,.0f pushes/s to clients, %,d refused, %,d sockets "
            + "closed", rate, sum(r.refused()), r.closed())},
        new String[] {"mix", "every change and mention delivered", "all", complete ? "all — met" : String.format(
            "field:changed %,d of %,d, mentions %,d of %,d — MISSED", r.changedReceived(), r.changedExpected(),
            r.mentionsReceived(), r.notesAccepted())},
        new String[] {"mix", "field:set → field:changed at each other editor", "(P3: p99 ≤ 10 ms)",
            String.format("p50 %.2f ms, p99 %.2f ms", r.changed().p50(), r.changed().p99())},
        new String[] {"mix", "field:lock → reply", "(P4: p99 ≤ 3 ms)", String.format("p50 %.2f ms, p99 %.2f ms",
            r.lockAck().p50(), r.lockAck().p99())},
        new String[] {"mix", "note → mention notification", "(P7: p99 ≤ 1 s)", String.format(
            "p50 %.1f ms, p99 %.1f ms", r.notification().p50(), r.notification().p99())});
  }

  private static String ordinal(int n) {
    return n == 1 ? "" : n + (n % 10 == 2 && n % 100 != 12 ? "nd" : n % 10 == 3 && n % 100 != 13 ? "rd" : "th");
  }

  /** The soft limit on open files of this process (Linux), or -1 when unknown. */
  private static long openFileLimit() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
        if (line.startsWith("Max open files")) {
          String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
          return soft.equals("unlimited") ? -1 : Long.parseLong(soft);
        }
      }
    } catch (Exception ignored) {
      // not Linux: the OS will say so when a socket cannot be opened
    }
    return -1;
  }
}
