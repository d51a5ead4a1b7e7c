package com.wedsync.hub.backplane;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

/** One node: a message to itself is handed over (on the next loop turn, as a remote one would be); no other exists. */
final class LocalNodeRelay implements NodeRelay {
  private final Vertx vertx;
  private final String nodeId;
  private volatile Handler<JsonObject> handler = m -> { };

  LocalNodeRelay(Vertx vertx, String nodeId) {
    this.vertx = vertx;
    this.nodeId = nodeId;
  }

  @Override
  public String nodeId() {
    return nodeId;
  }

  @Override
  public Future<Boolean> send(String node, JsonObject message) {
    if (!nodeId.equals(node)) return Future.succeededFuture(false);
    vertx.runOnContext(v -> handler.handle(message));
    return Future.succeededFuture(true);
  }

  @Override
  public void onMessage(Handler<JsonObject> handler) {
    this.handler = handler;
  }
}
