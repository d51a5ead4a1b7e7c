package com.wedsync.hub.ops;

import com.wedsync.hub.support.TestHub;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The compose healthcheck's probe: true for a hub that is ready, false for a 404 and for a port nobody serves. */
class HealthProbeTest {
  @Test
  void saysYesOnlyToA2xx() throws Exception {
    try (TestHub hub = TestHub.start()) {
      String base = "http://127.0.0.1:" + hub.hub.port();
      assertTrue(HealthProbe.check(base + "/ready", Duration.ofSeconds(5)));
      assertFalse(HealthProbe.check(base + "/no-such-route", Duration.ofSeconds(5)));
    }
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    assertFalse(HealthProbe.check("http://127.0.0.1:" + closed + "/ready", Duration.ofSeconds(2)));
  }
}
