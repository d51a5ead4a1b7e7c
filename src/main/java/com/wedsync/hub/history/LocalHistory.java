package com.wedsync.hub.history;

import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.config.HubConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The in-process {@link History} (one node). Every event loop may publish to a channel, so each channel is guarded by
 * its own monitor, held while its next offset is assigned and the event handed to the bus: publishes of one channel
 * reach the bus, and so every subscriber, in offset order. A fresh process starts every channel with a new epoch.
 */
public final class LocalHistory implements History {
  private static final long SWEEP_EVERY_MS = 60_000;

  private final Bus bus;
  private final HubConfig.History retention;
  private final Map<String, Channel> channels = new ConcurrentHashMap<>();

  public LocalHistory(Bus bus, HubConfig.History retention) {
    this.bus = bus;
    this.retention = retention;
  }

  private record Entry(long offset, long at, ChannelEvent event) {}

  /** One channel's history; mutated only under its own monitor. */
  private static final class Channel {
    final String epoch = StreamPosition.newEpoch();
    final ArrayDeque<Entry> entries = new ArrayDeque<>();
    long top;
    long lastUsed = System.currentTimeMillis();
    boolean dropped;
  }

  /** Forgets channels idle for longer than {@code history.idleTtlMs}, as the Redis adapter's keys expire. */
  public void start(Vertx vertx) {
    vertx.setPeriodic(SWEEP_EVERY_MS, id -> sweep(System.currentTimeMillis()));
  }

  void sweep(long now) {
    for (Channel ch : channels.values()) {
      synchronized (ch) {
        if (now - ch.lastUsed > retention.idleTtlMs()) {
          ch.dropped = true;
          channels.values().remove(ch);
        }
      }
    }
  }

  @Override
  public Future<StreamPosition> publish(ChannelEvent event) {
    return Future.succeededFuture(locked(event.topic(), ch -> {
      long now = System.currentTimeMillis();
      StreamPosition at = new StreamPosition(++ch.top, ch.epoch);
      ChannelEvent stamped = at.stamp(event);
      ch.entries.addLast(new Entry(at.offset(), now, stamped));
      ch.lastUsed = now;
      trim(ch, now);
      bus.publish(stamped);
      return at;
    }));
  }

  private void trim(Channel ch, long now) {
    while (ch.entries.size() > retention.keepEvents() && ch.entries.peekFirst().at() <= now - retention.keepMs()) {
      ch.entries.removeFirst();
    }
  }

  @Override
  public Future<StreamPosition> top(String topic) {
    return Future.succeededFuture(locked(topic, ch -> new StreamPosition(ch.top, ch.epoch)));
  }

  @Override
  public Future<Recovery> since(String topic, StreamPosition since) {
    return Future.succeededFuture(locked(topic, ch -> {
      StreamPosition top = new StreamPosition(ch.top, ch.epoch);
      if (!ch.epoch.equals(since.epoch()) || since.offset() < 0 || since.offset() > ch.top) {
        return Recovery.notRecovered(top);
      }
      List<ChannelEvent> events = new ArrayList<>((int) Math.min(ch.top - since.offset(), ch.entries.size()));
      for (Entry e : ch.entries) if (e.offset() > since.offset()) events.add(e.event());
      return events.size() == ch.top - since.offset() ? new Recovery(top, true, events) : Recovery.notRecovered(top);
    }));
  }

  /**
   * Runs {@code work} under the channel's monitor. The channel is created on a read too: the epoch a client is told
   * on join must be the one the next publish uses.
   */
  private <T> T locked(String topic, Function<Channel, T> work) {
    while (true) {
      Channel ch = channels.computeIfAbsent(topic, t -> new Channel());
      synchronized (ch) {
        if (!ch.dropped) return work.apply(ch); // else swept since the lookup: take the channel replacing it
      }
    }
  }
}
