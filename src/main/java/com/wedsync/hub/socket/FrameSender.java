package com.wedsync.hub.socket;

import com.wedsync.hub.auth.AuthFailure;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.Subscription;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.AsyncResult;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Base64;

/**
 * Everything one connection sends, encoded for its protocol version onto its {@link SocketTransport}: replies (each
 * request gets exactly one), {@code system} errors, pushes to one subscription, and channel events — encoded once per
 * wire form and shared by every subscriber that needs that form ({@link ChannelEvent#wire()}).
 */
final class FrameSender {
  private static final Logger log = LoggerFactory.getLogger(FrameSender.class);
  static final JsonObject EMPTY = new JsonObject();

  private final SocketTransport transport;
  private final Vsn vsn;
  private final HubMetrics metrics;
  /** Set once the client shows it is realtime-js (a kind-3 frame, or its join config): only it decodes kind 4. */
  private boolean speaksBinary;

  FrameSender(SocketTransport transport, Vsn vsn, HubMetrics metrics) {
    this.transport = transport;
    this.vsn = vsn;
    this.metrics = metrics;
  }

  /** The client showed it decodes kind 4 (when its transport can carry binary frames at all). */
  void speaksBinary() {
    speaksBinary = transport.carriesBinary();
  }

  /** A channel event for one subscription, in the form that subscription's client reads. */
  void deliver(ChannelEvent event, Subscription sub) {
    boolean prefixed = sub.sentTopic().startsWith(Topic.REALTIME_PREFIX);
    if (event.isBinary() && speaksBinary) {
      int slot = prefixed ? 2 : 3;
      byte[] bytes = event.wire().get(slot);
      if (bytes == null) {
        bytes = PhoenixCodec.encodeBinaryBroadcast(sub.sentTopic(), event.payload().getString("event"),
            event.payload().getJsonObject("meta"), event.binary());
        event.wire().put(slot, bytes);
      }
      send(bytes, true, event.event());
      return;
    }
    if (event.isBinary() || vsn == Vsn.V1) {
      // Clients that never sent a binary frame (the phoenix client, vsn 1.0.0) cannot decode kind 4: raw payloads
      // reach them base64-encoded in JSON. Not cached: a rare path.
      JsonObject payload = event.isBinary()
          ? event.payload().copy().put("payload", Base64.getEncoder().encodeToString(event.binary().getBytes()))
              .put("encoding", "base64")
          : event.payload();
      send(PhoenixCodec.encodeText(vsn, null, null, sub.sentTopic(), event.event(), payload), false, event.event());
      return;
    }
    int slot = prefixed ? 0 : 1;
    byte[] bytes = event.wire().get(slot);
    if (bytes == null) {
      bytes = PhoenixCodec.encodeText(vsn, null, null, sub.sentTopic(), event.event(), event.payload());
      event.wire().put(slot, bytes);
    }
    send(bytes, false, event.event());
  }

  /** A server push to one subscription (not shared with anyone, so not cached). */
  void push(Subscription sub, String event, JsonObject payload) {
    frame(sub.joinRef(), null, sub.sentTopic(), event, payload);
  }

  void ok(Inbound in, JsonObject response) {
    frame(in.joinRef(), in.ref(), in.topic(), "phx_reply", new JsonObject().put("status", "ok").put("response", response));
  }

  void reply(Inbound in, AsyncResult<JsonObject> ar) {
    if (ar.succeeded()) ok(in, ar.result() == null ? EMPTY : ar.result());
    else error(in.joinRef(), in.ref(), in.topic(), errorResponse(ar.cause()));
  }

  void error(Inbound in, String reason, String detail) {
    error(in.joinRef(), in.ref(), in.topic(), new JsonObject().put("reason", reason).put("detail", detail));
  }

  void error(Inbound in, String reason, String detail, String field) {
    error(in.joinRef(), in.ref(), in.topic(), new JsonObject().put("reason", reason).put("detail", detail)
        .put("field", field));
  }

  void refuse(ProtocolError e) {
    error(e.joinRef, e.ref, e.topic, e.response());
  }

  /**
   * Every request gets exactly one reply; a frame too broken to carry a {@code ref} gets a {@code system} error on
   * its topic (or on {@code phoenix}) instead, so nothing fails silently.
   */
  void error(String joinRef, String ref, String topic, JsonObject response) {
    metrics.error(response.getString("reason"));
    String t = topic == null ? "phoenix" : topic;
    if (ref == null) {
      frame(joinRef, null, t, "system", response.copy().put("status", "error")
          .put("message", response.getString("reason")).put("extension", "system").put("channel", t));
    } else {
      frame(joinRef, ref, t, "phx_reply", new JsonObject().put("status", "error").put("response", response));
    }
  }

  /** The server ends a subscription (docs/protocol.md §2): {@code system} error, then {@code phx_close}. */
  void ended(Subscription sub, String reason, String message) {
    frame(null, null, sub.sentTopic(), "system", new JsonObject().put("status", "error").put("message", reason)
        .put("detail", message).put("extension", "system").put("channel", sub.sentTopic()));
    closed(sub);
  }

  /** {@code phx_close} for a subscription that ended. */
  void closed(Subscription sub) {
    frame(sub.joinRef(), null, sub.sentTopic(), "phx_close", EMPTY);
  }

  static JsonObject errorResponse(Throwable e) {
    if (e instanceof ChannelError ce) return ce.response();
    if (e instanceof AuthFailure af) return new JsonObject().put("reason", af.reason()).put("detail", af.getMessage());
    log.warn("request failed unexpectedly", e);
    return new JsonObject().put("reason", "unavailable").put("detail", "the hub could not complete the request");
  }

  private void frame(String joinRef, String ref, String topic, String event, JsonObject payload) {
    send(PhoenixCodec.encodeText(vsn, joinRef, ref, topic, event, payload), false, event);
  }

  private void send(byte[] bytes, boolean binary, String event) {
    if (transport.send(bytes, binary)) metrics.outbound(event, 1);
  }
}
