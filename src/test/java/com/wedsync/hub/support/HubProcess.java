package com.wedsync.hub.support;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A hub node in its own JVM (the test's classpath), so a test can kill it with SIGKILL like a crashed server: no
 * shutdown hook, no goodbye to Redis or PostgreSQL.
 */
public final class HubProcess implements AutoCloseable {
  private final Process process;
  private final List<String> output = Collections.synchronizedList(new ArrayList<>());
  /** Set by the output reader when the banner appears (reading the list while it grows would not be safe). */
  private volatile boolean ready;
  public final int port;
  public final String nodeId;

  private HubProcess(Process process, int port, String nodeId) {
    this.process = process;
    this.port = port;
    this.nodeId = nodeId;
  }

  public static HubProcess start(String nodeId, Map<String, String> overrides) {
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Map<String, String> env = new HashMap<>();
      env.put("WEDSYNC_HUB_DATABASE_MODE", "external");
      // The test database only when the caller names none (asking for its URL starts it).
      if (!overrides.containsKey("WEDSYNC_HUB_DATABASE_URL") && !overrides.containsKey("HUB_DATABASE_URL")) {
        env.put("WEDSYNC_HUB_DATABASE_URL", TestPostgres.url());
      }
      env.put("WEDSYNC_HUB_HTTP_PORT", String.valueOf(port));
      env.put("WEDSYNC_HUB_LOG_FORMAT", "text");
      env.put("WEDSYNC_HUB_NODE_ID", nodeId);
      env.put("WEDSYNC_HUB_DEMO_DATA", "false");
      // Test and benchmark clients all come from loopback; the connection limits are tested on their own.
      env.put("WEDSYNC_HUB_SOCKET_MAX_CONNECTIONS_PER_IP", "10000000");
      env.put("WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_IP", "1000000");
      env.put("WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_IP", "1000000");
      env.put("WEDSYNC_HUB_SOCKET_CONNECT_RATE_PER_USER", "1000000");
      env.put("WEDSYNC_HUB_SOCKET_CONNECT_BURST_PER_USER", "1000000");
      env.putAll(TestHub.FEED_OFF_UNLESS_NAMED.apply(overrides));
      TestHub.override(env, overrides);
      ProcessBuilder pb = new ProcessBuilder(System.getProperty("java.home") + "/bin/java", "-Xmx512m", "-cp",
          System.getProperty("java.class.path"), "com.wedsync.hub.Hub").redirectErrorStream(true);
      java.nio.file.Path logs = java.nio.file.Path.of("target", "cluster-logs");
      java.nio.file.Files.createDirectories(logs);
      java.nio.file.Path logFile = logs.resolve(nodeId + "-" + port + ".log");
      pb.environment().keySet().removeIf(k -> k.startsWith("WEDSYNC_HUB_") || k.startsWith("HUB_"));
      pb.environment().putAll(env);
      HubProcess hub = new HubProcess(pb.start(), port, nodeId);
      // Never outlive the test JVM, whatever happens to the test (a failed @BeforeAll, a killed fork).
      Runtime.getRuntime().addShutdownHook(new Thread(hub.process::destroyForcibly));
      Thread reader = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(hub.process.getInputStream(),
            StandardCharsets.UTF_8))) {
          String line;
          try (var log = java.nio.file.Files.newBufferedWriter(logFile)) {
            while ((line = r.readLine()) != null) {
              hub.output.add(line);
              if (line.contains("is ready")) hub.ready = true;
              log.write(line);
              log.newLine();
              log.flush();
            }
          }
        } catch (Exception ignored) {
          // the process ended
        }
      });
      reader.setDaemon(true);
      reader.start();
      long deadline = System.currentTimeMillis() + 60_000;
      while (System.currentTimeMillis() < deadline) {
        if (hub.ready) return hub;
        if (!hub.process.isAlive()) throw new IllegalStateException("node " + nodeId + " died: " + hub.output());
        Thread.sleep(50);
      }
      hub.kill();
      throw new IllegalStateException("node " + nodeId + " did not start: " + hub.output());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  public long pid() {
    return process.pid();
  }

  public String wsUrl(String token) {
    return "ws://127.0.0.1:" + port + "/realtime/v1/websocket?vsn=2.0.0&apikey=" + token;
  }

  /** SIGKILL: the node vanishes without any cleanup. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The node's output so far (a copy: the node keeps writing). */
  public List<String> output() {
    synchronized (output) {
      return List.copyOf(output);
    }
  }

  @Override
  public void close() {
    if (!process.isAlive()) return;
    try {
      new ProcessBuilder("kill", "-TERM", String.valueOf(process.pid())).start().waitFor();
      if (!process.waitFor(30, TimeUnit.SECONDS)) kill();
    } catch (Exception e) {
      kill();
    }
  }
}
