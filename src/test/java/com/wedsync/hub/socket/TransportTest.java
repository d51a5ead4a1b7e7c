package com.wedsync.hub.socket;

import com.wedsync.hub.http.IoTransport;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.transport.Transport;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code http.transport}: the hub's event loops run on epoll, Java NIO or (chosen explicitly) io_uring — {@code auto}
 * (the default) takes epoll where Netty has it — and the same socket traffic works on each, including the batched
 * flushes. The jar
 * carries the Linux x86-64 native transports, so on that platform a kernel without io_uring is the only way to miss it;
 * the auto test asserts exactly what Netty reports as available.
 */
class TransportTest {
  private static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  private static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  private static final String WEDDING = "realtime:wedding:44444444-0000-0000-0000-000000000001";

  @Test
  void autoTakesEpollWhereNettyHasIt() {
    String expected = Transport.EPOLL.available() ? "epoll" : "nio"; // io_uring only when chosen (see IoTransport)
    try (TestHub hub = TestHub.start()) {
      assertEquals(expected, transportOf(hub), "transport in use");
      broadcastArrives(hub);
    }
  }

  @Test
  void onLinuxX8664TheJarCarriesBothNativeTransports() {
    boolean linuxX64 = System.getProperty("os.name").startsWith("Linux")
        && System.getProperty("os.arch").matches("amd64|x86_64");
    if (!linuxX64) return; // elsewhere there is nothing native to carry; the auto test covers the fallback
    assertTrue(Transport.EPOLL.available(), "epoll: " + Transport.EPOLL.unavailabilityCause());
    // io_uring may be refused by the kernel (or a seccomp profile), never by a missing class
    Throwable why = Transport.IO_URING.unavailabilityCause();
    assertTrue(why == null || !(why instanceof ClassNotFoundException || why instanceof NoClassDefFoundError),
        "io_uring classes on the class path: " + why);
  }

  @Test
  void eachTransportCanBeChosenAndCarriesTheSameTraffic() {
    for (String choice : new String[] {"io_uring", "epoll", "nio"}) {
      IoTransport.Picked picked = IoTransport.pick(IoTransport.Choice.parse(choice));
      try (TestHub hub = TestHub.start(Map.of("WEDSYNC_HUB_HTTP_TRANSPORT", choice))) {
        assertEquals(picked.name(), transportOf(hub), choice + ": " + picked.why());
        broadcastArrives(hub);
      }
    }
  }

  @Test
  void anUnavailableExplicitChoiceFallsBackToNioAndSaysWhy() {
    if (Transport.IO_URING.available()) {
      assertEquals("io_uring", IoTransport.pick(IoTransport.Choice.IO_URING).name());
    } else {
      IoTransport.Picked p = IoTransport.pick(IoTransport.Choice.IO_URING);
      assertEquals("nio", p.name());
      assertTrue(p.why().contains("unavailable"), p.why());
    }
    assertEquals("nio", IoTransport.pick(IoTransport.Choice.NIO).name());
  }

  private static String transportOf(TestHub hub) {
    String name = ((VertxInternal) hub.hub.vertx()).transport().getClass().getSimpleName().toLowerCase();
    if (name.contains("uring")) return "io_uring";
    if (name.contains("epoll")) return "epoll";
    return "nio";
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
