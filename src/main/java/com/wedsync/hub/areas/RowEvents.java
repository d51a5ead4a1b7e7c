package com.wedsync.hub.areas;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.changes.LoggedChange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * The domain events of one table's row changes. A row has places — the channels (and audiences) its events go to,
 * worked out from the whole row — and the events themselves are made of the columns the table publishes only, so
 * nothing a column allow-list keeps in reaches anyone through them either.
 *
 * <p>An update that moves a row between places (a task handed to another couple, a meeting to another supplier) is,
 * as for {@code postgres_changes}, a removal where it left and a creation where it arrived; an update within a place
 * is whatever {@link #updated} makes of it.
 */
abstract class RowEvents {
  /** Where a row's events go: a channel, and who there may receive them (null: everyone on it). */
  record Place(String topic, Audience audience) {}

  /** The table, as {@code schema.table}. */
  abstract String table();

  /** The places of a row (its whole row: every column, published or not). */
  abstract List<Place> places(JsonObject row);

  /** What an inserted row (or one that came into a place) makes there; null for nothing. */
  abstract Event created(JsonObject row);

  /** What a deleted row (or one that left a place) makes there; null for nothing. */
  abstract Event removed(JsonObject oldRow);

  /** What an update within a place makes there (possibly several events, possibly none). */
  abstract List<Event> updated(JsonObject oldRow, JsonObject row);

  /** An event before it is placed: its name and payload (without {@code change_id} and {@code at}). */
  record Event(String name, JsonObject payload) {}

  /** Every event the change makes, on every channel, each with the change's id and commit time. */
  final List<DomainEvent> events(LoggedChange c) {
    JsonObject full = c.row().record();
    JsonObject fullOld = c.row().oldRecord();
    Map<Place, Boolean> before = new LinkedHashMap<>();
    Map<Place, Boolean> after = new LinkedHashMap<>();
    if (fullOld != null) for (Place p : places(fullOld)) before.put(p, true);
    if (full != null) for (Place p : places(full)) after.put(p, true);
    List<DomainEvent> out = new ArrayList<>();
    JsonObject row = c.record();
    JsonObject oldRow = c.oldRecord();
    for (Place p : before.keySet()) {
      if (!after.containsKey(p) && oldRow != null) add(out, p, removed(oldRow), c);
    }
    for (Place p : after.keySet()) {
      if (row == null) continue;
      if (!before.containsKey(p)) add(out, p, created(row), c);
      else if (oldRow != null) for (Event e : updated(oldRow, row)) add(out, p, e, c);
    }
    return out;
  }

  private static void add(List<DomainEvent> out, Place p, Event e, LoggedChange c) {
    if (e == null) return;
    JsonObject payload = e.payload().copy().put("change_id", c.id()).put("at", c.committedAt().toString());
    out.add(new DomainEvent(p.topic(), e.name(), payload, p.audience()));
  }

  // ---- helpers for the tables' rules -----------------------------------------------------------------------------

  static Event event(String name, JsonObject payload) {
    return new Event(name, payload);
  }

  /** The published columns whose values differ between the two rows, but for the row's bookkeeping times. */
  static List<String> changed(JsonObject oldRow, JsonObject row, String... ignored) {
    Set<String> skip = new LinkedHashSet<>(List.of(ignored));
    skip.add("updated_at");
    Set<String> keys = new LinkedHashSet<>(row.fieldNames());
    keys.addAll(oldRow.fieldNames());
    List<String> out = new ArrayList<>();
    for (String k : keys) {
      if (!skip.contains(k) && !Objects.equals(oldRow.getValue(k), row.getValue(k))) out.add(k);
    }
    return out;
  }

  static boolean differs(JsonObject oldRow, JsonObject row, String... columns) {
    for (String c : columns) if (!Objects.equals(oldRow.getValue(c), row.getValue(c))) return true;
    return false;
  }

  static String text(JsonObject row, String column) {
    Object v = row.getValue(column);
    return v == null ? null : String.valueOf(v);
  }

  static UUID uuid(JsonObject row, String column) {
    String v = text(row, column);
    if (v == null) return null;
    try {
      return UUID.fromString(v);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  static long number(JsonObject row, String column) {
    Object v = row.getValue(column);
    return v instanceof Number n ? n.longValue() : 0;
  }

  /** The strings of an array column ({@code uuid[]} arrives as a list). */
  static List<String> list(JsonObject row, String column) {
    Object v = row.getValue(column);
    List<String> out = new ArrayList<>();
    if (v instanceof JsonArray a) for (Object o : a) if (o != null) out.add(String.valueOf(o));
    return out;
  }
}
