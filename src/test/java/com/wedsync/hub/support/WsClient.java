package com.wedsync.hub.support;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A raw Phoenix v2 client for tests: sends frames, waits for replies and pushes, and records everything it received
 * (text frames as JSON arrays, binary frames as buffers) so tests can assert on exactly what went over the wire.
 */
public final class WsClient implements AutoCloseable {
  private final WebSocket ws;
  private final LinkedBlockingDeque<Object> inbox = new LinkedBlockingDeque<>();
  private final List<Object> all = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger refs = new AtomicInteger();
  private volatile Short closeStatus;
  private volatile String closeReason;
  /** Set by the close handler, after the status and reason: a socket can report isClosed() before that has run. */
  private volatile boolean closeHandled;

  private WsClient(WebSocket ws) {
    this.ws = ws;
    ws.textMessageHandler(t -> received(t.startsWith("[") ? new JsonArray(t) : new JsonObject(t)));
    ws.binaryMessageHandler(this::received);
    ws.closeHandler(v -> {
      closeStatus = ws.closeStatusCode();
      closeReason = ws.closeReason();
      closeHandled = true;
    });
  }

  /**
   * Both lists change under one lock: a waiter scanning {@code all} could otherwise take a frame that is not in the
   * inbox yet, which the next waiter would then poll a second time (a frame seen twice, out of order).
   */
  private void received(Object frame) {
    synchronized (all) {
      all.add(frame);
      inbox.add(frame);
    }
  }

  public static WsClient connect(Vertx vertx, String url) {
    return connect(vertx, url, MultiMap.caseInsensitiveMultiMap());
  }

  public static WsClient connect(Vertx vertx, String url, MultiMap headers) {
    URI uri = URI.create(url);
    WebSocketClient client = vertx.createWebSocketClient(new WebSocketClientOptions()
        .setMaxFrameSize(16 << 20).setMaxMessageSize(16 << 20));
    WebSocketConnectOptions options = new WebSocketConnectOptions().setHost(uri.getHost()).setPort(uri.getPort())
        .setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())).setHeaders(headers);
    try {
      return new WsClient(client.connect(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
    } catch (Exception e) {
      throw new ConnectFailed(e.getCause() != null ? e.getCause() : e);
    }
  }

  public static final class ConnectFailed extends RuntimeException {
    ConnectFailed(Throwable cause) {
      super(cause.getMessage(), cause);
    }
  }

  public String nextRef() {
    return String.valueOf(refs.incrementAndGet());
  }

  public void send(String joinRef, String ref, String topic, String event, JsonObject payload) {
    ws.writeTextMessage(new JsonArray().add(joinRef).add(ref).add(topic).add(event).add(payload).encode());
  }

  public void sendRaw(String text) {
    ws.writeTextMessage(text);
  }

  public void sendBinary(Buffer data) {
    ws.writeBinaryMessage(data);
  }

  /** Sends a request and returns the {@code phx_reply} payload ({@code {"status","response"}}). */
  public JsonObject request(String topic, String event, JsonObject payload) {
    String ref = nextRef();
    send(joinRefOf(topic), ref, topic, event, payload);
    return replyTo(ref);
  }

  private final java.util.Map<String, String> joinRefs = new java.util.concurrent.ConcurrentHashMap<>();

  private String joinRefOf(String topic) {
    return joinRefs.get(topic);
  }

  public JsonObject join(String topic, JsonObject payload) {
    String ref = nextRef();
    joinRefs.put(topic, ref);
    send(ref, ref, topic, "phx_join", payload);
    return replyTo(ref);
  }

  public JsonObject join(String topic) {
    return join(topic, new JsonObject());
  }

  public JsonObject replyTo(String ref) {
    JsonArray f = await(a -> "phx_reply".equals(a.getString(3)) && ref.equals(a.getString(1)), Duration.ofSeconds(10));
    return f.getJsonObject(4);
  }

  /** Waits for a text frame matching the predicate (frames already received count too). */
  public JsonArray await(Predicate<JsonArray> match, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (all) {
      for (Object o : all) if (o instanceof JsonArray a && match.test(a)) return consume(a);
    }
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("no matching frame within " + timeout + "; received: " + all);
        Object o = inbox.poll(left, TimeUnit.NANOSECONDS);
        if (o instanceof JsonArray a && match.test(a)) return consume(a);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  private JsonArray consume(JsonArray a) {
    synchronized (all) {
      all.remove(a);
      inbox.remove(a);
    }
    return a;
  }

  public JsonArray awaitEvent(String topic, String event) {
    return await(a -> topic.equals(a.getString(2)) && event.equals(a.getString(3)), Duration.ofSeconds(10));
  }

  public Buffer awaitBinary(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (all) {
      for (Object o : all) {
        if (o instanceof Buffer b) {
          all.remove(b);
          inbox.remove(b);
          return b;
        }
      }
    }
    try {
      while (true) {
        long left = deadline - System.nanoTime();
        if (left <= 0) throw new AssertionError("no binary frame within " + timeout);
        Object o = inbox.poll(left, TimeUnit.NANOSECONDS);
        if (o instanceof Buffer b) {
          synchronized (all) { all.remove(b); }
          return b;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted");
    }
  }

  /** Takes the first received frame that matches, without waiting; null when there is none yet. */
  public JsonArray poll(Predicate<JsonArray> match) {
    synchronized (all) {
      for (Object o : all) if (o instanceof JsonArray a && match.test(a)) return consume(a);
    }
    return null;
  }

  /** Text frames received and not yet consumed that match. */
  public List<JsonArray> received(Predicate<JsonArray> match) {
    List<JsonArray> out = new ArrayList<>();
    synchronized (all) {
      for (Object o : all) if (o instanceof JsonArray a && match.test(a)) out.add(a);
    }
    return out;
  }

  /** Waits a little and asserts nothing matching arrived. */
  public void assertNone(Predicate<JsonArray> match, Duration quiet) {
    try {
      Thread.sleep(quiet.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List<JsonArray> got = received(match);
    if (!got.isEmpty()) throw new AssertionError("expected no such frame, got " + got);
  }

  /** Whether the socket closed within {@code timeout}, its close status and reason then known. */
  public boolean awaitClosed(Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (closeHandled) return true;
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return closeHandled;
  }

  public Short closeStatus() {
    return closeStatus;
  }

  public String closeReason() {
    return closeReason;
  }

  public WebSocket socket() {
    return ws;
  }

  @Override
  public void close() {
    if (!ws.isClosed()) ws.close();
  }
}
