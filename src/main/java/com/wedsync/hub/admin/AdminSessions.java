package com.wedsync.hub.admin;

import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.BusMessage;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.bus.ControlEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * Ending a user's sessions on every node. The end is recorded first ({@code users.sessions_ended_at}: every token
 * issued until then is refused from now on, see {@code auth.Principals}), then told to every node on the bus topic
 * {@link #TOPIC}; each node hands it to its socket loops as the control event {@link #CONTROL}, and they close the
 * user's sockets with the reason (docs/protocol.md "Admin").
 */
public final class AdminSessions {
  /** Between nodes: no client can join it (no channel family matches). */
  public static final String TOPIC = "hub:admin";
  /** The control event the socket loops act on: {@code {"user": uuid, "reason": text, "by": {user_id, name}}}. */
  public static final String CONTROL = "end_sessions";

  private static final String END = "update users set sessions_ended_at = now() where id = $1 returning sessions_ended_at";

  private final Pool db;
  private final Bus bus;

  public AdminSessions(Pool db, Bus bus) {
    this.db = db;
    this.bus = bus;
  }

  /** Relays the ends other nodes (and this one) publish to this node's socket loops. */
  public void listen() {
    bus.subscribe(TOPIC, this::received);
  }

  private void received(BusMessage message) {
    if (message instanceof ChannelEvent e && CONTROL.equals(e.event())) {
      bus.publish(new ControlEvent(ControlEvent.HUB_TOPIC, CONTROL, e.payload()));
    }
  }

  /** Fails with {@code not_found} for an unknown user (checked before the audit row is written). */
  public Future<String> name(UUID user) {
    return db.preparedQuery("select name from users where id = $1").execute(Tuple.of(user)).map(rows -> {
      if (rows.size() == 0) throw new com.wedsync.hub.channel.ChannelError("not_found", "no user " + user);
      return rows.iterator().next().getString("name");
    });
  }

  /** Fails with {@code not_found} for an unknown user; answers when the end was recorded and published. */
  public Future<OffsetDateTime> end(UUID user, String reason, JsonObject by) {
    return db.preparedQuery(END).execute(Tuple.of(user)).map(rows -> {
      if (rows.size() == 0) throw new com.wedsync.hub.channel.ChannelError("not_found", "no user " + user);
      OffsetDateTime at = rows.iterator().next().getOffsetDateTime("sessions_ended_at");
      bus.publish(ChannelEvent.of(TOPIC, CONTROL, new JsonObject().put("user", user.toString()).put("reason", reason)
          .put("by", by).put("at", at.toInstant().toString())));
      return at;
    });
  }
}
