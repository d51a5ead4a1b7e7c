package com.wedsync.hub.health;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.EventHandlers;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.search.Search;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/**
 * This node's running totals of every {@link Rate}, read once a second. Most are the counters {@code /metrics} already
 * exposes (read back from the Micrometer registry by meter name, so nothing is counted twice and the numbers on the
 * page and in Prometheus agree); connects and reconnects are counted here from the connection events. A reconnect is
 * a user's connection opening within {@link #RECONNECT_WITHIN_MS} after one of theirs closed on this node.
 */
final class NodeCounters {
  static final long RECONNECT_WITHIN_MS = 30_000;
  private static final Set<String> FIELD_WRITES = Set.of("field:set", "field:text", "field:list");
  private static final int REMEMBERED = 50_000;

  private final MeterRegistry registry;
  private final AtomicLong connects = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  /** When each user's last connection on this node closed (bounded; losing one only misses a reconnect). */
  private final Map<UUID, Long> lastClosed = new LinkedHashMap<>(256, 0.75f, false);

  NodeCounters(MeterRegistry registry, EventHandlers handlers) {
    this.registry = registry;
    handlers.onConnected(this::connected);
    handlers.onDisconnected(this::disconnected);
  }

  private void connected(String connectionId, Principal who) {
    connects.incrementAndGet();
    Long closed;
    synchronized (lastClosed) {
      closed = lastClosed.remove(who.userId());
    }
    if (closed != null && System.currentTimeMillis() - closed <= RECONNECT_WITHIN_MS) reconnects.incrementAndGet();
  }

  private void disconnected(String connectionId, Principal who) {
    synchronized (lastClosed) {
      lastClosed.put(who.userId(), System.currentTimeMillis());
      if (lastClosed.size() > REMEMBERED) {
        var oldest = lastClosed.keySet().iterator();
        oldest.next();
        oldest.remove();
      }
    }
  }

  /** The running totals now, indexed by {@link Rate#ordinal()} ({@link Rate#DELIVERIES} is left to the caller). */
  long[] totals() {
    long[] t = new long[Rate.ALL.length];
    t[Rate.MESSAGES_IN.ordinal()] = sum(registry.find("hub_messages_in_total"));
    t[Rate.MESSAGES_OUT.ordinal()] = sum(registry.find("hub_messages_out_total"));
    t[Rate.ERRORS.ordinal()] = sum(registry.find("hub_errors_total"));
    t[Rate.CONFLICTS.ordinal()] = sum(registry.find("hub_conflicts_total"));
    long writes = 0;
    for (Counter c : registry.find("hub_messages_in_total").counters()) {
      if (FIELD_WRITES.contains(c.getId().getTag("event"))) writes += (long) c.count();
    }
    t[Rate.FIELD_WRITES.ordinal()] = writes;
    t[Rate.CONNECTS.ordinal()] = connects.get();
    t[Rate.RECONNECTS.ordinal()] = reconnects.get();
    t[Rate.LOCKS_GRANTED.ordinal()] = sum(registry.find("hub_locks_total").tag("outcome", "granted"));
    t[Rate.LOCKS_DENIED.ordinal()] = sum(registry.find("hub_locks_total").tag("outcome", "denied"));
    t[Rate.LOCKS_EXPIRED.ordinal()] = sum(registry.find("hub_locks_total").tag("outcome", "expired"));
    t[Rate.RECOVERED.ordinal()] = sum(registry.find("hub_recoveries_total").tag("recovered", "true"));
    t[Rate.NOT_RECOVERED.ordinal()] = sum(registry.find("hub_recoveries_total").tag("recovered", "false"));
    t[Rate.SAVE_DEAD_LETTERS.ordinal()] = sum(registry.find("hub_save_dead_letters_total"));
    t[Rate.OUTBOX_DEAD.ordinal()] = sum(registry.find("hub_notification_deliveries_total").tag("outcome", "dead"));
    return t;
  }

  private static long sum(Search search) {
    long n = 0;
    for (Counter c : search.counters()) n += (long) c.count();
    return n;
  }
}
