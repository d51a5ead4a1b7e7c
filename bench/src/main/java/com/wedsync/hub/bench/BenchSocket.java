package com.wedsync.hub.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A tiny non-blocking Phoenix Channels (vsn 2.0.0) client for the load generator: requests carry a ref and complete a
 * future with the {@code phx_reply} payload ({@code {"status","response"}}); pushes are counted and, when asked,
 * handed over undecoded.
 *
 * <p>Threading: everything about one socket (its pending map, its refs, its timers) runs on the event loop thread the
 * socket was opened on, so nothing here needs a lock. Callers on other threads are moved onto that loop.
 */
final class BenchSocket implements ClientSocket {
  /** The hub's heartbeat expectation is 25–30 s (docs/protocol.md §1.7); a silent socket is closed after 60 s. */
  private static final long HEARTBEAT_MS = 25_000;

  private final Vertx vertx;
  private final WebSocket ws;
  private final SocketLoop loop;
  private final Map<String, Promise<JsonObject>> pending = new HashMap<>();
  private final Map<String, String> joinRefs = new HashMap<>();
  private long nextRef;
  private volatile long pushes; // written only by this socket's event loop, read by the benchmark's main thread
  private long heartbeatTimer = -1;
  private volatile boolean closed;
  private io.vertx.core.Handler<Buffer> pushHandler;

  private BenchSocket(Vertx vertx, WebSocket ws, SocketLoop loop) {
    this.vertx = vertx;
    this.ws = ws;
    this.loop = loop;
    ws.handler(this::onFrame);
    ws.exceptionHandler(e -> { }); // a reset shows up as a close; the pending requests are failed there
    ws.closeHandler(v -> onClosed());
    heartbeatTimer = vertx.setPeriodic(HEARTBEAT_MS, id -> request("phoenix", "heartbeat", new JsonObject()));
  }

  /** Opens {@code ws://host:port/realtime/v1/websocket?vsn=2.0.0&apikey=TOKEN} on whichever event loop Vert.x picks. */
  static Future<BenchSocket> connect(Vertx vertx, WebSocketClient client, String host, int port, String token) {
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(host).setPort(port)
        .setURI("/realtime/v1/websocket?vsn=2.0.0&apikey=" + token);
    return SocketLoop.open(vertx, client, options).map(o -> new BenchSocket(vertx, o.ws(), o.loop()));
  }

  Context context() {
    return loop.context();
  }

  @Override
  public boolean closed() {
    return closed;
  }

  /** Hands every push (a frame that is not a reply) to {@code handler} as raw bytes, on this socket's loop. */
  void onPush(io.vertx.core.Handler<Buffer> handler) {
    this.pushHandler = handler;
  }

  /** Pushes (frames that are not replies) seen so far. */
  long pushes() {
    return pushes;
  }

  /** Joins {@code topic} (as sent, e.g. {@code realtime:form:ID}); fails unless the reply is ok. */
  Future<JsonObject> join(String topic, JsonObject payload) {
    return onContext(() -> {
      String ref = ref();
      joinRefs.put(topic, ref);
      return send(ref, ref, topic, "phx_join", payload.encode());
    }).compose(reply -> "ok".equals(reply.getString("status")) ? Future.succeededFuture(reply.getJsonObject("response"))
        : Future.failedFuture("join " + topic + " refused: " + reply.encode()));
  }

  /** Sends a request and completes with its {@code phx_reply} payload, ok or error alike. */
  Future<JsonObject> request(String topic, String event, JsonObject payload) {
    return onContext(() -> send(joinRefs.get(topic), ref(), topic, event, payload.encode()));
  }

  /**
   * The same with the payload already encoded as JSON. The benchmark's hot paths build their small payloads by hand:
   * a Jackson pass per frame costs the load generator a fifth of its CPU, which it shares with the hub.
   */
  Future<JsonObject> requestJson(String topic, String event, String payloadJson) {
    return onContext(() -> send(joinRefs.get(topic), ref(), topic, event, payloadJson));
  }

  /** Tracks this client's presence on {@code topic} (joined with presence enabled); fails unless the reply is ok. */
  Future<Void> track(String topic) {
    return requestJson(topic, "presence",
        "{\"type\":\"presence\",\"event\":\"track\",\"payload\":{\"status\":\"active\"}}")
        .compose(r -> "ok".equals(r.getString("status")) ? Future.<Void>succeededFuture()
            : Future.failedFuture("track on " + topic + " refused: " + BenchKit.reason(r)));
  }

  @Override
  public Future<Void> close() {
    return onContext(() -> ws.close()).recover(e -> Future.succeededFuture());
  }

  private String ref() {
    return Long.toString(++nextRef);
  }

  private Future<JsonObject> send(String joinRef, String ref, String topic, String event, String payloadJson) {
    if (closed) return Future.failedFuture(new SocketClosed());
    Promise<JsonObject> reply = Promise.promise();
    pending.put(ref, reply);
    // Refs are digits, topics "realtime:form:UUID" or "phoenix", events plain names: nothing here needs escaping.
    ws.writeTextMessage("[" + quoted(joinRef) + ",\"" + ref + "\",\"" + topic + "\",\"" + event + "\"," + payloadJson
        + "]");
    return reply.future();
  }

  private static String quoted(String s) {
    return s == null ? "null" : "\"" + s + "\"";
  }

  /**
   * One frame from the hub (it sends every message as one final text frame). Only replies are decoded: at 1,000
   * editors the hub pushes up to 100,000 field:changed frames a second, and turning each into a String and JSON would
   * make the load generator, not the hub, the bottleneck. The event name is the fourth element, after two short refs
   * and the topic, so a look at the frame's head is enough.
   */
  private void onFrame(Buffer data) {
    if (!isReply(data)) {
      pushes++;
      if (pushHandler != null) pushHandler.handle(data);
      return;
    }
    JsonArray frame = new JsonArray(data);
    Promise<JsonObject> p = pending.remove(frame.getString(1));
    if (p != null) p.complete(frame.getJsonObject(4));
  }

  private static final byte[] REPLY = OpMarker.ascii("\"phx_reply\"");

  /** True when the frame's event is {@code "phx_reply"}: compared in place, nothing decoded. */
  private static boolean isReply(Buffer data) {
    return OpMarker.at(data, REPLY, OpMarker.eventStart(data));
  }

  private void onClosed() {
    closed = true;
    if (heartbeatTimer >= 0) vertx.cancelTimer(heartbeatTimer);
    List<Promise<JsonObject>> lost = new ArrayList<>(pending.values());
    pending.clear();
    lost.forEach(p -> p.tryFail(new SocketClosed()));
  }

  private <T> Future<T> onContext(java.util.function.Supplier<Future<T>> action) {
    return loop.run(action);
  }

  /** The socket closed before the reply came: for the benchmark, a lost ack. */
  static final class SocketClosed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    SocketClosed() {
      super("socket closed before the reply", null, false, false);
    }
  }
}
