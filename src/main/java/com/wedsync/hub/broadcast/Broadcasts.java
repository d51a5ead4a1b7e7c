package com.wedsync.hub.broadcast;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.bus.ChannelEvent;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ClientRequest;
import com.wedsync.hub.channel.EventHandlers;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * Broadcast (docs/protocol.md §3, Supabase semantics): ephemeral messages relayed to every other subscriber of a
 * channel on any node, never stored. The sender is the hub's to say — {@code meta.sender} is stamped from the token,
 * whatever the client wrote — and a supplier's team member speaks to the couple and its own team only (the audience
 * of its access). The socket's {@code broadcast} event and the HTTP broadcast route both publish through here.
 */
public final class Broadcasts {
  private static final JsonObject EMPTY = new JsonObject();

  private final Bus bus;

  public Broadcasts(Bus bus) {
    this.bus = bus;
  }

  public static void register(EventHandlers handlers, Broadcasts broadcasts) {
    handlers.registerEverywhere("broadcast", broadcasts::fromClient);
  }

  /**
   * {@code {"type":"broadcast","event","payload"}} pushed on a joined channel (or a binary kind-3 frame). Answered
   * with an empty ok: Supabase replies only with {@code broadcast.ack}, but the hub answers every request with a ref,
   * which costs an ack-less realtime-js client nothing (it has already resolved the send).
   */
  public Future<JsonObject> fromClient(ClientRequest r) {
    JsonObject p = r.payload();
    if (!"broadcast".equals(p.getValue("type"))) {
      throw ChannelError.invalid("type", "broadcast payload needs \"type\":\"broadcast\"");
    }
    String userEvent = event(p.getValue("event"), "event");
    JsonObject meta = new JsonObject().put("sender", r.principal().identity());
    String topic = r.topic().name();
    ChannelEvent event = r.binary() != null
        ? ChannelEvent.binaryBroadcast(topic, userEvent, r.binary(), meta, r.connectionId())
        : ChannelEvent.from(topic, "broadcast", envelope(userEvent, p.getValue("payload"), meta), r.connectionId());
    bus.publish(event.withAudience(r.access().ownAudience()));
    return Future.succeededFuture(EMPTY);
  }

  /**
   * A broadcast sent over HTTP by another backend or a user: the event name checked as on the socket, the sender
   * stamped as on the socket.
   *
   * @param audience who on the channel may receive it (null: everyone)
   */
  public void publish(String topic, String userEvent, JsonObject payload, JsonObject sender, Audience audience) {
    bus.publish(ChannelEvent.of(topic, "broadcast",
        envelope(userEvent, payload, new JsonObject().put("sender", sender))).withAudience(audience));
  }

  /** The user event name of a broadcast: 1–255 characters, or {@code invalid} naming {@code field}. */
  public static String event(Object raw, String field) {
    if (!(raw instanceof String e) || e.isEmpty() || e.length() > 255) {
      throw ChannelError.invalid(field, field + " must be a string of 1-255 characters");
    }
    return e;
  }

  private static JsonObject envelope(String userEvent, Object payload, JsonObject meta) {
    return new JsonObject().put("type", "broadcast").put("event", userEvent)
        .put("payload", payload == null ? new JsonObject() : payload).put("meta", meta);
  }
}
