package com.wedsync.hub.presence;

import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.cluster.LuaScript;
import com.wedsync.hub.cluster.RedisConnections;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster {@link PresenceStore}: per channel a hash of entries and a sorted set of their expiry times, both keyed
 * with the topic as hash tag. The owning node refreshes its entries' expiry every few seconds; an entry whose node
 * stopped refreshing is invisible after {@code ttlMs} and is removed (with a published leave) by the node reaper.
 */
public final class RedisPresenceStore implements PresenceStore {
  private static final Logger log = LoggerFactory.getLogger(RedisPresenceStore.class);
  private static final LuaScript PUT = LuaScript.load("presence-put");
  private static final LuaScript REMOVE = LuaScript.load("presence-remove");
  private static final LuaScript LIST = LuaScript.load("presence-list");
  private static final LuaScript REFRESH = LuaScript.load("presence-refresh");
  private static final LuaScript REMOVE_NODE = LuaScript.load("presence-remove-node");

  private final RedisConnections redis;
  private final String nodeId;
  private final long ttlMs;
  /** This node's own entries, topic → refs: what it refreshes, and re-puts after Redis lost them. */
  private final Map<String, Map<String, PresenceEntry>> mine = new ConcurrentHashMap<>();

  public RedisPresenceStore(RedisConnections redis, String nodeId, long ttlMs) {
    this.redis = redis;
    this.nodeId = nodeId;
    this.ttlMs = ttlMs;
  }

  /** Refreshes this node's entries every third of the TTL; after a Redis reconnection, writes them all again. */
  public void start(Vertx vertx) {
    vertx.setPeriodic(Math.max(500, ttlMs / 3), id -> refresh());
    redis.onReconnect(this::restore);
  }

  static List<String> keys(String topic) {
    return RedisKeys.presence(topic);
  }

  static String nodeTopics(String node) {
    return RedisKeys.nodePresenceTopics(node);
  }

  private static String encode(PresenceEntry e) {
    JsonObject j = new JsonObject().put("key", e.key()).put("ref", e.ref()).put("meta", e.meta())
        .put("conn", e.connectionId()).put("node", e.nodeId());
    if (e.audience() != null) j.put("aud", e.audience().toJson());
    return j.encode();
  }

  private static PresenceEntry decode(String raw) {
    JsonObject j = new JsonObject(raw);
    return new PresenceEntry(j.getString("key"), j.getString("ref"), j.getJsonObject("meta"), j.getString("conn"),
        j.getString("node"), Audience.fromJson(j.getJsonObject("aud")));
  }

  @Override
  public Future<Void> put(String topic, PresenceEntry entry) {
    mine.computeIfAbsent(topic, t -> new ConcurrentHashMap<>()).put(entry.ref(), entry);
    return write(topic, entry);
  }

  private Future<Void> write(String topic, PresenceEntry entry) {
    long now = System.currentTimeMillis();
    return PUT.run(redis, keys(topic), List.of(entry.ref(), encode(entry), String.valueOf(now + ttlMs),
            String.valueOf(ttlMs * 4)))
        .compose(r -> redis.send(Request.cmd(Command.SADD).arg(nodeTopics(nodeId)).arg(topic)))
        .mapEmpty();
  }

  @Override
  public Future<PresenceEntry> remove(String topic, String key, String ref) {
    Map<String, PresenceEntry> refs = mine.get(topic);
    if (refs != null) {
      refs.remove(ref);
      if (refs.isEmpty()) mine.remove(topic, refs);
    }
    return REMOVE.run(redis, keys(topic), List.of(ref)).map(r -> r == null ? null : decode(r.toString()));
  }

  @Override
  public Future<List<PresenceEntry>> list(String topic) {
    return LIST.run(redis, keys(topic), List.of(String.valueOf(System.currentTimeMillis()))).map(r -> {
      List<PresenceEntry> out = new ArrayList<>();
      if (r != null) for (Response item : r) out.add(decode(item.toString()));
      return out;
    });
  }

  @Override
  public Future<Map<String, List<PresenceEntry>>> removeNode(String node) {
    return redis.send(Request.cmd(Command.SMEMBERS).arg(nodeTopics(node))).compose(topics -> {
      Map<String, List<PresenceEntry>> removed = new HashMap<>();
      List<Future<Void>> all = new ArrayList<>();
      if (topics != null) {
        for (Response t : topics) {
          String topic = t.toString();
          all.add(REMOVE_NODE.run(redis, keys(topic), List.of(node)).map(r -> {
            List<PresenceEntry> entries = new ArrayList<>();
            if (r != null) for (Response item : r) entries.add(decode(item.toString()));
            if (!entries.isEmpty()) {
              synchronized (removed) {
                removed.put(topic, entries);
              }
            }
            return null;
          }));
        }
      }
      return Future.all(all).compose(v -> redis.send(Request.cmd(Command.DEL).arg(nodeTopics(node)))).map(removed);
    });
  }

  private void refresh() {
    long expires = System.currentTimeMillis() + ttlMs;
    mine.forEach((topic, refs) -> {
      if (refs.isEmpty()) return;
      List<String> args = new ArrayList<>(List.of(String.valueOf(expires), String.valueOf(ttlMs * 4)));
      args.addAll(refs.keySet());
      REFRESH.run(redis, keys(topic), args)
          .onFailure(e -> log.debug("presence refresh of {} failed: {}", topic, e.getMessage()));
    });
  }

  /** After Redis came back (possibly empty): this node's presences are written again. */
  private void restore() {
    int n = 0;
    for (var e : mine.entrySet()) {
      for (PresenceEntry entry : e.getValue().values()) {
        write(e.getKey(), entry);
        n++;
      }
    }
    log.info("presence restored to redis: {} entr(ies)", n);
  }

  Set<String> ownTopics() {
    return mine.keySet();
  }
}
