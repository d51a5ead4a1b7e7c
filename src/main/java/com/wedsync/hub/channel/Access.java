package com.wedsync.hub.channel;

/**
 * The outcome of an access check for one principal on one channel.
 *
 * @param side {@code couple}, {@code supplier}, {@code self} or {@code service}: whose side the caller is on, which
 *             decides e.g. who may change a form's status
 * @param role the team role (owner, admin, member, viewer), the couple role, or the side again
 */
public record Access(boolean allowed, boolean canWrite, String side, String role) {
  public static final Access DENIED = new Access(false, false, "", "");

  public static Access supplier(String role) {
    return new Access(true, !"viewer".equals(role), "supplier", role);
  }

  public static Access couple() {
    return new Access(true, true, "couple", "couple");
  }

  public boolean canManage() {
    return "owner".equals(role) || "admin".equals(role);
  }
}
