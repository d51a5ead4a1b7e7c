package com.wedsync.hub.notify;

import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * One line of the activity feed, before it is stored.
 *
 * @param supplierId the supplier whose feed it belongs to; null for a wedding's own facts, which reach the feeds of
 *                   the suppliers connected to the wedding (for a core fact: those the couple shares it with)
 * @param object     what it is about ({@code form_id}, {@code field}, {@code core_field}, …)
 * @param text       the human line: "Emma Wilson completed the Photography timeline form"
 */
public record ActivityEvent(UUID supplierId, UUID weddingId, UUID actorId, String actorName, String verb,
                            JsonObject object, String text) {

  /** The core fact this event reports, if any: it limits which suppliers see it. */
  public String coreField() {
    return object.getString("core_field");
  }
}
