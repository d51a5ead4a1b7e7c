package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Audience;

import java.util.Set;
import java.util.UUID;

/**
 * The outcome of an access check for one principal on one channel.
 *
 * @param side      {@code couple}, {@code supplier}, {@code self}, {@code service} or {@code admin} (a hub admin's
 *                  read-only view, {@link #adminView}): whose side the caller is on,
 *                  which decides e.g. who may change a form's status
 * @param role      the team role (owner, admin, member, viewer), the couple role, or the side again
 * @param suppliers on a supplier's side, the suppliers the caller is there for: on {@code wedding:{id}} every supplier
 *                  connected to the wedding whose team the caller is on (it sees what any of them may see), on a form
 *                  or journey its supplier, on {@code supplier:{id}} that supplier; empty on other sides
 */
public record Access(boolean allowed, boolean canWrite, String side, String role, Set<UUID> suppliers) {
  public static final Access DENIED = new Access(false, false, "", "");

  public Access {
    suppliers = Set.copyOf(suppliers);
  }

  public Access(boolean allowed, boolean canWrite, String side, String role) {
    this(allowed, canWrite, side, role, Set.of());
  }

  public static Access supplier(String role, Set<UUID> suppliers) {
    return new Access(true, !"viewer".equals(role), "supplier", role, suppliers);
  }

  public static Access couple() {
    return new Access(true, true, "couple", "couple");
  }

  /**
   * A hub admin ({@code users.is_admin}) on a channel it has no membership of: it receives everything there (state,
   * events, presence) and may write nothing. Every write is refused with {@link #ADMIN_READ_ONLY}.
   */
  public static Access adminView() {
    return new Access(true, false, "admin", "admin");
  }

  public static final String ADMIN_READ_ONLY = "an admin's view is read-only: admins see any form but change nothing "
      + "on it (break a lock with POST /api/v1/admin/forms/{id}/locks/{key}/break)";

  public boolean isAdminView() {
    return "admin".equals(side);
  }

  public boolean canManage() {
    return "owner".equals(role) || "admin".equals(role);
  }

  public boolean isCouple() {
    return "couple".equals(side);
  }

  /**
   * Whether this subscriber may receive what is meant for {@code audience} (null: everyone): the couple's side what
   * the couple may, a supplier's side what any of its {@link #suppliers} may, any other side nothing narrowed.
   */
  public boolean sees(Audience audience) {
    return audience == null || isAdminView()
        || audience.admits(isCouple(), "supplier".equals(side) ? suppliers : Set.of());
  }

  /**
   * Who may see what this subscriber shows on the channel (its presence, its broadcasts): everyone when it is on the
   * couple's side; the couple and its own suppliers' teams when it is on a supplier's side, so one supplier's people
   * stay unknown to another's on a shared wedding.
   */
  public Audience ownAudience() {
    return "supplier".equals(side) ? Audience.coupleAnd(suppliers) : null;
  }
}
