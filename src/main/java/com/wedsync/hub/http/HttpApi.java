package com.wedsync.hub.http;

import com.wedsync.hub.auth.Principal;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.ClientText;
import com.wedsync.hub.channel.Topic;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.presence.PresenceTracker;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.validation.ValidatorException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The REST side of the hub (docs/protocol.md §10) and the operations endpoints. The OpenAPI document
 * ({@link OpenApiDocument}) is the one list of routes: the REST routes are built from it by operationId
 * ({@link OpenApiRouter}), the rest are plain routes at the paths it gives. One router per event loop.
 */
public final class HttpApi {
  private static final int MAX_BODY = 1 << 20;

  private final String nodeId;
  private final Pool db;
  private final HttpAuth auth;
  private final ChannelRegistry channels;
  private final PresenceTracker presence;
  private final HubMetrics metrics;
  /** The REST handlers by operationId: this class's and every feature's ({@link #with}). */
  private final Map<String, Handler<RoutingContext>> handlers = new LinkedHashMap<>();
  private final java.util.Map<String, java.util.function.Supplier<Future<?>>> readiness =
      new java.util.LinkedHashMap<>();
  /** The parsed contract of the REST routes, and what its refusals become: loaded once, shared by every router. */
  private volatile Contract contract;

  private record Contract(OpenAPIContract routes, ValidationErrors errors) {}

  private final long requestTimeoutMs;
  /** How long a {@code /ready} check may take before it counts as failed. */
  private long readyTimeoutMs = 2000;
  /** True once a graceful shutdown has begun: {@code /ready} then answers 503 at once. */
  private java.util.function.BooleanSupplier shuttingDown = () -> false;

  public HttpApi(String nodeId, Pool db, HttpAuth auth, ChannelRegistry channels, PresenceTracker presence,
                 HubMetrics metrics, long requestTimeoutMs) {
    this.requestTimeoutMs = requestTimeoutMs;
    this.nodeId = nodeId;
    this.db = db;
    this.auth = auth;
    this.channels = channels;
    this.presence = presence;
    this.metrics = metrics;
    with(this::operations);
  }

  /**
   * The operations of the document served as plain router routes, outside the RouterBuilder: the operations
   * endpoints and the document itself. Their method and path are read from the document too.
   */
  static final Set<String> PLAIN_OPERATIONS = Set.of("getHealth", "getReady", "getMetrics", "getOpenApi");

  private Map<String, Handler<RoutingContext>> operations() {
    Map<String, Handler<RoutingContext>> ops = new LinkedHashMap<>();
    ops.put("getMe", this::me);
    ops.put("getChannelPresence", this::presenceSnapshot);
    return ops;
  }

  /** Another dependency {@code /ready} checks (PostgreSQL is always checked). */
  public HttpApi readyWhen(String name, java.util.function.Supplier<Future<?>> check) {
    readiness.put(name, check);
    return this;
  }

  /** More checks for {@code /ready}, by name. */
  public HttpApi readyWhen(java.util.Map<String, java.util.function.Supplier<Future<?>>> checks) {
    readiness.putAll(checks);
    return this;
  }

  /** {@code /ready}'s checks time out after {@code timeoutMs}, and it answers 503 while {@code shuttingDown} is true. */
  public HttpApi readiness(long timeoutMs, java.util.function.BooleanSupplier shuttingDown) {
    this.readyTimeoutMs = timeoutMs;
    this.shuttingDown = shuttingDown;
    return this;
  }

  /**
   * A feature's REST handlers, by operationId, added before {@link #load}. Two handlers for one operation are refused
   * here; an operation of the document without a handler, or a handler for none, makes {@link #load} fail.
   */
  public HttpApi with(ApiRoutes feature) {
    feature.operations().forEach((operationId, handler) -> {
      if (handlers.putIfAbsent(operationId, handler) != null) {
        throw new IllegalStateException("two handlers for the REST operation " + operationId);
      }
    });
    return this;
  }

  /**
   * Parses the REST contract (the document without the {@link #PLAIN_OPERATIONS}) and checks that every operation has
   * exactly one handler and every handler an operation, once, before any router is built: the hub does not start
   * otherwise.
   */
  public Future<Void> load(Vertx vertx) {
    Map<String, OpenApiDocument.Operation> document = OpenApiDocument.operations();
    for (String id : PLAIN_OPERATIONS) {
      if (!document.containsKey(id)) {
        return Future.failedFuture(new IllegalStateException("the OpenAPI document has no operation " + id));
      }
    }
    return OpenApiDocument.contractWithout(vertx, PLAIN_OPERATIONS).map(routes -> {
      OpenApiRouter.checkBindings(routes, handlers);
      contract = new Contract(routes, new ValidationErrors(routes));
      return (Void) null;
    });
  }

  /** The router of one event loop: the operations endpoints, the document, and the REST routes built from it. */
  public Router router(Vertx vertx) {
    Contract c = contract;
    if (c == null) throw new IllegalStateException("HttpApi.load must complete before routers are built");
    Router r = Router.router(vertx);
    plain(r, "getHealth", ctx -> json(ctx, 200, new JsonObject().put("status", "ok").put("node", nodeId)));
    plain(r, "getReady", this::ready);
    plain(r, "getMetrics", ctx -> ctx.response().putHeader("content-type", "text/plain; version=0.0.4")
        .end(metrics.registry().scrape()));
    // A request whose body trickles in, or whose handler never finishes, is answered 503 and its connection freed.
    r.route("/api/*").handler(io.vertx.ext.web.handler.TimeoutHandler.create(requestTimeoutMs));
    r.route("/realtime/v1/api/*").handler(io.vertx.ext.web.handler.TimeoutHandler.create(requestTimeoutMs));
    r.route("/api/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY));
    r.route("/realtime/v1/api/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY));
    r.route("/api/*").handler(HttpApi::storableInput);
    r.route("/realtime/v1/api/*").handler(HttpApi::storableInput);
    String document = OpenApiDocument.text();
    plain(r, "getOpenApi", ctx -> ctx.response().putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-cache").end(document));
    // Every other operation of the document: validated (the RouterBuilder's handler), then its handler. Its routes
    // carry the document's full paths, so it is mounted at the root, after the edge handlers above.
    r.route("/*").subRouter(OpenApiRouter.create(vertx, c.routes(), handlers));
    r.route().last().handler(ctx -> ApiError.send(ctx, new ChannelError("not_found",
        "no route for " + ctx.request().method() + " " + ctx.request().path())));
    r.route().failureHandler(ctx -> {
      ValidatorException refused = ValidationErrors.validatorException(ctx.failure());
      if (refused != null) {
        ApiError.send(ctx, c.errors().refusal(refused, ctx.get(OpenApiRouter.OPERATION), ctx.get(OpenApiRouter.REQUEST)));
      } else if (ctx.statusCode() == 413) {
        ApiError.send(ctx, new ChannelError("payload_too_large", "request body over " + MAX_BODY + " bytes"));
      } else if (ctx.statusCode() == 503 && ctx.failure() == null) {
        ApiError.send(ctx, new ChannelError("unavailable", "the request was not complete within "
            + requestTimeoutMs + " ms"));
      } else {
        ApiError.send(ctx, ctx.failure() == null ? new ChannelError("invalid", "bad request") : ctx.failure());
      }
    });
    return r;
  }

  /** A route of the document served outside the RouterBuilder (no validation), at the document's method and path. */
  private static void plain(Router r, String operationId, Handler<RoutingContext> handler) {
    OpenApiDocument.Operation op = OpenApiDocument.operations().get(operationId);
    r.route(op.method(), op.routerPath()).handler(handler);
  }

  /**
   * Every string of a request — path, query parameters, and each key and value of a JSON body — passes
   * {@link ClientText} before a route sees it, as frames on the socket do.
   */
  private static void storableInput(RoutingContext ctx) {
    try {
      String path;
      try {
        path = java.net.URLDecoder.decode(ctx.request().path(), java.nio.charset.StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw ChannelError.invalid("path", "the path has a malformed %-escape");
      }
      ClientText.check("path", path);
      for (var param : ctx.queryParams()) {
        ClientText.check(param.getKey(), param.getKey());
        ClientText.check(param.getKey(), param.getValue());
      }
      var body = ctx.body();
      if (body != null && body.length() > 0) {
        Object json;
        try {
          json = io.vertx.core.json.Json.decodeValue(body.buffer());
        } catch (io.vertx.core.json.DecodeException notJson) {
          json = null; // the route (or the contract) answers a body that is not JSON
        }
        ClientText.checkJson("", json);
      }
    } catch (ChannelError e) {
      ApiError.send(ctx, e);
      return;
    } catch (IllegalArgumentException e) { // a query string Vert.x cannot decode
      ApiError.send(ctx, ChannelError.invalid("query", "the query string is malformed: " + e.getMessage()));
      return;
    }
    ctx.next();
  }

  private void ready(RoutingContext ctx) {
    java.util.Map<String, java.util.function.Supplier<Future<?>>> checks = new java.util.LinkedHashMap<>();
    checks.put("postgres", () -> db.query("select 1").execute());
    checks.putAll(readiness);
    ReadyChecks.run(ctx.vertx(), nodeId, checks, readyTimeoutMs, shuttingDown)
        .onSuccess(v -> json(ctx, v.ready() ? 200 : 503, v.body()));
  }

  private static final String ME = """
      select 'wedding' as kind, w.id::text as id from weddings w where w.couple_id = any($1)
      union select 'wedding', ws.wedding_id::text from wedding_suppliers ws where ws.supplier_id = any($2)
      union select 'form', f.id::text from forms f join weddings w on w.id = f.wedding_id
             where f.supplier_id = any($2) or w.couple_id = any($1)
      union select 'journey', jc.journey_id || ':' || jc.couple_id from journey_clients jc
             join journeys j on j.id = jc.journey_id where j.supplier_id = any($2) or jc.couple_id = any($1)""";

  private void me(RoutingContext ctx) {
    auth.user(ctx).compose(p -> db.preparedQuery(ME)
            .execute(Tuple.tuple().addValue(p.couples().toArray(new UUID[0]))
                .addValue(p.teamRoles().keySet().toArray(new UUID[0])))
            .map(rows -> {
              JsonArray weddings = new JsonArray();
              JsonArray topics = new JsonArray().add("user:" + p.userId());
              p.teamRoles().keySet().forEach(s -> {
                topics.add("supplier:" + s);
                for (String suffix : List.of("team", "clients", "forms", "journeys")) topics.add("supplier:" + s + ":" + suffix);
              });
              p.couples().forEach(c -> {
                topics.add("couple:" + c);
                for (String suffix : List.of("suppliers", "tasks", "timeline")) topics.add("couple:" + c + ":" + suffix);
              });
              for (Row row : rows) {
                if (row.getString("kind").equals("wedding")) weddings.add(row.getString("id"));
                topics.add(row.getString("kind") + ":" + row.getString("id"));
              }
              return describe(p).put("weddings", weddings).put("channels", topics);
            }))
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(e -> ApiError.send(ctx, e));
  }

  private static JsonObject describe(Principal p) {
    JsonObject teams = new JsonObject();
    p.teamRoles().forEach((s, role) -> teams.put(s.toString(), role));
    return new JsonObject()
        .put("user", new JsonObject().put("id", p.userId().toString()).put("name", p.name())
            .put("avatar_url", p.avatarUrl()).put("admin", p.admin()).put("invisible", p.invisible()))
        .put("teams", teams)
        .put("couples", new JsonArray(p.couples().stream().map(UUID::toString).toList()));
  }

  private void presenceSnapshot(RoutingContext ctx) {
    String name = Topic.bare(ctx.pathParam("topic"));
    Topic topic = ChannelRegistry.parse(name).orElse(null);
    if (topic == null) {
      ApiError.send(ctx, new ChannelError("not_found", "no channel family matches '" + name + "'"));
      return;
    }
    auth.user(ctx)
        .compose(p -> channels.authorize(p, topic))
        .compose(access -> access.allowed() ? presence.state(topic.name(), access::sees)
            : Future.failedFuture(ChannelError.forbidden("no access to " + topic.name())))
        .onSuccess(state -> json(ctx, 200, state))
        .onFailure(e -> ApiError.send(ctx, e));
  }

  public static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
