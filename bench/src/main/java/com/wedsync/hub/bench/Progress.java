package com.wedsync.hub.bench;

import java.util.function.Supplier;

/**
 * The line a running workload prints once a second (on stderr, so the figures on stdout stay a clean report).
 * Close it to stop.
 */
final class Progress implements AutoCloseable {
  private final Thread thread;
  private volatile boolean running = true;

  private Progress(String label, Supplier<String> line) {
    long start = System.nanoTime();
    thread = new Thread(() -> {
      while (running) {
        try {
          Thread.sleep(1000);
        } catch (InterruptedException e) {
          return;
        }
        if (running) {
          System.err.printf("  [%s %3d s] %s%n", label, (System.nanoTime() - start) / 1_000_000_000L, line.get());
        }
      }
    }, "progress");
    thread.setDaemon(true);
    thread.start();
  }

  static Progress start(String label, Supplier<String> line) {
    return new Progress(label, line);
  }

  @Override
  public void close() {
    running = false;
    thread.interrupt();
  }
}
