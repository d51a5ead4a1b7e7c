package com.wedsync.hub.form;

import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.UUID;

/**
 * A field lock: who holds it, through which connection (so a disconnect releases it) and until when. {@code token}
 * is the fencing token: it only ever increases per field, so a write carrying an older token is known to be stale.
 * Soft leases (text areas) are advisory and may coexist.
 */
public record Lease(UUID formId, String field, long token, UUID userId, String name, String connectionId,
                    String nodeId, long expiresAt, boolean soft) {

  public JsonObject holder() {
    return new JsonObject().put("user_id", userId.toString()).put("name", name);
  }

  public String expiresAtIso() {
    return Instant.ofEpochMilli(expiresAt).toString();
  }

  public Lease withToken(long newToken, long newExpiry) {
    return new Lease(formId, field, newToken, userId, name, connectionId, nodeId, newExpiry, soft);
  }

  public Lease until(long newExpiry) {
    return new Lease(formId, field, token, userId, name, connectionId, nodeId, newExpiry, soft);
  }
}
