package com.wedsync.hub.security;

import com.wedsync.hub.security.PrivacyWorld.Supplier;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.wedsync.hub.security.PrivacyWorld.CORE;
import static com.wedsync.hub.security.PrivacyWorld.arrived;
import static com.wedsync.hub.security.PrivacyWorld.op;
import static com.wedsync.hub.security.PrivacyWorld.patch;
import static com.wedsync.hub.security.PrivacyWorld.pushed;
import static com.wedsync.hub.security.PrivacyWorld.sleep;
import static com.wedsync.hub.security.PrivacyWorld.track;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole wedding's day of work, recorded at every supplier-side socket on every channel its user may join, then
 * checked: no frame a supplier's people received mentions another supplier's form (its id, title, notes, values), its
 * people's presence or broadcasts, and no value of a core fact the couple does not share with them reached them — while
 * what is shared with them did. The journey: presence and broadcasts on the wedding; the couple filling in every
 * supplier's form (also through fields bound to core facts, some shared with the others and some not); notes from both
 * sides with a mention; a broken lock; submit and reopen; a supplier editing a shared bound fact; PATCHes of one and of
 * several facts; a change made by another service directly in the database; and a supplier's viewer that leaves the
 * wedding channel and rejoins with {@code since}, getting exactly the events it may see replayed, then live ones.
 */
class PrivacyJourneyTest {
  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  /** Every channel a user may join on this wedding, joined (presence tracked on the wedding and the forms). */
  static WsClient everywhere(PrivacyWorld w, UUID user, boolean couple) {
    List<String> topics = new ArrayList<>(List.of("user:" + user, "wedding:" + w.wedding));
    if (couple) {
      topics.add("couple:" + w.couple);
      for (Supplier s : w.connected()) topics.add("form:" + s.form());
    } else {
      for (Supplier s : w.suppliersOf(user)) {
        topics.add("supplier:" + s.id());
        topics.add("supplier:" + s.id() + ":forms");
        topics.add("form:" + s.form());
      }
    }
    WsClient c = PrivacyWorld.joined(hub, user, topics.toArray(new String[0]));
    for (String t : topics) {
      if (t.startsWith("wedding:") || t.startsWith("form:")) {
        assertEquals("ok", c.request("realtime:" + t, "presence", track()).getString("status"), t);
      }
    }
    return c;
  }

  @Test
  void aFullJourneyNeverShowsASupplierAnotherSuppliersDataOrAnUnsharedFact() {
    PrivacyWorld w = new PrivacyWorld();
    // A second writer on A's team, whose lock A's owner breaks.
    UUID memberA = UUID.randomUUID();
    TestPostgres.execute("insert into users (id, email, name) values ('" + memberA + "', '" + memberA
        + "@privacy.example', 'MemberA " + w.tag + "'); insert into team_members (supplier_id, user_id, role) values ('"
        + w.a.id() + "', '" + memberA + "', 'member')");
    String wedding = "realtime:wedding:" + w.wedding;
    Map<UUID, WsClient> recorders = new LinkedHashMap<>();
    List<WsClient> others = new ArrayList<>();
    try {
      WsClient couple = everywhere(w, w.partner2, true);
      WsClient actor = everywhere(w, w.partner1, true);
      others.add(couple);
      others.add(actor);
      for (Supplier s : w.connected()) {
        recorders.put(s.owner(), everywhere(w, s.owner(), false));
        recorders.put(s.viewer(), everywhere(w, s.viewer(), false));
      }
      recorders.put(w.dual, everywhere(w, w.dual, false));
      WsClient member = PrivacyWorld.joined(hub, memberA, "form:" + w.a.form());
      others.add(member);
      WsClient ownerA = recorders.get(w.a.owner());

      // Everyone's values over the day, per fact: none of a fact's values may reach a side it is not shared with.
      Map<String, Set<Object>> values = new LinkedHashMap<>();
      CORE.keySet().forEach(f -> values.computeIfAbsent(f, k -> new HashSet<>()).add(w.initial.getValue(f)));

      // Broadcasts on the wedding: A's owner speaks (socket and HTTP), the couple speaks.
      assertEquals("ok", ownerA.request(wedding, "broadcast", new JsonObject().put("type", "broadcast")
          .put("event", "cursor-A").put("payload", new JsonObject().put("secret", "Secret A " + w.tag)))
          .getString("status"));
      assertEquals(202, hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.token(w.a.owner()),
          new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("topic", "wedding:" + w.wedding)
              .put("event", "http-A").put("payload", new JsonObject().put("form", w.a.form().toString())))))
          .status());
      assertEquals("ok", actor.request(wedding, "broadcast", new JsonObject().put("type", "broadcast")
          .put("event", "cursor-couple").put("payload", new JsonObject())).getString("status"));

      // The couple fills in every supplier's form; on A's form also two bound facts: one B is shared, one not.
      for (Supplier s : w.connected()) {
        set(actor, s.form(), "notes", "Secret " + s.letter() + " answer " + w.tag);
      }
      set(actor, w.a.form(), "venue_address", "Shared lane " + w.tag);
      values.get("venue_address").add("Shared lane " + w.tag);
      set(actor, w.a.form(), "contact_phone", "+44 1234 " + w.tag.replaceAll("[^0-9]", "1").substring(0, 6));
      values.get("contact_phone").add("+44 1234 " + w.tag.replaceAll("[^0-9]", "1").substring(0, 6));

      // Notes from both sides (the supplier's mentions the couple), on every form.
      for (Supplier s : w.connected()) {
        note(s.owner(), s.form(), "Secret " + s.letter() + " note for @{" + w.partner1 + "} " + w.tag);
        note(w.partner1, s.form(), "Secret " + s.letter() + " reply " + w.tag);
      }
      // A broken lock on A's form; the couple submits it, A reopens it.
      String formA = "realtime:form:" + w.a.form();
      assertEquals("ok", member.request(formA, "field:lock", new JsonObject().put("field", "notes"))
          .getString("status"));
      assertEquals("ok", ownerA.request(formA, "field:break_lock", new JsonObject().put("field", "notes"))
          .getString("status"));
      status(actor, w.a.form(), "submitted");
      status(ownerA, w.a.form(), "in_progress");
      // A's owner changes a fact through its own bound field: shared with A, so it is the wedding's (and B's) too.
      JsonObject guests = w.newValue("guest_count", 7);
      set(ownerA, w.a.form(), "guest_count", guests.getValue("guest_count"));

      // PATCHes: one fact, then several at once.
      for (String f : List.of("partner1_name", "venue_name")) {
        JsonObject change = w.newValue(f, 11);
        patch(hub, w.partner1, w.wedding, change);
        values.get(f).add(change.getValue(f));
      }
      JsonObject several = new JsonObject().mergeIn(w.newValue("ceremony_time", 12))
          .mergeIn(w.newValue("guest_count", 13)).mergeIn(w.newValue("contact_email", 14))
          .mergeIn(w.newValue("partner2_name", 15));
      patch(hub, w.partner1, w.wedding, several);
      several.forEach(e -> values.get(e.getKey()).add(e.getValue()));

      // B's viewer leaves the wedding channel, misses a stretch, and rejoins where it was.
      WsClient viewerB = recorders.get(w.b.viewer());
      JsonObject sharedWithB = w.newValue("contact_email", 21);
      arrived(viewerB, pushed("wedding:" + w.wedding, "wedding:updated", p -> p.getJsonObject("changes")
          .containsKey("contact_email")), "B's viewer: the PATCH of several facts");
      assertEquals("ok", viewerB.request(wedding, "phx_leave", new JsonObject()).getString("status"));
      long seen = lastOffset(viewerB, wedding);
      String epoch = lastEpoch(viewerB, wedding);
      note(w.a.owner(), w.a.form(), "Secret A while B was away " + w.tag);
      JsonObject away = new JsonObject().mergeIn(sharedWithB).mergeIn(w.newValue("contact_phone", 22))
          .mergeIn(w.newValue("venue_address", 23));
      patch(hub, w.partner1, w.wedding, away);
      away.forEach(e -> values.get(e.getKey()).add(e.getValue()));
      status(actor, w.a.form(), "submitted");
      arrived(couple, pushed("wedding:" + w.wedding, "activity", p -> "form_submitted".equals(p.getString("verb"))),
          2, "the couple: A's form submitted again");
      JsonObject rejoin = viewerB.join(wedding, new JsonObject().put("since", new JsonObject().put("offset", seen)
          .put("epoch", epoch)));
      assertEquals("ok", rejoin.getString("status"), rejoin.encode());
      assertEquals(true, rejoin.getJsonObject("response").getBoolean("recovered"), rejoin.encode());
      long top = rejoin.getJsonObject("response").getLong("offset");
      assertTrue(top > seen + 2, "events happened while it was away: " + seen + " → " + top);
      arrived(viewerB, pushed("wedding:" + w.wedding, "wedding:updated", p -> p.getJsonObject("changes")
          .containsKey("contact_email") && sharedWithB.getValue("contact_email").equals(p.getJsonObject("changes")
          .getValue("contact_email"))), "B's viewer: the shared change it missed, replayed");

      // Another service changes facts directly in the database.
      JsonObject external = new JsonObject().mergeIn(w.newValue("wedding_date", 31))
          .mergeIn(w.newValue("contact_phone", 32));
      TestPostgres.execute("update weddings set wedding_date = '" + external.getString("wedding_date")
          + "', contact_phone = '" + external.getString("contact_phone") + "' where id = '" + w.wedding + "'");
      external.forEach(e -> values.get(e.getKey()).add(e.getValue()));
      arrived(viewerB, pushed("wedding:" + w.wedding, "wedding:updated", p -> "external".equals(p.getString("source"))),
          "B's viewer: the external change of the date");

      // The last change, shared with A, B and C: once it is everywhere, everything before it is too.
      JsonObject last = w.newValue("venue_name", 40);
      patch(hub, w.partner1, w.wedding, last);
      values.get("venue_name").add(last.getValue("venue_name"));
      for (var e : recorders.entrySet()) {
        UUID user = e.getKey();
        for (Supplier s : w.suppliersOf(user)) {
          if (!s.shared().contains("venue_name")) continue;
          arrived(e.getValue(), pushed("wedding:" + w.wedding, "wedding:updated", p -> last.getValue("venue_name")
              .equals(p.getJsonObject("changes").getValue("venue_name"))), user + " the last change");
          arrived(e.getValue(), pushed("supplier:" + s.id(), "activity", p -> last.getValue("venue_name")
              .equals(p.getJsonObject("object").getValue("value"))), user + " the last activity");
          arrived(e.getValue(), pushed("user:" + user, "notification", p -> last.getValue("venue_name")
              .equals(p.getJsonObject("data").getValue("value"))), user + " the last notification");
        }
      }
      arrived(couple, pushed("wedding:" + w.wedding, "activity", p -> last.getValue("venue_name")
          .equals(p.getJsonObject("object").getValue("value"))), "the couple: the last activity");
      sleep(800);

      List<Executable> cells = new ArrayList<>();
      // The journey happened: the couple saw all of it, A's owner all of A's.
      for (Supplier s : w.connected()) {
        cells.add(() -> assertTrue(!couple.received(f -> PrivacyMatrixTest.mentions(f.encode(), s)).isEmpty(),
            "the couple heard of " + s.letter() + "'s form"));
      }
      for (String verb : List.of("form_started", "note_added", "lock_broken", "form_submitted", "form_reopened")) {
        cells.add(() -> assertTrue(!ownerA.received(pushed("wedding:" + w.wedding, "activity", p -> verb.equals(
            p.getString("verb")))).isEmpty(), "A's owner: " + verb + " on the wedding"));
      }
      cells.add(() -> assertTrue(!couple.received(f -> "presence_diff".equals(f.getString(3))
          && f.encode().contains(w.a.owner().toString())).isEmpty(), "the couple sees A's owner"));
      cells.add(() -> assertTrue(!couple.received(pushed("wedding:" + w.wedding, "broadcast",
          p -> "cursor-A".equals(p.getString("event")))).isEmpty(), "the couple hears A's owner"));

      for (var e : recorders.entrySet()) {
        UUID user = e.getKey();
        WsClient c = e.getValue();
        List<JsonArray> frames = c.received(f -> true);
        Set<Supplier> mine = w.suppliersOf(user);
        Set<String> sees = new HashSet<>();
        mine.forEach(s -> sees.addAll(s.shared()));
        String who = "supplier " + mine.stream().map(Supplier::letter).toList() + " user " + user;
        for (Supplier s : w.connected()) {
          if (mine.contains(s)) continue;
          cells.add(() -> assertEquals(List.of(), frames.stream().filter(f -> PrivacyMatrixTest.mentions(f.encode(), s))
              .toList(), who + ": frames about " + s.letter() + "'s form"));
          Set<String> people = Set.of(s.owner().toString(), s.viewer().toString());
          cells.add(() -> assertEquals(List.of(), frames.stream().filter(f -> f.getString(3).startsWith("presence")
              && people.stream().anyMatch(p -> f.encode().contains(p))).toList(), who + ": " + s.letter()
              + "'s people in presence"));
        }
        if (!mine.contains(w.b) && !mine.contains(w.c)) {
          cells.add(() -> assertEquals(List.of(), frames.stream().filter(f -> f.getString(3).startsWith("presence")
              && f.encode().contains(w.dual.toString())).toList(), who + ": B's and C's member in presence"));
        }
        if (!mine.contains(w.a)) {
          cells.add(() -> assertEquals(List.of(), frames.stream().filter(f -> "broadcast".equals(f.getString(3))
              && f.encode().contains("-A")).toList(), who + ": A's broadcasts"));
          cells.add(() -> assertTrue(frames.stream().noneMatch(f -> f.encode().contains(memberA.toString())
              && f.getString(3).startsWith("presence")), who + ": A's member in presence"));
        }
        cells.add(() -> assertTrue(frames.stream().anyMatch(f -> "broadcast".equals(f.getString(3))
            && f.encode().contains("cursor-couple")), who + ": hears the couple"));
        for (String f : CORE.keySet()) {
          if (sees.contains(f)) continue;
          for (Object value : values.get(f)) {
            if (!PrivacyWorld.searchable(value)) continue;
            cells.add(() -> assertEquals(List.of(), frames.stream().filter(fr -> fr.encode().contains((String) value))
                .toList(), who + ": the unshared " + f + " " + value));
          }
          cells.add(() -> assertEquals(List.of(), frames.stream().filter(fr -> fr.getValue(4) instanceof JsonObject p
              && (p.getJsonObject("changes") != null && p.getJsonObject("changes").containsKey(f)
                  || f.equals(PrivacyMatrixTest.coreField(p))
                  || p.getJsonObject("data") != null && f.equals(p.getJsonObject("data").getString("core_field"))))
              .toList(), who + ": events about the unshared " + f));
        }
        // ... and what is shared with it did reach it.
        for (String f : sees) {
          cells.add(() -> assertTrue(frames.stream().anyMatch(fr -> fr.getValue(4) instanceof JsonObject p
              && p.getJsonObject("changes") != null && p.getJsonObject("changes").containsKey(f)),
              who + ": wedding:updated of the shared " + f));
        }
      }
      // The rejoin: replayed in order, after the position it left, only what B may see, then live, with no gap taken.
      List<JsonArray> afterRejoin = new ArrayList<>();
      long previous = seen;
      boolean past = false;
      for (JsonArray f : viewerB.received(f -> wedding.equals(f.getString(2)))) {
        if ("phx_close".equals(f.getString(3))) past = true;
        else if (past && f.getValue(4) instanceof JsonObject p && p.getJsonObject("meta") != null && p.getJsonObject("meta").containsKey("offset")) afterRejoin.add(f);
      }
      for (JsonArray f : afterRejoin) {
        long offset = f.getJsonObject(4).getJsonObject("meta").getLong("offset");
        long before = previous;
        cells.add(() -> assertTrue(offset > before, "offsets after the rejoin rise: " + afterRejoin));
        previous = offset;
      }
      cells.add(() -> assertTrue(afterRejoin.stream().anyMatch(f -> f.getJsonObject(4).getJsonObject("meta")
          .getLong("offset") <= top), "something was replayed"));
      cells.add(() -> assertTrue(afterRejoin.stream().anyMatch(f -> f.getJsonObject(4).getJsonObject("meta")
          .getLong("offset") > top), "live events follow the replay"));
      assertAll(cells);
    } finally {
      recorders.values().forEach(WsClient::close);
      others.forEach(WsClient::close);
    }
  }

  private static void set(WsClient c, UUID form, String field, Object value) {
    JsonObject reply = c.request("realtime:form:" + form, "field:set", new JsonObject().put("field", field)
        .put("value", value).put("force", true).put("op_id", op()));
    assertEquals("ok", reply.getString("status"), field + ": " + reply.encode());
  }

  private static void note(UUID author, UUID form, String text) {
    var r = hub.request(HttpMethod.POST, "/api/v1/forms/" + form + "/notes", hub.token(author),
        new JsonObject().put("text", text).put("op_id", op()));
    assertEquals(200, r.status(), r.body());
  }

  private static void status(WsClient c, UUID form, String to) {
    JsonObject reply = c.request("realtime:form:" + form, "form:status", new JsonObject().put("status", to)
        .put("op_id", op()));
    assertEquals("ok", reply.getString("status"), to + ": " + reply.encode());
  }

  private static long lastOffset(WsClient c, String topic) {
    long last = -1;
    for (JsonArray f : c.received(f -> topic.equals(f.getString(2)) && f.getValue(4) instanceof JsonObject p
        && p.getJsonObject("meta") != null && p.getJsonObject("meta").containsKey("offset"))) {
      last = Math.max(last, f.getJsonObject(4).getJsonObject("meta").getLong("offset"));
    }
    assertTrue(last > 0, "a durable event on " + topic);
    return last;
  }

  private static String lastEpoch(WsClient c, String topic) {
    List<JsonArray> durable = c.received(f -> topic.equals(f.getString(2)) && f.getValue(4) instanceof JsonObject p
        && p.getJsonObject("meta") != null && p.getJsonObject("meta").containsKey("offset"));
    return durable.get(durable.size() - 1).getJsonObject(4).getJsonObject("meta").getString("epoch");
  }
}
