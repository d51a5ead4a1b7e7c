package com.wedsync.hub.areas;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code public.messages} between a supplier's team and a couple, on each side's channel about the other:
 * {@code supplier:{supplierId}:clients} (the team's client list) and {@code couple:{coupleId}:suppliers}:
 * {@code message:new}, {@code message:read} (with {@code read_at} and {@code read_by}), {@code message:updated}
 * (with the columns that changed) and {@code message:deleted}, each {@code {"message": row}}.
 */
final class MessageEvents extends RowEvents {
  @Override
  String table() {
    return "public.messages";
  }

  @Override
  List<Place> places(JsonObject row) {
    UUID supplier = uuid(row, "supplier_id");
    UUID couple = uuid(row, "couple_id");
    if (supplier == null || couple == null) return List.of();
    return List.of(new Place("supplier:" + supplier + ":clients", null),
        new Place("couple:" + couple + ":suppliers", null));
  }

  @Override
  Event created(JsonObject row) {
    return event("message:new", new JsonObject().put("message", row));
  }

  @Override
  Event removed(JsonObject oldRow) {
    return event("message:deleted", new JsonObject().put("message", oldRow));
  }

  @Override
  List<Event> updated(JsonObject oldRow, JsonObject row) {
    List<Event> out = new ArrayList<>();
    if (oldRow.getValue("read_at") == null && row.getValue("read_at") != null) {
      out.add(event("message:read", new JsonObject().put("message", row).put("read_at", row.getValue("read_at"))
          .put("read_by", row.getValue("read_by"))));
    }
    List<String> changed = changed(oldRow, row, "read_at", "read_by");
    // Marked unread again: an update of read_at.
    if (oldRow.getValue("read_at") != null && row.getValue("read_at") == null) changed.add(0, "read_at");
    if (!changed.isEmpty()) {
      out.add(event("message:updated", new JsonObject().put("message", row).put("changed", new JsonArray(changed))));
    }
    return out;
  }
}
