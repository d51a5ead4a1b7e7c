package com.wedsync.hub.presence;

import com.wedsync.hub.bus.PresenceDelta;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * Coalesces presence deltas per channel into at most one {@code presence_diff} per window (50 ms by default), so a
 * crowd joining at once costs each subscriber one frame per window, not one per joiner. One instance per event loop;
 * not thread-safe by design.
 */
public final class PresenceDiffs {
  private final Vertx vertx;
  private final long windowMs;
  private final BiConsumer<String, JsonObject> flush;
  private final Map<String, Pending> pending = new HashMap<>();

  private static final class Pending {
    final JsonObject joins = new JsonObject();
    final JsonObject leaves = new JsonObject();
  }

  /** @param flush receives (topic, presence_diff payload) on this event loop */
  public PresenceDiffs(Vertx vertx, long windowMs, BiConsumer<String, JsonObject> flush) {
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
        if (due != null) flush.accept(delta.topic(), new JsonObject().put("joins", due.joins).put("leaves", due.leaves));
      });
    }
    if (!delta.joins().isEmpty()) metas(p.joins, delta.key()).addAll(new JsonArray(delta.joins()));
    if (!delta.leaves().isEmpty()) metas(p.leaves, delta.key()).addAll(new JsonArray(delta.leaves()));
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
