package com.wedsync.hub.history;

import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.ChannelEvent;
import io.vertx.core.Future;

/**
 * The history of durable channel events (docs/protocol.md §7), with an in-process adapter
 * ({@link LocalHistory}) and a Redis one ({@link RedisHistory}).
 *
 * <p>Numbering and publishing are one step: an event gets the next offset of its channel and is published on the bus
 * in that same step, so every node receives a channel's events in offset order.
 */
public interface History {

  /** Assigns the event its offset, keeps it and publishes it (with {@code meta}) to every subscriber on every node. */
  Future<StreamPosition> publish(ChannelEvent event);

  /** The channel's newest offset and epoch (offset 0 for a channel with no durable event yet). */
  Future<StreamPosition> top(String topic);

  /**
   * The events after {@code since}, if history still has all of them: not when the epoch differs, when events after
   * {@code since} were already dropped, or when {@code since} lies beyond the newest offset.
   */
  Future<Recovery> since(String topic, StreamPosition since);
}
