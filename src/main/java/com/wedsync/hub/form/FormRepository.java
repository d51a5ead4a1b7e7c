package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The form tables in PostgreSQL: everything the form feature reads there, and the writes that are not write-behind. */
public final class FormRepository {
  private final Pool db;

  public FormRepository(Pool db) {
    this.db = db;
  }

  public Pool db() {
    return db;
  }

  private static final String FORM = """
      select f.id, f.supplier_id, f.wedding_id, w.couple_id, f.title, f.status
        from forms f join weddings w on w.id = f.wedding_id where f.id = $1""";

  private static final String FIELDS = """
      select ff.id, ff.key, ff.label, ff.type, ff.required, ff.options::text as options,
             ff.validation::text as validation, ff.core_field, ff.value::text as value, ff.version, ff.updated_at,
             ff.updated_by, u.name as updated_by_name
        from form_fields ff left join users u on u.id = ff.updated_by
       where ff.form_id = $1 order by ff.position""";

  public Future<FormSnapshot> load(UUID formId) {
    return db.preparedQuery(FORM).execute(Tuple.of(formId)).compose(rows -> {
      if (rows.size() == 0) return Future.failedFuture(new ChannelError("not_found", "no form " + formId));
      Row r = rows.iterator().next();
      FormInfo info = new FormInfo(formId, r.getUUID("supplier_id"), r.getUUID("wedding_id"), r.getUUID("couple_id"),
          r.getString("title"), r.getString("status"));
      return db.preparedQuery(FIELDS).execute(Tuple.of(formId)).map(fieldRows -> {
        List<FieldState> fields = new ArrayList<>();
        for (Row f : fieldRows) fields.add(field(f));
        return new FormSnapshot(info, List.copyOf(fields));
      });
    });
  }

  private static FieldState field(Row f) {
    String options = f.getString("options");
    FieldDefinition def = new FieldDefinition(f.getString("key"), f.getString("label"),
        FieldType.parse(f.getString("type")), f.getBoolean("required"),
        options == null ? null : new JsonArray(options), new JsonObject(f.getString("validation")),
        f.getString("core_field"));
    String value = f.getString("value");
    UUID by = f.getUUID("updated_by");
    OffsetDateTime at = f.getOffsetDateTime("updated_at");
    return new FieldState(f.getUUID("id"), def, value == null ? null : Json.decodeValue(value), f.getLong("version"),
        new JsonObject().put("user_id", by == null ? null : by.toString()).put("name", f.getString("updated_by_name")),
        at == null ? null : at.toInstant());
  }

  /** The version an op id produced, if that op reached PostgreSQL (idempotency across restarts). */
  public Future<JsonObject> revisionOf(UUID user, String opId) {
    return db.preparedQuery("select version, kind from field_revisions where changed_by = $1 and op_id = $2")
        .execute(Tuple.of(user, opId)).map(rows -> rows.size() == 0 ? null
            : new JsonObject().put("version", rows.iterator().next().getLong("version")).put("status", "accepted"));
  }

  private static final String HISTORY = """
      select r.version, r.value::text as value, r.previous_value::text as previous_value, r.kind, r.ops::text as ops,
             r.op_id, r.source, r.changed_by, u.name, r.changed_at
        from field_revisions r left join users u on u.id = r.changed_by
       where r.field_id = $1 and ($2::bigint is null or r.version < $2) order by r.version desc limit $3""";

  /** Revisions newest first, {@code limit} at most, below {@code beforeVersion} when given (paging). */
  public Future<JsonArray> history(UUID fieldId, Long beforeVersion, int limit) {
    return db.preparedQuery(HISTORY).execute(Tuple.of(fieldId, beforeVersion, limit)).map(rows -> {
      JsonArray out = new JsonArray();
      for (Row r : rows) {
        UUID by = r.getUUID("changed_by");
        out.add(new JsonObject().put("version", r.getLong("version"))
            .put("value", decode(r.getString("value"))).put("previous_value", decode(r.getString("previous_value")))
            .put("kind", r.getString("kind")).put("ops", decode(r.getString("ops"))).put("op_id", r.getString("op_id"))
            .put("source", r.getString("source"))
            .put("by", new JsonObject().put("user_id", by == null ? null : by.toString()).put("name", r.getString("name")))
            .put("at", r.getOffsetDateTime("changed_at").toInstant().toString()));
      }
      return out;
    });
  }

  /** The value a field had at a version; fails with not_found when there is no such revision. */
  public Future<Object> valueAt(UUID fieldId, long version) {
    return db.preparedQuery("select value::text as value from field_revisions where field_id = $1 and version = $2")
        .execute(Tuple.of(fieldId, version)).compose(rows -> rows.size() == 0
            ? Future.failedFuture(new ChannelError("not_found", "no revision " + version + " of this field"))
            : Future.succeededFuture(decode(rows.iterator().next().getString("value"))));
  }

  /** Moves a form from one status to another and records the transition, atomically. False: it was not in {@code from}. */
  public Future<Boolean> transition(UUID formId, String from, String to, UUID by) {
    return db.withTransaction(c -> c.preparedQuery(
            "update forms set status = $3, updated_at = now() where id = $1 and status = $2")
        .execute(Tuple.of(formId, from, to))
        .compose(updated -> updated.rowCount() == 0 ? Future.succeededFuture(false)
            : c.preparedQuery("insert into form_status_history (form_id, from_status, to_status, changed_by) "
                + "values ($1, $2, $3, $4)").execute(Tuple.of(formId, from, to, by)).map(true)));
  }

  public Future<String> status(UUID formId) {
    return db.preparedQuery("select status from forms where id = $1").execute(Tuple.of(formId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("status"));
  }

  public Future<JsonObject> addNote(UUID formId, UUID author, String text, List<UUID> mentions, String opId) {
    return db.preparedQuery("insert into form_notes (form_id, author_id, text, mentions, op_id) "
            + "values ($1, $2, $3, $4, $5) returning id, created_at")
        .execute(Tuple.tuple().addValue(formId).addValue(author).addValue(text)
            .addValue(mentions.toArray(new UUID[0])).addValue(opId))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new JsonObject().put("note_id", r.getUUID("id").toString())
              .put("at", r.getOffsetDateTime("created_at").toInstant().toString());
        });
  }

  /** Users mentioned in a note who may see the form (everyone else is dropped silently: no existence leak). */
  public Future<List<UUID>> mentionable(UUID formId, List<UUID> candidates) {
    if (candidates.isEmpty()) return Future.succeededFuture(List.of());
    return db.preparedQuery("""
            select u.id from users u where u.id = any($2) and (
              exists (select 1 from forms f join team_members tm on tm.supplier_id = f.supplier_id
                       where f.id = $1 and tm.user_id = u.id)
              or exists (select 1 from forms f join weddings w on w.id = f.wedding_id
                          join couple_members cm on cm.couple_id = w.couple_id where f.id = $1 and cm.user_id = u.id))""")
        .execute(Tuple.tuple().addValue(formId).addValue(candidates.toArray(new UUID[0])))
        .map(rows -> {
          List<UUID> ok = new ArrayList<>();
          for (Row r : rows) ok.add(r.getUUID("id"));
          return ok;
        });
  }

  static Object decode(String json) {
    return json == null ? null : Json.decodeValue(json);
  }
}
