package com.wedsync.hub.presence;

import com.wedsync.hub.bus.Audience;
import io.vertx.core.json.JsonObject;

/**
 * One meta of one presence key on one channel, owned by one connection on one node.
 *
 * @param audience who on the channel may see it, from the tracking subscriber's access (a supplier's team member: the
 *                 couple and that member's suppliers), or null for everyone
 */
public record PresenceEntry(String key, String ref, JsonObject meta, String connectionId, String nodeId,
                            Audience audience) {

  /** Seen by everyone on the channel. */
  public PresenceEntry(String key, String ref, JsonObject meta, String connectionId, String nodeId) {
    this(key, ref, meta, connectionId, nodeId, null);
  }
}
