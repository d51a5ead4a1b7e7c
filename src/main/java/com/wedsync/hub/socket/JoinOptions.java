package com.wedsync.hub.socket;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.bus.StreamPosition;
import io.vertx.core.json.JsonObject;

/**
 * The {@code phx_join} payload as realtime-js sends it ({@code config.broadcast}, {@code config.presence},
 * {@code access_token}), plus the hub's {@code since}; the plain phoenix client sends none of it, which means the
 * defaults.
 *
 * @param supabase the join came from realtime-js (its config always lists {@code postgres_changes}): such a client
 *                 decodes binary kind-4 broadcasts, the plain phoenix client does not
 * @param since    the last position the client saw on this channel (history recovery), or null
 * @param postgresChanges      the {@code config.postgres_changes} entries (empty: none)
 * @param postgresChangesSince the last position in the change feed the client saw ({@code postgres_changes_since}),
 *                             or null
 */
record JoinOptions(boolean self, boolean ack, boolean presenceEnabled, String presenceKey, String accessToken,
                   boolean supabase, StreamPosition since, io.vertx.core.json.JsonArray postgresChanges,
                   StreamPosition postgresChangesSince) {

  private static final java.util.regex.Pattern UUID_KEY = java.util.regex.Pattern.compile(
      "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
  private static final java.util.regex.Pattern UUID_INSIDE = java.util.regex.Pattern.compile(
      "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}");
  private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("[A-Za-z0-9_.:-]{1,128}");

  static JoinOptions parse(JsonObject payload) {
    JsonObject config = object(payload, "config");
    JsonObject broadcast = object(config, "broadcast");
    JsonObject presence = object(config, "presence");
    Object key = presence.getValue("key", "");
    if (!(key instanceof String given) || given.length() > 128) {
      throw ChannelError.invalid("config.presence.key", "presence key must be a string of at most 128 characters");
    }
    String k = given;
    if (UUID_KEY.matcher(k).matches()) {
      // A user id as key is reserved for that user: the hub fills in the user's own id when the key is empty, so a
      // client-chosen id could only be used to appear as someone else.
      k = "";
    } else if (!k.isEmpty() && (!KEY.matcher(k).matches() || UUID_INSIDE.matcher(k).find())) {
      // Nor may a chosen key look like one to a person reading a presence list (" {id}", "{id}", "user:{id}").
      throw ChannelError.invalid("config.presence.key", "a presence key is 1-128 of letters, digits and - _ . : "
          + "and holds no user id; leave it empty to be keyed by your own user id");
    }
    Object token = payload.getValue("access_token");
    if (token != null && !(token instanceof String)) {
      throw ChannelError.invalid("access_token", "access_token must be a string");
    }
    Object changes = config.getValue("postgres_changes");
    if (changes != null && !(changes instanceof io.vertx.core.json.JsonArray)) {
      throw ChannelError.invalid("config.postgres_changes", "config.postgres_changes must be a list");
    }
    return new JoinOptions(bool(broadcast, "self", false, "config.broadcast.self"),
        bool(broadcast, "ack", false, "config.broadcast.ack"),
        bool(presence, "enabled", true, "config.presence.enabled"), k, (String) token,
        config.containsKey("postgres_changes"), since(payload.getValue("since"), "since"),
        changes == null ? new io.vertx.core.json.JsonArray() : (io.vertx.core.json.JsonArray) changes,
        since(payload.getValue("postgres_changes_since"), "postgres_changes_since"));
  }

  /** A malformed {@code since} is refused rather than ignored: the client would wrongly believe it was up to date. */
  private static StreamPosition since(Object raw, String key) {
    if (raw == null) return null;
    if (!(raw instanceof JsonObject since)) {
      throw ChannelError.invalid(key, key + " must be an object {\"offset\": N, \"epoch\": \"…\"}");
    }
    Object offset = since.getValue("offset");
    if (!(offset instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue()) || n.doubleValue() < 0
        || n.doubleValue() > Long.MAX_VALUE) {
      throw ChannelError.invalid(key + ".offset", key + ".offset must be a whole number of at least 0");
    }
    if (!(since.getValue("epoch") instanceof String epoch) || epoch.isEmpty() || epoch.length() > 64) {
      throw ChannelError.invalid(key + ".epoch", key + ".epoch must be the epoch string of 1-64 characters the hub "
          + "sent");
    }
    return new StreamPosition(n.longValue(), epoch);
  }

  private static JsonObject object(JsonObject parent, String name) {
    Object v = parent.getValue(name);
    if (v == null) return new JsonObject();
    if (v instanceof JsonObject o) return o;
    throw ChannelError.invalid(name, name + " must be an object");
  }

  private static boolean bool(JsonObject o, String name, boolean fallback, String path) {
    Object v = o.getValue(name);
    if (v == null) return fallback;
    if (v instanceof Boolean b) return b;
    throw ChannelError.invalid(path, path + " must be true or false");
  }
}
