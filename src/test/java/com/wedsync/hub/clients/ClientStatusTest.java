package com.wedsync.hub.clients;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.DemoIds.supplier;
import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live client status (issue 13 §3) on one node: a supplier's team watches {@code supplier:{id}:clients} and reads
 * {@code GET /api/v1/suppliers/{id}/clients} while a couple comes online, opens forms, gets a note or a message
 * (written by another service, read from the change feed) and goes offline.
 * Each supplier sees only its own forms; only team members see the list.
 */
class ClientStatusTest {
  static final UUID EMMA = user(1);
  static final UUID JAMES = user(2);
  static final UUID SARAH = user(6);   // owner of supplier 1 (Lens & Light), connected to wedding 1
  static final UUID NOAH = user(9);    // viewer at supplier 1
  static final UUID CHLOE = user(10);  // owner of supplier 2 (Feast), connected to weddings 1 and 2
  static final UUID LILY = user(14);   // owner of supplier 4 (Bloom), connected to wedding 2 only
  static final UUID COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID OTHER_COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000002");
  static final String FORM_S1 = "55555555-0000-0000-0000-000000000001";
  static final String FORM_S2 = "55555555-0000-0000-0000-000000000002";
  static final String LENS = "supplier:" + supplier(1) + ":clients";
  static final String FEAST = "supplier:" + supplier(2) + ":clients";

  /** The change feed's slot and publication of this class (messages reach the hub through it); dropped after. */
  static final String SLOT = "client_status_test";

  static TestHub hub;

  @BeforeAll
  static void start() {
    dropSlot();
    hub = TestHub.start(Map.of("WEDSYNC_HUB_PRESENCE_LAST_SEEN_FLUSH_MS", "200", "WEDSYNC_HUB_POSTGRES_CHANGES_SLOT", SLOT,
        "WEDSYNC_HUB_POSTGRES_CHANGES_PUBLICATION", SLOT));
    long deadline = System.currentTimeMillis() + 20_000;
    while (TestPostgres.query("select 1 from pg_replication_slots where slot_name = '" + SLOT + "' and active")
        .isEmpty()) {
      if (System.currentTimeMillis() > deadline) throw new AssertionError("the hub does not read slot " + SLOT);
      pause(20);
    }
  }

  @AfterAll
  static void stop() {
    hub.close();
    dropSlot();
    TestPostgres.execute("delete from messages where body like 'ClientStatusTest:%'");
  }

  static void dropSlot() {
    for (int i = 0; i < 100; i++) {
      TestPostgres.execute("select pg_drop_replication_slot(slot_name) from pg_replication_slots where slot_name = '"
          + SLOT + "' and not active");
      if (TestPostgres.query("select 1 from pg_replication_slots where slot_name = '" + SLOT + "'").isEmpty()) break;
      pause(100);
    }
    TestPostgres.execute("drop publication if exists " + SLOT);
  }

  static void pause(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  /** A clean slate, written unannounced: a delete of notifications announced to the hub would change unread counts. */
  @BeforeEach
  void forget() {
    TestPostgres.executeUnannounced(
        "update users set last_seen_at = null where id in (select user_id from couple_members)");
    TestPostgres.executeUnannounced(
        "delete from notifications where recipient_id in (select user_id from couple_members)");
    TestPostgres.execute("update messages set read_at = now() where read_at is null and sender_side = 'supplier'");
  }

  @Test
  void aCoupleOnlineFillingAFormAndLeavingIsSeenLiveByEachOfItsSuppliersForItsOwnForms() {
    try (WsClient sarah = hub.connect(SARAH); WsClient chloe = hub.connect(CHLOE)) {
      sarah.join(LENS);
      chloe.join(FEAST);
      JsonObject before = client(list(SARAH, supplier(1)), COUPLE);
      assertEquals("inactive", before.getString("status"));
      assertNull(before.getValue("last_seen_at"));
      assertEquals("Emma & James", before.getString("name"));
      assertTrue(before.getJsonArray("wedding_ids").contains("44444444-0000-0000-0000-000000000001"),
          "other tests add weddings to this couple: " + before.encode());

      WsClient emma = hub.connect(EMMA);
      JsonObject online = status(sarah, LENS);
      assertEquals(COUPLE.toString(), online.getString("couple_id"));
      assertEquals("online", online.getString("status"));
      assertNull(online.getValue("filling_form_id"));
      assertEquals("online", status(chloe, FEAST).getString("status"));

      emma.join("form:" + FORM_S1);
      assertEquals(FORM_S1, status(sarah, LENS).getString("filling_form_id"));
      // Feast is not told of Lens & Light's form, now or in its list.
      chloe.assertNone(clientStatus(FEAST), Duration.ofMillis(400));
      assertNull(client(list(CHLOE, supplier(2)), COUPLE).getValue("filling_form_id"));
      JsonObject listed = list(SARAH, supplier(1)).getJsonObject(0);
      assertEquals(COUPLE.toString(), listed.getString("couple_id"), "the active client is listed first");
      assertEquals("online", listed.getString("status"));
      assertEquals(FORM_S1, listed.getString("filling_form_id"));

      emma.join("form:" + FORM_S2);
      assertEquals(FORM_S2, status(chloe, FEAST).getString("filling_form_id"));
      sarah.assertNone(clientStatus(LENS), Duration.ofMillis(400));

      emma.request("form:" + FORM_S1, "phx_leave", new JsonObject());
      assertNull(status(sarah, LENS).getValue("filling_form_id"));

      Instant closedAt = Instant.now();
      emma.close();
      for (var watcher : List.of(Map.entry(sarah, LENS), Map.entry(chloe, FEAST))) {
        JsonObject offline = status(watcher.getKey(), watcher.getValue());
        assertEquals("recent", offline.getString("status"));
        assertNull(offline.getValue("filling_form_id"));
        Instant seen = Instant.parse(offline.getString("last_seen_at"));
        assertTrue(Math.abs(seen.toEpochMilli() - closedAt.toEpochMilli()) < 5_000, "last seen " + seen);
      }
      assertEquals("recent", client(list(SARAH, supplier(1)), COUPLE).getString("status"));
      awaitStored(EMMA);
    }
  }

  @Test
  void twoMembersOnlineAreOneClientOnlineUntilTheLastLeaves() {
    try (WsClient sarah = hub.connect(SARAH)) {
      sarah.join(LENS);
      WsClient emma = hub.connect(EMMA);
      assertEquals("online", status(sarah, LENS).getString("status"));
      WsClient james = hub.connect(JAMES);
      WsClient emmaAgain = hub.connect(EMMA);
      sarah.assertNone(clientStatus(LENS), Duration.ofMillis(400));
      emma.close();
      james.close();
      sarah.assertNone(clientStatus(LENS), Duration.ofMillis(400));
      emmaAgain.close();
      assertEquals("recent", status(sarah, LENS).getString("status"));
    }
  }

  @Test
  void aSuppliersNoteIsOneUnreadMessageUntilAnyMemberReadsIt() {
    try (WsClient sarah = hub.connect(SARAH); WsClient chloe = hub.connect(CHLOE)) {
      sarah.join(LENS);
      chloe.join(FEAST);
      sarah.join("form:" + FORM_S1);
      JsonObject noted = sarah.request("form:" + FORM_S1, "form:note", new JsonObject()
          .put("text", "Could you confirm the shot list?").put("op_id", "n-" + UUID.randomUUID()));
      assertEquals("ok", noted.getString("status"), noted.encode());
      // Three members got a copy each: still one message from Lens & Light, and none from Feast.
      JsonObject unread = status(sarah, LENS);
      assertEquals(1, unread.getLong("unread"));
      assertTrue(List.of("recent", "inactive").contains(unread.getString("status")), unread.encode());
      chloe.assertNone(clientStatus(FEAST), Duration.ofMillis(400));
      assertEquals(1, client(list(SARAH, supplier(1)), COUPLE).getLong("unread"));
      assertEquals(0, client(list(CHLOE, supplier(2)), COUPLE).getLong("unread"));

      String emmasCopy = hub.request(HttpMethod.GET, "/api/v1/notifications?unread=true", hub.token(EMMA), null)
          .json().getJsonArray("notifications").getJsonObject(0).getString("id");
      assertEquals(200, hub.request(HttpMethod.POST, "/api/v1/notifications/" + emmasCopy + "/read",
          hub.token(EMMA), new JsonObject()).status());
      assertEquals(0, status(sarah, LENS).getLong("unread"));
      assertEquals(0, client(list(SARAH, supplier(1)), COUPLE).getLong("unread"));
    }
  }

  @Test
  void aSuppliersMessageIsUnreadInItsClientListUntilTheCoupleReadsIt() {
    try (WsClient sarah = hub.connect(SARAH); WsClient chloe = hub.connect(CHLOE)) {
      sarah.join(LENS);
      chloe.join(FEAST);
      String message = UUID.randomUUID().toString();
      // Another service stores the message; the hub reads it from the change feed.
      TestPostgres.execute("insert into messages (id, supplier_id, couple_id, sender_id, sender_side, body) values ('"
          + message + "', '" + supplier(1) + "', '" + COUPLE + "', '" + SARAH + "', 'supplier', "
          + "'ClientStatusTest: the gallery is ready')");
      assertEquals(1, status(sarah, LENS).getLong("unread"));
      assertEquals(1, client(list(SARAH, supplier(1)), COUPLE).getLong("unread"));
      chloe.assertNone(clientStatus(FEAST), Duration.ofMillis(400));
      assertEquals(0, client(list(CHLOE, supplier(2)), COUPLE).getLong("unread"));

      // What the couple writes to the supplier is not the couple's unread.
      TestPostgres.execute("insert into messages (supplier_id, couple_id, sender_id, sender_side, body) values ('"
          + supplier(1) + "', '" + COUPLE + "', '" + EMMA + "', 'couple', 'ClientStatusTest: thank you')");
      sarah.assertNone(clientStatus(LENS), Duration.ofMillis(400));
      assertEquals(1, client(list(SARAH, supplier(1)), COUPLE).getLong("unread"));

      TestPostgres.execute("update messages set read_at = now(), read_by = '" + JAMES + "' where id = '" + message
          + "'");
      assertEquals(0, status(sarah, LENS).getLong("unread"));
      assertEquals(0, client(list(SARAH, supplier(1)), COUPLE).getLong("unread"));
    }
  }

  @Test
  void statusFollowsLastSeenWhenOffline() {
    // The other couple (Sophie & Liam, Bloom's client), which no test here brings online.
    TestPostgres.execute("update users set last_seen_at = now() - interval '3 hours' where id = '" + user(5) + "'");
    assertEquals("recent", client(list(LILY, supplier(4)), OTHER_COUPLE).getString("status"));
    TestPostgres.execute("update users set last_seen_at = now() - interval '8 days' where id = '" + user(5) + "'");
    JsonObject dormant = client(list(LILY, supplier(4)), OTHER_COUPLE);
    assertEquals("inactive", dormant.getString("status"));
    assertNotNull(dormant.getString("last_seen_at"));
  }

  @Test
  void onlyTheSuppliersTeamSeesItsClientsAndOnlyItsOwnClients() {
    assertEquals(200, hub.request(HttpMethod.GET, clientsPath(supplier(1)), hub.token(NOAH), null).status(),
        "a viewer is on the team");
    for (UUID outsider : List.of(CHLOE, EMMA, user(16))) {
      TestHub.HttpResult refused = hub.request(HttpMethod.GET, clientsPath(supplier(1)), hub.token(outsider), null);
      assertEquals(403, refused.status(), outsider + ": " + refused.body());
      assertEquals("forbidden", refused.json().getJsonObject("error").getString("code"));
    }
    assertEquals(401, hub.request(HttpMethod.GET, clientsPath(supplier(1)), null, null).status());
    assertEquals(400, hub.request(HttpMethod.GET, "/api/v1/suppliers/not-a-uuid/clients", hub.token(SARAH), null)
        .status());
    // Lens & Light has wedding 1's couple only; Bloom wedding 2's; Feast both.
    assertEquals(List.of(COUPLE.toString()), couples(list(SARAH, supplier(1))));
    assertEquals(List.of(OTHER_COUPLE.toString()), couples(list(LILY, supplier(4))));
    assertEquals(2, list(CHLOE, supplier(2)).size());
    // (Sophie: her couple is not Lens & Light's client, so her coming and going tells the other tests' watchers nothing.)
    try (WsClient sophie = hub.connect(user(4))) {
      JsonObject refused = sophie.join(LENS);
      assertEquals("error", refused.getString("status"), "a couple cannot watch a supplier's client list");
    }
  }

  static String clientsPath(UUID supplier) {
    return "/api/v1/suppliers/" + supplier + "/clients";
  }

  static JsonArray list(UUID caller, UUID supplier) {
    TestHub.HttpResult r = hub.request(HttpMethod.GET, clientsPath(supplier), hub.token(caller), null);
    assertEquals(200, r.status(), r.body());
    return r.json().getJsonArray("clients");
  }

  static JsonObject client(JsonArray clients, UUID couple) {
    for (int i = 0; i < clients.size(); i++) {
      if (couple.toString().equals(clients.getJsonObject(i).getString("couple_id"))) return clients.getJsonObject(i);
    }
    throw new AssertionError("couple " + couple + " not in " + clients.encode());
  }

  static List<String> couples(JsonArray clients) {
    return clients.stream().map(c -> ((JsonObject) c).getString("couple_id")).toList();
  }

  static java.util.function.Predicate<JsonArray> clientStatus(String topic) {
    return a -> topic.equals(a.getString(2)) && "client:status".equals(a.getString(3));
  }

  static JsonObject status(WsClient watcher, String topic) {
    JsonObject payload = watcher.await(clientStatus(topic), Duration.ofSeconds(10)).getJsonObject(4);
    assertEquals(COUPLE.toString(), payload.getString("couple_id"), payload.encode());
    assertNotNull(payload.getJsonObject("meta"), "durable: it carries its stream position");
    return payload;
  }

  static void awaitStored(UUID user) {
    long deadline = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < deadline) {
      var rows = TestPostgres.query("select last_seen_at from users where id = '" + user + "'");
      if (rows.get(0).get("last_seen_at") != null) return;
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("users.last_seen_at of " + user + " was not written");
  }
}
