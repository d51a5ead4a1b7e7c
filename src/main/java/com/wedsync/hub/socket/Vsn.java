package com.wedsync.hub.socket;

/** The two Phoenix serializer versions: 1.0.0 sends JSON objects, 2.0.0 JSON arrays plus binary broadcast frames. */
public enum Vsn {
  V1, V2;

  public static Vsn parse(String raw) {
    if (raw == null || raw.isEmpty() || raw.equals("2.0.0")) return V2;
    if (raw.equals("1.0.0")) return V1;
    throw new IllegalArgumentException("unsupported vsn '" + raw + "' (use 1.0.0 or 2.0.0)");
  }
}
