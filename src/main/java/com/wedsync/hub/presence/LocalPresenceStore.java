package com.wedsync.hub.presence;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The in-process {@link PresenceStore}: shared by the node's event loops, so its maps are concurrent. */
public final class LocalPresenceStore implements PresenceStore {
  private final Map<String, Map<String, PresenceEntry>> byTopic = new ConcurrentHashMap<>();

  @Override
  public Future<Void> put(String topic, PresenceEntry entry) {
    byTopic.computeIfAbsent(topic, t -> new ConcurrentHashMap<>()).put(entry.ref(), entry);
    return Future.succeededFuture();
  }

  @Override
  public Future<PresenceEntry> remove(String topic, String key, String ref) {
    PresenceEntry[] removed = new PresenceEntry[1];
    byTopic.computeIfPresent(topic, (t, entries) -> {
      removed[0] = entries.remove(ref);
      return entries.isEmpty() ? null : entries;
    });
    return Future.succeededFuture(removed[0]);
  }

  @Override
  public Future<Map<String, List<PresenceEntry>>> removeNode(String nodeId) {
    Map<String, List<PresenceEntry>> removed = new java.util.HashMap<>();
    byTopic.forEach((topic, entries) -> entries.values().removeIf(e -> {
      if (!e.nodeId().equals(nodeId)) return false;
      removed.computeIfAbsent(topic, t -> new ArrayList<>()).add(e);
      return true;
    }));
    return Future.succeededFuture(removed);
  }

  @Override
  public Future<List<PresenceEntry>> list(String topic) {
    Map<String, PresenceEntry> entries = byTopic.get(topic);
    return Future.succeededFuture(entries == null ? List.of() : new ArrayList<>(entries.values()));
  }
}
