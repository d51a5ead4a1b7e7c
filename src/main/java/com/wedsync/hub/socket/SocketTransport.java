package com.wedsync.hub.socket;

/**
 * Where a {@link Connection}'s frames go: a WebSocket, or a long-poll session. Everything above it (decoding,
 * channels, replies) is the same whatever the transport; a transport only carries encoded frames and says when the
 * other side is gone.
 */
interface SocketTransport {

  /**
   * Sends one encoded frame. A transport whose client cannot keep up (its outbound backlog passes
   * {@code socket.outboundQueueBytes}) cuts it off instead of buffering without bound, and reports it closed.
   *
   * @param binary a binary frame (realtime-js kind 4); else text
   * @return false when the frame was not sent (the connection is closed, or was cut off just now)
   */
  boolean send(byte[] frame, boolean binary);

  /**
   * Keeps an idle connection's intermediaries from dropping it: a WebSocket pings when it has sent nothing for
   * {@code intervalMs}; a long-poll session needs nothing (its polls are the traffic).
   */
  void keepAlive(long now, long intervalMs);

  /** Ends the connection with a reason the client can read. */
  void close(short code, String reason);

  /** Drops the connection at once, discarding what is queued (a slow consumer). */
  void abort();

  /** Whether binary frames (realtime-js kind 4) can travel; a long-poll session carries text only. */
  default boolean carriesBinary() {
    return true;
  }
}
