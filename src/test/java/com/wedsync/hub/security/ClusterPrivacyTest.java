package com.wedsync.hub.security;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.security.PrivacyWorld.arrived;
import static com.wedsync.hub.security.PrivacyWorld.getOk;
import static com.wedsync.hub.security.PrivacyWorld.joined;
import static com.wedsync.hub.security.PrivacyWorld.op;
import static com.wedsync.hub.security.PrivacyWorld.patch;
import static com.wedsync.hub.security.PrivacyWorld.pushed;
import static com.wedsync.hub.security.PrivacyWorld.sleep;
import static com.wedsync.hub.security.PrivacyWorld.track;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The wedding channel's privacy in cluster mode: two hub nodes in this JVM on one real Redis and PostgreSQL. What the
 * couple and supplier A do through node 1 reaches supplier B's owner on node 2 only as far as it may see it — events
 * cross through Redis with their audience, presences with whose side they are on, and a rejoin with {@code since}
 * replays Redis history filtered the same way — while the couple on node 2 gets all of it.
 */
class ClusterPrivacyTest {
  static TestRedis redis;
  static TestHub one;
  static TestHub two;

  @BeforeAll
  static void start() {
    redis = TestRedis.start();
    one = TestHub.clusterNode(redis, TestHub.editing("200"));
    two = TestHub.clusterNode(redis, TestHub.editing("200"));
  }

  @AfterAll
  static void stop() {
    if (one != null) one.close();
    if (two != null) two.close();
    if (redis != null) redis.close();
  }

  static void note(TestHub hub, UUID author, UUID form, String text) {
    var r = hub.request(HttpMethod.POST, "/api/v1/forms/" + form + "/notes", hub.token(author),
        new JsonObject().put("text", text).put("op_id", op()));
    assertEquals(200, r.status(), r.body());
  }

  @Test
  void aSupplierOnAnotherNodeGetsOnlyWhatIsSharedWithIt() {
    PrivacyWorld w = new PrivacyWorld();
    String wedding = "wedding:" + w.wedding;
    String topic = "realtime:" + wedding;
    WsClient ownerA = joined(one, w.a.owner(), wedding);
    WsClient couple = joined(two, w.partner2, wedding);
    WsClient ownerB = joined(two, w.b.owner(), wedding, "user:" + w.b.owner(), "supplier:" + w.b.id());
    WsClient late = null;
    try {
      assertEquals("ok", ownerA.request(topic, "presence", track()).getString("status"));
      assertEquals("ok", couple.request(topic, "presence", track()).getString("status"));
      assertEquals("ok", ownerB.request(topic, "presence", track()).getString("status"));
      arrived(couple, f -> "presence_diff".equals(f.getString(3)) && f.encode().contains(w.a.owner().toString()),
          "the couple on node 2 sees A's owner on node 1");
      arrived(ownerA, f -> "presence_diff".equals(f.getString(3)) && f.encode().contains(w.partner2.toString()),
          "A's owner on node 1 sees the couple on node 2");

      // Through node 1: a broadcast, a note on A's form, three facts at once (B is shared only the guest count).
      assertEquals("ok", ownerA.request(topic, "broadcast", new JsonObject().put("type", "broadcast")
          .put("event", "cursor-A").put("payload", new JsonObject())).getString("status"));
      note(one, w.a.owner(), w.a.form(), "Secret A note " + w.tag);
      JsonObject several = new JsonObject().mergeIn(w.newValue("guest_count", 1))
          .mergeIn(w.newValue("ceremony_time", 2)).mergeIn(w.newValue("contact_phone", 3));
      patch(one, w.partner1, w.wedding, several);

      arrived(couple, pushed(wedding, "wedding:updated", p -> p.getJsonObject("changes").equals(several)),
          "the couple: every changed fact");
      arrived(couple, pushed(wedding, "activity", p -> "note_added".equals(p.getString("verb"))),
          "the couple: A's note");
      arrived(couple, pushed(wedding, "broadcast", p -> "cursor-A".equals(p.getString("event"))),
          "the couple: A's broadcast");
      arrived(ownerB, pushed(wedding, "wedding:updated", p -> p.getJsonObject("changes")
          .equals(new JsonObject().put("guest_count", several.getValue("guest_count")))), "B: the guest count only");
      arrived(ownerB, pushed("supplier:" + w.b.id(), "activity", p -> "guest_count".equals(p.getJsonObject("object")
          .getString("core_field"))), "B: the guest count on its feed");

      // A presence_state and a snapshot on node 2.
      late = joined(two, w.b.owner(), wedding);
      JsonObject state = late.awaitEvent(topic, "presence_state").getJsonObject(4);
      assertEquals(java.util.Set.of(w.partner2.toString(), w.b.owner().toString()), state.fieldNames(),
          "B's presence_state: the couple and itself");
      assertEquals(state.fieldNames(), getOk(two, w.b.owner(), "/api/v1/channels/" + topic + "/presence")
          .fieldNames(), "B's snapshot");
      assertTrue(getOk(two, w.partner2, "/api/v1/channels/" + topic + "/presence").fieldNames()
          .contains(w.a.owner().toString()), "the couple's snapshot has A's owner");

      // B leaves, misses a stretch (through node 1), rejoins on node 2 from Redis history.
      long seen = 0;
      String epoch = null;
      assertEquals("ok", ownerB.request(topic, "phx_leave", new JsonObject()).getString("status"));
      for (JsonArray f : ownerB.received(f -> topic.equals(f.getString(2)) && f.getValue(4) instanceof JsonObject p
          && p.getJsonObject("meta") != null && p.getJsonObject("meta").containsKey("offset"))) {
        seen = Math.max(seen, f.getJsonObject(4).getJsonObject("meta").getLong("offset"));
        epoch = f.getJsonObject(4).getJsonObject("meta").getString("epoch");
      }
      note(one, w.a.owner(), w.a.form(), "Secret A while B was away " + w.tag);
      JsonObject away = new JsonObject().mergeIn(w.newValue("venue_name", 4)).mergeIn(w.newValue("partner1_name", 5));
      patch(one, w.partner1, w.wedding, away);
      PrivacyWorld.arrived(couple, pushed(wedding, "activity", p -> "note_added".equals(p.getString("verb"))), 2,
          "the couple: A's second note");
      arrived(couple, pushed(wedding, "activity", p -> "partner1_name".equals(p.getJsonObject("object")
          .getString("core_field"))), "the couple: the name's activity");
      JsonObject rejoin = ownerB.join(topic, new JsonObject().put("since", new JsonObject().put("offset", seen)
          .put("epoch", epoch)));
      assertEquals(true, rejoin.getJsonObject("response").getBoolean("recovered"), rejoin.encode());
      arrived(ownerB, pushed(wedding, "wedding:updated", p -> p.getJsonObject("changes").equals(new JsonObject()
          .put("venue_name", away.getValue("venue_name")))), "B: the venue it missed, replayed from Redis");
      arrived(ownerB, pushed(wedding, "activity", p -> "venue_name".equals(p.getJsonObject("object")
          .getString("core_field"))), "B: the venue's activity, replayed");
      // And live after the replay, with no gap taken for what it may not see.
      JsonObject after = w.newValue("guest_count", 6);
      patch(one, w.partner1, w.wedding, after);
      arrived(ownerB, pushed(wedding, "wedding:updated", p -> p.getJsonObject("changes").equals(after)),
          "B: live again");
      sleep(600);

      List<JsonArray> frames = new ArrayList<>(ownerB.received(f -> true));
      frames.addAll(late.received(f -> true));
      List<String> forbidden = new ArrayList<>(List.of(w.a.form().toString(), w.a.title(), "Secret A",
          w.a.owner().toString(), "cursor-A"));
      for (JsonObject change : List.of(several, away)) {
        for (String f : change.fieldNames()) {
          if (!w.b.shared().contains(f) && PrivacyWorld.searchable(change.getValue(f))) {
            forbidden.add((String) change.getValue(f));
          }
        }
      }
      for (String f : List.of("partner1_name", "partner2_name", "contact_phone")) forbidden.add(w.initial.getString(f));
      for (String word : forbidden) {
        assertEquals(List.of(), frames.stream().filter(f -> f.encode().contains(word)).toList(),
            "B on node 2 received '" + word + "'");
      }
      assertFalse(frames.stream().anyMatch(f -> f.getValue(4) instanceof JsonObject p
          && p.getJsonObject("changes") != null && (p.getJsonObject("changes").containsKey("ceremony_time")
              || p.getJsonObject("changes").containsKey("partner1_name"))), "B got an unshared fact's change");
      // After the rejoin: past where it left, rising, nothing twice.
      List<Long> offsets = new ArrayList<>();
      boolean rejoined = false;
      for (JsonArray f : ownerB.received(f -> topic.equals(f.getString(2)))) {
        if ("phx_close".equals(f.getString(3))) rejoined = true;
        else if (rejoined && f.getValue(4) instanceof JsonObject p && p.getJsonObject("meta") != null && p.getJsonObject("meta").containsKey("offset")) {
          offsets.add(p.getJsonObject("meta").getLong("offset"));
        }
      }
      assertFalse(offsets.isEmpty(), "events after the rejoin");
      long previous = seen;
      for (long offset : offsets) {
        assertTrue(offset > previous, "rising offsets after " + seen + ": " + offsets);
        previous = offset;
      }
    } finally {
      ownerA.close();
      couple.close();
      ownerB.close();
      if (late != null) late.close();
    }
  }
}
