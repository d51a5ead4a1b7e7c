package com.wedsync.hub.form;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** The in-process {@link LockStore}. Operations are tiny and rare next to edits, so one monitor guards them all. */
public final class LocalLockStore implements LockStore {
  private final Map<String, Lease> leases = new HashMap<>();
  private final Map<String, Long> tokens = new HashMap<>();

  private static String ref(UUID formId, String field) {
    return formId + "/" + field;
  }

  private static String key(Lease l) {
    return l.soft() ? ref(l.formId(), l.field()) + "#" + l.connectionId() : ref(l.formId(), l.field());
  }

  @Override
  public synchronized Future<Grant> acquire(Lease wanted, long leaseMs) {
    long now = System.currentTimeMillis();
    String ref = ref(wanted.formId(), wanted.field());
    Lease replaced = null;
    if (!wanted.soft()) {
      Lease current = leases.get(ref);
      if (current != null && current.expiresAt() > now) {
        if (!current.userId().equals(wanted.userId())) return Future.succeededFuture(new Grant(false, current, null));
        replaced = current;
      }
    } else {
      replaced = leases.get(key(wanted));
    }
    long token = tokens.merge(ref, 1L, Long::sum);
    Lease granted = wanted.withToken(token, now + leaseMs);
    leases.put(key(granted), granted);
    return Future.succeededFuture(new Grant(true, granted, replaced));
  }

  @Override
  public synchronized Future<Lease> renew(UUID formId, String field, long token, long leaseMs) {
    Lease l = find(formId, field, token);
    if (l == null || l.expiresAt() <= System.currentTimeMillis()) return Future.succeededFuture(null);
    Lease renewed = l.until(System.currentTimeMillis() + leaseMs);
    leases.put(key(renewed), renewed);
    return Future.succeededFuture(renewed);
  }

  @Override
  public synchronized Future<Lease> release(UUID formId, String field, long token) {
    Lease l = find(formId, field, token);
    if (l != null) leases.remove(key(l));
    return Future.succeededFuture(l);
  }

  @Override
  public synchronized Future<Lease> breakLock(UUID formId, String field) {
    return Future.succeededFuture(leases.remove(ref(formId, field)));
  }

  @Override
  public synchronized Future<Lease> holder(UUID formId, String field) {
    Lease l = leases.get(ref(formId, field));
    return Future.succeededFuture(l != null && l.expiresAt() > System.currentTimeMillis() ? l : null);
  }

  @Override
  public synchronized Future<Long> latestToken(UUID formId, String field) {
    return Future.succeededFuture(tokens.getOrDefault(ref(formId, field), 0L));
  }

  @Override
  public synchronized Future<List<Lease>> releaseConnection(UUID formId, String connectionId) {
    List<Lease> released = new ArrayList<>();
    for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
      Lease l = it.next();
      if (l.formId().equals(formId) && l.connectionId().equals(connectionId)) {
        released.add(l);
        it.remove();
      }
    }
    return Future.succeededFuture(released);
  }

  @Override
  public synchronized Future<List<Lease>> expire(long nowMs) {
    List<Lease> expired = new ArrayList<>();
    for (Iterator<Lease> it = leases.values().iterator(); it.hasNext(); ) {
      Lease l = it.next();
      if (l.expiresAt() <= nowMs) {
        expired.add(l);
        it.remove();
      }
    }
    return Future.succeededFuture(expired);
  }

  @Override
  public synchronized Future<List<Lease>> leases(UUID formId) {
    List<Lease> out = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (Lease l : leases.values()) if (l.formId().equals(formId) && l.expiresAt() > now) out.add(l);
    return Future.succeededFuture(out);
  }

  private Lease find(UUID formId, String field, long token) {
    String ref = ref(formId, field);
    Lease hard = leases.get(ref);
    if (hard != null && hard.token() == token) return hard;
    for (Lease l : leases.values()) {
      if (l.soft() && l.token() == token && l.formId().equals(formId) && l.field().equals(field)) return l;
    }
    return null;
  }
}
