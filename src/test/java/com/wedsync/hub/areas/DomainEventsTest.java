package com.wedsync.hub.areas;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.wedsync.hub.areas.LiveAreasWorld.C1;
import static com.wedsync.hub.areas.LiveAreasWorld.C2;
import static com.wedsync.hub.areas.LiveAreasWorld.CHLOE;
import static com.wedsync.hub.areas.LiveAreasWorld.EMMA;
import static com.wedsync.hub.areas.LiveAreasWorld.J1;
import static com.wedsync.hub.areas.LiveAreasWorld.J2;
import static com.wedsync.hub.areas.LiveAreasWorld.S1;
import static com.wedsync.hub.areas.LiveAreasWorld.S2;
import static com.wedsync.hub.areas.LiveAreasWorld.SARAH;
import static com.wedsync.hub.areas.LiveAreasWorld.SOPHIE;
import static com.wedsync.hub.areas.LiveAreasWorld.TOM;
import static com.wedsync.hub.areas.LiveAreasWorld.W1;
import static com.wedsync.hub.areas.LiveAreasWorld.event;
import static com.wedsync.hub.areas.LiveAreasWorld.next;
import static com.wedsync.hub.areas.LiveAreasWorld.q;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The domain events of each live-area table (docs/protocol.md §12), from rows another service writes with plain SQL:
 * which event a change makes on which channel, with the row's published columns only, the change's log id as
 * {@code change_id} (the {@code postgres_changes} position of the same change), and the couple's unread count moving
 * with the supplier's messages.
 */
class DomainEventsTest {
  static final String NAME = "areas_domain_events";
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static TestHub hub;
  static WsClient emma;   // couple C1
  static WsClient sophie; // couple C2
  static WsClient sarah;  // owner of S1
  static WsClient chloe;  // owner of S2

  @BeforeAll
  static void start() {
    hub = LiveAreasWorld.start(NAME, Map.of());
    emma = hub.connect(EMMA);
    for (String t : List.of("couple:" + C1 + ":tasks", "couple:" + C1 + ":timeline", "couple:" + C1 + ":suppliers",
        "wedding:" + W1, "journey:" + J1 + ":" + C1, "journey:" + J2 + ":" + C1)) {
      LiveAreasWorld.joined(emma, t);
    }
    LiveAreasWorld.subscribeChanges(emma, EMMA);
    sophie = hub.connect(SOPHIE);
    LiveAreasWorld.joined(sophie, "couple:" + C2 + ":tasks");
    sarah = hub.connect(SARAH);
    for (String t : List.of("supplier:" + S1, "supplier:" + S1 + ":clients", "supplier:" + S1 + ":journeys",
        "wedding:" + W1, "journey:" + J1 + ":" + C1)) {
      LiveAreasWorld.joined(sarah, t);
    }
    chloe = hub.connect(CHLOE);
    for (String t : List.of("supplier:" + S2, "supplier:" + S2 + ":journeys", "wedding:" + W1,
        "journey:" + J2 + ":" + C1)) {
      LiveAreasWorld.joined(chloe, t);
    }
  }

  @AfterAll
  static void stop() {
    for (WsClient c : List.of(emma, sophie, sarah, chloe)) c.close();
    hub.close();
    LiveAreasWorld.dropSlot(NAME);
    TestPostgres.execute("delete from tasks where title like '%" + RUN + "%'");
    TestPostgres.execute("delete from meetings where title like '%" + RUN + "%'");
    TestPostgres.execute("delete from timeline_items where title like '%" + RUN + "%'");
    TestPostgres.execute("delete from messages where body like '%" + RUN + "%'");
  }

  static void sql(String statement) {
    TestPostgres.execute(statement);
  }

  static UUID id() {
    return UUID.randomUUID();
  }

  /** The postgres_changes event of the same change on Emma's own channel: its position is the change's id. */
  static long position(String table, String type, UUID row) {
    JsonObject p = emma.await(a -> ("user:" + EMMA).equals(a.getString(2))
        && "postgres_changes".equals(a.getString(3))
        && table.equals(a.getJsonObject(4).getJsonObject("data").getString("table"))
        && type.equals(a.getJsonObject(4).getJsonObject("data").getString("type"))
        && row.toString().equals(rowOf(a.getJsonObject(4).getJsonObject("data")).getString("id")),
        Duration.ofSeconds(10)).getJsonObject(4);
    return p.getJsonObject("meta").getLong("offset");
  }

  static JsonObject rowOf(JsonObject data) {
    return "DELETE".equals(data.getString("type")) ? data.getJsonObject("old_record") : data.getJsonObject("record");
  }

  @Test
  void tasksAreCreatedUpdatedCompletedReopenedMovedAndDeletedOnTheCouplesTasksChannel() {
    UUID task = id();
    String tasks = "couple:" + C1 + ":tasks";
    sql("insert into tasks (id, couple_id, supplier_id, wedding_id, title, due, assignee_id) values (" + q(task) + ", "
        + q(C1) + ", " + q(S1) + ", " + q(W1) + ", 'Send the shot list " + RUN + "', '2027-04-30', " + q(EMMA) + ")");
    JsonObject created = next(emma, tasks, "task:created");
    JsonObject row = created.getJsonObject("task");
    assertEquals(task.toString(), row.getString("id"));
    assertEquals(S1.toString(), row.getString("supplier_id"));
    assertEquals("2027-04-30", row.getString("due"));
    assertEquals(false, row.getBoolean("done"));
    assertEquals(position("tasks", "INSERT", task), created.getLong("change_id"), "change_id is the log id");
    assertNotNull(created.getString("at"));
    assertNotNull(created.getJsonObject("meta"), "durable");

    sql("update tasks set title = 'Send the full shot list " + RUN + "', due = '2027-05-01' where id = " + q(task));
    JsonObject updated = next(emma, tasks, "task:updated");
    assertEquals(new JsonArray().add("title").add("due"), updated.getJsonArray("changed"));
    assertEquals("2027-05-01", updated.getJsonObject("task").getString("due"));

    sql("update tasks set done = true, completed_at = now() where id = " + q(task));
    assertEquals(true, next(emma, tasks, "task:completed").getJsonObject("task").getBoolean("done"));
    sql("update tasks set done = false, completed_at = null where id = " + q(task));
    assertEquals(false, next(emma, tasks, "task:reopened").getJsonObject("task").getBoolean("done"));
    emma.assertNone(event(tasks, "task:updated"), Duration.ofMillis(200)); // done alone is not an update

    // Handed to the other couple: gone from this couple's list, new in theirs.
    sql("update tasks set couple_id = " + q(C2) + ", wedding_id = null where id = " + q(task));
    assertEquals(task.toString(), next(emma, tasks, "task:deleted").getJsonObject("task").getString("id"));
    assertEquals(task.toString(), next(sophie, "couple:" + C2 + ":tasks", "task:created").getJsonObject("task")
        .getString("id"));
    sql("delete from tasks where id = " + q(task));
    assertEquals(task.toString(), next(sophie, "couple:" + C2 + ":tasks", "task:deleted").getJsonObject("task")
        .getString("id"));
  }

  @Test
  void timelineItemsOnTheCouplesTimelineChannel() {
    UUID item = id();
    String timeline = "couple:" + C1 + ":timeline";
    sql("insert into timeline_items (id, couple_id, wedding_id, supplier_id, starts_at, title) values (" + q(item)
        + ", " + q(C1) + ", " + q(W1) + ", " + q(S1) + ", '2027-06-12 17:00+01', 'Sparkler exit " + RUN + "')");
    JsonObject created = next(emma, timeline, "timeline:created");
    assertEquals("2027-06-12T16:00:00+00:00", created.getJsonObject("item").getString("starts_at"));
    sql("update timeline_items set starts_at = '2027-06-12 22:00+01', location = 'Front steps' where id = " + q(item));
    JsonObject updated = next(emma, timeline, "timeline:updated");
    assertEquals(new JsonArray().add("starts_at").add("location"), updated.getJsonArray("changed"));
    sql("delete from timeline_items where id = " + q(item));
    assertEquals(item.toString(), next(emma, timeline, "timeline:deleted").getJsonObject("item").getString("id"));
  }

  @Test
  void meetingsReachTheCoupleAndTheirSupplierOnTheWeddingAndTheSuppliersChannelWithoutInternalNotes() {
    UUID meeting = id();
    String wedding = "wedding:" + W1;
    String lens = "supplier:" + S1;
    sql("insert into meetings (id, supplier_id, couple_id, wedding_id, title, starts_at, ends_at, attendees, "
        + "internal_notes) values (" + q(meeting) + ", " + q(S1) + ", " + q(C1) + ", " + q(W1) + ", 'Album review "
        + RUN + "', '2027-08-01 10:00+00', '2027-08-01 11:00+00', '{" + EMMA + "," + SARAH + "}', 'hidden-" + RUN
        + "')");
    JsonObject created = next(emma, wedding, "meeting:created");
    assertEquals(meeting.toString(), created.getJsonObject("meeting").getString("id"));
    assertFalse(created.getJsonObject("meeting").containsKey("internal_notes"));
    assertFalse(created.encode().contains("hidden-" + RUN), "internal notes never leave the hub");
    next(sarah, wedding, "meeting:created");
    next(sarah, lens, "meeting:created");

    sql("update meetings set starts_at = '2027-08-02 10:00+00', ends_at = '2027-08-02 11:30+00' where id = "
        + q(meeting));
    JsonObject moved = next(emma, wedding, "meeting:rescheduled");
    assertEquals("2027-08-01T10:00:00+00:00", moved.getJsonObject("from").getString("starts_at"));
    assertEquals("2027-08-02T11:30:00+00:00", moved.getJsonObject("meeting").getString("ends_at"));
    next(sarah, lens, "meeting:rescheduled");

    sql("update meetings set attendees = '{" + EMMA + "," + TOM + "}' where id = " + q(meeting));
    JsonObject attendees = next(sarah, lens, "meeting:attendees_changed");
    assertEquals(new JsonArray().add(TOM.toString()), attendees.getJsonArray("added"));
    assertEquals(new JsonArray().add(SARAH.toString()), attendees.getJsonArray("removed"));
    next(emma, wedding, "meeting:attendees_changed");

    sql("update meetings set status = 'cancelled' where id = " + q(meeting));
    assertEquals("cancelled", next(emma, wedding, "meeting:cancelled").getJsonObject("meeting").getString("status"));
    next(sarah, lens, "meeting:cancelled");
    sql("update meetings set status = 'scheduled', location = 'Studio' where id = " + q(meeting));
    assertEquals(new JsonArray().add("status").add("location"),
        next(sarah, lens, "meeting:updated").getJsonArray("changed"));
    sql("delete from meetings where id = " + q(meeting));
    next(sarah, lens, "meeting:deleted");
    next(emma, wedding, "meeting:deleted");
    // Feast is on the same wedding's channel: none of Lens & Light's meeting reaches it.
    chloe.assertNone(a -> a.getString(3).startsWith("meeting:"), Duration.ofMillis(300));
  }

  @Test
  void aClientsJourneyProgressIsStagesModulesEmailsAndNextActionsAndFailuresAreTheSuppliersOnly() {
    String journey = "journey:" + J1 + ":" + C1;
    String journeys = "supplier:" + S1 + ":journeys";
    sql("update journey_clients set current_stage = 'wedding', stage_reached_at = '2027-06-12 08:00+00' "
        + "where journey_id = " + q(J1) + " and couple_id = " + q(C1));
    JsonObject stage = next(emma, journey, "journey:stage_reached");
    assertEquals("wedding", stage.getString("stage"));
    assertEquals(J1.toString(), stage.getString("journey_id"));
    assertEquals(C1.toString(), stage.getString("couple_id"));
    assertEquals("2027-06-12T08:00:00+00:00", stage.getString("reached_at"));
    assertEquals(S1.toString(), stage.getJsonObject("progress").getString("supplier_id"));
    next(sarah, journeys, "journey:stage_reached");
    next(sarah, journey, "journey:stage_reached");

    sql("update journey_clients set modules_run = modules_run + 1, last_module = 'Gallery teaser " + RUN + "', "
        + "last_module_at = now(), emails_opened = emails_opened + 1, last_email = 'Gallery teaser', "
        + "last_email_opened_at = now(), next_action = 'Gallery delivery', next_action_at = '2027-07-01 09:00+00' "
        + "where journey_id = " + q(J1) + " and couple_id = " + q(C1));
    assertEquals("Gallery teaser " + RUN, next(sarah, journeys, "journey:module_ran").getString("module"));
    assertEquals("Gallery teaser", next(sarah, journeys, "journey:email_opened").getString("email"));
    JsonObject nextAction = next(emma, journey, "journey:next_action");
    assertEquals("Gallery delivery", nextAction.getString("next_action"));
    assertEquals("2027-07-01T09:00:00+00:00", nextAction.getString("next_action_at"));
    next(emma, journey, "journey:module_ran");

    UUID failure = id();
    sql("insert into journey_failures (id, journey_id, couple_id, module, reason) values (" + q(failure) + ", "
        + q(J1) + ", " + q(C1) + ", 'Gallery delivery', 'bounced " + RUN + "')");
    JsonObject failed = next(sarah, journeys, "journey:action_failed");
    assertEquals("bounced " + RUN, failed.getString("reason"));
    assertEquals(S1.toString(), failed.getJsonObject("failure").getString("supplier_id"), "filled from the journey");
    next(sarah, journey, "journey:action_failed");
    sql("update journey_failures set resolved_at = now() where id = " + q(failure));
    next(sarah, journeys, "journey:action_resolved");
    // The couple is on the journey's channel, but a failure is the supplier's business.
    emma.assertNone(a -> a.getString(3).startsWith("journey:action_"), Duration.ofMillis(300));
    // Another supplier's journey with the same couple is not Lens & Light's.
    sql("update journey_clients set current_stage = 'menu' where journey_id = " + q(J2) + " and couple_id = "
        + q(C1));
    next(chloe, "journey:" + J2 + ":" + C1, "journey:stage_reached");
    next(emma, "journey:" + J2 + ":" + C1, "journey:stage_reached");
    sarah.assertNone(a -> a.getJsonObject(4) != null && J2.toString().equals(a.getJsonObject(4)
        .getString("journey_id")), Duration.ofMillis(200));
  }

  @Test
  void aSuppliersMessageIsNewAndReadOnBothSidesAndMovesTheCouplesUnreadCount() {
    String clients = "supplier:" + S1 + ":clients";
    String inbox = "couple:" + C1 + ":suppliers";
    long before = listedUnread(); // other tests may have left notes unread
    UUID message = id();
    sql("insert into messages (id, supplier_id, couple_id, sender_id, sender_side, body, relay_id, flagged) values ("
        + q(message) + ", " + q(S1) + ", " + q(C1) + ", " + q(SARAH) + ", 'supplier', 'Your gallery is ready " + RUN
        + "', 'relay-" + RUN + "', true)");
    JsonObject arrived = next(emma, inbox, "message:new");
    JsonObject row = arrived.getJsonObject("message");
    assertEquals("Your gallery is ready " + RUN, row.getString("body"));
    assertEquals(Set.of("id", "supplier_id", "couple_id", "sender_id", "sender_side", "body", "read_at", "read_by",
        "created_at"), row.fieldNames(), "the published columns only: no relay id, no moderation flag");
    assertEquals(arrived.getLong("change_id"), next(sarah, clients, "message:new").getLong("change_id"));
    JsonObject status = unread(sarah, clients, before + 1);
    assertEquals(before + 1, listedUnread());
    assertEquals(C1.toString(), status.getString("couple_id"));

    sql("update messages set read_at = now(), read_by = " + q(EMMA) + " where id = " + q(message));
    JsonObject read = next(sarah, clients, "message:read");
    assertEquals(EMMA.toString(), read.getString("read_by"));
    assertNotNull(read.getString("read_at"));
    next(emma, inbox, "message:read");
    unread(sarah, clients, before);

    // The couple writing to the supplier does not move what the couple has unread.
    sql("insert into messages (supplier_id, couple_id, sender_id, sender_side, body) values (" + q(S1) + ", " + q(C1)
        + ", " + q(EMMA) + ", 'couple', 'Thank you! " + RUN + "')");
    assertEquals("couple", next(sarah, clients, "message:new").getJsonObject("message").getString("sender_side"));
    assertEquals(before, listedUnread());
  }

  /** The next {@code client:status} of couple C1 on the supplier's client list with this unread count. */
  static JsonObject unread(WsClient c, String topic, long unread) {
    return c.await(a -> topic.equals(a.getString(2)) && "client:status".equals(a.getString(3))
        && C1.toString().equals(a.getJsonObject(4).getString("couple_id"))
        && a.getJsonObject(4).getLong("unread") == unread, Duration.ofSeconds(10)).getJsonObject(4);
  }

  /** C1's unread count in Lens & Light's client list (HTTP). */
  static long listedUnread() {
    JsonArray list = hub.request(io.vertx.core.http.HttpMethod.GET, "/api/v1/suppliers/" + S1 + "/clients",
        hub.token(SARAH), null).json().getJsonArray("clients");
    for (int i = 0; i < list.size(); i++) {
      if (C1.toString().equals(list.getJsonObject(i).getString("couple_id"))) {
        return list.getJsonObject(i).getLong("unread");
      }
    }
    throw new AssertionError("C1 not in " + list.encode());
  }

  @Test
  void theDomainEventsAreReplayedAfterSinceLikeEveryDurableEvent() {
    JsonObject at = LiveAreasWorld.joined(sarah, "supplier:" + S1 + ":journeys");
    sql("update journey_clients set next_action = 'Replay " + RUN + "' where journey_id = " + q(J1)
        + " and couple_id = " + q(C1));
    java.util.function.Predicate<JsonArray> replayNext = a -> event("supplier:" + S1 + ":journeys",
        "journey:next_action").test(a) && ("Replay " + RUN).equals(a.getJsonObject(4).getString("next_action"));
    JsonObject live = sarah.await(replayNext, Duration.ofSeconds(10)).getJsonObject(4);
    try (WsClient again = hub.connect(SARAH)) {
      JsonObject reply = again.join("supplier:" + S1 + ":journeys", new JsonObject().put("since",
          new JsonObject().put("offset", at.getLong("offset")).put("epoch", at.getString("epoch"))));
      assertEquals(true, reply.getJsonObject("response").getBoolean("recovered"), reply.encode());
      JsonObject replayed = again.await(replayNext, Duration.ofSeconds(10)).getJsonObject(4);
      assertEquals(live.getLong("change_id"), replayed.getLong("change_id"));
      assertEquals(live.getJsonObject("meta"), replayed.getJsonObject("meta"));
    }
  }
}
