package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.PresenceDelta;
import com.wedsync.hub.presence.PresenceDiffs;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The subscriptions of one event loop, by topic. The loop listens on the {@link Bus} once per topic it has
 * subscribers for, and fans each message out to them: events as they are, presence deltas coalesced first.
 * Single-threaded: every call happens on the owning event loop.
 */
public final class LocalChannels {
  private final Bus bus;
  private final PresenceDiffs diffs;
  private final Map<String, List<Subscription>> byTopic = new HashMap<>();
  private final Map<String, Bus.Registration> registrations = new HashMap<>();

  public LocalChannels(Vertx vertx, Bus bus, long presenceWindowMs) {
    this.bus = bus;
    this.diffs = new PresenceDiffs(vertx, presenceWindowMs, this::flushPresence);
  }

  public void add(Subscription s) {
    String topic = s.topic().name();
    byTopic.computeIfAbsent(topic, t -> {
      registrations.put(t, bus.subscribe(t, this::onMessage));
      return new ArrayList<>(4);
    }).add(s);
  }

  public void remove(Subscription s) {
    String topic = s.topic().name();
    List<Subscription> subs = byTopic.get(topic);
    if (subs == null || !subs.remove(s) || !subs.isEmpty()) return;
    byTopic.remove(topic);
    diffs.forget(topic);
    Bus.Registration r = registrations.remove(topic);
    if (r != null) r.cancel();
  }

  public int topicCount() {
    return byTopic.size();
  }

  private void onMessage(BusMessage message) {
    if (message instanceof ChannelEvent event) fanOut(event, false);
    else if (message instanceof PresenceDelta delta) diffs.add(delta);
  }

  private void flushPresence(String topic, JsonObject diff) {
    fanOut(ChannelEvent.of(topic, "presence_diff", diff), true);
  }

  private void fanOut(ChannelEvent event, boolean presenceOnly) {
    List<Subscription> subs = byTopic.get(event.topic());
    if (subs == null) return;
    // Copy-free iteration is safe: delivery never joins or leaves synchronously (a slow consumer is closed later).
    for (int i = 0; i < subs.size(); i++) {
      Subscription s = subs.get(i);
      if (presenceOnly && !s.presenceEnabled()) continue;
      if (!s.self() && event.sender() != null && event.sender().equals(s.subscriber().connectionId())) continue;
      s.subscriber().deliver(event, s);
    }
  }
}
