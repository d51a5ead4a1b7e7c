package com.wedsync.hub.auth;

/** A token that cannot be used; {@link #reason} is the protocol's error reason (unauthorized, token_expired). */
public final class AuthFailure extends RuntimeException {
  private final String reason;

  public AuthFailure(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public String reason() {
    return reason;
  }
}
