package com.wedsync.hub.socket;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code http.nativeTransport}: on (the default) the hub runs on Netty's epoll where the jar carries it (Linux
 * x86-64), off it runs on Java NIO; either way the same socket traffic works, including the batched flushes.
 */
class TransportTest {
  private static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  private static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  private static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";

  @Test
  void byDefaultTheHubRunsOnEpollWhereNettyShipsIt() {
    boolean epollShipped = System.getProperty("os.name").startsWith("Linux")
        && System.getProperty("os.arch").matches("amd64|x86_64");
    try (TestHub hub = TestHub.start()) {
      assertEquals(epollShipped, hub.hub.vertx().isNativeTransportEnabled(), "native transport in use");
      broadcastArrives(hub);
    }
  }

  @Test
  void turnedOffTheHubRunsOnJavaNio() {
    try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_HTTP_NATIVE_TRANSPORT", "false"))) {
      assertEquals(false, hub.hub.vertx().isNativeTransportEnabled(), "native transport in use");
      broadcastArrives(hub);
    }
  }

  private static void broadcastArrives(TestHub hub) {
    JsonObject config = new JsonObject().put("config", new JsonObject().put("broadcast", new JsonObject()
        .put("ack", true)));
    try (WsClient sender = hub.connect(SARAH); WsClient receiver = hub.connect(EMMA)) {
      assertEquals("ok", sender.join(WEDDING, config).getString("status"));
      assertEquals("ok", receiver.join(WEDDING, config).getString("status"));
      JsonObject reply = sender.request(WEDDING, "broadcast", new JsonObject().put("type", "broadcast")
          .put("event", "hello").put("payload", new JsonObject().put("n", 1)));
      assertEquals("ok", reply.getString("status"), reply.encode());
      JsonArray got = receiver.await(f -> "broadcast".equals(f.getString(3))
          && "hello".equals(f.getJsonObject(4).getString("event")), Duration.ofSeconds(10));
      assertEquals(1, got.getJsonObject(4).getJsonObject("payload").getInteger("n"));
    }
  }
}
