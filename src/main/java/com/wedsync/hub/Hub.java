package com.wedsync.hub;

import com.wedsync.hub.admin.AdminAudit;
import com.wedsync.hub.admin.AdminRoutes;
import com.wedsync.hub.admin.AdminSessions;
import com.wedsync.hub.areas.DashboardNumbers;
import com.wedsync.hub.areas.LiveAreas;
import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.auth.Principals;
import com.wedsync.hub.auth.TokenVerifier;
import com.wedsync.hub.backplane.Backplane;
import com.wedsync.hub.broadcast.BroadcastRoutes;
import com.wedsync.hub.broadcast.Broadcasts;
import com.wedsync.hub.changes.ChangeFeed;
import com.wedsync.hub.changes.ChangeListeners;
import com.wedsync.hub.changes.PublishedTables;
import com.wedsync.hub.channel.AccessWatcher;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.clients.ClientRoutes;
import com.wedsync.hub.clients.ClientStatus;
import com.wedsync.hub.clients.ClientTracker;
import com.wedsync.hub.clients.LastSeen;
import com.wedsync.hub.config.ConfigException;
import com.wedsync.hub.config.ConfigSource;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.db.Database;
import com.wedsync.hub.db.PgListener;
import com.wedsync.hub.demo.DemoApp;
import com.wedsync.hub.demo.DemoData;
import com.wedsync.hub.external.ExternalChanges;
import com.wedsync.hub.form.DeadLetters;
import com.wedsync.hub.form.ExternalFormChanges;
import com.wedsync.hub.form.FormFeature;
import com.wedsync.hub.form.FormRepository;
import com.wedsync.hub.form.FormSnapshot;
import com.wedsync.hub.form.RevisionWriter;
import com.wedsync.hub.form.SaveBuffer;
import com.wedsync.hub.form.SaveSpill;
import com.wedsync.hub.form.SplittingWriter;
import com.wedsync.hub.health.DeliveryLatency;
import com.wedsync.hub.health.SyncHealth;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import com.wedsync.hub.http.IoTransport;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.metrics.VertxMeters;
import com.wedsync.hub.notify.NotifyFeature;
import com.wedsync.hub.notify.OutboxPoller;
import com.wedsync.hub.presence.PresenceChannel;
import com.wedsync.hub.presence.PresenceTracker;
import com.wedsync.hub.socket.ClientLimits;
import com.wedsync.hub.socket.LongPollSessions;
import com.wedsync.hub.socket.SocketServices;
import com.wedsync.hub.socket.SocketVerticle;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The hub, put together. Start-up reads top to bottom: configuration → the record (PostgreSQL, migrated, demo data)
 * → Vert.x → the shared state behind its ports → the features → one socket verticle per event loop. Shutdown runs in
 * reverse: stop accepting, close the sockets (releasing their presence), then the pools and the database.
 */
public final class Hub {
  private static final Logger log = LoggerFactory.getLogger(Hub.class);

  private final HubConfig config;
  private final Database database;
  private final Vertx vertx;
  private final Pool pool;
  private final PgListener pgListener;
  private final Backplane backplane;
  private final OutboxPoller outbox;
  private final LastSeen lastSeen;
  private final ChangeFeed changeFeed;
  private final HubMetrics metrics;
  private final SyncHealth health;
  /** Set when a graceful shutdown begins: {@code /ready} answers 503 from then on. */
  private final AtomicBoolean shuttingDown;
  private volatile boolean stopped;

  private Hub(HubConfig config, Database database, Vertx vertx, Pool pool, PgListener pgListener, Backplane backplane,
              OutboxPoller outbox, LastSeen lastSeen, ChangeFeed changeFeed, HubMetrics metrics, SyncHealth health,
              AtomicBoolean shuttingDown) {
    this.config = config;
    this.database = database;
    this.vertx = vertx;
    this.pool = pool;
    this.pgListener = pgListener;
    this.backplane = backplane;
    this.outbox = outbox;
    this.lastSeen = lastSeen;
    this.changeFeed = changeFeed;
    this.metrics = metrics;
    this.health = health;
    this.shuttingDown = shuttingDown;
  }

  public static void main(String[] args) {
    HubConfig config;
    ConfigSource source;
    try {
      source = ConfigSource.load(System.getenv());
      config = HubConfig.load(source);
    } catch (ConfigException e) {
      System.err.println("wedsync-hub: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      Logging.configure(config.log(), config.nodeId());
    } catch (ConfigException e) {
      System.err.println("wedsync-hub: " + e.getMessage());
      System.exit(2);
      return;
    }
    source.warnings().forEach(log::warn);
    Hub hub;
    try {
      hub = start(config).toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.error("start-up failed", e);
      System.err.println("wedsync-hub: start-up failed: " + rootMessage(e));
      System.exit(1);
      return;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(hub::stopAndWait, "hub-shutdown"));
    hub.printBanner();
  }

  /** Starts a hub; blocking steps (database, migrations, demo data) run on the calling thread, before any socket. */
  public static Future<Hub> start(HubConfig config) {
    // The record: PostgreSQL, migrated, with the demo data on a first start.
    Database database = Database.open(config.database());
    if (config.demoData()) {
      try {
        DemoData.loadIfEmpty(database.jdbcUrl(), database.connectOptions().getUser(),
            database.connectOptions().getPassword());
      } catch (RuntimeException e) {
        database.close(); // an embedded server outlives the JVM unless the hub stops it
        throw e;
      }
    }
    HubConfig cfg = config.withPort(config.http().port() == 0 ? freePort() : config.http().port());
    warnOfDevelopmentSecret(cfg);
    // The registry before Vert.x: Vert.x's own meters (HTTP, WebSockets, pools) go to it from the start.
    HubMetrics metrics = HubMetrics.forNode(cfg.nodeId());
    Vertx vertx = eventLoops(cfg, metrics);
    Pool pool = database.pool(vertx, cfg.database().poolSize());

    // Shared state behind its ports: in this process for one node, in Redis for a cluster.
    FormRepository formRepository = new FormRepository(pool);
    Backplane backplane = Backplane.of(new Backplane.Needs(vertx, cfg, formRepository,
        new SplittingWriter(new RevisionWriter(pool), new DeadLetters(pool, cfg.nodeId())),
        new SaveSpill(vertx, cfg.forms().spillDir()), metrics));
    Publisher publisher = backplane.publisher();
    PresenceTracker presence = new PresenceTracker(backplane.presence(), backplane.bus(), cfg.nodeId());

    // The features, each registering the channel events it answers.
    EventHandlers handlers = new EventHandlers();
    FormFeature forms = FormFeature.create(backplane, formRepository, pool, metrics, cfg);
    forms.register(handlers);
    Broadcasts broadcasts = new Broadcasts(backplane.bus());
    Broadcasts.register(handlers, broadcasts);
    PresenceChannel.register(handlers, presence);
    LastSeen lastSeen = new LastSeen(pool, cfg.presence().lastSeenFlushMs());
    ClientStatus clients = new ClientStatus(new ClientTracker(backplane.presence(), cfg.nodeId()), pool, lastSeen,
        publisher, form -> forms.editor().store().form(form).map(FormSnapshot::info));
    clients.register(handlers);
    NotifyFeature notify = NotifyFeature.create(pool, publisher, metrics, cfg, clients::unreadChanged);
    forms.listen(notify.formEvents());
    // Journeys, meetings, tasks, timeline, messages: domain events from the change feed; the suppliers' dashboards.
    LiveAreas areas = new LiveAreas(vertx, pool, publisher, backplane.bus(),
        backplane.lease(DashboardNumbers.LEASE), clients, notify.activity());

    // What the database announces (one LISTEN connection): membership changes, and rows other services changed.
    PgListener pgListener = new PgListener(vertx, database.connectOptions());
    AccessWatcher.listen(pgListener, backplane.bus());
    ExternalFormChanges formChanges = new ExternalFormChanges(forms.editor(), forms.cascade(), pool, publisher);
    new ExternalChanges(backplane.claims())
        .on("form_fields", c -> formChanges.field(c.uuid("form"), c.id()))
        .on("forms", c -> formChanges.form(c.id(), c.string("from")))
        .on("weddings", c -> formChanges.wedding(c.id(), c.strings("columns"), "external-" + c.tx()))
        .on("notifications", c -> notify.bell().changedOutside(c.id(), c.uuid("recipient"), c.string("op")))
        .listen(pgListener);

    // Sync health and the admin powers (README "Operations"): every node's snapshot on the bus, audited powers.
    DeliveryLatency deliveryLatency = new DeliveryLatency();
    SyncHealth health = new SyncHealth(new SyncHealth.Needs(vertx, cfg.nodeId(), cfg.cluster().nodeTtlMs(), metrics,
        deliveryLatency, backplane.saves(), pool, backplane.readiness().get("redis"), backplane.bus(), publisher,
        backplane.lease(SyncHealth.LEASE), handlers));
    AdminAudit audit = new AdminAudit(pool, cfg.nodeId());
    AdminSessions adminSessions = new AdminSessions(pool, backplane.bus());
    ChannelRegistry channels = new ChannelRegistry(pool).onAdminView((admin, topic) -> audit.record(admin,
        AdminAudit.VIEW_FORM, topic.name(), "read-only view", new io.vertx.core.json.JsonObject())
        .onFailure(e -> log.warn("auditing {}'s view of {} failed: {}", admin.userId(), topic.name(), e.getMessage())));
    Principals principals = new Principals(pool);
    ClientLimits limits = new ClientLimits(cfg.socket());
    ChangeFeed[] changeFeed = new ChangeFeed[1];
    AtomicBoolean shuttingDown = new AtomicBoolean();
    // A dead node's presences leave their channels, and its couples' connections their clients' status.
    return backplane.start(dead -> presence.removeNode(dead).compose(clients::nodeDied))
        // Row changes of the published tables (postgres_changes): one node reads them, every node delivers them.
        .compose(v -> PublishedTables.load(pool, cfg.postgresChanges()))
        .compose(published -> {
          changeFeed[0] = new ChangeFeed(vertx, pool, backplane.bus(), published,
              backplane.lease(ChangeFeed.LEASE), cfg.postgresChanges(), database.jdbcUrl(),
              database.connectOptions().getUser(), database.connectOptions().getPassword())
              .onLogged(areas::logged);
          return changeFeed[0].start();
        })
        .compose(v -> TokenVerifier.create(vertx, cfg.auth()))
        .compose(tokens -> {
          forms.locks().start(vertx);
          notify.outbox().start(vertx);
          lastSeen.start(vertx);
          areas.start();
          vertx.setPeriodic(5000, id -> limits.sweep());
          adminSessions.listen();
          SocketServices sockets = new SocketServices(cfg, backplane.bus(), tokens, principals, channels, presence,
              handlers, limits, metrics, backplane.history(), new LongPollSessions(vertx, backplane.relay()),
              ChangeListeners.ChangeFeedView.of(changeFeed[0]), deliveryLatency);
          HttpAuth auth = new HttpAuth(tokens, principals, limits);
          HttpApi api = new HttpApi(cfg.nodeId(), pool, auth, channels, presence, metrics,
              cfg.socket().requestTimeoutMs())
              .with(forms.routes(auth, channels))
              .with(notify.notificationRoutes(auth))
              .with(notify.activityRoutes(auth, channels))
              .with(new BroadcastRoutes(auth, channels, broadcasts))
              .with(new ClientRoutes(auth, clients))
              .with(areas.routes(auth))
              .with(new AdminRoutes(auth, health, audit, forms.locks(), adminSessions))
              .readyWhen(backplane.readiness())
              .readyWhen("saves", () -> savesDraining(backplane.saves(), cfg))
              .readiness(cfg.http().readyTimeoutMs(), shuttingDown::get);
          DemoApp demo = new DemoApp(cfg, vertx, pool); // the demo app at / and its sign-in (demoData only)
          // The REST routes are built from the OpenAPI document, checked against the handlers before any socket opens.
          return api.load(vertx).compose(x -> pgListener.start()).compose(x -> health.start())
              .compose(x -> vertx.deployVerticle(() -> new SocketVerticle(sockets, v -> demo.mount(api.router(v))),
                  new DeploymentOptions().setInstances(cfg.eventLoops())));
        })
        .map(id -> {
          log.info("hub {} listening on {}:{} with {} event loop(s)", cfg.nodeId(), cfg.http().host(),
              cfg.http().port(), cfg.eventLoops());
          return new Hub(cfg, database, vertx, pool, pgListener, backplane, notify.outbox(), lastSeen, changeFeed[0],
              metrics, health, shuttingDown);
        })
        .recover(e -> {
          vertx.close().onComplete(ar -> metrics.close());
          database.close();
          return Future.failedFuture(e);
        });
  }

  /** The event loops, on the I/O transport {@code http.transport} picks (io_uring, epoll or NIO; see IoTransport). */
  private static Vertx eventLoops(HubConfig cfg, HubMetrics metrics) {
    IoTransport.Picked transport = IoTransport.pick(cfg.http().transport());
    log.info("event loops on {} ({})", transport.name(), transport.why());
    return VertxMeters.vertx(new VertxOptions().setEventLoopPoolSize(cfg.eventLoops()), metrics,
        transport.transport());
  }

  /** {@code /ready}'s check that accepted changes do reach PostgreSQL. */
  private static Future<?> savesDraining(SaveBuffer saves, HubConfig cfg) {
    long age = saves.oldestPendingAgeMs();
    return age <= cfg.forms().saveBacklogReadyMs() ? Future.succeededFuture()
        : Future.failedFuture("oldest unsaved change is " + age / 1000 + " s old: saves are not draining");
  }

  private static void warnOfDevelopmentSecret(HubConfig cfg) {
    if (cfg.auth().hs256Secret().startsWith("wedsync-dev-secret-")) {
      log.warn("the development JWT secret (conf/dev-jwt-secret.txt) is in use: set WEDSYNC_HUB_AUTH_HS256_SECRET "
          + "or WEDSYNC_HUB_AUTH_HS256_SECRET_FILE (or RS256/JWKS with WEDSYNC_HUB_AUTH_HS256_SECRET_FILE=) outside "
          + "development");
    }
  }

  public int port() {
    return config.http().port();
  }

  public String baseUrl() {
    return config.http().publicUrl().isEmpty() ? "http://" + config.http().host() + ":" + port()
        : config.http().publicUrl();
  }

  public HubConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public SaveBuffer saves() {
    return backplane.saves();
  }

  public Future<Void> stop() {
    if (stopped) return Future.succeededFuture();
    stopped = true;
    // First /ready turns 503 while everything still works, so load balancers stop sending new clients here.
    shuttingDown.set(true);
    int delay = config.http().shutdownDelayMs();
    log.info("hub {} stopping{}", config.nodeId(), delay > 0 ? ": /ready answers 503 for " + delay + " ms before the "
        + "sockets close" : "");
    Promise<Void> delayed = Promise.promise();
    if (delay > 0) vertx.setTimer(delay, id -> delayed.complete());
    else delayed.complete();
    // Undeploying the socket verticles stops accepting and closes every socket, which releases its presence and
    // locks; then every accepted change still in the save buffer is written (or kept for later) before the pool closes.
    return delayed.future()
        .compose(x -> Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
        .transform(ar -> backplane.saves().drain(config.forms().drainMs()).onFailure(e -> log.error("accepted changes "
            + "could not be saved nor spilled at shutdown: {}", e.getMessage())))
        .transform(ar -> health.stop())
        .transform(ar -> outbox.stop())
        .transform(ar -> changeFeed.stop())
        .transform(ar -> lastSeen.stop(vertx))
        .transform(ar -> backplane.stop())
        .transform(ar -> pgListener.stop())
        .transform(ar -> pool.close())
        .transform(ar -> vertx.close())
        .onComplete(ar -> {
          metrics.close();
          database.close();
          log.info("hub {} stopped", config.nodeId());
        });
  }

  void stopAndWait() {
    try {
      stop().toCompletionStage().toCompletableFuture().get(config.http().shutdownDelayMs()
          + config.forms().drainMs() + 10_000L, TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      log.warn("shutdown did not complete cleanly: {}", rootMessage(e));
      database.close(); // the embedded PostgreSQL is not left running after the JVM, even when the drain hangs
    }
  }

  private void printBanner() {
    DevTokens tokens = new DevTokens(vertx, config.auth().hs256Secret());
    StringBuilder b = new StringBuilder("\n  WedSync Realtime Hub is ready\n\n");
    b.append("  HTTP       ").append(baseUrl()).append('\n');
    b.append("  WebSocket  ").append(baseUrl().replaceFirst("^http", "ws")).append(SocketVerticle.PATH).append('\n');
    b.append("  Ready      ").append(baseUrl()).append("/ready\n");
    b.append("  Database   ").append(database.describe()).append('\n');
    if (config.demoData() && !config.auth().hs256Secret().isEmpty()) {
      b.append("  Demo app   ").append(baseUrl()).append("/  (sign in as a demo person; see README \"Demo app\")\n");
      b.append("\n  Demo tokens (HS256, valid 7 days):\n");
      for (DemoData.DemoUser u : DemoData.BANNER_USERS) {
        b.append(String.format("    %-16s %-13s %s%n", u.label(), u.name(), tokens.user(u.id(), 7 * 86_400)));
      }
      b.append("\n  Try: curl -H \"Authorization: Bearer <token>\" ").append(baseUrl()).append("/api/v1/me\n");
    }
    System.out.println(b);
    System.out.flush();
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  private static String rootMessage(Throwable e) {
    while (e.getCause() != null) e = e.getCause();
    return e.getMessage();
  }
}
