package com.wedsync.hub.notify;

import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import static com.wedsync.hub.support.Replies.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Notifications in cluster mode: two hub nodes in this JVM sharing one real Redis and PostgreSQL. A notification
 * posted to one node reaches its recipients on the other, with the unread count and a history position, once; and a
 * recipient who was away gets it back by rejoining with {@code since}.
 */
class ClusterNotificationTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID JAMES = UUID.fromString("11111111-0000-0000-0000-000000000002");
  static final Duration WAIT = Duration.ofSeconds(10);
  static TestRedis redis;
  static TestHub a;
  static TestHub b;

  @BeforeAll
  static void start() {
    redis = TestRedis.start();
    a = TestHub.clusterNode(redis, Map.of());
    b = TestHub.clusterNode(redis, Map.of());
  }

  @AfterAll
  static void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
    if (redis != null) redis.close();
  }

  static void post(String title, UUID... users) {
    JsonArray ids = new JsonArray();
    for (UUID u : users) ids.add(u.toString());
    var posted = a.request(HttpMethod.POST, "/api/v1/notifications", a.tokens.service(3600), new JsonObject()
        .put("user_ids", ids).put("type", "message_received").put("title", title));
    assertEquals(201, posted.status(), posted.body());
  }

  static boolean notification(JsonArray frame, UUID user, String title) {
    return ("realtime:user:" + user).equals(frame.getString(2)) && "notification".equals(frame.getString(3))
        && title.equals(frame.getJsonObject(4).getString("title"));
  }

  @Test
  void aNotificationPostedToOneNodeReachesItsRecipientOnTheOtherOnce() throws Exception {
    String topic = "realtime:user:" + EMMA;
    try (WsClient emma = b.connect(EMMA)) {
      ok(emma.join(topic));
      String title = "Message " + UUID.randomUUID();
      post(title, EMMA);
      JsonObject n = emma.await(f -> notification(f, EMMA, title), WAIT).getJsonObject(4);
      assertNotNull(n.getJsonObject("meta"), "durable: it carries its history position");
      JsonObject count = emma.await(f -> topic.equals(f.getString(2)) && "notification:count".equals(f.getString(3)),
          WAIT).getJsonObject(4);
      assertTrue(count.getLong("unread") >= 1, count.encode());
      Thread.sleep(500);
      // await took the one copy; nothing else may follow (each node delivers it to its own subscribers only).
      assertEquals(0, emma.received(f -> notification(f, EMMA, title)).size(), "exactly once across two nodes");
    }
  }

  @Test
  void aRecipientWhoWasAwayGetsItBackOnRejoiningAnotherNode() {
    String topic = "realtime:user:" + JAMES;
    JsonObject since;
    try (WsClient james = a.connect(JAMES)) {
      JsonObject joined = ok(james.join(topic));
      since = new JsonObject().put("offset", joined.getLong("offset")).put("epoch", joined.getString("epoch"));
    }
    String title = "While away " + UUID.randomUUID();
    post(title, JAMES);
    try (WsClient james = b.connect(JAMES)) {
      JsonObject rejoined = ok(james.join(topic, new JsonObject().put("since", since)));
      assertEquals(Boolean.TRUE, rejoined.getBoolean("recovered"), rejoined.encode());
      james.await(f -> notification(f, JAMES, title), WAIT);
    }
  }
}
