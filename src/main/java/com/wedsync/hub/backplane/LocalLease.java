package com.wedsync.hub.backplane;

import io.vertx.core.Future;

/** One node: nobody else could hold it. */
final class LocalLease implements Lease {
  @Override
  public Future<Boolean> hold() {
    return Future.succeededFuture(true);
  }

  @Override
  public Future<Void> release() {
    return Future.succeededFuture();
  }
}
