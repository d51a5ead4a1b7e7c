package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.form.text.TextHistory;
import com.wedsync.hub.form.text.TextHistory.VersionedOp;
import com.wedsync.hub.form.text.TextOp;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The in-process {@link FieldStore} (one node). Each form is loaded once and then lives here; every event loop may
 * commit to it, so each form is guarded by its own monitor (held only for in-memory work, never across I/O).
 */
public final class LocalFieldStore implements FieldStore {
  private static final int REPLIES_KEPT = 200_000;

  private final FormRepository repository;
  private final int textOpsKept;
  private final Publisher publisher;
  private final SaveBuffer saves;
  private final Map<UUID, Future<LiveForm>> forms = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> replies = new LinkedHashMap<>(1024, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, JsonObject> eldest) {
      return size() > REPLIES_KEPT;
    }
  };

  public LocalFieldStore(FormRepository repository, int textOpsKept, Publisher publisher, SaveBuffer saves) {
    this.repository = repository;
    this.textOpsKept = textOpsKept;
    this.publisher = publisher;
    this.saves = saves;
  }

  /** A form's live state; mutated only under its own monitor. */
  private final class LiveForm {
    FormInfo info;
    final List<FieldState> order = new ArrayList<>();
    final Map<String, FieldState> fields = new HashMap<>();
    final Map<String, ArrayDeque<VersionedOp>> textOps = new HashMap<>();

    LiveForm(FormSnapshot snapshot) {
      info = snapshot.info();
      for (FieldState f : snapshot.fields()) {
        order.add(f);
        fields.put(f.key(), f);
      }
    }

    synchronized FormSnapshot snapshot() {
      List<FieldState> now = new ArrayList<>(order.size());
      for (FieldState f : order) now.add(fields.get(f.key()));
      return new FormSnapshot(info, now);
    }
  }


  private Future<LiveForm> live(UUID formId) {
    Future<LiveForm> f = forms.computeIfAbsent(formId, id -> repository.load(id).map(LiveForm::new));
    // A failed load is not cached: the next request tries again (PostgreSQL may be back).
    return f.onFailure(e -> forms.remove(formId, f));
  }

  @Override
  public Future<FormSnapshot> form(UUID formId) {
    return live(formId).map(LiveForm::snapshot);
  }

  @Override
  public Future<CommitResult> commit(FieldView seen, FieldChange change, TextOp textOp, JsonObject reply) {
    long expectedVersion = seen.field().version();
    return live(change.formId()).map(form -> {
      String replyKey = change.opId() == null ? null : change.byUser() + "|" + change.opId();
      synchronized (form) {
        if (replyKey != null) {
          JsonObject first;
          synchronized (replies) {
            first = replies.get(replyKey);
          }
          if (first != null) return CommitResult.duplicate(first);
        }
        FieldState current = form.fields.get(change.key());
        if (current == null) throw ChannelError.invalid("field", "no field '" + change.key() + "' on this form");
        if (current.version() != expectedVersion) return CommitResult.stale(current);
        FieldState next = current.next(change.value(), change.version(), change.by(), change.at());
        form.fields.put(change.key(), next);
        if (textOp != null) {
          ArrayDeque<VersionedOp> log = form.textOps.computeIfAbsent(change.key(), k -> new ArrayDeque<>());
          log.addLast(new VersionedOp(change.version(), textOp));
          while (log.size() > textOpsKept) log.removeFirst();
        } else {
          // A whole-value change (set, rollback, core) breaks the op chain: later text ops must be based on it.
          form.textOps.remove(change.key());
        }
        if (replyKey != null) {
          synchronized (replies) {
            replies.put(replyKey, reply);
          }
        }
        // Published and queued inside the form's critical section: commits from different event loops reach every
        // subscriber, and the save buffer, in version order.
        publisher.durable(form.info.topic(), "field:changed", change.event());
        saves.add(change);
        return CommitResult.committed(next);
      }
    });
  }

  @Override
  public Future<List<TextOp>> textOpsSince(UUID formId, String key, long version, long upTo) {
    return live(formId).compose(form -> {
      synchronized (form) {
        FieldState current = form.fields.get(key);
        if (current == null) return Future.failedFuture(ChannelError.invalid("field", "no field '" + key + "'"));
        if (version == upTo) return Future.succeededFuture(List.of());
        ArrayDeque<VersionedOp> log = form.textOps.get(key);
        List<TextOp> since = TextHistory.between(log == null ? List.of() : log, version, upTo);
        if (since == null) return Future.failedFuture(FieldStore.tooOldToMerge(current, version));
        return Future.succeededFuture(since);
      }
    });
  }

  @Override
  public Future<JsonObject> reply(UUID formId, UUID user, String opId) {
    synchronized (replies) {
      return Future.succeededFuture(replies.get(user + "|" + opId));
    }
  }

  @Override
  public Future<Void> updateInfo(UUID formId, java.util.function.UnaryOperator<FormInfo> change) {
    return live(formId).map(form -> {
      synchronized (form) {
        form.info = change.apply(form.info);
      }
      return null;
    });
  }

  @Override
  public Future<FormSnapshot> shape(UUID formId) {
    return form(formId);
  }

  @Override
  public void evict(UUID formId) {
    forms.remove(formId);
  }
}
