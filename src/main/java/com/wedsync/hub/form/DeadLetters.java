package com.wedsync.hub.form;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.util.List;

/**
 * Accepted changes PostgreSQL refused to store, kept in {@code save_dead_letters} with the reason, so an operator
 * can see and repair them instead of losing them — and so they no longer block the saves of everyone else. The change
 * is stored as {@link FieldChangeCodec} text, which holds exactly what was accepted even where {@code jsonb} or
 * {@code text} columns would refuse it.
 */
public final class DeadLetters {
  /** One change that could not be written, and why. */
  public record Parked(FieldChange change, String reason, String sqlState) {}

  private static final String INSERT = """
      insert into save_dead_letters (form_id, field_id, field_key, version, change, reason, sql_state, node_id)
      select * from unnest($1::uuid[], $2::uuid[], $3::text[], $4::int8[], $5::text[], $6::text[], $7::text[],
                           $8::text[])
      on conflict (field_id, version) do nothing""";

  private final Pool db;
  private final String nodeId;

  public DeadLetters(Pool db, String nodeId) {
    this.db = db;
    this.nodeId = nodeId;
  }

  Future<Void> store(List<Parked> parked) {
    int n = parked.size();
    java.util.UUID[] forms = new java.util.UUID[n], fields = new java.util.UUID[n];
    String[] keys = new String[n], changes = new String[n], reasons = new String[n], states = new String[n],
        nodes = new String[n];
    Long[] versions = new Long[n];
    for (int i = 0; i < n; i++) {
      Parked p = parked.get(i);
      forms[i] = p.change().formId();
      fields[i] = p.change().fieldId();
      keys[i] = p.change().key();
      versions[i] = p.change().version();
      changes[i] = FieldChangeCodec.encode(p.change());
      reasons[i] = FieldChangeCodec.ascii(String.valueOf(p.reason()));
      states[i] = p.sqlState();
      nodes[i] = nodeId;
    }
    return db.preparedQuery(INSERT).execute(Tuple.tuple().addValue(forms).addValue(fields).addValue(keys)
        .addValue(versions).addValue(changes).addValue(reasons).addValue(states).addValue(nodes)).mapEmpty();
  }
}
