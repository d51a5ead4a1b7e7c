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
    return new JsonObject().put("user_id", userId.toString()).put("name", name);
  }
}
