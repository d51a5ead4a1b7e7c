package com.wedsync.hub.auth;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Reads a user and their memberships in one round trip, and refuses a token issued before an admin ended the user's
 * sessions ({@code users.sessions_ended_at}, admin powers).
 */
public final class Principals {
  private static final String LOAD = """
      select u.name, u.avatar_url, u.is_admin, u.invisible,
             floor(extract(epoch from u.sessions_ended_at))::int8 as sessions_ended,
             (select coalesce(json_object_agg(tm.supplier_id, tm.role), '{}') from team_members tm
               where tm.user_id = u.id)::text as teams,
             (select coalesce(array_agg(cm.couple_id), '{}') from couple_members cm where cm.user_id = u.id) as couples
        from users u where u.id = $1""";

  private final Pool pool;

  public Principals(Pool pool) {
    this.pool = pool;
  }

  /** Fails with {@link AuthFailure} {@code unauthorized} when the token's subject is not a known user. */
  public Future<Principal> load(Claims claims) {
    return pool.preparedQuery(LOAD).execute(Tuple.of(claims.subject())).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(new AuthFailure("unauthorized", "unknown user " + claims.subject()));
      }
      Row r = rows.iterator().next();
      Long ended = r.getLong("sessions_ended");
      if (ended != null && claims.issuedAt() <= ended) {
        return Future.failedFuture(new AuthFailure("unauthorized", "an admin ended this user's sessions at "
            + java.time.Instant.ofEpochSecond(ended) + ": tokens issued until then are refused; sign in again"));
      }
      Map<UUID, String> teams = new HashMap<>();
      new io.vertx.core.json.JsonObject(r.getString("teams"))
          .forEach(e -> teams.put(UUID.fromString(e.getKey()), (String) e.getValue()));
      Set<UUID> couples = new HashSet<>();
      for (Object id : r.getArrayOfUUIDs("couples")) couples.add((UUID) id);
      return Future.succeededFuture(new Principal(claims.subject(), r.getString("name"), r.getString("avatar_url"),
          r.getBoolean("is_admin"), r.getBoolean("invisible"), Map.copyOf(teams), Set.copyOf(couples),
          claims.expiresAt()));
    });
  }
}
