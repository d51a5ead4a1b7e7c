package com.wedsync.hub.protocol;

import com.wedsync.hub.support.NodeScripts;
import com.wedsync.hub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;

/**
 * Protocol conformance against the two public clients the hub must serve unmodified (docs/protocol.md §1–§4):
 * {@code @supabase/realtime-js} and {@code phoenix}, run under Node with {@code ws} as their WebSocket transport.
 * The scripts in {@code src/test/js} print one PASS/FAIL line per check and exit 0 only if all passed.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH. On a fresh clone the pinned packages are installed once with
 * {@code npm ci} (from {@code src/test/js/package-lock.json}).
 */
class JsClientConformanceTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final long SCRIPT_TIMEOUT_SECONDS = 90;

  static NodeScripts js;
  static TestHub hub;

  @BeforeAll
  static void setUp() {
    js = NodeScripts.in("src/test/js", "@supabase/realtime-js", "phoenix", "ws");
    hub = TestHub.start();
  }

  @AfterAll
  static void tearDown() {
    if (hub != null) hub.close();
  }

  @Test
  void realtimeJsClientConforms() {
    Map<String, String> env = Map.of(
        "HUB_ENDPOINT", endpoint(),
        "TOKEN_EMMA", hub.token(EMMA),
        // a second, different valid token for the same user: the refresh must not reuse the first one
        "TOKEN_EMMA_REFRESH", hub.tokens.user(EMMA, 7200),
        "TOKEN_SARAH", hub.token(SARAH),
        "TOKEN_EMMA_EXPIRED", hub.tokens.user(EMMA, -60));
    js.node("realtime-conformance.js", env, SCRIPT_TIMEOUT_SECONDS);
  }

  @Test
  void phoenixClientConforms() {
    Map<String, String> env = Map.of(
        "HUB_ENDPOINT", endpoint(),
        "TOKEN_EMMA", hub.token(EMMA),
        "TOKEN_SARAH", hub.token(SARAH));
    js.node("phoenix-conformance.js", env, SCRIPT_TIMEOUT_SECONDS);
  }

  /** The phoenix client forced to its LongPoll transport, next to a WebSocket peer (docs/protocol.md §1.9). */
  @Test
  void phoenixLongPollClientConforms() {
    // A short idle timeout: a session that stops polling is cleaned up within seconds (the last check).
    try (TestHub lp = TestHub.start(Map.of("WEDSYNC_HUB_SOCKET_IDLE_TIMEOUT_MS", "3000"))) {
      Map<String, String> env = Map.of(
          "HUB_ENDPOINT", "http://127.0.0.1:" + lp.hub.port() + "/realtime/v1",
          "TOKEN_EMMA", lp.token(EMMA),
          "TOKEN_SARAH", lp.token(SARAH));
      js.node("longpoll-conformance.js", env, SCRIPT_TIMEOUT_SECONDS);
    }
  }

  /** What an app passes to the clients: they append {@code /websocket?…&vsn=…} themselves. */
  private static String endpoint() {
    return "ws://127.0.0.1:" + hub.hub.port() + "/realtime/v1";
  }
}
