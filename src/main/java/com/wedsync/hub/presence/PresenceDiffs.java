package com.wedsync.hub.presence;

import com.wedsync.hub.bus.PresenceDelta;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import com.wedsync.hub.bus.Audience;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Predicate;

/**
 * Coalesces presence deltas per channel into at most one {@code presence_diff} per window (50 ms by default), so a
 * crowd joining at once costs each subscriber one frame per window, not one per joiner. One instance per event loop;
 * not thread-safe by design. Changes are kept apart by {@link Audience} (whose side a presence is on), so each
 * subscriber can be given, in its one frame of the window, only the presences it may see ({@link #merge}).
 */
public final class PresenceDiffs {
  private final Vertx vertx;
  private final long windowMs;
  private final BiConsumer<String, Map<Audience, JsonObject>> flush;
  private final Map<String, Pending> pending = new HashMap<>();

  /** One window of one topic: per audience (null: everyone), the joins and leaves. */
  private static final class Pending {
    final Map<Audience, Part> parts = new LinkedHashMap<>();
  }

  private static final class Part {
    final JsonObject joins = new JsonObject();
    final JsonObject leaves = new JsonObject();
  }

  /**
   * @param flush receives (topic, audience → presence_diff payload; the null audience is everyone's) on this event
   *              loop
   */
  public PresenceDiffs(Vertx vertx, long windowMs, BiConsumer<String, Map<Audience, JsonObject>> flush) {
    this.vertx = vertx;
    this.windowMs = windowMs;
    this.flush = flush;
  }

  public void add(PresenceDelta delta) {
    Pending p = pending.get(delta.topic());
    if (p == null) {
      p = new Pending();
      pending.put(delta.topic(), p);
      vertx.setTimer(windowMs, id -> {
        Pending due = pending.remove(delta.topic());
        if (due == null) return;
        Map<Audience, JsonObject> diffs = new LinkedHashMap<>();
        due.parts.forEach((audience, part) ->
            diffs.put(audience, new JsonObject().put("joins", part.joins).put("leaves", part.leaves)));
        flush.accept(delta.topic(), diffs);
      });
    }
    Part part = p.parts.computeIfAbsent(delta.audience(), a -> new Part());
    if (!delta.joins().isEmpty()) metas(part.joins, delta.key()).addAll(new JsonArray(delta.joins()));
    if (!delta.leaves().isEmpty()) metas(part.leaves, delta.key()).addAll(new JsonArray(delta.leaves()));
  }

  /**
   * One {@code presence_diff} of the changes whose audience is {@code visible}; null when there is none. A key's metas
   * from several audiences are put together.
   */
  public static JsonObject merge(Map<Audience, JsonObject> diffs, Predicate<Audience> visible) {
    JsonObject joins = new JsonObject();
    JsonObject leaves = new JsonObject();
    boolean any = false;
    for (Map.Entry<Audience, JsonObject> e : diffs.entrySet()) {
      if (!visible.test(e.getKey())) continue;
      any |= add(joins, e.getValue().getJsonObject("joins"));
      any |= add(leaves, e.getValue().getJsonObject("leaves"));
    }
    return any ? new JsonObject().put("joins", joins).put("leaves", leaves) : null;
  }

  private static boolean add(JsonObject into, JsonObject side) {
    for (String key : side.fieldNames()) metas(into, key).addAll(side.getJsonObject(key).getJsonArray("metas"));
    return !side.isEmpty();
  }

  /** Drops what is pending for a topic nobody on this loop listens to any more. */
  public void forget(String topic) {
    pending.remove(topic);
  }

  private static JsonArray metas(JsonObject side, String key) {
    JsonObject entry = side.getJsonObject(key);
    if (entry == null) {
      entry = new JsonObject().put("metas", new JsonArray());
      side.put(key, entry);
    }
    return entry.getJsonArray("metas");
  }
}
