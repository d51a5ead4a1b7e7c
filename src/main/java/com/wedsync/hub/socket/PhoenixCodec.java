package com.wedsync.hub.socket;

import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ClientText;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;

/**
 * Phoenix Channels framing (docs/protocol.md §1). Text frames are {@code [join_ref, ref, topic, event, payload]} (vsn 2.0.0)
 * or {@code {"join_ref","ref","topic","event","payload"}} (vsn 1.0.0); binary frames are realtime-js user broadcasts
 * (kind 3 in, kind 4 out).
 */
public final class PhoenixCodec {
  static final int KIND_USER_BROADCAST_PUSH = 3;
  static final int KIND_USER_BROADCAST = 4;
  static final int ENCODING_BINARY = 0;
  static final int ENCODING_JSON = 1;

  private PhoenixCodec() {}

  public static Inbound decodeText(String text, Vsn vsn) throws ProtocolError {
    Object parsed;
    try {
      parsed = Json.decodeValue(text);
    } catch (DecodeException e) {
      throw ProtocolError.invalid("frame", "frame is not JSON");
    }
    return vsn == Vsn.V2 ? fromArray(parsed) : fromObject(parsed);
  }

  private static Inbound fromArray(Object parsed) throws ProtocolError {
    if (!(parsed instanceof JsonArray a)) {
      throw ProtocolError.invalid("frame", "vsn 2.0.0 frames are arrays [join_ref, ref, topic, event, payload]");
    }
    // Recover what addressing we can before judging the rest, so the error reaches the request that caused it.
    String joinRef = a.size() > 0 && a.getValue(0) instanceof String s ? s : null;
    String ref = a.size() > 1 && a.getValue(1) instanceof String s ? s : null;
    String topic = a.size() > 2 && a.getValue(2) instanceof String s ? s : null;
    try {
      if (a.size() != 5) throw ProtocolError.invalid("frame", "expected 5 elements, got " + a.size());
      return build(a.getValue(0), a.getValue(1), a.getValue(2), a.getValue(3), a.getValue(4));
    } catch (ProtocolError e) {
      throw e.at(joinRef, ref, topic);
    }
  }

  private static Inbound fromObject(Object parsed) throws ProtocolError {
    if (!(parsed instanceof JsonObject o)) {
      throw ProtocolError.invalid("frame", "vsn 1.0.0 frames are objects {topic, event, payload, ref, join_ref}");
    }
    String joinRef = o.getValue("join_ref") instanceof String s ? s : null;
    String ref = o.getValue("ref") instanceof String s ? s : null;
    String topic = o.getValue("topic") instanceof String s ? s : null;
    try {
      return build(o.getValue("join_ref"), o.getValue("ref"), o.getValue("topic"), o.getValue("event"),
          o.getValue("payload"));
    } catch (ProtocolError e) {
      throw e.at(joinRef, ref, topic);
    }
  }

  private static Inbound build(Object joinRef, Object ref, Object topic, Object event, Object payload)
      throws ProtocolError {
    String jr = refString("join_ref", joinRef);
    String r = refString("ref", ref);
    if (!(topic instanceof String t) || t.isEmpty()) throw ProtocolError.invalid("topic", "topic must be a non-empty string");
    if (!(event instanceof String e) || e.isEmpty()) throw ProtocolError.invalid("event", "event must be a non-empty string");
    if (payload != null && !(payload instanceof JsonObject)) {
      throw ProtocolError.invalid("payload", "payload must be a JSON object");
    }
    storable("join_ref", jr);
    storable("ref", r);
    storable("topic", t);
    storable("event", e);
    storable("", payload);
    return new Inbound(jr, r, t, e, payload == null ? new JsonObject() : (JsonObject) payload, null);
  }

  /**
   * Every string of a frame passes {@link ClientText} before any feature sees it; the error names the string by its
   * path in the payload ({@code value}, {@code ops[1]}) or as the frame element ({@code topic}).
   */
  private static void storable(String path, Object json) throws ProtocolError {
    try {
      ClientText.checkJson(path, json);
    } catch (ChannelError e) {
      throw ProtocolError.invalid(e.response().getString("field"), e.getMessage());
    }
  }

  /** Phoenix clients send refs as strings; numbers are tolerated and normalised, anything else is refused. */
  private static String refString(String field, Object value) throws ProtocolError {
    if (value == null || value instanceof String) return (String) value;
    if (value instanceof Number n) return n.toString();
    throw ProtocolError.invalid(field, field + " must be a string or null");
  }

  /** Decodes a kind-3 user broadcast push as realtime-js sends it. */
  public static Inbound decodeBinary(Buffer b) throws ProtocolError {
    if (b.length() < 7) throw ProtocolError.invalid("frame", "binary frame shorter than its header");
    int kind = b.getUnsignedByte(0);
    if (kind != KIND_USER_BROADCAST_PUSH) {
      throw ProtocolError.invalid("frame", "unsupported binary frame kind " + kind + " (only 3, user broadcast push)");
    }
    int joinRefLen = b.getUnsignedByte(1), refLen = b.getUnsignedByte(2), topicLen = b.getUnsignedByte(3);
    int eventLen = b.getUnsignedByte(4), metaLen = b.getUnsignedByte(5), encoding = b.getUnsignedByte(6);
    int pos = 7;
    int headerEnd = pos + joinRefLen + refLen + topicLen + eventLen + metaLen;
    if (headerEnd > b.length()) throw ProtocolError.invalid("frame", "binary frame lengths exceed the frame");
    String joinRef = b.getString(pos, pos += joinRefLen, "UTF-8");
    String ref = b.getString(pos, pos += refLen, "UTF-8");
    String topic = b.getString(pos, pos += topicLen, "UTF-8");
    String userEvent = b.getString(pos, pos += eventLen, "UTF-8");
    String meta = b.getString(pos, pos += metaLen, "UTF-8");
    Buffer data = b.getBuffer(pos, b.length());
    String jr = joinRef.isEmpty() ? null : joinRef, r = ref.isEmpty() ? null : ref;
    if (topic.isEmpty()) throw new ProtocolError(jr, r, null, "invalid", "topic", "binary broadcast without topic");
    if (userEvent.isEmpty()) throw new ProtocolError(jr, r, topic, "invalid", "event", "binary broadcast without event");
    JsonObject envelope = new JsonObject().put("type", "broadcast").put("event", userEvent);
    try {
      storable("topic", topic);
      storable("event", userEvent);
      if (!meta.isEmpty()) envelope.put("meta", new JsonObject(meta));
      if (encoding == ENCODING_JSON) {
        envelope.put("payload", Json.decodeValue(data));
        storable("", envelope);
        return new Inbound(jr, r, topic, "broadcast", envelope, null);
      }
      storable("", envelope);
    } catch (DecodeException | ClassCastException e) {
      throw new ProtocolError(jr, r, topic, "invalid", "payload", "binary broadcast JSON is malformed");
    } catch (ProtocolError e) {
      throw e.at(jr, r, topic);
    }
    if (encoding != ENCODING_BINARY) {
      throw new ProtocolError(jr, r, topic, "invalid", "payload", "unknown payload encoding " + encoding);
    }
    return new Inbound(jr, r, topic, "broadcast", envelope, data);
  }

  public static byte[] encodeText(Vsn vsn, String joinRef, String ref, String topic, String event, JsonObject payload) {
    String text;
    if (vsn == Vsn.V2) {
      text = "[" + quote(joinRef) + "," + quote(ref) + "," + quote(topic) + "," + quote(event) + ","
          + payload.encode() + "]";
    } else {
      text = "{\"join_ref\":" + quote(joinRef) + ",\"ref\":" + quote(ref) + ",\"topic\":" + quote(topic)
          + ",\"event\":" + quote(event) + ",\"payload\":" + payload.encode() + "}";
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Kind 4: server → client user broadcast with a raw payload. */
  public static byte[] encodeBinaryBroadcast(String topic, String userEvent, JsonObject meta, Buffer data) {
    byte[] t = topic.getBytes(StandardCharsets.UTF_8);
    byte[] e = userEvent.getBytes(StandardCharsets.UTF_8);
    byte[] m = meta == null ? new byte[0] : meta.encode().getBytes(StandardCharsets.UTF_8);
    Buffer out = Buffer.buffer(5 + t.length + e.length + m.length + data.length())
        .appendByte((byte) KIND_USER_BROADCAST).appendByte((byte) t.length).appendByte((byte) e.length)
        .appendByte((byte) m.length).appendByte((byte) ENCODING_BINARY)
        .appendBytes(t).appendBytes(e).appendBytes(m).appendBuffer(data);
    return out.getBytes();
  }

  private static String quote(String s) {
    return s == null ? "null" : Json.encode(s);
  }
}
