package com.wedsync.hub.presence;

import io.vertx.core.Future;

import java.util.List;

/** Who is on each channel. In-process for one node, Redis-backed (with expiry refreshed by the owning node) in a cluster. */
public interface PresenceStore {

  Future<Void> put(String topic, PresenceEntry entry);

  /** Resolves to the removed entry, or null when there was none. */
  Future<PresenceEntry> remove(String topic, String key, String ref);

  Future<List<PresenceEntry>> list(String topic);

  /** Removes every entry a (dead) node owned, on every topic; resolves to them by topic, so leaves can be published. */
  Future<java.util.Map<String, List<PresenceEntry>>> removeNode(String nodeId);
}
