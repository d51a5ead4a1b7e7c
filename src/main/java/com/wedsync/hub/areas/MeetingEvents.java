package com.wedsync.hub.areas;

import com.wedsync.hub.bus.Audience;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code public.meetings} on {@code wedding:{weddingId}} — for the couple and the meeting's supplier only (the
 * wedding's other suppliers share the channel but never receive a meeting that is not theirs) — and on
 * {@code supplier:{supplierId}}: {@code meeting:created}, {@code meeting:rescheduled} (with {@code from}, the times
 * before), {@code meeting:cancelled}, {@code meeting:attendees_changed} (with {@code added} and {@code removed}),
 * {@code meeting:updated} (anything else, with the columns that changed) and {@code meeting:deleted}, each
 * {@code {"meeting": row}}.
 */
final class MeetingEvents extends RowEvents {
  @Override
  String table() {
    return "public.meetings";
  }

  @Override
  List<Place> places(JsonObject row) {
    UUID supplier = uuid(row, "supplier_id");
    UUID wedding = uuid(row, "wedding_id");
    if (supplier == null) return List.of();
    List<Place> out = new ArrayList<>();
    if (wedding != null) out.add(new Place("wedding:" + wedding, Audience.coupleAnd(Set.of(supplier))));
    out.add(new Place("supplier:" + supplier, null));
    return out;
  }

  @Override
  Event created(JsonObject row) {
    return event("meeting:created", new JsonObject().put("meeting", row));
  }

  @Override
  Event removed(JsonObject oldRow) {
    return event("meeting:deleted", new JsonObject().put("meeting", oldRow));
  }

  @Override
  List<Event> updated(JsonObject oldRow, JsonObject row) {
    List<Event> out = new ArrayList<>();
    boolean cancelled = "cancelled".equals(row.getString("status"));
    if (cancelled && !"cancelled".equals(oldRow.getString("status"))) {
      out.add(event("meeting:cancelled", new JsonObject().put("meeting", row)));
    } else if (!cancelled && differs(oldRow, row, "starts_at", "ends_at")) {
      out.add(event("meeting:rescheduled", new JsonObject().put("meeting", row).put("from",
          new JsonObject().put("starts_at", oldRow.getValue("starts_at")).put("ends_at", oldRow.getValue("ends_at")))));
    }
    List<String> before = list(oldRow, "attendees");
    List<String> after = list(row, "attendees");
    List<String> added = new ArrayList<>(after);
    added.removeAll(before);
    List<String> removed = new ArrayList<>(before);
    removed.removeAll(after);
    if (!added.isEmpty() || !removed.isEmpty()) {
      out.add(event("meeting:attendees_changed", new JsonObject().put("meeting", row)
          .put("added", new JsonArray(added)).put("removed", new JsonArray(removed))));
    }
    List<String> rest = changed(oldRow, row, "status", "starts_at", "ends_at", "attendees");
    // A cancelled meeting scheduled again is an update of its status.
    if (!cancelled && "cancelled".equals(oldRow.getString("status"))) rest.add(0, "status");
    // Moved while cancelled: the times changed, but nothing is rescheduled.
    if (cancelled && differs(oldRow, row, "starts_at", "ends_at")) {
      for (String c : List.of("starts_at", "ends_at")) if (differs(oldRow, row, c)) rest.add(c);
    }
    if (!rest.isEmpty()) {
      out.add(event("meeting:updated", new JsonObject().put("meeting", row).put("changed", new JsonArray(rest))));
    }
    return out;
  }
}
