package com.wedsync.hub.areas;

import com.wedsync.hub.bus.Audience;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * {@code public.journey_failures} — a journey action that failed for a client — for the supplier's team only: on
 * {@code supplier:{supplierId}:journeys}, and on {@code journey:{journeyId}:{coupleId}} with an audience that leaves
 * the couple out: {@code journey:action_failed} (a new row) and {@code journey:action_resolved} ({@code resolved_at}
 * set), each with {@code journey_id}, {@code couple_id} and {@code failure} (the row).
 */
final class JourneyFailureEvents extends RowEvents {
  @Override
  String table() {
    return "public.journey_failures";
  }

  @Override
  List<Place> places(JsonObject row) {
    UUID journey = uuid(row, "journey_id");
    UUID couple = uuid(row, "couple_id");
    UUID supplier = uuid(row, "supplier_id");
    if (journey == null || couple == null || supplier == null) return List.of();
    return List.of(new Place("journey:" + journey + ":" + couple, Audience.suppliersOnly(Set.of(supplier))),
        new Place("supplier:" + supplier + ":journeys", null));
  }

  static JsonObject about(JsonObject row) {
    return new JsonObject().put("journey_id", row.getValue("journey_id")).put("couple_id", row.getValue("couple_id"))
        .put("failure", row);
  }

  @Override
  Event created(JsonObject row) {
    return event("journey:action_failed", about(row).put("module", row.getValue("module"))
        .put("reason", row.getValue("reason")).put("failed_at", row.getValue("failed_at")));
  }

  @Override
  Event removed(JsonObject oldRow) {
    return null;
  }

  @Override
  List<Event> updated(JsonObject oldRow, JsonObject row) {
    List<Event> out = new ArrayList<>();
    if (oldRow.getValue("resolved_at") == null && row.getValue("resolved_at") != null) {
      out.add(event("journey:action_resolved", about(row).put("resolved_at", row.getValue("resolved_at"))));
    }
    return out;
  }
}
