package com.wedsync.hub.presence;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestPostgres;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Presence over real sockets: state, diffs, one key per user, stamping, coalescing, invisibility, disconnects. */
class PresenceTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID JAMES = UUID.fromString("11111111-0000-0000-0000-000000000002");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final String FORM = "realtime:form:55555555-0000-0000-0000-000000000001";

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start(Map.of("WEDSYNC_HUB_SOCKET_RATE_BURST", "1000", "WEDSYNC_HUB_SOCKET_RATE_PER_SECOND", "1000"));
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  private static JsonObject track(JsonObject meta) {
    return new JsonObject().put("type", "presence").put("event", "track").put("payload", meta);
  }

  private static JsonObject diffJoins(JsonArray frame) {
    return frame.getJsonObject(4).getJsonObject("joins");
  }

  @Test
  void oneKeyPerUserWithAMetaPerTabStampedByTheServerAndClearedOnDisconnect() {
    try (WsClient watcher = hub.connect(SARAH)) {
      assertEquals("ok", watcher.join(FORM).getString("status"));
      assertEquals(new JsonObject(), watcher.awaitEvent(FORM, "presence_state").getJsonObject(4));

      WsClient tab1 = hub.connect(EMMA);
      WsClient tab2 = hub.connect(EMMA);
      tab1.join(FORM);
      tab2.join(FORM);
      assertEquals("ok", tab1.request(FORM, "presence", track(new JsonObject().put("status", "active")
          .put("viewing", "section:dietary").put("user_id", SARAH.toString()).put("name", "Mallory")
          .put("role", "owner"))).getString("status"));
      assertEquals("ok", tab2.request(FORM, "presence", track(new JsonObject().put("focus", "allergy_notes")))
          .getString("status"));

      // The watcher converges on one key (Emma) with two metas, each stamped with Emma's real identity.
      Map<String, List<JsonObject>> state = new java.util.HashMap<>();
      long deadline = System.currentTimeMillis() + 5000;
      while (System.currentTimeMillis() < deadline && (state.get(EMMA.toString()) == null
          || state.get(EMMA.toString()).size() < 2)) {
        JsonArray diff = watcher.await(a -> "presence_diff".equals(a.getString(3)), Duration.ofSeconds(5));
        diffJoins(diff).forEach(e -> {
          List<JsonObject> metas = state.computeIfAbsent(e.getKey(), k -> new ArrayList<>());
          ((JsonObject) e.getValue()).getJsonArray("metas").forEach(m -> metas.add((JsonObject) m));
        });
      }
      List<JsonObject> emma = state.get(EMMA.toString());
      assertEquals(2, emma.size(), "two tabs, two metas under one key: " + state);
      assertEquals(1, state.size());
      for (JsonObject meta : emma) {
        assertEquals(EMMA.toString(), meta.getString("user_id"));
        assertEquals("Emma Wilson", meta.getString("name"));
        assertEquals("couple", meta.getString("role"));
        assertTrue(meta.getString("phx_ref").length() > 0);
      }
      assertNotEquals(emma.get(0).getString("phx_ref"), emma.get(1).getString("phx_ref"));

      // A late joiner gets both metas in presence_state.
      try (WsClient late = hub.connect(JAMES)) {
        late.join(FORM);
        JsonObject snapshot = late.awaitEvent(FORM, "presence_state").getJsonObject(4);
        assertEquals(2, snapshot.getJsonObject(EMMA.toString()).getJsonArray("metas").size());
      }

      // Disconnecting a tab leaves exactly its meta.
      tab1.close();
      JsonArray leave = watcher.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("leaves").containsKey(EMMA.toString()), Duration.ofSeconds(5));
      assertEquals(1, leave.getJsonObject(4).getJsonObject("leaves").getJsonObject(EMMA.toString())
          .getJsonArray("metas").size());
      tab2.close();
      watcher.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("leaves").containsKey(EMMA.toString()), Duration.ofSeconds(5));
      JsonObject after = hub.request(io.vertx.core.http.HttpMethod.GET,
          "/api/v1/channels/" + FORM + "/presence", hub.token(SARAH), null).json();
      assertFalse(after.containsKey(EMMA.toString()), "presence cleared on disconnect: " + after);
    }
  }

  @Test
  void anUpdateReplacesTheMetaWithPhxRefPrev() {
    String topic = "realtime:couple:33333333-0000-0000-0000-000000000001:timeline";
    try (WsClient watcher = hub.connect(JAMES); WsClient emma = hub.connect(EMMA)) {
      watcher.join(topic);
      emma.join(topic);
      emma.request(topic, "presence", track(new JsonObject().put("status", "active")));
      JsonArray first = watcher.await(a -> "presence_diff".equals(a.getString(3)) && !diffJoins(a).isEmpty(),
          Duration.ofSeconds(5));
      String ref = diffJoins(first).getJsonObject(EMMA.toString()).getJsonArray("metas").getJsonObject(0)
          .getString("phx_ref");
      emma.request(topic, "presence", track(new JsonObject().put("status", "idle")));
      JsonArray update = watcher.await(a -> "presence_diff".equals(a.getString(3)) && !diffJoins(a).isEmpty(),
          Duration.ofSeconds(5));
      JsonObject joined = diffJoins(update).getJsonObject(EMMA.toString()).getJsonArray("metas").getJsonObject(0);
      assertEquals("idle", joined.getString("status"));
      assertEquals(ref, joined.getString("phx_ref_prev"));
      assertEquals(ref, update.getJsonObject(4).getJsonObject("leaves").getJsonObject(EMMA.toString())
          .getJsonArray("metas").getJsonObject(0).getString("phx_ref"));
    }
  }

  @Test
  void invisibleUsersSeeOthersButAreNotSeen() {
    String topic = "realtime:couple:33333333-0000-0000-0000-000000000001";
    UUID olivia = UUID.fromString("11111111-0000-0000-0000-000000000003");
    TestPostgres.execute("update users set invisible = true where id = '" + olivia + "'");
    try (WsClient emma = hub.connect(EMMA); WsClient ghost = hub.connect(olivia)) {
      emma.join(topic);
      emma.request(topic, "presence", track(new JsonObject()));
      ghost.join(topic);
      // Olivia sees Emma ...
      JsonObject seen = ghost.awaitEvent(topic, "presence_state").getJsonObject(4);
      assertTrue(seen.containsKey(EMMA.toString()) || !ghost.received(a -> "presence_diff".equals(a.getString(3))).isEmpty());
      assertEquals("ok", ghost.request(topic, "presence", track(new JsonObject())).getString("status"));
      // ... a client asking per channel is honoured too
      assertEquals("ok", emma.request(topic, "presence", track(new JsonObject().put("invisible", true)))
          .getString("status"));
      emma.await(a -> "presence_diff".equals(a.getString(3))
          && a.getJsonObject(4).getJsonObject("leaves").containsKey(EMMA.toString()), Duration.ofSeconds(5));
      // ... but nobody ever sees Olivia.
      emma.assertNone(a -> a.encode().contains(olivia.toString()), Duration.ofMillis(300));
      JsonObject snapshot = hub.request(io.vertx.core.http.HttpMethod.GET,
          "/api/v1/channels/" + topic + "/presence", hub.token(EMMA), null).json();
      assertFalse(snapshot.containsKey(olivia.toString()));
      assertFalse(snapshot.containsKey(EMMA.toString()));
    } finally {
      TestPostgres.execute("update users set invisible = false where id = '" + olivia + "'");
    }
  }

  /**
   * A crowd joining at once: every watcher converges to the whole crowd, and the frames it receives are coalesced
   * (at most one presence_diff per 50 ms window), far fewer than one per joiner.
   */
  @Test
  void aCrowdJoiningAtOnceIsCoalesced() {
    String topic = "realtime:wedding:44444444-0000-0000-0000-000000000001";
    int crowd = 60;
    List<UUID> users = new ArrayList<>();
    StringBuilder sql = new StringBuilder();
    for (int i = 0; i < crowd; i++) {
      UUID u = UUID.fromString(String.format("cccccccc-0000-0000-0000-%012d", i + 1));
      users.add(u);
      sql.append("insert into users (id, email, name) values ('").append(u).append("', 'crowd").append(i)
          .append("@example.com', 'Guest ").append(i).append("') on conflict do nothing;")
          .append("insert into couple_members (couple_id, user_id, role) values ('33333333-0000-0000-0000-000000000001', '")
          .append(u).append("', 'helper') on conflict do nothing;");
    }
    TestPostgres.execute(sql.toString());
    List<WsClient> clients = new ArrayList<>();
    try (WsClient watcher = hub.connect(SARAH)) {
      watcher.join(topic);
      watcher.awaitEvent(topic, "presence_state");
      for (UUID u : users) {
        WsClient c = hub.connect(u);
        clients.add(c);
        c.join(topic);
      }
      long start = System.nanoTime();
      for (WsClient c : clients) {
        c.send(null, c.nextRef(), topic, "presence", track(new JsonObject().put("status", "active")));
      }
      Set<String> seen = new HashSet<>();
      List<Long> arrivals = new ArrayList<>();
      while (seen.size() < crowd) {
        JsonArray diff = watcher.await(a -> "presence_diff".equals(a.getString(3)), Duration.ofSeconds(10));
        arrivals.add(System.nanoTime());
        seen.addAll(diffJoins(diff).fieldNames());
      }
      long elapsedMs = (System.nanoTime() - start) / 1_000_000;
      int frames = arrivals.size();
      // Never more than one frame per 50 ms window (plus one for the window in progress).
      assertTrue(frames <= elapsedMs / 50 + 2, frames + " frames in " + elapsedMs + " ms");
      assertTrue(frames < crowd / 2, "coalesced: " + frames + " frames for " + crowd + " joiners");
      for (int i = 1; i < arrivals.size(); i++) {
        assertTrue((arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000 >= 40,
            "diff frames at least a window apart (40 ms with scheduling slack)");
      }
    } finally {
      clients.forEach(WsClient::close);
      TestPostgres.execute("delete from users where email like 'crowd%@example.com'");
    }
  }
}
