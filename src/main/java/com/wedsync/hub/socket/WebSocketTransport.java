package com.wedsync.hub.socket;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrame;

/**
 * A {@link Connection}'s frames on a WebSocket, and the only class of the hub that touches Netty or Vert.x internals.
 *
 * <p>Why internals: profiled under P1, two thirds of the hub's event-loop time was the kernel's per-write cost. Vert.x's
 * public {@code writeFrame} flushes every frame on its own (and allocates a promise per frame); written here straight
 * into the socket's Netty pipeline, every frame a socket gets in one loop turn leaves in one flush ({@link FlushBatch}),
 * and the backlog is judged in bytes (Netty's writability) rather than queued messages. The pipeline is reached through
 * {@code WebSocketInternal.channelHandlerContext()}, for which Vert.x has no public equivalent. Should it ever hand over
 * a WebSocket without one, the public write path is used instead.
 */
final class WebSocketTransport implements SocketTransport {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(WebSocketTransport.class);

  private final ServerWebSocket ws;
  private final FlushBatch flushes;
  /** The socket's place in Netty's pipeline, or null (then Vert.x's own write path). */
  private final ChannelHandlerContext netty;
  /** Whether this socket lives on its verticle's loop, so its flushes can wait for the end of the loop turn. */
  private final boolean batched;
  private final Runnable onCutOff;
  private boolean flushPending;
  private boolean closed;
  private long lastWrite = System.currentTimeMillis();

  /**
   * @param onCutOff told once when the transport drops a client that could not keep up (the connection is gone)
   */
  WebSocketTransport(ServerWebSocket ws, FlushBatch flushes, Runnable onCutOff) {
    this.ws = ws;
    this.flushes = flushes;
    this.onCutOff = onCutOff;
    this.netty = ws instanceof io.vertx.core.internal.http.WebSocketInternal internal
        ? internal.channelHandlerContext() : null;
    // Asked on the loop that opened the socket: true when Netty runs the socket on that same loop.
    this.batched = netty != null && netty.executor().inEventLoop();
  }

  @Override
  public boolean send(byte[] frame, boolean binary) {
    if (closed) return false;
    if (backlogged()) {
      // A consumer that cannot keep up is cut off rather than buffered without bound (docs/protocol.md §9).
      abort();
      onCutOff.run();
      return false;
    }
    lastWrite = System.currentTimeMillis();
    if (netty == null) {
      ws.writeFrame(binary ? WebSocketFrame.binaryFrame(Buffer.buffer(frame), true)
          : WebSocketFrame.textFrame(new String(frame, java.nio.charset.StandardCharsets.UTF_8), true));
      return true;
    }
    ByteBuf buf = Unpooled.wrappedBuffer(frame);
    // Straight to Netty: no promise, no lock, no Vert.x queue entry per frame. Ordered with Vert.x's own writes
    // (pings, close), which flush whatever is queued before them.
    io.netty.handler.codec.http.websocketx.WebSocketFrame f = binary ? new BinaryWebSocketFrame(true, 0, buf)
        : new TextWebSocketFrame(true, 0, buf);
    if (batched && netty.executor().inEventLoop()) {
      netty.write(f, netty.voidPromise());
      if (!flushPending) {
        flushPending = true;
        flushes.flushLater(this); // one syscall for everything this socket gets in this loop turn
      }
    } else {
      // A reply completed on another thread (a database callback): Netty moves the write onto the socket's loop.
      netty.writeAndFlush(f, netty.voidPromise());
    }
    return true;
  }

  /** Sends what {@link #send} queued in this loop turn (called by the loop's {@link FlushBatch}). */
  void flush() {
    flushPending = false;
    netty.flush();
  }

  /**
   * True when the bytes queued for this client pass the configured bound (Netty's high-water mark, set from
   * {@code socket.outboundQueueBytes}). Vert.x's own {@code writeQueueFull} counts queued messages, not bytes.
   */
  private boolean backlogged() {
    if (netty == null) return ws.writeQueueFull();
    Channel channel = netty.channel();
    if (channel.isWritable() || !channel.isActive()) return false;
    // Frames held for this turn's flush count too: hand them to the kernel first, and judge by what it refuses.
    if (flushPending && netty.executor().inEventLoop()) netty.flush();
    return !channel.isWritable();
  }

  @Override
  public void keepAlive(long now, long intervalMs) {
    if (closed || now - lastWrite <= intervalMs) return;
    ws.writePing(Buffer.buffer());
    lastWrite = now;
  }

  @Override
  public void close(short code, String reason) {
    if (closed) return;
    closed = true;
    ws.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
  }

  /**
   * Drops the TCP connection at once, discarding what is queued. A close handshake would wait behind the very backlog
   * that made the consumer slow, holding its memory (and, measured here, stalling other traffic on the loop).
   */
  @Override
  public void abort() {
    if (closed) return;
    closed = true;
    if (netty == null) {
      ws.close((short) 1008, "slow_consumer");
      return;
    }
    // Below Vert.x's handler, which would turn close() into a graceful handshake; linger 0 resets the TCP connection
    // so the kernel drops its send buffer too.
    Channel channel = netty.channel();
    if (!channel.isActive()) return;
    log.debug("resetting {}", channel.remoteAddress());
    channel.config().setOption(ChannelOption.SO_LINGER, 0);
    channel.pipeline().firstContext().close();
  }
}
