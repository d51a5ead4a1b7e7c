package com.wedsync.hub.channel;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which feature answers which event on which channel family ({@code form} + {@code field:set} → the form editor).
 * Features register at start-up; the socket layer only looks up.
 */
public final class EventHandlers {
  private static final String EVERY_FAMILY = "*";
  private final Map<String, EventHandler> handlers = new ConcurrentHashMap<>();
  private final Map<String, LeaveHandler> leaveHandlers = new ConcurrentHashMap<>();

  /** Told when a subscription ends: {@code disconnected} (socket closed) or {@code released} (left, or ended). */
  @FunctionalInterface
  public interface LeaveHandler {
    void left(Subscription subscription, com.wedsync.hub.auth.Principal who, String reason);
  }

  private final Map<String, java.util.function.Consumer<Subscription>> joinHandlers = new ConcurrentHashMap<>();

  /** Told when a subscription starts (e.g. to warm the channel's state before the first write). */
  public EventHandlers onJoin(String family, java.util.function.Consumer<Subscription> handler) {
    joinHandlers.put(family, handler);
    return this;
  }

  public void joined(Subscription subscription) {
    var h = joinHandlers.get(subscription.topic().family().name());
    if (h != null) h.accept(subscription);
  }

  public EventHandlers onLeave(String family, LeaveHandler handler) {
    leaveHandlers.put(family, handler);
    return this;
  }

  public void left(Subscription subscription, com.wedsync.hub.auth.Principal who, String reason) {
    LeaveHandler h = leaveHandlers.get(subscription.topic().family().name());
    if (h != null) h.left(subscription, who, reason);
  }

  public EventHandlers register(String family, String event, EventHandler handler) {
    if (handlers.putIfAbsent(family + "|" + event, handler) != null) {
      throw new IllegalStateException("two handlers for " + event + " on " + family);
    }
    return this;
  }

  /** A handler for an event on every channel family (broadcast, presence). */
  public EventHandlers registerEverywhere(String event, EventHandler handler) {
    return register(EVERY_FAMILY, event, handler);
  }

  /** The family's own handler for the event, else the one registered for every family. */
  public Optional<EventHandler> find(String family, String event) {
    EventHandler own = handlers.get(family + "|" + event);
    return Optional.ofNullable(own != null ? own : handlers.get(EVERY_FAMILY + "|" + event));
  }
}
