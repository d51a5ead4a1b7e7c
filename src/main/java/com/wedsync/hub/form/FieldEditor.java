package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.form.text.TextHistory;
import com.wedsync.hub.form.text.TextOp;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Every change of a field value goes through here, whatever its source (socket, HTTP, offline sync, core cascade,
 * rollback): checks (rights, status, lock, validation, version), an atomic compare-and-set in the {@link FieldStore},
 * then the consequences — {@code field:changed} at once, the save buffer, progress, the form's first-save status
 * change, and the core-field cascade.
 */
public final class FieldEditor {
  private static final int MAX_RETRIES = 16;
  private static final Set<String> EDITABLE = Set.of("draft", "sent", "in_progress");

  private final FieldStore store;
  private final FieldLocks locks;
  private final SaveBuffer saves;
  private final Publisher publisher;
  private final FormRepository repository;
  private final HubMetrics metrics;
  private FormStatus status;
  private CoreCascade cascade;
  private FormEvents events = FormEvents.NONE;

  public FieldEditor(FieldStore store, FieldLocks locks, SaveBuffer saves, Publisher publisher,
                     FormRepository repository, HubMetrics metrics) {
    this.store = store;
    this.locks = locks;
    this.saves = saves;
    this.publisher = publisher;
    this.repository = repository;
    this.metrics = metrics;
  }

  /** The two collaborators that also call back into the editor are wired after construction. */
  public void wire(FormStatus status, CoreCascade cascade) {
    this.status = status;
    this.cascade = cascade;
  }

  /** Who hears about what happens here (notifications, activity); set once while the hub is wired. */
  public void listen(FormEvents events) {
    this.events = events;
  }

  public FieldStore store() {
    return store;
  }

  /** Writes what the save buffer holds now (history and rollback read the record). */
  public Future<Void> flushSaves() {
    return saves.flush();
  }

  // ---- field:set ------------------------------------------------------------------------------------------------

  public Future<JsonObject> set(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String key = p.field();
    String opId = p.opId();
    if (!p.has("value")) throw ChannelError.invalid("value", "value is required (null clears the field)");
    Object value = p.raw("value");
    Long base = p.optionalLong("base_version");
    boolean force = p.flag("force");
    if (base == null && !force) {
      throw ChannelError.invalid("base_version", "base_version is required (or force: true to overwrite)");
    }
    Long lockToken = p.optionalLong("lock_token");
    boolean release = p.flag("release");
    // A forced write has no base to tell a replay by, so the record is asked first; any other replay shows up as a
    // conflict (its base is behind) and is recognised there, which keeps the common write free of that look-up.
    Future<JsonObject> replayed = force ? known(who, opId, formId) : Future.succeededFuture();
    return replayed.compose(first -> first != null ? Future.succeededFuture(first)
        : store.field(formId, key).compose(view -> {
          FieldState field = view.field();
          checkWritable(who, view.info(), field);
          if (field.definition().type().mergeRule() != FieldType.MergeRule.LWW) {
            throw ChannelError.invalid("field", key + " is a " + field.definition().type().wireName()
                + " field: use field:" + field.definition().type().mergeRule().kind());
          }
          Object normalized = FieldRules.validate(field.definition(), value);
          return locks.checkWrite(who, formId, field, lockToken)
              .compose(v -> commitSet(who, formId, key, normalized, base, force, opId, "user", view))
              .onSuccess(reply -> {
                if (release && lockToken != null) locks.releaseOnSave(formId, key, lockToken);
              });
        }));
  }

  /** A whole-value change, committed by {@link #compareAndSet}; {@code seen} is the field as just read (or null). */
  private Future<JsonObject> commitSet(Editor who, UUID formId, String key, Object value, Long base, boolean force,
                                       String opId, String source, FieldView seen) {
    return compareAndSet(who, formId, key, seen, view -> {
      FieldState field = view.field();
      if (base != null && base > field.version()) {
        throw ChannelError.invalid("base_version", "base_version " + base + " is ahead of the field (version "
            + field.version() + ")");
      }
      if (!force && base != null && base < field.version()) {
        // Behind the field: either someone else changed it, or this op was applied before (a replay).
        return known(who, opId, formId).compose(first -> {
          if (first != null) return Future.succeededFuture(Attempt.answer(first));
          metrics.conflict();
          return Future.failedFuture(new ChannelError("conflict", key + " changed since version " + base,
              new JsonObject().put("field", key).put("current", field.current())));
        });
      }
      FieldChange change = new FieldChange(formId, field.fieldId(), key, field.version() + 1, value, field.value(),
          "set", null, opId, source, who.userId(), who.name(), Instant.now());
      return Future.succeededFuture(Attempt.commit(change, null,
          new JsonObject().put("version", change.version()).put("status", "accepted")));
    });
  }

  /** One try of a compare-and-set: the change to commit against the field as read, or an answer with no change. */
  private record Attempt(FieldChange change, TextOp textOp, JsonObject reply) {
    static Attempt commit(FieldChange change, TextOp textOp, JsonObject reply) {
      return new Attempt(change, textOp, reply);
    }

    static Attempt answer(JsonObject reply) {
      return new Attempt(null, null, reply);
    }
  }

  /**
   * The loop every value change shares: read the field (or take {@code seen}), let {@code attempt} decide the change
   * against that version, and commit it if the field is still there; if another commit got in between, read again and
   * decide again (a retry with the same base reports the conflict when someone else's change won).
   */
  private Future<JsonObject> compareAndSet(Editor who, UUID formId, String key, FieldView seen,
                                           Function<FieldView, Future<Attempt>> attempt) {
    return compareAndSet(who, formId, key, seen, attempt, 0);
  }

  private Future<JsonObject> compareAndSet(Editor who, UUID formId, String key, FieldView seen,
                                           Function<FieldView, Future<Attempt>> attempt, int tries) {
    Future<FieldView> read = seen != null ? Future.succeededFuture(seen) : store.field(formId, key);
    return read.compose(view -> attempt.apply(view).compose(a -> {
      if (a.change() == null) return Future.succeededFuture(a.reply());
      return store.commit(view, a.change(), a.textOp(), a.reply()).compose(result ->
          switch (result.kind()) {
            case DUPLICATE -> Future.succeededFuture(result.firstReply());
            case STALE -> tries >= MAX_RETRIES
                ? Future.failedFuture(new ChannelError("unavailable", "too much contention on " + key + "; retry"))
                : compareAndSet(who, formId, key, null, attempt, tries + 1);
            case COMMITTED -> {
              accepted(who, view, a.change());
              yield Future.succeededFuture(a.reply());
            }
          });
    }));
  }

  // ---- field:text (operational transformation) -------------------------------------------------------------------

  public Future<JsonObject> text(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String key = p.field();
    String opId = p.opId();
    long base = p.requiredLong("base_version");
    TextOp op;
    try {
      op = TextOp.parse(p.array("ops"));
    } catch (IllegalArgumentException e) {
      throw ChannelError.invalid("ops", e.getMessage());
    }
    return store.field(formId, key).compose(view -> {
      FieldState field = view.field();
      checkWritable(who, view.info(), field);
      if (field.definition().type().mergeRule() != FieldType.MergeRule.TEXT_OT) {
        throw ChannelError.invalid("field", key + " is not a text area: use field:set");
      }
      // An op behind the field is merged, unless it is a replay of one applied before: ask the record then.
      Future<JsonObject> replayed = base < field.version() ? known(who, opId, formId) : Future.succeededFuture();
      return replayed.compose(first -> first != null ? Future.succeededFuture(first)
          : commitText(who, formId, key, op, base, opId, view));
    });
  }

  private Future<JsonObject> commitText(Editor who, UUID formId, String key, TextOp op, long base, String opId,
                                        FieldView seen) {
    return compareAndSet(who, formId, key, seen, view -> {
      FieldState field = view.field();
      if (base > field.version()) {
        throw ChannelError.invalid("base_version", "base_version " + base + " is ahead of the field (version "
            + field.version() + ")");
      }
      return store.textOpsSince(formId, key, base, field.version()).map(since -> {
        TextOp applied = TextHistory.rebase(op, since);
        String current = field.value() instanceof String s ? s : "";
        String next;
        try {
          next = applied.apply(current);
        } catch (IllegalArgumentException e) {
          throw ChannelError.invalid("ops", e.getMessage());
        }
        Object normalized = FieldRules.validate(field.definition(), next);
        FieldChange change = new FieldChange(formId, field.fieldId(), key, field.version() + 1, normalized,
            field.value(), "text", applied.toJson(), opId, "user", who.userId(), who.name(), Instant.now());
        return Attempt.commit(change, applied,
            new JsonObject().put("version", change.version()).put("ops", applied.toJson()));
      });
    });
  }

  // ---- field:list -----------------------------------------------------------------------------------------------

  public Future<JsonObject> list(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String key = p.field();
    String opId = p.opId();
    String action = p.string("action", 16);
    if (!action.equals("append") && !action.equals("remove")) {
      throw ChannelError.invalid("action", "action must be \"append\" or \"remove\"");
    }
    String itemId = p.string("item_id", 64);
    return store.reply(formId, who.userId(), opId).compose(first -> first != null ? Future.succeededFuture(first)
        : store.field(formId, key).compose(view -> {
          FieldState field = view.field();
          checkWritable(who, view.info(), field);
          if (field.definition().type().mergeRule() != FieldType.MergeRule.LIST) {
            throw ChannelError.invalid("field", key + " is not a list: use field:set");
          }
          JsonObject item = null;
          if (action.equals("append")) {
            Object raw = p.raw("item");
            JsonObject candidate = (raw instanceof JsonObject o ? o.copy() : new JsonObject()).put("id", itemId);
            if (raw != null && !(raw instanceof JsonObject)) throw ChannelError.invalid("item", "item must be an object");
            item = FieldRules.validateListItem(field.definition(), candidate);
          }
          return commitList(who, formId, key, action, itemId, item, opId);
        }));
  }

  private Future<JsonObject> commitList(Editor who, UUID formId, String key, String action, String itemId,
                                        JsonObject item, String opId) {
    return compareAndSet(who, formId, key, null, view -> {
      FieldState field = view.field();
      JsonArray items = field.value() instanceof JsonArray a ? a.copy() : new JsonArray();
      int at = -1;
      for (int i = 0; i < items.size(); i++) {
        if (items.getValue(i) instanceof JsonObject o && itemId.equals(o.getString("id"))) at = i;
      }
      // Appending an item that is there, or removing one that is not, changes nothing.
      if (action.equals("append") == (at >= 0)) {
        return Future.succeededFuture(Attempt.answer(new JsonObject().put("version", field.version())));
      }
      if (at >= 0) items.remove(at);
      else items.add(item);
      Object normalized = FieldRules.validate(field.definition(), items);
      JsonArray ops = new JsonArray().add(new JsonObject().put("action", action).put("item_id", itemId)
          .put("item", item));
      FieldChange change = new FieldChange(formId, field.fieldId(), key, field.version() + 1, normalized,
          field.value(), "list", ops, opId, "user", who.userId(), who.name(), Instant.now());
      return Future.succeededFuture(Attempt.commit(change, null, new JsonObject().put("version", change.version())));
    });
  }

  // ---- rollback and core values ---------------------------------------------------------------------------------

  /** Writes the value a field had at {@code version} as a new version; history is never rewritten. */
  public Future<JsonObject> rollback(Editor who, UUID formId, String key, long version, String opId) {
    return store.form(formId).compose(form -> {
      FieldState field = FieldView.of(form, key).field();
      checkWritable(who, form.info(), field);
      if (version < 1 || version > field.version()) {
        throw ChannelError.invalid("version", "version must be between 1 and " + field.version());
      }
      // The revision may still sit in the save buffer: write it first, then read the record.
      return saves.flush().compose(v -> repository.valueAt(field.fieldId(), version))
          .compose(old -> commitSet(who, formId, key, old, null, true, opId, "rollback", null));
    });
  }

  /**
   * A core-field value arriving on a bound field (the cascade): no lock, status or version checks — the wedding's
   * fact wins — but the field's own rules still apply; a value the field cannot hold is skipped.
   */
  Future<JsonObject> applyCore(Editor who, UUID formId, String key, Object value, String opId) {
    return store.form(formId).compose(form -> {
      FieldState field = FieldView.of(form, key).field();
      Object normalized = FieldRules.validate(field.definition(), value);
      if (java.util.Objects.equals(normalized, field.value())) {
        return Future.succeededFuture(new JsonObject().put("version", field.version()).put("status", "unchanged"));
      }
      return commitSet(who, formId, key, normalized, null, true, opId, "core", FieldView.of(form, key));
    });
  }

  /**
   * A value another service wrote to the record (form_fields, outside the hub) becomes the field's hot value, as a new
   * version above both what the hub holds and what the record now says, so a client editing against an older version
   * gets a conflict and later edits compare against it. It is published ({@code source: "external"}) and written
   * behind like any change, which also stores its revision. The record's value is taken as it is (it is already the
   * record), and it does not cascade: a service that changes a wedding's fact changes the wedding.
   *
   * <p>Nothing happens when the hot value already equals it: the form was loaded after the change, or the change was
   * a no-op for the hub.
   */
  Future<Void> applyExternal(UUID formId, UUID fieldId, Object value, long recordVersion) {
    return store.form(formId).compose(form -> {
      FieldState known = null;
      for (FieldState f : form.fields()) if (f.fieldId().equals(fieldId)) known = f;
      if (known == null) {
        // A field added under the hub: other services may change rows, never a form's shape (V1). Dropping the hot
        // form to pick it up could lose changes not yet written behind, so the field is left to the next start.
        return Future.failedFuture(new IllegalStateException("field " + fieldId + " is not part of form " + formId
            + " as the hub loaded it"));
      }
      String key = known.key();
      return compareAndSet(Editor.EXTERNAL, formId, key, FieldView.of(form, key), view -> {
        FieldState field = view.field();
        if (io.vertx.core.json.Json.encode(field.value()).equals(io.vertx.core.json.Json.encode(value))) {
          return Future.succeededFuture(Attempt.answer(new JsonObject()));
        }
        FieldChange change = new FieldChange(formId, fieldId, key, Math.max(field.version() + 1, recordVersion),
            value, field.value(), "set", null, null, "external", null, Editor.EXTERNAL.name(), Instant.now());
        return Future.succeededFuture(Attempt.commit(change, null, new JsonObject()));
      }).mapEmpty();
    });
  }

  // ---- offline replay -------------------------------------------------------------------------------------------

  /**
   * Applies offline ops in order, each answered applied / duplicate / conflict (with both values) / rejected (with the
   * reason). Replaying the same batch twice changes nothing the second time: every op is applied at most once.
   */
  public Future<JsonArray> sync(Editor who, UUID formId, JsonArray ops) {
    return sync(who, formId, ops, new OfflineBatch());
  }

  /** One part of a batch that spans forms (the HTTP route): {@code batch} carries what its earlier parts did. */
  Future<JsonArray> sync(Editor who, UUID formId, JsonArray ops, OfflineBatch batch) {
    if (ops.size() > 500) throw ChannelError.invalid("ops", "at most 500 ops per sync");
    JsonArray results = new JsonArray();
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < ops.size(); i++) {
      int index = i;
      chain = chain.compose(v -> syncOne(who, formId, ops.getValue(index), index, batch).map(r -> {
        results.add(r);
        return null;
      }));
    }
    return chain.map(results);
  }

  private Future<JsonObject> syncOne(Editor who, UUID formId, Object raw, int index, OfflineBatch batch) {
    if (!(raw instanceof JsonObject op) || !(op.getValue("payload") instanceof JsonObject payload)) {
      return Future.succeededFuture(rejected(null, "invalid", null, "ops[" + index + "] needs an event and a payload"));
    }
    String event = op.getValue("event") instanceof String e ? e : "field:set";
    String opId = payload.getValue("op_id") instanceof String s ? s : null;
    String field = payload.getValue("field") instanceof String f ? f : null;
    Long base = payload.getValue("base_version") instanceof Number n ? n.longValue() : null;
    Long rebased = batch.base(formId, field, base);
    JsonObject effective = java.util.Objects.equals(rebased, base) ? payload
        : payload.copy().put("base_version", rebased);
    Future<JsonObject> applied;
    try {
      applied = known(who, opId, formId).compose(first -> {
        if (first != null) return Future.succeededFuture(first.copy().put("result", "duplicate"));
        return (switch (event) {
          case "field:set" -> set(who, formId, effective);
          case "field:text" -> text(who, formId, effective);
          case "field:list" -> list(who, formId, effective);
          default -> Future.<JsonObject>failedFuture(ChannelError.invalid("event", "ops[" + index
              + "].event must be field:set, field:text or field:list"));
        }).map(r -> r.copy().put("result", "applied"));
      });
    } catch (ChannelError e) {
      applied = Future.failedFuture(e);
    }
    return applied.map(r -> {
      if (field != null && r.getValue("version") instanceof Number v) batch.applied(formId, field, base, v.longValue());
      return r.put("op_id", opId);
    }).recover(e -> {
      if (e instanceof ChannelError ce && ce.reason().equals("conflict")) {
        return Future.succeededFuture(new JsonObject().put("op_id", opId).put("result", "conflict")
            .put("field", payload.getValue("field")).put("yours", payload.getValue("value"))
            .put("current", ce.response().getValue("current")));
      }
      if (e instanceof ChannelError ce) {
        JsonObject r = ce.response();
        return Future.succeededFuture(rejected(opId, ce.reason(), r.getValue("field") instanceof String f ? f : field,
            r.getString("detail")));
      }
      return Future.failedFuture(e);
    });
  }

  private static JsonObject rejected(String opId, String reason, String field, String detail) {
    return new JsonObject().put("op_id", opId).put("result", "rejected").put("reason", reason).put("field", field)
        .put("detail", detail);
  }

  // ---- shared steps ---------------------------------------------------------------------------------------------

  /**
   * The first reply an op id got, or null: the hot store's answer, else the record's (the store forgets replies — a
   * restart, an expiry — while PostgreSQL keeps every revision with its op id).
   */
  private Future<JsonObject> known(Editor who, String opId, UUID formId) {
    if (opId == null) return Future.succeededFuture();
    return store.reply(formId, who.userId(), opId).compose(first -> first != null ? Future.succeededFuture(first)
        : repository.revisionOf(who.userId(), opId));
  }

  private static void checkWritable(Editor who, FormInfo info, FieldState field) {
    checkMayEdit(who, field);
    if (!EDITABLE.contains(info.status())) {
      throw ChannelError.forbidden("the form is " + info.status() + "; it cannot be edited now");
    }
    if (info.status().equals("draft") && who.isCouple()) {
      throw ChannelError.forbidden("the form has not been sent to the couple yet");
    }
  }

  /** Whether this person may edit this field at all: not a viewer, and on the side the field is filled in by. */
  static void checkMayEdit(Editor who, FieldState field) {
    if (!who.access().canWrite()) throw ChannelError.forbidden("viewers cannot change fields");
    String editableBy = field.definition().validation().getString("editableBy");
    if (editableBy != null && !editableBy.equals(who.access().side())) {
      throw ChannelError.forbidden(field.key() + " is filled in by the " + editableBy);
    }
  }

  /** What follows every committed change. */
  private void accepted(Editor who, FieldView before, FieldChange change) {
    FormInfo info = before.info();
    // Progress moves only when a required field changes between filled and not filled; checking that one field keeps
    // the common write (a value edited within a filled field) free of a whole-form read and validation pass.
    FieldState field = before.field();
    FieldDefinition def = field.definition();
    if (def.required() && FieldRules.isFilled(def, field.value()) != FieldRules.isFilled(def, change.value())) {
      boolean nowFilled = FieldRules.isFilled(def, change.value());
      store.form(info.formId()).onSuccess(now -> {
        FormSnapshot.Progress progress = now.progress();
        publisher.durable(info.topic(), "form:progress", progress.toJson());
        if (nowFilled && progress.filled() == progress.required()) events.completed(who, info);
      });
    }
    // A change someone made on this very form ("user", "rollback"), as opposed to one that reached it: a core fact
    // cascading from the wedding or another form, or a row another service wrote.
    boolean byPerson = change.source().equals("user") || change.source().equals("rollback");
    // The couple's own first save starts filling the form in; a cascaded fact is not filling in.
    if (byPerson && who.isCouple() && info.status().equals("sent") && status != null) status.started(who, info);
    // Only people's changes cascade; the cascade's own changes ("core") never do, so one change is one cascade.
    if (cascade != null && byPerson && def.coreField() != null) {
      cascade.fromField(who, info, field, change);
    }
  }

}
