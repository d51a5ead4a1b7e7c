package com.wedsync.hub.protocol;

import com.wedsync.hub.support.NodeScripts;
import com.wedsync.hub.support.TestHub;
import com.wedsync.hub.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.RequestOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The long-poll transport in a cluster, behind a load balancer that is not sticky: a proxy sends each HTTP request to
 * the next of two nodes in turn, so a session's polls and posts land on both. The unmodified phoenix LongPoll client
 * must pass the same checks as on one node (the node holding the session answers through the relay).
 */
class LongPollClusterTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");

  static TestRedis redis;
  static TestHub a;
  static TestHub b;
  static Vertx proxyVertx;
  static HttpServer proxy;
  static final AtomicInteger toA = new AtomicInteger();
  static final AtomicInteger toB = new AtomicInteger();

  @BeforeAll
  static void start() throws Exception {
    redis = TestRedis.start();
    Map<String, String> env = Map.of("WEDSYNC_HUB_SOCKET_IDLE_TIMEOUT_MS", "3000");
    a = TestHub.clusterNode(redis, env);
    b = TestHub.clusterNode(redis, env);
    proxyVertx = Vertx.vertx();
    HttpClient client = proxyVertx.createHttpClient();
    AtomicInteger next = new AtomicInteger();
    List<TestHub> nodes = List.of(a, b);
    proxy = proxyVertx.createHttpServer().requestHandler(req -> {
      int i = next.getAndIncrement() % 2;
      (i == 0 ? toA : toB).incrementAndGet();
      TestHub node = nodes.get(i);
      req.body().compose(body -> client.request(new RequestOptions().setMethod(req.method())
              .setHost("127.0.0.1").setPort(node.hub.port()).setURI(req.uri()).setHeaders(req.headers()))
          .compose(out -> out.send(body))
          .compose(resp -> resp.body().map(b -> {
            req.response().setStatusCode(resp.statusCode()).headers().addAll(resp.headers());
            req.response().end(b);
            return (Void) null;
          })))
          .onFailure(e -> req.response().setStatusCode(502).end());
    }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (proxyVertx != null) proxyVertx.close();
    for (TestHub h : new TestHub[] {a, b}) if (h != null) h.close();
    if (redis != null) redis.close();
  }

  @Test
  void theLongPollClientConformsWhenEveryRequestMayLandOnEitherNode() {
    NodeScripts js = NodeScripts.in("src/test/js", "phoenix", "ws");
    Map<String, String> env = Map.of(
        "HUB_ENDPOINT", "http://127.0.0.1:" + proxy.actualPort() + "/realtime/v1",
        "WS_ENDPOINT", "ws://127.0.0.1:" + b.hub.port() + "/realtime/v1",
        "TOKEN_EMMA", a.token(EMMA),
        "TOKEN_SARAH", a.token(SARAH));
    js.node("longpoll-conformance.js", env, 120);
    assertTrue(toA.get() > 5 && toB.get() > 5, "requests reached both nodes: " + toA + " and " + toB);
  }
}
