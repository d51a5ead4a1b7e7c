package com.wedsync.hub.areas;

import com.wedsync.hub.backplane.Lease;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.changes.LoggedChange;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.clients.ClientStatus;
import com.wedsync.hub.http.HttpAuth;
import com.wedsync.hub.notify.ActivityFeed;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * WedSync's live areas (issue 14 §2, docs/protocol.md §12), put together: journeys, meetings, tasks, timeline items
 * and messages, whose rows other services write and the change feed reads. For each logged change of those tables
 * ({@link #logged}, the feed's hook, on the node reading the slot) it publishes the domain events on the family
 * channels; messages also move the client list's unread counts ({@link ClientStatus}); and every change that may move
 * a supplier's dashboard numbers marks it ({@link DashboardNumbers}).
 */
public final class LiveAreas {
  private final Publisher publisher;
  private final ClientStatus clients;
  private final DashboardNumbers dashboard;
  private final Map<String, RowEvents> tables = Stream.of(new TaskEvents(), new TimelineEvents(), new MeetingEvents(),
      new JourneyEvents(), new JourneyFailureEvents(), new MessageEvents())
      .collect(Collectors.toUnmodifiableMap(RowEvents::table, Function.identity()));

  /**
   * @param dashboardLease the lease of the node publishing the dashboard numbers ({@link DashboardNumbers#LEASE})
   * @param activity       the activity feed, whose lines move the dashboards of the suppliers they are about
   */
  public LiveAreas(Vertx vertx, Pool db, Publisher publisher, Bus bus, Lease dashboardLease, ClientStatus clients,
                   ActivityFeed activity) {
    this.publisher = publisher;
    this.clients = clients;
    this.dashboard = new DashboardNumbers(vertx, db, publisher, bus, dashboardLease, clients);
    clients.onStatusPublished(dashboard::changed);
    activity.onRecorded(dashboard::changed);
  }

  public void start() {
    dashboard.start();
  }

  public Future<Void> stop() {
    return dashboard.stop();
  }

  public DashboardNumbers dashboard() {
    return dashboard;
  }

  public DashboardRoutes routes(HttpAuth auth) {
    return new DashboardRoutes(auth, dashboard);
  }

  /**
   * The change feed's hook: the change's domain events, each published durably (so it is done when they are in
   * history), then its side effects. A change read again after a hand-over publishes them again, with the same
   * {@code change_id}.
   */
  public Future<?> logged(LoggedChange change) {
    RowEvents events = tables.get(change.row().name());
    if (events == null) return Future.succeededFuture();
    List<Future<?>> published = new ArrayList<>();
    for (DomainEvent e : events.events(change)) {
      published.add(publisher.durable(e.topic(), e.event(), e.payload(), e.audience()));
    }
    sideEffects(change);
    return Future.all(published);
  }

  /** What a message moves elsewhere: the couple's unread count for its supplier, and the supplier's dashboard. */
  private void sideEffects(LoggedChange change) {
    String table = change.row().name();
    if (!table.equals("public.messages")) return;
    Set<List<UUID>> pairs = new LinkedHashSet<>();
    for (JsonObject row : new JsonObject[] {change.row().oldRecord(), change.row().record()}) {
      if (row == null) continue;
      UUID supplier = RowEvents.uuid(row, "supplier_id");
      UUID couple = RowEvents.uuid(row, "couple_id");
      if (supplier == null || couple == null) continue;
      if ("supplier".equals(row.getString("sender_side"))) pairs.add(List.of(couple, supplier));
      dashboard.changed(supplier);
    }
    for (List<UUID> p : pairs) clients.unreadChanged(p.get(0), p.get(1));
  }
}
