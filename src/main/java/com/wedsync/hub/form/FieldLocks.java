package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Field locks as users meet them: focus takes a lease, typing renews it, save/blur/leave/disconnect release it,
 * expiry releases it at the latest a quarter second after the lease ends, owners and admins may break it. Every
 * release is published with its reason.
 */
public final class FieldLocks {
  private static final Logger log = LoggerFactory.getLogger(FieldLocks.class);
  private static final long REAP_EVERY_MS = 250;

  private final LockStore store;
  private final FieldStore fields;
  private final Publisher publisher;
  private final HubMetrics metrics;
  private final String nodeId;
  private final long leaseMs;
  private final long typingThrottleMs;
  private final Map<String, Long> lastTyping = new ConcurrentHashMap<>();
  private FormEvents events = FormEvents.NONE;

  public FieldLocks(LockStore store, FieldStore fields, Publisher publisher, HubMetrics metrics,
                    String nodeId, long leaseMs, long typingThrottleMs) {
    this.store = store;
    this.fields = fields;
    this.publisher = publisher;
    this.metrics = metrics;
    this.nodeId = nodeId;
    this.leaseMs = leaseMs;
    this.typingThrottleMs = typingThrottleMs;
  }

  /** Who hears about what happens here (notifications, activity); set once while the hub is wired. */
  public void listen(FormEvents events) {
    this.events = events;
  }

  /** Starts the reaper that releases expired leases (on every node: each lease is released once by the store). */
  public void start(Vertx vertx) {
    vertx.setPeriodic(REAP_EVERY_MS, id -> store.expire(System.currentTimeMillis())
        .onSuccess(expired -> expired.forEach(l -> released(l, "expired")))
        .onFailure(e -> log.warn("lock expiry sweep failed: {}", e.getMessage())));
  }

  public Future<JsonObject> lock(Editor who, UUID formId, JsonObject json) {
    String key = new Payload(json).field();
    if (!who.access().canWrite()) throw ChannelError.forbidden("viewers cannot lock fields");
    return fields.shape(formId).compose(form -> {
      FieldState field = form.field(key).orElseThrow(() -> new ChannelError("not_found", "no field '" + key + "'"));
      FieldEditor.checkMayEdit(who, field); // a field filled in by the other side is not this side's to lock
      FieldType.LockMode mode = field.definition().type().lockMode();
      if (mode == FieldType.LockMode.NONE) {
        // Nothing to protect (one click sets the whole value, or items merge): answer without a lease.
        return Future.succeededFuture(new JsonObject().put("field", key).put("token", null).put("expires_at", null)
            .put("mode", "none"));
      }
      Lease wanted = new Lease(formId, key, 0, who.userId(), who.name(), who.connectionId(), nodeId, 0,
          mode == FieldType.LockMode.SOFT);
      return store.acquire(wanted, leaseMs).map(grant -> {
        if (!grant.granted()) {
          metrics.lock("denied");
          throw new ChannelError("locked", key + " is being edited by " + grant.lease().name(),
              new JsonObject().put("field", key).put("holder", grant.lease().holder())
                  .put("expires_at", grant.lease().expiresAtIso()));
        }
        metrics.lock("granted");
        Lease lease = grant.lease();
        publisher.durable(form.info().topic(), "field:locked", new JsonObject().put("field", key)
            .put("holder", lease.holder()).put("expires_at", lease.expiresAtIso()).put("soft", lease.soft()));
        return new JsonObject().put("field", key).put("token", lease.token()).put("expires_at", lease.expiresAtIso())
            .put("mode", lease.soft() ? "soft" : "hard");
      });
    });
  }

  public Future<JsonObject> renew(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String key = p.field();
    long token = p.requiredLong("token");
    return store.renew(formId, key, token, leaseMs).map(lease -> {
      if (lease == null || !lease.userId().equals(who.userId())) {
        metrics.lock("stale");
        throw new ChannelError("stale_lock", "token " + token + " no longer holds " + key + "; lock it again",
            new JsonObject().put("field", key));
      }
      metrics.lock("renewed");
      return new JsonObject().put("expires_at", lease.expiresAtIso());
    });
  }

  public Future<JsonObject> unlock(Editor who, UUID formId, JsonObject json) {
    Payload p = new Payload(json);
    String key = p.field();
    long token = p.requiredLong("token");
    // Only the holder unlocks (tokens count up per field, so they are easy to guess); an owner or admin who needs
    // the field breaks the lock instead, which is recorded and tells the holder.
    return store.holder(formId, key).compose(holder -> {
      if (holder != null && holder.token() == token && !holder.userId().equals(who.userId())) {
        throw ChannelError.forbidden(key + " is locked by " + holder.name() + ": only they can unlock it (an owner or "
            + "admin can break the lock)");
      }
      return store.release(formId, key, token);
    }).map(lease -> {
      if (lease == null) {
        throw new ChannelError("stale_lock", "token " + token + " does not hold " + key,
            new JsonObject().put("field", key));
      }
      released(lease, "released");
      return new JsonObject();
    });
  }

  /** Owners and admins may take a lock away; the holder sees {@code broken} with who broke it, and it is recorded. */
  public Future<JsonObject> breakLock(Editor who, UUID formId, JsonObject json) {
    String key = new Payload(json).field();
    if (!who.isSupplier() || !who.access().canManage()) {
      throw ChannelError.forbidden("only a team owner or admin can break a lock");
    }
    return broken(who, formId, key).map(holder -> new JsonObject());
  }

  /**
   * A hub admin ({@code users.is_admin}) takes a lock away from any form: the same {@code field:unlocked} with
   * reason {@code broken}, activity and notification to the holder as a team owner's break. The admin's right was
   * checked (and the break audited) by the caller. Answers the field and who held it.
   */
  public Future<JsonObject> breakLockAsAdmin(Editor admin, UUID formId, String key) {
    return broken(admin, formId, key);
  }

  private Future<JsonObject> broken(Editor who, UUID formId, String key) {
    return store.breakLock(formId, key).compose(lease -> {
      if (lease == null) throw new ChannelError("not_found", key + " is not locked", new JsonObject().put("field", key));
      metrics.lock("broken");
      publisher.durable("form:" + formId, "field:unlocked", new JsonObject().put("field", key).put("reason", "broken")
          .put("by", who.identity()).put("holder", lease.holder()));
      // Recorded (activity) and the holder told (notification) by the listener.
      return fields.shape(formId).map(form -> {
        events.lockBroken(who, form.info(), key, lease.userId(), lease.name());
        return new JsonObject().put("field", key).put("holder", lease.holder());
      });
    });
  }

  /** "X is typing": ephemeral, throttled per user and field, and it keeps the typist's lease alive. */
  public Future<JsonObject> typing(Editor who, UUID formId, JsonObject json) {
    String key = new Payload(json).field();
    // Only someone who may edit the field can be typing in it: a signal about any other field is a forgery.
    return fields.shape(formId).compose(form -> {
      FieldState field = form.field(key).orElseThrow(() -> new ChannelError("not_found", "no field '" + key + "'",
          new JsonObject().put("field", key)));
      FieldEditor.checkMayEdit(who, field);
      return typed(who, formId, key);
    });
  }

  private Future<JsonObject> typed(Editor who, UUID formId, String key) {
    long now = System.currentTimeMillis();
    String k = formId + "/" + key + "/" + who.userId();
    Long last = lastTyping.get(k);
    if (last != null && now - last < typingThrottleMs) return Future.succeededFuture(new JsonObject());
    lastTyping.put(k, now);
    if (lastTyping.size() > 100_000) lastTyping.clear(); // bounded: losing throttle state only lets one extra through
    publisher.ephemeralFrom("form:" + formId, "field:typing", new JsonObject().put("field", key)
        .put("user", who.identity()), who.connectionId());
    return store.holder(formId, key).compose(h -> h != null && h.userId().equals(who.userId())
        ? store.renew(formId, key, h.token(), leaseMs).map(new JsonObject()) : Future.succeededFuture(new JsonObject()));
  }

  /** Hard-locked fields: refuse a write while another user holds the lock, and any write with a stale token. */
  Future<Void> checkWrite(Editor who, UUID formId, FieldState field, Long lockToken) {
    if (field.definition().type().lockMode() != FieldType.LockMode.HARD) return Future.succeededFuture();
    // Both questions at once: they are independent reads, and a write should not wait for two round trips.
    Future<Lease> holderOf = store.holder(formId, field.key());
    Future<Long> latestOf = store.latestToken(formId, field.key());
    return Future.all(holderOf, latestOf).map(both -> {
      Lease holder = holderOf.result();
      long latest = latestOf.result();
      if (lockToken != null && lockToken < latest) {
        metrics.lock("stale");
        throw new ChannelError("stale_lock", "lock token " + lockToken + " is no longer valid for " + field.key()
            + "; lock the field again", new JsonObject().put("field", field.key()));
      }
      if (holder != null && !holder.userId().equals(who.userId())) {
        throw new ChannelError("locked", field.key() + " is being edited by " + holder.name(),
            new JsonObject().put("field", field.key()).put("holder", holder.holder())
                .put("expires_at", holder.expiresAtIso()));
      }
      return null;
    });
  }

  /** A save that said it was the last one (blur) releases the saver's lock with reason {@code saved}. */
  void releaseOnSave(UUID formId, String key, long token) {
    store.release(formId, key, token).onSuccess(lease -> {
      if (lease != null) released(lease, "saved");
    });
  }

  /** Live leases of a form, for reading it over HTTP. */
  public Future<java.util.List<Lease>> leases(UUID formId) {
    return store.leases(formId);
  }

  /** A connection left the form's channel or went away: what it held is released. */
  public void left(UUID formId, String connectionId, String reason) {
    store.releaseConnection(formId, connectionId)
        .onSuccess(leases -> leases.forEach(l -> released(l, reason)))
        .onFailure(e -> log.warn("releasing locks of {} failed: {}", connectionId, e.getMessage()));
  }

  private void released(Lease lease, String reason) {
    metrics.lock(reason);
    publisher.durable("form:" + lease.formId(), "field:unlocked",
        new JsonObject().put("field", lease.field()).put("reason", reason));
  }
}
