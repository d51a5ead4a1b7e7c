package com.wedsync.hub.areas;

import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code public.journey_clients} — where a client stands in a supplier's journey — on
 * {@code journey:{journeyId}:{coupleId}} (the supplier's team and that couple) and {@code supplier:{supplierId}:journeys}
 * (the team): {@code journey:stage_reached}, {@code journey:module_ran}, {@code journey:email_opened},
 * {@code journey:next_action} from what an update changed, and {@code journey:client_added} /
 * {@code journey:client_removed} when the client joins or leaves the journey. Each carries {@code journey_id},
 * {@code couple_id} and {@code progress} (the row).
 */
final class JourneyEvents extends RowEvents {
  @Override
  String table() {
    return "public.journey_clients";
  }

  @Override
  List<Place> places(JsonObject row) {
    UUID journey = uuid(row, "journey_id");
    UUID couple = uuid(row, "couple_id");
    UUID supplier = uuid(row, "supplier_id");
    if (journey == null || couple == null || supplier == null) return List.of();
    return List.of(new Place("journey:" + journey + ":" + couple, null),
        new Place("supplier:" + supplier + ":journeys", null));
  }

  static JsonObject about(JsonObject row) {
    return new JsonObject().put("journey_id", row.getValue("journey_id")).put("couple_id", row.getValue("couple_id"))
        .put("progress", row);
  }

  @Override
  Event created(JsonObject row) {
    return event("journey:client_added", about(row));
  }

  @Override
  Event removed(JsonObject oldRow) {
    return event("journey:client_removed", about(oldRow));
  }

  @Override
  List<Event> updated(JsonObject oldRow, JsonObject row) {
    List<Event> out = new ArrayList<>();
    if (differs(oldRow, row, "current_stage") && row.getValue("current_stage") != null) {
      out.add(event("journey:stage_reached", about(row).put("stage", row.getValue("current_stage"))
          .put("from", oldRow.getValue("current_stage")).put("reached_at", row.getValue("stage_reached_at"))));
    }
    if (number(row, "modules_run") > number(oldRow, "modules_run")) {
      out.add(event("journey:module_ran", about(row).put("module", row.getValue("last_module"))
          .put("ran_at", row.getValue("last_module_at")).put("modules_run", row.getValue("modules_run"))));
    }
    if (number(row, "emails_opened") > number(oldRow, "emails_opened")) {
      out.add(event("journey:email_opened", about(row).put("email", row.getValue("last_email"))
          .put("opened_at", row.getValue("last_email_opened_at")).put("emails_opened", row.getValue("emails_opened"))));
    }
    if (differs(oldRow, row, "next_action", "next_action_at")) {
      out.add(event("journey:next_action", about(row).put("next_action", row.getValue("next_action"))
          .put("next_action_at", row.getValue("next_action_at"))));
    }
    return out;
  }
}
