package com.wedsync.hub.history;

import com.wedsync.hub.cluster.RedisKeys;
import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.BusCodec;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.RedisBus;
import com.wedsync.hub.cluster.LuaScript;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.redis.client.Response;

import java.util.ArrayList;
import java.util.List;

/**
 * The cluster {@link History}: per channel a Redis stream of stamped bus messages (entry id = offset) and a hash with
 * the epoch and the newest offset, both under the topic as hash tag. One Lua step numbers, keeps and PUBLISHes an
 * event, so every node receives a channel's events in offset order; the publishing node gets its own back from Redis
 * like every other node. A form's {@code field:changed} takes the same step inside {@code form-commit.lua}, with the
 * keys from {@link #keys(String)} and the arguments from {@link #appendArgs()}.
 */
public final class RedisHistory implements History {
  private static final LuaScript PUBLISH = LuaScript.load("history-publish", "history-append");
  private static final LuaScript READ = LuaScript.load("history-read");

  private final RedisConnections redis;
  private final HubConfig.History retention;
  private final boolean sharded;

  public RedisHistory(RedisConnections redis, HubConfig.History retention, boolean sharded) {
    this.redis = redis;
    this.retention = retention;
    this.sharded = sharded;
  }

  /**
   * The stream and meta keys of a topic. The hash tag is the topic itself, so {@code form:<id>} shares its slot with
   * that form's field keys ({@code hub:form:{form:<id>}}) and one script can touch both.
   */
  public static List<String> keys(String topic) {
    return RedisKeys.history(topic);
  }

  /** The arguments {@code history_append} takes before the publish command: new epoch and retention. */
  public List<String> appendArgs() {
    return List.of(StreamPosition.newEpoch(), String.valueOf(retention.keepEvents()),
        String.valueOf(retention.keepMs()), String.valueOf(retention.idleTtlMs()));
  }

  public String publishCommand() {
    return sharded ? "SPUBLISH" : "PUBLISH";
  }

  @Override
  public Future<StreamPosition> publish(ChannelEvent event) {
    List<String> args = new ArrayList<>(appendArgs());
    // No origin node: the event comes back through Redis to every node, this one included, in offset order.
    args.add(publishCommand());
    args.add(RedisKeys.channel(event.topic()));
    args.add(BusCodec.encode("", event));
    return PUBLISH.run(redis, keys(event.topic()), args)
        .map(r -> new StreamPosition(r.get(0).toLong(), r.get(1).toString()));
  }

  @Override
  public Future<StreamPosition> top(String topic) {
    return read(topic, List.of(StreamPosition.newEpoch(), String.valueOf(retention.idleTtlMs()), "", ""))
        .map(Recovery::top);
  }

  @Override
  public Future<Recovery> since(String topic, StreamPosition since) {
    return read(topic, List.of(StreamPosition.newEpoch(), String.valueOf(retention.idleTtlMs()),
        String.valueOf(since.offset()), since.epoch()));
  }

  private Future<Recovery> read(String topic, List<String> args) {
    return READ.run(redis, keys(topic), args).map(r -> {
      StreamPosition top = new StreamPosition(r.get(0).toLong(), r.get(1).toString());
      if (r.get(2).toInteger() != 1) return Recovery.notRecovered(top);
      List<ChannelEvent> events = new ArrayList<>(r.size() - 3);
      for (int i = 3; i < r.size(); i++) events.add(decode(r.get(i)));
      return new Recovery(top, true, events);
    });
  }

  private static ChannelEvent decode(Response stamped) {
    return (ChannelEvent) BusCodec.decode(stamped.toString()).message();
  }
}
