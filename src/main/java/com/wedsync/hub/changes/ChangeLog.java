package com.wedsync.hub.changes;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The row changes the hub has read, in PostgreSQL ({@code hub_change_log}): what a client that was away replays from
 * its position, across hub restarts and on any node. Positions are the log's ids, in the order the changes were read
 * (commit order); the epoch names the log, so a position from another database is recognised as foreign.
 */
final class ChangeLog {
  /** A change as logged: its position and the change as clients' views are made from it. */
  record Entry(long id, JsonObject change) {}

  /** One change to log: where in which transaction it is, and what it is. */
  record Pending(long commitLsn, int seq, Instant committedAt, String table, JsonObject change) {}

  /** What a replay found: the entries after the position, or that the log no longer reaches back to it. */
  record Replay(boolean recovered, List<Entry> entries) {}

  static final int MAX_REPLAY = 10_000;

  private final Pool db;
  private volatile String epoch;

  ChangeLog(Pool db) {
    this.db = db;
  }

  Future<String> epoch() {
    if (epoch != null) return Future.succeededFuture(epoch);
    return db.query("select epoch from hub_change_log_epoch limit 1").execute().map(rows -> {
      epoch = rows.iterator().next().getString("epoch");
      return epoch;
    });
  }

  /**
   * Logs the changes (in their order); a change logged before (a transaction read again after a restart or a
   * hand-over) keeps its first position.
   *
   * @return every change's entry, new or not, by position: the reader that died may have logged one without
   *         publishing it, so what is read again is published again (subscribers skip positions they had)
   */
  Future<List<Entry>> append(List<Pending> changes) {
    if (changes.isEmpty()) return Future.succeededFuture(List.of());
    int n = changes.size();
    String[] lsns = new String[n];
    Integer[] seqs = new Integer[n];
    OffsetDateTime[] ats = new OffsetDateTime[n];
    String[] tables = new String[n];
    String[] bodies = new String[n];
    for (int i = 0; i < n; i++) {
      Pending p = changes.get(i);
      lsns[i] = lsn(p.commitLsn());
      seqs[i] = p.seq();
      ats[i] = p.committedAt().atOffset(ZoneOffset.UTC);
      tables[i] = p.table();
      bodies[i] = p.change().encode();
    }
    return db.preparedQuery("""
            insert into hub_change_log (commit_lsn, seq, committed_at, tbl, change)
            select l::pg_lsn, s, t, tb, c::jsonb
              from unnest($1::text[], $2::int[], $3::timestamptz[], $4::text[], $5::text[])
                   with ordinality as u(l, s, t, tb, c, ord)
             order by ord
            on conflict (commit_lsn, seq) do update set tbl = excluded.tbl
            returning id, commit_lsn::text as lsn, seq""")
        .execute(Tuple.tuple().addArrayOfString(lsns).addArrayOfInteger(seqs).addArrayOfOffsetDateTime(ats)
            .addArrayOfString(tables).addArrayOfString(bodies))
        .map(rows -> {
          // Rows come back by position, not in the order sent: matched by (lsn, seq) through one map, not a scan
          // per row — a backlog makes batches of hundreds, and a quadratic match made the backlog grow.
          java.util.Map<String, Pending> byPosition = new java.util.HashMap<>(n * 2);
          for (int i = 0; i < n; i++) byPosition.put(lsns[i] + "#" + seqs[i], changes.get(i));
          List<Entry> logged = new ArrayList<>(n);
          for (Row r : rows) {
            Pending p = byPosition.get(r.getString("lsn") + "#" + r.getInteger("seq"));
            if (p != null) logged.add(new Entry(r.getLong("id"), p.change()));
          }
          logged.sort(Comparator.comparingLong(Entry::id));
          return logged;
        });
  }

  /** The entries strictly between two positions, of every table (what a node's subscribers missed). */
  Future<List<Entry>> between(long after, long before) {
    return db.preparedQuery("""
            select id, change::text as change from hub_change_log where id > $1 and id < $2 order by id limit $3""")
        .execute(Tuple.of(after, before, MAX_REPLAY))
        .map(rows -> {
          List<Entry> entries = new ArrayList<>();
          for (Row r : rows) entries.add(new Entry(r.getLong("id"), new JsonObject(r.getString("change"))));
          return entries;
        });
  }

  /** The latest position (0 when nothing was ever logged). */
  Future<Long> top() {
    return db.query("select coalesce(max(id), 0) as top from hub_change_log").execute()
        .map(rows -> rows.iterator().next().getLong("top"));
  }

  /**
   * The entries of {@code tables} after {@code since}, at most {@link #MAX_REPLAY}; not recovered when the log was
   * trimmed past {@code since} (entries the client never saw are gone) or when there are more than that. (Ids have
   * gaps — a transaction read twice uses up ids — so the trim is recorded rather than guessed from the oldest id.)
   */
  Future<Replay> since(long since, List<String> tables) {
    return db.query("select trimmed_to from hub_change_log_epoch").execute().compose(t -> {
      if (since < t.iterator().next().getLong("trimmed_to")) {
        return Future.succeededFuture(new Replay(false, List.of()));
      }
      return db.preparedQuery("""
              select id, change::text as change from hub_change_log where id > $1 and tbl = any($2)
               order by id limit $3""")
          .execute(Tuple.of(since, tables.toArray(new String[0]), MAX_REPLAY + 1))
          .map(rows -> {
            List<Entry> entries = new ArrayList<>();
            for (Row r : rows) entries.add(new Entry(r.getLong("id"), new JsonObject(r.getString("change"))));
            return entries.size() > MAX_REPLAY ? new Replay(false, List.of()) : new Replay(true, entries);
          });
    });
  }

  /** Drops what is older than {@code keepMs}. */
  Future<Integer> trim(long keepMs) {
    return db.preparedQuery("""
            with gone as (delete from hub_change_log where logged_at < now() - make_interval(secs => $1) returning id)
            update hub_change_log_epoch set trimmed_to = greatest(trimmed_to, (select coalesce(max(id), 0) from gone))
            returning (select count(*) from gone) as n""")
        .execute(Tuple.of(keepMs / 1000.0)).map(rows -> rows.iterator().next().getLong("n").intValue());
  }

  static String lsn(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase() + "/" + Long.toHexString(lsn & 0xFFFFFFFFL).toUpperCase();
  }
}
