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
   * A Redis 7 or newer, for what 6.2 lacks (sharded pub/sub). The Maven artifact carries only 6.2, so this runs
   * Debian's, unpacked into {@code .tools/redis} by {@code scripts/test}, or else the PATH's ({@link RedisBinaries}).
   */
  public static TestRedis startSeven() {
    java.io.File server = RedisBinaries.server();
    return start("everysec", () -> server);
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
