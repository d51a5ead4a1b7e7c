package com.wedsync.hub.bus;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;

/**
 * Who on a channel may receive an event or see a presence (docs/protocol.md §2: a supplier never sees another supplier's data,
 * nor a core fact the couple has not shared with it): the couple's side or not, and the suppliers whose team members
 * may. An event or presence without an audience (null) reaches everyone on the channel. The hub checks it in one place,
 * at delivery ({@code channel.LocalChannels}), against the subscriber's side and the suppliers it is there for
 * ({@code channel.Access}); it travels with the event through history and between nodes.
 *
 * @param couple    whether the couple's members may receive it
 * @param suppliers the suppliers whose team members may receive it
 */
public record Audience(boolean couple, Set<UUID> suppliers) {

  public Audience {
    suppliers = Set.copyOf(suppliers);
  }

  /** The couple and the teams of these suppliers. */
  public static Audience coupleAnd(Collection<UUID> suppliers) {
    return new Audience(true, new HashSet<>(suppliers));
  }

  /** The teams of these suppliers, not the couple. */
  public static Audience suppliersOnly(Collection<UUID> suppliers) {
    return new Audience(false, new HashSet<>(suppliers));
  }

  /**
   * Whether a subscriber may receive it.
   *
   * @param coupleSide      the subscriber is on the couple's side
   * @param viewerSuppliers the suppliers the subscriber is there for (empty unless on a supplier's side)
   */
  public boolean admits(boolean coupleSide, Set<UUID> viewerSuppliers) {
    if (coupleSide) return couple;
    for (UUID s : viewerSuppliers) if (suppliers.contains(s)) return true;
    return false;
  }

  /** As it crosses nodes and sits in history: {@code {"c":true,"s":["<uuid>",…]}}. */
  public JsonObject toJson() {
    JsonArray s = new JsonArray();
    for (UUID id : suppliers) s.add(id.toString());
    return new JsonObject().put("c", couple).put("s", s);
  }

  /** The audience {@link #toJson} wrote, or null (everyone) for null. */
  public static Audience fromJson(JsonObject j) {
    if (j == null) return null;
    Set<UUID> s = new HashSet<>();
    JsonArray ids = j.getJsonArray("s");
    if (ids != null) for (Object id : ids) s.add(UUID.fromString((String) id));
    return new Audience(Boolean.TRUE.equals(j.getBoolean("c")), s);
  }
}
