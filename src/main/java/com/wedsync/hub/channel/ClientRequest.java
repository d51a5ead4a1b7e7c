package com.wedsync.hub.channel;

import com.wedsync.hub.auth.Principal;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;

/**
 * A client's push on a joined channel, handed to the feature that owns the event.
 *
 * @param binary the raw payload of a binary user broadcast (realtime-js kind 3), else null
 */
public record ClientRequest(Subscription subscription, Principal principal, String event, JsonObject payload,
                            Buffer binary, String connectionId) {
  public Topic topic() {
    return subscription.topic();
  }

  public Access access() {
    return subscription.access();
  }
}
