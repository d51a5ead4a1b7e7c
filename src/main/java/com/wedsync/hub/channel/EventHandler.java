package com.wedsync.hub.channel;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/**
 * A feature's answer to one client event on one channel family. The future's value is the {@code phx_reply} ok
 * response (null: no reply needed); a {@link ChannelError} failure becomes an error reply with its reason.
 */
@FunctionalInterface
public interface EventHandler {
  Future<JsonObject> handle(ClientRequest request);
}
