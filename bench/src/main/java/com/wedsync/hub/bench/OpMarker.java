package com.wedsync.hub.bench;

import io.vertx.core.buffer.Buffer;

import java.nio.charset.StandardCharsets;

/**
 * A "{@code PREFIX-SENDER-NANOS}" tag the load generator puts in what it sends (an {@code op_id}, a note's text) and
 * finds again in what the hub pushes, read straight from the frame's bytes: at thousands of frames a second a JSON
 * decode per frame would make the generator, not the hub, the bottleneck. The byte look-ups it is built on serve the
 * other frame peeks of the generator too (the event name, a field's string value).
 */
final class OpMarker {
  private final byte[] prefix;

  /** {@code prefix} as it appears in the frame, e.g. {@code "op_id":"p3-} or {@code wn-}. */
  OpMarker(String prefix) {
    this.prefix = ascii(prefix);
  }

  /** The tag's text for a sender and a send time (without the part of the prefix that is JSON around it). */
  static String tag(String name, long sender, long nanos) {
    return name + "-" + sender + "-" + nanos;
  }

  /** {sender, send nanos} of the first tag in {@code frame}, or null when it has none. */
  long[] find(Buffer frame) {
    int i = indexOf(frame, prefix, 0);
    if (i < 0) return null;
    int n = frame.length();
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

  static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  /** Where {@code bytes} first occur in {@code frame} at or after {@code from}, or -1. */
  static int indexOf(Buffer frame, byte[] bytes, int from) {
    for (int i = from; i + bytes.length <= frame.length(); i++) if (at(frame, bytes, i)) return i;
    return -1;
  }

  /** Whether {@code bytes} occur in {@code frame} exactly at {@code i}. */
  static boolean at(Buffer frame, byte[] bytes, int i) {
    if (i < 0 || i + bytes.length > frame.length()) return false;
    for (int j = 0; j < bytes.length; j++) if (frame.getByte(i + j) != bytes[j]) return false;
    return true;
  }

  /**
   * The string value after {@code key} (given with its quotes, colon and opening quote: {@code "user_id":"}), up to
   * the next quote; null when the frame has none. For values that hold no escaped quotes (ids, event names).
   */
  static String stringAfter(Buffer frame, byte[] key) {
    int start = indexOf(frame, key, 0);
    if (start < 0) return null;
    start += key.length;
    int end = start;
    while (end < frame.length() && frame.getByte(end) != '"') end++;
    return end < frame.length() ? frame.getString(start, end, "US-ASCII") : null;
  }

  /**
   * Where the event name of a hub frame {@code [join_ref, ref, topic, event, payload]} starts (its opening quote):
   * after the third comma, since refs and topics hold none; -1 if the frame's head is not shaped so.
   */
  static int eventStart(Buffer frame) {
    int commas = 0, i = 0, n = Math.min(frame.length(), 512);
    while (i < n && commas < 3) {
      if (frame.getByte(i++) == ',') commas++;
    }
    return commas == 3 && i < frame.length() && frame.getByte(i) == '"' ? i : -1;
  }

  /** The event name of a hub frame, or "?" when its head is not shaped as one. */
  static String event(Buffer frame) {
    int i = eventStart(frame);
    if (i < 0) return "?";
    int end = i + 1;
    while (end < frame.length() && frame.getByte(end) != '"') end++;
    return frame.getString(i + 1, end, "US-ASCII");
  }
}
