package com.wedsync.hub.form;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.Access;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/**
 * Who is changing a form and with which rights: the user, their side (couple or supplier), their team role, and the
 * socket connection the change came through (null over HTTP).
 */
public record Editor(UUID userId, String name, Access access, String connectionId) {

  /**
   * Another service that changed the hub's tables directly (docs/protocol.md §5.15): no user, no
   * rights of its own — its change is already in the record; the hub only reflects and cascades it.
   */
  public static final Editor EXTERNAL = new Editor(null, "external", new Access(true, false, "service", "service"),
      null);

  public static Editor of(Principal p, Access access, String connectionId) {
    return new Editor(p.userId(), p.name(), access, connectionId);
  }

  public boolean isCouple() {
    return "couple".equals(access.side());
  }

  public boolean isSupplier() {
    return "supplier".equals(access.side());
  }

  public JsonObject identity() {
    return new JsonObject().put("user_id", userId == null ? null : userId.toString()).put("name", name);
  }
}
