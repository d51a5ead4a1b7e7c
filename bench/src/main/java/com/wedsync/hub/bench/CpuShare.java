package com.wedsync.hub.bench;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Who used the machine's CPUs during a phase (Linux /proc; elsewhere it reports nothing): the hub process (when its
 * pid is known), this load generator, and the rest (PostgreSQL, the other phase's idle hub, anything else). On a
 * small machine shared by hub and generator, a latency means little without knowing whether the CPUs were saturated.
 */
final class CpuShare {
  private final long hubPid;
  private final String serverName;
  private final long selfPid = ProcessHandle.current().pid();
  private final long[] machineStart;
  private final long hubStart, selfStart;

  CpuShare(long hubPid) {
    this(hubPid, "hub");
  }

  /** The same for another server than the hub (the Socket.IO peer), named so in the report. */
  CpuShare(long serverPid, String serverName) {
    this.hubPid = serverPid;
    this.serverName = serverName;
    this.machineStart = machine();
    this.hubStart = hubPid > 0 ? process(hubPid) : -1;
    this.selfStart = process(selfPid);
  }

  /** e.g. "machine 97% busy (2 CPUs): hub 45%, load generator 40%, rest 12%" — shares of all CPUs together. */
  String report() {
    long[] m = machine();
    long total = m[0] - machineStart[0], busy = m[1] - machineStart[1];
    if (machineStart[0] < 0 || total <= 0) return "n/a (no /proc)";
    long self = process(selfPid) - selfStart;
    long hub = hubStart >= 0 ? process(hubPid) - hubStart : -1;
    StringBuilder b = new StringBuilder(String.format("machine %.0f%% busy (%d CPUs): ", pct(busy, total),
        Runtime.getRuntime().availableProcessors()));
    if (hub >= 0) b.append(String.format("%s %.0f%%, ", serverName, pct(hub, total)));
    b.append(String.format("load generator %.0f%%, ", pct(self, total)));
    b.append(String.format("rest (%sPostgreSQL, other processes) %.0f%%", hub >= 0 ? "" : "the " + serverName + ", ",
        pct(Math.max(0, busy - self - Math.max(0, hub)), total)));
    return b.toString();
  }

  private static double pct(long part, long total) {
    return 100.0 * part / total;
  }

  /** {all ticks, busy ticks} over all CPUs, from the first line of /proc/stat; {-1, -1} when unreadable. */
  private static long[] machine() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < f.length && i <= 8; i++) all += Long.parseLong(f[i]); // user … steal
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]); // idle + iowait
      return new long[] {all, all - idle};
    } catch (Exception e) {
      return new long[] {-1, -1};
    }
  }

  /** User + system ticks of a process (same unit as /proc/stat); 0 when unreadable. */
  private static long process(long pid) {
    try {
      String s = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = s.substring(s.lastIndexOf(')') + 2).split(" "); // after "pid (comm) ": f[0] is the state
      return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14 and 15 of the line)
    } catch (Exception e) {
      return 0;
    }
  }
}
