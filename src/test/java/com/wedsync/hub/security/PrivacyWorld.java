package com.wedsync.hub.security;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fresh, private wedding for privacy tests, with fresh ids (so tests sharing the database cannot disturb it), shaped
 * like the demo wedding W1: a couple (two partners) and four connected suppliers whose sharing differs — A is shared
 * every core fact, B the date, venue, address, guest count and email, C the date, time and venue name, D nothing — plus
 * a person on both B's and C's teams, and a supplier E that works only for another couple. Every supplier sent the
 * wedding one form whose fields are bound to all nine core facts, plus a free text field. Every value is distinctive
 * (it carries the world's tag), so a test can look for it in anything a client received.
 */
final class PrivacyWorld {
  static final Duration WAIT = Duration.ofSeconds(15);

  /** The core facts and the field type a bound form field has for each. */
  static final Map<String, String> CORE = new LinkedHashMap<>();

  static {
    CORE.put("wedding_date", "date");
    CORE.put("ceremony_time", "time");
    CORE.put("venue_name", "text");
    CORE.put("venue_address", "text");
    CORE.put("guest_count", "number");
    CORE.put("partner1_name", "text");
    CORE.put("partner2_name", "text");
    CORE.put("contact_email", "email");
    CORE.put("contact_phone", "phone");
  }

  /** One supplier of the world: its team (owner and a viewer), what the couple shares with it, its form. */
  record Supplier(String letter, UUID id, UUID owner, UUID viewer, Set<String> shared, UUID form, String title) {}

  /** Someone who looks at the wedding, and the core facts they may see. */
  record Viewer(String name, UUID user, Set<String> sees) {}

  final String tag = UUID.randomUUID().toString().substring(0, 8);
  final UUID couple = UUID.randomUUID();
  final UUID wedding = UUID.randomUUID();
  final UUID otherCouple = UUID.randomUUID();
  final UUID otherWedding = UUID.randomUUID();
  final UUID partner1 = UUID.randomUUID();
  final UUID partner2 = UUID.randomUUID();
  /** On both B's and C's teams (member): sees what either may. */
  final UUID dual = UUID.randomUUID();
  final UUID stranger = UUID.randomUUID();
  final Supplier a;
  final Supplier b;
  final Supplier c;
  final Supplier d;
  /** Works for the other couple only. */
  final Supplier e;
  /** The core facts as stored at the start. */
  final JsonObject initial;

  PrivacyWorld() {
    a = supplier("A", CORE.keySet());
    b = supplier("B", Set.of("wedding_date", "venue_name", "venue_address", "guest_count", "contact_email"));
    c = supplier("C", Set.of("wedding_date", "ceremony_time", "venue_name"));
    d = supplier("D", Set.of());
    e = supplier("E", CORE.keySet());
    initial = new JsonObject().put("wedding_date", "2031-05-17").put("ceremony_time", "14:30")
        .put("venue_name", "Hall " + tag).put("venue_address", "1 Lane " + tag).put("guest_count", 123)
        .put("partner1_name", "Ada " + tag).put("partner2_name", "Bo " + tag)
        .put("contact_email", "c-" + tag + "@example.com").put("contact_phone", "+44 7700 900 " + digits(tag));

    StringBuilder sql = new StringBuilder("insert into users (id, email, name) values ")
        .append(user(partner1, "Emma " + tag)).append(", ").append(user(partner2, "James " + tag)).append(", ")
        .append(user(dual, "Dual " + tag)).append(", ").append(user(stranger, "Stranger " + tag));
    for (Supplier s : all()) {
      sql.append(", ").append(user(s.owner(), "Owner" + s.letter() + " " + tag)).append(", ")
          .append(user(s.viewer(), "Viewer" + s.letter() + " " + tag));
    }
    sql.append(";insert into suppliers (id, name, business_type) values ");
    List<String> rows = new ArrayList<>();
    for (Supplier s : all()) rows.add("('" + s.id() + "', 'Supplier " + s.letter() + " " + tag + "', 'caterer')");
    sql.append(String.join(", ", rows)).append(";insert into team_members (supplier_id, user_id, role) values ");
    rows.clear();
    for (Supplier s : all()) {
      rows.add("('" + s.id() + "', '" + s.owner() + "', 'owner')");
      rows.add("('" + s.id() + "', '" + s.viewer() + "', 'viewer')");
    }
    rows.add("('" + b.id() + "', '" + dual + "', 'member')");
    rows.add("('" + c.id() + "', '" + dual + "', 'member')");
    sql.append(String.join(", ", rows))
        .append(";insert into couples (id, name) values ('").append(couple).append("', 'Couple ").append(tag)
        .append("'), ('").append(otherCouple).append("', 'Other ").append(tag).append("');")
        .append("insert into couple_members (couple_id, user_id, role) values ('").append(couple).append("', '")
        .append(partner1).append("', 'partner'), ('").append(couple).append("', '").append(partner2)
        .append("', 'partner');")
        .append("insert into weddings (id, couple_id, wedding_date, ceremony_time, venue_name, venue_address, ")
        .append("guest_count, partner1_name, partner2_name, contact_email, contact_phone) values ('").append(wedding)
        .append("', '").append(couple).append("', '").append(initial.getString("wedding_date")).append("', '")
        .append(initial.getString("ceremony_time")).append("', '").append(initial.getString("venue_name"))
        .append("', '").append(initial.getString("venue_address")).append("', ").append(initial.getInteger("guest_count"))
        .append(", '").append(initial.getString("partner1_name")).append("', '")
        .append(initial.getString("partner2_name")).append("', '").append(initial.getString("contact_email"))
        .append("', '").append(initial.getString("contact_phone")).append("'), ('").append(otherWedding)
        .append("', '").append(otherCouple).append("', '2031-01-01', null, 'Elsewhere ").append(tag)
        .append("', null, 10, null, null, null, null);")
        .append("insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values ");
    rows.clear();
    for (Supplier s : List.of(a, b, c, d)) rows.add("('" + wedding + "', '" + s.id() + "', " + array(s.shared()) + ")");
    rows.add("('" + otherWedding + "', '" + e.id() + "', " + array(e.shared()) + ")");
    sql.append(String.join(", ", rows)).append(";");
    for (Supplier s : all()) {
      UUID w = s == e ? otherWedding : wedding;
      sql.append("insert into forms (id, supplier_id, wedding_id, title, status) values ('").append(s.form())
          .append("', '").append(s.id()).append("', '").append(w).append("', '").append(s.title())
          .append("', 'sent');");
      int position = 1;
      for (var f : CORE.entrySet()) {
        sql.append("insert into form_fields (form_id, key, label, type, required, core_field, position, value, ")
            .append("version) values ('").append(s.form()).append("', '").append(f.getKey()).append("', '")
            .append(f.getKey()).append("', '").append(f.getValue()).append("', false, '").append(f.getKey())
            .append("', ").append(position++).append(", null, 0);");
      }
      sql.append("insert into form_fields (form_id, key, label, type, required, position, value, version) values ('")
          .append(s.form()).append("', 'notes', 'notes', 'text', false, ").append(position).append(", null, 0);");
    }
    TestPostgres.execute(sql.toString());
  }

  private Supplier supplier(String letter, Set<String> shared) {
    return new Supplier(letter, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), Set.copyOf(shared),
        UUID.randomUUID(), "Form" + letter + " " + tag);
  }

  List<Supplier> all() {
    return List.of(a, b, c, d, e);
  }

  /** The suppliers connected to the wedding. */
  List<Supplier> connected() {
    return List.of(a, b, c, d);
  }

  /** Everyone who may join {@code wedding:{id}}, with the facts each may see. */
  List<Viewer> viewers() {
    Set<String> bc = new LinkedHashSet<>(b.shared());
    bc.addAll(c.shared());
    List<Viewer> out = new ArrayList<>();
    out.add(new Viewer("couple", partner2, CORE.keySet()));
    for (Supplier s : connected()) {
      out.add(new Viewer("owner" + s.letter(), s.owner(), s.shared()));
      out.add(new Viewer("viewer" + s.letter(), s.viewer(), s.shared()));
    }
    out.add(new Viewer("dual(B+C)", dual, bc));
    return out;
  }

  /** The suppliers (letters) a viewer speaks for on the wedding: none for the couple. */
  Set<Supplier> suppliersOf(UUID user) {
    Set<Supplier> out = new LinkedHashSet<>();
    for (Supplier s : connected()) if (s.owner().equals(user) || s.viewer().equals(user)) out.add(s);
    if (user.equals(dual)) {
      out.add(b);
      out.add(c);
    }
    return out;
  }

  /** The people on the wedding's supplier teams and the couple, by user id. */
  List<UUID> people() {
    List<UUID> out = new ArrayList<>(List.of(partner1, partner2, dual));
    for (Supplier s : connected()) {
      out.add(s.owner());
      out.add(s.viewer());
    }
    return out;
  }

  /** A distinctive new value for a core fact; {@code round} makes successive values differ. */
  JsonObject newValue(String core, int round) {
    Object v = switch (core) {
      case "wedding_date" -> "2032-0" + (1 + round % 9) + "-2" + (round % 8);
      case "ceremony_time" -> (10 + round % 10) + ":4" + (round % 10);
      case "guest_count" -> 300 + round;
      case "contact_email" -> "n" + round + "-" + tag + "@example.com";
      case "contact_phone" -> "+44 7700 " + round + " " + digits(tag);
      default -> core.replace('_', '-') + " " + round + " " + tag;
    };
    return new JsonObject().put(core, v);
  }

  /** Whether the value is distinctive enough to be searched for in raw frames (numbers are not). */
  static boolean searchable(Object value) {
    return value instanceof String s && s.length() >= 8;
  }

  private static String digits(String tag) {
    return String.format("%05d", Math.abs(tag.hashCode()) % 100_000);
  }

  private static String user(UUID id, String name) {
    return "('" + id + "', '" + id + "@privacy.example', '" + name + "')";
  }

  private static String array(Set<String> fields) {
    return "'{" + String.join(",", fields) + "}'";
  }

  // ---- client helpers ----------------------------------------------------------------------------------------

  static JsonObject patch(TestHub hub, UUID user, UUID wedding, JsonObject body) {
    TestHub.HttpResult r = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + wedding, hub.token(user), body);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static TestHub.HttpResult get(TestHub hub, UUID user, String path) {
    return hub.request(HttpMethod.GET, path, hub.token(user), null);
  }

  static JsonObject getOk(TestHub hub, UUID user, String path) {
    TestHub.HttpResult r = get(hub, user, path);
    assertEquals(200, r.status(), path + " -> " + r.body());
    return r.json();
  }

  static WsClient joined(TestHub hub, UUID user, String... topics) {
    WsClient c = hub.connect(user);
    for (String t : topics) {
      JsonObject reply = c.join("realtime:" + t);
      assertEquals("ok", reply.getString("status"), t + ": " + reply.encode());
    }
    return c;
  }

  static Predicate<JsonArray> pushed(String topic, String event, Predicate<JsonObject> payload) {
    String full = "realtime:" + topic;
    return f -> full.equals(f.getString(2)) && event.equals(f.getString(3)) && f.getValue(4) instanceof JsonObject p
        && payload.test(p);
  }

  /** Waits until a frame matching arrived, without taking it from the client's record. */
  static void arrived(WsClient c, Predicate<JsonArray> match, String what) {
    arrived(c, match, 1, what);
  }

  /** Waits until {@code n} frames matching arrived, without taking them from the client's record. */
  static void arrived(WsClient c, Predicate<JsonArray> match, int n, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (c.received(match).size() < n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no " + what + " within " + WAIT + "; received: " + c.received(f -> true));
      }
      sleep(20);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static JsonObject track() {
    return new JsonObject().put("type", "presence").put("event", "track")
        .put("payload", new JsonObject().put("status", "active"));
  }

  static String op() {
    return "op-" + UUID.randomUUID();
  }
}
