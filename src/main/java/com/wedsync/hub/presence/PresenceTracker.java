package com.wedsync.hub.presence;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.PresenceDelta;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tracks presence per channel with Phoenix semantics: each tracked meta gets a {@code phx_ref}; an update replaces the
 * meta with a new ref and names the old one in {@code phx_ref_prev}; every change is published as a
 * {@link PresenceDelta} so every node's subscribers can fold it into their coalesced {@code presence_diff}.
 */
public final class PresenceTracker {
  private final PresenceStore store;
  private final Bus bus;
  private final String nodeId;
  private final AtomicLong refs = new AtomicLong();

  public PresenceTracker(PresenceStore store, Bus bus, String nodeId) {
    this.store = store;
    this.bus = bus;
    this.nodeId = nodeId;
  }

  /**
   * Tracks (or updates) the meta of one connection on one channel.
   *
   * @param previous the entry this connection had tracked before on that channel, or null
   * @return the stored entry
   */
  public Future<PresenceEntry> track(String topic, String key, String connectionId, JsonObject meta,
                                     PresenceEntry previous) {
    String ref = nodeId + "-" + refs.incrementAndGet();
    JsonObject stamped = meta.copy().put("phx_ref", ref);
    if (previous != null) stamped.put("phx_ref_prev", previous.ref());
    PresenceEntry entry = new PresenceEntry(key, ref, stamped, connectionId, nodeId);
    Future<PresenceEntry> removed = previous == null ? Future.succeededFuture()
        : store.remove(topic, previous.key(), previous.ref());
    return removed.compose(old -> store.put(topic, entry)).map(v -> {
      bus.publish(new PresenceDelta(topic, key, List.of(stamped),
          previous == null ? List.of() : List.of(previous.meta())));
      return entry;
    });
  }

  public Future<Void> untrack(String topic, PresenceEntry entry) {
    return store.remove(topic, entry.key(), entry.ref()).map(removed -> {
      if (removed != null) {
        bus.publish(new PresenceDelta(topic, removed.key(), List.of(), List.of(removed.meta())));
      }
      return null;
    });
  }

  /** A dead node's presences leave every channel; subscribers everywhere see the leaves. */
  public Future<Void> removeNode(String deadNode) {
    return store.removeNode(deadNode).map(removed -> {
      removed.forEach((topic, entries) -> entries.forEach(e ->
          bus.publish(new PresenceDelta(topic, e.key(), List.of(), List.of(e.meta())))));
      return null;
    });
  }

  /** The {@code presence_state} payload: key → {"metas": [...]}. */
  public Future<JsonObject> state(String topic) {
    return store.list(topic).map(PresenceTracker::group);
  }

  static JsonObject group(List<PresenceEntry> entries) {
    Map<String, io.vertx.core.json.JsonArray> byKey = new LinkedHashMap<>();
    for (PresenceEntry e : entries) byKey.computeIfAbsent(e.key(), k -> new io.vertx.core.json.JsonArray()).add(e.meta());
    JsonObject state = new JsonObject();
    byKey.forEach((k, metas) -> state.put(k, new JsonObject().put("metas", metas)));
    return state;
  }
}
