package com.wedsync.hub.support;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An embedded Redis on its own, for the Socket.IO peer of the benchmarks ({@code scripts/bench-fanout},
 * {@code scripts/bench-presence}): started as {@link TestRedis} does (so it needs the test classpath), its URL written
 * to the file given as the only argument once it is up; it runs until this process is stopped, and stops with it.
 */
public final class PeerRedis {
  private PeerRedis() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: PeerRedis INFO-FILE");
      System.exit(2);
    }
    // No fsync on every write: the peer's Redis only carries pub/sub, nothing is stored.
    TestRedis redis = TestRedis.start("no");
    Path info = Path.of(args[0]);
    Path tmp = info.resolveSibling(info.getFileName() + ".tmp");
    Files.writeString(tmp, redis.url() + "\n");
    Files.move(tmp, info, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    Thread.currentThread().join();
  }
}
