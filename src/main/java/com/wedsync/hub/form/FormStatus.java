package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The form status machine (docs/protocol.md §5): {@code draft → sent → in_progress → submitted → completed}, plus
 * {@code submitted → in_progress} (the supplier reopens) and {@code * → archived}. Every transition is recorded; any
 * other is refused with the allowed ones named.
 */
public final class FormStatus {
  private static final Logger log = LoggerFactory.getLogger(FormStatus.class);

  /** from → allowed targets; who may take each step is decided in {@link #mayMove}. */
  private static final Map<String, Set<String>> NEXT = Map.of(
      "draft", Set.of("sent", "archived"),
      "sent", Set.of("in_progress", "archived"),
      "in_progress", Set.of("submitted", "archived"),
      "submitted", Set.of("completed", "in_progress", "archived"),
      "completed", Set.of("archived"),
      "archived", Set.of());

  private final FieldStore store;
  private final FormRepository repository;
  private final Publisher publisher;
  private FormEvents events = FormEvents.NONE;

  public FormStatus(FieldStore store, FormRepository repository, Publisher publisher) {
    this.store = store;
    this.repository = repository;
    this.publisher = publisher;
  }

  /** Who hears about what happens here (notifications, activity); set once while the hub is wired. */
  public void listen(FormEvents events) {
    this.events = events;
  }

  public Future<JsonObject> change(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String to = p.string("status", 32);
    p.opId();
    if (!NEXT.containsKey(to)) {
      throw ChannelError.invalid("status", "unknown status '" + to + "' (draft, sent, in_progress, submitted, "
          + "completed, archived)");
    }
    return store.form(formId).compose(form -> {
      String from = form.info().status();
      if (from.equals(to)) return Future.succeededFuture(new JsonObject().put("status", to)); // a repeat: same outcome
      if (!NEXT.get(from).contains(to)) {
        throw new ChannelError("invalid", "a " + from + " form cannot become " + to + " (allowed: "
            + NEXT.get(from) + ")", new JsonObject().put("field", "status").put("from", from));
      }
      String refusal = mayMove(who, from, to);
      if (refusal != null) throw ChannelError.forbidden(refusal);
      return move(who, form.info(), from, to).map(new JsonObject().put("status", to));
    });
  }

  private static String mayMove(Editor who, String from, String to) {
    if (!who.access().canWrite()) return "viewers cannot change a form's status";
    return switch (to) {
      case "sent", "completed" -> who.isSupplier() ? null : "only the supplier's team can mark a form " + to;
      case "submitted" -> who.isCouple() ? null : "only the couple can submit a form";
      case "in_progress" -> from.equals("submitted") && !who.isSupplier() ? "only the supplier can reopen a form"
          : null;
      case "archived" -> who.isSupplier() && who.access().canManage() ? null
          : "only a team owner or admin can archive a form";
      default -> "not allowed";
    };
  }

  /** The couple's first save on a sent form: the supplier sees "currently filling". Once, however many saves race. */
  void started(Editor who, FormInfo info) {
    if (!starting.add(info.formId())) return;
    move(who, info, "sent", "in_progress")
        .onComplete(ar -> starting.remove(info.formId()))
        .onFailure(e -> log.debug("form {} not marked in progress: {}", info.formId(), e.getMessage()));
  }

  private final Set<UUID> starting = java.util.concurrent.ConcurrentHashMap.newKeySet();

  private Future<Void> move(Editor who, FormInfo info, String from, String to) {
    return repository.transition(info.formId(), from, to, who.userId()).compose(moved -> {
      if (!moved) {
        // Someone else moved it first: learn the status the record has now, so the next decision sees the truth.
        return repository.status(info.formId())
            .compose(now -> store.updateInfo(info.formId(), i -> i.withStatus(now)))
            .compose(v -> Future.failedFuture(new ChannelError("conflict",
                "the form's status changed meanwhile; reload it")));
      }
      return store.updateInfo(info.formId(), i -> i.withStatus(to)).onSuccess(v -> {
        publisher.durable(info.topic(), "form:status", new JsonObject().put("status", to).put("from", from)
            .put("by", who.identity()).put("at", Instant.now().toString()));
        events.statusChanged(who, info, from, to);
      });
    });
  }
}
