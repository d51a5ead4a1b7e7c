package com.wedsync.hub.external;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One announcement on {@code hub_external} (migration V6): which table, which row, in which transaction, plus the few
 * ids that table's handler needs. {@code raw} is the payload exactly as PostgreSQL sent it — every node receives the
 * same text, which makes it the name the nodes agree on when one of them claims the change.
 */
public record ExternalChange(String table, UUID id, long tx, JsonObject data, String raw) {

  public static ExternalChange parse(String raw) {
    JsonObject data;
    try {
      data = new JsonObject(raw);
    } catch (DecodeException e) {
      throw new IllegalArgumentException("hub_external payload is not a JSON object");
    }
    if (!(data.getValue("table") instanceof String table)) {
      throw new IllegalArgumentException("hub_external payload has no table");
    }
    if (!(data.getValue("tx") instanceof Number tx)) throw new IllegalArgumentException("hub_external payload has no tx");
    return new ExternalChange(table, uuid(data, "id"), tx.longValue(), data, raw);
  }

  public UUID uuid(String name) {
    return uuid(data, name);
  }

  public String string(String name) {
    return data.getValue(name) instanceof String s ? s : null;
  }

  public List<String> strings(String name) {
    if (!(data.getValue(name) instanceof JsonArray a)) {
      throw new IllegalArgumentException("hub_external payload: " + name + " must be an array");
    }
    List<String> out = new ArrayList<>(a.size());
    for (Object o : a) out.add(String.valueOf(o));
    return out;
  }

  private static UUID uuid(JsonObject data, String name) {
    try {
      return UUID.fromString(data.getString(name));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("hub_external payload: " + name + " must be a uuid");
    }
  }
}
