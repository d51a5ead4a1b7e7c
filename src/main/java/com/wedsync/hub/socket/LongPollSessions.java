package com.wedsync.hub.socket;

import com.wedsync.hub.backplane.NodeRelay;
import io.vertx.core.Context;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The long-poll sessions of this node, by token, and the way to reach another node's. A session lives on the event
 * loop that opened it; a request for it may arrive on any loop — and, behind a load balancer, on any node: the token
 * names the node that holds the session, and a request that landed elsewhere is carried there (and its answer back)
 * through the {@link NodeRelay}. If that node is gone, the answer is {@code 410}, and the client opens a new session.
 */
public final class LongPollSessions {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a relayed request may take beyond its own work before the session counts as gone. */
  private static final long RELAY_SLACK_MS = 5_000;

  /** One session: its connection, its transport, and the loop both live on. */
  record Session(String token, Connection connection, LongPollTransport transport, Context loop) {}

  private final Vertx vertx;
  private final NodeRelay relay;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();
  private final Map<String, Promise<JsonObject>> relayed = new ConcurrentHashMap<>();

  public LongPollSessions(Vertx vertx, NodeRelay relay) {
    this.vertx = vertx;
    this.relay = relay;
    relay.onMessage(this::fromRelay);
  }

  /**
   * A fresh token: the node that holds the session, and 128 random bits. The token is the session's only credential
   * once it is open, so it must not be guessable.
   */
  String newToken() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return relay.nodeId() + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The node a token names, or null when it is not one of ours. */
  static String nodeOf(String token) {
    int dot = token.lastIndexOf('.');
    return dot <= 0 ? null : token.substring(0, dot);
  }

  void add(Session s) {
    sessions.put(s.token(), s);
  }

  void remove(String token) {
    sessions.remove(token);
  }

  int size() {
    return sessions.size();
  }

  /** A poll: answered by the session wherever it lives ({@code 410} when it is gone). */
  void poll(String token, Consumer<JsonObject> respond) {
    Session s = sessions.get(token);
    if (s != null) {
      s.loop().runOnContext(v -> {
        s.connection().onActivity();
        s.transport().poll(respond);
      });
    } else {
      elsewhere(token, "poll", null, LongPollTransport.POLL_HOLD_MS, respond);
    }
  }

  /** Frames the client sent: handled in order by the session wherever it lives. */
  void post(String token, String frames, Consumer<JsonObject> respond) {
    Session s = sessions.get(token);
    if (s != null) {
      s.loop().runOnContext(v -> {
        if (s.transport().isClosed()) {
          respond.accept(gone());
          return;
        }
        s.connection().onActivity();
        if (!frames.isBlank()) for (String frame : frames.split("\n")) s.connection().onText(frame);
        respond.accept(s.transport().status(200));
      });
    } else {
      elsewhere(token, "post", frames, 0, respond);
    }
  }

  /** A request for a session this node does not hold: carried to the node the token names, if any. */
  private void elsewhere(String token, String op, String frames, long work, Consumer<JsonObject> respond) {
    String node = nodeOf(token);
    if (node == null || node.equals(relay.nodeId())) {
      respond.accept(gone()); // ours, and closed or expired
      return;
    }
    String id = UUID.randomUUID().toString();
    Promise<JsonObject> answer = Promise.promise();
    relayed.put(id, answer);
    long timer = vertx.setTimer(work + RELAY_SLACK_MS, t -> answer.tryComplete(gone()));
    answer.future().onComplete(ar -> {
      relayed.remove(id);
      vertx.cancelTimer(timer);
      respond.accept(ar.result());
    });
    relay.send(node, new JsonObject().put("id", id).put("from", relay.nodeId()).put("op", op).put("token", token)
        .put("frames", frames)).onSuccess(taken -> {
          if (!taken) answer.tryComplete(gone()); // no such node listens: the session is gone with it
        });
  }

  /** A request another node carried here, or the answer to one this node carried away. */
  private void fromRelay(JsonObject m) {
    String id = m.getString("id");
    if (m.containsKey("answer")) {
      Promise<JsonObject> waiting = id == null ? null : relayed.get(id);
      if (waiting != null) waiting.tryComplete(m.getJsonObject("answer"));
      return;
    }
    String token = m.getString("token");
    String from = m.getString("from");
    if (token == null || from == null || id == null || !sessions.containsKey(token)) {
      if (from != null && id != null) relay.send(from, new JsonObject().put("id", id).put("answer", gone()));
      return;
    }
    Consumer<JsonObject> back = answer -> relay.send(from, new JsonObject().put("id", id).put("answer", answer));
    if ("post".equals(m.getString("op"))) post(token, m.getString("frames", ""), back);
    else poll(token, back);
  }

  private static JsonObject gone() {
    return new JsonObject().put("status", 410);
  }
}
