package com.wedsync.hub.support;

import java.util.UUID;

/** The ids of the demo data (src/main/resources/db/demo/demo-data.sql): user n is 11111111-…-n, supplier n 22222222-…-n. */
public final class DemoIds {
  private DemoIds() {
  }

  public static UUID user(int n) {
    return UUID.fromString(String.format("11111111-0000-0000-0000-%012d", n));
  }

  public static UUID supplier(int n) {
    return UUID.fromString(String.format("22222222-0000-0000-0000-%012d", n));
  }
}
