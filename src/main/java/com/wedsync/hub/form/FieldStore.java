package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.form.text.TextOp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;

/**
 * The hot state of forms: current values and versions, the recent text ops of each text area, and the replies given
 * to op ids (idempotency). PostgreSQL stays the record (written behind by the save buffer); this store is what edits
 * race on, so its one write operation is a compare-and-set.
 */
public interface FieldStore {

  /** The form now (loaded from PostgreSQL on first use). Fails with {@code not_found} for an unknown form. */
  Future<FormSnapshot> form(UUID formId);

  /**
   * One field and the form's facts, as they are now. A cluster store reads just that field instead of the whole form;
   * fails with {@code not_found} for an unknown form or field.
   */
  default Future<FieldView> field(UUID formId, String key) {
    return form(formId).map(form -> FieldView.of(form, key));
  }

  /**
   * The one write: sets a field to {@code change.value()} at {@code change.version()} if it is still at the version
   * {@code seen} shows and the op id was not used before by that user; remembers {@code reply} for that op id; and, as
   * part of the commit, publishes the numbered {@code field:changed} (so a form's events leave in version order) and
   * queues the change to be saved (so no accepted change can miss the record). Both adapters do all of it; the caller
   * only decides the change.
   *
   * @param seen   the field (and its form's facts) as the caller read it: what the change was decided against
   * @param textOp for text areas, the op as applied (kept for transforming later ops), else null
   */
  Future<CommitResult> commit(FieldView seen, FieldChange change, TextOp textOp, JsonObject reply);

  /**
   * The text ops that took the field from {@code version} to {@code upTo}, oldest first (the caller's view of the
   * field is at {@code upTo}; later ops are not its business: its commit will find the field moved and retry). Fails
   * with {@code conflict} when they are no longer all kept.
   */
  Future<List<TextOp>> textOpsSince(UUID formId, String key, long version, long upTo);

  /** The answer to a text op whose base is older than the ops the store still keeps. */
  static ChannelError tooOldToMerge(FieldState current, long base) {
    return new ChannelError("conflict", "base_version " + base + " is too old to merge; reload the field",
        new JsonObject().put("current", current.current()));
  }

  /** The reply the op id got on this form, or null when it is unknown here. */
  Future<JsonObject> reply(UUID formId, UUID user, String opId);

  /**
   * Changes what the store keeps about the form itself (its status; its title, which only other services change),
   * e.g. {@code info -> info.withStatus("submitted")}.
   */
  Future<Void> updateInfo(UUID formId, java.util.function.UnaryOperator<FormInfo> change);

  /**
   * The form's field definitions and who it belongs to, which never change while the hub runs: what a lock decision
   * needs, without reading every value (a cluster node caches these after the first read).
   */
  Future<FormSnapshot> shape(UUID formId);

  /** Drops what is cached about a form (it changed outside the hub). */
  void evict(UUID formId);
}
