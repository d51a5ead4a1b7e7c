package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Notes on a form, with {@code @{userId}} mentions of people who can see the form. Stored, then published. */
public final class FormNotes {
  private static final Pattern MENTION = Pattern.compile("@\\{([0-9a-fA-F-]{36})}");
  private static final int MAX_LENGTH = 10_000;

  private final FormRepository repository;
  private final FieldStore store;
  private final Publisher publisher;
  private FormEvents events = FormEvents.NONE;

  public FormNotes(FormRepository repository, FieldStore store, Publisher publisher) {
    this.repository = repository;
    this.store = store;
    this.publisher = publisher;
  }

  /** Who hears about what happens here (notifications, activity); set once while the hub is wired. */
  public void listen(FormEvents events) {
    this.events = events;
  }

  public Future<JsonObject> add(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String text = p.string("text", MAX_LENGTH);
    String opId = p.opId();
    if (!who.access().canWrite()) throw ChannelError.forbidden("viewers cannot add notes");
    Set<UUID> candidates = new LinkedHashSet<>();
    Matcher m = MENTION.matcher(text);
    while (m.find()) {
      try {
        candidates.add(UUID.fromString(m.group(1)));
      } catch (IllegalArgumentException ignored) {
        // not a user id: left as plain text
      }
    }
    return existing(who.userId(), opId).compose(first -> first != null ? Future.succeededFuture(first)
        : store.form(formId)
            .compose(form -> repository.mentionable(formId, new ArrayList<>(candidates))
            .compose(mentions -> repository.addNote(formId, who.userId(), text, mentions, opId).map(note -> {
              publisher.durable("form:" + formId, "form:note", new JsonObject().put("note_id", note.getString("note_id"))
                  .put("text", text).put("by", who.identity()).put("at", note.getString("at"))
                  .put("mentions", new JsonArray(mentions.stream().map(UUID::toString).toList())));
              events.noteAdded(who, form.info(), note.getString("note_id"), text, mentions);
              return new JsonObject().put("note_id", note.getString("note_id"));
            }))));
  }

  private Future<JsonObject> existing(UUID author, String opId) {
    return repository.db().preparedQuery("select id from form_notes where author_id = $1 and op_id = $2")
        .execute(Tuple.of(author, opId))
        .map(rows -> rows.size() == 0 ? null
            : new JsonObject().put("note_id", rows.iterator().next().getUUID("id").toString()));
  }

}
