package com.wedsync.hub.channel;

import com.wedsync.hub.auth.Principal;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * Which feature answers which event on which channel family ({@code form} + {@code field:set} → the form editor), and
 * who is told when subscriptions and connections start and end. Features register at start-up; the socket layer only
 * looks up.
 */
public final class EventHandlers {
  private static final String EVERY_FAMILY = "*";
  private final Map<String, EventHandler> handlers = new ConcurrentHashMap<>();
  private final Map<String, List<Consumer<Subscription>>> joinHandlers = new ConcurrentHashMap<>();
  private final Map<String, List<LeaveHandler>> leaveHandlers = new ConcurrentHashMap<>();
  private final List<ConnectionHandler> connectedHandlers = new CopyOnWriteArrayList<>();
  private final List<ConnectionHandler> disconnectedHandlers = new CopyOnWriteArrayList<>();

  /** Told when a subscription ends: {@code disconnected} (socket closed) or {@code released} (left, or ended). */
  @FunctionalInterface
  public interface LeaveHandler {
    void left(Subscription subscription, Principal who, String reason);
  }

  /** Told when a connection's user is known (once per connection) and when that connection has closed. */
  @FunctionalInterface
  public interface ConnectionHandler {
    void handle(String connectionId, Principal who);
  }

  /** Told when a subscription starts (e.g. to warm the channel's state before the first write). */
  public EventHandlers onJoin(String family, Consumer<Subscription> handler) {
    joinHandlers.computeIfAbsent(family, f -> new CopyOnWriteArrayList<>()).add(handler);
    return this;
  }

  public void joined(Subscription subscription) {
    for (var h : joinHandlers.getOrDefault(subscription.topic().family().name(), List.of())) h.accept(subscription);
  }

  public EventHandlers onLeave(String family, LeaveHandler handler) {
    leaveHandlers.computeIfAbsent(family, f -> new CopyOnWriteArrayList<>()).add(handler);
    return this;
  }

  public void left(Subscription subscription, Principal who, String reason) {
    for (var h : leaveHandlers.getOrDefault(subscription.topic().family().name(), List.of())) {
      h.left(subscription, who, reason);
    }
  }

  public EventHandlers onConnected(ConnectionHandler handler) {
    connectedHandlers.add(handler);
    return this;
  }

  public EventHandlers onDisconnected(ConnectionHandler handler) {
    disconnectedHandlers.add(handler);
    return this;
  }

  public void connected(String connectionId, Principal who) {
    for (var h : connectedHandlers) h.handle(connectionId, who);
  }

  public void disconnected(String connectionId, Principal who) {
    for (var h : disconnectedHandlers) h.handle(connectionId, who);
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
