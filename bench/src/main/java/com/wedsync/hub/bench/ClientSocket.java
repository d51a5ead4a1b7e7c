package com.wedsync.hub.bench;

import io.vertx.core.Future;

/** What every load-generator socket (a hub socket, a Socket.IO socket) offers for the end of a run. */
interface ClientSocket {
  /** True once the connection is gone, whichever side closed it. */
  boolean closed();

  /** Closes the connection; never fails. */
  Future<Void> close();
}
