package com.wedsync.hub.admin;

import com.wedsync.hub.auth.Principal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;

/**
 * The record of what hub admins did with their powers ({@code admin_audit}, migration V12): who, what, on what, when
 * and why. A power is used only once its row is written, so nothing an admin does goes unrecorded.
 */
public final class AdminAudit {
  /** The powers, as {@code admin_audit.action} names them. */
  public static final String BREAK_LOCK = "break_lock";
  public static final String END_SESSIONS = "end_sessions";
  public static final String VIEW_FORM = "view_form";

  private static final String INSERT = """
      insert into admin_audit (admin_id, admin_name, action, target, reason, details, node_id)
      values ($1, $2, $3, $4, $5, $6, $7) returning id, at""";

  private static final String LIST = """
      select id, admin_id, admin_name, action, target, reason, details, node_id, at from admin_audit
       where ($1::int8 is null or id < $1) and ($2::text is null or action = $2)
       order by id desc limit $3""";

  private final Pool db;
  private final String nodeId;

  public AdminAudit(Pool db, String nodeId) {
    this.db = db;
    this.nodeId = nodeId;
  }

  /** Writes one row; answers it as {@link #list} shows rows. */
  public Future<JsonObject> record(Principal admin, String action, String target, String reason, JsonObject details) {
    return db.preparedQuery(INSERT).execute(Tuple.tuple().addValue(admin.userId()).addValue(admin.name())
            .addValue(action).addValue(target).addValue(reason).addValue(details).addValue(nodeId))
        .map(rows -> {
          Row r = rows.iterator().next();
          return new JsonObject().put("id", r.getLong("id")).put("admin", admin.identity()).put("action", action)
              .put("target", target).put("reason", reason).put("details", details).put("node", nodeId)
              .put("at", r.getOffsetDateTime("at").toInstant().toString());
        });
  }

  /** Newest first; {@code before} an id to page back, {@code action} to keep one power's rows. */
  public Future<JsonObject> list(Long before, String action, int limit) {
    return db.preparedQuery(LIST).execute(Tuple.of(before, action, limit)).map(rows -> {
      JsonArray entries = new JsonArray();
      Long last = null;
      for (Row r : rows) {
        last = r.getLong("id");
        OffsetDateTime at = r.getOffsetDateTime("at");
        entries.add(new JsonObject().put("id", last)
            .put("admin", new JsonObject().put("user_id", r.getUUID("admin_id").toString())
                .put("name", r.getString("admin_name")))
            .put("action", r.getString("action")).put("target", r.getString("target"))
            .put("reason", r.getString("reason")).put("details", r.getJsonObject("details"))
            .put("node", r.getString("node_id")).put("at", at.toInstant().toString()));
      }
      return new JsonObject().put("entries", entries)
          .put("next_before", entries.size() == limit ? last : null);
    });
  }
}
