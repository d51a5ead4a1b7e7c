package com.wedsync.hub.auth;

import java.util.UUID;

/**
 * What a verified token says. {@code role} follows Supabase: {@code authenticated} users, {@code service_role}
 * backends (may publish and notify), {@code anon} keys that open a socket but grant no channel.
 */
public record Claims(UUID subject, String role, long expiresAt) {
  public boolean isService() {
    return "service_role".equals(role);
  }

  public boolean isAnonymous() {
    return subject == null && !isService();
  }
}
