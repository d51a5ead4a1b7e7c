package com.wedsync.hub.support;

import redis.embedded.RedisServer;
import redis.embedded.core.ExecutableProvider;

import java.io.IOException;
import java.net.ServerSocket;

/** A real Redis (embedded binaries from Maven) for the tests that need one; stopped when the JVM exits. */
public final class TestRedis implements AutoCloseable {
  private final RedisServer server;
  private final int port;

  private TestRedis(int port, java.nio.file.Path dir, String fsync, ExecutableProvider binary) throws IOException {
    this.port = port;
    // Append-only file: a restarted Redis comes back with everything (as in production).
    this.server = RedisServer.newRedisServer().executableProvider(binary).port(port).bind("127.0.0.1")
        .setting("save \"\"").setting("appendonly yes").setting("appendfsync " + fsync).setting("dir " + dir).build();
  }

  /**
   * A fresh Redis on a free port, fsyncing the append-only file on every write (the tests' strictest setting); close
   * it (or let the JVM end) to stop it.
   */
  public static TestRedis start() {
    return start("always");
  }

  /**
   * The same with the given {@code appendfsync} policy. {@code everysec} is what production runs: a killed Redis
   * process still loses nothing (the kernel has every write), only a machine crash can lose the last second.
   */
  public static TestRedis start(String fsync) {
    return start(fsync, ExecutableProvider.newJarResourceProvider());
  }

  /**
   * A Redis 7 or newer, for what 6.2 lacks (sharded pub/sub). The Maven artifact carries only 6.2, so this runs the
   * machine's {@code redis-server}; {@code scripts/test} (the suite's command, which CI runs) installs Debian's.
   */
  public static TestRedis startSeven() {
    String version;
    try {
      Process p = new ProcessBuilder("redis-server", "--version").redirectErrorStream(true).start();
      version = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      p.waitFor();
    } catch (IOException e) {
      throw new IllegalStateException("this test needs redis-server 7 or newer on the PATH (sharded pub/sub); "
          + "scripts/test installs it (apt-get install -y redis-server): " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    java.util.regex.Matcher v = java.util.regex.Pattern.compile("v=(\\d+)\\.").matcher(version);
    if (!v.find() || Integer.parseInt(v.group(1)) < 7) {
      throw new IllegalStateException("this test needs redis-server 7 or newer (sharded pub/sub), found: "
          + version.trim() + "; scripts/test installs it (apt-get install -y redis-server)");
    }
    try {
      return start("everysec", ExecutableProvider.newExecutableInPath("redis-server"));
    } catch (java.io.FileNotFoundException e) {
      throw new IllegalStateException("redis-server is not on the PATH", e);
    }
  }

  private static TestRedis start(String fsync, ExecutableProvider binary) {
    try {
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      TestRedis r = new TestRedis(port, java.nio.file.Files.createTempDirectory("test-redis"), fsync, binary);
      r.server.start();
      Runtime.getRuntime().addShutdownHook(new Thread(r::close));
      return r;
    } catch (IOException e) {
      throw new IllegalStateException("cannot start embedded Redis", e);
    }
  }

  public int port() {
    return port;
  }

  public String url() {
    return "redis://127.0.0.1:" + port;
  }

  /** Stops the server (tests of Redis outages start it again with {@link #restart()}). */
  public void stop() {
    try {
      server.stop();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void restart() {
    try {
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    try {
      if (server.isActive()) server.stop();
    } catch (IOException ignored) {
      // the JVM is going away
    }
  }
}
