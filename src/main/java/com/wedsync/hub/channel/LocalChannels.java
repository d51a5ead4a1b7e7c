package com.wedsync.hub.channel;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.PresenceDelta;
import com.wedsync.hub.history.DeliveryCursor;
import com.wedsync.hub.history.History;
import com.wedsync.hub.history.Recovery;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.WallClock;
import com.wedsync.hub.presence.PresenceDiffs;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The subscriptions of one event loop, by topic. The loop listens on the {@link Bus} once per topic it has
 * subscribers for, and fans each message out to them: events as they are, presence deltas coalesced first.
 * Durable events pass each subscription's {@link DeliveryCursor}, so a subscription gets every offset once and in
 * order; a gap (a message lost between nodes, or published while this node's Redis subscription was being set up) is
 * filled from {@link History} before the events after it are delivered. An event or presence with an audience reaches
 * only the subscriptions whose {@link Access} sees it, checked here for live, replayed and gap-filled events alike.
 * Live fan-out of an event is timed from its publication ({@code hub_delivery_seconds}) once it has reached this
 * loop's subscribers. Single-threaded: every call happens on the owning event loop.
 */
public final class LocalChannels {
  private static final Logger log = LoggerFactory.getLogger(LocalChannels.class);

  private final Bus bus;
  private final History history;
  private final Context context;
  private final PresenceDiffs diffs;
  private final HubMetrics metrics;
  private final Map<String, List<Subscription>> byTopic = new HashMap<>();
  private final Map<String, Bus.Registration> registrations = new HashMap<>();
  /** Gap fills in flight, by topic and position: subscriptions at the same place share one history read. */
  private final Map<String, Future<Recovery>> fills = new HashMap<>();
  /** Told, once per live event fanned out here, how long after its publication that was (microseconds). */
  private final java.util.function.LongConsumer deliveryLatency;

  public LocalChannels(Vertx vertx, Bus bus, History history, long presenceWindowMs, HubMetrics metrics,
                       java.util.function.LongConsumer deliveryLatency) {
    this.deliveryLatency = deliveryLatency;
    this.bus = bus;
    this.metrics = metrics;
    this.history = history;
    this.context = vertx.getOrCreateContext();
    this.diffs = new PresenceDiffs(vertx, presenceWindowMs, this::flushPresence);
  }

  /**
   * Starts fan-out to a subscription. Its cursor holds live events until {@link #resume} says where it starts, so
   * nothing published while its history is read is lost or delivered twice. Completes when live events of the topic
   * reach this node (at once, except for a cluster node's first subscriber of a topic): read history after that.
   */
  public Future<Void> add(Subscription s) {
    String topic = s.topic().name();
    byTopic.computeIfAbsent(topic, t -> {
      registrations.put(t, bus.subscribe(t, this::onMessage));
      return new ArrayList<>(4);
    }).add(s);
    return bus.ready(topic);
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

  /**
   * Delivers, in order, the replayed events after {@code from} and then the live events held since {@link #add}
   * (those not already replayed); from then on the subscription gets live events directly.
   */
  public void resume(Subscription s, StreamPosition from, List<ChannelEvent> replay) {
    for (ChannelEvent e : s.cursor().resume(from, replay)) deliver(s, e);
  }

  /**
   * The one place an event reaches a subscriber, live or replayed: only when the subscriber is in the event's
   * {@link com.wedsync.hub.bus.Audience} (a wedding's event about one supplier's form, a core fact shared with some
   * suppliers). Its cursor has moved past the event either way, so an event it may not see is never taken for a gap.
   */
  private static boolean deliver(Subscription s, ChannelEvent e) {
    if (!s.access().sees(e.audience())) return false;
    s.subscriber().deliver(e, s);
    return true;
  }

  public int topicCount() {
    return byTopic.size();
  }

  private void onMessage(BusMessage message) {
    if (message instanceof ChannelEvent event) fanOut(event, false);
    else if (message instanceof PresenceDelta delta) diffs.add(delta);
  }

  /**
   * A window's presence changes, by audience. When everyone may see all of them, one frame serves every subscriber;
   * otherwise each subscriber gets one frame with the changes it may see (none if it may see none), and subscribers
   * that see the same sides share that frame and its encoding — still one frame per window each, O(N).
   */
  private void flushPresence(String topic, Map<Audience, JsonObject> diffs) {
    if (diffs.size() == 1 && diffs.containsKey(null)) {
      fanOut(ChannelEvent.of(topic, "presence_diff", diffs.get(null)), true);
      return;
    }
    List<Subscription> subs = byTopic.get(topic);
    if (subs == null) return;
    Map<View, ChannelEvent> byView = new HashMap<>();
    for (int i = 0; i < subs.size(); i++) {
      Subscription s = subs.get(i);
      if (!s.presenceEnabled()) continue;
      Access access = s.access();
      ChannelEvent diff = byView.computeIfAbsent(new View(access.side(), access.suppliers()), v -> {
        JsonObject visible = PresenceDiffs.merge(diffs, access::sees);
        return visible == null ? NOTHING : ChannelEvent.of(topic, "presence_diff", visible);
      });
      if (diff != NOTHING) offer(s, diff, null);
    }
  }

  /** Subscribers that see the same presences. */
  private record View(String side, Set<UUID> suppliers) {}

  private static final ChannelEvent NOTHING = ChannelEvent.of("", "", new JsonObject());

  private void fanOut(ChannelEvent event, boolean presenceOnly) {
    List<Subscription> subs = byTopic.get(event.topic());
    if (subs == null) return;
    StreamPosition at = presenceOnly ? null : event.position();
    boolean delivered = false;
    // Copy-free iteration is safe: delivery never joins or leaves synchronously (a slow consumer is closed later).
    for (int i = 0; i < subs.size(); i++) {
      Subscription s = subs.get(i);
      if (presenceOnly && !s.presenceEnabled()) continue;
      if (event.sender() != null && event.sender().equals(s.subscriber().connectionId()) && !echoes(s, event)) continue;
      delivered |= offer(s, event, at);
    }
    // Once per event and loop, not per subscriber: the hot path stays one clock read. Presence diffs are made here
    // (coalesced over a window), so their publication time says nothing; replays and gap fills are not live.
    if (delivered && !presenceOnly) {
      long now = WallClock.micros();
      metrics.delivered(event.publishedAt(), now);
      deliveryLatency.accept(Math.max(0, now - event.publishedAt()));
    }
  }

  /** @return whether the event went out to this subscription now */
  private boolean offer(Subscription s, ChannelEvent event, StreamPosition at) {
    return switch (s.cursor().accept(event, at)) {
      case DELIVER -> deliver(s, event);
      case GAP -> {
        fill(s);
        yield false;
      }
      case SKIP, HELD -> false;
    };
  }

  /**
   * Whether an event reaches the connection that caused it: a broadcast when it joined with {@code broadcast.self}
   * (Supabase semantics); anything else ephemeral about the sender itself (typing) never does.
   */
  private static boolean echoes(Subscription s, ChannelEvent event) {
    return s.self() && "broadcast".equals(event.event());
  }

  /** Reads the offsets a subscription missed; whatever history no longer has, the client sees as a jump. */
  private void fill(Subscription s) {
    StreamPosition from = s.cursor().position();
    String topic = s.topic().name();
    String key = topic + "@" + from.epoch() + ":" + from.offset();
    Future<Recovery> read = fills.computeIfAbsent(key, k -> history.since(topic, from));
    read.onComplete(ar -> onLoop(() -> {
      fills.remove(key, read);
      List<Subscription> subs = byTopic.get(topic);
      if (subs == null || !subs.contains(s)) return;
      if (ar.failed()) log.warn("filling a gap on {} after offset {} failed: {}", topic, from.offset(),
          ar.cause().getMessage());
      Recovery r = ar.succeeded() ? ar.result() : null;
      resume(s, from, r != null && r.recovered() ? r.events() : List.of());
    }));
  }

  /** Runs on this loop: history answers on whichever thread completed the read; subscriptions live here only. */
  public void onLoop(Runnable action) {
    if (Vertx.currentContext() == context) action.run();
    else context.runOnContext(v -> action.run());
  }
}
