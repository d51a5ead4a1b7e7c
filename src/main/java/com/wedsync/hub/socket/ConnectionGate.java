package com.wedsync.hub.socket;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * The door every TCP connection of one event loop passes before it is a request or a socket: at most
 * {@code socket.maxConnectionsPerIp} open connections per address, and a deadline for each connection to send a whole
 * request — right after it opened, and again after each answer on a kept-alive connection. A connection that trickles
 * its headers, or opens and says nothing, is closed when its deadline passes instead of holding a file descriptor
 * forever (Vert.x has no header-read timeout of its own). An upgraded WebSocket has no deadline: its heartbeats and
 * the idle close govern it from then on. Single-threaded: everything runs on the owning loop.
 */
final class ConnectionGate {
  private static final Logger log = LoggerFactory.getLogger(ConnectionGate.class);

  private final Vertx vertx;
  private final ClientLimits limits;
  private final long requestTimeoutMs;
  private final Runnable refused;
  /** Connections waiting for their next request, by remote address (what a WebSocket handshake can name). */
  private final Map<String, Waiting> waiting = new HashMap<>();
  /**
   * Open connections by remote address, to the address they count against. Released once: by the connection's close,
   * or — since an upgraded connection's close is reported by its WebSocket, not the HTTP connection — by the socket's.
   */
  private final Map<String, String> counted = new HashMap<>();

  private record Waiting(HttpConnection connection, long timer) {}

  ConnectionGate(Vertx vertx, ClientLimits limits, long requestTimeoutMs, Runnable refused) {
    this.vertx = vertx;
    this.limits = limits;
    this.requestTimeoutMs = requestTimeoutMs;
    this.refused = refused;
  }

  /** A new TCP connection: counted against its address's cap (closed at once beyond it), then its deadline set. */
  void opened(HttpConnection connection) {
    String address = address(connection.remoteAddress());
    if (!limits.openedFrom(address)) {
      log.info("refused a connection from {}: at most that many open connections per address", address);
      refused.run();
      connection.close();
      return;
    }
    counted.put(String.valueOf(connection.remoteAddress()), address);
    connection.closeHandler(v -> closed(connection.remoteAddress()));
    arm(connection);
  }

  /** A connection (or the WebSocket it became) closed: its place is released, once. */
  void closed(SocketAddress remote) {
    disarm(remote);
    String address = counted.remove(String.valueOf(remote));
    if (address != null) limits.closedFrom(address);
  }

  /** A request's headers arrived: no deadline until it has been answered, then the wait for the next one starts. */
  void request(HttpServerRequest request) {
    disarm(request.remoteAddress());
    HttpConnection connection = request.connection();
    request.response().endHandler(v -> {
      if (!request.response().closed()) arm(connection);
    });
  }

  /** A WebSocket handshake arrived: from here the socket's own heartbeat and idle rules apply. */
  void upgrade(SocketAddress remote) {
    disarm(remote);
  }

  private void arm(HttpConnection connection) {
    String key = String.valueOf(connection.remoteAddress());
    long timer = vertx.setTimer(requestTimeoutMs, id -> {
      Waiting w = waiting.remove(key);
      if (w == null || w.timer() != id) return;
      log.debug("closing {}: no complete request within {} ms", key, requestTimeoutMs);
      refused.run();
      connection.close();
    });
    Waiting previous = waiting.put(key, new Waiting(connection, timer));
    if (previous != null) vertx.cancelTimer(previous.timer());
  }

  private void disarm(SocketAddress remote) {
    Waiting w = waiting.remove(String.valueOf(remote));
    if (w != null) vertx.cancelTimer(w.timer());
  }

  private static String address(SocketAddress remote) {
    return remote == null ? "unknown" : remote.hostAddress();
  }
}
