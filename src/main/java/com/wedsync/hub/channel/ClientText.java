package com.wedsync.hub.channel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The edge check every string a client sends passes before any feature sees it: over the socket (frame, topic,
 * event, refs, every key and value of the payload) and over HTTP (query parameters, path, every key and value of a
 * JSON body). A string PostgreSQL could not store — one holding U+0000, or an unpaired UTF-16 surrogate, which no
 * UTF-8 encoder can write — is refused here as {@code invalid}, naming where it was.
 *
 * <p>Why at the edge and not per field: a string is accepted first and written behind later, so a value the database
 * refuses would fail a save batch that holds everybody's changes. Checking every string once, wherever it is going,
 * closes that class of bug instead of one path at a time. Length bounds stay with each field, which knows its limit.
 */
public final class ClientText {
  /** Deeper JSON than this is refused: nothing the hub accepts nests more than a few levels. */
  public static final int MAX_DEPTH = 32;

  private ClientText() {}

  /** What is wrong with {@code s} for storage, or null when it may be stored as it is. */
  public static String problem(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c == 0) return "contains U+0000 (NUL) at position " + i + ", which cannot be stored";
      if (Character.isHighSurrogate(c)) {
        if (i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
          i++;
          continue;
        }
        return "contains an unpaired UTF-16 surrogate at position " + i + ", which is not valid Unicode";
      }
      if (Character.isLowSurrogate(c)) {
        return "contains an unpaired UTF-16 surrogate at position " + i + ", which is not valid Unicode";
      }
    }
    return null;
  }

  /** Refuses {@code s} when it cannot be stored; {@code field} names it in the error. */
  public static void check(String field, String s) {
    if (s == null) return;
    String problem = problem(s);
    if (problem != null) throw ChannelError.invalid(field, field + " " + problem);
  }

  /**
   * Walks a decoded JSON value (object, array, string, number, boolean, null) and refuses the first string — key or
   * value — that cannot be stored, naming its path from {@code path} ({@code payload.ops[2]}, {@code value.note}).
   */
  public static void checkJson(String path, Object json) {
    walk(path, json, 0);
  }

  private static void walk(String path, Object v, int depth) {
    if (depth > MAX_DEPTH) throw ChannelError.invalid(path, path + " nests deeper than " + MAX_DEPTH + " levels");
    if (v instanceof String s) {
      check(path, s);
    } else if (v instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String child = path.isEmpty() ? e.getKey() : path + "." + e.getKey();
        String keyProblem = problem(e.getKey());
        if (keyProblem != null) throw ChannelError.invalid(path.isEmpty() ? "(key)" : path, "a key of "
            + (path.isEmpty() ? "the object" : path) + " " + keyProblem);
        walk(child, e.getValue(), depth + 1);
      }
    } else if (v instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) walk(path + "[" + i + "]", a.getValue(i), depth + 1);
    }
  }
}
