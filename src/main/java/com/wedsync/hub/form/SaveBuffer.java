package com.wedsync.hub.form;

import io.vertx.core.Future;

/**
 * Write-behind persistence of accepted field changes: changes to one field within a batch window collapse to one row
 * write, every change is kept as a revision, {@code field:saved} is published after the commit, and a failed batch is
 * retried while edits keep flowing live. In memory on one node; in Redis (so any node can finish a dead node's work)
 * in a cluster.
 */
public interface SaveBuffer {

  /**
   * What the buffer has done, for tests, benchmarks and /metrics.
   *
   * @param deadLetters      changes PostgreSQL refused and that were parked instead of written
   * @param oldestPendingMs  age of the oldest accepted change not written yet (0: none)
   */
  record Stats(long batches, long rowsWritten, long revisionsWritten, long failures, int pendingFields,
               long deadLetters, long oldestPendingMs) {}

  void start();

  /** An accepted change to persist. */
  void add(FieldChange change);

  Stats stats();

  /** Writes everything pending now. Fails when PostgreSQL refused the batch. */
  Future<Void> flush();

  /**
   * Age of the oldest accepted change this node knows is not in PostgreSQL yet (0 when none): a backlog that keeps
   * growing means saves are not draining, which {@code /ready} and the metrics report.
   */
  long oldestPendingAgeMs();

  /**
   * Graceful shutdown: stop the timer and write everything, retrying for up to {@code withinMs}; what still cannot
   * be written is kept where the next start (or another node) will write it. Fails only if that too failed.
   */
  Future<Void> drain(long withinMs);
}
