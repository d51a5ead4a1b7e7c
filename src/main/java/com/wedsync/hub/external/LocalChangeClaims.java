package com.wedsync.hub.external;

import io.vertx.core.Future;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One node: it hears each announcement once, so its first claim of a name always wins; a name claimed again (within
 * the last {@value #KEPT} names) is refused, as the cluster's claims are.
 */
public final class LocalChangeClaims implements ChangeClaims {
  static final int KEPT = 10_000;

  private final Map<String, Boolean> claimed = new LinkedHashMap<>(256, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > KEPT;
    }
  };

  @Override
  public synchronized Future<Boolean> claim(String name) {
    return Future.succeededFuture(claimed.put(name, Boolean.TRUE) == null);
  }
}
