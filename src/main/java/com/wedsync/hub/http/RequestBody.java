package com.wedsync.hub.http;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The JSON object a route was sent, or an {@code invalid} error naming the body. */
public final class RequestBody {
  private RequestBody() {
  }

  public static JsonObject jsonBody(RoutingContext ctx) {
    try {
      JsonObject b = ctx.body().asJsonObject();
      if (b == null) throw ChannelError.invalid("body", "a JSON object body is required");
      return b;
    } catch (io.vertx.core.json.DecodeException | ClassCastException e) {
      throw ChannelError.invalid("body", "body is not a JSON object");
    }
  }
}
