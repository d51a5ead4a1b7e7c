package com.wedsync.hub.backplane;

import io.vertx.core.Future;

/**
 * A job one node does at a time (reading the replication slot): {@link #hold} takes the lease or extends it, and must
 * be repeated well within its time to live; a node that stops repeating it (dead, cut off from Redis) loses it to
 * the next that asks. One node alone always holds it.
 */
public interface Lease {
  /** Takes or extends the lease; true while this node holds it. */
  Future<Boolean> hold();

  /** Gives it up (a graceful stop), so another node need not wait for it to lapse. */
  Future<Void> release();
}
