package com.wedsync.hub.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The environment's two prefixes: {@code WEDSYNC_HUB_} is strict (a variable naming no key stops start-up, naming
 * it), the older {@code HUB_} is read for known keys and only warned about otherwise, because Kubernetes injects
 * {@code HUB_*} variables into every pod of a namespace with a Service named {@code hub}.
 */
class EnvironmentPrefixTest {
  /** What Kubernetes 1.30 injects for {@code Service hub} on port 4000 (docker links style service variables). */
  static final Map<String, String> KUBERNETES_SERVICE_HUB = Map.of(
      "HUB_SERVICE_HOST", "10.96.12.34",
      "HUB_SERVICE_PORT", "4000",
      "HUB_SERVICE_PORT_HTTP", "4000",
      "HUB_PORT", "tcp://10.96.12.34:4000",
      "HUB_PORT_4000_TCP", "tcp://10.96.12.34:4000",
      "HUB_PORT_4000_TCP_PROTO", "tcp",
      "HUB_PORT_4000_TCP_PORT", "4000",
      "HUB_PORT_4000_TCP_ADDR", "10.96.12.34");

  @Test
  void kubernetesServiceVariablesAreIgnoredWithAWarningEach() {
    ConfigSource source = ConfigSource.load(KUBERNETES_SERVICE_HUB);
    HubConfig config = HubConfig.load(source);
    assertEquals(4000, config.http().port(), "HUB_PORT is not http.port");
    assertEquals(KUBERNETES_SERVICE_HUB.size(), source.warnings().size(), source.warnings().toString());
    for (String name : KUBERNETES_SERVICE_HUB.keySet()) {
      assertTrue(source.warnings().stream().anyMatch(w -> w.contains(name + ":") && w.contains("WEDSYNC_HUB_")),
          name + " warned about: " + source.warnings());
    }
  }

  @Test
  void theNewPrefixSetsEveryKey() {
    ConfigSource source = ConfigSource.load(Map.of("WEDSYNC_HUB_HTTP_PORT", "4555",
        "WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION", "7", "WEDSYNC_HUB_DEMO_DATA", "no"));
    HubConfig c = HubConfig.load(source);
    assertEquals(4555, c.http().port());
    assertEquals(7, c.socket().maxChannelsPerConnection());
    assertEquals(false, c.demoData());
    assertEquals(List.of(), source.warnings());
  }

  @Test
  void theNewPrefixIsStrictAndTheErrorNamesTheVariable() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigSource.load(Map.of("WEDSYNC_HUB_SOCKET_MAX_CHANELS_PER_CONNECTION", "5")));
    assertTrue(e.getMessage().contains("'WEDSYNC_HUB_SOCKET_MAX_CHANELS_PER_CONNECTION'"), e.getMessage());
    assertTrue(e.getMessage().contains("matches no configuration key"), e.getMessage());
  }

  @Test
  void aServiceNamedWedsyncHubIsCalledOutInTheError() {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigSource.load(Map.of("WEDSYNC_HUB_SERVICE_HOST", "10.96.0.9")));
    assertTrue(e.getMessage().contains("'WEDSYNC_HUB_SERVICE_HOST'"), e.getMessage());
    assertTrue(e.getMessage().contains("enableServiceLinks"), e.getMessage());
  }

  @Test
  void theOldPrefixStillSetsKnownKeys() {
    ConfigSource source = ConfigSource.load(Map.of("HUB_HTTP_PORT", "4600", "HUB_LOG_FORMAT", "text"));
    HubConfig c = HubConfig.load(source);
    assertEquals(4600, c.http().port());
    assertEquals("text", c.log().format());
    assertEquals(List.of(), source.warnings());
  }

  @Test
  void aBadValueUnderTheOldPrefixIsStillAnErrorNamingWhereItCameFrom() {
    ConfigException e = assertThrows(ConfigException.class, () -> ConfigSource.load(Map.of("HUB_HTTP_PORT",
        "tcp://10.96.12.34:4000")));
    assertTrue(e.getMessage().contains("'http.port'") && e.getMessage().contains("from HUB_HTTP_PORT"),
        e.getMessage());
  }

  @Test
  void theNewPrefixWinsOverTheOldOneWithAWarning() {
    ConfigSource source = ConfigSource.load(Map.of("HUB_HTTP_PORT", "4600", "WEDSYNC_HUB_HTTP_PORT", "4700"));
    assertEquals(4700, HubConfig.load(source).http().port());
    assertEquals(1, source.warnings().size(), source.warnings().toString());
    assertTrue(source.warnings().get(0).contains("HUB_HTTP_PORT"), source.warnings().toString());
  }

  @Test
  void theConfigFileVariableTakesEitherPrefix() {
    for (String name : List.of("WEDSYNC_HUB_CONFIG", "HUB_CONFIG")) {
      ConfigException e = assertThrows(ConfigException.class,
          () -> ConfigSource.load(Map.of(name, "/nonexistent/hub.json")));
      assertTrue(e.getMessage().contains("'" + name + "'") && e.getMessage().contains("/nonexistent/hub.json"),
          e.getMessage());
    }
  }
}
