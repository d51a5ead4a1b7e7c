package com.wedsync.hub.bus;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * How bus messages cross between nodes: compact JSON with the sending node's id, so a node ignores its own messages
 * coming back from Redis (it delivered them locally already). A durable event numbered in Redis arrives with its
 * history position in front ({@code "o"} offset, {@code "ep"} epoch, put there by {@code history-append.lua}); it
 * becomes the payload's {@code meta}. An event's or presence delta's {@link Audience} travels as {@code "a"}, so the
 * receiving node (and a history replay) delivers it to the same subscribers as the publishing one would.
 */
public final class BusCodec {
  private BusCodec() {}

  public record Received(String node, BusMessage message) {}

  public static String encode(String node, BusMessage m) {
    JsonObject j = new JsonObject().put("n", node).put("t", m.topic());
    if (m instanceof ChannelEvent e) {
      j.put("k", "e").put("e", e.event()).put("p", e.payload()).put("s", e.sender());
      if (e.publishedAtMicros() > 0) j.put("ts", e.publishedAtMicros());
      if (e.binary() != null) j.put("b", Base64.getEncoder().encodeToString(e.binary().getBytes()));
      if (e.audience() != null) j.put("a", e.audience().toJson());
    } else if (m instanceof PresenceDelta d) {
      j.put("k", "p").put("key", d.key()).put("j", new JsonArray(d.joins())).put("l", new JsonArray(d.leaves()));
      if (d.audience() != null) j.put("a", d.audience().toJson());
    } else if (m instanceof ControlEvent c) {
      j.put("k", "c").put("name", c.name()).put("d", c.data());
    }
    return j.encode();
  }

  public static Received decode(String raw) {
    JsonObject j = new JsonObject(raw);
    String topic = j.getString("t");
    BusMessage m = switch (j.getString("k")) {
      case "e" -> event(topic, j);
      case "p" -> new PresenceDelta(topic, j.getString("key"), objects(j.getJsonArray("j")),
          objects(j.getJsonArray("l")), Audience.fromJson(j.getJsonObject("a")));
      case "c" -> new ControlEvent(topic, j.getString("name"), j.getJsonObject("d"));
      default -> throw new IllegalArgumentException("unknown bus message kind " + j.getString("k"));
    };
    return new Received(j.getString("n"), m);
  }

  /** A channel event; a durable one numbered in Redis carries its position, in its payload's meta too. */
  private static ChannelEvent event(String topic, JsonObject j) {
    JsonObject payload = j.getJsonObject("p");
    StreamPosition at = null;
    if (j.containsKey("o")) {
      at = new StreamPosition(j.getLong("o"), j.getString("ep"));
      payload.put("meta", at.toJson());
    }
    return new ChannelEvent(topic, j.getString("e"), payload,
        j.containsKey("b") ? Buffer.buffer(Base64.getDecoder().decode(j.getString("b"))) : null, j.getString("s"),
        Audience.fromJson(j.getJsonObject("a")), at, new WireCache(), j.getLong("ts", 0L));
  }

  private static List<JsonObject> objects(JsonArray a) {
    List<JsonObject> out = new ArrayList<>(a.size());
    for (Object o : a) out.add((JsonObject) o);
    return out;
  }
}
