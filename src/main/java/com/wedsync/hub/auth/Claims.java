package com.wedsync.hub.auth;

import java.util.UUID;

/**
 * What a verified token says. {@code role} follows Supabase: {@code authenticated} users, {@code service_role}
 * backends (may publish and notify), {@code anon} keys that open a socket but grant no channel.
 *
 * @param issuedAt the earliest the token can have been issued (epoch seconds): its {@code iat}, or for a token without
 *                 one, its expiry less the longest lifetime the hub accepts. Sessions an admin ended refuse tokens
 *                 issued up to then ({@link Principals}).
 */
public record Claims(UUID subject, String role, long expiresAt, long issuedAt) {
  public boolean isService() {
    return "service_role".equals(role);
  }

  public boolean isAnonymous() {
    return subject == null && !isService();
  }
}
