package com.wedsync.hub.areas;

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
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;

import static com.wedsync.hub.areas.LiveAreasWorld.C1;
import static com.wedsync.hub.areas.LiveAreasWorld.C2;
import static com.wedsync.hub.areas.LiveAreasWorld.EMMA;
import static com.wedsync.hub.areas.LiveAreasWorld.J1;
import static com.wedsync.hub.areas.LiveAreasWorld.J2;
import static com.wedsync.hub.areas.LiveAreasWorld.S1;
import static com.wedsync.hub.areas.LiveAreasWorld.S2;
import static com.wedsync.hub.areas.LiveAreasWorld.S3;
import static com.wedsync.hub.areas.LiveAreasWorld.S4;
import static com.wedsync.hub.areas.LiveAreasWorld.SARAH;
import static com.wedsync.hub.areas.LiveAreasWorld.TOM;
import static com.wedsync.hub.areas.LiveAreasWorld.W1;
import static com.wedsync.hub.areas.LiveAreasWorld.W2;
import static com.wedsync.hub.areas.LiveAreasWorld.q;
import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * The privacy matrix of the live-area tables (issue 14 §3): every demo user, connected at once and subscribed to every
 * published table's {@code postgres_changes} and to every channel it may join, while another service inserts, updates,
 * moves and deletes rows of every declared table. For every change, each user receives exactly the
 * {@code postgres_changes} event and the domain events the rules say — live, and again when it comes back with its
 * positions (both replays) — and nobody receives anything else; no internal column reaches anyone; only a supplier's
 * team reads its dashboard.
 *
 * <p>The expectations are written here from the rules, independently of the hub: who is on which side is read from the
 * database, and a row is for its supplier's team and its couple's members (for {@code journeys} and
 * {@code journey_failures}, the team only). A last transaction writes one message for every supplier–couple pair:
 * once a user has it (both paths), everything before it has been delivered to that user, so "nothing else" is a
 * comparison, not a wait.
 */
class LiveAreasPrivacyTest {
  static final String NAME = "areas_privacy";
  static final String RUN = UUID.randomUUID().toString().substring(0, 8);
  static final String SECRET = "SECRET-" + RUN;
  static final List<String> DOMAIN = List.of("task:", "timeline:", "meeting:", "journey:", "message:");
  static final List<UUID> USERS = new ArrayList<>();

  static TestHub hub;
  static Map<UUID, Set<UUID>> couples;
  static Map<UUID, Set<UUID>> teams;
  static final Map<UUID, WsClient> live = new LinkedHashMap<>();
  static final Map<UUID, Map<String, JsonObject>> joinedAt = new LinkedHashMap<>();
  static final Map<UUID, JsonObject> changesAt = new LinkedHashMap<>();
  /** Log id → the step that made it. */
  static final Map<Long, String> labels = new TreeMap<>();
  /** User → what it must receive (key → how many times), on the postgres_changes path and the domain-event path. */
  static final Map<UUID, Map<String, Integer>> expectedChanges = new LinkedHashMap<>();
  static final Map<UUID, Map<String, Integer>> expectedEvents = new LinkedHashMap<>();

  /** Whom a row is for: a supplier's team and a couple's members (either may be null). */
  record Parties(UUID supplier, UUID couple) {}

  /** A domain event the rules say a change makes on a channel, and who on it receives it. */
  record Dom(String event, String topic, Set<UUID> receivers) {}

  record Step(String label, String sql, String table, Parties before, Parties after, List<Dom> events) {}

  @BeforeAll
  static void start() {
    for (int n = 1; n <= 16; n++) USERS.add(user(n));
    hub = LiveAreasWorld.start(NAME, Map.of());
    couples = LiveAreasWorld.couples();
    teams = LiveAreasWorld.teams();
    for (UUID u : USERS) {
      WsClient c = hub.connect(u);
      live.put(u, c);
      changesAt.put(u, LiveAreasWorld.subscribeChanges(c, u));
      Map<String, JsonObject> at = new LinkedHashMap<>();
      for (String topic : topics(u)) at.put(topic, LiveAreasWorld.joined(c, topic));
      joinedAt.put(u, at);
      expectedChanges.put(u, new TreeMap<>());
      expectedEvents.put(u, new TreeMap<>());
    }
    long top = top();
    List<Step> steps = steps();
    for (Step s : steps) TestPostgres.execute(s.sql());
    TestPostgres.execute(sentinel());
    int changes = steps.size() + 5;
    LiveAreasWorld.await(() -> logged(top).size() == changes, "the hub logged " + changes + " changes");
    List<Map<String, Object>> log = logged(top);
    for (int i = 0; i < log.size(); i++) {
      long id = ((Number) log.get(i).get("id")).longValue();
      labels.put(id, i < steps.size() ? steps.get(i).label() : "30 " + log.get(i).get("pair"));
    }
    for (Step s : steps) expect(s);
    expectSentinel();
  }

  @AfterAll
  static void stop() {
    live.values().forEach(WsClient::close);
    hub.close();
    LiveAreasWorld.dropSlot(NAME);
    for (String t : List.of("tasks", "timeline_items", "meetings")) {
      TestPostgres.execute("delete from " + t + " where title like '%" + RUN + "%'");
    }
    TestPostgres.execute("delete from messages where body like '%" + RUN + "%'");
  }

  /** The channels of the live-area families the user may join ({@code GET /api/v1/me}), the two demo weddings only. */
  static List<String> topics(UUID u) {
    JsonArray channels = hub.request(HttpMethod.GET, "/api/v1/me", hub.token(u), null).json()
        .getJsonArray("channels");
    List<String> out = new ArrayList<>();
    for (Object o : channels) {
      String t = (String) o;
      if (t.startsWith("supplier:") || t.startsWith("couple:") || t.startsWith("journey:")
          || t.equals("wedding:" + W1) || t.equals("wedding:" + W2)) {
        out.add(t);
      }
    }
    return out;
  }

  static long top() {
    return ((Number) TestPostgres.query("select coalesce(max(id), 0) as top from hub_change_log").get(0).get("top"))
        .longValue();
  }

  static List<Map<String, Object>> logged(long after) {
    return TestPostgres.query("select id, coalesce(change->'record'->>'supplier_id', '') || '/' "
        + "|| coalesce(change->'record'->>'couple_id', '') as pair from hub_change_log where id > " + after
        + " order by id");
  }

  // ---- the rules, written out ---------------------------------------------------------------------------------

  static Set<UUID> team(UUID supplier) {
    return supplier == null ? Set.of() : teams.getOrDefault(supplier, Set.of());
  }

  static Set<UUID> members(UUID couple) {
    return couple == null ? Set.of() : couples.getOrDefault(couple, Set.of());
  }

  static Set<UUID> both(UUID supplier, UUID couple) {
    Set<UUID> out = new LinkedHashSet<>(team(supplier));
    out.addAll(members(couple));
    return out;
  }

  static boolean sees(UUID u, Parties p) {
    return p != null && both(p.supplier(), p.couple()).contains(u);
  }

  static Dom dom(String event, String topic, Set<UUID> receivers) {
    return new Dom(event, topic, receivers);
  }

  static Dom tasks(String event, UUID couple) {
    return dom(event, "couple:" + couple + ":tasks", members(couple));
  }

  static Dom timeline(String event, UUID couple) {
    return dom(event, "couple:" + couple + ":timeline", members(couple));
  }

  /** On a wedding's channel: the couple and the meeting's supplier, never the wedding's other suppliers. */
  static Dom wedding(String event, UUID wedding, UUID couple, UUID supplier) {
    return dom(event, "wedding:" + wedding, both(supplier, couple));
  }

  static Dom supplier(String event, UUID supplier) {
    return dom(event, "supplier:" + supplier, team(supplier));
  }

  static Dom journey(String event, UUID journey, UUID couple, UUID supplier) {
    return dom(event, "journey:" + journey + ":" + couple, both(supplier, couple));
  }

  /** A failure on the journey's channel: the supplier's team only, though the couple is on the channel. */
  static Dom journeyTeamOnly(String event, UUID journey, UUID couple, UUID supplier) {
    return dom(event, "journey:" + journey + ":" + couple, team(supplier));
  }

  static Dom journeys(String event, UUID supplier) {
    return dom(event, "supplier:" + supplier + ":journeys", team(supplier));
  }

  static Dom clients(String event, UUID supplier) {
    return dom(event, "supplier:" + supplier + ":clients", team(supplier));
  }

  static Dom inbox(String event, UUID couple) {
    return dom(event, "couple:" + couple + ":suppliers", members(couple));
  }

  static Parties p(UUID supplier, UUID couple) {
    return new Parties(supplier, couple);
  }

  /** Every declared table: rows of every shape of access, inserted, changed, moved between people and deleted. */
  static List<Step> steps() {
    UUID ta = UUID.randomUUID();
    UUID tb = UUID.randomUUID();
    UUID tc = UUID.randomUUID();
    UUID la = UUID.randomUUID();
    UUID lb = UUID.randomUUID();
    UUID ma = UUID.randomUUID();
    UUID mb = UUID.randomUUID();
    UUID fa = UUID.randomUUID();
    UUID m1 = UUID.randomUUID();
    UUID m2 = UUID.randomUUID();
    String jc1 = " where journey_id = " + q(J1) + " and couple_id = " + q(C1);
    List<Step> s = new ArrayList<>();
    // tasks: the couple's; a shared one also its supplier's
    s.add(new Step("1 private task", "insert into tasks (id, couple_id, wedding_id, title) values (" + q(ta) + ", "
        + q(C1) + ", " + q(W1) + ", 'Book the registrar " + RUN + "')", "tasks", null, p(null, C1),
        List.of(tasks("task:created", C1))));
    s.add(new Step("2 shared task", "insert into tasks (id, couple_id, supplier_id, wedding_id, title) values ("
        + q(tb) + ", " + q(C1) + ", " + q(S1) + ", " + q(W1) + ", 'Shot list " + RUN + "')", "tasks", null,
        p(S1, C1), List.of(tasks("task:created", C1))));
    s.add(new Step("3 other couple's task", "insert into tasks (id, couple_id, supplier_id, title) values (" + q(tc)
        + ", " + q(C2) + ", " + q(S4) + ", 'Bouquet " + RUN + "')", "tasks", null, p(S4, C2),
        List.of(tasks("task:created", C2))));
    s.add(new Step("4 task completed", "update tasks set done = true, completed_at = now() where id = " + q(tb),
        "tasks", p(S1, C1), p(S1, C1), List.of(tasks("task:completed", C1))));
    s.add(new Step("5 private task shared", "update tasks set supplier_id = " + q(S2) + " where id = " + q(ta),
        "tasks", p(null, C1), p(S2, C1), List.of(tasks("task:updated", C1))));
    s.add(new Step("6 task to the other couple", "update tasks set couple_id = " + q(C1) + " where id = " + q(tc),
        "tasks", p(S4, C2), p(S4, C1), List.of(tasks("task:deleted", C2), tasks("task:created", C1))));
    s.add(new Step("7 task deleted", "delete from tasks where id = " + q(ta), "tasks", p(S2, C1), null,
        List.of(tasks("task:deleted", C1))));
    // timeline items: the couple's; one naming a supplier also that supplier's
    s.add(new Step("8 item for the venue", "insert into timeline_items (id, couple_id, wedding_id, supplier_id, "
        + "starts_at, title) values (" + q(la) + ", " + q(C1) + ", " + q(W1) + ", " + q(S3)
        + ", '2027-06-12 20:00+01', 'First dance " + RUN + "')", "timeline_items", null, p(S3, C1),
        List.of(timeline("timeline:created", C1))));
    s.add(new Step("9 private item", "insert into timeline_items (id, couple_id, wedding_id, starts_at, title) values ("
        + q(lb) + ", " + q(C2) + ", " + q(W2) + ", '2027-09-04 09:00+01', 'Hair " + RUN + "')", "timeline_items",
        null, p(null, C2), List.of(timeline("timeline:created", C2))));
    s.add(new Step("10 item to the photographer", "update timeline_items set supplier_id = " + q(S1) + " where id = "
        + q(la), "timeline_items", p(S3, C1), p(S1, C1), List.of(timeline("timeline:updated", C1))));
    s.add(new Step("11 item deleted", "delete from timeline_items where id = " + q(lb), "timeline_items",
        p(null, C2), null, List.of(timeline("timeline:deleted", C2))));
    // meetings: the couple's and one supplier's, on a wedding other suppliers share
    s.add(new Step("12 meeting", "insert into meetings (id, supplier_id, couple_id, wedding_id, title, starts_at, "
        + "ends_at, attendees, internal_notes) values (" + q(ma) + ", " + q(S1) + ", " + q(C1) + ", " + q(W1)
        + ", 'Album review " + RUN + "', '2027-08-01 10:00+00', '2027-08-01 11:00+00', '{" + EMMA + "," + SARAH
        + "}', '" + SECRET + "')", "meetings", null, p(S1, C1),
        List.of(wedding("meeting:created", W1, C1, S1), supplier("meeting:created", S1))));
    s.add(new Step("13 other meeting", "insert into meetings (id, supplier_id, couple_id, wedding_id, title, starts_at, "
        + "ends_at) values (" + q(mb) + ", " + q(S2) + ", " + q(C2) + ", " + q(W2) + ", 'Tasting " + RUN
        + "', '2027-04-01 18:00+00', '2027-04-01 19:00+00')", "meetings", null, p(S2, C2),
        List.of(wedding("meeting:created", W2, C2, S2), supplier("meeting:created", S2))));
    s.add(new Step("14 rescheduled", "update meetings set starts_at = starts_at + interval '1 day', ends_at = ends_at "
        + "+ interval '1 day' where id = " + q(ma), "meetings", p(S1, C1), p(S1, C1),
        List.of(wedding("meeting:rescheduled", W1, C1, S1), supplier("meeting:rescheduled", S1))));
    s.add(new Step("15 attendees", "update meetings set attendees = attendees || " + q(TOM) + "::uuid where id = "
        + q(ma), "meetings", p(S1, C1), p(S1, C1),
        List.of(wedding("meeting:attendees_changed", W1, C1, S1), supplier("meeting:attendees_changed", S1))));
    s.add(new Step("16 cancelled", "update meetings set status = 'cancelled' where id = " + q(ma), "meetings",
        p(S1, C1), p(S1, C1), List.of(wedding("meeting:cancelled", W1, C1, S1), supplier("meeting:cancelled", S1))));
    s.add(new Step("17 meeting to another supplier", "update meetings set supplier_id = " + q(S4) + " where id = "
        + q(mb), "meetings", p(S2, C2), p(S4, C2),
        List.of(wedding("meeting:deleted", W2, C2, S2), supplier("meeting:deleted", S2),
            wedding("meeting:created", W2, C2, S4), supplier("meeting:created", S4))));
    s.add(new Step("18 meeting deleted", "delete from meetings where id = " + q(mb), "meetings", p(S4, C2), null,
        List.of(wedding("meeting:deleted", W2, C2, S4), supplier("meeting:deleted", S4))));
    // journeys: a client's progress is its supplier's and its own; failures and definitions the supplier's only
    s.add(new Step("19 stage", "update journey_clients set current_stage = 'stage-" + RUN + "', stage_reached_at = "
        + "now()" + jc1, "journey_clients", p(S1, C1), p(S1, C1),
        List.of(journey("journey:stage_reached", J1, C1, S1), journeys("journey:stage_reached", S1))));
    s.add(new Step("20 module", "update journey_clients set modules_run = modules_run + 1, last_module = 'Menu "
        + RUN + "', last_module_at = now() where journey_id = " + q(J2) + " and couple_id = " + q(C2),
        "journey_clients", p(S2, C2), p(S2, C2),
        List.of(journey("journey:module_ran", J2, C2, S2), journeys("journey:module_ran", S2))));
    s.add(new Step("21 email", "update journey_clients set emails_opened = emails_opened + 1, last_email = 'Tasting', "
        + "last_email_opened_at = now() where journey_id = " + q(J2) + " and couple_id = " + q(C1),
        "journey_clients", p(S2, C1), p(S2, C1),
        List.of(journey("journey:email_opened", J2, C1, S2), journeys("journey:email_opened", S2))));
    s.add(new Step("22 next action", "update journey_clients set next_action = 'Call " + RUN + "', next_action_at = "
        + "'2027-05-01 09:00+00'" + jc1, "journey_clients", p(S1, C1), p(S1, C1),
        List.of(journey("journey:next_action", J1, C1, S1), journeys("journey:next_action", S1))));
    s.add(new Step("23 failure", "insert into journey_failures (id, journey_id, couple_id, module, reason) values ("
        + q(fa) + ", " + q(J1) + ", " + q(C1) + ", 'Gallery', 'bounced " + RUN + "')", "journey_failures", null,
        p(S1, null), List.of(journeyTeamOnly("journey:action_failed", J1, C1, S1),
        journeys("journey:action_failed", S1))));
    s.add(new Step("24 resolved", "update journey_failures set resolved_at = now() where id = " + q(fa),
        "journey_failures", p(S1, null), p(S1, null),
        List.of(journeyTeamOnly("journey:action_resolved", J1, C1, S1), journeys("journey:action_resolved", S1))));
    s.add(new Step("25 journey definition", "update journeys set modules = modules where id = " + q(J2), "journeys",
        p(S2, null), p(S2, null), List.of()));
    // messages: the supplier's team and the couple
    s.add(new Step("26 supplier writes", "insert into messages (id, supplier_id, couple_id, sender_id, sender_side, "
        + "body, relay_id, flagged) values (" + q(m1) + ", " + q(S1) + ", " + q(C1) + ", " + q(SARAH)
        + ", 'supplier', 'Gallery ready " + RUN + "', '" + SECRET + "', true)", "messages", null, p(S1, C1),
        List.of(clients("message:new", S1), inbox("message:new", C1))));
    s.add(new Step("27 couple writes", "insert into messages (id, supplier_id, couple_id, sender_id, sender_side, body) "
        + "values (" + q(m2) + ", " + q(S3) + ", " + q(C1) + ", " + q(EMMA) + ", 'couple', 'Parking? " + RUN + "')",
        "messages", null, p(S3, C1), List.of(clients("message:new", S3), inbox("message:new", C1))));
    s.add(new Step("28 read", "update messages set read_at = now(), read_by = " + q(EMMA) + " where id = " + q(m1),
        "messages", p(S1, C1), p(S1, C1), List.of(clients("message:read", S1), inbox("message:read", C1))));
    s.add(new Step("29 message deleted", "delete from messages where id = " + q(m2), "messages", p(S3, C1), null,
        List.of(clients("message:deleted", S3), inbox("message:deleted", C1))));
    return s;
  }

  /** Every supplier–couple pair of the demo weddings, in the sentinel's order. */
  static final List<Parties> PAIRS = List.of(p(S1, C1), p(S2, C1), p(S3, C1), p(S2, C2), p(S4, C2));

  /** One transaction, last: a message from each couple to each of its suppliers. */
  static String sentinel() {
    StringBuilder sql = new StringBuilder("insert into messages (supplier_id, couple_id, sender_side, body) values ");
    for (int i = 0; i < PAIRS.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("(").append(q(PAIRS.get(i).supplier())).append(", ")
          .append(q(PAIRS.get(i).couple())).append(", 'couple', 'Sentinel ").append(RUN).append("')");
    }
    return sql.toString();
  }

  static void expect(Step s) {
    for (UUID u : USERS) {
      boolean before = sees(u, s.before());
      boolean after = sees(u, s.after());
      String type = s.before() == null ? (after ? "INSERT" : null)
          : s.after() == null ? (before ? "DELETE" : null)
          : after ? (before ? "UPDATE" : "INSERT") : (before ? "DELETE" : null);
      if (type != null) expectedChanges.get(u).merge(change(s.table(), type, s.label()), 1, Integer::sum);
    }
    for (Dom d : s.events()) {
      for (UUID u : d.receivers()) expectedEvents.get(u).merge(event(d.event(), d.topic(), s.label()), 1, Integer::sum);
    }
  }

  static void expectSentinel() {
    for (Parties pair : PAIRS) {
      String label = "30 " + pair.supplier() + "/" + pair.couple();
      expect(new Step(label, null, "messages", null, pair,
          List.of(clients("message:new", pair.supplier()), inbox("message:new", pair.couple()))));
    }
  }

  static String change(String table, String type, String label) {
    return "postgres_changes " + table + " " + type + " #" + label;
  }

  static String event(String event, String topic, String label) {
    return event + " @" + topic + " #" + label;
  }

  static String label(long id) {
    String l = labels.get(id);
    return l == null ? "unknown change " + id : l;
  }

  // ---- what arrived -------------------------------------------------------------------------------------------

  /** The postgres_changes of the live-area tables a socket received on the user's own channel. */
  static Map<String, Integer> changes(WsClient c, UUID u) {
    Map<String, Integer> out = new TreeMap<>();
    for (JsonArray f : c.received(a -> ("user:" + u).equals(a.getString(2))
        && "postgres_changes".equals(a.getString(3)))) {
      JsonObject p = f.getJsonObject(4);
      JsonObject data = p.getJsonObject("data");
      out.merge(change(data.getString("table"), data.getString("type"), label(p.getJsonObject("meta")
          .getLong("offset"))), 1, Integer::sum);
    }
    return out;
  }

  /** The domain events a socket received on every channel. */
  static Map<String, Integer> events(WsClient c) {
    Map<String, Integer> out = new TreeMap<>();
    for (JsonArray f : c.received(a -> DOMAIN.stream().anyMatch(a.getString(3)::startsWith))) {
      out.merge(event(f.getString(3), f.getString(2), label(f.getJsonObject(4).getLong("change_id"))), 1,
          Integer::sum);
    }
    return out;
  }

  static boolean includes(Map<String, Integer> got, Map<String, Integer> wanted) {
    for (var e : wanted.entrySet()) if (got.getOrDefault(e.getKey(), 0) < e.getValue()) return false;
    return true;
  }

  /** Waits until the socket has everything expected (the sentinel last), then until it has answered a heartbeat. */
  static void settle(WsClient c, UUID u, boolean withChanges, boolean withEvents) {
    try {
      LiveAreasWorld.await(() -> (!withChanges || includes(changes(c, u), expectedChanges.get(u)))
          && (!withEvents || includes(events(c), expectedEvents.get(u))), u + " received what it should");
    } catch (AssertionError timedOut) {
      throw new AssertionError(timedOut.getMessage() + "; missing: "
          + (withChanges ? missing(changes(c, u), expectedChanges.get(u)) : "") + " "
          + (withEvents ? missing(events(c), expectedEvents.get(u)) : "") + "; received: " + changes(c, u) + " "
          + events(c));
    }
    c.request("phoenix", "heartbeat", new JsonObject());
  }

  static Map<String, Integer> missing(Map<String, Integer> got, Map<String, Integer> wanted) {
    Map<String, Integer> out = new TreeMap<>();
    wanted.forEach((k, n) -> {
      if (got.getOrDefault(k, 0) < n) out.put(k, n - got.getOrDefault(k, 0));
    });
    return out;
  }

  // ---- the matrix ---------------------------------------------------------------------------------------------

  @Test
  void everyoneReceivesExactlyThePostgresChangesOfTheRowsTheyMaySee() {
    for (UUID u : USERS) {
      settle(live.get(u), u, true, false);
      assertEquals(expectedChanges.get(u), changes(live.get(u), u), "postgres_changes of user " + u);
    }
  }

  @Test
  void everyoneReceivesExactlyTheDomainEventsOfTheRowsTheyMaySeeOnEachChannel() {
    for (UUID u : USERS) {
      settle(live.get(u), u, false, true);
      assertEquals(expectedEvents.get(u), events(live.get(u)), "domain events of user " + u);
    }
    // The matrix is not empty where it matters: the meeting's wedding has other suppliers on its channel.
    assertFalse(expectedEvents.get(user(10)).keySet().stream().anyMatch(k -> k.contains("#12 ")));
    assertFalse(expectedEvents.get(EMMA).isEmpty());
  }

  @Test
  void noInternalColumnReachesAnyoneOnAnyChannel() {
    for (UUID u : USERS) {
      settle(live.get(u), u, true, true);
      for (JsonArray f : live.get(u).received(a -> true)) {
        assertFalse(f.encode().contains(SECRET), "internal value in " + f.encode());
        assertFalse(f.encode().contains("internal_notes") || f.encode().contains("relay_id")
            || f.encode().contains("\"flagged\""), "internal column in " + f.encode());
      }
    }
  }

  @Test
  void comingBackWithTheirPositionsEveryoneIsReplayedExactlyTheSame() {
    for (UUID u : USERS) {
      try (WsClient again = hub.connect(u)) {
        JsonObject at = changesAt.get(u);
        JsonObject reply = again.join("user:" + u, LiveAreasWorld.everyTable().put("postgres_changes_since",
            new JsonObject().put("offset", at.getLong("offset")).put("epoch", at.getString("epoch"))));
        assertEquals("ok", reply.getString("status"), reply.encode());
        JsonObject system = again.awaitEvent("user:" + u, "system").getJsonObject(4);
        assertEquals(true, system.getBoolean("recovered"), system.encode());
        for (var joined : joinedAt.get(u).entrySet()) {
          JsonObject since = new JsonObject().put("offset", joined.getValue().getLong("offset"))
              .put("epoch", joined.getValue().getString("epoch"));
          JsonObject r = again.join(joined.getKey(), new JsonObject().put("since", since));
          assertEquals(true, r.getJsonObject("response").getBoolean("recovered"), joined.getKey() + ": " + r.encode());
        }
        settle(again, u, true, true);
        assertEquals(expectedChanges.get(u), changes(again, u), "replayed postgres_changes of user " + u);
        assertEquals(expectedEvents.get(u), events(again), "replayed domain events of user " + u);
      }
    }
  }

  @Test
  void onlyASuppliersTeamReadsItsDashboard() {
    for (UUID u : USERS) {
      for (UUID s : List.of(S1, S2, S3, S4)) {
        TestHub.HttpResult r = hub.request(HttpMethod.GET, "/api/v1/suppliers/" + s + "/dashboard", hub.token(u),
            null);
        assertEquals(team(s).contains(u) ? 200 : 403, r.status(), u + " on " + s + ": " + r.body());
        if (r.status() == 200) assertEquals(s.toString(), r.json().getString("supplier_id"));
      }
    }
  }
}
