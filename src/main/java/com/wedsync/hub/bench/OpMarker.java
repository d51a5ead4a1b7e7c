package com.wedsync.hub.bench;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * A "{@code PREFIX-SENDER-NANOS}" tag the load generator puts in what it sends (an {@code op_id}, a note's text) and
 * finds again in what the hub pushes, read straight from the frame's bytes: at thousands of frames a second a JSON
 * decode per frame would make the generator, not the hub, the bottleneck.
 */
final class OpMarker {
  private final byte[] prefix;

  /** {@code prefix} as it appears in the frame, e.g. {@code "op_id":"p3-} or {@code wn-}. */
  OpMarker(String prefix) {
    this.prefix = prefix.getBytes(StandardCharsets.US_ASCII);
  }

  /** The tag's text for a sender and a send time (without the part of the prefix that is JSON around it). */
  static String tag(String name, long sender, long nanos) {
    return name + "-" + sender + "-" + nanos;
  }

  /** {sender, send nanos} of the first tag in {@code frame}, or null when it has none. */
  long[] find(Buffer frame) {
    int n = frame.length();
    outer:
    for (int i = 0; i + prefix.length < n; i++) {
      for (int j = 0; j < prefix.length; j++) if (frame.getByte(i + j) != prefix[j]) continue outer;
      long[] out = new long[2];
      int k = i + prefix.length;
      for (int part = 0; part < 2; part++) {
        long v = 0;
        boolean negative = k < n && frame.getByte(k) == '-';
        if (negative) k++;
        while (k < n && frame.getByte(k) >= '0' && frame.getByte(k) <= '9') v = v * 10 + (frame.getByte(k++) - '0');
        out[part] = negative ? -v : v;
        k++; // the '-' between the parts
      }
      return out;
    }
    return null;
  }

  /** The event name of a hub frame {@code [join_ref, ref, topic, event, payload]}: refs and topics hold no comma. */
  static String event(Buffer frame) {
    int commas = 0, i = 0, n = Math.min(frame.length(), 512);
    while (i < n && commas < 3) {
      if (frame.getByte(i++) == ',') commas++;
    }
    if (commas < 3 || i >= n || frame.getByte(i) != '"') return "?";
    int end = i + 1;
    while (end < n && frame.getByte(end) != '"') end++;
    return frame.getString(i + 1, end, "US-ASCII");
  }
}
