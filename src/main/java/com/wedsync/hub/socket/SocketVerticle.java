package com.wedsync.hub.socket;

import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ControlEvent;
import com.wedsync.hub.changes.ChangeListeners;
import com.wedsync.hub.channel.LocalChannels;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.ServerWebSocketHandshake;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * One event loop's share of the front door: an HTTP server (Vert.x spreads connections over the instances) that
 * upgrades {@code /realtime/v1/websocket} to a {@link Connection}, serves the long-poll transport
 * ({@link LongPollEndpoint}) and the REST routes.
 */
public final class SocketVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SocketVerticle.class);
  public static final String PATH = "/realtime/v1/websocket";
  private static final AtomicLong IDS = new AtomicLong();

  private final SocketServices services;
  private final Function<io.vertx.core.Vertx, Router> routes;
  private final Set<Connection> connections = new HashSet<>();
  private LocalChannels channels;
  private ChangeListeners changes;
  private FlushBatch flushes;
  private ConnectionGate gate;
  private Admission admission;
  private LongPollEndpoint longPoll;
  private HttpServer server;

  public SocketVerticle(SocketServices services, Function<io.vertx.core.Vertx, Router> routes) {
    this.services = services;
    this.routes = routes;
  }

  @Override
  public Future<?> start() {
    var cfg = services.config();
    channels = new LocalChannels(vertx, services.bus(), services.history(), cfg.presence().diffIntervalMs(),
        services.metrics(), services.deliveryLatency());
    changes = new ChangeListeners(services.bus(), services.changeFeed());
    flushes = new FlushBatch(context);
    services.bus().subscribe(ControlEvent.HUB_TOPIC, this::onControl);
    vertx.setPeriodic(1000, id -> {
      long now = System.currentTimeMillis();
      for (Connection c : List.copyOf(connections)) c.tick(now);
    });
    admission = new Admission(services);
    longPoll = new LongPollEndpoint(vertx, context, services, admission, services.longPolls(), connections, IDS,
        this::connect);
    gate = new ConnectionGate(vertx, services.limits(), cfg.socket().requestTimeoutMs(),
        () -> services.metrics().error("connection_refused"));
    int hardLimit = hardFrameLimit();
    server = vertx.createHttpServer(new HttpServerOptions()
        .setHost(cfg.http().host()).setPort(cfg.http().port())
        .setMaxWebSocketFrameSize(hardLimit).setMaxWebSocketMessageSize(hardLimit)
        .setRegisterWebSocketWriteHandlers(false)
        .setWebSocketClosingTimeout(2)
        .setIdleTimeout(0)
        // No HTTP/2 over cleartext: with it, Vert.x waits for a connection's first bytes before it has an HTTP
        // connection at all, so one that never speaks would escape the ConnectionGate's deadline.
        .setHttp2ClearTextEnabled(false));
    server.connectionHandler(gate::opened);
    server.webSocketHandshakeHandler(this::handshake);
    server.webSocketHandler(ws -> { });
    Router router = routes.apply(vertx);
    server.requestHandler(request -> {
      gate.request(request);
      if (LongPollEndpoint.PATH.equals(request.path())) longPoll.handle(request);
      else router.handle(request);
    });
    return server.listen();
  }

  @Override
  public Future<?> stop() {
    for (Connection c : List.copyOf(connections)) c.close((short) 1001, "server shutting down");
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void handshake(ServerWebSocketHandshake hs) {
    gate.upgrade(hs.remoteAddress());
    try {
      admit(hs);
    } catch (RuntimeException e) { // whatever a request holds, the upgrade is answered
      log.warn("WebSocket handshake failed unexpectedly", e);
      hs.reject(400);
    }
  }

  private void admit(ServerWebSocketHandshake hs) {
    if (!PATH.equals(hs.path())) {
      hs.reject(404);
      return;
    }
    admission.admit(hs.headers(), hs.query(), hs.remoteAddress())
        .onFailure(e -> hs.reject(e instanceof Admission.Refused r ? r.status : 503))
        .onSuccess(admitted -> hs.accept().onComplete(ar -> {
          if (ar.failed()) admission.abandon(admitted);
          else open(ar.result(), admitted);
        }));
  }

  /** Frames past this are refused by the WebSocket layer before the hub reads them (with a close, not a reply). */
  private int hardFrameLimit() {
    return Math.max(services.config().socket().maxFrameBytes() * 4, 1 << 20);
  }

  private void open(ServerWebSocket ws, Admission.Admitted admitted) {
    String id = services.config().nodeId() + ":" + IDS.incrementAndGet();
    Connection[] opened = new Connection[1];
    WebSocketTransport transport = new WebSocketTransport(ws, flushes, () -> {
      services.metrics().error("slow_consumer");
      log.info("disconnecting slow consumer {} ({})", id, admitted.principal() == null ? "anonymous"
          : admitted.principal().userId());
      opened[0].onClosed();
    });
    Connection c = connect(id, transport, admitted);
    opened[0] = c;
    ws.setWriteQueueMaxSize(services.config().socket().outboundQueueBytes());
    ws.textMessageHandler(c::onText);
    ws.binaryMessageHandler(c::onBinary);
    ws.pongHandler(b -> c.onActivity());
    ws.exceptionHandler(e -> {
      log.debug("socket {} error: {}", id, e.getMessage());
      // A frame the WebSocket layer itself refuses (over max(4 × socket.maxFrameBytes, 1 MiB), or malformed) ends the
      // connection: say why in the close frame rather than dropping the TCP connection mute.
      if (e instanceof io.netty.handler.codec.http.websocketx.CorruptedWebSocketFrameException bad) {
        services.metrics().error("payload_too_large");
        c.close((short) bad.closeStatus().code(), bad.closeStatus().code() == 1009
            ? "payload_too_large: a frame over " + hardFrameLimit() + " bytes" : "invalid frame: " + bad.getMessage());
      }
    });
    SocketAddress remote = ws.remoteAddress();
    ws.closeHandler(v -> {
      connections.remove(c);
      c.onClosed();
      gate.closed(remote);
    });
  }

  /** A client's connection on this loop, whatever its transport. */
  private Connection connect(String id, SocketTransport transport, Admission.Admitted admitted) {
    Connection c = new Connection(id, transport, admitted.vsn(), services, channels, changes,
        new SocketSession(services, id, admitted.token(), admitted.claims(), admitted.principal()));
    connections.add(c);
    services.metrics().connectionOpened();
    return c;
  }

  /**
   * An admin ended a user's sessions (admin.AdminSessions): each of the user's subscriptions here ends with reason
   * {@code session_ended}, then the socket closes (4001) saying why. The user's tokens issued until then no longer
   * open a socket.
   */
  private void endSessions(io.vertx.core.json.JsonObject data) {
    String user = data.getString("user");
    JsonObject by = data.getJsonObject("by", new JsonObject());
    String why = "session ended by admin " + by.getString("name", "?") + ": " + data.getString("reason", "");
    for (Connection c : List.copyOf(connections)) {
      if (c.principal() == null || !c.principal().userId().toString().equals(user)) continue;
      c.endAll("session_ended", why);
      // A close reason is at most 123 bytes; the subscriptions' system events above carry the whole text.
      String shortWhy = why;
      while (shortWhy.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 120) {
        shortWhy = shortWhy.substring(0, shortWhy.length() - 2) + "…";
      }
      c.close((short) 4001, shortWhy);
    }
  }

  private void onControl(BusMessage message) {
    if (message instanceof ControlEvent control && "end_sessions".equals(control.name())) {
      endSessions(control.data());
      return;
    }
    if (!(message instanceof ControlEvent control) || !"access_changed".equals(control.name())) return;
    JsonArray users = control.data().getJsonArray("users", new JsonArray());
    Set<String> affected = new HashSet<>();
    users.forEach(u -> affected.add(String.valueOf(u)));
    for (Connection c : connections) {
      if (c.principal() != null && affected.contains(c.principal().userId().toString())) c.reloadAndRecheck();
    }
  }
}
