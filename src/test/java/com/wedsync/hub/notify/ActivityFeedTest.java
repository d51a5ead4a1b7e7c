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

import static com.wedsync.hub.notify.NotifyWorld.WAIT;
import static com.wedsync.hub.notify.NotifyWorld.joined;
import static com.wedsync.hub.notify.NotifyWorld.op;
import static com.wedsync.hub.notify.NotifyWorld.pushed;
import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The activity feed (docs/protocol.md §6.3): human lines for status changes, completion, notes, core facts and broken locks —
 * not one per keystroke — pushed live as {@code activity} on {@code supplier:{id}} and {@code wedding:{id}}, and
 * listed per supplier and per wedding for whoever may see that channel; a supplier's feed never shows another
 * supplier's forms, nor a wedding fact the couple does not share with it.
 */
class ActivityFeedTest {
  static TestHub hub;
  static NotifyWorld w;
  static WsClient supplierA;
  static WsClient supplierB;
  static WsClient supplierC;
  static WsClient wedding;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200"));
    w = new NotifyWorld();
    supplierA = joined(hub, w.memberA, "supplier:" + w.supplierA);
    supplierB = joined(hub, w.ownerB, "supplier:" + w.supplierB);
    supplierC = joined(hub, w.ownerC, "supplier:" + w.supplierC);
    wedding = joined(hub, w.partner2, "wedding:" + w.wedding);
  }

  @AfterAll
  static void stop() {
    for (WsClient c : new WsClient[] {supplierA, supplierB, supplierC, wedding}) if (c != null) c.close();
    if (hub != null) hub.close();
  }

  static JsonObject activity(WsClient c, String topic, String verb) {
    JsonObject a = c.await(pushed(topic, "activity", p -> verb.equals(p.getString("verb"))), WAIT).getJsonObject(4);
    // docs/protocol.md §6 fields, plus the history position every durable event carries (§5).
    assertEquals(java.util.Set.of("id", "verb", "actor", "object", "text", "at", "meta"), a.fieldNames(), a.encode());
    return a;
  }

  static JsonObject feed(UUID user, String query, int status) {
    var r = hub.request(HttpMethod.GET, "/api/v1/activity" + query, hub.token(user), null);
    assertEquals(status, r.status(), query + " -> " + r.body());
    return r.json();
  }

  static List<String> texts(JsonObject page) {
    List<String> out = new ArrayList<>();
    JsonArray items = page.getJsonArray("activity");
    for (int i = 0; i < items.size(); i++) out.add(items.getJsonObject(i).getString("text"));
    return out;
  }

  @Test
  void aFormsLifeIsToldInHumanLinesOnTheSupplierAndWeddingChannels() {
    String emma = NotifyWorld.name(w.partner1);
    String sarah = NotifyWorld.name(w.ownerA);
    UUID form = w.form("Timeline", "sent", "a:text:required", "b:text");
    String topic = "realtime:form:" + form;
    try (WsClient couple = joined(hub, w.partner1, "form:" + form);
         WsClient owner = joined(hub, w.ownerA, "form:" + form)) {
      // Many saves of one field: one "started" line (the first save), not one line per save.
      for (int i = 0; i < 5; i++) {
        ok(couple.request(topic, "field:set", new JsonObject().put("field", "b").put("value", "draft " + i)
            .put("force", true).put("op_id", op())));
      }
      JsonObject started = activity(supplierA, "supplier:" + w.supplierA, "form_started");
      assertEquals(emma + " started filling in the Timeline form", started.getString("text"));
      assertEquals(new JsonObject().put("user_id", w.partner1.toString()).put("name", emma), started.getJsonObject("actor"));
      assertEquals(form.toString(), started.getJsonObject("object").getString("form_id"));
      // The same line on both channels; each channel numbers its own history, so only meta differs.
      JsonObject onWedding = activity(wedding, "wedding:" + w.wedding, "form_started");
      assertEquals(started.copy().put("meta", null), onWedding.copy().put("meta", null));

      ok(couple.request(topic, "field:set", new JsonObject().put("field", "a").put("value", "done")
          .put("force", true).put("op_id", op())));
      assertEquals(emma + " completed the Timeline form",
          activity(supplierA, "supplier:" + w.supplierA, "form_completed").getString("text"));
      ok(couple.request(topic, "form:status", new JsonObject().put("status", "submitted").put("op_id", op())));
      assertEquals(emma + " submitted the Timeline form",
          activity(wedding, "wedding:" + w.wedding, "form_submitted").getString("text"));
      ok(owner.request(topic, "form:note", new JsonObject().put("text", "Thanks!").put("op_id", op())));
      assertEquals(sarah + " added a note to the Timeline form",
          activity(supplierA, "supplier:" + w.supplierA, "note_added").getString("text"));
    }
    // Supplier B works on this wedding but not on A's form; C works elsewhere.
    supplierB.assertNone(pushed("supplier:" + w.supplierB, "activity", p -> true), Duration.ofMillis(300));
    supplierC.assertNone(pushed("supplier:" + w.supplierC, "activity", p -> true), Duration.ofMillis(10));

    long rows = (Long) TestPostgres.query("select count(*) as n from activity_events where object->>'form_id' = '"
        + form + "'").get(0).get("n");
    assertEquals(4, rows, "started, completed, submitted, note: nothing per save");

    List<String> listed = texts(feed(w.ownerA, "?scope=supplier:" + w.supplierA + "&limit=100", 200));
    int i = listed.indexOf(sarah + " added a note to the Timeline form");
    assertTrue(i >= 0, listed.toString());
    assertEquals(List.of(sarah + " added a note to the Timeline form", emma + " submitted the Timeline form",
        emma + " completed the Timeline form", emma + " started filling in the Timeline form"),
        listed.subList(i, i + 4), "newest first");
    assertTrue(texts(feed(w.partner1, "?scope=wedding:" + w.wedding + "&limit=100", 200))
        .contains(emma + " submitted the Timeline form"));
    assertTrue(texts(feed(w.ownerB, "?scope=supplier:" + w.supplierB + "&limit=100", 200)).stream()
        .noneMatch(t -> t.contains("Timeline")), "B's feed never shows A's form");
  }

  @Test
  void aCoreFactReachesTheFeedsOfTheSuppliersItIsSharedWith() {
    String emma = NotifyWorld.name(w.partner1);
    var r = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + w.wedding, hub.token(w.partner1),
        new JsonObject().put("guest_count", 150));
    assertEquals(200, r.status(), r.body());
    String line = emma + " updated the guest count to 150";
    assertEquals(line, activity(supplierB, "supplier:" + w.supplierB, "core_field_changed").getString("text"));
    assertEquals(line, activity(supplierA, "supplier:" + w.supplierA, "core_field_changed").getString("text"));
    assertEquals(line, activity(wedding, "wedding:" + w.wedding, "core_field_changed").getString("text"));

    r = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + w.wedding, hub.token(w.partner1),
        new JsonObject().put("venue_name", "Rose Barn"));
    assertEquals(200, r.status(), r.body());
    String venue = emma + " updated the venue to Rose Barn";
    assertEquals(venue, activity(supplierA, "supplier:" + w.supplierA, "core_field_changed").getString("text"));
    supplierB.assertNone(pushed("supplier:" + w.supplierB, "activity", p -> true), Duration.ofMillis(400));
    supplierC.assertNone(pushed("supplier:" + w.supplierC, "activity", p -> true), Duration.ofMillis(10));

    List<String> b = texts(feed(w.ownerB, "?scope=supplier:" + w.supplierB, 200));
    assertTrue(b.contains(line), b.toString());
    assertTrue(!b.contains(venue), "the venue is not shared with B: " + b);
    assertTrue(texts(feed(w.ownerA, "?scope=supplier:" + w.supplierA, 200)).contains(venue));
  }

  @Test
  void aBrokenLockIsRecorded() {
    UUID form = w.form("Seating", "in_progress", "t:text");
    try (WsClient holder = joined(hub, w.memberA, "form:" + form);
         WsClient owner = joined(hub, w.ownerA, "form:" + form)) {
      ok(holder.request("realtime:form:" + form, "field:lock", new JsonObject().put("field", "t")));
      ok(owner.request("realtime:form:" + form, "field:break_lock", new JsonObject().put("field", "t")));
    }
    JsonObject a = activity(supplierA, "supplier:" + w.supplierA, "lock_broken");
    assertEquals(NotifyWorld.name(w.ownerA) + " took over t on the Seating form from " + NotifyWorld.name(w.memberA),
        a.getString("text"));
    assertEquals(w.memberA.toString(), a.getJsonObject("object").getJsonObject("holder").getString("user_id"));
  }

  @Test
  void pagesWithACursorAndChecksAccess() {
    UUID form = w.form("Paging", "draft", "a:text");
    for (int i = 0; i < 3; i++) {
      TestPostgres.execute("insert into activity_events (supplier_id, wedding_id, actor_id, verb, object, text) values ('"
          + w.supplierA + "', '" + w.wedding + "', '" + w.ownerA + "', 'test', '{\"form_id\":\"" + form + "\"}', 'line "
          + i + "')");
    }
    JsonObject first = feed(w.ownerA, "?scope=supplier:" + w.supplierA + "&limit=2", 200);
    assertEquals(List.of("line 2", "line 1"), texts(first));
    JsonObject second = feed(w.ownerA, "?scope=supplier:" + w.supplierA + "&limit=2&cursor="
        + first.getString("next_cursor"), 200);
    assertEquals("line 0", texts(second).get(0));
    long firstId = first.getJsonArray("activity").getJsonObject(1).getLong("id");
    assertTrue(second.getJsonArray("activity").getJsonObject(0).getLong("id") < firstId);

    // Only those who may join the channel may read its feed.
    assertEquals("forbidden", feed(w.ownerB, "?scope=supplier:" + w.supplierA, 403).getJsonObject("error")
        .getString("code"));
    assertEquals("forbidden", feed(w.ownerC, "?scope=wedding:" + w.wedding, 403).getJsonObject("error")
        .getString("code"));
    assertEquals("forbidden", feed(w.stranger, "?scope=wedding:" + UUID.randomUUID(), 403).getJsonObject("error")
        .getString("code"));
    feed(w.ownerB, "?scope=wedding:" + w.wedding, 200);

    for (String bad : new String[] {"", "?scope=form:" + form, "?scope=supplier:nope", "?scope=supplier:"
        + w.supplierA + ":team"}) {
      assertEquals("scope", feed(w.ownerA, bad, 400).getJsonObject("error").getString("field"), bad);
    }
    assertEquals("cursor", feed(w.ownerA, "?scope=supplier:" + w.supplierA + "&cursor=abc", 400)
        .getJsonObject("error").getString("field"));
    assertEquals("limit", feed(w.ownerA, "?scope=supplier:" + w.supplierA + "&limit=0", 400)
        .getJsonObject("error").getString("field"));
    JsonObject end = feed(w.ownerA, "?scope=supplier:" + w.supplierA + "&limit=100", 200);
    assertNull(end.getString("next_cursor"));
  }
}
