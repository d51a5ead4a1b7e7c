package com.wedsync.hub.demo;

import com.wedsync.hub.auth.DevTokens;
import com.wedsync.hub.channel.ChannelError;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.http.ApiError;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The demo app served by the hub at {@code /} (README "Demo app"): static files from the jar's {@code webroot/} (the
 * app's pages, the client library from {@code client/src} under {@code /lib/realtime-client/}, and the vendored
 * phoenix ESM build under {@code /vendor/phoenix/}), and the demo sign-in:
 *
 * <ul>
 *   <li>{@code GET /demo/users} lists the people of the demo world with what they are (couple member, supplier team
 *   role) — {@code {"users":[{"id","name","avatar_url","couples":[{"id","name","role"}],"teams":[{"id","name",
 *   "role"}]}]}};</li>
 *   <li>{@code POST /demo/sign-in} {@code {"user_id"}} answers {@code {"token","expires_in","user"}}: an HS256 token
 *   minted with the hub's own secret.</li>
 * </ul>
 *
 * <p>The sign-in routes work only when {@code demoData} is on and an HS256 secret is configured (the embedded
 * default); otherwise both answer 404 and nothing is minted. The static files are served either way: without a
 * sign-in they only show that demo sign-in is off.
 */
public final class DemoApp {
  /** The classpath folder of the static files. */
  public static final String WEBROOT = "webroot";
  /** Lifetime of a demo token; the app asks for a fresh one (its getToken) before it runs out. */
  static final long TOKEN_SECONDS = 2 * 3600;
  /**
   * The static paths: everything else falls through to the REST routes (and their 404). A regex route, because
   * StaticHandler resolves a plain route's path relative to the route ({@code /assets/*} would serve
   * {@code webroot/app.css} for {@code /assets/app.css}); under a regex route it resolves the whole path.
   */
  private static final String STATIC =
      "^/(|index\\.html|app\\.html|admin\\.html|sw\\.js|favicon\\.svg|assets/.*|lib/.*|vendor/.*)$";
  /** Routes of the app come before the REST routes of the same router. */
  private static final int ORDER = -100;

  private static final String USERS = """
      select u.id, u.name, u.avatar_url,
             coalesce((select json_agg(json_build_object('id', c.id, 'name', c.name, 'role', cm.role) order by c.name)
                         from couple_members cm join couples c on c.id = cm.couple_id where cm.user_id = u.id),
                      '[]'::json)::text as couples,
             coalesce((select json_agg(json_build_object('id', s.id, 'name', s.name, 'role', tm.role) order by s.name)
                         from team_members tm join suppliers s on s.id = tm.supplier_id where tm.user_id = u.id),
                      '[]'::json)::text as teams
        from users u order by u.id""";

  private final boolean signIn;
  private final Pool db;
  private final DevTokens tokens;

  public DemoApp(HubConfig config, Vertx vertx, Pool db) {
    String secret = config.auth().hs256Secret();
    this.signIn = config.demoData() && !secret.isEmpty();
    this.db = db;
    this.tokens = signIn ? new DevTokens(vertx, secret) : null;
  }

  /** Whether {@code /demo/users} and {@code /demo/sign-in} answer (demo data on, HS256 secret set). */
  public boolean signInEnabled() {
    return signIn;
  }

  /** Adds the app's routes to one event loop's router, ahead of the REST routes; returns the router. */
  public Router mount(Router router) {
    int order = ORDER;
    router.route(HttpMethod.GET, "/demo/users").order(order++).handler(this::users);
    router.route(HttpMethod.POST, "/demo/sign-in").order(order++).handler(BodyHandler.create().setBodyLimit(4096))
        .handler(this::signIn);
    StaticHandler files = StaticHandler.create(WEBROOT)
        .setDirectoryListing(false)
        .setIncludeHidden(false)
        .setIndexPage("index.html")
        .setDefaultContentEncoding("UTF-8")
        .setCachingEnabled(true); // Last-Modified and 304s; the Cache-Control is replaced below
    // The sync-health page (admins only: the page asks the admin API, which refuses everyone else).
    router.route(HttpMethod.GET, "/admin").order(order++).handler(ctx -> ctx.reroute("/admin.html"));
    router.routeWithRegex(STATIC).order(order).method(HttpMethod.GET).method(HttpMethod.HEAD)
        .handler(DemoApp::headers).handler(files);
    return router;
  }

  /**
   * The files have fixed names (no content hashes), so a browser must ask again every time — cheaply, with
   * If-Modified-Since answered 304 — rather than keep a stale copy for a day (StaticHandler's default).
   */
  private static void headers(RoutingContext ctx) {
    ctx.addHeadersEndHandler(v -> {
      var h = ctx.response().headers();
      h.set("cache-control", "no-cache");
      h.set("x-content-type-options", "nosniff");
      if (ctx.request().path().equals("/sw.js")) h.set("service-worker-allowed", "/");
    });
    ctx.next();
  }

  private void users(RoutingContext ctx) {
    if (!refuseUnlessOn(ctx)) return;
    db.query(USERS).execute()
        .map(rows -> {
          JsonArray users = new JsonArray();
          for (Row row : rows) users.add(user(row));
          return new JsonObject().put("users", users);
        })
        .onSuccess(body -> json(ctx, 200, body))
        .onFailure(e -> ApiError.send(ctx, e));
  }

  private void signIn(RoutingContext ctx) {
    if (!refuseUnlessOn(ctx)) return;
    UUID userId;
    try {
      JsonObject body = ctx.body().asJsonObject();
      userId = UUID.fromString(body == null ? "" : String.valueOf(body.getValue("user_id")));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      ApiError.send(ctx, ChannelError.invalid("user_id", "user_id must be the id of a demo user"));
      return;
    }
    db.preparedQuery(USERS.replace("order by u.id", "where u.id = $1")).execute(Tuple.of(userId))
        .onSuccess(rows -> {
          if (rows.size() == 0) {
            ApiError.send(ctx, new ChannelError("not_found", "no user " + userId));
            return;
          }
          json(ctx, 200, new JsonObject()
              .put("token", tokens.user(userId, TOKEN_SECONDS))
              .put("expires_in", TOKEN_SECONDS)
              .put("user", user(rows.iterator().next())));
        })
        .onFailure(e -> ApiError.send(ctx, e));
  }

  /** False (and a 404 sent) when demo sign-in is off: nothing is read and nothing is minted. */
  private boolean refuseUnlessOn(RoutingContext ctx) {
    if (signIn) return true;
    ApiError.send(ctx, new ChannelError("not_found", "demo sign-in is off (it needs demoData and an HS256 secret)"));
    return false;
  }

  private static JsonObject user(Row row) {
    Map<String, Object> u = new LinkedHashMap<>();
    u.put("id", row.getUUID("id").toString());
    u.put("name", row.getString("name"));
    u.put("avatar_url", row.getString("avatar_url"));
    u.put("couples", new JsonArray(row.getString("couples")));
    u.put("teams", new JsonArray(row.getString("teams")));
    return new JsonObject(u);
  }

  private static void json(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .putHeader("cache-control", "no-store").end(body.encode());
  }
}
