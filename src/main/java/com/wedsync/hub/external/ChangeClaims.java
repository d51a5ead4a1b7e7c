package com.wedsync.hub.external;

import io.vertx.core.Future;

/**
 * Which node handles a change made outside the hub. Every node LISTENs and so hears every announcement; handling one
 * means reading the row and committing it into the shared hot state, which must happen once (a second commit would
 * be a second version), so exactly one node claims each announcement and the others drop it. Its events then reach
 * every node's subscribers through the bus as any event does.
 */
public interface ChangeClaims {

  /** True for exactly one caller per {@code name} across the cluster (for a while: names are never reused). */
  Future<Boolean> claim(String name);
}
