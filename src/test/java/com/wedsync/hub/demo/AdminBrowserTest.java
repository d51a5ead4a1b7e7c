package com.wedsync.hub.demo;

import com.wedsync.hub.support.NodeScripts;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The sync-health page at {@code /admin} in headless Chromium, as DemoBrowserTest drives the demo ({@code
 * src/test/browser/admin.js}): a supplier is refused with a clear message; the demo admin sees live numbers that move
 * when someone connects and edits, charts that fill, and an alert (an outbox dead letter) with its since-time.
 */
class AdminBrowserTest {
  static NodeScripts browser;
  static TestHub hub;

  @BeforeAll
  static void setUp() {
    assertTrue(Files.isExecutable(DemoBrowserTest.CHROMIUM), "the browser tests need Debian's Chromium at "
        + DemoBrowserTest.CHROMIUM + " (scripts/test installs it: apt-get install -y chromium)");
    browser = NodeScripts.in("src/test/browser", "playwright-core");
    hub = TestHub.start();
  }

  @AfterAll
  static void tearDown() {
    if (hub != null) hub.close();
  }

  @Test
  void aNonAdminIsToldThePageIsForAdmins() {
    run("adminRefused", null);
  }

  @Test
  void theAdminSeesLiveNumbersChartsAndAnAlert() {
    UUID notification = UUID.randomUUID();
    String marker = "admin-browser-" + notification;
    TestPostgres.execute("""
        insert into notifications (id, recipient_id, type, title, body) values ('%s', '%s', 'test', 'x', '%s');
        insert into notification_outbox (notification_id, channel, recipient_id, payload, status, attempts, last_error)
        values ('%s', 'email', '%s', '{}', 'dead', 5, '%s');""".formatted(notification,
        "11111111-0000-0000-0000-000000000001", marker, notification, "11111111-0000-0000-0000-000000000001", marker));
    try {
      run("adminLive", DemoBrowserTest.freshForm("Admin live"));
    } finally {
      TestPostgres.execute("delete from notifications where id = '" + notification + "'");
    }
  }

  private static void run(String scenario, UUID form) {
    Map<String, String> env = new HashMap<>();
    env.put("HUB_URL", "http://127.0.0.1:" + hub.hub.port());
    env.put("SHOTS_DIR", Path.of("target", "browser-failures").toAbsolutePath().toString());
    env.put("CHROMIUM", DemoBrowserTest.CHROMIUM.toString());
    if (form != null) env.put("FORM_ID", form.toString());
    browser.run(List.of("node", "admin.js", scenario), env, DemoBrowserTest.SCRIPT_TIMEOUT_SECONDS);
  }
}
