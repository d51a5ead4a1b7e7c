package com.wedsync.hub.changes;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * One row change as pgoutput described it, with its values already in JSON.
 *
 * @param type      {@code INSERT}, {@code UPDATE} or {@code DELETE}
 * @param columns   the table's columns, in order
 * @param record    the new row (INSERT, UPDATE), else null
 * @param oldRecord the old row (UPDATE, DELETE) — every column with {@code REPLICA IDENTITY FULL}, else the key or
 *                  nothing
 */
public record RowChange(String schema, String table, String type, List<Column> columns, JsonObject record,
                        JsonObject oldRecord) {

  public record Column(String name, String type) {}

  public String name() {
    return schema + "." + table;
  }

  JsonArray columnsJson() {
    JsonArray a = new JsonArray();
    for (Column c : columns) a.add(new JsonObject().put("name", c.name()).put("type", c.type()));
    return a;
  }
}
