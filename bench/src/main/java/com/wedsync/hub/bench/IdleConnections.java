package com.wedsync.hub.bench;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.LongAdder;

/**
 * the README's Performance targets P2, idle connections on one node: {@code connections} users each open one socket and join their own
 * {@code user:{id}} channel (what an idle signed-in client holds), {@code connectConcurrency} at a time; then nothing
 * but heartbeats. Measured: connects per second (socket open + join acknowledged, first start to last ack) and the
 * hub's retained heap per connection, (heap after − heap before) / connections, each read after a full collection
 * ({@link HubHeap}) once the sockets have been idle for {@code settleSeconds}.
 */
final class IdleConnections {
  record Settings(int connections, int settleSeconds) {}

  record Result(Settings settings, double connectSeconds, HubHeap.Reading before, HubHeap.Reading after,
                long hubConnections, long closedBeforeEnd, String cpu) {
    double connectsPerSecond() {
      return settings.connections() / connectSeconds;
    }

    double bytesPerConnection() {
      return (after.bytes() - before.bytes()) / (double) settings.connections();
    }
  }

  private final BenchKit kit;
  private final BenchKit.Target hub;
  private final Settings s;
  private final String dbUser, dbPassword;

  IdleConnections(BenchKit kit, BenchKit.Target hub, Settings settings, String dbUser, String dbPassword) {
    this.kit = kit;
    this.hub = hub;
    this.s = settings;
    this.dbUser = dbUser;
    this.dbPassword = dbPassword;
  }

  Result run() throws Exception {
    List<UUID> users;
    try (Fixtures fx = new Fixtures(hub.jdbcUrl(), dbUser, dbPassword)) {
      users = fx.users("p2", s.connections());
    }
    List<String> topics = users.stream().map(u -> "realtime:user:" + u).toList();
    HubHeap.Reading before = HubHeap.read(hub.url(), hub.pid());
    LongAdder joined = new LongAdder();
    String[] phase = {"connecting"};
    try (Progress p = Progress.start("P2 hub", () -> String.format("%s: %,d of %,d sockets open and joined", phase[0],
        joined.sum(), s.connections()))) {
      CpuShare cpu = new CpuShare(hub.pid());
      long t0 = System.nanoTime();
      List<BenchSocket> opened = kit.connectAll(i -> hub, users, topics, i -> new io.vertx.core.json.JsonObject(),
          (i, sock) -> { }, (i, reply) -> joined.increment());
      double connectSeconds = (System.nanoTime() - t0) / 1e9;
      String cpuShare = cpu.report();
      System.out.printf("  %,d sockets opened and joined in %.1f s (%,.0f/s); idle for %d s, then a full GC of the "
          + "hub ...%n", opened.size(), connectSeconds, opened.size() / connectSeconds, s.settleSeconds());
      phase[0] = "idle";
      Thread.sleep(s.settleSeconds() * 1000L);
      HubHeap.Reading after = HubHeap.read(hub.url(), hub.pid());
      long hubConnections = (long) Scrape.fetch(hub.url()).get("hub_connections");
      long closed = opened.stream().filter(BenchSocket::closed).count();
      phase[0] = "closing";
      kit.closeAll(opened);
      return new Result(s, connectSeconds, before, after, hubConnections, closed, cpuShare);
    }
  }
}
