package com.wedsync.hub.form;

import io.vertx.core.Future;

/**
 * Write-behind persistence of accepted field changes: changes to one field within a batch window collapse to one row
 * write, every change is kept as a revision, {@code field:saved} is published after the commit, and a failed batch is
 * retried while edits keep flowing live. In memory on one node; in Redis (so any node can finish a dead node's work)
 * in a cluster.
 */
public interface SaveBuffer {

  /** What the buffer has done, for tests, benchmarks and /metrics. */
  record Stats(long batches, long rowsWritten, long revisionsWritten, long failures, int pendingFields) {}

  void start();

  /** An accepted change to persist. */
  void add(FieldChange change);

  Stats stats();

  /** Writes everything pending now. Fails when PostgreSQL refused the batch. */
  Future<Void> flush();

  /** Graceful shutdown: stop the timer and write everything, retrying for up to {@code withinMs}. */
  Future<Void> drain(long withinMs);
}
