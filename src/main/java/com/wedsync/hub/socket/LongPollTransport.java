package com.wedsync.hub.socket;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * A {@link Connection}'s frames on a long-poll session (the transport of the {@code phoenix} client's {@code LongPoll},
 * docs/protocol.md §1): frames wait in a queue until the client's next poll takes them; a poll that finds none is held
 * until one arrives or {@link #POLL_HOLD_MS} passes. The queue is bounded like a WebSocket's backlog
 * ({@code socket.outboundQueueBytes}): a client that stops polling while frames keep coming is cut off.
 * Single-threaded: used on the session's event loop.
 */
final class LongPollTransport implements SocketTransport {
  /** How long a poll is held when nothing waits: under the phoenix client's 20 s poll timeout. */
  static final long POLL_HOLD_MS = 15_000;

  private final Vertx vertx;
  private final Context loop;
  private final String token;
  private final long maxQueuedBytes;
  private final Runnable onCutOff;
  private final ArrayDeque<String> queue = new ArrayDeque<>();
  private long queuedBytes;
  private Consumer<JsonObject> waiting;
  private long holdTimer = -1;
  private boolean answerScheduled;
  private boolean closed;

  LongPollTransport(Vertx vertx, Context loop, String token, long maxQueuedBytes, Runnable onCutOff) {
    this.vertx = vertx;
    this.loop = loop;
    this.token = token;
    this.maxQueuedBytes = maxQueuedBytes;
    this.onCutOff = onCutOff;
  }

  @Override
  public boolean send(byte[] frame, boolean binary) {
    if (closed || binary) return false; // binary frames are never asked for: see carriesBinary
    queue.add(new String(frame, StandardCharsets.UTF_8));
    queuedBytes += frame.length;
    if (queuedBytes > maxQueuedBytes) {
      abort();
      onCutOff.run();
      return false;
    }
    if (waiting != null && !answerScheduled) {
      // Everything this loop turn produces goes in one answer.
      answerScheduled = true;
      loop.runOnContext(v -> {
        answerScheduled = false;
        if (waiting != null && !queue.isEmpty()) answer();
      });
    }
    return true;
  }

  /**
   * A poll: answered at once with what waits, else held. A second poll while one is held answers the first
   * ({@code 204}) — the client only ever has one outstanding.
   *
   * @param respond gets the body: {@code {"status":200,"token","messages":[…]}}, {@code 204} or {@code 410}
   */
  void poll(Consumer<JsonObject> respond) {
    if (closed) {
      respond.accept(status(410));
      return;
    }
    if (waiting != null) release(204);
    waiting = respond;
    if (!queue.isEmpty()) {
      answer();
      return;
    }
    holdTimer = vertx.setTimer(POLL_HOLD_MS, id -> {
      holdTimer = -1;
      if (waiting == respond) release(204);
    });
  }

  private void answer() {
    JsonArray messages = new JsonArray();
    while (!queue.isEmpty()) messages.add(queue.poll());
    queuedBytes = 0;
    Consumer<JsonObject> respond = takeWaiting();
    respond.accept(status(200).put("messages", messages));
  }

  private void release(int status) {
    Consumer<JsonObject> respond = takeWaiting();
    if (respond != null) respond.accept(status(status));
  }

  private Consumer<JsonObject> takeWaiting() {
    Consumer<JsonObject> respond = waiting;
    waiting = null;
    if (holdTimer >= 0) {
      vertx.cancelTimer(holdTimer);
      holdTimer = -1;
    }
    return respond;
  }

  JsonObject status(int status) {
    return new JsonObject().put("status", status).put("token", token);
  }

  boolean isClosed() {
    return closed;
  }

  @Override
  public void keepAlive(long now, long intervalMs) {
    // The polls are the traffic: nothing to keep alive.
  }

  /** The session ends: a held poll learns it is gone (410), and so does every later request. */
  @Override
  public void close(short code, String reason) {
    if (closed) return;
    closed = true;
    queue.clear();
    queuedBytes = 0;
    release(410);
  }

  @Override
  public void abort() {
    close((short) 1008, "slow_consumer");
  }

  @Override
  public boolean carriesBinary() {
    return false;
  }
}
