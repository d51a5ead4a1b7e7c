package com.wedsync.hub.clients;

import com.wedsync.hub.presence.PresenceEntry;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * What a couple is doing right now, across every node: whether any of its members has a connection open, and which
 * forms they have open (each with its supplier, so a supplier is told only of its own forms).
 *
 * @param filling form → the open form's mark (its supplier and since when)
 */
public record ClientActivity(boolean online, Map<UUID, OpenForm> filling) {
  public static final ClientActivity OFFLINE = new ClientActivity(false, Map.of());

  /** A form a couple member has open. */
  public record OpenForm(UUID formId, UUID supplierId, long since) {}

  public ClientActivity {
    filling = Map.copyOf(filling);
  }

  /** The activity the couple's marks say ({@link ClientTracker}: a connection mark, or a form mark per open form). */
  static ClientActivity of(Collection<PresenceEntry> marks) {
    boolean online = false;
    Map<UUID, OpenForm> filling = new HashMap<>();
    for (PresenceEntry m : marks) {
      online = true;
      String form = m.meta().getString("form");
      if (form == null) continue;
      OpenForm f = new OpenForm(UUID.fromString(form), UUID.fromString(m.meta().getString("supplier")),
          m.meta().getLong("since", 0L));
      filling.merge(f.formId(), f, (a, b) -> a.since() <= b.since() ? a : b);
    }
    return new ClientActivity(online, filling);
  }

  /**
   * The form of {@code supplier}'s the couple opened most recently among those still open, or null: what that
   * supplier's client list shows as "currently filling".
   */
  public UUID fillingFor(UUID supplier) {
    OpenForm latest = null;
    for (OpenForm f : filling.values()) {
      if (!f.supplierId().equals(supplier)) continue;
      if (latest == null || f.since() > latest.since()
          || f.since() == latest.since() && f.formId().compareTo(latest.formId()) > 0) {
        latest = f;
      }
    }
    return latest == null ? null : latest.formId();
  }

  /** Whether {@code supplier} would be shown something different in {@code other}. */
  boolean differsFor(UUID supplier, ClientActivity other) {
    return online != other.online || !Objects.equals(fillingFor(supplier), other.fillingFor(supplier));
  }
}
