package com.wedsync.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny Socket.IO 4 client (Engine.IO v4 over WebSocket only, Socket.IO protocol v5, default namespace) for the peer
 * comparison. Packets are text frames: Engine.IO type digit, then for messages ({@code 4}) the Socket.IO type digit,
 * an optional ack id and a JSON array: {@code 42["event",arg]}, {@code 4217["event",arg]} → {@code 4317[…]}.
 *
 * <p>Threading as {@link BenchSocket}: all state belongs to the socket's event loop.
 */
final class EngineIoSocket implements ClientSocket {
  private final WebSocket ws;
  private final SocketLoop loop;
  private final Promise<EngineIoSocket> connected = Promise.promise();
  private final Map<Long, Promise<Buffer>> acks = new HashMap<>();
  private long nextAck;
  private volatile boolean closed;
  private Handler<Buffer> eventHandler = b -> { };

  private EngineIoSocket(WebSocket ws, SocketLoop loop) {
    this.ws = ws;
    this.loop = loop;
    ws.handler(this::onFrame);
    ws.exceptionHandler(e -> { }); // a reset shows up as a close
    ws.closeHandler(v -> onClosed());
  }

  /**
   * Opens {@code ws://host:port/socket.io/?EIO=4&transport=websocket} and connects to the default namespace;
   * completes once the server confirmed that ({@code 40{"sid":…}}).
   */
  static Future<EngineIoSocket> connect(Vertx vertx, WebSocketClient client, String host, int port) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port)
        .setURI("/socket.io/?EIO=4&transport=websocket");
    return SocketLoop.open(vertx, client, options).compose(o -> new EngineIoSocket(o.ws(), o.loop()).connected.future());
  }

  /** Every event packet ({@code 42[…]}) as received, raw, on this socket's loop. */
  void onEvent(Handler<Buffer> handler) {
    this.eventHandler = handler;
  }

  @Override
  public boolean closed() {
    return closed;
  }

  /** Emits {@code event} with one argument given as JSON, asking for an ack; completes with the ack's JSON array. */
  Future<Buffer> emitWithAck(String event, String argJson) {
    return loop.run(() -> {
      if (closed) return Future.failedFuture(new BenchSocket.SocketClosed());
      long id = ++nextAck;
      Promise<Buffer> ack = Promise.promise();
      acks.put(id, ack);
      // Event names here are plain words: nothing to escape.
      ws.writeTextMessage("42" + id + "[\"" + event + "\"," + argJson + "]");
      return ack.future();
    });
  }

  @Override
  public Future<Void> close() {
    return loop.run(() -> ws.close()).recover(e -> Future.succeededFuture());
  }

  private void onFrame(Buffer data) {
    if (data.length() == 0) return;
    switch (data.getByte(0)) {
      case '0' -> ws.writeTextMessage("40"); // Engine.IO open: now connect to the default namespace
      case '2' -> ws.writeTextMessage("3"); // the server's ping, answered at once (it closes silent clients)
      case '1' -> ws.close();
      case '4' -> onMessage(data);
      default -> { } // noop (6) and the like
    }
  }

  private void onMessage(Buffer data) {
    if (data.length() < 2) return;
    switch (data.getByte(1)) {
      case '0' -> connected.tryComplete(this);
      case '4' -> connected.tryFail("Socket.IO refused the namespace connect: " + data);
      case '2' -> eventHandler.handle(data);
      case '3' -> {
        int i = 2;
        long id = 0;
        while (i < data.length() && Character.isDigit(data.getByte(i))) id = id * 10 + (data.getByte(i++) - '0');
        Promise<Buffer> p = acks.remove(id);
        if (p != null) p.complete(data.slice(i, data.length()));
      }
      default -> { }
    }
  }

  private void onClosed() {
    closed = true;
    connected.tryFail("closed before the namespace connect");
    List<Promise<Buffer>> lost = new ArrayList<>(acks.values());
    acks.clear();
    lost.forEach(p -> p.tryFail(new BenchSocket.SocketClosed()));
  }
}
