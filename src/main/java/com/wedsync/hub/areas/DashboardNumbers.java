package com.wedsync.hub.areas;

import com.wedsync.hub.backplane.Lease;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.clients.ClientStatus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * A supplier's live dashboard numbers (docs/protocol.md §12.6): its clients and how many are online now, the forms its
 * clients completed today, what its team did today, and the couples' messages it has not read. {@code dashboard:numbers}
 * goes to {@code supplier:{id}} when one of them changes, at most once a second per supplier.
 *
 * <p>Whatever may move a number — a client's status, an activity line, a message — marks the supplier, on any node;
 * the marks travel on the bus topic {@link #TOPIC} to the one node holding the lease {@link #LEASE}, which coalesces
 * them per supplier ({@link Coalescer}), reads the numbers when it flushes and publishes them if they differ from
 * what it published last. So a burst of changes is one event now and at most one more a second later, holding the
 * latest numbers, cluster-wide.
 */
public final class DashboardNumbers {
  private static final Logger log = LoggerFactory.getLogger(DashboardNumbers.class);
  /** The bus topic of the marks (no client can join it: not a channel family). */
  public static final String TOPIC = "hub:dashboard";
  public static final String LEASE = "dashboard-numbers";
  public static final String EVENT = "dashboard:numbers";
  static final long INTERVAL_MS = 1_000;

  /** Today is the UTC day; team activity is activity lines and messages of the supplier's team members. */
  private static final String NUMBERS = """
      with today as (select date_trunc('day', now(), 'UTC') as since),
           team as (select user_id from team_members where supplier_id = $1),
           acts as (
             select a.actor_id as who from activity_events a, today
              where a.supplier_id = $1 and a.created_at >= today.since and a.actor_id in (select user_id from team)
             union all
             select m.sender_id from messages m, today
              where m.supplier_id = $1 and m.sender_side = 'supplier' and m.created_at >= today.since
                and m.sender_id in (select user_id from team))
      select (select count(distinct a.object->>'form_id') from activity_events a, today
               where a.supplier_id = $1 and a.verb = 'form_completed' and a.created_at >= today.since)
               as forms_completed_today,
             (select count(*) from acts) as team_actions_today,
             (select count(distinct who) from acts) as team_active_today,
             (select count(*) from messages m where m.supplier_id = $1 and m.sender_side = 'couple'
                 and m.read_at is null) as unread_messages""";

  private final Vertx vertx;
  private final Pool db;
  private final Publisher publisher;
  private final Bus bus;
  private final Lease lease;
  private final ClientStatus clients;
  private final Map<UUID, JsonObject> published = new HashMap<>();
  private Coalescer<UUID> coalescer;
  private Context context;
  private boolean leading;
  private long leaseTimer = -1;

  public DashboardNumbers(Vertx vertx, Pool db, Publisher publisher, Bus bus, Lease lease, ClientStatus clients) {
    this.vertx = vertx;
    this.db = db;
    this.publisher = publisher;
    this.bus = bus;
    this.lease = lease;
    this.clients = clients;
  }

  public static String topic(UUID supplier) {
    return "supplier:" + supplier;
  }

  /** Hears the marks and competes for the lease (held at once on a single node). */
  public void start() {
    context = vertx.getOrCreateContext();
    context.runOnContext(v -> {
      coalescer = new Coalescer<>(vertx, INTERVAL_MS, this::flush);
      bus.subscribe(TOPIC, m -> {
        if (!leading || !(m instanceof ChannelEvent e)) return;
        try {
          coalescer.mark(UUID.fromString(e.payload().getString("supplier")));
        } catch (RuntimeException bad) {
          log.warn("a dashboard mark without a supplier: {}", e.payload());
        }
      });
      holdLease();
      leaseTimer = vertx.setPeriodic(1_000, id -> holdLease());
    });
  }

  public Future<Void> stop() {
    if (leaseTimer >= 0) vertx.cancelTimer(leaseTimer);
    return leading ? lease.release() : Future.succeededFuture();
  }

  /** One of {@code supplier}'s numbers may have changed (from any thread, on any node). */
  public void changed(UUID supplier) {
    if (supplier == null) return;
    bus.publish(ChannelEvent.of(TOPIC, "changed", new JsonObject().put("supplier", supplier.toString())));
  }

  private void holdLease() {
    lease.hold().onComplete(ar -> context.runOnContext(v -> {
      boolean held = ar.succeeded() && ar.result();
      if (held == leading) return;
      leading = held;
      if (!held) {
        log.info("another node publishes the dashboard numbers now (lease {})", LEASE);
        coalescer.clear();
        published.clear();
      }
    }));
  }

  /** The numbers now; publishes them when they differ from the last published. Runs on this object's context. */
  private Future<Boolean> flush(UUID supplier) {
    return numbers(supplier).map(now -> {
      JsonObject shown = now.copy();
      shown.remove("at");
      if (shown.equals(published.get(supplier))) return false;
      published.put(supplier, shown);
      publisher.durable(topic(supplier), EVENT, now);
      return true;
    }).onFailure(e -> log.warn("dashboard numbers of supplier {} not published: {}", supplier, e.getMessage()));
  }

  /**
   * {@code {"supplier_id","clients","active_clients","forms_completed_today","team_actions_today",
   * "team_active_today","unread_messages","at"}} as they are now.
   */
  public Future<JsonObject> numbers(UUID supplier) {
    Future<JsonObject> counts = db.preparedQuery(NUMBERS).execute(Tuple.of(supplier)).map(rows -> {
      Row r = rows.iterator().next();
      return new JsonObject().put("forms_completed_today", r.getLong("forms_completed_today"))
          .put("team_actions_today", r.getLong("team_actions_today"))
          .put("team_active_today", r.getLong("team_active_today"))
          .put("unread_messages", r.getLong("unread_messages"));
    });
    Future<long[]> list = clients.clientsOf(supplier).map(all -> new long[] {all.size(),
        all.stream().filter(c -> "online".equals(c.getString("status"))).count()});
    return Future.all(counts, list).map(v -> {
      long[] c = list.result();
      return new JsonObject().put("supplier_id", supplier.toString()).put("clients", c[0]).put("active_clients", c[1])
          .mergeIn(counts.result()).put("at", Instant.now().toString());
    });
  }
}
