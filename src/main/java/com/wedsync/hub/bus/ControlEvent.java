package com.wedsync.hub.bus;

import io.vertx.core.json.JsonObject;

/** A signal between hub parts that clients never see, e.g. "these users' memberships changed". */
public record ControlEvent(String topic, String name, JsonObject data) implements BusMessage {
  /** Every socket verticle on every node listens here. */
  public static final String HUB_TOPIC = "hub:control";
}
