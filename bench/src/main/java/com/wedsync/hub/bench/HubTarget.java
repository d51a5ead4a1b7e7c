package com.wedsync.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The hub as a {@link LoadTarget}: each client is a user of its own (a team member of the demo supplier, written by
 * {@link Fixtures}), each channel a form, joined as {@code realtime:form:ID}; publishing is a Supabase broadcast over
 * the client's socket, presence a Supabase presence track (keyed by user id).
 */
final class HubTarget implements LoadTarget {
  private static final byte[] PRESENCE = "\"presence_".getBytes(StandardCharsets.US_ASCII);

  private final BenchKit kit;
  private final BenchKit.Target hub;
  private final String dbUser, dbPassword;
  private List<UUID> users = List.of();
  private List<UUID> forms = List.of();
  private final Map<String, Integer> clientOfUser = new HashMap<>();

  HubTarget(BenchKit kit, BenchKit.Target hub, String dbUser, String dbPassword) {
    this.kit = kit;
    this.hub = hub;
    this.dbUser = dbUser;
    this.dbPassword = dbPassword;
  }

  @Override
  public String name() {
    return "hub";
  }

  @Override
  public void prepare(int clients, int channels) throws Exception {
    try (Fixtures fx = new Fixtures(hub.jdbcUrl(), dbUser, dbPassword)) {
      users = fx.users("loadgen", clients);
      forms = fx.forms("loadgen", channels, 1);
    }
    clientOfUser.clear();
    for (int i = 0; i < users.size(); i++) clientOfUser.put(users.get(i).toString(), i);
  }

  @Override
  public Future<LoadClient> open(int index, Handler<Buffer> pushes) {
    String token = kit.tokens().user(users.get(index), 86_400);
    return BenchSocket.connect(kit.vertx(), kit.sources().clientFor(index), hub.host(), hub.port(), token)
        .map(s -> {
          s.onPush(pushes);
          return new Client(s);
        });
  }

  private final class Client implements LoadClient {
    private final BenchSocket socket;

    Client(BenchSocket socket) {
      this.socket = socket;
    }

    @Override
    public ClientSocket socket() {
      return socket;
    }

    private String topic(int channel) {
      return "realtime:form:" + forms.get(channel);
    }

    @Override
    public Future<Void> join(int channel, boolean presence) {
      JsonObject config = new JsonObject().put("broadcast", new JsonObject().put("self", false).put("ack", false))
          .put("presence", new JsonObject().put("key", "").put("enabled", presence));
      return socket.join(topic(channel), new JsonObject().put("config", config)).mapEmpty();
    }

    @Override
    public Future<Void> publish(int channel, String payloadJson) {
      return ok(socket.requestJson(topic(channel), "broadcast",
          "{\"type\":\"broadcast\",\"event\":\"tick\",\"payload\":" + payloadJson + "}"));
    }

    @Override
    public Future<Void> track(int channel) {
      return socket.track(topic(channel));
    }

    private Future<Void> ok(Future<JsonObject> reply) {
      return reply.compose(r -> "ok".equals(r.getString("status")) ? Future.<Void>succeededFuture()
          : Future.failedFuture(BenchKit.reason(r)));
    }
  }

  /** {@code presence_state} {@code {KEY:{metas}}} or {@code presence_diff} {@code {joins, leaves}}; keys are user ids. */
  @Override
  public PresenceChange presence(Buffer frame) {
    if (!headHas(frame, PRESENCE)) return null;
    JsonArray f = new JsonArray(frame);
    JsonObject payload = f.getJsonObject(4);
    return switch (f.getString(3)) {
      case "presence_state" -> new PresenceChange(true, clients(payload), new int[0]);
      case "presence_diff" -> new PresenceChange(false, clients(payload.getJsonObject("joins")),
          clients(payload.getJsonObject("leaves")));
      default -> null;
    };
  }

  private int[] clients(JsonObject byKey) {
    if (byKey == null) return new int[0];
    return byKey.fieldNames().stream().mapToInt(k -> clientOfUser.getOrDefault(k, -1)).filter(i -> i >= 0).toArray();
  }

  /** The event name sits in the first 200 bytes (two short refs and a form topic before it). */
  private static boolean headHas(Buffer frame, byte[] needle) {
    int n = Math.min(frame.length(), 200) - needle.length;
    outer:
    for (int i = 0; i <= n; i++) {
      for (int j = 0; j < needle.length; j++) if (frame.getByte(i + j) != needle[j]) continue outer;
      return true;
    }
    return false;
  }

  @Override
  public long serverPid() {
    return hub.pid();
  }

  @Override
  public long serverHeapBytes() {
    try {
      return (long) Scrape.fetch(hub.url()).sum("jvm_memory_used_bytes{area=\"heap\"");
    } catch (Exception e) {
      return -1;
    }
  }

  @Override
  public String describe() {
    return "WedSync hub at " + hub.url() + " (Phoenix Channels vsn 2.0.0, Supabase broadcast and presence)";
  }
}
