package com.wedsync.hub.clients;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.presence.PresenceEntry;
import com.wedsync.hub.presence.PresenceStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Where couples are, cluster-wide: every open connection of a couple member is a mark, and so is every form channel
 * it has joined. Marks are presence entries on an internal topic per couple ({@code clients:{coupleId}}, never a
 * channel anyone can join), so they live in the same store as presence and inherit what it does for a cluster: they
 * are shared through Redis, refreshed while their node lives, written again after Redis restarts, and removed by a
 * survivor when their node dies.
 *
 * <p>Each change reads the couple's marks before and after it, so whichever node makes a couple go online or offline
 * sees the transition (two nodes changing the same couple at once may both report it; never neither). The changes of
 * one connection are applied in order.
 */
public final class ClientTracker {
  static final String TOPIC_PREFIX = "clients:";

  /** A couple's activity before and after one change. */
  public record Change(UUID couple, ClientActivity before, ClientActivity after) {
    /** The suppliers this change shows differently to; null for every supplier (the couple went online or offline). */
    Set<UUID> suppliersToTell() {
      if (before.online() != after.online()) return null;
      Set<UUID> told = new HashSet<>();
      for (var f : before.filling().values()) if (before.differsFor(f.supplierId(), after)) told.add(f.supplierId());
      for (var f : after.filling().values()) if (before.differsFor(f.supplierId(), after)) told.add(f.supplierId());
      return told;
    }
  }

  /** One connection's marks, and the tail of its chain of changes. */
  private static final class Marks {
    final UUID user;
    final Map<UUID, PresenceEntry> online = new HashMap<>();
    final Map<UUID, Mark> forms = new HashMap<>();
    Future<?> tail = Future.succeededFuture();

    Marks(UUID user) {
      this.user = user;
    }
  }

  private record Mark(UUID couple, PresenceEntry entry) {}

  private final PresenceStore store;
  private final String nodeId;
  private final AtomicLong refs = new AtomicLong();
  private final Map<String, Marks> connections = new ConcurrentHashMap<>();

  public ClientTracker(PresenceStore store, String nodeId) {
    this.store = store;
    this.nodeId = nodeId;
  }

  static String topic(UUID couple) {
    return TOPIC_PREFIX + couple;
  }

  /** The couple a marks topic is for, when {@code topic} is one. */
  static Optional<UUID> coupleOf(String topic) {
    if (!topic.startsWith(TOPIC_PREFIX)) return Optional.empty();
    try {
      return Optional.of(UUID.fromString(topic.substring(TOPIC_PREFIX.length())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** A couple member's connection is open: a mark on each of its couples. */
  public Future<List<Change>> opened(String connectionId, Principal who) {
    Marks marks = connections.computeIfAbsent(connectionId, c -> new Marks(who.userId()));
    return then(marks, () -> {
      List<Future<Change>> changes = new ArrayList<>();
      for (UUID couple : who.couples()) {
        PresenceEntry entry = entry(who.userId(), connectionId, new JsonObject());
        synchronized (marks) {
          marks.online.put(couple, entry);
        }
        changes.add(change(couple, () -> store.put(topic(couple), entry)));
      }
      return Future.all(changes).map(all -> all.<Change>list());
    });
  }

  /** The connection closed: all its marks go, in one change per couple. */
  public Future<List<Change>> closed(String connectionId) {
    Marks marks = connections.get(connectionId);
    if (marks == null) return Future.succeededFuture(List.of());
    return then(marks, () -> {
      connections.remove(connectionId, marks);
      Map<UUID, List<PresenceEntry>> byCouple = new HashMap<>();
      synchronized (marks) {
        marks.online.forEach((couple, e) -> byCouple.computeIfAbsent(couple, c -> new ArrayList<>()).add(e));
        marks.forms.values().forEach(m -> byCouple.computeIfAbsent(m.couple(), c -> new ArrayList<>()).add(m.entry()));
        marks.online.clear();
        marks.forms.clear();
      }
      List<Future<Change>> changes = new ArrayList<>();
      byCouple.forEach((couple, entries) -> changes.add(change(couple, () -> Future.join(entries.stream()
          .map(e -> store.remove(topic(couple), e.key(), e.ref())).toList()).mapEmpty())));
      return Future.all(changes).map(all -> all.<Change>list());
    });
  }

  /** A couple member's connection joined {@code form}: it is filling it. */
  public Future<Change> formOpened(String connectionId, UUID couple, UUID form, UUID supplier) {
    Marks marks = connections.get(connectionId);
    if (marks == null) return Future.succeededFuture(null);
    return then(marks, () -> {
      PresenceEntry entry;
      synchronized (marks) {
        if (marks.forms.containsKey(form) || !connections.containsKey(connectionId)) {
          return Future.succeededFuture(null);
        }
        entry = entry(marks.user, connectionId, new JsonObject().put("form", form.toString())
            .put("supplier", supplier.toString()).put("since", System.currentTimeMillis()));
        marks.forms.put(form, new Mark(couple, entry));
      }
      return change(couple, () -> store.put(topic(couple), entry));
    });
  }

  /** The connection left {@code form}. */
  public Future<Change> formClosed(String connectionId, UUID form) {
    Marks marks = connections.get(connectionId);
    if (marks == null) return Future.succeededFuture(null);
    return then(marks, () -> {
      Mark mark;
      synchronized (marks) {
        mark = marks.forms.remove(form);
      }
      if (mark == null) return Future.succeededFuture(null);
      return change(mark.couple(), () -> store.remove(topic(mark.couple()), mark.entry().key(), mark.entry().ref())
          .mapEmpty());
    });
  }

  /** The couple's activity now. */
  public Future<ClientActivity> activity(UUID couple) {
    return store.list(topic(couple)).map(ClientActivity::of);
  }

  /**
   * A dead node's marks were removed (by the presence store's clean-up): what that did to each couple. The
   * activity before is the marks left plus those removed.
   */
  public Future<List<Change>> removed(Map<String, List<PresenceEntry>> removedByTopic) {
    List<Future<Change>> changes = new ArrayList<>();
    removedByTopic.forEach((topic, gone) -> coupleOf(topic).ifPresent(couple ->
        changes.add(store.list(topic).map(left -> {
          List<PresenceEntry> before = new ArrayList<>(left);
          before.addAll(gone);
          return new Change(couple, ClientActivity.of(before), ClientActivity.of(left));
        }))));
    return Future.all(changes).map(all -> all.<Change>list());
  }

  private PresenceEntry entry(UUID user, String connectionId, JsonObject meta) {
    return new PresenceEntry(user.toString(), nodeId + "-c" + refs.incrementAndGet(), meta.put("user", user.toString()),
        connectionId, nodeId);
  }

  /** Reads the couple's marks, applies {@code write}, reads them again. */
  private Future<Change> change(UUID couple, Supplier<Future<Void>> write) {
    return activity(couple).compose(before -> write.get().compose(v -> activity(couple))
        .map(after -> new Change(couple, before, after)));
  }

  /** Runs {@code step} after the connection's earlier changes, whatever became of them. */
  private <T> Future<T> then(Marks marks, Supplier<Future<T>> step) {
    synchronized (marks) {
      Future<T> next = marks.tail.transform(ar -> step.get());
      marks.tail = next;
      return next;
    }
  }
}
