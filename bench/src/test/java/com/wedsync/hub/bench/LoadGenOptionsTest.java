package com.wedsync.hub.bench;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The load generator's command line: per-workload defaults, and errors that name the option. */
class LoadGenOptionsTest {
  private static LoadGenOptions parse(String... args) throws BenchArgs.BadOption {
    String[] all = new String[args.length + 2];
    all[0] = "--jdbc-port";
    all[1] = "5432";
    System.arraycopy(args, 0, all, 2, args.length);
    return LoadGenOptions.parse(all);
  }

  @Test
  void theWeddingWorkloadSizesItselfAndWarmsUpForHalfAMinute() throws Exception {
    LoadGenOptions o = parse("--workload", "wedding");
    WeddingWorkload.Settings s = o.wedding();
    assertEquals(50 * (2 + 4 * 3), o.clients, "people: 50 weddings × (2 partners + 4 suppliers × 3)");
    assertEquals(o.clients, s.clients());
    assertEquals(30, s.warmupSeconds(), "a fresh hub compiles for about half a minute");
    assertEquals(5, s.editorsPerForm(), "the team and both partners");
    assertEquals(7, parse("--workload", "wedding", "--warmup-seconds", "7").wedding().warmupSeconds(), "given: kept");
    assertEquals(5, parse("--workload", "p1").warmupSeconds, "p1 keeps its own default");
  }

  @Test
  void aWrongOptionIsNamed() {
    assertMessage("--clients applies to --workload p1/p2/p6 only, not wedding",
        "--workload", "wedding", "--clients", "10");
    assertMessage("--weddings applies to --workload wedding only, not p1", "--workload", "p1", "--weddings", "3");
    assertMessage("--suppliers (48)", "--workload", "wedding", "--suppliers", "48");
    assertMessage("--workload must be p1, p2, p6 or wedding, not 'p9'", "--workload", "p9");
  }

  private static void assertMessage(String expected, String... args) {
    BenchArgs.BadOption e = assertThrows(BenchArgs.BadOption.class, () -> parse(args));
    assertTrue(e.getMessage().contains(expected), "message names the option: " + e.getMessage());
  }
}
