package com.wedsync.hub.presence;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.PresenceDelta;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * Tracks presence per channel with Phoenix semantics: each tracked meta gets a {@code phx_ref}; an update replaces the
 * meta with a new ref and names the old one in {@code phx_ref_prev}; every change is published as a
 * {@link PresenceDelta} so every node's subscribers can fold it into their coalesced {@code presence_diff}. Each entry
 * carries whose side it is on ({@link Audience}), so a supplier's team member is seen on a shared wedding by the couple
 * and its own team, never by another supplier's.
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
   * @param audience who on the channel may see it (null: everyone); it goes with its joins and leaves
   * @return the stored entry
   */
  public Future<PresenceEntry> track(String topic, String key, String connectionId, JsonObject meta,
                                     PresenceEntry previous, Audience audience) {
    String ref = nodeId + "-" + refs.incrementAndGet();
    JsonObject stamped = meta.copy().put("phx_ref", ref);
    if (previous != null) stamped.put("phx_ref_prev", previous.ref());
    PresenceEntry entry = new PresenceEntry(key, ref, stamped, connectionId, nodeId, audience);
    Future<PresenceEntry> removed = previous == null ? Future.succeededFuture()
        : store.remove(topic, previous.key(), previous.ref());
    return removed.compose(old -> store.put(topic, entry)).map(v -> {
      if (previous == null || Objects.equals(previous.audience(), audience)) {
        bus.publish(new PresenceDelta(topic, key, List.of(stamped),
            previous == null ? List.of() : List.of(previous.meta()), audience));
      } else { // its access changed since: the old meta leaves for those who saw it
        bus.publish(new PresenceDelta(topic, previous.key(), List.of(), List.of(previous.meta()),
            previous.audience()));
        bus.publish(new PresenceDelta(topic, key, List.of(stamped), List.of(), audience));
      }
      return entry;
    });
  }

  public Future<Void> untrack(String topic, PresenceEntry entry) {
    return store.remove(topic, entry.key(), entry.ref()).map(removed -> {
      if (removed != null) {
        bus.publish(new PresenceDelta(topic, removed.key(), List.of(), List.of(removed.meta()), removed.audience()));
      }
      return null;
    });
  }

  /**
   * A dead node's presences leave every channel; subscribers everywhere see the leaves.
   *
   * @return what was removed, by topic (entries other features keep in the store, such as client marks, included)
   */
  public Future<Map<String, List<PresenceEntry>>> removeNode(String deadNode) {
    return store.removeNode(deadNode).map(removed -> {
      removed.forEach((topic, entries) -> entries.forEach(e ->
          bus.publish(new PresenceDelta(topic, e.key(), List.of(), List.of(e.meta()), e.audience()))));
      return removed;
    });
  }

  /**
   * The {@code presence_state} payload: key → {"metas": [...]}, of the entries whose audience {@code visible} admits
   * (the subscriber's or HTTP caller's access).
   */
  public Future<JsonObject> state(String topic, Predicate<Audience> visible) {
    return store.list(topic).map(entries -> {
      List<PresenceEntry> seen = new ArrayList<>(entries.size());
      for (PresenceEntry e : entries) if (visible.test(e.audience())) seen.add(e);
      return group(seen);
    });
  }

  static JsonObject group(List<PresenceEntry> entries) {
    Map<String, io.vertx.core.json.JsonArray> byKey = new LinkedHashMap<>();
    for (PresenceEntry e : entries) byKey.computeIfAbsent(e.key(), k -> new io.vertx.core.json.JsonArray()).add(e.meta());
    JsonObject state = new JsonObject();
    byKey.forEach((k, metas) -> state.put(k, new JsonObject().put("metas", metas)));
    return state;
  }
}
