package com.wedsync.hub.security;

import com.wedsync.hub.security.PrivacyWorld.Supplier;
import com.wedsync.hub.security.PrivacyWorld.Viewer;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static com.wedsync.hub.security.PrivacyWorld.CORE;
import static com.wedsync.hub.security.PrivacyWorld.arrived;
import static com.wedsync.hub.security.PrivacyWorld.get;
import static com.wedsync.hub.security.PrivacyWorld.getOk;
import static com.wedsync.hub.security.PrivacyWorld.joined;
import static com.wedsync.hub.security.PrivacyWorld.op;
import static com.wedsync.hub.security.PrivacyWorld.patch;
import static com.wedsync.hub.security.PrivacyWorld.pushed;
import static com.wedsync.hub.security.PrivacyWorld.sleep;
import static com.wedsync.hub.security.PrivacyWorld.track;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The privacy matrix (docs/protocol.md §2 and §5.14; issue 11 §2): a supplier never receives another supplier's data, nor a core fact
 * of the wedding the couple has not shared with it — on any path. For every core fact × every side of a wedding (the
 * couple; owner and viewer of a supplier shared every fact, five, three or none of them; a person on two suppliers'
 * teams, who sees what either may) × every path (GET wedding, GET form and its cascaded bound fields, the wedding
 * channel's {@code wedding:updated} and {@code activity}, the supplier feeds live and over HTTP, notifications live and
 * in the bell, presence state, diffs and snapshot), each cell asserts exactly what may be seen: present and right where
 * shared, absent where not. Each test builds its own {@link PrivacyWorld}.
 */
class PrivacyMatrixTest {
  static final Duration QUIET = Duration.ofMillis(600);

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  // ---- HTTP reads -----------------------------------------------------------------------------------------------

  @Test
  void getWeddingAndGetFormShowEachSideExactlyWhatIsSharedWithIt() {
    PrivacyWorld w = new PrivacyWorld();
    String path = "/api/v1/weddings/" + w.wedding;
    List<Executable> cells = new ArrayList<>();
    for (Viewer v : w.viewers()) {
      JsonObject wedding = getOk(hub, v.user(), path);
      JsonObject core = wedding.getJsonObject("core");
      for (String f : CORE.keySet()) {
        String cell = "GET wedding, " + v.name() + ", " + f + ": ";
        if (v.sees().contains(f)) {
          cells.add(() -> assertEquals(json(w.initial.getValue(f)), json(core.getValue(f)), cell + "shared, so given"));
        } else {
          cells.add(() -> assertFalse(core.containsKey(f), cell + "not shared, so left out: " + core.encode()));
        }
      }
      cells.add(() -> assertEquals(v.sees(), strings(wedding.getJsonArray("shared")), v.name() + ": shared names"));
      cells.add(() -> assertFalse(leaks(wedding.encode(), w.initial, v.sees()), v.name() + ": no unshared value in "
          + wedding.encode()));
      // GET form: a supplier reads only its own forms; the couple all of the wedding's.
      for (Supplier s : w.all()) {
        boolean may = v.name().equals("couple") ? s != w.e : w.suppliersOf(v.user()).contains(s);
        int status = get(hub, v.user(), "/api/v1/forms/" + s.form()).status();
        cells.add(() -> assertEquals(may ? 200 : 403, status, "GET form of " + s.letter() + " by " + v.name()));
      }
    }
    for (UUID outsider : List.of(w.e.owner(), w.stranger)) {
      cells.add(() -> assertEquals(403, get(hub, outsider, path).status(), "GET wedding by an outsider"));
    }
    // Only the couple changes the facts.
    cells.add(() -> assertEquals(403, hub.request(io.vertx.core.http.HttpMethod.PATCH, path, hub.token(w.a.owner()),
        new JsonObject().put("guest_count", 1)).status(), "PATCH by a supplier"));
    assertAll(cells);
  }

  // ---- core facts changing: every path ---------------------------------------------------------------------------

  @Test
  void aChangedFactReachesTheCoupleAndOnlyTheSuppliersItIsSharedWithOnEveryPath() {
    PrivacyWorld w = new PrivacyWorld();
    Map<Viewer, WsClient> sockets = connectAll(w);
    try {
      // Each fact changed on its own, then three at once.
      Map<Long, JsonObject> changesByVersion = new LinkedHashMap<>();
      JsonObject latest = w.initial.copy();
      int round = 1;
      for (String f : CORE.keySet()) {
        JsonObject change = w.newValue(f, round++);
        changesByVersion.put(patch(hub, w.partner1, w.wedding, change).getLong("version"), change);
        latest.mergeIn(change);
      }
      JsonObject several = new JsonObject().mergeIn(w.newValue("guest_count", 50))
          .mergeIn(w.newValue("ceremony_time", 51)).mergeIn(w.newValue("contact_phone", 52));
      changesByVersion.put(patch(hub, w.partner1, w.wedding, several).getLong("version"), several);
      latest.mergeIn(several);
      JsonObject everyValue = w.initial.copy();

      // Positive side first (this also waits for delivery): what each may see arrives.
      for (Viewer v : w.viewers()) {
        WsClient c = sockets.get(v);
        for (String f : v.sees()) {
          arrived(c, pushed("wedding:" + w.wedding, "wedding:updated", p -> p.getJsonObject("changes")
              .containsKey(f)), v.name() + " wedding:updated of " + f);
          arrived(c, pushed("wedding:" + w.wedding, "activity", p -> f.equals(coreField(p))),
              v.name() + " activity of " + f);
          arrived(c, pushed("user:" + v.user(), "notification", p -> f.equals(p.getJsonObject("data")
              .getString("core_field"))), v.name() + " notification of " + f);
          for (Supplier s : w.suppliersOf(v.user())) {
            if (s.shared().contains(f)) {
              arrived(c, pushed("supplier:" + s.id(), "activity", p -> f.equals(coreField(p))),
                  v.name() + " supplier feed activity of " + f);
            }
          }
        }
      }
      sleep(QUIET.toMillis());

      List<Executable> cells = new ArrayList<>();
      for (Viewer v : w.viewers()) {
        WsClient c = sockets.get(v);
        List<JsonArray> frames = c.received(f -> true);
        // wedding:updated: per change, the changed facts shared with this side, and nothing else. One event for one
        // supplier's team (or the couple); someone on several teams gets each team's part.
        changesByVersion.forEach((version, change) -> {
          JsonObject expected = new JsonObject();
          for (String f : change.fieldNames()) if (v.sees().contains(f)) expected.put(f, change.getValue(f));
          List<JsonArray> events = c.received(pushed("wedding:" + w.wedding, "wedding:updated",
              p -> version.equals(p.getLong("version"))));
          JsonObject union = new JsonObject();
          events.forEach(fr -> union.mergeIn(fr.getJsonObject(4).getJsonObject("changes")));
          String cell = "wedding:updated v" + version + " of " + change.fieldNames() + " at " + v.name() + ": ";
          cells.add(() -> assertEquals(new JsonObject(expected.encode()), union, cell + events));
          int most = expected.isEmpty() ? 0 : Math.max(1, w.suppliersOf(v.user()).size());
          cells.add(() -> assertTrue(events.size() <= most && (expected.isEmpty() || !events.isEmpty()),
              cell + "one event per team at most, got " + events));
        });
        for (String f : CORE.keySet()) {
          boolean sees = v.sees().contains(f);
          String cell = v.name() + ", " + f + ": ";
          cells.add(() -> assertEquals(sees, !c.received(pushed("wedding:" + w.wedding, "activity",
              p -> f.equals(coreField(p)))).isEmpty(), cell + "activity on the wedding channel"));
          cells.add(() -> assertEquals(sees, !c.received(pushed("user:" + v.user(), "notification",
              p -> f.equals(p.getJsonObject("data").getString("core_field")))).isEmpty(), cell + "notification"));
          for (Supplier s : w.suppliersOf(v.user())) {
            cells.add(() -> assertEquals(s.shared().contains(f), !c.received(pushed("supplier:" + s.id(), "activity",
                p -> f.equals(coreField(p)))).isEmpty(), cell + "activity on supplier:" + s.letter()));
          }
          if (!sees) {
            // Nowhere, in no shape: not the old value, not any new one.
            List<Object> values = new ArrayList<>(List.of(everyValue.getValue(f)));
            changesByVersion.values().forEach(ch -> { if (ch.containsKey(f)) values.add(ch.getValue(f)); });
            for (Object value : values) {
              if (!PrivacyWorld.searchable(value)) continue;
              cells.add(() -> assertTrue(frames.stream().noneMatch(fr -> fr.encode().contains((String) value)),
                  cell + "the unshared value " + value + " reached it"));
            }
          }
        }
        // The same over HTTP: the wedding's feed, each supplier feed, the bell.
        JsonObject feed = getOk(hub, v.user(), "/api/v1/activity?scope=wedding:" + w.wedding + "&limit=100");
        cells.add(() -> assertEquals(v.sees(), coreFields(feed.getJsonArray("activity")),
            v.name() + ": core facts in GET activity?scope=wedding"));
        for (Supplier s : w.suppliersOf(v.user())) {
          JsonObject own = getOk(hub, v.user(), "/api/v1/activity?scope=supplier:" + s.id() + "&limit=100");
          cells.add(() -> assertEquals(s.shared(), coreFields(own.getJsonArray("activity")),
              v.name() + ": core facts in GET activity?scope=supplier:" + s.letter()));
        }
        JsonObject bell = getOk(hub, v.user(), "/api/v1/notifications?type=core_field_changed&limit=100");
        Set<String> told = new HashSet<>();
        for (Object n : bell.getJsonArray("notifications")) {
          told.add(((JsonObject) n).getJsonObject("data").getString("core_field"));
        }
        cells.add(() -> assertEquals(v.sees(), told, v.name() + ": core facts in the bell"));
        JsonObject wedding = getOk(hub, v.user(), "/api/v1/weddings/" + w.wedding);
        for (String f : CORE.keySet()) {
          cells.add(() -> assertEquals(json(v.sees().contains(f) ? latest.getValue(f) : null),
              json(wedding.getJsonObject("core").getValue(f)), v.name() + ", " + f + ": GET wedding after the changes"));
        }
      }
      // GET form: a bound field follows the fact only where the couple shares it with the form's supplier.
      for (Supplier s : w.connected()) {
        JsonObject form = getOk(hub, s.owner(), "/api/v1/forms/" + s.form());
        for (Object o : form.getJsonArray("fields")) {
          JsonObject field = (JsonObject) o;
          String f = field.getString("core_field");
          if (f == null) continue;
          cells.add(() -> assertEquals(json(s.shared().contains(f) ? latest.getValue(f) : null),
              json(field.getValue("value")), "GET form of " + s.letter() + ", bound " + f));
        }
      }
      assertAll(cells);
    } finally {
      sockets.values().forEach(WsClient::close);
    }
  }

  // ---- form activity --------------------------------------------------------------------------------------------

  @Test
  void whatHappensOnASuppliersFormReachesOnlyTheCoupleAndThatSupplier() {
    PrivacyWorld w = new PrivacyWorld();
    Map<Viewer, WsClient> sockets = connectAll(w);
    try (WsClient holder = joined(hub, w.dual, "form:" + w.b.form());
         WsClient breaker = joined(hub, w.b.owner(), "form:" + w.b.form())) {
      for (Supplier s : w.connected()) {
        // The couple's first save starts the form; notes from both sides.
        assertEquals(200, hub.request(io.vertx.core.http.HttpMethod.PUT, "/api/v1/forms/" + s.form()
            + "/fields/notes", hub.token(w.partner1), new JsonObject().put("value", "couple note " + w.tag)
            .put("force", true).put("op_id", op())).status());
        for (UUID author : List.of(w.partner1, s.owner())) {
          var r = hub.request(io.vertx.core.http.HttpMethod.POST, "/api/v1/forms/" + s.form() + "/notes",
              hub.token(author), new JsonObject().put("text", "Secret " + s.letter() + " " + w.tag).put("op_id", op()));
          assertEquals(200, r.status(), r.body());
        }
      }
      assertEquals("ok", holder.request("realtime:form:" + w.b.form(), "field:lock",
          new JsonObject().put("field", "notes")).getString("status"));
      assertEquals("ok", breaker.request("realtime:form:" + w.b.form(), "field:break_lock",
          new JsonObject().put("field", "notes")).getString("status"));

      for (Viewer v : w.viewers()) {
        for (Supplier s : w.connected()) {
          if (!may(w, v, s)) continue;
          arrived(sockets.get(v), pushed("wedding:" + w.wedding, "activity", p -> isAbout(p, s, "note_added")),
              v.name() + " note activity of " + s.letter());
        }
      }
      arrived(sockets.get(viewer(w, "couple")), pushed("wedding:" + w.wedding, "activity",
          p -> "lock_broken".equals(p.getString("verb"))), "lock_broken at the couple");
      sleep(QUIET.toMillis());

      List<Executable> cells = new ArrayList<>();
      for (Viewer v : w.viewers()) {
        WsClient c = sockets.get(v);
        JsonObject feed = getOk(hub, v.user(), "/api/v1/activity?scope=wedding:" + w.wedding + "&limit=100");
        JsonObject bell = getOk(hub, v.user(), "/api/v1/notifications?limit=100");
        for (Supplier s : w.connected()) {
          boolean may = may(w, v, s);
          String cell = v.name() + " about " + s.letter() + "'s form: ";
          Set<String> expected = may ? (s == w.b ? Set.of("form_started", "note_added", "lock_broken")
              : Set.of("form_started", "note_added")) : Set.of();
          cells.add(() -> assertEquals(expected, verbs(c.received(pushed("wedding:" + w.wedding, "activity",
              p -> isAbout(p, s, null)))), cell + "activity on the wedding channel"));
          cells.add(() -> assertEquals(expected, verbsOf(feed.getJsonArray("activity"), s),
              cell + "GET activity?scope=wedding"));
          if (!may) {
            cells.add(() -> assertTrue(c.received(f -> mentions(f.encode(), s)).isEmpty(),
                cell + "a frame names it: " + c.received(f -> mentions(f.encode(), s))));
            cells.add(() -> assertFalse(mentions(bell.encode(), s), cell + "the bell names it"));
            cells.add(() -> assertFalse(mentions(feed.encode(), s), cell + "the wedding feed names it"));
          }
        }
        for (Supplier mine : w.suppliersOf(v.user())) {
          JsonObject own = getOk(hub, v.user(), "/api/v1/activity?scope=supplier:" + mine.id() + "&limit=100");
          for (Supplier s : w.connected()) {
            if (s != mine) {
              cells.add(() -> assertFalse(mentions(own.encode(), s), v.name() + ": supplier:" + mine.letter()
                  + "'s feed names " + s.letter() + "'s form"));
            }
          }
        }
      }
      assertAll(cells);
    } finally {
      sockets.values().forEach(WsClient::close);
    }
  }

  // ---- presence -------------------------------------------------------------------------------------------------

  @Test
  void presenceOnTheWeddingShowsASupplierTheCoupleAndItsOwnTeamOnly() {
    PrivacyWorld w = new PrivacyWorld();
    String topic = "realtime:wedding:" + w.wedding;
    List<WsClient> tracked = new ArrayList<>();
    Map<Viewer, WsClient> watchers = new LinkedHashMap<>();
    try {
      // Everyone but supplier A's viewer is there, tracked.
      for (UUID u : w.people()) {
        if (u.equals(w.a.viewer())) continue;
        WsClient c = joined(hub, u, "wedding:" + w.wedding);
        assertEquals("ok", c.request(topic, "presence", track()).getString("status"));
        tracked.add(c);
      }
      Set<String> present = new HashSet<>();
      for (UUID u : w.people()) if (!u.equals(w.a.viewer())) present.add(u.toString());
      long deadline = System.currentTimeMillis() + PrivacyWorld.WAIT.toMillis();
      while (!getOk(hub, w.partner1, "/api/v1/channels/" + topic + "/presence").fieldNames().containsAll(present)) {
        assertTrue(System.currentTimeMillis() < deadline, "everyone tracked");
        sleep(50);
      }
      // A second tab of every side joins (presence_state), then A's viewer arrives and leaves (presence_diff).
      for (Viewer v : w.viewers()) watchers.put(v, joined(hub, v.user(), "wedding:" + w.wedding));
      Map<Viewer, JsonObject> states = new HashMap<>();
      for (var e : watchers.entrySet()) states.put(e.getKey(), e.getValue().awaitEvent(topic, "presence_state")
          .getJsonObject(4));
      WsClient late = joined(hub, w.a.viewer(), "wedding:" + w.wedding);
      assertEquals("ok", late.request(topic, "presence", track()).getString("status"));
      String lateKey = w.a.viewer().toString();
      for (Viewer v : w.viewers()) {
        if (sees(w, v, w.a.viewer())) {
          arrived(watchers.get(v), f -> "presence_diff".equals(f.getString(3))
              && f.getJsonObject(4).getJsonObject("joins").containsKey(lateKey), v.name() + " join of A's viewer");
        }
      }
      late.close();
      for (Viewer v : w.viewers()) {
        if (sees(w, v, w.a.viewer())) {
          arrived(watchers.get(v), f -> "presence_diff".equals(f.getString(3))
              && f.getJsonObject(4).getJsonObject("leaves").containsKey(lateKey), v.name() + " leave of A's viewer");
        }
      }
      sleep(QUIET.toMillis());

      List<Executable> cells = new ArrayList<>();
      for (Viewer v : w.viewers()) {
        Set<String> expected = new HashSet<>();
        for (UUID u : w.people()) if (!u.equals(w.a.viewer()) && sees(w, v, u)) expected.add(u.toString());
        JsonObject snapshot = getOk(hub, v.user(), "/api/v1/channels/" + topic + "/presence");
        cells.add(() -> assertEquals(expected, states.get(v).fieldNames(), v.name() + ": presence_state"));
        cells.add(() -> assertEquals(expected, snapshot.fieldNames(), v.name() + ": GET presence"));
        boolean seesLate = sees(w, v, w.a.viewer());
        cells.add(() -> assertEquals(seesLate, !watchers.get(v).received(f -> "presence_diff".equals(f.getString(3))
            && f.encode().contains(lateKey)).isEmpty(), v.name() + ": presence_diff of A's viewer"));
        cells.add(() -> assertTrue(watchers.get(v).received(f -> "presence_diff".equals(f.getString(3))
            && f.getJsonObject(4).getJsonObject("joins").isEmpty()
            && f.getJsonObject(4).getJsonObject("leaves").isEmpty()).isEmpty(), v.name() + ": no empty diff"));
      }
      assertAll(cells);
    } finally {
      tracked.forEach(WsClient::close);
      watchers.values().forEach(WsClient::close);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  /** Every viewer on the wedding channel, their bell, and the feeds of their suppliers. */
  static Map<Viewer, WsClient> connectAll(PrivacyWorld w) {
    Map<Viewer, WsClient> out = new LinkedHashMap<>();
    for (Viewer v : w.viewers()) {
      List<String> topics = new ArrayList<>(List.of("wedding:" + w.wedding, "user:" + v.user()));
      for (Supplier s : w.suppliersOf(v.user())) topics.add("supplier:" + s.id());
      out.put(v, joined(hub, v.user(), topics.toArray(new String[0])));
    }
    return out;
  }

  static Viewer viewer(PrivacyWorld w, String name) {
    return w.viewers().stream().filter(v -> v.name().equals(name)).findFirst().orElseThrow();
  }

  /** Whether a viewer may hear about supplier s's form: the couple, and s's team. */
  static boolean may(PrivacyWorld w, Viewer v, Supplier s) {
    return v.name().equals("couple") || w.suppliersOf(v.user()).contains(s);
  }

  /** Whether a viewer may see someone's presence: the couple everyone; a supplier the couple and its own teams. */
  static boolean sees(PrivacyWorld w, Viewer v, UUID other) {
    if (v.name().equals("couple") || other.equals(w.partner1) || other.equals(w.partner2)) return true;
    Set<Supplier> theirs = w.suppliersOf(other);
    for (Supplier s : w.suppliersOf(v.user())) if (theirs.contains(s)) return true;
    return false;
  }

  static String coreField(JsonObject activity) {
    JsonObject object = activity.getJsonObject("object");
    return object == null ? null : object.getString("core_field");
  }

  static boolean isAbout(JsonObject activity, Supplier s, String verb) {
    JsonObject object = activity.getJsonObject("object");
    return object != null && s.form().toString().equals(object.getString("form_id"))
        && (verb == null || verb.equals(activity.getString("verb")));
  }

  static boolean mentions(String text, Supplier s) {
    return text.contains(s.form().toString()) || text.contains(s.title()) || text.contains("Secret " + s.letter());
  }

  static Set<String> verbs(List<JsonArray> frames) {
    Set<String> out = new HashSet<>();
    for (JsonArray f : frames) out.add(f.getJsonObject(4).getString("verb"));
    return out;
  }

  static Set<String> verbsOf(JsonArray items, Supplier s) {
    Set<String> out = new HashSet<>();
    for (Object o : items) if (isAbout((JsonObject) o, s, null)) out.add(((JsonObject) o).getString("verb"));
    return out;
  }

  static Set<String> coreFields(JsonArray items) {
    Set<String> out = new HashSet<>();
    for (Object o : items) {
      String f = coreField((JsonObject) o);
      if (f != null) out.add(f);
    }
    return out;
  }

  static Set<String> strings(JsonArray a) {
    Set<String> out = new HashSet<>();
    for (Object o : a) out.add((String) o);
    return out;
  }

  /** Whether {@code text} holds a searchable value of a fact not in {@code sees}. */
  static boolean leaks(String text, JsonObject values, Set<String> sees) {
    for (String f : CORE.keySet()) {
      Object v = values.getValue(f);
      if (!sees.contains(f) && PrivacyWorld.searchable(v) && text.contains((String) v)) return true;
    }
    return false;
  }

  /** A value as JSON text, so 350 compares equal whatever Java number type carries it. */
  static String json(Object value) {
    return io.vertx.core.json.Json.encode(value);
  }
}
