package com.wedsync.hub.areas;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code public.tasks} on {@code couple:{coupleId}:tasks} (a channel only the couple's members may join, so a private
 * task and a shared one alike reach the couple only there; the supplier a task is shared with follows it through
 * {@code postgres_changes}): {@code task:created}, {@code task:updated} (with the columns that changed),
 * {@code task:completed}, {@code task:reopened}, {@code task:deleted}, each {@code {"task": row}}.
 */
final class TaskEvents extends RowEvents {
  @Override
  String table() {
    return "public.tasks";
  }

  @Override
  List<Place> places(JsonObject row) {
    UUID couple = uuid(row, "couple_id");
    return couple == null ? List.of() : List.of(new Place("couple:" + couple + ":tasks", null));
  }

  @Override
  Event created(JsonObject row) {
    return event("task:created", new JsonObject().put("task", row));
  }

  @Override
  Event removed(JsonObject oldRow) {
    return event("task:deleted", new JsonObject().put("task", oldRow));
  }

  @Override
  List<Event> updated(JsonObject oldRow, JsonObject row) {
    List<Event> out = new ArrayList<>();
    boolean wasDone = Boolean.TRUE.equals(oldRow.getValue("done"));
    boolean done = Boolean.TRUE.equals(row.getValue("done"));
    if (!wasDone && done) out.add(event("task:completed", new JsonObject().put("task", row)));
    if (wasDone && !done) out.add(event("task:reopened", new JsonObject().put("task", row)));
    List<String> changed = changed(oldRow, row, "done", "completed_at");
    if (!changed.isEmpty()) {
      out.add(event("task:updated", new JsonObject().put("task", row).put("changed", new JsonArray(changed))));
    }
    return out;
  }
}
