package com.wedsync.hub.clients;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code users.last_seen_at}: when each user last had a connection open. Sightings (a connection opening or
 * closing) are kept in memory and written in one statement every few seconds, so ten thousand sockets connecting at
 * once cost a handful of updates rather than ten thousand. A write PostgreSQL refuses is kept for the next round; a
 * later sighting of the same user replaces an earlier one.
 */
public final class LastSeen {
  private static final Logger log = LoggerFactory.getLogger(LastSeen.class);
  private static final String UPDATE = """
      update users u set last_seen_at = greatest(u.last_seen_at, s.at)
        from unnest($1::uuid[], $2::timestamptz[]) as s(id, at)
       where u.id = s.id""";

  private final Pool db;
  private final long intervalMs;
  private final Map<UUID, Instant> pending = new ConcurrentHashMap<>();
  private long timer = -1;
  private Future<Void> writing = Future.succeededFuture();

  public LastSeen(Pool db, long intervalMs) {
    this.db = db;
    this.intervalMs = intervalMs;
  }

  public void start(Vertx vertx) {
    timer = vertx.setPeriodic(intervalMs, id -> flush());
  }

  public void seen(UUID user, Instant at) {
    pending.merge(user, at, (a, b) -> a.isAfter(b) ? a : b);
  }

  /** Writes what is pending now (also at shutdown). */
  public synchronized Future<Void> flush() {
    if (pending.isEmpty()) return writing;
    Map<UUID, Instant> batch = new HashMap<>();
    for (UUID user : pending.keySet()) {
      Instant at = pending.remove(user);
      if (at != null) batch.put(user, at);
    }
    UUID[] ids = batch.keySet().toArray(new UUID[0]);
    OffsetDateTime[] ats = new OffsetDateTime[ids.length];
    for (int i = 0; i < ids.length; i++) ats[i] = batch.get(ids[i]).atOffset(ZoneOffset.UTC);
    writing = db.preparedQuery(UPDATE).execute(Tuple.tuple().addArrayOfUUID(ids).addArrayOfOffsetDateTime(ats))
        .<Void>mapEmpty().recover(e -> {
          log.warn("last_seen_at of {} user(s) not written yet: {}", ids.length, e.getMessage());
          batch.forEach(this::seen);
          return Future.succeededFuture();
        });
    return writing;
  }

  public Future<Void> stop(Vertx vertx) {
    if (timer >= 0) vertx.cancelTimer(timer);
    return flush();
  }
}
