package com.wedsync.hub.form;

import io.vertx.core.Future;

import java.util.List;
import java.util.UUID;

/**
 * Field locks with leases and fencing tokens. In-process for one node; in a cluster one Redis script per operation
 * keeps the lease and the fencing counter consistent across nodes.
 */
public interface LockStore {

  /**
   * Grants {@code wanted} (its token and expiry are assigned here) unless another user holds a live exclusive lease
   * on the field; then answers that lease with {@code granted == false}. A user re-locking replaces their own lease.
   */
  Future<Grant> acquire(Lease wanted, long leaseMs);

  record Grant(boolean granted, Lease lease, Lease replaced) {}

  /** Extends the lease holding {@code token}; null when that token no longer holds the field. */
  Future<Lease> renew(UUID formId, String field, long token, long leaseMs);

  /** Releases the lease holding {@code token}; the released lease, or null. */
  Future<Lease> release(UUID formId, String field, long token);

  /** Removes whatever exclusive lease holds the field; the broken lease, or null. */
  Future<Lease> breakLock(UUID formId, String field);

  /** The live exclusive lease on the field, or null. */
  Future<Lease> holder(UUID formId, String field);

  /** The newest fencing token ever issued for the field (0 when none). */
  Future<Long> latestToken(UUID formId, String field);

  /** Every lease the connection holds on the form, released. */
  Future<List<Lease>> releaseConnection(UUID formId, String connectionId);

  /** Every lease whose time is up, released. */
  Future<List<Lease>> expire(long nowMs);

  /** All live leases on a form (for reading the form over HTTP). */
  Future<List<Lease>> leases(UUID formId);
}
