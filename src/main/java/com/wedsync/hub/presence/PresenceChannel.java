package com.wedsync.hub.presence;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ClientRequest;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.channel.Subscription;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * The {@code presence} event on every channel (docs/protocol.md §4): {@code track} with a meta the hub validates and
 * stamps with the user's own facts, or {@code untrack}. An invisible user (for good, or on this channel) is never
 * tracked. A supplier's team member is seen by the couple and its own team only (the audience of its access).
 */
public final class PresenceChannel {
  private static final JsonObject EMPTY = new JsonObject();

  private PresenceChannel() {}

  public static void register(EventHandlers handlers, PresenceTracker tracker) {
    handlers.registerEverywhere("presence", r -> change(tracker, r));
  }

  private static Future<JsonObject> change(PresenceTracker tracker, ClientRequest r) {
    JsonObject p = r.payload();
    Object action = p.getValue("event");
    if (!"presence".equals(p.getValue("type")) || !("track".equals(action) || "untrack".equals(action))) {
      throw ChannelError.invalid("event", "presence payload needs \"type\":\"presence\" and \"event\":\"track\"|"
          + "\"untrack\"");
    }
    Subscription sub = r.subscription();
    JsonObject meta = "untrack".equals(action) || r.principal().invisible() ? null
        : PresenceMeta.stamp(p.getValue("payload"), r.principal(), r.access()); // null: invisible on this channel
    if (meta == null) return untrack(tracker, sub);
    String topic = r.topic().name();
    return tracker.track(topic, sub.presenceKey(), r.connectionId(), meta, sub.presence(), r.access().ownAudience())
        .map(entry -> {
          if (sub.active()) sub.presence(entry);
          else tracker.untrack(topic, entry); // left or closed while tracking
          return EMPTY;
        });
  }

  private static Future<JsonObject> untrack(PresenceTracker tracker, Subscription sub) {
    PresenceEntry old = sub.presence();
    sub.presence(null);
    return (old == null ? Future.<Void>succeededFuture() : tracker.untrack(sub.topic().name(), old)).map(EMPTY);
  }
}
