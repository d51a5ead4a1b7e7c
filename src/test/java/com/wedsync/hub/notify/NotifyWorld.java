package com.wedsync.hub.notify;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.util.UUID;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A fresh, private wedding world per test class, so bells and feeds hold only what the class did: a couple (two
 * partners), supplier A (owner, member) whose forms the tests use, supplier B connected to the same wedding and shared
 * only the guest count, and supplier C working for another couple only.
 */
final class NotifyWorld {
  /** A user who belongs to nobody: whatever reaches them was addressed to them alone. */
  static UUID freshUser() {
    UUID u = UUID.randomUUID();
    TestPostgres.execute("insert into users (id, email, name) values ('" + u + "', '" + u + "@fresh.example', 'Fresh')");
    return u;
  }

  static final Duration WAIT = Duration.ofSeconds(10);

  final UUID couple = UUID.randomUUID();
  final UUID wedding = UUID.randomUUID();
  final UUID otherCouple = UUID.randomUUID();
  final UUID otherWedding = UUID.randomUUID();
  final UUID supplierA = UUID.randomUUID();
  final UUID supplierB = UUID.randomUUID();
  final UUID supplierC = UUID.randomUUID();
  final UUID partner1 = UUID.randomUUID();
  final UUID partner2 = UUID.randomUUID();
  final UUID ownerA = UUID.randomUUID();
  final UUID memberA = UUID.randomUUID();
  final UUID ownerB = UUID.randomUUID();
  final UUID ownerC = UUID.randomUUID();
  final UUID stranger = UUID.randomUUID();

  NotifyWorld() {
    String tag = UUID.randomUUID().toString().substring(0, 8);
    TestPostgres.execute("insert into users (id, email, name) values "
        + user(partner1, "Emma " + tag) + ", " + user(partner2, "James " + tag) + ", "
        + user(ownerA, "Sarah " + tag) + ", " + user(memberA, "Mia " + tag) + ", "
        + user(ownerB, "Chloe " + tag) + ", " + user(ownerC, "Lily " + tag) + ", " + user(stranger, "Sam " + tag) + ";"
        + "insert into suppliers (id, name, business_type) values ('" + supplierA + "', 'A " + tag + "', 'photographer'), "
        + "('" + supplierB + "', 'B " + tag + "', 'caterer'), ('" + supplierC + "', 'C " + tag + "', 'florist');"
        + "insert into team_members (supplier_id, user_id, role) values ('" + supplierA + "', '" + ownerA + "', 'owner'), "
        + "('" + supplierA + "', '" + memberA + "', 'member'), ('" + supplierB + "', '" + ownerB + "', 'owner'), "
        + "('" + supplierC + "', '" + ownerC + "', 'owner');"
        + "insert into couples (id, name) values ('" + couple + "', 'Couple " + tag + "'), "
        + "('" + otherCouple + "', 'Other " + tag + "');"
        + "insert into couple_members (couple_id, user_id, role) values ('" + couple + "', '" + partner1 + "', 'partner'), "
        + "('" + couple + "', '" + partner2 + "', 'partner');"
        + "insert into weddings (id, couple_id, guest_count, venue_name) values ('" + wedding + "', '" + couple
        + "', 100, 'Old Hall'), ('" + otherWedding + "', '" + otherCouple + "', 50, 'Barn');"
        + "insert into wedding_suppliers (wedding_id, supplier_id, shared_fields) values "
        + "('" + wedding + "', '" + supplierA + "', '{wedding_date,ceremony_time,venue_name,venue_address,guest_count,"
        + "partner1_name,partner2_name,contact_email,contact_phone}'), "
        + "('" + wedding + "', '" + supplierB + "', '{guest_count}'), "
        + "('" + otherWedding + "', '" + supplierC + "', '{guest_count,venue_name}')");
  }

  private static String user(UUID id, String name) {
    return "('" + id + "', '" + id + "@notify.example', '" + name + "')";
  }

  static String name(UUID user) {
    return (String) TestPostgres.query("select name from users where id = '" + user + "'").get(0).get("name");
  }

  /**
   * A form of supplier A on the wedding. Fields as "key:type", "key:type:required" or "key:type:required:core_field".
   */
  UUID form(String title, String status, String... fields) {
    UUID form = UUID.randomUUID();
    StringBuilder sql = new StringBuilder("insert into forms (id, supplier_id, wedding_id, title, status) values ('")
        .append(form).append("', '").append(supplierA).append("', '").append(wedding).append("', '").append(title)
        .append("', '").append(status).append("');");
    int position = 1;
    for (String spec : fields) {
      String[] p = spec.split(":");
      String core = p.length > 3 ? "'" + p[3] + "'" : "null";
      sql.append("insert into form_fields (form_id, key, label, type, required, core_field, position, value, version)")
          .append(" values ('").append(form).append("', '").append(p[0]).append("', '").append(p[0]).append("', '")
          .append(p[1]).append("', ").append(p.length > 2 && p[2].equals("required")).append(", ").append(core)
          .append(", ").append(position++).append(", null, 0);");
    }
    TestPostgres.execute(sql.toString());
    return form;
  }

  /** A socket of that user joined to their bell channel. */
  static WsClient bell(TestHub hub, UUID user) {
    WsClient c = hub.connect(user);
    JsonObject reply = c.join("realtime:user:" + user);
    assertEquals("ok", reply.getString("status"), reply.encode());
    return c;
  }

  static WsClient joined(TestHub hub, UUID user, String topic) {
    WsClient c = hub.connect(user);
    JsonObject reply = c.join("realtime:" + topic);
    assertEquals("ok", reply.getString("status"), reply.encode());
    return c;
  }

  /** A {@code notification} frame on that user's bell whose payload matches. */
  static Predicate<JsonArray> notification(UUID user, Predicate<JsonObject> payload) {
    return pushed("user:" + user, "notification", payload);
  }

  static Predicate<JsonArray> notificationOfType(UUID user, String type) {
    return notification(user, p -> type.equals(p.getString("type")));
  }

  static Predicate<JsonArray> pushed(String topic, String event, Predicate<JsonObject> payload) {
    String full = "realtime:" + topic;
    return a -> full.equals(a.getString(2)) && event.equals(a.getString(3)) && a.getValue(4) instanceof JsonObject p
        && payload.test(p);
  }

  static String op() {
    return "op-" + UUID.randomUUID();
  }
}
