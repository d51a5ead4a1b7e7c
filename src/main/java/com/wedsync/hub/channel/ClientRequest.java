package com.wedsync.hub.channel;

import com.wedsync.hub.auth.Principal;
import io.vertx.core.json.JsonObject;

/** A client's push on a joined channel, handed to the feature that owns the event. */
public record ClientRequest(Subscription subscription, Principal principal, String event, JsonObject payload,
                            String connectionId) {
  public Topic topic() {
    return subscription.topic();
  }

  public Access access() {
    return subscription.access();
  }
}
