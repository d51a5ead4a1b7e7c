package com.wedsync.hub.form;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * What one offline batch has done so far. A client offline edits the same field several times against the one version
 * it last saw; once its first edit is applied, its later edits of that field were made on top of that edit, not
 * against someone else's, so their base moves up to the version the batch itself produced. Only the batch's own
 * versions are skipped: a change by anyone else in between is still a conflict.
 */
final class OfflineBatch {
  /** form|field → {the stale base the batch started from, the version its last applied op produced}. */
  private final Map<String, long[]> chains = new HashMap<>();

  /** The base an op should be applied against: its own, or the batch's last version of that field. */
  Long base(UUID formId, String field, Long base) {
    long[] chain = chains.get(formId + "|" + field);
    if (base == null || chain == null) return base;
    return base >= chain[0] && base < chain[1] ? Long.valueOf(chain[1]) : base;
  }

  /** An op of the batch on that field, made against {@code base}, is now at {@code version} (applied or duplicate). */
  void applied(UUID formId, String field, Long base, long version) {
    if (base == null) return;
    chains.merge(formId + "|" + field, new long[] {base, version},
        (was, now) -> new long[] {Math.min(was[0], now[0]), Math.max(was[1], now[1])});
  }
}
