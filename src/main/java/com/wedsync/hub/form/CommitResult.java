package com.wedsync.hub.form;

import io.vertx.core.json.JsonObject;

/**
 * The answer of a compare-and-set on a field: committed (with the new state), stale (someone committed first; retry
 * against {@code state}), or a duplicate op id (with the reply the first attempt got).
 */
public record CommitResult(Kind kind, FieldState state, JsonObject firstReply) {
  public enum Kind { COMMITTED, STALE, DUPLICATE }

  public static CommitResult committed(FieldState s) {
    return new CommitResult(Kind.COMMITTED, s, null);
  }

  public static CommitResult stale(FieldState s) {
    return new CommitResult(Kind.STALE, s, null);
  }

  public static CommitResult duplicate(JsonObject reply) {
    return new CommitResult(Kind.DUPLICATE, null, reply);
  }
}
