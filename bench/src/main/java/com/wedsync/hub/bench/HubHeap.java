package com.wedsync.hub.bench;

import java.util.concurrent.TimeUnit;

/**
 * The hub's heap in use after a full collection, for retained-heap figures. The collection is asked for with
 * {@code jcmd PID GC.run} (the JDK's attach mechanism: no JMX port on the hub needed; it works for a JVM of the same
 * user on the same machine); the heap is then read from the hub's {@code /metrics}
 * ({@code jvm_memory_used_bytes{area="heap"}}, all pools). Without a pid or a jcmd, the reading is taken as it is,
 * and says so: garbage not yet collected then counts as retained.
 */
final class HubHeap {
  /** @param afterGc whether a full collection ran just before the reading */
  record Reading(long bytes, boolean afterGc) {}

  private HubHeap() {}

  static Reading read(String hubUrl, long hubPid) throws Exception {
    boolean gc = hubPid > 0 && fullGc(hubPid);
    return new Reading((long) Scrape.fetch(hubUrl).sum("jvm_memory_used_bytes{area=\"heap\""), gc);
  }

  /** Two System.gc() in a row via jcmd: the second finds what the first left to finalisation and reference queues. */
  private static boolean fullGc(long pid) {
    for (int round = 0; round < 2; round++) {
      try {
        Process p = new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
          p.destroy();
          return false;
        }
        if (p.exitValue() != 0) return false;
      } catch (Exception e) {
        return false;
      }
    }
    return true;
  }
}
