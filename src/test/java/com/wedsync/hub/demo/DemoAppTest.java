package com.wedsync.hub.demo;

import com.wedsync.hub.support.TestHub;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The demo app over HTTP (the browser tests are {@link DemoBrowserTest}): the static files from the jar's webroot with
 * sensible headers and no directory listing, the client library and the vendored phoenix beside them, the demo
 * sign-in with demo data on, and nothing minted with it off.
 */
class DemoAppTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final HttpClient HTTP = HttpClient.newHttpClient();

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  @Test
  void theAppIsServedAtTheRootWithRevalidatedCachingAndNoDirectoryListing() throws Exception {
    HttpResponse<String> index = get(hub, "/");
    assertEquals(200, index.statusCode());
    assertTrue(index.headers().firstValue("content-type").orElse("").startsWith("text/html"));
    assertTrue(index.body().contains("Try the Realtime Hub"), "the sign-in page");
    assertEquals("no-cache", index.headers().firstValue("cache-control").orElse(""));
    assertEquals("nosniff", index.headers().firstValue("x-content-type-options").orElse(""));
    String lastModified = index.headers().firstValue("last-modified").orElse("");
    assertFalse(lastModified.isEmpty(), "Last-Modified, for cheap revalidation");
    HttpResponse<String> again = HTTP.send(HttpRequest.newBuilder(uri(hub, "/")).header("If-Modified-Since", lastModified)
        .build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(304, again.statusCode());

    HttpResponse<String> app = get(hub, "/app.html");
    assertEquals(200, app.statusCode());
    assertTrue(app.body().contains("\"phoenix\": \"/vendor/phoenix/phoenix.mjs\""), "the import map");
    HttpResponse<String> sw = get(hub, "/sw.js");
    assertTrue(sw.headers().firstValue("content-type").orElse("").startsWith("text/javascript"));

    assertEquals(404, get(hub, "/assets/").statusCode(), "no directory listing");
    assertEquals(404, get(hub, "/lib/realtime-client/").statusCode(), "no directory listing");
    assertEquals(404, get(hub, "/assets/nope.js").statusCode());
    assertEquals(404, get(hub, "/assets/../../conf/hub.json").statusCode());
  }

  @Test
  void theClientLibraryAndTheVendoredPhoenixComeFromTheJar() throws Exception {
    HttpResponse<String> lib = get(hub, "/lib/realtime-client/index.js");
    assertEquals(200, lib.statusCode());
    assertTrue(lib.headers().firstValue("content-type").orElse("").startsWith("text/javascript"));
    assertEquals(Files.readString(Path.of("client/src/index.js")), lib.body());
    HttpResponse<byte[]> phoenix = HTTP.send(HttpRequest.newBuilder(uri(hub, "/vendor/phoenix/phoenix.mjs")).build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(200, phoenix.statusCode());
    assertTrue(phoenix.headers().firstValue("content-type").orElse("").startsWith("text/javascript"));
    assertArrayEquals(Files.readAllBytes(Path.of("client/vendor/phoenix.mjs")), phoenix.body());
  }

  @Test
  void demoUsersAndSignInMintATokenTheHubAccepts() {
    JsonArray users = hub.request(HttpMethod.GET, "/demo/users", null, null).json().getJsonArray("users");
    JsonObject emma = users.stream().map(JsonObject.class::cast)
        .filter(u -> u.getString("id").equals(EMMA.toString())).findFirst().orElseThrow();
    assertEquals("Emma Wilson", emma.getString("name"));
    assertEquals("Emma & James", emma.getJsonArray("couples").getJsonObject(0).getString("name"));
    JsonObject sarah = users.stream().map(JsonObject.class::cast)
        .filter(u -> u.getString("name").equals("Sarah Jones")).findFirst().orElseThrow();
    assertEquals("owner", sarah.getJsonArray("teams").getJsonObject(0).getString("role"));

    TestHub.HttpResult signIn = hub.request(HttpMethod.POST, "/demo/sign-in", null,
        new JsonObject().put("user_id", EMMA.toString()));
    assertEquals(200, signIn.status(), signIn.body());
    String token = signIn.json().getString("token");
    assertEquals("Emma Wilson", signIn.json().getJsonObject("user").getString("name"));
    assertEquals(DemoApp.TOKEN_SECONDS, signIn.json().getLong("expires_in"));
    JsonObject me = hub.request(HttpMethod.GET, "/api/v1/me", token, null).json();
    assertEquals(EMMA.toString(), me.getJsonObject("user").getString("id"));

    assertEquals(404, hub.request(HttpMethod.POST, "/demo/sign-in", null,
        new JsonObject().put("user_id", UUID.randomUUID().toString())).status(), "no such user");
    TestHub.HttpResult bad = hub.request(HttpMethod.POST, "/demo/sign-in", null, new JsonObject().put("user_id", "x"));
    assertEquals(400, bad.status());
    assertEquals("user_id", bad.json().getJsonObject("error").getString("field"));
  }

  @Test
  void theRestRoutesAreUntouched() {
    TestHub.HttpResult unknown = hub.request(HttpMethod.GET, "/api/v1/nope", null, null);
    assertEquals(404, unknown.status());
    assertEquals("not_found", unknown.json().getJsonObject("error").getString("code"));
    assertEquals(401, hub.request(HttpMethod.GET, "/api/v1/me", null, null).status());
    assertEquals(200, hub.request(HttpMethod.GET, "/health", null, null).status());
  }

  @Test
  void withoutDemoDataTheSignInRoutesAnswer404AndMintNothing() throws Exception {
    try (TestHub off = TestHub.start(Map.of("WEDSYNC_HUB_DEMO_DATA", "false"))) {
      TestHub.HttpResult users = off.request(HttpMethod.GET, "/demo/users", null, null);
      assertEquals(404, users.status());
      TestHub.HttpResult signIn = off.request(HttpMethod.POST, "/demo/sign-in", null,
          new JsonObject().put("user_id", EMMA.toString()));
      assertEquals(404, signIn.status());
      assertEquals("not_found", signIn.json().getJsonObject("error").getString("code"));
      assertFalse(signIn.json().containsKey("token"));
      assertEquals(200, get(off, "/").statusCode(), "the page itself is served; it says sign-in is off");
    }
  }

  private static URI uri(TestHub h, String path) {
    return URI.create("http://127.0.0.1:" + h.hub.port() + path);
  }

  private static HttpResponse<String> get(TestHub h, String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(uri(h, path)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
