package com.wedsync.hub.clients;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.channel.Subscription;
import com.wedsync.hub.form.FormInfo;
import com.wedsync.hub.presence.PresenceEntry;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

/**
 * Live client status for suppliers (docs/protocol.md, "Client status"): a supplier's team sees, for each couple with
 * a wedding connected to it, whether the couple is online, recently active or inactive, which of the supplier's
 * forms it is filling now, and how many of the supplier's messages it has not read (notifications about the
 * supplier's forms, and the team's {@code messages} to the couple).
 *
 * <p>{@code client:status} goes to {@code supplier:{id}:clients} when a couple comes online or goes offline (to every
 * supplier of the couple), opens or leaves one of a supplier's forms (to that supplier), or its unread count changes;
 * {@code GET /api/v1/suppliers/{id}/clients} answers the same for every client at once. Each supplier's event is
 * computed for that supplier alone: another supplier's forms never appear in it.
 */
public final class ClientStatus {
  private static final Logger log = LoggerFactory.getLogger(ClientStatus.class);
  static final Duration RECENT = Duration.ofHours(24);

  private final ClientTracker tracker;
  private final ClientDirectory directory;
  private final LastSeen lastSeen;
  private final Publisher publisher;
  private final Function<UUID, Future<FormInfo>> forms;
  /**
   * When this node last saw each couple go offline: {@code users.last_seen_at} is written in batches, and a list read
   * in between must not call a couple that left a moment ago inactive.
   */
  private final Map<UUID, Instant> wentOffline = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<UUID, Instant> eldest) {
          return size() > 10_000;
        }
      });
  /** The unread count last told to each supplier about each couple (bounded: a miss only means one more event). */
  private final Map<String, Long> toldUnread = java.util.Collections.synchronizedMap(
      new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
          return size() > 10_000;
        }
      });

  /** Told of each supplier a client's status was published to (its dashboard numbers may have moved). */
  private volatile java.util.function.Consumer<UUID> published = s -> { };

  /** @param forms who a form belongs to (its supplier and couple) */
  public ClientStatus(ClientTracker tracker, Pool db, LastSeen lastSeen, Publisher publisher,
                      Function<UUID, Future<FormInfo>> forms) {
    this.tracker = tracker;
    this.directory = new ClientDirectory(db);
    this.lastSeen = lastSeen;
    this.publisher = publisher;
    this.forms = forms;
  }

  public static String topic(UUID supplier) {
    return "supplier:" + supplier + ":clients";
  }

  /** Follows connections and form channels: a couple member's are marked, everyone's sightings are kept. */
  public void register(EventHandlers handlers) {
    handlers
        .onConnected(this::connected)
        .onDisconnected(this::disconnected)
        .onJoin("form", this::formJoined)
        // A socket that closes drops its form marks with its connection mark, in one change.
        .onLeave("form", (sub, who, reason) -> {
          if (sub.access().isCouple() && !"disconnected".equals(reason)) {
            tell(tracker.formClosed(sub.subscriber().connectionId(), sub.topic().id()).map(List::of), null);
          }
        });
  }

  private void connected(String connectionId, Principal who) {
    lastSeen.seen(who.userId(), Instant.now());
    if (!who.couples().isEmpty()) tell(tracker.opened(connectionId, who), null);
  }

  private void disconnected(String connectionId, Principal who) {
    Instant now = Instant.now();
    lastSeen.seen(who.userId(), now);
    if (!who.couples().isEmpty()) tell(tracker.closed(connectionId), now);
  }

  private void formJoined(Subscription sub) {
    if (!sub.access().isCouple()) return;
    UUID form = sub.topic().id();
    String connection = sub.subscriber().connectionId();
    tell(forms.apply(form).compose(info -> sub.active()
        ? tracker.formOpened(connection, info.coupleId(), form, info.supplierId())
        : Future.succeededFuture(null)).map(List::of), null);
  }

  /** A node died and its marks were removed: its couples' members were last seen now. */
  public Future<Void> nodeDied(Map<String, List<PresenceEntry>> removed) {
    Instant now = Instant.now();
    removed.forEach((topic, entries) -> {
      if (ClientTracker.coupleOf(topic).isEmpty()) return;
      for (PresenceEntry e : entries) lastSeen.seen(UUID.fromString(e.meta().getString("user")), now);
    });
    return tell(tracker.removed(removed), now);
  }

  /**
   * The user's unread notifications changed: if a couple member, each supplier of its couple whose unread count
   * moved is told. One note reaches every member of a couple at once; the supplier hears of it once.
   */
  public void unreadChanged(UUID user) {
    directory.couplesOf(user).onSuccess(couples -> {
      for (UUID couple : couples) {
        tracker.activity(couple).compose(now -> publish(couple, now, null, null, true))
            .onFailure(e -> log.warn("client status of couple {} not published: {}", couple, e.getMessage()));
      }
    });
  }

  /**
   * The couple's unread count for {@code supplier} may have moved (one of the supplier's messages to the couple was
   * sent, read or deleted): that supplier is told if it did.
   */
  public void unreadChanged(UUID couple, UUID supplier) {
    tracker.activity(couple).compose(now -> publish(couple, now, Set.of(supplier), null, true))
        .onFailure(e -> log.warn("client status of couple {} not published: {}", couple, e.getMessage()));
  }

  /** {@code listener} is told of each supplier a {@code client:status} is published to. */
  public void onStatusPublished(java.util.function.Consumer<UUID> listener) {
    this.published = listener;
  }

  /** Publishes what the changes show to whom they show it differently. */
  private Future<Void> tell(Future<List<ClientTracker.Change>> changes, Instant seenAt) {
    return changes.compose(list -> {
      List<Future<Void>> published = new ArrayList<>();
      for (ClientTracker.Change c : list) {
        if (c == null) continue;
        if (seenAt != null && !c.after().online()) wentOffline.put(c.couple(), seenAt);
        Set<UUID> to = c.suppliersToTell();
        if (to != null && to.isEmpty()) continue;
        published.add(publish(c.couple(), c.after(), to, seenAt, false));
      }
      return Future.join(published).<Void>mapEmpty();
    }).onFailure(e -> log.warn("client status not published: {}", e.getMessage()));
  }

  /**
   * {@code client:status} of the couple to each of its suppliers ({@code to}: only those; null: all).
   *
   * @param seenAt a sighting not yet written to {@code users.last_seen_at} (the connection that just closed)
   * @param onlyIfUnreadMoved tell only the suppliers whose unread count differs from what this node last told them
   */
  private Future<Void> publish(UUID couple, ClientActivity activity, Set<UUID> to, Instant seenAt,
                               boolean onlyIfUnreadMoved) {
    Instant seen = seenAt != null ? seenAt : wentOffline.get(couple);
    return directory.suppliersOf(couple).map(suppliers -> {
      for (ClientDirectory.Client c : suppliers) {
        if (to != null && !to.contains(c.supplier())) continue;
        Long before = toldUnread.put(c.supplier() + "/" + couple, c.unread());
        if (onlyIfUnreadMoved && before != null && before == c.unread()) continue;
        publisher.durable(topic(c.supplier()), "client:status", status(c, activity, seen, Instant.now()));
        published.accept(c.supplier());
      }
      return null;
    });
  }

  /** The supplier's clients with their status now, active ones first. */
  public Future<List<JsonObject>> clientsOf(UUID supplier) {
    return directory.clientsOf(supplier).compose(clients -> {
      List<Future<JsonObject>> rows = new ArrayList<>();
      Instant now = Instant.now();
      for (ClientDirectory.Client c : clients) {
        rows.add(tracker.activity(c.couple()).map(a -> status(c, a, wentOffline.get(c.couple()), now)
            .put("name", c.name())
            .put("wedding_ids", c.weddings().stream().map(UUID::toString).toList())));
      }
      return Future.all(rows).map(all -> {
        List<JsonObject> list = new ArrayList<>(all.<JsonObject>list());
        list.sort(ACTIVE_FIRST);
        return list;
      });
    });
  }

  /** Online, then filling, then most recently seen; never seen last; by name among equals. */
  private static final Comparator<JsonObject> ACTIVE_FIRST = Comparator
      .<JsonObject>comparingInt(j -> rank(j.getString("status")))
      .thenComparing(j -> j.getString("filling_form_id") == null ? 1 : 0)
      .thenComparing(j -> orEmpty(j.getString("last_seen_at")), Comparator.reverseOrder())
      .thenComparing(j -> orEmpty(j.getString("name")));

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  private static int rank(String status) {
    return switch (status) {
      case "online" -> 0;
      case "recent" -> 1;
      default -> 2;
    };
  }

  /** One client's status as one supplier sees it. */
  static JsonObject status(ClientDirectory.Client c, ClientActivity activity, Instant seenAt, Instant now) {
    Instant seen = c.lastSeen();
    if (seenAt != null && (seen == null || seenAt.isAfter(seen))) seen = seenAt;
    if (activity.online()) seen = now;
    String status = activity.online() ? "online"
        : seen != null && seen.isAfter(now.minus(RECENT)) ? "recent" : "inactive";
    UUID filling = activity.fillingFor(c.supplier());
    JsonObject j = new JsonObject().put("couple_id", c.couple().toString()).put("status", status)
        .put("filling_form_id", filling == null ? null : filling.toString())
        .put("unread", c.unread())
        .put("last_seen_at", seen == null ? null : seen.toString());
    return j;
  }
}
