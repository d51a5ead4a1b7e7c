package com.wedsync.hub.changes;

import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * One {@code postgres_changes} entry of a join's config: which event ({@code INSERT}, {@code UPDATE}, {@code DELETE}
 * or {@code *}) of which table (null or {@code *}: every published table of the schema; schema {@code *}: of every
 * schema), optionally filtered on one column. Its id is what realtime-js matches events against; equal bindings get
 * equal ids, as Supabase Realtime collapses them. The reply echoes the entry as sent: realtime-js compares them.
 */
record ChangeBinding(int id, String event, String schema, String table, String filter, ChangeFilter parsed) {

  static ChangeBinding of(String event, String schema, String table, String filter) {
    CRC32 crc = new CRC32();
    crc.update((event + "|" + schema + "|" + table + "|" + (filter == null ? "" : filter))
        .getBytes(StandardCharsets.UTF_8));
    int id = (int) (crc.getValue() % 100_000_000L) + 1;
    return new ChangeBinding(id, event, schema, table, filter, filter == null ? null : ChangeFilter.parse(filter));
  }

  boolean covers(String schema, String table) {
    return (this.schema.equals("*") || this.schema.equals(schema))
        && (this.table == null || this.table.equals("*") || this.table.equals(table));
  }

  /** Whether a change shaped as {@code type} ({@code INSERT}, {@code UPDATE}, {@code DELETE}) of that row matches. */
  boolean matches(String type, String schema, String table, JsonObject row) {
    return (event.equals("*") || event.equalsIgnoreCase(type)) && covers(schema, table)
        && (parsed == null || parsed.matches(row));
  }

  /** The entry of the join reply, as the client sent it plus its id. */
  JsonObject reply() {
    JsonObject j = new JsonObject().put("id", id).put("event", event).put("schema", schema);
    if (table != null) j.put("table", table);
    if (filter != null) j.put("filter", filter);
    return j;
  }
}
