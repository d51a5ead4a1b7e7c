package com.wedsync.hub.socket;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.auth.Claims;
import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.ClientRequest;
import com.wedsync.hub.channel.LocalChannels;
import com.wedsync.hub.channel.Subscriber;
import com.wedsync.hub.channel.Subscription;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.history.Recovery;
import com.wedsync.hub.history.StreamPosition;
import com.wedsync.hub.presence.PresenceEntry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.http.WebSocketFrameType;
import io.vertx.core.http.impl.ws.WebSocketFrameImpl;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One client socket: decodes its frames, answers every request exactly once, keeps its channel subscriptions and
 * writes what the channels deliver. Everything here runs on the socket's event loop.
 */
final class Connection implements Subscriber {
  private static final Logger log = LoggerFactory.getLogger(Connection.class);
  private static final JsonObject EMPTY = new JsonObject();

  private final String id;
  private final ServerWebSocket ws;
  private final Vsn vsn;
  private final SocketServices services;
  private final LocalChannels channels;
  private final Map<String, Subscription> subscriptions = new HashMap<>();
  private String token;
  private Claims claims;
  private Principal principal;
  private long lastSeen = System.currentTimeMillis();
  private long lastWrite = lastSeen;
  private boolean closed;
  private final FlushBatch flushes;
  /**
   * The socket's place in Netty's pipeline, where frames are written and flushed directly; null if Vert.x ever hands
   * over a WebSocket without one (then its own write path is used).
   */
  private final ChannelHandlerContext netty;
  /** Whether this socket lives on its verticle's loop, so its flushes can wait for the end of the loop turn. */
  private final boolean batched;
  private boolean flushPending;
  /** Set once the client shows it is realtime-js (a kind-3 frame, or its join config): only it decodes kind 4. */
  private boolean speaksBinary;
  /** The first user token's check while it is in flight: the socket's identity is being decided. */
  private Future<Principal> identifying;

  Connection(String id, ServerWebSocket ws, Vsn vsn, SocketServices services, LocalChannels channels,
             FlushBatch flushes, String token, Claims claims, Principal principal) {
    this.id = id;
    this.flushes = flushes;
    this.ws = ws;
    this.netty = ws instanceof io.vertx.core.internal.http.WebSocketInternal internal
        ? internal.channelHandlerContext() : null;
    this.batched = netty != null && flushes.runsOn(netty.executor());
    this.vsn = vsn;
    this.services = services;
    this.channels = channels;
    this.token = token;
    this.claims = claims;
    this.principal = principal;
  }

  @Override
  public String connectionId() {
    return id;
  }

  Principal principal() {
    return principal;
  }

  boolean isClosed() {
    return closed;
  }

  // ---- inbound -------------------------------------------------------------------------------------------------

  void onText(String text) {
    if (closed) return;
    lastSeen = System.currentTimeMillis();
    Inbound in;
    try {
      in = PhoenixCodec.decodeText(text, vsn);
    } catch (ProtocolError e) {
      if (text.length() > services.config().socket().maxFrameBytes()) tooLarge(e.joinRef, e.ref, e.topic, text.length());
      else refuse(e);
      return;
    }
    if (text.length() > services.config().socket().maxFrameBytes()) {
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
      refuse(e);
      return;
    }
    speaksBinary = true;
    if (data.length() > services.config().socket().maxFrameBytes()) {
      tooLarge(in.joinRef(), in.ref(), in.topic(), data.length());
      return;
    }
    dispatch(in);
  }

  void onPong() {
    lastSeen = System.currentTimeMillis();
  }

  private void tooLarge(String joinRef, String ref, String topic, int size) {
    error(joinRef, ref, topic, new JsonObject().put("reason", "payload_too_large")
        .put("detail", "frame of " + size + " bytes exceeds the limit of "
            + services.config().socket().maxFrameBytes()));
  }

  private void dispatch(Inbound in) {
    services.metrics().inbound(in.event());
    if ("phoenix".equals(in.topic())) {
      if ("heartbeat".equals(in.event())) ok(in, EMPTY);
      else error(in, "unknown_event", "the phoenix topic only takes heartbeat");
      return;
    }
    if ("phx_join".equals(in.event())) {
      join(in);
      return;
    }
    Subscription sub = subscriptions.get(in.topic());
    if (sub == null) {
      if ("phx_leave".equals(in.event())) ok(in, EMPTY);
      else error(in, "not_found", "not joined to " + in.topic() + "; send phx_join first");
      return;
    }
    if ("phx_leave".equals(in.event())) {
      leave(sub, in);
      return;
    }
    if ("access_token".equals(in.event())) {
      refreshToken(in);
      return;
    }
    // Writes (everything a client publishes or changes) draw from the user's token bucket; joins are bounded by the
    // channel cap instead, and heartbeats and leaves are never refused.
    long wait = services.limits().takeWrite(rateKey());
    if (wait > 0) {
      services.metrics().error("rate_limited");
      error(in.joinRef(), in.ref(), in.topic(), new JsonObject().put("reason", "rate_limited")
          .put("retry_after_ms", wait).put("detail", "too many messages; retry after " + wait + " ms"));
      return;
    }
    switch (in.event()) {
      case "broadcast" -> broadcast(sub, in);
      case "presence" -> presence(sub, in);
      default -> feature(sub, in);
    }
  }

  private String rateKey() {
    return principal != null ? principal.userId().toString() : id;
  }

  // ---- join / leave --------------------------------------------------------------------------------------------

  private void join(Inbound in) {
    long started = System.nanoTime();
    var socketCfg = services.config().socket();
    if (!subscriptions.containsKey(in.topic()) && subscriptions.size() >= socketCfg.maxChannelsPerConnection()) {
      error(in, "too_many_channels", "at most " + socketCfg.maxChannelsPerConnection() + " channels per connection");
      return;
    }
    Topic topic = ChannelRegistry.parse(Topic.bare(in.topic())).orElse(null);
    if (topic == null) {
      error(in, "not_found", "no channel family matches '" + in.topic() + "'");
      return;
    }
    JoinOptions options;
    try {
      options = JoinOptions.parse(in.payload());
    } catch (ChannelError e) {
      error(in.joinRef(), in.ref(), in.topic(), e.response());
      return;
    }
    if (options.supabase()) speaksBinary = true;
    String joinToken = options.accessToken() != null ? options.accessToken() : token;
    authenticate(joinToken)
        .compose(who -> services.channels().authorize(who, topic).map(access -> {
          if (!access.allowed()) throw ChannelError.forbidden("no access to " + topic.name());
          return access;
        }))
        .onSuccess(access -> {
          if (closed) return;
          Subscription previous = subscriptions.remove(in.topic());
          if (previous != null) drop(previous, "released");
          Subscription sub = new Subscription(this, in.topic(), topic, in.joinRef(), options.self(), options.ack(),
              options.presenceEnabled(), options.presenceKey().isEmpty() ? principal.userId().toString()
                  : options.presenceKey(), access);
          subscriptions.put(in.topic(), sub);
          // Subscribed before history is read: live events are held meanwhile, so none falls between the two.
          // In a cluster, history is read only once this node is sure to receive the topic's live events.
          Future<Void> live = channels.add(sub);
          services.metrics().subscribed();
          services.handlers().joined(sub);
          Future<Recovery> start = live.compose(v -> options.since() == null
              ? services.history().top(topic.name()).map(Recovery::notRecovered)
              : services.history().since(topic.name(), options.since()));
          start.onComplete(ar -> channels.onLoop(() -> started(in, sub, options.since(), ar, started)));
        })
        .onFailure(e -> error(in.joinRef(), in.ref(), in.topic(), errorResponse(e)));
  }

  /**
   * The join's history read is back: reply with where the channel stands ({@code recovered}, {@code offset},
   * {@code epoch}), then the missed events when recovered, then the live events held since subscribing.
   */
  private void started(Inbound in, Subscription sub, StreamPosition since, io.vertx.core.AsyncResult<Recovery> ar,
                       long started) {
    if (closed || subscriptions.get(in.topic()) != sub) return; // left, rejoined or closed meanwhile
    if (ar.failed()) {
      subscriptions.remove(in.topic());
      drop(sub, "released");
      error(in.joinRef(), in.ref(), in.topic(), errorResponse(ar.cause()));
      return;
    }
    Recovery r = ar.result();
    if (since != null) services.metrics().recovery(r.recovered());
    ok(in, new JsonObject().put("postgres_changes", new JsonArray()).put("recovered", r.recovered())
        .put("offset", r.top().offset()).put("epoch", r.top().epoch()));
    services.metrics().joinLatency().record(System.nanoTime() - started, java.util.concurrent.TimeUnit.NANOSECONDS);
    channels.resume(sub, r.recovered() ? since : r.top(), r.events());
    if (sub.presenceEnabled()) {
      services.presence().state(sub.topic().name(), sub.access()::sees).onSuccess(state -> {
        if (subscriptions.get(in.topic()) == sub) push(sub, "presence_state", state);
      });
    }
  }

  /**
   * Resolves the principal for a token. The first user token fixes who this socket is; later tokens must name the
   * same user (a socket is never handed over to someone else). Joins that arrive while the first token is still
   * being checked wait for it, so two tokens racing on an anonymous socket cannot both win (and the connection slot is
   * taken once, by the identity that won).
   */
  private Future<Principal> authenticate(String candidate) {
    if (candidate != null && candidate.equals(token) && principal != null) {
      if (claims != null && claims.expiresAt() > 0
          && claims.expiresAt() + services.config().auth().leewaySeconds() < System.currentTimeMillis() / 1000) {
        return Future.failedFuture(new AuthFailure("token_expired", "the socket's token expired; send a fresh one"));
      }
      return Future.succeededFuture(principal);
    }
    if (principal == null && identifying != null) {
      return identifying.transform(ar -> authenticate(candidate));
    }
    Future<Principal> result = services.tokens().verify(candidate).compose(c -> {
      if (c.subject() == null) {
        return Future.failedFuture(new AuthFailure("unauthorized", "joining a channel needs a user's token"));
      }
      if (principal != null && !principal.userId().equals(c.subject())) {
        return Future.failedFuture(new AuthFailure("unauthorized", "token is for another user than this socket's"));
      }
      return services.principals().load(c).compose(p -> {
        if (closed) return Future.failedFuture(new AuthFailure("unauthorized", "the socket closed"));
        if (principal == null) {
          if (!services.limits().acquireConnection(p.userId().toString())) {
            return Future.failedFuture(new ChannelError("too_many_connections",
                "at most " + services.config().socket().maxConnectionsPerUser() + " connections per user"));
          }
        } else if (!principal.userId().equals(p.userId())) {
          return Future.failedFuture(new AuthFailure("unauthorized", "token is for another user than this socket's"));
        }
        token = candidate;
        claims = c;
        principal = p;
        return Future.succeededFuture(p);
      });
    });
    if (principal == null) {
      identifying = result;
      result.onComplete(ar -> identifying = null);
    }
    return result;
  }

  private void leave(Subscription sub, Inbound in) {
    subscriptions.remove(in.topic());
    drop(sub, "released");
    ok(in, EMPTY);
    sendFrame(sub.joinRef(), null, sub.sentTopic(), "phx_close", EMPTY);
  }

  /** Removes a subscription's traces: local fan-out, presence, and whatever the channel's feature holds for it. */
  private void drop(Subscription sub, String reason) {
    channels.remove(sub);
    services.metrics().unsubscribed();
    services.handlers().left(sub, principal, reason);
    if (sub.presence() != null) {
      services.presence().untrack(sub.topic().name(), sub.presence());
      sub.presence(null);
    }
  }

  /** The server ends a subscription (PROTOCOL.md §2): {@code system} error, then {@code phx_close}. */
  void end(Subscription sub, String reason, String message) {
    if (subscriptions.remove(sub.sentTopic()) == null) return;
    drop(sub, "released");
    sendFrame(null, null, sub.sentTopic(), "system", new JsonObject().put("status", "error")
        .put("message", reason).put("detail", message).put("extension", "system").put("channel", sub.sentTopic()));
    sendFrame(sub.joinRef(), null, sub.sentTopic(), "phx_close", EMPTY);
  }

  void endAll(String reason, String message) {
    for (Subscription s : new ArrayList<>(subscriptions.values())) end(s, reason, message);
  }

  // ---- token refresh and re-authorisation ----------------------------------------------------------------------

  private void refreshToken(Inbound in) {
    Object raw = in.payload().getValue("access_token");
    if (!(raw instanceof String fresh) || fresh.isEmpty()) {
      error(in, "invalid", "access_token must be a non-empty string");
      return;
    }
    if (fresh.equals(token)) {
      ok(in, EMPTY);
      return;
    }
    // The refresh is also when memberships are re-read, so the principal is always reloaded.
    authenticateRefresh(fresh, principal)
        .onSuccess(p -> {
          ok(in, EMPTY);
          recheckAccess();
        })
        .onFailure(e -> {
          JsonObject r = errorResponse(e);
          error(in.joinRef(), in.ref(), in.topic(), r);
          endAll(r.getString("reason"), r.getString("detail"));
        });
  }

  private Future<Principal> authenticateRefresh(String fresh, Principal before) {
    if (before == null) {
      return Future.failedFuture(new AuthFailure("unauthorized", "join a channel with a user's token first"));
    }
    return services.tokens().verify(fresh).compose(c -> {
      if (c.subject() == null || !before.userId().equals(c.subject())) {
        return Future.failedFuture(new AuthFailure("unauthorized", "refreshed token must be for the same user"));
      }
      return services.principals().load(c).map(p -> {
        token = fresh;
        claims = c;
        principal = p;
        return p;
      });
    });
  }

  /** Reloads who the user is and ends every subscription they may no longer hold. */
  void reloadAndRecheck() {
    if (claims == null || principal == null) return;
    services.principals().load(claims).onSuccess(p -> {
      principal = p;
      recheckAccess();
    }).onFailure(e -> endAll("unauthorized", "user no longer exists"));
  }

  private void recheckAccess() {
    for (Subscription s : new ArrayList<>(subscriptions.values())) {
      services.channels().authorize(principal, s.topic()).onComplete(ar -> {
        if (closed) return;
        if (ar.failed()) {
          log.warn("access re-check failed for {} on {}: {}", principal.userId(), s.topic().name(),
              ar.cause().getMessage());
        } else if (!ar.result().allowed()) {
          end(s, "forbidden", "access to " + s.topic().name() + " was removed");
        } else {
          s.access(ar.result());
        }
      });
    }
  }

  /** Called once a second by the owning loop: expiry, idleness, pings. */
  void tick(long now) {
    var cfg = services.config().socket();
    if (now - lastSeen > cfg.idleTimeoutMs()) {
      close((short) 1000, "idle: no message for " + cfg.idleTimeoutMs() + " ms");
      return;
    }
    if (claims != null && claims.expiresAt() > 0
        && claims.expiresAt() + services.config().auth().leewaySeconds() < now / 1000 && !subscriptions.isEmpty()) {
      endAll("token_expired", "the access token expired; send access_token with a fresh one and rejoin");
    }
    if (now - lastWrite > cfg.pingIntervalMs()) {
      ws.writePing(Buffer.buffer());
      lastWrite = now;
    }
  }

  // ---- broadcast and presence ----------------------------------------------------------------------------------

  private void broadcast(Subscription sub, Inbound in) {
    JsonObject p = in.payload();
    if (!"broadcast".equals(p.getValue("type"))) {
      error(in, "invalid", "broadcast payload needs \"type\":\"broadcast\"", "type");
      return;
    }
    if (!(p.getValue("event") instanceof String userEvent) || userEvent.isEmpty() || userEvent.length() > 255) {
      error(in, "invalid", "broadcast needs an \"event\" string of 1-255 characters", "event");
      return;
    }
    // The sender is the server's to say (PROTOCOL.md §3): whatever the client put in meta or the payload, receivers
    // learn who sent it from meta.sender, stamped from the token.
    JsonObject meta = new JsonObject().put("sender", principal.identity());
    ChannelEvent event;
    if (in.binary() != null) {
      event = ChannelEvent.binaryBroadcast(sub.topic().name(), userEvent, in.binary(), meta, id);
    } else {
      Object userPayload = p.getValue("payload");
      JsonObject out = new JsonObject().put("type", "broadcast").put("event", userEvent)
          .put("payload", userPayload == null ? new JsonObject() : userPayload).put("meta", meta);
      event = ChannelEvent.from(sub.topic().name(), "broadcast", out, id);
    }
    // A supplier's team member speaks to the couple and its own team only (SPEC.md §4), like its presence.
    services.bus().publish(event.withAudience(sub.access().ownAudience()));
    // Supabase replies only with broadcast.ack; replying to every request with a ref keeps PROTOCOL.md §1's "exactly
    // one reply" and costs an ack-less realtime-js client nothing (it has already resolved the send).
    if (in.ref() != null) ok(in, EMPTY);
  }

  private void presence(Subscription sub, Inbound in) {
    JsonObject p = in.payload();
    Object action = p.getValue("event");
    if (!"presence".equals(p.getValue("type")) || !("track".equals(action) || "untrack".equals(action))) {
      error(in, "invalid", "presence payload needs \"type\":\"presence\" and \"event\":\"track\"|\"untrack\"", "event");
      return;
    }
    String topic = sub.topic().name();
    if ("untrack".equals(action) || principal.invisible()) {
      PresenceEntry old = sub.presence();
      sub.presence(null);
      (old == null ? Future.<Void>succeededFuture() : services.presence().untrack(topic, old))
          .onComplete(ar -> reply(in, ar.map(EMPTY)));
      return;
    }
    JsonObject meta;
    try {
      meta = PresenceMeta.stamp(p.getValue("payload"), principal, sub.access());
    } catch (ChannelError e) {
      error(in.joinRef(), in.ref(), in.topic(), e.response());
      return;
    }
    if (meta == null) { // the client asked to be invisible on this channel
      PresenceEntry old = sub.presence();
      sub.presence(null);
      (old == null ? Future.<Void>succeededFuture() : services.presence().untrack(topic, old))
          .onComplete(ar -> reply(in, ar.map(EMPTY)));
      return;
    }
    var seenBy = sub.access().ownAudience(); // a supplier's member: the couple and its own team (SPEC.md §4)
    services.presence().track(topic, sub.presenceKey(), id, meta, sub.presence(), seenBy).onComplete(ar -> {
      if (ar.succeeded()) {
        if (subscriptions.get(in.topic()) == sub && !closed) sub.presence(ar.result());
        else services.presence().untrack(topic, ar.result()); // left or closed while tracking
      }
      reply(in, ar.map(EMPTY));
    });
  }

  // ---- feature events ------------------------------------------------------------------------------------------

  private void feature(Subscription sub, Inbound in) {
    var handler = services.handlers().find(sub.topic().family().name(), in.event());
    if (handler.isEmpty()) {
      error(in, "unknown_event", "'" + in.event() + "' is not an event of " + sub.topic().family().name()
          + " channels");
      return;
    }
    Future<JsonObject> result;
    try {
      result = handler.get().handle(new ClientRequest(sub, principal, in.event(), in.payload(), id));
    } catch (RuntimeException e) {
      result = Future.failedFuture(e);
    }
    result.onComplete(ar -> {
      if (ar.succeeded() && ar.result() == null) return; // fire-and-forget events (typing)
      reply(in, ar);
    });
  }

  // ---- outbound ------------------------------------------------------------------------------------------------

  @Override
  public void deliver(ChannelEvent event, Subscription sub) {
    if (closed) return;
    boolean prefixed = sub.sentTopic().startsWith(Topic.REALTIME_PREFIX);
    if (event.isBinary() && speaksBinary) {
      int slot = prefixed ? 2 : 3;
      byte[] bytes = event.wire().get(slot);
      if (bytes == null) {
        bytes = PhoenixCodec.encodeBinaryBroadcast(sub.sentTopic(), event.payload().getString("event"),
            event.payload().getJsonObject("meta"), event.binary());
        event.wire().put(slot, bytes);
      }
      write(WebSocketFrameType.BINARY, bytes, event.event());
      return;
    }
    if (event.isBinary() || vsn == Vsn.V1) {
      // Clients that never sent a binary frame (the phoenix client, vsn 1.0.0) cannot decode kind 4: raw payloads
      // reach them base64-encoded in JSON. Not cached: a rare path.
      JsonObject payload = event.isBinary()
          ? event.payload().copy().put("payload", Base64.getEncoder().encodeToString(event.binary().getBytes()))
              .put("encoding", "base64")
          : event.payload();
      write(WebSocketFrameType.TEXT, PhoenixCodec.encodeText(vsn, null, null, sub.sentTopic(), event.event(), payload),
          event.event());
      return;
    }
    int slot = prefixed ? 0 : 1;
    byte[] bytes = event.wire().get(slot);
    if (bytes == null) {
      bytes = PhoenixCodec.encodeText(vsn, null, null, sub.sentTopic(), event.event(), event.payload());
      event.wire().put(slot, bytes);
    }
    write(WebSocketFrameType.TEXT, bytes, event.event());
  }

  /** A server push to one subscription (not shared with anyone, so not cached). */
  void push(Subscription sub, String event, JsonObject payload) {
    sendFrame(sub.joinRef(), null, sub.sentTopic(), event, payload);
  }

  private void ok(Inbound in, JsonObject response) {
    sendFrame(in.joinRef(), in.ref(), in.topic(), "phx_reply",
        new JsonObject().put("status", "ok").put("response", response));
  }

  private void reply(Inbound in, io.vertx.core.AsyncResult<JsonObject> ar) {
    if (ar.succeeded()) ok(in, ar.result() == null ? EMPTY : ar.result());
    else error(in.joinRef(), in.ref(), in.topic(), errorResponse(ar.cause()));
  }

  private void error(Inbound in, String reason, String detail) {
    error(in.joinRef(), in.ref(), in.topic(), new JsonObject().put("reason", reason).put("detail", detail));
  }

  private void error(Inbound in, String reason, String detail, String field) {
    error(in.joinRef(), in.ref(), in.topic(), new JsonObject().put("reason", reason).put("detail", detail)
        .put("field", field));
  }

  private void refuse(ProtocolError e) {
    error(e.joinRef, e.ref, e.topic, e.response());
  }

  /**
   * Every request gets exactly one reply; a frame too broken to carry a {@code ref} gets a {@code system} error on
   * its topic (or on {@code phoenix}) instead, so nothing fails silently.
   */
  private void error(String joinRef, String ref, String topic, JsonObject response) {
    services.metrics().error(response.getString("reason"));
    String t = topic == null ? "phoenix" : topic;
    if (ref == null) {
      sendFrame(joinRef, null, t, "system", response.copy().put("status", "error")
          .put("message", response.getString("reason")).put("extension", "system").put("channel", t));
    } else {
      sendFrame(joinRef, ref, t, "phx_reply", new JsonObject().put("status", "error").put("response", response));
    }
  }

  static JsonObject errorResponse(Throwable e) {
    if (e instanceof ChannelError ce) return ce.response();
    if (e instanceof AuthFailure af) return new JsonObject().put("reason", af.reason()).put("detail", af.getMessage());
    log.warn("request failed unexpectedly", e);
    return new JsonObject().put("reason", "unavailable").put("detail", "the hub could not complete the request");
  }

  private void sendFrame(String joinRef, String ref, String topic, String event, JsonObject payload) {
    if (closed) return;
    write(WebSocketFrameType.TEXT, PhoenixCodec.encodeText(vsn, joinRef, ref, topic, event, payload), event);
  }

  private void write(WebSocketFrameType type, byte[] bytes, String event) {
    if (closed) return;
    if (backlogged()) {
      // A consumer that cannot keep up is cut off rather than buffered without bound (SPEC.md "Limits").
      services.metrics().error("slow_consumer");
      log.info("disconnecting slow consumer {} ({})", id, principal == null ? "anonymous" : principal.userId());
      abort();
      return;
    }
    lastWrite = System.currentTimeMillis();
    ByteBuf buf = Unpooled.wrappedBuffer(bytes);
    if (netty == null) {
      ws.writeFrame(new WebSocketFrameImpl(type, buf, true));
    } else {
      // Straight to Netty: no promise, no lock, no Vert.x queue entry per frame. Ordered with Vert.x's own writes
      // (pings, close), which flush whatever is queued before them.
      WebSocketFrame frame = type == WebSocketFrameType.BINARY ? new BinaryWebSocketFrame(true, 0, buf)
          : new TextWebSocketFrame(true, 0, buf);
      if (batched && netty.executor().inEventLoop()) {
        netty.write(frame, netty.voidPromise());
        if (!flushPending) {
          flushPending = true;
          flushes.flushLater(this); // one syscall for everything this socket gets in this loop turn
        }
      } else {
        // A reply completed on another thread (a database callback): Netty moves the write onto the socket's loop.
        netty.writeAndFlush(frame, netty.voidPromise());
      }
    }
    services.metrics().outbound(event, 1);
  }

  /** Sends what {@link #write} queued in this loop turn (called by the loop's {@link FlushBatch}). */
  void flush() {
    flushPending = false;
    netty.flush();
  }

  /**
   * True when the bytes queued for this client pass the configured bound (Netty's high-water mark, set from
   * {@code socket.outboundQueueBytes}). Vert.x's own {@code writeQueueFull} counts queued messages, not bytes.
   */
  private boolean backlogged() {
    if (netty == null) return ws.writeQueueFull();
    io.netty.channel.Channel channel = netty.channel();
    if (channel.isWritable() || !channel.isActive()) return false;
    // Frames held for this turn's flush count too: hand them to the kernel first, and judge by what it refuses.
    if (flushPending && netty.executor().inEventLoop()) netty.flush();
    return !channel.isWritable();
  }

  void close(short code, String reason) {
    if (closed) return;
    onClosed();
    ws.close(code, reason.length() > 120 ? reason.substring(0, 120) : reason);
  }

  /**
   * Drops the TCP connection at once, discarding what is queued. A close handshake would wait behind the very backlog
   * that made the consumer slow, holding its memory (and, measured here, stalling other traffic on the loop).
   */
  private void abort() {
    onClosed();
    if (netty == null) {
      ws.close((short) 1008, "slow_consumer");
      return;
    }
    // Below Vert.x's handler, which would turn close() into a graceful handshake; linger 0 resets the TCP connection
    // so the kernel drops its send buffer too.
    io.netty.channel.Channel channel = netty.channel();
    if (!channel.isActive()) return;
    channel.config().setOption(io.netty.channel.ChannelOption.SO_LINGER, 0);
    channel.pipeline().firstContext().close();
  }

  /** Releases everything the connection held. Idempotent; called from close and from the socket's close handler. */
  void onClosed() {
    if (closed) return;
    closed = true;
    for (Subscription s : subscriptions.values()) drop(s, "disconnected");
    subscriptions.clear();
    if (principal != null) services.limits().releaseConnection(principal.userId().toString());
    services.metrics().connectionClosed();
  }

  List<Subscription> subscriptions() {
    return new ArrayList<>(subscriptions.values());
  }
}
