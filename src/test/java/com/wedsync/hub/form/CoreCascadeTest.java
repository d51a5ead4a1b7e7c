package com.wedsync.hub.form;

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
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.support.DemoIds.supplier;
import static com.wedsync.hub.support.DemoIds.user;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Core wedding facts and their cascade (docs/protocol.md §5 "Core fields of a wedding"; docs/protocol.md §10 PATCH weddings): one
 * change reaches every bound field of every supplier the couple shares that fact with — each with its own version and
 * event, {@code source: "core"} — and none of the others; one change is one cascade (no loops, the origin field bumped
 * once); only the couple changes the facts; invalid values change nothing.
 *
 * <p>Every test builds its own wedding for Emma & James with three connected suppliers: S1 shares every core field, S2
 * shares guest_count (and wedding_date), S3 shares wedding_date and venue_name but NOT guest_count.
 */
class CoreCascadeTest {
  static final UUID EMMA = user(1);   // couple partner
  static final UUID SARAH = user(6);  // S1 owner
  static final UUID CHLOE = user(10); // S2 owner
  static final UUID GRACE = user(12); // S3 owner
  static final UUID COUPLE = UUID.fromString("33333333-0000-0000-0000-000000000001");
  static final UUID S1 = supplier(1);
  static final UUID S2 = supplier(2);
  static final UUID S3 = supplier(3);
  static final Duration WAIT = Duration.ofSeconds(8);
  static final Duration QUIET = Duration.ofMillis(1000);

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(TestHub.editing("200"));
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  /** A fresh wedding and its forms: F1 and F1b (S1), F2 (S2), F3 (S3), each with a bound guest_count. */
  record Wedding(UUID id, UUID f1, UUID f1b, UUID f2, UUID f3) {}

  static Wedding newWedding() {
    UUID w = UUID.randomUUID();
    Wedding wed = new Wedding(w, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
    StringBuilder sql = new StringBuilder();
    sql.append("insert into weddings (id, couple_id, wedding_date, ceremony_time, venue_name, venue_address, guest_count,"
        + " partner1_name, partner2_name, contact_email, contact_phone) values ('").append(w).append("', '")
        .append(COUPLE).append("', '2027-08-21', '15:00', 'Cascade Hall', '3 Test Road, York', 100, 'Emma Wilson',"
            + " 'James Carter', 'emma@example.com', '+44 7700 900001');");
    sql.append("insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values ('").append(w)
        .append("', '").append(S1).append("', '{wedding_date,ceremony_time,venue_name,venue_address,guest_count,")
        .append("partner1_name,partner2_name,contact_email,contact_phone}'), ('").append(w).append("', '").append(S2)
        .append("', '{wedding_date,guest_count}'), ('").append(w).append("', '").append(S3)
        .append("', '{wedding_date,venue_name}');");
    form(sql, wed.f1(), S1, w);
    field(sql, wed.f1(), "guest_count", "number", "guest_count", "100", 1);
    field(sql, wed.f1(), "wedding_date", "date", "wedding_date", "\"2027-08-21\"", 2);
    field(sql, wed.f1(), "notes", "text", null, null, 3);
    form(sql, wed.f1b(), S1, w);
    field(sql, wed.f1b(), "guests", "number", "guest_count", "100", 1);
    form(sql, wed.f2(), S2, w);
    field(sql, wed.f2(), "guest_count", "number", "guest_count", "100", 1);
    form(sql, wed.f3(), S3, w);
    field(sql, wed.f3(), "guest_count", "number", "guest_count", "100", 1);
    field(sql, wed.f3(), "wedding_date", "date", "wedding_date", "\"2027-08-21\"", 2);
    TestPostgres.execute(sql.toString());
    return wed;
  }

  static void form(StringBuilder sql, UUID form, UUID supplier, UUID wedding) {
    sql.append("insert into forms (id, supplier_id, wedding_id, title, status) values ('").append(form).append("', '")
        .append(supplier).append("', '").append(wedding).append("', 'Cascade test', 'in_progress');");
  }

  static void field(StringBuilder sql, UUID form, String key, String type, String core, String value, int position) {
    sql.append("insert into form_fields (form_id, key, label, type, required, validation, core_field, position, value,")
        .append(" version) values ('").append(form).append("', '").append(key).append("', '").append(key)
        .append("', '").append(type).append("', false, '")
        .append(type.equals("number") ? "{\"min\": 0, \"max\": 1000}" : "{}").append("', ")
        .append(core == null ? "null" : "'" + core + "'").append(", ").append(position).append(", ")
        .append(value == null ? "null" : "'" + value + "'").append(", ").append(value == null ? 0 : 1).append(");");
  }

  /**
   * Only the couple's own first save starts filling a form in. A cascaded fact (here: the couple's PATCH of the
   * guest count, and their edit of a bound field on another form) reaches a {@code sent} form but leaves it
   * {@code sent}, with no "started filling in" line — until the couple saves on that form itself.
   */
  @Test
  void aCascadedFactIsNotFillingIn() throws Exception {
    Wedding w = newWedding();
    TestPostgres.execute("update forms set status = 'sent' where id in ('" + w.f1() + "', '" + w.f2() + "')");
    try (WsClient sarah = joined(SARAH, w.f1()); WsClient chloe = joined(CHLOE, w.f2())) {
      assertEquals(200, patch(w.id(), EMMA, new JsonObject().put("guest_count", 140)).status());
      coreEvent(chloe, w.f2(), "guest_count", 140, 2);
      coreEvent(sarah, w.f1(), "guest_count", 140, 2);
      sarah.assertNone(a -> "form:status".equals(a.getString(3)), QUIET);
      chloe.assertNone(a -> "form:status".equals(a.getString(3)), Duration.ZERO);
      assertEquals("sent", status(w.f1()));
      assertEquals("sent", status(w.f2()));
      assertEquals(0, TestPostgres.query("select 1 from activity_events where verb = 'form_started' and object->>'form_id'"
          + " in ('" + w.f1() + "', '" + w.f2() + "')").size(), "nobody started filling them in");
      // Emma edits the bound field on F1 herself: F1 is being filled in now; F2 only gets the fact.
      try (WsClient emma = joined(EMMA, w.f1())) {
        JsonObject reply = emma.request(topic(w.f1()), "field:set", new JsonObject().put("field", "guest_count")
            .put("value", 150).put("base_version", 2).put("op_id", "fill-" + w.f1()));
        assertEquals("ok", reply.getString("status"), reply.encode());
      }
      coreEvent(chloe, w.f2(), "guest_count", 150, 3);
      long deadline = System.currentTimeMillis() + 5000;
      while (!status(w.f1()).equals("in_progress") && System.currentTimeMillis() < deadline) Thread.sleep(50);
      assertEquals("in_progress", status(w.f1()));
      assertEquals("sent", status(w.f2()), "the cascade into F2 is still not filling in");
    }
  }

  static String status(UUID form) {
    return (String) TestPostgres.query("select status from forms where id = '" + form + "'").get(0).get("status");
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  static String topic(UUID form) {
    return "realtime:form:" + form;
  }

  static WsClient joined(UUID user, UUID... forms) {
    WsClient c = hub.connect(user);
    for (UUID form : forms) {
      JsonObject reply = c.join(topic(form));
      assertEquals("ok", reply.getString("status"), reply.encode());
    }
    return c;
  }

  static Predicate<JsonArray> changed(UUID form, String field) {
    return a -> topic(form).equals(a.getString(2)) && "field:changed".equals(a.getString(3))
        && a.getValue(4) instanceof JsonObject p && field.equals(p.getString("field"));
  }

  static JsonObject fieldOf(UUID form, String key, UUID reader) {
    TestHub.HttpResult r = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(reader), null);
    assertEquals(200, r.status(), r.body());
    for (Object o : r.json().getJsonArray("fields")) {
      if (o instanceof JsonObject f && key.equals(f.getString("key"))) return f;
    }
    throw new AssertionError("no field " + key + " in " + r.body());
  }

  static JsonObject wedding(UUID id) {
    TestHub.HttpResult r = hub.request(HttpMethod.GET, "/api/v1/weddings/" + id, hub.token(EMMA), null);
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  static TestHub.HttpResult patch(UUID wedding, UUID who, JsonObject body) {
    return hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + wedding, hub.token(who), body);
  }

  /** The one core event a form gets: value, next version, source core. */
  static JsonObject coreEvent(WsClient c, UUID form, String field, Object value, long version) {
    JsonObject e = c.await(changed(form, field), WAIT).getJsonObject(4);
    assertEquals(value, e.getValue("value"), e::encode);
    assertEquals(version, e.getLong("version"), e::encode);
    assertEquals("core", e.getString("source"), e::encode);
    assertEquals("set", e.getString("kind"), e::encode);
    assertNotNull(e.getString("op_id"), e::encode);
    return e;
  }

  // ---- the cascade ----------------------------------------------------------------------------------------------

  @Test
  void patchingTheGuestCountReachesEverySharingSuppliersBoundFieldOnceAndNoneOfTheOthers() {
    Wedding w = newWedding();
    try (WsClient sarah = joined(SARAH, w.f1(), w.f1b()); WsClient chloe = joined(CHLOE, w.f2());
         WsClient grace = joined(GRACE, w.f3())) {
      TestHub.HttpResult r = patch(w.id(), EMMA, new JsonObject().put("guest_count", 150));
      assertEquals(200, r.status(), r.body());
      assertEquals(150, r.json().getJsonObject("core").getInteger("guest_count"), r.body());
      assertEquals(3, r.json().getInteger("cascaded"), "three bound fields of sharing suppliers: " + r.body());

      JsonObject e1 = coreEvent(sarah, w.f1(), "guest_count", 150, 2);
      coreEvent(sarah, w.f1b(), "guests", 150, 2);
      coreEvent(chloe, w.f2(), "guest_count", 150, 2);
      assertEquals(EMMA.toString(), e1.getJsonObject("by").getString("user_id"));

      // exactly once: no second event anywhere, nothing at all for the supplier the couple does not share it with
      sarah.assertNone(changed(w.f1(), "guest_count").or(changed(w.f1b(), "guests")), QUIET);
      chloe.assertNone(changed(w.f2(), "guest_count"), Duration.ZERO);
      grace.assertNone(changed(w.f3(), "guest_count"), Duration.ZERO);

      assertEquals(2L, fieldOf(w.f1(), "guest_count", SARAH).getLong("version"));
      assertEquals(150, fieldOf(w.f1(), "guest_count", SARAH).getInteger("value"));
      assertEquals(2L, fieldOf(w.f1b(), "guests", SARAH).getLong("version"));
      assertEquals(2L, fieldOf(w.f2(), "guest_count", CHLOE).getLong("version"));
      assertEquals(150, fieldOf(w.f2(), "guest_count", CHLOE).getInteger("value"));
      JsonObject untouched = fieldOf(w.f3(), "guest_count", GRACE);
      assertEquals(1L, untouched.getLong("version"), untouched::encode);
      assertEquals(100, untouched.getInteger("value"), untouched::encode);
      // other bound facts did not move either
      assertEquals(1L, fieldOf(w.f1(), "wedding_date", SARAH).getLong("version"));

      assertEquals(150, wedding(w.id()).getJsonObject("core").getInteger("guest_count"));
    }
  }

  @Test
  void aCoupleMemberChangingABoundFieldUpdatesTheWeddingAndTheOtherSharingFormsButNotTheOriginAgain() {
    Wedding w = newWedding();
    long weddingVersion = wedding(w.id()).getLong("version");
    try (WsClient emma = joined(EMMA, w.f1()); WsClient sarah = joined(SARAH, w.f1b());
         WsClient chloe = joined(CHLOE, w.f2()); WsClient grace = joined(GRACE, w.f3())) {
      JsonObject reply = emma.request(topic(w.f1()), "field:set", new JsonObject().put("field", "guest_count")
          .put("value", 180).put("base_version", 1).put("op_id", "op-" + UUID.randomUUID()));
      assertEquals("ok", reply.getString("status"), reply.encode());
      assertEquals(2L, reply.getJsonObject("response").getLong("version"));

      coreEvent(sarah, w.f1b(), "guests", 180, 2);
      coreEvent(chloe, w.f2(), "guest_count", 180, 2);

      // the origin: its own change once, as the user's, and never the cascade coming back
      JsonObject origin = emma.await(changed(w.f1(), "guest_count"), WAIT).getJsonObject(4);
      assertEquals("user", origin.getString("source"));
      assertEquals(2L, origin.getLong("version"));
      emma.assertNone(changed(w.f1(), "guest_count"), QUIET);
      sarah.assertNone(changed(w.f1b(), "guests"), Duration.ZERO);
      chloe.assertNone(changed(w.f2(), "guest_count"), Duration.ZERO);
      grace.assertNone(changed(w.f3(), "guest_count"), Duration.ZERO);

      JsonObject o = fieldOf(w.f1(), "guest_count", SARAH);
      assertEquals(2L, o.getLong("version"), o::encode);
      assertEquals(180, o.getInteger("value"));
      assertEquals(2L, fieldOf(w.f1b(), "guests", SARAH).getLong("version"));
      assertEquals(2L, fieldOf(w.f2(), "guest_count", CHLOE).getLong("version"));
      JsonObject untouched = fieldOf(w.f3(), "guest_count", GRACE);
      assertEquals(1L, untouched.getLong("version"));
      assertEquals(100, untouched.getInteger("value"));

      JsonObject wed = wedding(w.id());
      assertEquals(180, wed.getJsonObject("core").getInteger("guest_count"), wed::encode);
      assertEquals(weddingVersion + 1, wed.getLong("version"), "one change of the wedding: " + wed.encode());
    }
  }

  @Test
  void aSharedDateReachesEveryoneItIsSharedWith() {
    Wedding w = newWedding();
    try (WsClient sarah = joined(SARAH, w.f1()); WsClient grace = joined(GRACE, w.f3())) {
      TestHub.HttpResult r = patch(w.id(), EMMA, new JsonObject().put("wedding_date", "2027-09-18"));
      assertEquals(200, r.status(), r.body());
      coreEvent(sarah, w.f1(), "wedding_date", "2027-09-18", 2);
      coreEvent(grace, w.f3(), "wedding_date", "2027-09-18", 2);
      grace.assertNone(changed(w.f3(), "guest_count").or(changed(w.f3(), "wedding_date")), QUIET);
      assertEquals("2027-09-18", wedding(w.id()).getJsonObject("core").getString("wedding_date"));
    }
  }

  // ---- who may change the facts, and what ------------------------------------------------------------------------

  @Test
  void onlyTheCoupleMayPatchTheWedding() {
    Wedding w = newWedding();
    JsonObject before = wedding(w.id());
    try (WsClient sarah = joined(SARAH, w.f1())) {
      for (UUID supplierMember : new UUID[] {SARAH, CHLOE}) {
        TestHub.HttpResult r = patch(w.id(), supplierMember, new JsonObject().put("guest_count", 150));
        assertEquals(403, r.status(), r.body());
        assertEquals("forbidden", r.json().getJsonObject("error").getString("code"));
      }
      sarah.assertNone(changed(w.f1(), "guest_count"), Duration.ofMillis(500));
    }
    assertEquals(before, wedding(w.id()));
    assertEquals(1L, fieldOf(w.f1(), "guest_count", SARAH).getLong("version"));
  }

  @Test
  void anInvalidCoreValueIsRefusedNamingTheKeyAndChangesNothing() {
    Wedding w = newWedding();
    JsonObject before = wedding(w.id());
    try (WsClient sarah = joined(SARAH, w.f1())) {
      assertInvalid(patch(w.id(), EMMA, new JsonObject().put("guest_count", -5)), "guest_count");
      assertInvalid(patch(w.id(), EMMA, new JsonObject().put("wedding_date", "2027-02-30")), "wedding_date");
      // one bad value refuses the whole change: the good one is not applied either
      assertInvalid(patch(w.id(), EMMA, new JsonObject().put("guest_count", 150).put("wedding_date", "2027-02-30")),
          "wedding_date");
      assertInvalid(patch(w.id(), EMMA, new JsonObject().put("favourite_colour", "blue")), "favourite_colour");
      sarah.assertNone(changed(w.f1(), "guest_count").or(changed(w.f1(), "wedding_date")), Duration.ofMillis(500));
    }
    assertEquals(before, wedding(w.id()));
    assertEquals(1L, fieldOf(w.f1(), "guest_count", SARAH).getLong("version"));
    assertEquals(1L, fieldOf(w.f1(), "wedding_date", SARAH).getLong("version"));
    assertEquals(1L, fieldOf(w.f2(), "guest_count", CHLOE).getLong("version"));
  }

  static void assertInvalid(TestHub.HttpResult r, String key) {
    assertEquals(400, r.status(), r.body());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals("invalid", error.getString("code"), r.body());
    assertEquals(key, error.getString("field"), r.body());
    assertNotNull(error.getString("message"), r.body());
  }
}
