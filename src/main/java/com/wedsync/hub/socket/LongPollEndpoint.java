package com.wedsync.hub.socket;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Phoenix long-poll transport at {@code /realtime/v1/longpoll} (docs/protocol.md §1.9), for one event loop:
 * the {@code phoenix} client's {@code LongPoll}, which browsers fall back to when a WebSocket cannot open. The same
 * frames, channels, rules and limits as the WebSocket — the session is a {@link Connection} on a
 * {@link LongPollTransport}.
 *
 * <ul>
 *   <li>{@code GET} without {@code token}: admitted like a WebSocket upgrade (same parameters, same checks); opens a
 *       session and answers {@code {"status":410,"token"}} (Phoenix's "here is your session").</li>
 *   <li>{@code GET} with {@code token}: a poll — {@code {"status":200,"token","messages":[…]}} at once when frames
 *       wait, else held up to 15 s and answered {@code 204}; {@code 410} when the session is gone.</li>
 *   <li>{@code POST} with {@code token}: one or more frames, newline-separated ({@code application/x-ndjson}), handled
 *       in order as if they came over a WebSocket; answered {@code {"status":200,"token"}}.</li>
 * </ul>
 * A request may reach any node: {@link LongPollSessions} carries it to the one holding the session.
 * Every answer is HTTP 200 with the status in the body, as the phoenix client reads it, except refusals of a new
 * session, which keep the WebSocket's HTTP statuses (401, 403, 429, …) and tell the client {@code 403} (stop) or
 * {@code 500} (retry later).
 */
final class LongPollEndpoint {
  private static final Logger log = LoggerFactory.getLogger(LongPollEndpoint.class);
  static final String PATH = "/realtime/v1/longpoll";
  /** A batch of frames in one POST: the phoenix client sends at most 100. */
  private static final int MAX_BODY_BYTES = 1 << 20;

  private final Vertx vertx;
  private final Context loop;
  private final SocketServices services;
  private final Admission admission;
  private final LongPollSessions sessions;
  private final Set<Connection> connections;
  private final ConnectionFactory factory;
  private final AtomicLong ids;

  /** Makes this loop's connection for a session's transport. */
  interface ConnectionFactory {
    Connection open(String id, SocketTransport transport, Admission.Admitted admitted);
  }

  LongPollEndpoint(Vertx vertx, Context loop, SocketServices services, Admission admission, LongPollSessions sessions,
                   Set<Connection> connections, AtomicLong ids, ConnectionFactory factory) {
    this.vertx = vertx;
    this.loop = loop;
    this.services = services;
    this.admission = admission;
    this.sessions = sessions;
    this.connections = connections;
    this.ids = ids;
    this.factory = factory;
  }

  void handle(HttpServerRequest req) {
    String token = Admission.params(req.query()).get("token");
    if (token == null || token.isEmpty()) {
      if (req.method() == HttpMethod.GET) open(req);
      else reply(req, 200, new JsonObject().put("status", 410));
    } else if (req.method() == HttpMethod.GET) {
      sessions.poll(token, body -> reply(req, 200, body));
    } else if (req.method() == HttpMethod.POST) {
      post(req, token);
    } else {
      reply(req, 405, new JsonObject().put("status", 405));
    }
  }

  /** A new session, admitted like a WebSocket upgrade. */
  private void open(HttpServerRequest req) {
    admission.admit(req.headers(), req.query(), req.remoteAddress())
        .onFailure(e -> {
          int http = e instanceof Admission.Refused r ? r.status : 503;
          // 401/403: the phoenix client stops; anything else it retries with backoff.
          reply(req, http, new JsonObject().put("status", http == 401 || http == 403 ? 403 : 500)
              .put("reason", e.getMessage()));
        })
        .onSuccess(admitted -> {
          String token = sessions.newToken();
          String id = services.config().nodeId() + ":lp:" + ids.incrementAndGet();
          Connection[] opened = new Connection[1];
          LongPollTransport transport = new LongPollTransport(vertx, loop, token,
              services.config().socket().outboundQueueBytes(), () -> {
                services.metrics().error("slow_consumer");
                log.info("closing long-poll session {}: it stopped taking its frames", id);
                closed(token, opened[0]);
              });
          Connection c = factory.open(id, new ClosingTransport(transport, () -> closed(token, opened[0])), admitted);
          opened[0] = c;
          sessions.add(new LongPollSessions.Session(token, c, transport, loop));
          reply(req, 200, transport.status(410));
        });
  }

  /** The session's end, however it came (idle, slow, server shutdown): released like a closed socket. */
  private void closed(String token, Connection c) {
    sessions.remove(token);
    if (c != null) {
      connections.remove(c);
      c.onClosed();
    }
  }

  private void post(HttpServerRequest req, String token) {
    String length = req.getHeader("content-length");
    if (length == null || length.length() > 9 || !length.chars().allMatch(Character::isDigit)
        || Long.parseLong(length) > MAX_BODY_BYTES) {
      // Not read: answered, and the connection reset, so a huge body is neither buffered nor waited for.
      req.response().putHeader("connection", "close");
      reply(req, length == null ? 411 : 413, new JsonObject().put("status", length == null ? 411 : 413));
      req.response().reset();
      return;
    }
    req.body().onFailure(e -> reply(req, 400, new JsonObject().put("status", 400)))
        .onSuccess(body -> sessions.post(token, body.toString(StandardCharsets.UTF_8), answer -> reply(req, 200,
            answer)));
  }

  private static void reply(HttpServerRequest req, int status, JsonObject body) {
    if (req.response().ended() || req.response().closed()) return;
    req.response().setStatusCode(status).putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store").end(body.encode());
  }

  /** Closing the session's connection also ends the session (the registry and the verticle forget it). */
  private record ClosingTransport(LongPollTransport inner, Runnable onClose) implements SocketTransport {
    public boolean send(byte[] frame, boolean binary) {
      return inner.send(frame, binary);
    }

    public void keepAlive(long now, long intervalMs) {
    }

    public void close(short code, String reason) {
      inner.close(code, reason);
      onClose.run();
    }

    public void abort() {
      inner.abort();
      onClose.run();
    }

    public boolean carriesBinary() {
      return false;
    }
  }
}
