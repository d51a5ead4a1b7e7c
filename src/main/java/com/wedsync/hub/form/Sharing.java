package com.wedsync.hub.form;

import com.wedsync.hub.bus.Audience;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Which of a wedding's core facts the couple shares with each connected supplier ({@code wedding_suppliers
 * .shared_fields}, docs/protocol.md §5): read with the wedding, it decides what a supplier is shown of the wedding and who
 * hears of a change to a fact. The couple sees every fact of its wedding.
 *
 * @param bySupplier connected supplier → the core fields shared with it
 */
record Sharing(Map<UUID, Set<String>> bySupplier) {

  /** The SQL expression (a JSON object: supplier id → shared fields) that reads it next to a wedding row {@code w}. */
  static final String COLUMN = """
      (select coalesce(json_object_agg(ws.supplier_id, ws.shared_fields), '{}') from wedding_suppliers ws
        where ws.wedding_id = w.id) as sharing""";

  /** From the {@link #COLUMN} value. */
  static Sharing of(JsonObject sharing) {
    Map<UUID, Set<String>> by = new LinkedHashMap<>();
    if (sharing != null) {
      for (String supplier : sharing.fieldNames()) {
        Set<String> fields = new HashSet<>();
        JsonArray shared = sharing.getJsonArray(supplier);
        if (shared != null) for (Object f : shared) fields.add((String) f);
        by.put(UUID.fromString(supplier), fields);
      }
    }
    return new Sharing(by);
  }

  /** The core facts shared with any of these suppliers (a user on several teams sees what any of them may). */
  Set<String> sharedWith(Set<UUID> suppliers) {
    Set<String> out = new HashSet<>();
    for (UUID s : suppliers) out.addAll(bySupplier.getOrDefault(s, Set.of()));
    return out;
  }

  /**
   * A change of core facts, split by who may see which part: the couple, with the suppliers that are shared every
   * changed fact, get all of it; each other supplier that is shared some of them gets exactly those, in one event per
   * group of suppliers that see the same part; a supplier shared none of them gets nothing.
   *
   * @return audience → the part of {@code changes} it may see, the couple's first
   */
  Map<Audience, JsonObject> split(JsonObject changes) {
    Map<List<String>, List<UUID>> byPart = new LinkedHashMap<>();
    List<String> all = new ArrayList<>(changes.fieldNames());
    for (var e : bySupplier.entrySet()) {
      List<String> part = new ArrayList<>();
      for (String field : all) if (e.getValue().contains(field)) part.add(field);
      if (!part.isEmpty() && !part.equals(all)) byPart.computeIfAbsent(part, p -> new ArrayList<>()).add(e.getKey());
    }
    List<UUID> everything = new ArrayList<>();
    for (var e : bySupplier.entrySet()) if (e.getValue().containsAll(all)) everything.add(e.getKey());
    Map<Audience, JsonObject> out = new LinkedHashMap<>();
    out.put(Audience.coupleAnd(everything), changes);
    byPart.forEach((part, suppliers) -> {
      JsonObject visible = new JsonObject();
      for (String field : part) visible.put(field, changes.getValue(field));
      out.put(Audience.suppliersOnly(suppliers), visible);
    });
    return out;
  }
}
