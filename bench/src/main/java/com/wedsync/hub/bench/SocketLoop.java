package com.wedsync.hub.bench;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.internal.VertxInternal;

import java.util.function.Supplier;

/**
 * The event loop one load-generator socket lives on. Each socket gets a fresh context (Vert.x hands those out
 * round-robin over its event loops), and everything about the socket runs there, so its state needs no lock; callers
 * on other threads are moved onto it.
 */
record SocketLoop(Context context, Thread thread) {

  /** Opens a WebSocket on a fresh event-loop context; completes with the socket and its loop. */
  static Future<Opened> open(Vertx vertx, WebSocketClient client, WebSocketConnectOptions options) {
    Context ctx = ((VertxInternal) vertx).createEventLoopContext();
    Promise<Opened> result = Promise.promise();
    ctx.runOnContext(v -> {
      SocketLoop loop = new SocketLoop(ctx, Thread.currentThread());
      client.connect(options).map(ws -> new Opened(ws, loop)).onComplete(result);
    });
    return result.future();
  }

  record Opened(WebSocket ws, SocketLoop loop) {}

  /** Runs {@code action} on this loop: at once when already there, else as a task. */
  <T> Future<T> run(Supplier<Future<T>> action) {
    if (Thread.currentThread() == thread) return action.get();
    Promise<T> p = Promise.promise();
    context.runOnContext(v -> action.get().onComplete(p));
    return p.future();
  }
}
