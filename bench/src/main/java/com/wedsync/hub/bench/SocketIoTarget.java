package com.wedsync.hub.bench;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * The Socket.IO 4 peer ({@code scripts/peer/server.js}) as a {@link LoadTarget}: channel c is room {@code c<c>};
 * {@code join} joins it, {@code publish} asks the server to emit {@code tick} to the room, {@code presence} records
 * the client in the room's member list, sends it the list and emits its join to the whole room (presence without
 * coalescing, as an application on Socket.IO would first write it). Keys are client indexes.
 */
final class SocketIoTarget implements LoadTarget {
  private static final byte[] STATE = "42[\"presence_state\",".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] JOIN = "42[\"presence_join\",".getBytes(StandardCharsets.US_ASCII);
  private static final byte[] LEAVE = "42[\"presence_leave\",".getBytes(StandardCharsets.US_ASCII);
  // HTTP/1.1: the JDK's default h2c upgrade header would be taken by Engine.IO as a WebSocket upgrade and dropped.
  private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private final BenchKit kit;
  private final String url, host;
  private final int port;
  private final long pid;

  SocketIoTarget(BenchKit kit, String url, long pid) {
    this.kit = kit;
    this.url = url;
    URI u = URI.create(url);
    this.host = u.getHost();
    this.port = u.getPort() > 0 ? u.getPort() : 80;
    this.pid = pid;
  }

  @Override
  public String name() {
    return "Socket.IO";
  }

  @Override
  public void prepare(int clients, int channels) {
    // Rooms exist once joined; Socket.IO has no users to create.
  }

  @Override
  public Future<LoadClient> open(int index, Handler<Buffer> pushes) {
    return EngineIoSocket.connect(kit.vertx(), kit.sources().clientFor(index), host, port).map(s -> {
      s.onEvent(pushes);
      return new Client(s, index);
    });
  }

  private record Client(EngineIoSocket socket, int index) implements LoadClient {
    @Override
    public Future<Void> join(int channel, boolean presence) {
      return socket.emitWithAck("join", "\"c" + channel + "\"").mapEmpty();
    }

    @Override
    public Future<Void> publish(int channel, String payloadJson) {
      return socket.emitWithAck("publish", "{\"room\":\"c" + channel + "\",\"payload\":" + payloadJson + "}")
          .mapEmpty();
    }

    @Override
    public Future<Void> track(int channel) {
      return socket.emitWithAck("presence", "{\"room\":\"c" + channel + "\",\"key\":" + index + "}").mapEmpty();
    }
  }

  /** {@code 42["presence_state",[keys]]}, {@code 42["presence_join",key]}, {@code 42["presence_leave",key]}. */
  @Override
  public PresenceChange presence(Buffer frame) {
    if (startsWith(frame, STATE)) {
      JsonArray keys = new JsonArray(frame.slice(2, frame.length())).getJsonArray(1);
      int[] joins = new int[keys.size()];
      for (int i = 0; i < joins.length; i++) joins[i] = keys.getInteger(i);
      return new PresenceChange(true, joins, new int[0]);
    }
    if (startsWith(frame, JOIN)) return new PresenceChange(false, new int[] {key(frame, JOIN)}, new int[0]);
    if (startsWith(frame, LEAVE)) return new PresenceChange(false, new int[0], new int[] {key(frame, LEAVE)});
    return null;
  }

  private static int key(Buffer frame, byte[] prefix) {
    int k = 0;
    for (int i = prefix.length; i < frame.length() && Character.isDigit(frame.getByte(i)); i++) {
      k = k * 10 + frame.getByte(i) - '0';
    }
    return k;
  }

  private static boolean startsWith(Buffer frame, byte[] prefix) {
    if (frame.length() < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if (frame.getByte(i) != prefix[i]) return false;
    return true;
  }

  @Override
  public long serverPid() {
    return pid;
  }

  @Override
  public long serverHeapBytes() {
    JsonObject stats = stats();
    return stats == null ? -1 : stats.getLong("heapUsed", -1L);
  }

  @Override
  public String describe() {
    JsonObject stats = stats();
    String adapter = stats == null ? "unknown adapter" : stats.getString("adapter", "unknown adapter");
    String version = stats == null ? "" : " " + stats.getString("socketio", "");
    return "Socket.IO" + version + " at " + url + " (Engine.IO v4 over WebSocket only; " + adapter + ")";
  }

  /** The peer's {@code GET /stats}: {@code {"heapUsed", "adapter", "socketio"}}; null when it does not answer. */
  private JsonObject stats() {
    try {
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url + "/stats"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? new JsonObject(r.body()) : null;
    } catch (Exception e) {
      return null;
    }
  }
}
