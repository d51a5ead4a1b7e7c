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

import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.notify.NotifyWorld.WAIT;
import static com.wedsync.hub.notify.NotifyWorld.bell;
import static com.wedsync.hub.notify.NotifyWorld.joined;
import static com.wedsync.hub.notify.NotifyWorld.notification;
import static com.wedsync.hub.notify.NotifyWorld.op;
import static com.wedsync.hub.notify.NotifyWorld.pushed;
import static com.wedsync.hub.support.Replies.error;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * docs/protocol.md §6: every trigger tells exactly the people it should — over real sockets on
 * {@code user:{id}}, stored once per recipient — and nobody else: not the actor, not the other side when it is not
 * their business, not a supplier connected to the wedding for a form of another supplier, not a supplier of another
 * couple.
 */
class NotificationTriggerTest {
  static TestHub hub;
  static NotifyWorld w;
  static final Map<UUID, WsClient> bells = new LinkedHashMap<>();

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200"));
    w = new NotifyWorld();
    for (UUID u : List.of(w.partner1, w.partner2, w.ownerA, w.memberA, w.ownerB, w.ownerC, w.stranger)) {
      bells.put(u, bell(hub, u));
    }
  }

  @AfterAll
  static void stop() {
    bells.values().forEach(WsClient::close);
    if (hub != null) hub.close();
  }

  @Test
  void aSubmittedFormTellsTheSuppliersTeamOnly() {
    UUID form = w.form("Timeline", "in_progress", "a:text");
    try (WsClient couple = joined(hub, w.partner1, "form:" + form)) {
      ok(couple.request("realtime:form:" + form, "form:status", new JsonObject().put("status", "submitted")
          .put("op_id", op())));
    }
    Map<UUID, JsonObject> got = assertTold(Set.of(w.ownerA, w.memberA), "form_submitted", form);
    JsonObject n = got.get(w.ownerA);
    assertEquals("Timeline submitted", n.getString("title"));
    assertEquals(NotifyWorld.name(w.partner1) + " submitted the Timeline form.", n.getString("body"));
    assertEquals("important", n.getString("priority"));
    assertEquals(form.toString(), n.getJsonObject("data").getString("form_id"));
    assertEquals(w.partner1.toString(), n.getJsonObject("data").getJsonObject("by").getString("user_id"));
  }

  @Test
  void aFormReachingOneHundredPercentTellsTheSuppliersTeam() {
    UUID form = w.form("Dietary", "sent", "a:text:required", "b:text:required", "c:text");
    try (WsClient couple = joined(hub, w.partner1, "form:" + form)) {
      set(couple, form, "a", "fish");
      set(couple, form, "c", "optional, not counted");
      assertNoneYet(form, "form_completed");
      set(couple, form, "b", "no nuts");
    }
    JsonObject n = assertTold(Set.of(w.ownerA, w.memberA), "form_completed", form).get(w.memberA);
    assertEquals("Dietary is complete", n.getString("title"));
  }

  @Test
  void aCoreFactChangeTellsTheCoupleAndTheSuppliersItIsSharedWith() {
    var patched = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + w.wedding, hub.token(w.partner1),
        new JsonObject().put("guest_count", 150));
    assertEquals(200, patched.status(), patched.body());
    // Supplier B is shared the guest count; C works for another couple; Emma made the change herself.
    Map<UUID, JsonObject> got = assertTold(Set.of(w.partner2, w.ownerA, w.memberA, w.ownerB), "core_field_changed",
        n -> "guest_count".equals(n.getJsonObject("data").getString("core_field")),
        "select recipient_id from notifications where type = 'core_field_changed' and data->>'wedding_id' = '"
            + w.wedding + "' and data->>'core_field' = 'guest_count'");
    assertEquals("Guest count changed to 150", got.get(w.ownerB).getString("title"));
    assertEquals(150, got.get(w.ownerB).getJsonObject("data").getInteger("value"));

    patched = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + w.wedding, hub.token(w.partner1),
        new JsonObject().put("venue_name", "New Hall"));
    assertEquals(200, patched.status(), patched.body());
    // The venue is not shared with B: B must not learn it.
    assertTold(Set.of(w.partner2, w.ownerA, w.memberA), "core_field_changed",
        n -> "venue_name".equals(n.getJsonObject("data").getString("core_field")),
        "select recipient_id from notifications where type = 'core_field_changed' and data->>'wedding_id' = '"
            + w.wedding + "' and data->>'core_field' = 'venue_name'");
  }

  @Test
  void aSuppliersNoteTellsTheCoupleAndACouplesNoteTellsTheTeam() {
    UUID form = w.form("Shot list", "in_progress", "a:text");
    try (WsClient supplier = joined(hub, w.ownerA, "form:" + form)) {
      ok(supplier.request("realtime:form:" + form, "form:note", new JsonObject().put("text", "Please add the aunts")
          .put("op_id", op())));
    }
    JsonObject n = assertTold(Set.of(w.partner1, w.partner2), "note_added", form).get(w.partner1);
    assertEquals(NotifyWorld.name(w.ownerA) + ": Please add the aunts", n.getString("body"));

    UUID other = w.form("Menu", "in_progress", "a:text");
    try (WsClient couple = joined(hub, w.partner1, "form:" + other)) {
      ok(couple.request("realtime:form:" + other, "form:note", new JsonObject().put("text", "No shellfish please")
          .put("op_id", op())));
    }
    assertTold(Set.of(w.ownerA, w.memberA), "note_added", other);
  }

  @Test
  void aMentionTellsTheMentionedOnceAndOnlyThoseWhoCanSeeTheForm() {
    UUID form = w.form("Speeches", "in_progress", "a:text");
    String text = "@{" + w.memberA + "} can you call @{" + w.partner1 + "}? cc @{" + w.ownerB + "}";
    try (WsClient supplier = joined(hub, w.ownerA, "form:" + form)) {
      ok(supplier.request("realtime:form:" + form, "form:note", new JsonObject().put("text", text)
          .put("op_id", op())));
    }
    // B's owner cannot see supplier A's form: mentioning them tells them nothing. Emma hears it as a mention only.
    JsonObject n = assertTold(Set.of(w.memberA, w.partner1), "mention", form).get(w.memberA);
    assertEquals(NotifyWorld.name(w.ownerA) + " mentioned you on Speeches", n.getString("title"));
    assertTold(Set.of(w.partner2), "note_added", form);
  }

  @Test
  void aBrokenLockTellsItsHolder() {
    UUID form = w.form("Venue notes", "in_progress", "t:text");
    try (WsClient holder = joined(hub, w.memberA, "form:" + form);
         WsClient owner = joined(hub, w.ownerA, "form:" + form)) {
      ok(holder.request("realtime:form:" + form, "field:lock", new JsonObject().put("field", "t")));
      ok(owner.request("realtime:form:" + form, "field:break_lock", new JsonObject().put("field", "t")));
      JsonObject n = assertTold(Set.of(w.memberA), "lock_broken", form).get(w.memberA);
      assertEquals(NotifyWorld.name(w.ownerA) + " took over t", n.getString("title"));
      assertEquals("t", n.getJsonObject("data").getString("field"));
    }
  }

  @Test
  void anotherServiceNotifiesTheUsersItNames() {
    UUID nobody = UUID.randomUUID();
    String service = hub.tokens.service(3600);
    var posted = hub.request(HttpMethod.POST, "/api/v1/notifications", service, new JsonObject()
        .put("user_ids", new JsonArray().add(w.partner1.toString()).add(w.ownerC.toString()).add(nobody.toString()))
        .put("type", "payment_received").put("title", "Deposit received").put("body", "£500 from Emma")
        .put("data", new JsonObject().put("amount", 500)).put("priority", "important"));
    assertEquals(201, posted.status(), posted.body());
    assertEquals(new JsonObject().put("recipients", 2).put("stored", 2).put("queued", 0).put("skipped", 1),
        posted.json());
    JsonObject n = assertTold(Set.of(w.partner1, w.ownerC), "payment_received",
        p -> "Deposit received".equals(p.getString("title")),
        "select recipient_id from notifications where type = 'payment_received' and title = 'Deposit received'"
            + " and recipient_id in ('" + w.partner1 + "', '" + w.ownerC + "', '" + w.partner2 + "')")
        .get(w.ownerC);
    assertEquals(500, n.getJsonObject("data").getInteger("amount"));

    // Only a service may do that.
    var refused = hub.request(HttpMethod.POST, "/api/v1/notifications", hub.token(w.ownerA), new JsonObject()
        .put("user_ids", new JsonArray().add(w.partner1.toString())).put("type", "payment_received")
        .put("title", "Fake"));
    assertEquals(403, refused.status(), refused.body());
    assertEquals("forbidden", refused.json().getJsonObject("error").getString("code"));
    assertNoneYet(null, "payment_received");
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  static void set(WsClient c, UUID form, String field, Object value) {
    ok(c.request("realtime:form:" + form, "field:set", new JsonObject().put("field", field).put("value", value)
        .put("force", true).put("op_id", op())));
  }

  /** Exactly {@code told} got one {@code type} notification about the form, live and stored; nobody else did. */
  static Map<UUID, JsonObject> assertTold(Set<UUID> told, String type, UUID form) {
    return assertTold(told, type, n -> form.toString().equals(n.getJsonObject("data").getString("form_id")),
        "select recipient_id from notifications where type = '" + type + "' and data->>'form_id' = '" + form + "'");
  }

  static Map<UUID, JsonObject> assertTold(Set<UUID> told, String type, Predicate<JsonObject> about, String storedSql) {
    Predicate<JsonObject> match = n -> type.equals(n.getString("type")) && about.test(n);
    Map<UUID, JsonObject> got = new HashMap<>();
    for (UUID u : told) {
      JsonObject n = bells.get(u).await(notification(u, match), WAIT).getJsonObject(4);
      // docs/protocol.md §6 fields, plus the history position every durable event carries (§5).
      assertEquals(Set.of("id", "type", "title", "body", "data", "priority", "created_at", "meta"), n.fieldNames(),
          n.encode());
      assertTrue(n.getJsonObject("meta").getLong("offset") > 0, n.encode());
      JsonObject count = bells.get(u).await(pushed("user:" + u, "notification:count", c -> true), WAIT)
          .getJsonObject(4);
      assertTrue(count.getLong("unread") >= 1, count.encode());
      got.put(u, n);
    }
    sleep(600);
    for (var e : bells.entrySet()) {
      List<JsonArray> extra = e.getValue().received(notification(e.getKey(), match));
      assertTrue(extra.isEmpty(), NotifyWorld.name(e.getKey()) + " must not be told (again): " + extra);
    }
    Set<UUID> stored = new HashSet<>();
    List<Map<String, Object>> rows = TestPostgres.query(storedSql);
    rows.forEach(r -> stored.add((UUID) r.get("recipient_id")));
    assertEquals(told, stored, "stored once per recipient");
    assertEquals(told.size(), rows.size(), "stored once per recipient");
    return got;
  }

  static void assertNoneYet(UUID form, String type) {
    sleep(400);
    for (var e : bells.entrySet()) {
      List<JsonArray> got = e.getValue().received(notification(e.getKey(), n -> type.equals(n.getString("type"))
          && (form == null || form.toString().equals(n.getJsonObject("data").getString("form_id")))));
      assertTrue(got.isEmpty(), NotifyWorld.name(e.getKey()) + " was told too early: " + got);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
