package com.wedsync.hub.support;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Redis Cluster for a test: {@code masters} masters with {@code replicas} replica each, every node a
 * {@code redis-server} process of its own ({@link RedisBinaries}: Redis 7) on a free port of 127.0.0.1, joined with
 * {@code redis-cli --cluster create}. Nodes fail over quickly ({@code cluster-node-timeout} 1 s) and keep an
 * append-only file. Close it (or let the JVM end) to stop every process; a test may kill one with SIGKILL first.
 */
public final class TestRedisCluster implements AutoCloseable {
  private static final int NODE_TIMEOUT_MS = 1000;

  private final Map<Integer, Process> nodes = new TreeMap<>();
  private final Path dir;

  private TestRedisCluster(Path dir) {
    this.dir = dir;
  }

  public static TestRedisCluster start(int masters, int replicas) {
    File server = RedisBinaries.server();
    File cli = RedisBinaries.cli();
    TestRedisCluster cluster;
    try {
      cluster = new TestRedisCluster(Files.createTempDirectory("test-redis-cluster"));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    try {
      List<String> hosts = new ArrayList<>();
      for (int i = 0; i < masters * (1 + replicas); i++) {
        int port = freePortWithBusPort();
        Path nodeDir = Files.createDirectories(cluster.dir.resolve(String.valueOf(port)));
        Process p = new ProcessBuilder(server.getPath(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
            "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", String.valueOf(NODE_TIMEOUT_MS), "--appendonly", "yes",
            "--appendfsync", "everysec", "--save", "", "--dir", nodeDir.toString(), "--daemonize", "no")
            .redirectErrorStream(true).redirectOutput(nodeDir.resolve("log").toFile()).start();
        cluster.nodes.put(port, p);
        hosts.add("127.0.0.1:" + port);
      }
      for (int port : cluster.nodes.keySet()) cluster.awaitPong(port);
      List<String> create = new ArrayList<>(List.of(cli.getPath(), "--cluster", "create"));
      create.addAll(hosts);
      create.addAll(List.of("--cluster-replicas", String.valueOf(replicas), "--cluster-yes"));
      String out = run(create);
      if (!out.contains("All 16384 slots covered")) throw new IllegalStateException("cluster create: " + out);
      cluster.awaitHealthy(masters, replicas, List.of());
      return cluster;
    } catch (IOException | RuntimeException e) {
      cluster.close();
      throw new IllegalStateException("cannot start a Redis Cluster: " + e.getMessage(), e);
    }
  }

  /** A port whose cluster bus port (port + 10000) is free too. */
  private static int freePortWithBusPort() throws IOException {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
        int port = s.getLocalPort();
        if (port + 10000 > 65535) continue;
        try (ServerSocket bus = new ServerSocket(port + 10000, 1, InetAddress.getByName("127.0.0.1"))) {
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    throw new IOException("no free port pair (port, port + 10000) on 127.0.0.1");
  }

  /** Seed URLs: every node (a client needs only some, and learns the rest). */
  public List<String> urls() {
    return nodes.keySet().stream().map(p -> "redis://127.0.0.1:" + p).toList();
  }

  /** {@code redis-cli -p port args…}, its output. */
  public String cli(int port, String... args) {
    List<String> command = new ArrayList<>(List.of(RedisBinaries.cli().getPath(), "-p", String.valueOf(port)));
    command.addAll(List.of(args));
    return run(command).trim();
  }

  /** The hash slot Redis itself gives {@code key} ({@code CLUSTER KEYSLOT}). */
  public int slotOf(String key) {
    return Integer.parseInt(cli(anyLivePort(), "CLUSTER", "KEYSLOT", key));
  }

  /** The port of the master serving {@code key}'s slot now (as a live node sees the cluster). */
  public int masterOf(String key) {
    int slot = slotOf(key);
    for (String line : cli(anyLivePort(), "CLUSTER", "NODES").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length < 9 || !f[2].contains("master") || f[2].contains("fail")) continue;
      for (int i = 8; i < f.length; i++) {
        if (f[i].startsWith("[")) continue; // a slot being migrated
        String[] range = f[i].split("-");
        int from = Integer.parseInt(range[0]);
        int to = range.length > 1 ? Integer.parseInt(range[1]) : from;
        if (slot >= from && slot <= to) return port(f[1]);
      }
    }
    throw new IllegalStateException("no master serves slot " + slot + " of " + key);
  }

  /** The live masters' ports. */
  public List<Integer> masters() {
    List<Integer> out = new ArrayList<>();
    for (String line : cli(anyLivePort(), "CLUSTER", "NODES").split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length >= 8 && f[2].contains("master") && !f[2].contains("fail") && f.length > 8) out.add(port(f[1]));
    }
    return out;
  }

  private static int port(String address) {
    String hostPort = address.split("@")[0];
    return Integer.parseInt(hostPort.substring(hostPort.lastIndexOf(':') + 1));
  }

  /** The port of a live replica of the master on {@code masterPort}. */
  public int replicaOf(int masterPort) {
    String text = cli(anyLivePort(), "CLUSTER", "NODES");
    String masterId = null;
    for (String line : text.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 2 && port(f[1]) == masterPort) masterId = f[0];
    }
    for (String line : text.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 3 && f[3].equals(masterId) && !f[2].contains("fail")) return port(f[1]);
    }
    throw new IllegalStateException("master " + masterPort + " has no live replica");
  }

  /** Freezes a node (SIGSTOP): it holds its connections but answers and replicates nothing until {@link #resume}. */
  public void pause(int port) {
    signal(port, "STOP");
  }

  public void resume(int port) {
    signal(port, "CONT");
  }

  /** Every node running again (after a test that failed with one paused). */
  public synchronized void resumeAll() {
    for (int port : nodes.keySet()) signal(port, "CONT");
  }

  private void signal(int port, String signal) {
    Process p = nodes.get(port);
    if (p == null) throw new IllegalArgumentException("no live node on port " + port);
    run(List.of("kill", "-" + signal, String.valueOf(p.pid())));
  }

  /** Kills one node with SIGKILL (no shutdown, no last write): as a machine or process dying. */
  public void kill(int port) {
    Process p = nodes.remove(port);
    if (p == null) throw new IllegalArgumentException("no live node on port " + port);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Waits until the cluster serves every slot again with {@code masters} live masters, none of them on a port in
   * {@code not}, each seen alike by every live node, with its replicas (however many are left) in sync.
   */
  public void awaitHealthy(int masters, int replicas, List<Integer> not) {
    long deadline = System.currentTimeMillis() + 30_000;
    String last = "";
    while (System.currentTimeMillis() < deadline) {
      try {
        boolean ok = true;
        for (int port : nodes.keySet()) {
          String info = cli(port, "CLUSTER", "INFO");
          if (!info.contains("cluster_state:ok")) {
            ok = false;
            last = port + ": " + info.lines().findFirst().orElse("");
            break;
          }
        }
        List<Integer> live = ok ? masters() : List.of();
        if (ok && (live.size() != masters || live.stream().anyMatch(not::contains))) {
          ok = false;
          last = "masters " + live;
        }
        if (ok) {
          for (int m : live) {
            String repl = cli(m, "INFO", "replication");
            long online = repl.lines().filter(l -> l.startsWith("slave") && l.contains("state=online")).count();
            if (online < Math.min(replicas, expectedReplicas(m))) {
              ok = false;
              last = m + " replicas online: " + online;
            }
          }
        }
        if (ok) return;
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("the Redis Cluster did not become healthy within 30 s: " + last);
  }

  /** How many live replicas {@code master} has according to the cluster (a killed one's stay until it is back). */
  private int expectedReplicas(int master) {
    String id = null;
    String nodesText = cli(master, "CLUSTER", "NODES");
    for (String line : nodesText.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 2 && f[2].contains("myself")) id = f[0];
    }
    int n = 0;
    for (String line : nodesText.split("\n")) {
      String[] f = line.trim().split(" ");
      if (f.length > 3 && f[3].equals(id) && !f[2].contains("fail")) n++;
    }
    return n;
  }

  private int anyLivePort() {
    for (int port : nodes.keySet()) {
      if (nodes.get(port).isAlive()) return port;
    }
    throw new IllegalStateException("no live Redis node");
  }

  private void awaitPong(int port) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      if (cli(port, "PING").equals("PONG")) return;
      if (!nodes.get(port).isAlive()) {
        throw new IllegalStateException("redis-server on " + port + " exited: " + log(port));
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException("redis-server on " + port + " did not answer PING: " + log(port));
  }

  private String log(int port) {
    try {
      return Files.readString(dir.resolve(port + "/log"));
    } catch (IOException e) {
      return "(no log)";
    }
  }

  private static String run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " did not finish");
      }
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Stops every node still running and removes their files. */
  @Override
  public synchronized void close() {
    resumeAll(); // a paused node must run to end on SIGTERM
    for (Process p : nodes.values()) p.destroy();
    for (Process p : nodes.values()) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    nodes.clear();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder left behind
    }
  }
}
