package com.wedsync.hub.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Follows the hub's write-behind batches one by one by reading {@code /metrics} every few hundred milliseconds: between
 * two reads that saw exactly one more batch, the growth of {@code hub_save_batch_rows_sum} is that batch's row count.
 * The summary's own {@code _max} is a decaying window max that may include batches from before the run, and its
 * count/sum only give a mean; this gives every batch's size and transaction time.
 */
final class BatchWatch {
  /** {@code batches} batches (normally 1) completed between two reads, with their rows, revisions and seconds. */
  record Batch(double atSeconds, int batches, double rows, double revisions, double seconds) {}

  private final String url;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "batch-watch");
    t.setDaemon(true);
    return t;
  });
  private final List<Batch> batches = new ArrayList<>();
  private final long started = System.nanoTime();
  private Scrape last;

  BatchWatch(String url, long everyMs) throws Exception {
    this.url = url;
    this.last = Scrape.fetch(url);
    timer.scheduleWithFixedDelay(this::read, everyMs, everyMs, TimeUnit.MILLISECONDS);
  }

  private synchronized void read() {
    try {
      Scrape now = Scrape.fetch(url);
      int n = (int) Math.round(now.delta(last, "hub_save_batch_rows_count"));
      if (n > 0) {
        batches.add(new Batch((System.nanoTime() - started) / 1e9, n, now.delta(last, "hub_save_batch_rows_sum"),
            now.delta(last, "hub_save_revisions_total"), now.delta(last, "hub_save_batch_seconds_sum")));
      }
      last = now;
    } catch (Exception e) {
      // a missed read only merges two batches into the next one; the totals stay right
    }
  }

  /** Stops watching after one last read; returns what was seen. */
  List<Batch> stop() throws InterruptedException {
    timer.shutdown();
    timer.awaitTermination(10, TimeUnit.SECONDS);
    read();
    synchronized (this) {
      return List.copyOf(batches);
    }
  }
}
