package com.wedsync.hub.presence;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.Access;
import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * Validates a client's presence meta and stamps the server's own facts over it: a client cannot pose as someone else
 * or claim another role. Metas are bounded so presence cannot be used as a storage channel.
 */
public final class PresenceMeta {
  private static final Set<String> STATUSES = Set.of("active", "idle");
  private static final int MAX_ENCODED = 2048;

  private PresenceMeta() {}

  /** Returns the stamped meta, or null when the client asked to be invisible. */
  public static JsonObject stamp(Object raw, Principal who, Access access) {
    JsonObject meta;
    if (raw == null) meta = new JsonObject();
    else if (raw instanceof JsonObject o) meta = o.copy();
    else throw ChannelError.invalid("payload", "presence meta must be an object");
    if (Boolean.TRUE.equals(meta.getValue("invisible"))) return null;
    Object status = meta.getValue("status");
    if (status != null && !STATUSES.contains(status)) {
      throw ChannelError.invalid("status", "status must be \"active\" or \"idle\"");
    }
    checkString(meta, "viewing", 200);
    checkString(meta, "focus", 64);
    if (meta.encode().length() > MAX_ENCODED) {
      throw ChannelError.invalid("payload", "presence meta larger than " + MAX_ENCODED + " bytes");
    }
    if (status == null) meta.put("status", "active");
    return meta.put("user_id", who.userId().toString()).put("name", who.name())
        .put("avatar_url", who.avatarUrl()).put("role", access.role())
        .put("online_at", System.currentTimeMillis());
  }

  private static void checkString(JsonObject meta, String key, int max) {
    Object v = meta.getValue(key);
    if (v != null && (!(v instanceof String s) || s.length() > max)) {
      throw ChannelError.invalid(key, key + " must be a string of at most " + max + " characters");
    }
  }
}
