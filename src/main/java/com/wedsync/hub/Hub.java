package com.wedsync.hub;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.auth.Principals;
import com.wedsync.hub.auth.TokenVerifier;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.LocalBus;
import com.wedsync.hub.bus.RedisBus;
import com.wedsync.hub.cluster.NodeLiveness;
import com.wedsync.hub.cluster.RedisConnections;
import com.wedsync.hub.form.FieldStore;
import com.wedsync.hub.form.LockStore;
import com.wedsync.hub.form.RedisFieldStore;
import com.wedsync.hub.form.RedisLockStore;
import com.wedsync.hub.form.RedisSaveBuffer;
import com.wedsync.hub.form.RevisionWriter;
import com.wedsync.hub.form.DeadLetters;
import com.wedsync.hub.form.SaveSpill;
import com.wedsync.hub.form.SplittingWriter;
import com.wedsync.hub.presence.PresenceStore;
import com.wedsync.hub.presence.RedisPresenceStore;
import com.wedsync.hub.channel.AccessWatcher;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.config.ConfigException;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.db.Database;
import com.wedsync.hub.db.PgListener;
import com.wedsync.hub.external.ChangeClaims;
import com.wedsync.hub.external.ExternalChanges;
import com.wedsync.hub.external.LocalChangeClaims;
import com.wedsync.hub.external.RedisChangeClaims;
import com.wedsync.hub.form.ExternalFormChanges;
import com.wedsync.hub.demo.DemoData;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.form.CoreCascade;
import com.wedsync.hub.form.FieldEditor;
import com.wedsync.hub.form.FieldLocks;
import com.wedsync.hub.form.FormChannel;
import com.wedsync.hub.form.FormNotes;
import com.wedsync.hub.form.FormRepository;
import com.wedsync.hub.form.FormRoutes;
import com.wedsync.hub.form.FormStatus;
import com.wedsync.hub.form.LocalFieldStore;
import com.wedsync.hub.form.LocalLockStore;
import com.wedsync.hub.form.LocalSaveBuffer;
import com.wedsync.hub.form.SaveBuffer;
import com.wedsync.hub.history.History;
import com.wedsync.hub.history.LocalHistory;
import com.wedsync.hub.history.RedisHistory;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.notify.ActivityFeed;
import com.wedsync.hub.notify.ActivityRoutes;
import com.wedsync.hub.notify.Bell;
import com.wedsync.hub.notify.FormNotifications;
import com.wedsync.hub.notify.NotificationRoutes;
import com.wedsync.hub.notify.NotificationService;
import com.wedsync.hub.notify.Outbox;
import com.wedsync.hub.notify.OutboxPoller;
import com.wedsync.hub.notify.Preferences;
import com.wedsync.hub.presence.LocalPresenceStore;
import com.wedsync.hub.presence.PresenceTracker;
import com.wedsync.hub.socket.SocketServices;
import com.wedsync.hub.socket.SocketVerticle;
import com.wedsync.hub.socket.ClientLimits;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

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
  private final SaveBuffer saves;
  private final RedisConnections redis;
  private final NodeLiveness liveness;
  private final OutboxPoller outbox;
  private final int port;
  private volatile boolean stopped;

  private Hub(HubConfig config, Database database, Vertx vertx, Pool pool, PgListener pgListener,
              SaveBuffer saves, RedisConnections redis, NodeLiveness liveness, OutboxPoller outbox, int port) {
    this.config = config;
    this.database = database;
    this.vertx = vertx;
    this.pool = pool;
    this.pgListener = pgListener;
    this.saves = saves;
    this.redis = redis;
    this.liveness = liveness;
    this.outbox = outbox;
    this.port = port;
  }

  public static void main(String[] args) {
    HubConfig config;
    try {
      config = HubConfig.load();
    } catch (ConfigException e) {
      System.err.println("wedsync-hub: " + e.getMessage());
      System.exit(2);
      return;
    }
    Logging.configure(config.log());
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
    Database database = Database.open(config.database());
    if (config.demoData()) {
      DemoData.loadIfEmpty(database.jdbcUrl(), database.connectOptions().getUser(),
          database.connectOptions().getPassword());
    }
    int port = config.http().port() == 0 ? freePort() : config.http().port();
    HubConfig cfg = new HubConfig(config.nodeId(), new HubConfig.Http(config.http().host(), port,
        config.http().publicUrl(), config.http().verticles(), config.http().nativeTransport()), config.database(),
        config.demoData(), config.auth(),
        config.socket(), config.presence(), config.forms(), config.cluster(), config.log(), config.delivery(),
        config.history());
    if (cfg.auth().hs256Secret().startsWith("wedsync-dev-secret-")) {
      log.warn("the development JWT secret (conf/dev-jwt-secret.txt) is in use: set HUB_AUTH_HS256_SECRET or "
          + "HUB_AUTH_HS256_SECRET_FILE (or RS256/JWKS with HUB_AUTH_HS256_SECRET_FILE=) outside development");
    }
    int loops = cfg.http().verticles() > 0 ? cfg.http().verticles() : Runtime.getRuntime().availableProcessors();

    // epoll instead of Java NIO where Netty has it: fewer syscalls and no selector garbage per write (P1, README).
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(loops)
        .setPreferNativeTransport(cfg.http().nativeTransport()));
    if (cfg.http().nativeTransport() && !vertx.isNativeTransportEnabled()) {
      log.info("native transport unavailable here ({}); using Java NIO", vertx.unavailableNativeTransportCause());
    }
    Pool pool = database.pool(vertx, cfg.database().poolSize());

    HubMetrics metrics = new HubMetrics();
    var forms = cfg.forms();
    FormRepository formRepository = new FormRepository(pool);
    // Saves never let one refused row hold the others back: it is parked as a dead letter (issue 11).
    SplittingWriter saveWriter = new SplittingWriter(new RevisionWriter(pool), new DeadLetters(pool, cfg.nodeId()));
    SaveSpill spill = new SaveSpill(vertx, forms.spillDir());

    // Shared state behind its ports: in-process adapters for one node, Redis adapters for a cluster.
    LocalBus localBus = new LocalBus(vertx);
    Bus bus;
    PresenceStore presenceStore;
    LockStore lockStore;
    FieldStore fieldStore;
    SaveBuffer saves;
    History history;
    RedisConnections redis = null;
    Publisher publisher;
    if (cfg.cluster().clustered()) {
      var cluster = cfg.cluster();
      RedisBus redisBus = new RedisBus(localBus, cfg.nodeId());
      redis = new RedisConnections(vertx, cluster.redisUrl(), cluster.redisPoolSize(), cluster.sharded(),
          cfg.nodeId(), redisBus::received);
      redisBus.attach(redis);
      bus = redisBus;
      RedisHistory redisHistory = new RedisHistory(redis, cfg.history(), cluster.sharded());
      history = redisHistory;
      publisher = new Publisher(bus, history);
      presenceStore = new RedisPresenceStore(redis, cfg.nodeId(), cluster.presenceTtlMs());
      lockStore = new RedisLockStore(redis);
      fieldStore = new RedisFieldStore(redis, formRepository, forms.textOpsKept(), redisHistory);
      saves = new RedisSaveBuffer(vertx, redis, saveWriter, publisher, metrics, cfg.nodeId(),
          forms.saveIntervalMs(), forms.saveRetryMaxMs());
    } else {
      bus = localBus;
      LocalHistory localHistory = new LocalHistory(bus, cfg.history());
      localHistory.start(vertx);
      history = localHistory;
      publisher = new Publisher(bus, history);
      presenceStore = new LocalPresenceStore();
      lockStore = new LocalLockStore();
      fieldStore = new LocalFieldStore(formRepository, forms.textOpsKept(), publisher);
      saves = new LocalSaveBuffer(vertx, saveWriter, spill, publisher, metrics, forms.saveIntervalMs(),
          forms.saveRetryMaxMs());
    }
    PresenceTracker presence = new PresenceTracker(presenceStore, bus, cfg.nodeId());

    Principals principals = new Principals(pool);
    ChannelRegistry channels = new ChannelRegistry(pool);
    EventHandlers handlers = new EventHandlers();
    // One LISTEN connection per node serves everything the database announces.
    PgListener pgListener = new PgListener(vertx, database.connectOptions());
    AccessWatcher.listen(pgListener, bus);

    // Collaborative forms: hot state and locks behind their ports, write-behind saves to PostgreSQL.
    FieldLocks locks = new FieldLocks(lockStore, fieldStore, publisher, metrics, cfg.nodeId(),
        forms.lockLeaseMs(), forms.typingThrottleMs());
    FieldEditor editor = new FieldEditor(fieldStore, locks, saves, publisher, formRepository, metrics);
    FormStatus formStatus = new FormStatus(fieldStore, formRepository, publisher);
    CoreCascade cascade = new CoreCascade(editor, pool, publisher);
    editor.wire(formStatus, cascade);
    FormNotes notes = new FormNotes(formRepository, fieldStore, publisher);
    FormChannel.register(handlers, editor, locks, formStatus, notes);

    // Notifications and the activity feed hear what happens on forms; every node runs an outbox poller, and the
    // database's claim decides which node delivers each row.
    ActivityFeed activity = new ActivityFeed(pool, publisher);
    NotificationService notifications = new NotificationService(pool, publisher, metrics, cfg.delivery().channels());
    FormNotifications formEvents = new FormNotifications(notifications, activity);
    formStatus.listen(formEvents);
    notes.listen(formEvents);
    cascade.listen(formEvents);
    locks.listen(formEvents);
    editor.listen(formEvents);
    OutboxPoller outbox = new OutboxPoller(new Outbox(pool), cfg.delivery(), metrics, cfg.nodeId());

    // Rows other services change in the hub's tables reach their channels (one node handles each change).
    ChangeClaims claims = redis == null ? new LocalChangeClaims() : new RedisChangeClaims(redis, cfg.nodeId());
    ExternalFormChanges formChanges = new ExternalFormChanges(editor, cascade, pool, publisher);
    Bell bell = new Bell(pool, publisher);
    new ExternalChanges(claims)
        .on("form_fields", c -> formChanges.field(c.uuid("form"), c.id()))
        .on("forms", c -> formChanges.form(c.id(), c.string("from")))
        .on("weddings", c -> formChanges.wedding(c.id(), c.strings("columns"), "external-" + c.tx()))
        .on("notifications", c -> bell.changedOutside(c.id(), c.uuid("recipient"), c.string("op")))
        .listen(pgListener);
    RedisConnections redisConnections = redis;
    NodeLiveness liveness = redis == null ? null
        : new NodeLiveness(redis, cfg.nodeId(), cfg.cluster().nodeTtlMs(), presence::removeNode);
    // What the last run could not save is written before anyone can load a form.
    Future<Void> shared = (redis == null ? spill.replay(saveWriter).<Void>mapEmpty() : redis.start().onSuccess(v -> {
      ((RedisPresenceStore) presenceStore).start(vertx);
      liveness.start(vertx);
    }));

    return shared.compose(v -> TokenVerifier.create(vertx, cfg.auth())).compose(tokens -> {
      saves.start();
      locks.start(vertx);
      outbox.start(vertx);
      ClientLimits limits = new ClientLimits(cfg.socket());
      vertx.setPeriodic(5000, id -> limits.sweep());
      SocketServices services = new SocketServices(cfg, bus, tokens, principals, channels, presence, handlers,
          limits, metrics, history);
      HttpAuth httpAuth = new HttpAuth(tokens, principals, limits);
      HttpApi api = new HttpApi(cfg.nodeId(), pool, httpAuth, channels, presence, bus, metrics,
          cfg.socket().requestTimeoutMs())
          .with(new FormRoutes(httpAuth, channels, editor, locks, formStatus, notes, formRepository, cascade))
          .with(new NotificationRoutes(httpAuth, bell,
              new Preferences(pool, cfg.delivery().channels()), notifications))
          .with(new ActivityRoutes(httpAuth, channels, activity));
      if (redisConnections != null) api.readyWhen("redis", redisConnections::ping);
      SaveBuffer saveBuffer = saves;
      api.readyWhen("saves", () -> {
        long age = saveBuffer.oldestPendingAgeMs();
        return age <= forms.saveBacklogReadyMs() ? Future.succeededFuture()
            : Future.failedFuture("oldest unsaved change is " + age / 1000 + " s old: saves are not draining");
      });
      return pgListener.start()
          .compose(v -> api.load(vertx))
          .compose(v -> vertx.deployVerticle(() -> new SocketVerticle(services, api::router),
              new DeploymentOptions().setInstances(loops)));
    }).map(id -> {
      Hub hub = new Hub(cfg, database, vertx, pool, pgListener, saves, redisConnections, liveness, outbox, port);
      log.info("hub {} listening on {}:{} with {} event loop(s)", cfg.nodeId(), cfg.http().host(), port, loops);
      return hub;
    }).recover(e -> {
      vertx.close();
      database.close();
      return Future.failedFuture(e);
    });
  }

  public int port() {
    return port;
  }

  public String baseUrl() {
    return config.http().publicUrl().isEmpty() ? "http://" + config.http().host() + ":" + port
        : config.http().publicUrl();
  }

  public HubConfig config() {
    return config;
  }

  public Vertx vertx() {
    return vertx;
  }

  public SaveBuffer saves() {
    return saves;
  }

  public Future<Void> stop() {
    if (stopped) return Future.succeededFuture();
    stopped = true;
    log.info("hub {} stopping", config.nodeId());
    // Undeploying the socket verticles stops accepting and closes every socket, which releases its presence and
    // locks; then every accepted change still in the save buffer is written before the pool closes.
    return Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList())
        .transform(ar -> saves.drain(config.forms().drainMs()).onFailure(e -> log.error("accepted changes could not be saved nor "
            + "spilled at shutdown: {}", e.getMessage())))
        .transform(ar -> outbox.stop())
        .transform(ar -> liveness == null ? Future.succeededFuture() : liveness.stop(vertx))
        .transform(ar -> redis == null ? Future.succeededFuture() : redis.close())
        .transform(ar -> pgListener.stop())
        .transform(ar -> pool.close())
        .transform(ar -> vertx.close())
        .onComplete(ar -> {
          database.close();
          log.info("hub {} stopped", config.nodeId());
        });
  }

  void stopAndWait() {
    try {
      stop().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("shutdown did not complete cleanly: {}", rootMessage(e));
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
