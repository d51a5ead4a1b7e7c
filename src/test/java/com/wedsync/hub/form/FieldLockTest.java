package com.wedsync.hub.form;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static com.wedsync.hub.support.Replies.ok;
import static com.wedsync.hub.support.Replies.error;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Field locks and typing over real sockets (docs/protocol.md §5.5 and §5.3): contention, expiry,
 * renewal by typing, typing throttle, fencing tokens, viewers, lock modes, every release reason, breaking, and the
 * locks as the HTTP form read shows them. One hub with a 2 s lease; every test works on its own fields.
 */
class FieldLockTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final UUID TOM = UUID.fromString("11111111-0000-0000-0000-000000000007");
  static final UUID MIA = UUID.fromString("11111111-0000-0000-0000-000000000008");
  static final UUID NOAH = UUID.fromString("11111111-0000-0000-0000-000000000009");
  static final Map<UUID, String> NAMES = Map.of(EMMA, "Emma Wilson", SARAH, "Sarah Jones", TOM, "Tom Reed",
      MIA, "Mia Clarke", NOAH, "Noah Hill");

  static final String FORM_ID = "55555555-0000-0000-0000-000000000001";
  static final String TOPIC = "realtime:form:" + FORM_ID;
  static final long LEASE_MS = 2000;
  /** SPEC: expiry releases a lease at the latest 1 s after it ends. */
  static final long EXPIRY_SLACK_MS = 1000;

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_FORMS_LOCK_LEASE_MS", String.valueOf(LEASE_MS),
        "WEDSYNC_HUB_FORMS_TYPING_THROTTLE_MS", "1000"));
    // Load the form once so the first lock of a test does not pay for it inside a 2 s lease.
    assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM_ID, hub.token(SARAH), null).status());
  }

  @AfterAll
  static void stop() {
    if (hub != null) hub.close();
  }

  // ---- 1. contention ----------------------------------------------------------------------------------------------

  @Test
  void aHardLockRefusesOtherUsersLocksAndWritesButNotTheHoldersTokenedWrite() {
    String field = "coverage_hours";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      long before = System.currentTimeMillis();
      JsonObject grant = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      long after = System.currentTimeMillis();
      assertEquals(Set.of("field", "token", "expires_at", "mode"), grant.fieldNames(), grant.encode());
      assertEquals(field, grant.getString("field"));
      assertEquals("hard", grant.getString("mode"));
      long token = grant.getLong("token");
      String expiresAt = grant.getString("expires_at");
      assertLeaseEnd(expiresAt, before, after);

      JsonObject lockedEvent = new JsonObject().put("field", field).put("holder", who(EMMA))
          .put("expires_at", expiresAt).put("soft", false);
      assertEquals(lockedEvent, event(sarah, "field:locked", field));
      assertEquals(lockedEvent, event(emma, "field:locked", field));

      // Sarah cannot take it while Emma holds it: told who holds it and until when.
      JsonObject refused = error(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", field)), "locked");
      assertEquals(who(EMMA), refused.getJsonObject("holder"));
      assertEquals(expiresAt, refused.getString("expires_at"));

      // Nor write it.
      long version = version(field);
      JsonObject blocked = error(sarah.request(TOPIC, "field:set", new JsonObject().put("field", field).put("value", 6)
          .put("base_version", version).put("op_id", "lock-contention-sarah")), "locked");
      assertEquals(who(EMMA), blocked.getJsonObject("holder"));
      assertEquals(expiresAt, blocked.getString("expires_at"));

      // Emma's write with her token is accepted, and everyone sees it.
      JsonObject accepted = ok(emma.request(TOPIC, "field:set", new JsonObject().put("field", field).put("value", 8)
          .put("base_version", version).put("op_id", "lock-contention-emma").put("lock_token", token)));
      assertEquals(new JsonObject().put("version", version + 1).put("status", "accepted"), accepted);
      JsonObject changed = event(sarah, "field:changed", field);
      assertEquals(8, changed.getInteger("value"));
      assertEquals(version + 1, changed.getLong("version"));
      assertEquals(who(EMMA), changed.getJsonObject("by"));

      ok(emma.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", token)));
      assertEquals(unlocked(field, "released"), event(sarah, "field:unlocked", field));
    }
  }

  // ---- 2. expiry ---------------------------------------------------------------------------------------------------

  @Test
  void anUnrenewedLeaseExpiresWithinOneSecondOfItsEnd() {
    String field = "contact_phone";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      long before = System.currentTimeMillis();
      JsonObject grant = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      long after = System.currentTimeMillis();
      long end = assertLeaseEnd(grant.getString("expires_at"), before, after);

      JsonObject expired = event(sarah, "field:unlocked", field, Duration.ofMillis(LEASE_MS + EXPIRY_SLACK_MS + 2000));
      long arrived = System.currentTimeMillis();
      assertEquals(unlocked(field, "expired"), expired);
      assertTrue(arrived >= end, "released " + (end - arrived) + " ms before the lease ended");
      assertTrue(arrived <= end + EXPIRY_SLACK_MS, "released " + (arrived - end) + " ms after the lease ended");
      assertEquals(unlocked(field, "expired"), event(emma, "field:unlocked", field));

      // Gone for good: the holder's token no longer renews, and anyone may take the field now.
      error(emma.request(TOPIC, "field:renew", new JsonObject().put("field", field)
          .put("token", grant.getLong("token"))), "stale_lock");
      JsonObject next = ok(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      ok(sarah.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", next.getLong("token"))));
    }
  }

  // ---- 3. typing ---------------------------------------------------------------------------------------------------

  @Test
  void typingKeepsTheTypistsLeaseAliveAndExpiryFollowsWhenItStops() throws Exception {
    String field = "wedding_date";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      JsonObject grant = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      Instant firstEnd = Instant.parse(grant.getString("expires_at"));

      // A signal every 700 ms for 4 s (scheduled on absolute times, so the intervals do not drift).
      long start = System.nanoTime();
      for (int i = 0; i * 700L <= 4000; i++) {
        sleepUntil(start + i * 700_000_000L);
        ok(emma.request(TOPIC, "field:typing", new JsonObject().put("field", field)));
      }
      long stopped = System.currentTimeMillis();
      assertTrue(stopped > firstEnd.toEpochMilli() + EXPIRY_SLACK_MS, "the typing ran past the first lease");
      List<JsonArray> early = sarah.received(frame(TOPIC, "field:unlocked", field));
      assertTrue(early.isEmpty(), "the lease expired while Emma was typing: " + early);

      // Others saw her typing, and the lease was pushed forward.
      assertEquals(new JsonObject().put("field", field).put("user", who(EMMA)), event(sarah, "field:typing", field));
      JsonObject lock = onlyLock(field);
      assertEquals(who(EMMA), lock.getJsonObject("holder"));
      Instant renewedEnd = Instant.parse(lock.getString("expires_at"));
      assertTrue(renewedEnd.isAfter(firstEnd.plusMillis(LEASE_MS)), "renewed to " + renewedEnd + ", first " + firstEnd);

      // She stops: the lease runs out and is released.
      JsonObject expired = event(sarah, "field:unlocked", field, Duration.ofMillis(LEASE_MS + EXPIRY_SLACK_MS + 2000));
      long arrived = System.currentTimeMillis();
      assertEquals(unlocked(field, "expired"), expired);
      assertTrue(arrived >= renewedEnd.toEpochMilli(), "released before the renewed lease ended");
      assertTrue(arrived <= renewedEnd.toEpochMilli() + EXPIRY_SLACK_MS,
          "released " + (arrived - renewedEnd.toEpochMilli()) + " ms after the renewed lease ended");
      assertTrue(arrived - stopped <= LEASE_MS + EXPIRY_SLACK_MS, "expiry came " + (arrived - stopped)
          + " ms after the typing stopped");
    }
  }

  @Test
  void typingSignalsAreThrottledPerUserAndField() throws Exception {
    String field = "shot_list";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      long start = System.nanoTime();
      for (int i = 0; i < 10; i++) {
        sleepUntil(start + i * 20_000_000L); // 10 signals within 200 ms
        ok(sarah.request(TOPIC, "field:typing", new JsonObject().put("field", field)));
      }
      assertTrue(System.nanoTime() - start < 400_000_000L, "the burst took too long to be within one throttle window");
      Thread.sleep(500); // still inside the 1 s window of the first signal
      List<JsonArray> seen = emma.received(frame(TOPIC, "field:typing", field));
      assertEquals(1, seen.size(), "Emma saw " + seen);
      assertEquals(new JsonObject().put("field", field).put("user", who(SARAH)), strip(seen.get(0).getJsonObject(4)));
    }
  }

  @Test
  void typingGoesToTheOthersNotBackToTheTypist() throws Exception {
    String field = "album";
    try (WsClient tom = joined(TOM); WsClient sarah = joined(SARAH)) {
      ok(tom.request(TOPIC, "field:typing", new JsonObject().put("field", field)));
      assertEquals(new JsonObject().put("field", field).put("user", who(TOM)), event(sarah, "field:typing", field));
      Thread.sleep(300);
      List<JsonArray> echoed = tom.received(frame(TOPIC, "field:typing", field));
      assertTrue(echoed.isEmpty(), "the typist got his own typing signal back: " + echoed);
    }
  }

  // ---- 4. fencing --------------------------------------------------------------------------------------------------

  @Test
  void aLapsedHoldersTokenIsFencedOffAndTokensOnlyIncrease() {
    String field = "venue_name";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH); WsClient tom = joined(TOM)) {
      long t1 = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      assertEquals(unlocked(field, "expired"), event(emma, "field:unlocked", field,
          Duration.ofMillis(LEASE_MS + EXPIRY_SLACK_MS + 2000)));

      JsonObject second = ok(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      long t2 = second.getLong("token");
      assertTrue(t2 > t1, "t2=" + t2 + " t1=" + t1);

      // Emma's lapsed token cannot write (the value is the current one, so a wrong acceptance changes nothing) ...
      JsonObject current = fieldOf(field);
      JsonObject stale = error(emma.request(TOPIC, "field:set", new JsonObject().put("field", field)
          .put("value", current.getValue("value")).put("base_version", current.getLong("version"))
          .put("op_id", "fencing-emma-stale").put("lock_token", t1)), "stale_lock");
      assertEquals(field, stale.getString("field"));
      assertEquals(current.getLong("version"), fieldOf(field).getLong("version"), "the stale write changed the field");
      // ... nor renew.
      error(emma.request(TOPIC, "field:renew", new JsonObject().put("field", field).put("token", t1)), "stale_lock");

      // The rightful holder renews fine.
      JsonObject renewed = ok(sarah.request(TOPIC, "field:renew", new JsonObject().put("field", field).put("token", t2)));
      assertEquals(Set.of("expires_at"), renewed.fieldNames());
      assertTrue(!Instant.parse(renewed.getString("expires_at")).isBefore(Instant.parse(second.getString("expires_at"))));

      ok(sarah.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", t2)));
      long t3 = ok(tom.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      assertTrue(t3 > t2, "t3=" + t3 + " t2=" + t2);
      // Sarah's released token is stale too.
      error(sarah.request(TOPIC, "field:renew", new JsonObject().put("field", field).put("token", t2)), "stale_lock");
      ok(tom.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", t3)));
      assertEquals(unlocked(field, "released"), event(emma, "field:unlocked", field, "released"));
    }
  }

  // ---- 5. viewers --------------------------------------------------------------------------------------------------

  @Test
  void viewersCanNeitherLockNorWrite() {
    String field = "guest_count";
    try (WsClient noah = joined(NOAH); WsClient sarah = joined(SARAH)) {
      error(noah.request(TOPIC, "field:lock", new JsonObject().put("field", field)), "forbidden");
      error(noah.request(TOPIC, "field:set", new JsonObject().put("field", "style").put("value", "classic")
          .put("base_version", version("style")).put("op_id", "viewer-set")), "forbidden");
      sarah.assertNone(frame(TOPIC, "field:locked", field), Duration.ofMillis(300));
      sarah.assertNone(frame(TOPIC, "field:changed", "style"), Duration.ofMillis(1));
    }
  }

  // ---- 6. lock modes -----------------------------------------------------------------------------------------------

  @Test
  void checkboxesAndRadiosNeedNoLockAndTextAreasTakeSoftLocks() {
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      for (String field : List.of("drone", "album")) {
        JsonObject none = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
        assertEquals(new JsonObject().put("field", field).put("token", null).put("expires_at", null).put("mode", "none"),
            none);
        assertNull(none.getValue("token"));
      }
      sarah.assertNone(a -> "field:locked".equals(a.getString(3)) && a.getValue(4) instanceof JsonObject p
          && List.of("drone", "album").contains(p.getString("field")), Duration.ofMillis(500));
      // and a click is written without one
      JsonObject set = ok(sarah.request(TOPIC, "field:set", new JsonObject().put("field", "drone").put("value", true)
          .put("base_version", version("drone")).put("op_id", "modes-drone")));
      assertEquals("accepted", set.getString("status"));

      String text = "timeline_notes";
      JsonObject emmaSoft = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", text)));
      assertEquals("soft", emmaSoft.getString("mode"));
      assertNotNull(emmaSoft.getValue("token"));
      assertEquals(new JsonObject().put("field", text).put("holder", who(EMMA))
          .put("expires_at", emmaSoft.getString("expires_at")).put("soft", true), event(sarah, "field:locked", text));
      JsonObject sarahSoft = ok(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", text)));
      assertEquals("soft", sarahSoft.getString("mode"));
      assertEquals(Set.of("field", "token", "expires_at", "mode"), sarahSoft.fieldNames());

      long version = version(text);
      JsonObject edit = ok(sarah.request(TOPIC, "field:text", new JsonObject().put("field", text)
          .put("ops", new JsonArray().add("x")).put("base_version", version).put("op_id", "modes-text-sarah")));
      assertEquals(version + 1, edit.getLong("version"));
      assertEquals(new JsonArray().add("x"), edit.getJsonArray("ops"));
      JsonObject changed = event(emma, "field:changed", text);
      assertEquals(who(SARAH), changed.getJsonObject("by"));
      assertEquals("text", changed.getString("kind"));

      ok(emma.request(TOPIC, "field:unlock", new JsonObject().put("field", text).put("token", emmaSoft.getLong("token"))));
      ok(sarah.request(TOPIC, "field:unlock", new JsonObject().put("field", text).put("token", sarahSoft.getLong("token"))));
    }
  }

  // ---- 7. releases -------------------------------------------------------------------------------------------------

  @Test
  void unlockReleases() {
    String field = "guest_count";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      long token = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      event(sarah, "field:locked", field);
      assertEquals(new JsonObject(), ok(emma.request(TOPIC, "field:unlock",
          new JsonObject().put("field", field).put("token", token))));
      assertEquals(unlocked(field, "released"), event(sarah, "field:unlocked", field));
      assertEquals(unlocked(field, "released"), event(emma, "field:unlocked", field));
      assertEquals(List.of(), hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM_ID, hub.token(SARAH), null).json()
          .getJsonArray("fields").stream().map(JsonObject.class::cast).filter(f -> field.equals(f.getString("key")))
          .findFirst().orElseThrow().getJsonArray("locks").getList());
    }
  }

  @Test
  void aSaveWithReleaseReleasesAsSaved() {
    String field = "style";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      long token = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      long version = version(field);
      JsonObject saved = ok(emma.request(TOPIC, "field:set", new JsonObject().put("field", field).put("value", "classic")
          .put("base_version", version).put("op_id", "release-on-save").put("lock_token", token).put("release", true)));
      assertEquals(new JsonObject().put("version", version + 1).put("status", "accepted"), saved);
      assertEquals(unlocked(field, "saved"), event(sarah, "field:unlocked", field));
      // free again: Sarah takes it
      long next = ok(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      ok(sarah.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", next)));
    }
  }

  @Test
  void leavingTheChannelReleases() {
    String field = "contact_email";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH)) {
      ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      event(sarah, "field:locked", field);
      assertEquals("ok", emma.request(TOPIC, "phx_leave", new JsonObject()).getString("status"));
      assertEquals(unlocked(field, "released"), event(sarah, "field:unlocked", field));
      long next = ok(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      ok(sarah.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", next)));
    }
  }

  @Test
  void closingTheSocketReleasesAsDisconnected() {
    String field = "ceremony_time";
    try (WsClient sarah = joined(SARAH)) {
      WsClient emma = joined(EMMA);
      ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      event(sarah, "field:locked", field);
      emma.close();
      JsonObject released = event(sarah, "field:unlocked", field, Duration.ofMillis(LEASE_MS / 2));
      assertEquals(unlocked(field, "disconnected"), released, "released by the disconnect, not by expiry");
      long next = ok(sarah.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      ok(sarah.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", next)));
    }
  }

  @Test
  void ownersAndAdminsMayBreakALockMembersMayNot() {
    String field = "partner1_name";
    try (WsClient emma = joined(EMMA); WsClient sarah = joined(SARAH); WsClient mia = joined(MIA)) {
      long token = ok(emma.request(TOPIC, "field:lock", new JsonObject().put("field", field))).getLong("token");
      event(mia, "field:locked", field);
      event(emma, "field:locked", field);

      error(mia.request(TOPIC, "field:break_lock", new JsonObject().put("field", field)), "forbidden");
      error(mia.request(TOPIC, "field:lock", new JsonObject().put("field", field)), "locked");

      assertEquals(new JsonObject(), ok(sarah.request(TOPIC, "field:break_lock", new JsonObject().put("field", field))));
      JsonObject broken = event(emma, "field:unlocked", field);
      assertEquals("broken", broken.getString("reason"), broken.encode());
      assertEquals(field, broken.getString("field"));
      assertEquals(who(SARAH), broken.getJsonObject("by"));
      assertTrue(Set.of("field", "reason", "by", "holder").containsAll(broken.fieldNames()), broken.encode());
      if (broken.containsKey("holder")) assertEquals(who(EMMA), broken.getJsonObject("holder"));
      assertEquals(broken, event(mia, "field:unlocked", field));

      // Emma's token is dead; someone else may take the field.
      error(emma.request(TOPIC, "field:renew", new JsonObject().put("field", field).put("token", token)), "stale_lock");
      JsonObject taken = ok(mia.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      assertTrue(taken.getLong("token") > token);
      assertEquals(who(MIA), event(emma, "field:locked", field).getJsonObject("holder"));
      ok(mia.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", taken.getLong("token"))));
    }
  }

  // ---- 8. HTTP -----------------------------------------------------------------------------------------------------

  @Test
  void theFormReadOverHttpShowsLiveLocks() {
    String field = "guest_count";
    try (WsClient tom = joined(TOM); WsClient emma = joined(EMMA)) {
      JsonObject grant = ok(tom.request(TOPIC, "field:lock", new JsonObject().put("field", field)));
      JsonObject lock = onlyLock(field);
      assertEquals(new JsonObject().put("holder", who(TOM)).put("expires_at", grant.getString("expires_at"))
          .put("soft", false), lock);
      ok(tom.request(TOPIC, "field:unlock", new JsonObject().put("field", field).put("token", grant.getLong("token"))));
      event(emma, "field:unlocked", field);
      assertTrue(fieldOf(field).getJsonArray("locks").isEmpty());
    }
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------

  private static WsClient joined(UUID user) {
    WsClient c = hub.connect(user);
    JsonObject reply = c.join(TOPIC);
    if (!"ok".equals(reply.getString("status"))) {
      c.close();
      fail(user + " could not join: " + reply.encode());
    }
    return c;
  }

  private static JsonObject who(UUID user) {
    return new JsonObject().put("user_id", user.toString()).put("name", NAMES.get(user));
  }

  private static JsonObject unlocked(String field, String reason) {
    return new JsonObject().put("field", field).put("reason", reason);
  }

  private static Predicate<JsonArray> frame(String topic, String event, String field) {
    return a -> topic.equals(a.getString(2)) && event.equals(a.getString(3)) && a.getValue(4) instanceof JsonObject p
        && field.equals(p.getString("field"));
  }

  /** The next {@code event} about {@code field}, without the history {@code meta} (docs/protocol.md §5). */
  private static JsonObject event(WsClient c, String event, String field) {
    return event(c, event, field, Duration.ofSeconds(5));
  }

  private static JsonObject event(WsClient c, String event, String field, Duration timeout) {
    return strip(c.await(frame(TOPIC, event, field), timeout).getJsonObject(4));
  }

  private static JsonObject event(WsClient c, String event, String field, String reason) {
    return strip(c.await(frame(TOPIC, event, field).and(a -> reason.equals(a.getJsonObject(4).getString("reason"))),
        Duration.ofSeconds(5)).getJsonObject(4));
  }

  private static JsonObject strip(JsonObject payload) {
    JsonObject copy = payload.copy();
    copy.remove("meta");
    return copy;
  }

  private static JsonObject fieldOf(String key) {
    var res = hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM_ID, hub.token(SARAH), null);
    assertEquals(200, res.status(), res.body());
    return res.json().getJsonArray("fields").stream().map(JsonObject.class::cast)
        .filter(f -> key.equals(f.getString("key"))).findFirst()
        .orElseThrow(() -> new AssertionError("no field " + key + " in " + res.body()));
  }

  private static long version(String key) {
    return fieldOf(key).getLong("version");
  }

  private static JsonObject onlyLock(String key) {
    JsonArray locks = fieldOf(key).getJsonArray("locks");
    assertEquals(1, locks.size(), key + " locks: " + locks);
    return locks.getJsonObject(0);
  }

  /** The lease ends {@link #LEASE_MS} after the grant (as seen between sending the request and its reply). */
  private static long assertLeaseEnd(String expiresAt, long before, long after) {
    long end = Instant.parse(expiresAt).toEpochMilli();
    assertTrue(end >= before + LEASE_MS && end <= after + LEASE_MS,
        "expires_at " + expiresAt + " is not " + LEASE_MS + " ms after the grant");
    return end;
  }

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left = nanoTime - System.nanoTime();
    if (left > 0) Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
  }
}
