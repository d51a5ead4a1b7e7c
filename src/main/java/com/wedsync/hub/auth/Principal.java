package com.wedsync.hub.auth;

import io.vertx.core.json.JsonObject;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling, as the database says: identity and profile from {@code users}, team roles per supplier, couple
 * memberships. Never built from what a client claims beyond the verified token subject.
 *
 * @param expiresAt token expiry in epoch seconds, or 0 when the token does not expire
 */
public record Principal(
    UUID userId,
    String name,
    String avatarUrl,
    boolean admin,
    boolean invisible,
    Map<UUID, String> teamRoles,
    Set<UUID> couples,
    long expiresAt) {

  public boolean isTeamMember(UUID supplierId) {
    return teamRoles.containsKey(supplierId);
  }

  public Principal withExpiry(long expiresAt) {
    return new Principal(userId, name, avatarUrl, admin, invisible, teamRoles, couples, expiresAt);
  }

  /** The identity the server stamps into presence metas and events ("by"). */
  public JsonObject identity() {
    return new JsonObject().put("user_id", userId.toString()).put("name", name);
  }
}
