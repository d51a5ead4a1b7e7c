package com.wedsync.hub.form;

import com.wedsync.hub.channel.Publisher;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * What the form feature does when another service changed its tables directly (docs/protocol.md §5.15 "Changes made outside the
 * hub"): it reads the row the announcement names, brings the hot state in line with it and tells the channel, with
 * {@code source: "external"}. Announcements carry ids only; the row is the truth.
 */
public final class ExternalFormChanges {
  private final FieldEditor editor;
  private final CoreCascade cascade;
  private final Pool db;
  private final Publisher publisher;

  public ExternalFormChanges(FieldEditor editor, CoreCascade cascade, Pool db, Publisher publisher) {
    this.editor = editor;
    this.cascade = cascade;
    this.db = db;
    this.publisher = publisher;
  }

  /** A field's value changed in form_fields: {@code field:changed} with a new version. */
  public Future<Void> field(UUID formId, UUID fieldId) {
    return db.preparedQuery("select value::text as value, version from form_fields where id = $1")
        .execute(Tuple.of(fieldId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(); // deleted meanwhile: nothing left to show
          Row r = rows.iterator().next();
          String value = r.getString("value");
          return editor.applyExternal(formId, fieldId, value == null ? null : Json.decodeValue(value),
              r.getLong("version"));
        });
  }

  /**
   * A form's status or title changed in forms. A status change is recorded like any transition (by nobody: no hub user
   * made it) and announced as {@code form:status}; a title change as {@code form:updated}.
   *
   * @param from the status the row had before the change
   */
  public Future<Void> form(UUID formId, String from) {
    FieldStore store = editor.store();
    return db.preparedQuery("select status, title from forms where id = $1").execute(Tuple.of(formId))
        .compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture();
          Row r = rows.iterator().next();
          String status = r.getString("status");
          String title = r.getString("title");
          return store.form(formId).compose(form -> {
            FormInfo hot = form.info();
            String at = Instant.now().toString();
            Future<Void> done = Future.succeededFuture();
            if (!status.equals(hot.status())) {
              String was = from != null ? from : hot.status();
              done = done.compose(v -> store.updateInfo(formId, i -> i.withStatus(status)))
                  .compose(v -> db.preparedQuery("insert into form_status_history (form_id, from_status, to_status) "
                      + "values ($1, $2, $3)").execute(Tuple.of(formId, was, status)))
                  .map(v -> {
                    publisher.durable(hot.topic(), "form:status", new JsonObject().put("status", status)
                        .put("from", was).put("by", Editor.EXTERNAL.identity()).put("at", at)
                        .put("source", "external"));
                    return null;
                  });
            }
            if (!title.equals(hot.title())) {
              done = done.compose(v -> store.updateInfo(formId, i -> i.withTitle(title))).map(v -> {
                publisher.durable(hot.topic(), "form:updated", new JsonObject().put("title", title)
                    .put("by", Editor.EXTERNAL.identity()).put("at", at).put("source", "external"));
                return null;
              });
            }
            return done;
          });
        });
  }

  /** A wedding's core facts changed in weddings: {@code wedding:updated}, then the cascade to bound fields. */
  public Future<Void> wedding(UUID weddingId, List<String> columns, String opId) {
    return cascade.fromExternal(weddingId, columns, opId).mapEmpty();
  }
}
