package com.wedsync.hub.broadcast;

import com.wedsync.hub.bus.Audience;
import com.wedsync.hub.channel.Access;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.http.ApiError;
import com.wedsync.hub.http.ApiRoutes;
import com.wedsync.hub.http.HttpApi;
import com.wedsync.hub.http.HttpAuth;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/**
 * Server-side broadcast (Supabase's {@code POST /realtime/v1/api/broadcast}): a service-role token may publish
 * anywhere; a user token only where that user may write, and a supplier's team member to the couple and its own team
 * only — as on the socket, through the same {@link Broadcasts}.
 */
public final class BroadcastRoutes implements ApiRoutes {
  static final int MAX_MESSAGES = 100;

  private record Message(Topic topic, String event, JsonObject payload) {}

  private final HttpAuth auth;
  private final ChannelRegistry channels;
  private final Broadcasts broadcasts;

  public BroadcastRoutes(HttpAuth auth, ChannelRegistry channels, Broadcasts broadcasts) {
    this.auth = auth;
    this.channels = channels;
    this.broadcasts = broadcasts;
  }

  @Override
  public java.util.Map<String, io.vertx.core.Handler<RoutingContext>> operations() {
    return java.util.Map.of("postBroadcast", this::broadcast);
  }

  private void broadcast(RoutingContext ctx) {
    List<Message> messages;
    try {
      messages = messages(ctx.body().asJsonObject());
    } catch (ChannelError e) {
      ApiError.send(ctx, e);
      return;
    } catch (RuntimeException e) {
      ApiError.send(ctx, ChannelError.invalid("body", "body is not a JSON object"));
      return;
    }
    auth.claims(ctx).compose(claims -> {
      if (claims.isService()) {
        List<Audience> everyone = new ArrayList<>();
        messages.forEach(m -> everyone.add(null));
        return Future.succeededFuture(new Sent(new JsonObject().put("user_id", (String) null).put("name", "service"),
            everyone));
      }
      if (claims.subject() == null) return Future.failedFuture(ChannelError.forbidden("this token may not publish"));
      return auth.user(ctx).compose(p -> Future.all(messages.stream().map(m -> channels.authorize(p, m.topic())
          .map(a -> {
            if (!a.canWrite()) throw ChannelError.forbidden("no write access to " + m.topic().name());
            return a;
          })).toList()).map(all -> {
            List<Audience> audiences = new ArrayList<>();
            for (int i = 0; i < messages.size(); i++) audiences.add(all.<Access>resultAt(i).ownAudience());
            return new Sent(p.identity(), audiences);
          }));
    }).onSuccess(sent -> {
      for (int i = 0; i < messages.size(); i++) {
        Message m = messages.get(i);
        broadcasts.publish(m.topic().name(), m.event(), m.payload(), sent.sender(), sent.audiences().get(i));
      }
      HttpApi.json(ctx, 202, new JsonObject().put("accepted", messages.size()));
    }).onFailure(e -> ApiError.send(ctx, e));
  }

  private record Sent(JsonObject sender, List<Audience> audiences) {}

  private static List<Message> messages(JsonObject body) {
    if (body == null || !(body.getValue("messages") instanceof JsonArray messages) || messages.isEmpty()) {
      throw ChannelError.invalid("messages", "body needs a non-empty \"messages\" array");
    }
    if (messages.size() > MAX_MESSAGES) {
      throw ChannelError.invalid("messages", "at most " + MAX_MESSAGES + " messages per call");
    }
    List<Message> out = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String at = "messages[" + i + "]";
      if (!(messages.getValue(i) instanceof JsonObject m)) throw ChannelError.invalid(at, at + " must be an object");
      Topic topic = m.getValue("topic") instanceof String t ? ChannelRegistry.parse(Topic.bare(t)).orElse(null) : null;
      if (topic == null) throw ChannelError.invalid(at + ".topic", at + ".topic names no known channel");
      String event = Broadcasts.event(m.getValue("event"), at + ".event");
      if (!(m.getValue("payload", new JsonObject()) instanceof JsonObject payload)) {
        throw ChannelError.invalid(at + ".payload", at + ".payload must be an object");
      }
      out.add(new Message(topic, event, payload));
    }
    return out;
  }
}
