package com.wedsync.hub.channel;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Map;

/**
 * The edge check every value a client sends passes before any feature sees it: over the socket (frame, topic,
 * event, refs, every key and value of the payload) and over HTTP (query parameters, path, every key and value of a
 * JSON body). What PostgreSQL could not store is refused here as {@code invalid}, naming where it was: a string holding
 * U+0000, or an unpaired UTF-16 surrogate (which no UTF-8 encoder can write), and a number that is not finite
 * ({@code 1e400} decodes to infinity, which is not JSON).
 *
 * <p>Why at the edge and not per field: a value is accepted first and written behind later, so one the database
 * refuses would fail a save batch that holds everybody's changes. Checking everything once, wherever it is going,
 * closes that class of bug instead of one path at a time. Length bounds stay with each field, which knows its limit.
 */
public final class ClientText {
  /** Deeper JSON than this is refused: nothing the hub accepts nests more than a few levels. */
  public static final int MAX_DEPTH = 32;

  private ClientText() {}

  /** Where in a JSON value the first thing that cannot be stored is, and what is wrong with it. */
  public record Problem(String path, String message) {}

  /** What is wrong with {@code s} for storage, or null when it may be stored as it is. */
  public static String problem(String s) {
    for (int i = 0, n = s.length(); i < n; i++) {
      char c = s.charAt(i);
      if (c == 0) return "contains U+0000 (NUL) at position " + i + ", which cannot be stored";
      if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
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
   * Walks a decoded JSON value (object, array, string, number, boolean, null) and refuses the first key or value that
   * cannot be stored, naming its path from {@code path} ({@code ops[2]}, {@code item.label}).
   */
  public static void checkJson(String path, Object json) {
    Problem p = find(path, json);
    if (p != null) throw ChannelError.invalid(p.path(), p.message());
  }

  /** The first key or value of {@code json} that cannot be stored, or null. */
  public static Problem find(String path, Object json) {
    return find(path, json, 0);
  }

  private static Problem find(String path, Object v, int depth) {
    String named = path.isEmpty() ? "the payload" : path;
    if (depth > MAX_DEPTH) return new Problem(path, named + " nests deeper than " + MAX_DEPTH + " levels");
    if (v instanceof String s) {
      String problem = problem(s);
      return problem == null ? null : new Problem(path, named + " " + problem);
    }
    if (v instanceof Double d && (d.isNaN() || d.isInfinite()) || v instanceof Float f && (f.isNaN() || f.isInfinite())) {
      return new Problem(path, named + " is not a finite number");
    }
    if (v instanceof JsonObject o) {
      for (Map.Entry<String, Object> e : o) {
        String keyProblem = problem(e.getKey());
        if (keyProblem != null) return new Problem(path, "a key of " + named + " " + keyProblem);
        Problem inner = find(path.isEmpty() ? e.getKey() : path + "." + e.getKey(), e.getValue(), depth + 1);
        if (inner != null) return inner;
      }
    } else if (v instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        Problem inner = find(path + "[" + i + "]", a.getValue(i), depth + 1);
        if (inner != null) return inner;
      }
    }
    return null;
  }
}
