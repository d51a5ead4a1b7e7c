package com.wedsync.hub.backplane;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;

/**
 * Messages from one node to another named node (not to a channel's subscribers): how a request that reached the wrong
 * node is carried to the node holding its state — a long-poll request whose session lives elsewhere. Delivery is
 * best effort: the sender times out and answers for itself when the other node is gone.
 */
public interface NodeRelay {

  /** This node's id, to which replies are sent. */
  String nodeId();

  /**
   * Sends {@code message} to {@code node}. Completes with whether a live node took it: false when no such node
   * listens (it died, or never existed), so the caller can answer at once instead of waiting.
   */
  Future<Boolean> send(String node, JsonObject message);

  /** What this node does with the messages sent to it (set once, at start-up). */
  void onMessage(Handler<JsonObject> handler);
}
