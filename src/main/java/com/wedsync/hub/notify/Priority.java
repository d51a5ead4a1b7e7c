package com.wedsync.hub.notify;

import java.util.Locale;

/** How much a notification matters; decides the default delivery channels (email: important+, SMS: critical). */
public enum Priority {
  LOW, NORMAL, IMPORTANT, CRITICAL;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Null when the name is not a priority. */
  public static Priority parse(String name) {
    for (Priority p : values()) {
      if (p.wireName().equals(name)) return p;
    }
    return null;
  }
}
