package com.wedsync.hub.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubConfigTest {

  @Test
  void defaultsComeFromConfHubJson() {
    HubConfig c = HubConfig.load(Map.of());
    assertEquals(4000, c.http().port());
    assertEquals(50, c.socket().maxChannelsPerConnection());
    assertEquals(10, c.socket().maxConnectionsPerUser());
    assertEquals(HubConfig.DatabaseMode.EMBEDDED, c.database().mode());
    assertEquals(com.wedsync.hub.http.IoTransport.Choice.AUTO, c.http().transport(), "the best transport here");
    assertTrue(c.auth().hs256Secret().length() >= 32, "development secret read from conf/");
  }

  @Test
  void everyKeyCanBeOverriddenByAnEnvironmentVariable() {
    HubConfig c = HubConfig.load(Map.of("WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION", "7", "WEDSYNC_HUB_HTTP_PORT", "4555",
        "WEDSYNC_HUB_DEMO_DATA", "false", "WEDSYNC_HUB_NODE_ID", "alpha", "WEDSYNC_HUB_SOCKET_ALLOWED_ORIGINS", "https://a.example",
        "WEDSYNC_HUB_HTTP_TRANSPORT", "nio"));
    assertEquals(7, c.socket().maxChannelsPerConnection());
    assertEquals(4555, c.http().port());
    assertEquals(false, c.demoData());
    assertEquals("alpha", c.nodeId());
    assertEquals(com.wedsync.hub.http.IoTransport.Choice.NIO, c.http().transport());
    assertEquals(java.util.List.of("https://a.example"), c.socket().allowedOrigins());
  }

  @Test
  void aBadValueNamesTheKey() {
    assertMessage(Map.of("WEDSYNC_HUB_HTTP_PORT", "eighty"), "http.port");
    assertMessage(Map.of("WEDSYNC_HUB_HTTP_PORT", "70000"), "http.port");
    assertMessage(Map.of("WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION", "0"), "socket.maxChannelsPerConnection");
    assertMessage(Map.of("WEDSYNC_HUB_DEMO_DATA", "maybe"), "demoData");
    assertMessage(Map.of("WEDSYNC_HUB_HTTP_TRANSPORT", "perhaps"), "http.transport");
    assertMessage(Map.of("WEDSYNC_HUB_DATABASE_MODE", "cloud"), "database.mode");
    assertMessage(Map.of("WEDSYNC_HUB_DATABASE_MODE", "external"), "database.url");
    assertMessage(Map.of("WEDSYNC_HUB_AUTH_HS256_SECRET", "short"), "auth.hs256Secret");
    assertMessage(Map.of("WEDSYNC_HUB_LOG_FORMAT", "xml"), "log.format");
    assertMessage(Map.of("WEDSYNC_HUB_NODE_ID", "no spaces please"), "node.id");
    assertMessage(Map.of("WEDSYNC_HUB_SOCKET_MAX_CHANELS", "5"), "WEDSYNC_HUB_SOCKET_MAX_CHANELS");
    assertMessage(Map.of("WEDSYNC_HUB_DELIVERY_EMAIL_URL", "mailto:ops@example.com"), "delivery.emailUrl");
    assertMessage(Map.of("WEDSYNC_HUB_DELIVERY_PUSH_URL", "not a url"), "delivery.pushUrl");
    assertMessage(Map.of("WEDSYNC_HUB_DELIVERY_MAX_ATTEMPTS", "0"), "delivery.maxAttempts");
    assertMessage(Map.of("WEDSYNC_HUB_DELIVERY_BACKOFF_BASE_MS", "5000", "WEDSYNC_HUB_DELIVERY_BACKOFF_MAX_MS", "1000"),
        "delivery.backoffMaxMs");
    assertMessage(Map.of("WEDSYNC_HUB_HISTORY_KEEP_EVENTS", "0"), "history.keepEvents");
    assertMessage(Map.of("WEDSYNC_HUB_HISTORY_KEEP_MS", "ten minutes"), "history.keepMs");
    assertMessage(Map.of("WEDSYNC_HUB_HISTORY_KEEP_MS", "900000", "WEDSYNC_HUB_HISTORY_IDLE_TTL_MS", "600000"), "history.idleTtlMs");
  }

  @Test
  void deliveryChannelsAreTheOnesWithAWebhook() {
    HubConfig off = HubConfig.load(Map.of());
    assertEquals(java.util.List.of(), off.delivery().channels(), "no webhook: no email, SMS or push deliveries");
    HubConfig on = HubConfig.load(Map.of("WEDSYNC_HUB_DELIVERY_EMAIL_URL", "http://127.0.0.1:9/email",
        "WEDSYNC_HUB_DELIVERY_PUSH_URL", "https://push.example/hook", "WEDSYNC_HUB_DELIVERY_MAX_ATTEMPTS", "3"));
    assertEquals(java.util.List.of("email", "push"), on.delivery().channels());
    assertEquals("https://push.example/hook", on.delivery().url("push"));
    assertEquals("", on.delivery().url("sms"));
    assertEquals(3, on.delivery().maxAttempts());
  }

  @Test
  void historyKeepsAtLeast300EventsOr10MinutesByDefault() {
    HubConfig.History h = HubConfig.load(Map.of()).history();
    assertEquals(300, h.keepEvents());
    assertEquals(600_000, h.keepMs());
    assertTrue(h.idleTtlMs() >= h.keepMs());
    assertEquals(1000, HubConfig.load(Map.of("WEDSYNC_HUB_HISTORY_KEEP_EVENTS", "1000")).history().keepEvents());
  }

  @Test
  void envNamesFollowTheKeyPath() {
    assertEquals("WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION", ConfigSource.envName("socket.maxChannelsPerConnection"));
    assertEquals("WEDSYNC_HUB_AUTH_HS256_SECRET", ConfigSource.envName("auth.hs256Secret"));
  }

  private static void assertMessage(Map<String, String> env, String key) {
    ConfigException e = assertThrows(ConfigException.class, () -> HubConfig.load(env));
    assertTrue(e.getMessage().contains("'" + key + "'"), e.getMessage());
  }
}
