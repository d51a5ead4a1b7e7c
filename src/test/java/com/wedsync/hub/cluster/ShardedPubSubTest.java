package com.wedsync.hub.cluster;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestRedis;
import com.wedsync.hub.support.WsClient;
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
 * {@code cluster.sharded}: two nodes on a Redis 7 that carry every channel message with SPUBLISH/SSUBSCRIBE (the
 * pub/sub Redis Cluster shards by hash tag) instead of PUBLISH/SUBSCRIBE. Field changes (published inside the commit
 * script), broadcasts, presence and history recovery must work across the nodes exactly as with plain pub/sub.
 */
class ShardedPubSubTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");   // couple partner
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");  // supplier owner
  static final Duration WAIT = Duration.ofSeconds(10);
  static TestRedis redis;
  static TestHub a;
  static TestHub b;

  @BeforeAll
  static void start() {
    redis = TestRedis.startSeven();
    a = TestHub.clusterNode(redis, Map.of("WEDSYNC_HUB_CLUSTER_SHARDED", "true", "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200"));
    b = TestHub.clusterNode(redis, Map.of("WEDSYNC_HUB_CLUSTER_SHARDED", "true", "WEDSYNC_HUB_FORMS_SAVE_INTERVAL_MS", "200"));
  }

  @AfterAll
  static void stop() {
    if (a != null) a.close();
    if (b != null) b.close();
    if (redis != null) redis.close();
  }

  static boolean event(JsonArray frame, String topic, String event) {
    return topic.equals(frame.getString(2)) && event.equals(frame.getString(3));
  }

  @Test
  void editsBroadcastsAndPresenceCrossNodesOverShardedPubSub() {
    UUID form = TestForms.create("sharded", "notes:text");
    String topic = "realtime:form:" + form;
    try (WsClient sarah = a.connect(SARAH); WsClient emma = b.connect(EMMA)) {
      ok(emma.join(topic));
      ok(sarah.join(topic, new JsonObject().put("config", new JsonObject()
          .put("presence", new JsonObject().put("key", "").put("enabled", true)))));

      ok(sarah.request(topic, "field:set", new JsonObject().put("field", "notes").put("value", "sharded hello")
          .put("base_version", 0).put("op_id", "sharded-1")));
      JsonObject changed = emma.await(f -> event(f, topic, "field:changed"), WAIT).getJsonObject(4);
      assertEquals("sharded hello", changed.getValue("value"));
      assertNotNull(changed.getJsonObject("meta"), "numbered by the commit script, delivered by SPUBLISH");
      JsonObject saved = emma.await(f -> event(f, topic, "field:saved"), WAIT).getJsonObject(4);
      assertEquals(1L, saved.getLong("version"));

      sarah.request(topic, "broadcast", new JsonObject().put("type", "broadcast").put("event", "cursor")
          .put("payload", new JsonObject().put("x", 7)));
      JsonObject cast = emma.await(f -> event(f, topic, "broadcast"), WAIT).getJsonObject(4);
      assertEquals(7, cast.getJsonObject("payload").getInteger("x"));

      ok(sarah.request(topic, "presence", new JsonObject().put("type", "presence").put("event", "track")
          .put("payload", new JsonObject().put("status", "active"))));
      JsonObject diff = emma.await(f -> event(f, topic, "presence_diff")
          && f.getJsonObject(4).getJsonObject("joins").containsKey(SARAH.toString()), WAIT).getJsonObject(4);
      assertTrue(diff.getJsonObject("joins").containsKey(SARAH.toString()), diff.encode());
    }
  }

  @Test
  void aClientAwayFromOneNodeRecoversOnTheOther() {
    UUID form = TestForms.create("sharded recovery", "notes:text");
    String topic = "realtime:form:" + form;
    JsonObject since;
    try (WsClient emma = b.connect(EMMA)) {
      JsonObject joined = ok(emma.join(topic));
      since = new JsonObject().put("offset", joined.getLong("offset")).put("epoch", joined.getString("epoch"));
    }
    try (WsClient sarah = a.connect(SARAH)) {
      ok(sarah.join(topic));
      ok(sarah.request(topic, "field:set", new JsonObject().put("field", "notes").put("value", "while away")
          .put("base_version", 0).put("op_id", "sharded-2")));
    }
    try (WsClient emma = a.connect(EMMA)) {
      JsonObject rejoined = ok(emma.join(topic, new JsonObject().put("since", since)));
      assertEquals(Boolean.TRUE, rejoined.getBoolean("recovered"), rejoined.encode());
      JsonObject changed = emma.await(f -> event(f, topic, "field:changed"), WAIT).getJsonObject(4);
      assertEquals("while away", changed.getValue("value"));
    }
  }
}
