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

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.notify.NotifyWorld.bell;
import static com.wedsync.hub.notify.NotifyWorld.notificationOfType;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Preferences per user and type (docs/protocol.md §10.6): the defaults (in-app and push on, email for important and critical,
 * SMS for critical only), saving and partial updates, and their effect on what is stored in the bell and what is
 * queued in the outbox — in the same statement as the notification.
 */
class PreferencesTest {
  static TestHub hub;
  static String service;

  @BeforeAll
  static void start() {
    // Webhooks configured (so deliveries are queued) but never polled while this class runs: the outbox is read as is.
    hub = TestHub.start(Map.of("WEDSYNC_HUB_DELIVERY_EMAIL_URL", "http://127.0.0.1:9/email",
        "WEDSYNC_HUB_DELIVERY_SMS_URL", "http://127.0.0.1:9/sms", "WEDSYNC_HUB_DELIVERY_PUSH_URL", "http://127.0.0.1:9/push",
        "WEDSYNC_HUB_DELIVERY_POLL_INTERVAL_MS", "600000"));
    service = hub.tokens.service(3600);
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  static JsonObject prefs(UUID u) {
    var r = hub.request(HttpMethod.GET, "/api/v1/notification-preferences", hub.token(u), null);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static JsonObject entry(JsonObject prefs, String type) {
    JsonArray list = prefs.getJsonArray("preferences");
    for (int i = 0; i < list.size(); i++) {
      if (type.equals(list.getJsonObject(i).getString("type"))) return list.getJsonObject(i);
    }
    throw new AssertionError("no preference for " + type + " in " + prefs.encode());
  }

  static JsonObject put(UUID u, JsonArray entries, int status) {
    var r = hub.request(HttpMethod.PUT, "/api/v1/notification-preferences", hub.token(u),
        new JsonObject().put("preferences", entries));
    assertEquals(status, r.status(), r.body());
    return r.json();
  }

  static JsonObject send(UUID u, String type, String priority) {
    var r = hub.request(HttpMethod.POST, "/api/v1/notifications", service, new JsonObject()
        .put("user_ids", new JsonArray().add(u.toString())).put("type", type).put("title", type + " " + priority)
        .put("priority", priority));
    assertEquals(201, r.status(), r.body());
    return r.json();
  }

  /** The channels queued for the user's notifications with that title, sorted. */
  static List<String> queued(UUID u, String title) {
    List<String> out = new ArrayList<>();
    for (var row : TestPostgres.query("select channel from notification_outbox where recipient_id = '" + u
        + "' and payload->>'title' = '" + title + "' order by channel")) {
      out.add((String) row.get("channel"));
    }
    return out;
  }

  @Test
  void theDefaultsFollowTheSpec() {
    UUID u = NotifyWorld.freshUser();
    JsonObject p = prefs(u);
    assertEquals(new JsonObject().put("in_app", true).put("email", "important").put("sms", "critical")
        .put("push", true), p.getJsonObject("defaults"));
    assertEquals(new JsonObject().put("email", true).put("sms", true).put("push", true), p.getJsonObject("delivery"));
    for (String type : Preferences.KNOWN_TYPES) {
      assertEquals(new JsonObject().put("type", type).put("in_app", true).put("email", null).put("sms", null)
          .put("push", true).put("saved", false), entry(p, type));
    }

    // By priority: push always, email from important, SMS only when critical; every one also in the bell.
    send(u, "payment_received", "low");
    send(u, "payment_received", "normal");
    send(u, "payment_received", "important");
    send(u, "payment_received", "critical");
    assertEquals(List.of("push"), queued(u, "payment_received low"));
    assertEquals(List.of("push"), queued(u, "payment_received normal"));
    assertEquals(List.of("email", "push"), queued(u, "payment_received important"));
    assertEquals(List.of("email", "push", "sms"), queued(u, "payment_received critical"));
    assertEquals(4L, TestPostgres.query("select count(*) as n from notifications where recipient_id = '" + u + "'")
        .get(0).get("n"));
    // The outbox row points at the bell row it was written with, and carries what a receiver needs.
    var row = TestPostgres.query("select o.payload::text as payload, o.notification_id, n.id from notification_outbox o "
        + "join notifications n on n.id = o.notification_id where o.recipient_id = '" + u + "' and o.channel = 'sms'")
        .get(0);
    JsonObject payload = new JsonObject((String) row.get("payload"));
    assertEquals(row.get("id").toString(), payload.getString("notification_id"));
    assertEquals(u.toString(), payload.getJsonObject("recipient").getString("user_id"));
    assertEquals(u + "@fresh.example", payload.getJsonObject("recipient").getString("email"));
    assertEquals("critical", payload.getString("priority"));
  }

  @Test
  void savedChoicesOverrideTheDefaultsAndPartialUpdatesKeepTheRest() {
    UUID u = NotifyWorld.freshUser();
    JsonObject saved = put(u, new JsonArray().add(new JsonObject().put("type", "meeting_booked").put("in_app", true)
        .put("email", false).put("sms", true).put("push", false)), 200);
    assertEquals(new JsonObject().put("type", "meeting_booked").put("in_app", true).put("email", false)
        .put("sms", true).put("push", false).put("saved", true), entry(saved, "meeting_booked"));
    assertFalse(entry(saved, "payment_received").getBoolean("saved"), "other types keep their defaults");

    // No email even when critical; SMS even when low.
    send(u, "meeting_booked", "critical");
    send(u, "meeting_booked", "low");
    assertEquals(List.of("sms"), queued(u, "meeting_booked critical"));
    assertEquals(List.of("sms"), queued(u, "meeting_booked low"));

    // Only push changes; the rest stays. email null goes back to "by priority".
    JsonObject partial = put(u, new JsonArray().add(new JsonObject().put("type", "meeting_booked").put("push", true))
        .add(new JsonObject().put("type", "journey_milestone").put("email", true)), 200);
    assertEquals(new JsonObject().put("type", "meeting_booked").put("in_app", true).put("email", false)
        .put("sms", true).put("push", true).put("saved", true), entry(partial, "meeting_booked"));
    assertEquals(new JsonObject().put("type", "journey_milestone").put("in_app", true).put("email", true)
        .put("sms", null).put("push", true).put("saved", true), entry(partial, "journey_milestone"));
    JsonObject back = put(u, new JsonArray().add(new JsonObject().put("type", "meeting_booked").putNull("email")), 200);
    assertNull(entry(back, "meeting_booked").getValue("email"));
    send(u, "meeting_booked", "important");
    assertEquals(List.of("email", "push", "sms"), queued(u, "meeting_booked important"));

    // A type nobody knows yet can be saved too (other services invent types).
    JsonObject custom = put(u, new JsonArray().add(new JsonObject().put("type", "crm.lead_won").put("in_app", false)),
        200);
    assertTrue(entry(custom, "crm.lead_won").getBoolean("saved"));
  }

  @Test
  void inAppOffMeansNoBellRowAndNoPushButOtherChannelsStillGo() {
    UUID u = NotifyWorld.freshUser();
    put(u, new JsonArray().add(new JsonObject().put("type", "message_received").put("in_app", false)), 200);
    try (WsClient socket = bell(hub, u)) {
      JsonObject sent = send(u, "message_received", "important");
      assertEquals(new JsonObject().put("recipients", 1).put("stored", 0).put("queued", 2).put("skipped", 0), sent);
      socket.assertNone(notificationOfType(u, "message_received"), Duration.ofMillis(500));
    }
    assertEquals(List.of("email", "push"), queued(u, "message_received important"));
    assertEquals(0L, TestPostgres.query("select count(*) as n from notifications where recipient_id = '" + u + "'")
        .get(0).get("n"));
    var r = hub.request(HttpMethod.GET, "/api/v1/notifications/unread-count", hub.token(u), null);
    assertEquals(0, r.json().getInteger("unread"));
  }

  @Test
  void badPreferencesAreRefusedNamingTheField() {
    UUID u = NotifyWorld.freshUser();
    assertInvalid(u, new JsonObject(), "preferences");
    assertInvalid(u, new JsonObject().put("preferences", new JsonArray()), "preferences");
    assertInvalid(u, body(new JsonObject().put("in_app", true)), "preferences[0].type");
    assertInvalid(u, body(new JsonObject().put("type", "Not OK")), "preferences[0].type");
    assertInvalid(u, body(new JsonObject().put("type", "mention").put("email", "yes")), "preferences[0].email");
    assertInvalid(u, body(new JsonObject().put("type", "mention").putNull("in_app")), "preferences[0].in_app");
    assertInvalid(u, body(new JsonObject().put("type", "mention").put("fax", true)), "preferences[0].fax");
    assertInvalid(u, new JsonObject().put("preferences", new JsonArray().add(new JsonObject().put("type", "mention"))
        .add(new JsonObject().put("type", "mention").put("push", false))), "preferences[1].type");
    assertFalse(entry(prefs(u), "mention").getBoolean("saved"), "nothing saved by a refused request");
    assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/notification-preferences", null, null).status());
  }

  static JsonObject body(JsonObject entry) {
    return new JsonObject().put("preferences", new JsonArray().add(entry));
  }

  static void assertInvalid(UUID u, JsonObject body, String field) {
    var r = hub.request(HttpMethod.PUT, "/api/v1/notification-preferences", hub.token(u), body);
    assertEquals(400, r.status(), body.encode() + " -> " + r.body());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals("invalid", error.getString("code"));
    assertEquals(field, error.getString("field"), r.body());
  }
}
