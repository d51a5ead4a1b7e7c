package com.wedsync.hub.demo;

import com.wedsync.hub.support.NodeScripts;
import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo app as people use it (README "Demo app"), in a real headless Chromium — Debian's {@code /usr/bin/chromium}
 * ({@code scripts/test} installs it when missing) driven by playwright-core from {@code src/test/browser}, installed
 * there with {@code npm ci}. One hub (demo data, a free port) for the class; each scenario gets a fresh form so that
 * scenarios and other test classes never see each other's edits. A failing scenario leaves screenshots of every
 * open page in {@code target/browser-failures/}.
 *
 * <p>The order matters once: the two-tabs scenario counts the hub's connections, so it runs before the offline and
 * long-poll scenarios, whose abandoned connections (a socket cut off by the browser's offline mode, long-poll
 * sessions) the hub only lets go after its idle timeout.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final long SCRIPT_TIMEOUT_SECONDS = 120;

  static NodeScripts browser;
  static TestHub hub;

  @BeforeAll
  static void setUp() {
    assertTrue(Files.isExecutable(CHROMIUM), "the browser tests need Debian's Chromium at " + CHROMIUM
        + " (scripts/test installs it: apt-get install -y chromium)");
    browser = NodeScripts.in("src/test/browser", "playwright-core");
    hub = TestHub.start();
  }

  @AfterAll
  static void tearDown() {
    if (hub != null) hub.close();
  }

  @Test
  @Order(1)
  void coupleAndSupplierEditOneFormTogether() {
    run(hub, "together", freshForm("Together"));
  }

  @Test
  @Order(2)
  void aMentionLightsTheOtherSidesBell() {
    run(hub, "mention", freshForm("Mentions"));
  }

  @Test
  @Order(3)
  void theClientListShowsTheCoupleOnlineThenOffline() {
    run(hub, "clients", freshForm("Client status"));
  }

  @Test
  @Order(4)
  void twoTabsOfOneUserShareOneSocket() {
    run(hub, "tabs", freshForm("Two tabs"));
  }

  @Test
  @Order(5)
  void offlineEditsAreQueuedKeptOverAReloadAndReplayedWithAConflictDialog() {
    run(hub, "offline", freshForm("Offline"));
  }

  @Test
  @Order(6)
  void withWebSocketBlockedLiveUpdatesComeOverLongPoll() {
    run(hub, "longpoll", freshForm("Long-poll"));
  }

  @Test
  @Order(7)
  void demoSignInIsRefusedWhenDemoDataIsOff() {
    try (TestHub off = TestHub.start(Map.of("WEDSYNC_HUB_DEMO_DATA", "false"))) {
      run(off, "demoOff", null);
    }
  }

  private static void run(TestHub target, String scenario, UUID form) {
    Map<String, String> env = new HashMap<>();
    env.put("HUB_URL", "http://127.0.0.1:" + target.hub.port());
    env.put("SHOTS_DIR", Path.of("target", "browser-failures").toAbsolutePath().toString());
    env.put("CHROMIUM", CHROMIUM.toString());
    if (form != null) env.put("FORM_ID", form.toString());
    browser.run(java.util.List.of("node", "scenarios.js", scenario), env, SCRIPT_TIMEOUT_SECONDS);
  }

  /**
   * A new form on Emma & James's wedding from Lens & Light (status {@code sent}): three required fields (so progress
   * moves) and a text area.
   */
  static UUID freshForm(String title) {
    UUID form = UUID.randomUUID();
    TestPostgres.execute("insert into forms (id, supplier_id, wedding_id, title, status) values ('" + form + "', '"
        + TestForms.SUPPLIER + "', '" + TestForms.WEDDING + "', '" + title + "', 'sent');"
        + "insert into form_fields (form_id, key, label, type, required, options, validation, position, value, version)"
        + " values ('" + form + "', 'couple_names', 'Couple names', 'text', true, null, '{}', 1, null, 0),"
        + " ('" + form + "', 'guests', 'Guest count', 'number', true, null, '{\"min\": 0, \"max\": 1000}', 2, null, 0),"
        + " ('" + form + "', 'style', 'Style', 'select', true, '[\"classic\", \"relaxed\", \"glam\"]', '{}', 3, null, 0),"
        + " ('" + form + "', 'story', 'Your story', 'textarea', false, null, '{}', 4, '\"\"', 0);");
    return form;
  }
}
