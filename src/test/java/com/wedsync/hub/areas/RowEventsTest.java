package com.wedsync.hub.areas;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.changes.LoggedChange;
import com.wedsync.hub.changes.RowChange;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tables' event rules on their own (no hub): what an update makes of what changed, and where it goes. */
class RowEventsTest {
  static final UUID S1 = UUID.randomUUID();
  static final UUID S2 = UUID.randomUUID();
  static final String COUPLE = UUID.randomUUID().toString();
  static final String WEDDING = UUID.randomUUID().toString();

  static JsonObject meeting(UUID supplier) {
    return new JsonObject().put("id", "m1").put("supplier_id", supplier.toString()).put("couple_id", COUPLE)
        .put("wedding_id", WEDDING).put("title", "Tasting").put("starts_at", "2027-04-01T18:00:00+00:00")
        .put("ends_at", "2027-04-01T19:00:00+00:00").put("status", "scheduled")
        .put("attendees", new JsonArray().add("a").add("b"));
  }

  /** A change as the feed hands it on: the whole rows, and the published ones (here without internal_notes). */
  static LoggedChange change(String table, String type, JsonObject oldRow, JsonObject row) {
    JsonObject published = new JsonObject();
    if (row != null) published.put("record", strip(row));
    if (oldRow != null) published.put("old_record", strip(oldRow));
    return new LoggedChange(42, new RowChange("public", table, type, List.of(), row, oldRow), published,
        Instant.parse("2026-12-07T21:00:00Z"));
  }

  static JsonObject strip(JsonObject row) {
    JsonObject j = row.copy();
    j.remove("internal_notes");
    return j;
  }

  static List<String> names(List<DomainEvent> events) {
    return events.stream().map(e -> e.event() + " " + e.topic()).toList();
  }

  @Test
  void aMeetingIsPlacedOnItsWeddingForTheCoupleAndItsSupplierAndOnTheSuppliersChannel() {
    List<DomainEvent> events = new MeetingEvents().events(change("meetings", "INSERT", null, meeting(S1)));
    assertEquals(List.of("meeting:created wedding:" + WEDDING, "meeting:created supplier:" + S1), names(events));
    assertEquals(Audience.coupleAnd(Set.of(S1)), events.get(0).audience());
    assertNull(events.get(1).audience());
    assertEquals(42, events.get(0).payload().getLong("change_id"));
    assertEquals("2026-12-07T21:00:00Z", events.get(0).payload().getString("at"));
  }

  @Test
  void aMeetingHandedToAnotherSupplierLeavesTheFirstAndReachesTheSecond() {
    List<DomainEvent> events = new MeetingEvents().events(change("meetings", "UPDATE", meeting(S1), meeting(S2)));
    assertEquals(List.of("meeting:deleted wedding:" + WEDDING, "meeting:deleted supplier:" + S1,
        "meeting:created wedding:" + WEDDING, "meeting:created supplier:" + S2), names(events));
    assertEquals(Audience.coupleAnd(Set.of(S1)), events.get(0).audience());
    assertEquals(Audience.coupleAnd(Set.of(S2)), events.get(2).audience());
  }

  @Test
  void whatAnUpdateChangedNamesTheEvent() {
    MeetingEvents rules = new MeetingEvents();
    JsonObject cancelledAndMoved = meeting(S1).put("status", "cancelled").put("starts_at", "2027-04-02T18:00:00+00:00");
    assertEquals(List.of("meeting:cancelled", "meeting:updated"), rules.updated(meeting(S1), cancelledAndMoved)
        .stream().map(RowEvents.Event::name).toList());
    assertEquals(new JsonArray().add("starts_at"), rules.updated(meeting(S1), cancelledAndMoved).get(1).payload()
        .getJsonArray("changed"), "moved while cancelled: not rescheduled");
    List<RowEvents.Event> again = rules.updated(meeting(S1).put("status", "cancelled"), meeting(S1));
    assertEquals("meeting:updated", again.get(0).name());
    assertEquals(new JsonArray().add("status"), again.get(0).payload().getJsonArray("changed"));
    List<RowEvents.Event> people = rules.updated(meeting(S1), meeting(S1).put("attendees", new JsonArray().add("b")
        .add("c")));
    assertEquals(new JsonArray().add("c"), people.get(0).payload().getJsonArray("added"));
    assertEquals(new JsonArray().add("a"), people.get(0).payload().getJsonArray("removed"));
    JsonObject unread = new JsonObject().put("id", "x").put("read_at", null);
    assertEquals(List.of("message:updated"), new MessageEvents().updated(unread.copy().put("read_at", "t"), unread)
        .stream().map(RowEvents.Event::name).toList(), "marked unread again");
  }

  @Test
  void anUpdateOfInternalColumnsOnlyMakesNoEvent() {
    JsonObject before = meeting(S1).put("internal_notes", "one");
    JsonObject after = meeting(S1).put("internal_notes", "two").put("updated_at", "now");
    assertTrue(new MeetingEvents().events(change("meetings", "UPDATE", before, after)).isEmpty());
  }
}
