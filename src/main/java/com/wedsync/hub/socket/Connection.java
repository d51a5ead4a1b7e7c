package com.wedsync.hub.socket;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.changes.ChangeListeners;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.ClientRequest;
import com.wedsync.hub.channel.EventHandler;
import com.wedsync.hub.channel.LocalChannels;
import com.wedsync.hub.channel.Subscriber;
import com.wedsync.hub.channel.Subscription;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.history.Recovery;
import com.wedsync.hub.bus.StreamPosition;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static com.wedsync.hub.socket.FrameSender.EMPTY;

/**
 * One client connection, whatever carries it (a WebSocket, a long-poll session): it decodes the client's frames and
 * multiplexes them — heartbeats, joins and leaves, token refreshes on {@code phoenix} and channel topics, and every
 * other event to the feature registered for it ({@code EventHandlers}: forms, broadcast, presence). Who the client is
 * lives in its {@link SocketSession}; what it is sent goes through its {@link FrameSender}. Everything here runs on the
 * connection's event loop.
 */
final class Connection implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);

  private final String id;
  private final Vsn vsn;
  private final SocketServices services;
  private final LocalChannels channels;
  private final ChangeListeners changes;
  /** The {@code postgres_changes} subscriber of each subscription that asked for row changes. */
  private final Map<Subscription, ChangeListeners.Listener> changeListeners = new HashMap<>();
  private final SocketTransport transport;
  private final FrameSender out;
  private final SocketSession session;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private long lastSeen = System.currentTimeMillis();
  private boolean closed;

  Connection(String id, SocketTransport transport, Vsn vsn, SocketServices services, LocalChannels channels,
             ChangeListeners changes, SocketSession session) {
    this.id = id;
    this.transport = transport;
    this.vsn = vsn;
    this.services = services;
    this.channels = channels;
    this.changes = changes;
    this.session = session;
    this.out = new FrameSender(transport, vsn, services.metrics());
  }

  @Override
  public String connectionId() {
    return id;
  }

  Principal principal() {
    return session.principal();
  }

  boolean isClosed() {
    return closed;
  }

  // ---- inbound -------------------------------------------------------------------------------------------------

  void onText(String text) {
    if (closed) return;
    lastSeen = System.currentTimeMillis();
    int limit = services.config().socket().maxFrameBytes();
    Inbound in;
    try {
      in = PhoenixCodec.decodeText(text, vsn);
    } catch (ProtocolError e) {
      if (text.length() > limit) tooLarge(e.joinRef, e.ref, e.topic, text.length());
      else out.refuse(e);
      return;
    }
    if (text.length() > limit) {
      tooLarge(in.joinRef(), in.ref(), in.topic(), text.length());
      return;
    }
    dispatch(in);
  }

  void onBinary(Buffer data) {
    if (closed) return;
    lastSeen = System.currentTimeMillis();
    Inbound in;
    try {
      in = PhoenixCodec.decodeBinary(data);
    } catch (ProtocolError e) {
      out.refuse(e);
      return;
    }
    out.speaksBinary();
    if (data.length() > services.config().socket().maxFrameBytes()) {
      tooLarge(in.joinRef(), in.ref(), in.topic(), data.length());
      return;
    }
    dispatch(in);
  }

  /** Any sign of life from the client (a WebSocket pong, a long-poll request). */
  void onActivity() {
    lastSeen = System.currentTimeMillis();
  }

  private void tooLarge(String joinRef, String ref, String topic, int size) {
    out.error(joinRef, ref, topic, new JsonObject().put("reason", "payload_too_large")
        .put("detail", "frame of " + size + " bytes exceeds the limit of "
            + services.config().socket().maxFrameBytes()));
  }

  private void dispatch(Inbound in) {
    services.metrics().inbound(in.event());
    if ("phoenix".equals(in.topic())) {
      if ("heartbeat".equals(in.event())) out.ok(in, EMPTY);
      else out.error(in, "unknown_event", "the phoenix topic only takes heartbeat");
      return;
    }
    if ("phx_join".equals(in.event())) {
      join(in);
      return;
    }
    Subscription sub = subscriptions.get(in.topic());
    if (sub == null) {
      if ("phx_leave".equals(in.event())) out.ok(in, EMPTY);
      else out.error(in, "not_found", "not joined to " + in.topic() + "; send phx_join first");
      return;
    }
    switch (in.event()) {
      case "phx_leave" -> leave(sub, in);
      case "access_token" -> refreshToken(in);
      default -> forward(sub, in);
    }
  }

  // ---- join / leave --------------------------------------------------------------------------------------------

  private void join(Inbound in) {
    long started = System.nanoTime();
    var socketCfg = services.config().socket();
    if (!subscriptions.containsKey(in.topic()) && subscriptions.size() >= socketCfg.maxChannelsPerConnection()) {
      out.error(in, "too_many_channels", "at most " + socketCfg.maxChannelsPerConnection() + " channels per connection");
      return;
    }
    Topic topic = ChannelRegistry.parse(Topic.bare(in.topic())).orElse(null);
    if (topic == null) {
      out.error(in, "not_found", "no channel family matches '" + in.topic() + "'");
      return;
    }
    JoinOptions options;
    ChangeListeners.Bindings bindings;
    try {
      options = JoinOptions.parse(in.payload());
      bindings = changes.check(options.postgresChanges());
    } catch (ChannelError e) {
      out.error(in.joinRef(), in.ref(), in.topic(), e.response());
      return;
    }
    if (options.supabase()) out.speaksBinary();
    session.authenticate(options.accessToken())
        .compose(who -> services.channels().authorize(who, topic).map(access -> {
          if (!access.allowed()) throw ChannelError.forbidden("no access to " + topic.name());
          return access;
        }))
        .onSuccess(access -> {
          if (closed) return;
          Subscription previous = subscriptions.remove(in.topic());
          if (previous != null) drop(previous, "released");
          Principal who = session.principal();
          Subscription sub = new Subscription(this, in.topic(), topic, in.joinRef(), options.self(), options.ack(),
              options.presenceEnabled(), options.presenceKey().isEmpty() ? who.userId().toString()
                  : options.presenceKey(), access);
          subscriptions.put(in.topic(), sub);
          // Subscribed before history is read: live events are held meanwhile, so none falls between the two.
          // In a cluster, history is read only once this node is sure to receive the topic's live events.
          Future<Void> live = channels.add(sub);
          services.metrics().subscribed();
          services.handlers().joined(sub);
          // Row changes the same way: listening (and holding) before the feed's position is read.
          Future<JsonObject> changesAt = Future.succeededFuture();
          if (!bindings.isEmpty()) {
            changeListeners.put(sub, changes.listen(who, bindings, (event, payload) -> {
              if (subscriptions.get(in.topic()) == sub) out.push(sub, event, payload);
            }));
            changesAt = changes.position();
          }
          Future<JsonObject> position = changesAt;
          Future<Recovery> start = live.compose(v -> position).compose(v -> options.since() == null
              ? services.history().top(topic.name()).map(Recovery::notRecovered)
              : services.history().since(topic.name(), options.since()));
          start.onComplete(ar -> channels.onLoop(() -> started(in, sub, options, position.result(), ar, started)));
        })
        .onFailure(e -> out.error(in.joinRef(), in.ref(), in.topic(), FrameSender.errorResponse(e)));
  }

  /**
   * The join's history read is back: reply with where the channel stands ({@code recovered}, {@code offset},
   * {@code epoch}), then the missed events when recovered, then the live events held since subscribing.
   */
  private void started(Inbound in, Subscription sub, JoinOptions options, JsonObject changesAt,
                       AsyncResult<Recovery> ar, long started) {
    StreamPosition since = options.since();
    if (closed || subscriptions.get(in.topic()) != sub) return; // left, rejoined or closed meanwhile
    if (ar.failed()) {
      subscriptions.remove(in.topic());
      drop(sub, "released");
      out.error(in.joinRef(), in.ref(), in.topic(), FrameSender.errorResponse(ar.cause()));
      return;
    }
    Recovery r = ar.result();
    if (since != null) services.metrics().recovery(r.recovered());
    ChangeListeners.Listener listener = changeListeners.get(sub);
    JsonObject reply = new JsonObject().put("postgres_changes", listener == null ? new JsonArray() : listener.reply())
        .put("recovered", r.recovered()).put("offset", r.top().offset()).put("epoch", r.top().epoch());
    if (listener != null) reply.put("postgres_changes_position", changesAt);
    out.ok(in, reply);
    services.metrics().joinLatency().record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
    channels.resume(sub, r.recovered() ? since : r.top(), r.events());
    if (listener != null) startChanges(sub, listener, options.postgresChangesSince());
    if (sub.presenceEnabled()) {
      services.presence().state(sub.topic().name(), sub.access()::sees).onSuccess(state -> {
        if (subscriptions.get(in.topic()) == sub) out.push(sub, "presence_state", state);
      });
    }
  }

  /**
   * Replays the row changes the client missed (from {@code postgres_changes_since}), then lets live ones through,
   * and says so as Supabase Realtime does: a {@code system} event from the {@code postgres_changes} extension.
   */
  private void startChanges(Subscription sub, ChangeListeners.Listener listener, StreamPosition since) {
    listener.start(since == null ? null : since.offset(), since == null ? null : since.epoch()).onComplete(ar -> {
      if (subscriptions.get(sub.sentTopic()) != sub) return;
      JsonObject system = new JsonObject().put("channel", Topic.bare(sub.sentTopic()))
          .put("extension", "postgres_changes");
      if (ar.failed()) {
        out.push(sub, "system", system.put("status", "error")
            .put("message", "could not read the changes missed since the given position: " + ar.cause().getMessage()));
        return;
      }
      system.put("status", "ok").put("message", "Subscribed to PostgreSQL");
      if (since != null) system.put("recovered", ar.result());
      out.push(sub, "system", system);
    });
  }

  private void leave(Subscription sub, Inbound in) {
    subscriptions.remove(in.topic());
    drop(sub, "released");
    out.ok(in, EMPTY);
    out.closed(sub);
  }

  /** Removes a subscription's traces: local fan-out, presence, and whatever the channel's feature holds for it. */
  private void drop(Subscription sub, String reason) {
    sub.ended();
    ChangeListeners.Listener listener = changeListeners.remove(sub);
    if (listener != null) listener.close();
    channels.remove(sub);
    services.metrics().unsubscribed();
    services.handlers().left(sub, session.principal(), reason);
    if (sub.presence() != null) {
      services.presence().untrack(sub.topic().name(), sub.presence());
      sub.presence(null);
    }
  }

  /** The server ends a subscription (docs/protocol.md §2): {@code system} error, then {@code phx_close}. */
  void end(Subscription sub, String reason, String message) {
    if (subscriptions.remove(sub.sentTopic()) == null) return;
    drop(sub, "released");
    out.ended(sub, reason, message);
  }

  void endAll(String reason, String message) {
    for (Subscription s : new ArrayList<>(subscriptions.values())) end(s, reason, message);
  }

  // ---- token refresh and re-authorisation ----------------------------------------------------------------------

  private void refreshToken(Inbound in) {
    Object raw = in.payload().getValue("access_token");
    if (!(raw instanceof String fresh) || fresh.isEmpty()) {
      out.error(in, "invalid", "access_token must be a non-empty string");
      return;
    }
    if (session.holds(fresh)) {
      out.ok(in, EMPTY);
      return;
    }
    session.refresh(fresh)
        .onSuccess(p -> {
          out.ok(in, EMPTY);
          recheckAccess();
        })
        .onFailure(e -> {
          JsonObject r = FrameSender.errorResponse(e);
          out.error(in.joinRef(), in.ref(), in.topic(), r);
          endAll(r.getString("reason"), r.getString("detail"));
        });
  }

  /** The user's memberships changed in the database: reload them and end every subscription they no longer allow. */
  void reloadAndRecheck() {
    if (session.principal() == null) return;
    session.reload().onSuccess(p -> recheckAccess()).onFailure(e -> endAll("unauthorized", "user no longer exists"));
  }

  private void recheckAccess() {
    Principal who = session.principal();
    for (Subscription s : new ArrayList<>(subscriptions.values())) {
      services.channels().authorize(who, s.topic()).onComplete(ar -> {
        if (closed) return;
        if (ar.failed()) {
          log.warn("access re-check failed for {} on {}: {}", who.userId(), s.topic().name(), ar.cause().getMessage());
        } else if (!ar.result().allowed()) {
          end(s, "forbidden", "access to " + s.topic().name() + " was removed");
        } else {
          s.access(ar.result());
          ChangeListeners.Listener listener = changeListeners.get(s);
          if (listener != null) listener.principal(who);
        }
      });
    }
  }

  /** Called once a second by the owning loop: idleness, token expiry, keep-alive. */
  void tick(long now) {
    var cfg = services.config().socket();
    if (now - lastSeen > cfg.idleTimeoutMs()) {
      close((short) 1000, "idle: no message for " + cfg.idleTimeoutMs() + " ms");
      return;
    }
    if (session.expired(now) && !subscriptions.isEmpty()) {
      endAll("token_expired", "the access token expired; send access_token with a fresh one and rejoin");
    }
    transport.keepAlive(now, cfg.pingIntervalMs());
  }

  // ---- feature events ------------------------------------------------------------------------------------------

  /**
   * An event for the channel's feature. Writes (everything a client publishes or changes) draw from the user's token
   * bucket; joins are bounded by the channel cap instead, and heartbeats and leaves are never refused. A feature's
   * reply goes back to a request that carried a {@code ref}; an event that needs no reply (typing) answers null.
   */
  private void forward(Subscription sub, Inbound in) {
    if (sub.access().isAdminView()) { // a hub admin watching: nothing it sends changes the channel
      out.error(in, "forbidden", com.wedsync.hub.channel.Access.ADMIN_READ_ONLY + " ('" + in.event() + "' refused)");
      return;
    }
    long wait = services.limits().takeWrite(session.rateKey(id));
    if (wait > 0) {
      services.metrics().error("rate_limited");
      out.error(in.joinRef(), in.ref(), in.topic(), new JsonObject().put("reason", "rate_limited")
          .put("retry_after_ms", wait).put("detail", "too many messages; retry after " + wait + " ms"));
      return;
    }
    EventHandler handler = services.handlers().find(sub.topic().family().name(), in.event()).orElse(null);
    if (handler == null) {
      out.error(in, "unknown_event", "'" + in.event() + "' is not an event of " + sub.topic().family().name()
          + " channels");
      return;
    }
    Future<JsonObject> result;
    try {
      result = handler.handle(new ClientRequest(sub, session.principal(), in.event(), in.payload(), in.binary(), id));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (closed || (ar.succeeded() && (ar.result() == null || in.ref() == null))) return;
      out.reply(in, ar);
    });
  }

  // ---- outbound ------------------------------------------------------------------------------------------------

  @Override
  public void deliver(ChannelEvent event, Subscription sub) {
    if (!closed) out.deliver(event, sub);
  }

  /** A server push to one subscription. */
  void push(Subscription sub, String event, JsonObject payload) {
    if (!closed) out.push(sub, event, payload);
  }

  void close(short code, String reason) {
    if (closed) return;
    onClosed();
    transport.close(code, reason);
  }

  /** Releases everything the connection held. Idempotent; called on close and when the transport reports it gone. */
  void onClosed() {
    if (closed) return;
    closed = true;
    for (Subscription s : subscriptions.values()) drop(s, "disconnected");
    subscriptions.clear();
    session.close();
    services.metrics().connectionClosed();
  }

  List<Subscription> subscriptions() {
    return new ArrayList<>(subscriptions.values());
  }
}
