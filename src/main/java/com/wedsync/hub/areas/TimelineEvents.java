package com.wedsync.hub.areas;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.List;
import java.util.UUID;

/**
 * {@code public.timeline_items} on {@code couple:{coupleId}:timeline} (the couple's members only; the supplier an
 * item names follows it through {@code postgres_changes}): {@code timeline:created}, {@code timeline:updated} (with
 * the columns that changed), {@code timeline:deleted}, each {@code {"item": row}}.
 */
final class TimelineEvents extends RowEvents {
  @Override
  String table() {
    return "public.timeline_items";
  }

  @Override
  List<Place> places(JsonObject row) {
    UUID couple = uuid(row, "couple_id");
    return couple == null ? List.of() : List.of(new Place("couple:" + couple + ":timeline", null));
  }

  @Override
  Event created(JsonObject row) {
    return event("timeline:created", new JsonObject().put("item", row));
  }

  @Override
  Event removed(JsonObject oldRow) {
    return event("timeline:deleted", new JsonObject().put("item", oldRow));
  }

  @Override
  List<Event> updated(JsonObject oldRow, JsonObject row) {
    List<String> changed = changed(oldRow, row);
    if (changed.isEmpty()) return List.of();
    return List.of(event("timeline:updated", new JsonObject().put("item", row).put("changed", new JsonArray(changed))));
  }
}
