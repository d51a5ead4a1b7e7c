package com.wedsync.hub.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;

/**
 * The delivery side of {@code notification_outbox}. A node claims due rows with {@code FOR UPDATE SKIP LOCKED} and
 * moves their {@code next_attempt_at} past a lease in the same statement, so no other node takes a row while it is in
 * flight; every later update is fenced by the attempt number the claim returned, so a node whose lease ran out cannot
 * overwrite what the next claimer decided.
 */
public final class Outbox {
  private static final String CLAIM = """
      update notification_outbox o
         set attempts = o.attempts + 1, next_attempt_at = now() + $2::bigint * interval '1 millisecond',
             claimed_by = $3
       where o.id in (select id from notification_outbox
                       where status = 'pending' and next_attempt_at <= now() and channel = any($4::text[])
                       order by next_attempt_at, id limit $1
                       for update skip locked)
      returning o.id, o.channel, o.payload, o.attempts""";

  private static final String DELIVERED = """
      update notification_outbox set status = 'delivered', delivered_at = now(), last_error = null
       where id = $1 and attempts = $2 and status = 'pending'""";

  private static final String FAILED = """
      update notification_outbox
         set status = case when attempts >= $3 then 'dead' else 'pending' end,
             next_attempt_at = now() + $4::bigint * interval '1 millisecond', last_error = $5
       where id = $1 and attempts = $2 and status = 'pending'
      returning status""";

  /** A claimed delivery; {@code attempt} counts this one (1 for the first). */
  public record Delivery(long id, String channel, JsonObject payload, int attempt) {}

  private final Pool db;

  public Outbox(Pool db) {
    this.db = db;
  }

  /** Claims up to {@code max} due rows of the given channels (those this node has a webhook for). */
  public Future<List<Delivery>> claim(int max, long leaseMs, String nodeId, List<String> channels) {
    Tuple args = Tuple.tuple().addValue(max).addValue(leaseMs).addValue(nodeId)
        .addValue(channels.toArray(new String[0]));
    return db.preparedQuery(CLAIM).execute(args).map(rows -> {
      List<Delivery> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new Delivery(r.getLong("id"), r.getString("channel"), r.getJsonObject("payload"),
            r.getInteger("attempts")));
      }
      return out;
    });
  }

  /** False when this claim was no longer the row's latest (its lease had run out and another node took it). */
  public Future<Boolean> delivered(Delivery d) {
    return db.preparedQuery(DELIVERED).execute(Tuple.of(d.id(), d.attempt())).map(rows -> rows.rowCount() == 1);
  }

  /** Records a failed attempt: retried after {@code retryInMs}, or {@code dead} once attempts reach the maximum. */
  public Future<String> failed(Delivery d, String error, int maxAttempts, long retryInMs) {
    String shortError = error == null ? "unknown error" : error.length() > 1000 ? error.substring(0, 1000) : error;
    return db.preparedQuery(FAILED).execute(Tuple.tuple().addValue(d.id()).addValue(d.attempt()).addValue(maxAttempts)
            .addValue(retryInMs).addValue(shortError))
        .map(rows -> rows.size() == 0 ? "superseded" : rows.iterator().next().getString("status"));
  }
}
