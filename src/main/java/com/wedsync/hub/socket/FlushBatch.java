package com.wedsync.hub.socket;

import io.vertx.core.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * The WebSockets of one event loop that were written to but not flushed yet. A frame is handed to Netty at once, but
 * the flush (the {@code write} syscall) waits until the loop has finished what it is doing, so every frame a socket
 * got in one loop turn (a burst of {@code field:saved}, a history replay, several busy channels) leaves in one syscall.
 *
 * <p>Why: profiled under P1, two thirds of the hub's event-loop time was the kernel's per-write cost (on loopback the
 * sender also pays for the receiver's TCP processing); flushing each frame on its own paid it once per frame.
 * Single-threaded: used only on its own loop.
 */
final class FlushBatch {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(FlushBatch.class);
  private final Context loop;
  private final List<WebSocketTransport> pending = new ArrayList<>();

  FlushBatch(Context loop) {
    this.loop = loop;
  }

  /** Has {@code t} flushed once the current turn of the loop is over; the caller asks once per turn. */
  void flushLater(WebSocketTransport t) {
    // A task queued on the loop runs after the I/O of the turn: everything read in this turn is written before it.
    if (pending.isEmpty()) loop.runOnContext(v -> flushAll());
    pending.add(t);
  }

  private void flushAll() {
    // Every listed socket is flushed and forgotten, whatever one of them throws: a socket left listed would believe
    // its flush is still coming and never flush again.
    for (int i = 0; i < pending.size(); i++) {
      try {
        pending.get(i).flush();
      } catch (RuntimeException e) {
        log.warn("flushing a socket failed: {}", e.toString());
      }
    }
    pending.clear();
  }
}
