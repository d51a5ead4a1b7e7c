package com.wedsync.hub.external;

import io.vertx.core.Future;

/** One node: it hears each announcement once, so it always handles it. */
public final class LocalChangeClaims implements ChangeClaims {
  @Override
  public Future<Boolean> claim(String name) {
    return Future.succeededFuture(true);
  }
}
