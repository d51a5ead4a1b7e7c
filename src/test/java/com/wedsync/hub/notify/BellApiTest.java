package com.wedsync.hub.notify;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static com.wedsync.hub.notify.NotifyWorld.WAIT;
import static com.wedsync.hub.notify.NotifyWorld.bell;
import static com.wedsync.hub.notify.NotifyWorld.pushed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bell over HTTP (docs/protocol.md §10): newest-first cursor paging, filters by type and read state, the unread count,
 * read / unread / read-all / clear (each pushing the new count on {@code user:{id}}), grouping by day, and a clear
 * error for every bad input — including someone else's notification, which is as unknown as a missing one.
 */
class BellApiTest {
  static TestHub hub;
  static NotifyWorld w;
  static String service;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
    w = new NotifyWorld();
    service = hub.tokens.service(3600);
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  static void post(UUID user, String type, String title) {
    var r = hub.request(HttpMethod.POST, "/api/v1/notifications", service, new JsonObject()
        .put("user_ids", new JsonArray().add(user.toString())).put("type", type).put("title", title));
    assertEquals(201, r.status(), r.body());
  }

  static JsonObject get(UUID user, String query) {
    var r = hub.request(HttpMethod.GET, "/api/v1/notifications" + query, hub.token(user), null);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static JsonObject call(HttpMethod method, String path, UUID user, int status) {
    var r = hub.request(method, path, hub.token(user), null);
    assertEquals(status, r.status(), r.body());
    return r.json();
  }

  static void assertInvalid(UUID user, String query, String field) {
    var r = hub.request(HttpMethod.GET, "/api/v1/notifications" + query, hub.token(user), null);
    assertEquals(400, r.status(), query + " -> " + r.body());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals("invalid", error.getString("code"), r.body());
    assertEquals(field, error.getString("field"), r.body());
    assertTrue(error.getString("message").contains(field), r.body());
  }

  @Test
  void pagesNewestFirstWithAStableCursor() {
    UUID u = NotifyWorld.freshUser();
    for (int i = 0; i < 25; i++) post(u, i % 2 == 0 ? "payment_received" : "meeting_booked", "n" + i);
    List<String> titles = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonObject page = get(u, "?limit=10" + (cursor == null ? "" : "&cursor=" + cursor));
      JsonArray items = page.getJsonArray("notifications");
      for (int i = 0; i < items.size(); i++) {
        JsonObject n = items.getJsonObject(i);
        titles.add(n.getString("title"));
        assertTrue(ids.add(n.getString("id")), "no duplicate across pages");
        assertFalse(n.getBoolean("read"));
        assertEquals(n.getString("created_at").substring(0, 10), n.getString("day"), "day in UTC by default");
      }
      assertEquals(25, page.getLong("unread"));
      cursor = page.getString("next_cursor");
      pages++;
    } while (cursor != null);
    assertEquals(3, pages);
    List<String> expected = new ArrayList<>();
    for (int i = 24; i >= 0; i--) expected.add("n" + i);
    assertEquals(expected, titles, "newest first, nothing skipped");

    // A notification arriving while paging does not shift the pages already handed out.
    JsonObject first = get(u, "?limit=5");
    post(u, "payment_received", "late");
    JsonObject second = get(u, "?limit=5&cursor=" + first.getString("next_cursor"));
    assertEquals("n19", second.getJsonArray("notifications").getJsonObject(0).getString("title"));
  }

  @Test
  void filtersByTypeAndReadStateAndCountsUnread() {
    UUID u = NotifyWorld.freshUser();
    for (int i = 0; i < 3; i++) post(u, "payment_received", "pay" + i);
    for (int i = 0; i < 2; i++) post(u, "task_completed", "task" + i);
    assertEquals(3, get(u, "?type=payment_received").getJsonArray("notifications").size());
    assertEquals(5, get(u, "?type=payment_received,task_completed").getJsonArray("notifications").size());
    assertEquals(0, get(u, "?type=mention").getJsonArray("notifications").size());

    String id = get(u, "?type=task_completed").getJsonArray("notifications").getJsonObject(0).getString("id");
    try (WsClient socket = bell(hub, u)) {
      JsonObject read = call(HttpMethod.POST, "/api/v1/notifications/" + id + "/read", u, 200);
      assertEquals(new JsonObject().put("id", id).put("read", true).put("unread", 4), read);
      assertEquals(4, socket.await(pushed("user:" + u, "notification:count", c -> true), WAIT).getJsonObject(4)
          .getLong("unread"));
      // Reading it again changes nothing but answers the same.
      assertEquals(4, call(HttpMethod.POST, "/api/v1/notifications/" + id + "/read", u, 200).getLong("unread"));
      assertEquals(new JsonObject().put("unread", 4), call(HttpMethod.GET, "/api/v1/notifications/unread-count", u,
          200));

      JsonArray readOnes = get(u, "?unread=false").getJsonArray("notifications");
      assertEquals(1, readOnes.size());
      assertEquals(id, readOnes.getJsonObject(0).getString("id"));
      assertNotNull(readOnes.getJsonObject(0).getString("read_at"));
      assertEquals(4, get(u, "?unread=true").getJsonArray("notifications").size());
      assertEquals(1, get(u, "?unread=true&type=task_completed").getJsonArray("notifications").size());

      JsonObject unread = call(HttpMethod.POST, "/api/v1/notifications/" + id + "/unread", u, 200);
      assertEquals(5, unread.getLong("unread"));
      assertEquals(5, socket.await(pushed("user:" + u, "notification:count", c -> c.getLong("unread") == 5), WAIT)
          .getJsonObject(4).getLong("unread"));

      JsonObject all = call(HttpMethod.POST, "/api/v1/notifications/read-all", u, 200);
      assertEquals(new JsonObject().put("updated", 5).put("unread", 0), all);
      socket.await(pushed("user:" + u, "notification:count", c -> c.getLong("unread") == 0), WAIT);
      assertEquals(0, get(u, "?unread=true").getJsonArray("notifications").size());
      assertEquals(5, get(u, "").getJsonArray("notifications").size());

      post(u, "payment_received", "after");
      JsonObject cleared = call(HttpMethod.DELETE, "/api/v1/notifications", u, 200);
      assertEquals(new JsonObject().put("deleted", 6).put("unread", 0), cleared);
      socket.await(pushed("user:" + u, "notification:count", c -> c.getLong("unread") == 0), WAIT);
      JsonObject empty = get(u, "");
      assertEquals(0, empty.getJsonArray("notifications").size());
      assertNull(empty.getString("next_cursor"));
    }
  }

  @Test
  void groupsByDayInTheAskedTimeZone() {
    UUID u = NotifyWorld.freshUser();
    TestPostgres.execute("insert into notifications (recipient_id, type, title, created_at) values "
        + "('" + u + "', 'meeting_booked', 'late evening', '2026-01-01T23:30:00Z'), "
        + "('" + u + "', 'meeting_booked', 'morning', '2026-01-02T08:00:00Z'), "
        + "('" + u + "', 'meeting_booked', 'noon', '2026-01-02T12:00:00Z')");
    JsonObject utc = get(u, "?group=day");
    JsonArray groups = utc.getJsonArray("groups");
    assertEquals(2, groups.size(), groups.encode());
    assertEquals("2026-01-02", groups.getJsonObject(0).getString("day"));
    assertEquals(List.of("noon", "morning"), titles(groups.getJsonObject(0).getJsonArray("notifications")));
    assertEquals("2026-01-01", groups.getJsonObject(1).getString("day"));
    assertEquals(List.of("late evening"), titles(groups.getJsonObject(1).getJsonArray("notifications")));

    // 23:30 UTC is already the next day in Berlin.
    JsonArray berlin = get(u, "?group=day&tz=Europe/Berlin").getJsonArray("groups");
    assertEquals(1, berlin.size(), berlin.encode());
    assertEquals("2026-01-02", berlin.getJsonObject(0).getString("day"));
    assertEquals(3, berlin.getJsonObject(0).getJsonArray("notifications").size());

    // Without group=day every item still says its day, and no groups are added.
    JsonObject flat = get(u, "");
    assertFalse(flat.containsKey("groups"));
    assertEquals("2026-01-01", flat.getJsonArray("notifications").getJsonObject(2).getString("day"));
  }

  @Test
  void badInputGetsAnErrorNamingIt() {
    UUID u = NotifyWorld.freshUser();
    post(u, "payment_received", "mine");
    assertInvalid(u, "?cursor=not-a-cursor", "cursor");
    assertInvalid(u, "?cursor=" + java.util.Base64.getUrlEncoder().encodeToString("12:nope".getBytes()), "cursor");
    assertInvalid(u, "?limit=0", "limit");
    assertInvalid(u, "?limit=101", "limit");
    assertInvalid(u, "?limit=ten", "limit");
    assertInvalid(u, "?unread=maybe", "unread");
    assertInvalid(u, "?type=Not%20A%20Type", "type");
    assertInvalid(u, "?group=week", "group");
    assertInvalid(u, "?tz=Mars/Olympus", "tz");

    JsonObject missing = call(HttpMethod.POST, "/api/v1/notifications/" + UUID.randomUUID() + "/read", u, 404)
        .getJsonObject("error");
    assertEquals("not_found", missing.getString("code"));
    JsonObject malformed = call(HttpMethod.POST, "/api/v1/notifications/42/read", u, 400).getJsonObject("error");
    assertEquals("id", malformed.getString("field"));

    // Someone else's notification: not found for them, and left as it was.
    UUID other = NotifyWorld.freshUser();
    String id = get(u, "").getJsonArray("notifications").getJsonObject(0).getString("id");
    assertEquals("not_found", call(HttpMethod.POST, "/api/v1/notifications/" + id + "/read", other, 404)
        .getJsonObject("error").getString("code"));
    assertEquals(404, hub.request(HttpMethod.POST, "/api/v1/notifications/" + id + "/unread", hub.token(other), null)
        .status());
    call(HttpMethod.DELETE, "/api/v1/notifications", other, 200);
    assertEquals(1, get(u, "?unread=true").getJsonArray("notifications").size(), "untouched by the other user");

    assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/notifications", null, null).status());
    assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/notifications/unread-count", "garbage", null).status());

    // The service route checks what it is given.
    assertPostInvalid(new JsonObject().put("user_ids", new JsonArray()).put("type", "x").put("title", "t"),
        "user_ids");
    assertPostInvalid(new JsonObject().put("user_ids", new JsonArray().add("nope")).put("type", "x").put("title", "t"),
        "user_ids[0]");
    assertPostInvalid(new JsonObject().put("user_ids", new JsonArray().add(u.toString())).put("type", "Bad Type")
        .put("title", "t"), "type");
    assertPostInvalid(new JsonObject().put("user_ids", new JsonArray().add(u.toString())).put("type", "x")
        .put("title", ""), "title");
    assertPostInvalid(new JsonObject().put("user_ids", new JsonArray().add(u.toString())).put("type", "x")
        .put("title", "t").put("priority", "urgent"), "priority");
    assertPostInvalid(new JsonObject().put("user_ids", new JsonArray().add(u.toString())).put("type", "x")
        .put("title", "t").put("colour", "red"), "colour");
  }

  static void assertPostInvalid(JsonObject body, String field) {
    var r = hub.request(HttpMethod.POST, "/api/v1/notifications", service, body);
    assertEquals(400, r.status(), body.encode() + " -> " + r.body());
    assertEquals(field, r.json().getJsonObject("error").getString("field"), r.body());
  }

  static List<String> titles(JsonArray items) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) out.add(items.getJsonObject(i).getString("title"));
    return out;
  }
}
