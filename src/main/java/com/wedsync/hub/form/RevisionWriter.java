package com.wedsync.hub.form;

import io.vertx.core.Future;
import io.vertx.core.json.Json;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Writes accepted field changes to PostgreSQL in one transaction: one row write per field (its latest value and
 * version, one multi-row UPDATE) and every change as a revision (one multi-row INSERT). Idempotent: a row never goes
 * back to an older version and a revision already stored is skipped, so a batch retried after a failure, or flushed
 * by another node, is never written twice.
 */
public final class RevisionWriter {
  private static final String UPDATE_ROWS = """
      update form_fields f set value = u.value::jsonb, version = u.version, updated_at = u.at, updated_by = u.by
        from unnest($1::uuid[], $2::text[], $3::int8[], $4::timestamptz[], $5::uuid[]) as u(id, value, version, at, by)
       where f.id = u.id and f.version < u.version""";

  private static final String INSERT_REVISIONS = """
      insert into field_revisions (field_id, form_id, version, value, previous_value, kind, ops, op_id, source,
                                   changed_by, changed_at)
      select u.field_id, u.form_id, u.version, u.value::jsonb, u.prev::jsonb, u.kind, u.ops::jsonb, u.op_id, u.source,
             u.by, u.at
        from unnest($1::uuid[], $2::uuid[], $3::int8[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[],
                    $9::text[], $10::uuid[], $11::timestamptz[])
          as u(field_id, form_id, version, value, prev, kind, ops, op_id, source, by, at)
      on conflict do nothing""";

  private final Pool db;

  public RevisionWriter(Pool db) {
    this.db = db;
  }

  /** @param batch per field, its changes in version order */
  public Future<Void> write(Collection<List<FieldChange>> batch) {
    int rows = batch.size();
    UUID[] ids = new UUID[rows];
    String[] values = new String[rows];
    Long[] versions = new Long[rows];
    OffsetDateTime[] ats = new OffsetDateTime[rows];
    UUID[] bys = new UUID[rows];
    List<FieldChange> all = new ArrayList<>();
    int i = 0;
    for (List<FieldChange> changes : batch) {
      FieldChange last = changes.get(changes.size() - 1);
      ids[i] = last.fieldId();
      values[i] = Json.encode(last.value());
      versions[i] = last.version();
      ats[i] = last.at().atOffset(ZoneOffset.UTC);
      bys[i] = last.byUser();
      i++;
      all.addAll(changes);
    }
    int n = all.size();
    UUID[] rFields = new UUID[n], rForms = new UUID[n], rBys = new UUID[n];
    Long[] rVersions = new Long[n];
    String[] rValues = new String[n], rPrev = new String[n], rKinds = new String[n], rOps = new String[n],
        rOpIds = new String[n], rSources = new String[n];
    OffsetDateTime[] rAts = new OffsetDateTime[n];
    for (int j = 0; j < n; j++) {
      FieldChange c = all.get(j);
      rFields[j] = c.fieldId();
      rForms[j] = c.formId();
      rVersions[j] = c.version();
      rValues[j] = Json.encode(c.value());
      rPrev[j] = Json.encode(c.previousValue());
      rKinds[j] = c.kind();
      rOps[j] = c.ops() == null ? null : c.ops().encode();
      rOpIds[j] = c.opId();
      rSources[j] = c.source();
      rBys[j] = c.byUser();
      rAts[j] = c.at().atOffset(ZoneOffset.UTC);
    }
    return db.withTransaction(conn -> conn.preparedQuery(UPDATE_ROWS)
        .execute(Tuple.of(ids, values, versions, ats, bys))
        .compose(r -> conn.preparedQuery(INSERT_REVISIONS).execute(Tuple.tuple()
            .addValue(rFields).addValue(rForms).addValue(rVersions).addValue(rValues).addValue(rPrev)
            .addValue(rKinds).addValue(rOps).addValue(rOpIds).addValue(rSources).addValue(rBys).addValue(rAts))))
        .mapEmpty();
  }
}
