package com.wedsync.hub.http;

import com.wedsync.hub.support.TestForms;
import com.wedsync.hub.support.TestHub;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.openapi.contract.OpenAPIContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** docs/protocol.md §10: the OpenAPI document is served, describes every route, and requests are validated against it. */
class OpenApiTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final String FORM = "55555555-0000-0000-0000-000000000001";
  static final String WEDDING = "44444444-0000-0000-0000-000000000001";

  static TestHub hub;

  @BeforeAll
  static void start() {
    hub = TestHub.start();
  }

  @AfterAll
  static void stop() {
    hub.close();
  }

  // ---- the document ---------------------------------------------------------------------------------------------

  @Test
  void theDocumentIsServedWithoutAuthAndIsAValidContract() throws Exception {
    TestHub.HttpResult res = hub.request(HttpMethod.GET, "/api/v1/openapi.json", null, null);
    assertEquals(200, res.status(), res.body());
    JsonObject doc = res.json();
    assertTrue(doc.getString("openapi").startsWith("3."), doc.getString("openapi"));
    assertEquals(OpenApiDocument.json(), doc, "the served document is the one the hub routes and validates with");
    // vertx-openapi accepts it (it checks the document against the OpenAPI meta-schema and resolves every $ref)
    OpenAPIContract contract = OpenAPIContract.from(hub.client, doc).toCompletionStage().toCompletableFuture()
        .get(30, TimeUnit.SECONDS);
    assertEquals(OpenApiDocument.operations().size(), contract.operations().size());
    JsonObject bearer = doc.getJsonObject("components").getJsonObject("securitySchemes").getJsonObject("bearerAuth");
    assertEquals("http", bearer.getString("type"));
    assertEquals("bearer", bearer.getString("scheme"));
    assertEquals("JWT", bearer.getString("bearerFormat"));
  }

  @Test
  void theDocumentListsEveryRouteWithAnOperationIdAndResponses() {
    JsonObject doc = hub.request(HttpMethod.GET, "/api/v1/openapi.json", null, null).json();
    JsonObject paths = doc.getJsonObject("paths");
    Set<String> listed = new TreeSet<>();
    Set<String> ids = new TreeSet<>();
    for (String path : paths.fieldNames()) {
      for (String method : paths.getJsonObject(path).fieldNames()) {
        JsonObject op = paths.getJsonObject(path).getJsonObject(method);
        listed.add(method.toUpperCase() + " " + path);
        String id = op.getString("operationId");
        assertNotNull(id, method + " " + path + " has an operationId");
        assertTrue(ids.add(id), "operationId " + id + " is unique");
        JsonObject responses = op.getJsonObject("responses");
        assertTrue(responses.containsKey("200") || responses.containsKey("201") || responses.containsKey("202"),
            method + " " + path);
      }
    }
    Set<String> operations = new TreeSet<>();
    OpenApiDocument.operations().forEach((id, op) -> {
      operations.add(op.method() + " " + op.path());
      assertTrue(ids.contains(id), id);
    });
    assertEquals(listed, operations);
    assertEquals(ids.size(), OpenApiDocument.operations().size());

    // the details the handlers rely on
    JsonObject schemas = doc.getJsonObject("components").getJsonObject("schemas");
    JsonObject put = schemas.getJsonObject("FieldSetRequest");
    assertTrue(put.getJsonArray("required").contains("value"));
    assertTrue(put.getJsonArray("required").contains("op_id"));
    assertEquals(0, put.getJsonObject("properties").getJsonObject("base_version").getInteger("minimum"));
    JsonObject patch = schemas.getJsonObject("WeddingPatch");
    assertEquals(Boolean.FALSE, patch.getValue("additionalProperties"));
    assertEquals(Set.of("wedding_date", "ceremony_time", "venue_name", "venue_address", "guest_count",
        "partner1_name", "partner2_name", "contact_email", "contact_phone", "op_id"),
        patch.getJsonObject("properties").fieldNames());
    assertEquals("uuid", schemas.getJsonObject("Uuid").getString("format"));
    assertEquals("^[a-z][a-z0-9_]{0,63}$", schemas.getJsonObject("FieldKey").getString("pattern"));
    assertEquals(List.of(), paths.getJsonObject("/health").getJsonObject("get").getJsonArray("security").getList());
    assertEquals(List.of(Map.of("bearerAuth", List.of())), doc.getJsonArray("security").getList());
    JsonObject error = schemas.getJsonObject("Error").getJsonObject("properties").getJsonObject("error");
    assertEquals(Set.of("code", "message", "field", "current"), error.getJsonObject("properties").fieldNames());
  }

  /**
   * Every operation of the document is served by the hub: asked without a token (so nothing changes), each plain route
   * answers, and each REST operation answers from its own validation or handler (400 invalid or 401), never the
   * catch-all's 404 "no route". (That no route is served outside the document is checked where the router is built:
   * OpenApiRoutesTest.)
   */
  @Test
  void everyOperationOfTheDocumentIsServed() {
    Map<String, OpenApiDocument.Operation> ops = OpenApiDocument.operations();
    assertFalse(ops.isEmpty());
    for (OpenApiDocument.Operation op : ops.values()) {
      String path = op.path().replace("{id}", UUID.randomUUID().toString()).replace("{key}", "guest_count")
          .replace("{topic}", "form:" + FORM);
      assertFalse(path.contains("{"), "a sample value for every path parameter of " + op.path());
      JsonObject body = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH).contains(op.method())
          ? new JsonObject() : null;
      TestHub.HttpResult res = hub.request(op.method(), path, null, body);
      String what = op.operationId() + " " + op.method() + " " + path + " -> " + res.status() + " " + res.body();
      assertFalse(res.body().contains("no route for"), what);
      if (HttpApi.PLAIN_OPERATIONS.contains(op.operationId())) {
        assertTrue(res.status() == 200 || (op.operationId().equals("getReady") && res.status() == 503), what);
      } else {
        assertTrue(res.status() == 400 || res.status() == 401, what);
        String code = res.json().getJsonObject("error").getString("code");
        assertEquals(res.status() == 400 ? "invalid" : "unauthorized", code, what);
      }
    }
  }

  // ---- validation -----------------------------------------------------------------------------------------------

  @Test
  void aMalformedUuidInThePathIsRefusedNamingTheParameter() {
    JsonObject e = invalid(hub.request(HttpMethod.GET, "/api/v1/forms/not-a-uuid", hub.token(SARAH), null), "id");
    assertTrue(e.getString("message").contains("UUID"), e.encode());
    assertTrue(e.getString("message").contains("not-a-uuid"), e.encode());
    invalid(hub.request(HttpMethod.PUT, "/api/v1/forms/1234/fields/guest_count", hub.token(SARAH),
        new JsonObject().put("value", 1).put("base_version", 0).put("op_id", op())), "id");
    invalid(hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + WEDDING + "x", hub.token(EMMA),
        new JsonObject().put("guest_count", 100)), "id");
    invalid(hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM + "/fields/Not-A-Key/history", hub.token(SARAH), null),
        "key");
  }

  @Test
  void aWrongTypedQueryParameterIsRefused() {
    invalid(hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM + "/fields/guest_count/history?limit=abc",
        hub.token(SARAH), null), "limit");
    invalid(hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM + "/fields/guest_count/history?before=-1",
        hub.token(SARAH), null), "before");
    TestHub.HttpResult ok = hub.request(HttpMethod.GET,
        "/api/v1/forms/" + FORM + "/fields/guest_count/history?limit=5", hub.token(SARAH), null);
    assertEquals(200, ok.status(), ok.body());
  }

  @Test
  void aWrongTypedBodyFieldIsRefused() {
    UUID form = TestForms.create("OpenAPI wrong type", "o_text:text");
    JsonObject e = invalid(hub.request(HttpMethod.PUT, "/api/v1/forms/" + form + "/fields/o_text", hub.token(SARAH),
        new JsonObject().put("value", "hi").put("base_version", "x").put("op_id", op())), "base_version");
    assertTrue(e.getString("message").contains("whole number"), e.encode());
    invalid(hub.request(HttpMethod.PUT, "/api/v1/forms/" + form + "/fields/o_text", hub.token(SARAH),
        new JsonObject().put("value", "hi").put("base_version", -1).put("op_id", op())), "base_version");
    invalid(hub.request(HttpMethod.PUT, "/api/v1/forms/" + form + "/fields/o_text", hub.token(SARAH),
        new JsonObject().put("value", "hi").put("base_version", 0).put("op_id", "")), "op_id");
    invalid(hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + WEDDING, hub.token(EMMA),
        new JsonObject().put("guest_count", "lots")), "guest_count");
    // nested: the broadcast's messages are named by their index
    invalid(hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60),
        new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("topic", "form:" + FORM)
            .put("event", 42)))), "messages[0].event");
    assertEquals(0L, field(form, "o_text").getLong("version"), "nothing was written");
  }

  @Test
  void anUnknownWeddingCoreFieldIsRefused() {
    JsonObject e = invalid(hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + WEDDING, hub.token(EMMA),
        new JsonObject().put("favourite_colour", "blue")), "favourite_colour");
    assertTrue(e.getString("message").contains("guest_count"), "the accepted ones are named: " + e.encode());
  }

  @Test
  void aMissingRequiredBodyPropertyIsRefused() {
    UUID form = TestForms.create("OpenAPI missing", "o_text:text");
    String path = "/api/v1/forms/" + form + "/fields/o_text";
    JsonObject e = invalid(hub.request(HttpMethod.PUT, path, hub.token(SARAH),
        new JsonObject().put("value", "hi").put("base_version", 0)), "op_id");
    assertTrue(e.getString("message").contains("required"), e.encode());
    invalid(hub.request(HttpMethod.PUT, path, hub.token(SARAH),
        new JsonObject().put("base_version", 0).put("op_id", op())), "value");
    invalid(hub.request(HttpMethod.PUT, path, hub.token(SARAH),
        new JsonObject().put("value", "hi").put("op_id", op())), "base_version");
    invalid(hub.request(HttpMethod.POST, path + "/rollback", hub.token(SARAH), new JsonObject()), "version");
    invalid(hub.request(HttpMethod.POST, "/api/v1/forms/" + form + "/notes", hub.token(SARAH),
        new JsonObject().put("op_id", op())), "text");
    invalid(hub.request(HttpMethod.POST, "/api/v1/forms/" + form + "/status", hub.token(SARAH),
        new JsonObject().put("status", "somewhere").put("op_id", op())), "status");
    invalid(hub.request(HttpMethod.POST, "/api/v1/sync/changes", hub.token(SARAH), new JsonObject()), "changes");
    invalid(hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60),
        new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("event", "e")))),
        "messages[0].topic");
  }

  @Test
  void aMissingOrNonJsonBodyIsRefused() throws Exception {
    String path = "/api/v1/forms/" + FORM + "/fields/guest_count";
    invalid(hub.request(HttpMethod.PUT, path, hub.token(SARAH), null), "body");
    invalid(raw("PUT", path, "text/plain", "value=1"), "content-type");
    invalid(raw("PUT", path, "application/json", "{\"value\": 1,"), "body");
  }

  /**
   * The refusals are worded from the validator's structured output: the keyword, its value in the schema (the bound,
   * the format, the allowed values, a conditional requirement's description) and the value sent, at its location.
   */
  @Test
  void refusalsAreWordedFromTheSchemaAndTheValueSent() throws Exception {
    JsonObject schemas = OpenApiDocument.json().getJsonObject("components").getJsonObject("schemas");
    String form = "/api/v1/forms/" + FORM;
    assertEquals("path parameter id must be a UUID, got 'not-a-uuid'",
        invalid(hub.request(HttpMethod.GET, "/api/v1/forms/not-a-uuid", hub.token(SARAH), null), "id")
            .getString("message"));
    assertEquals("path parameter key must match " + schemas.getJsonObject("FieldKey").getString("pattern")
            + ", got 'Not-A-Key'",
        invalid(hub.request(HttpMethod.GET, form + "/fields/Not-A-Key/history", hub.token(SARAH), null), "key")
            .getString("message"));
    assertEquals("query parameter limit must be a whole number, got 'abc'",
        invalid(hub.request(HttpMethod.GET, form + "/fields/guest_count/history?limit=abc", hub.token(SARAH), null),
            "limit").getString("message"));
    assertEquals("query parameter before must be at least 0, got -1",
        invalid(hub.request(HttpMethod.GET, form + "/fields/guest_count/history?before=-1", hub.token(SARAH), null),
            "before").getString("message"));
    assertEquals("query parameter scope is required",
        invalid(hub.request(HttpMethod.GET, "/api/v1/activity", hub.token(SARAH), null), "scope")
            .getString("message"));
    assertEquals("path parameter topic must be at most 255 characters, got 300",
        invalid(hub.request(HttpMethod.GET, "/api/v1/channels/" + "x".repeat(300) + "/presence", hub.token(SARAH),
            null), "topic").getString("message"));

    String field = form + "/fields/guest_count";
    assertEquals("base_version must be a whole number or null, got a string",
        invalid(hub.request(HttpMethod.PUT, field, hub.token(SARAH), new JsonObject().put("value", 1)
            .put("base_version", "x").put("op_id", op())), "base_version").getString("message"));
    assertEquals("op_id must be at least 1 character, got 0",
        invalid(hub.request(HttpMethod.PUT, field, hub.token(SARAH), new JsonObject().put("value", 1)
            .put("base_version", 0).put("op_id", "")), "op_id").getString("message"));
    assertEquals(schemas.getJsonObject("FieldSetRequest").getJsonObject("then").getString("description"),
        invalid(hub.request(HttpMethod.PUT, field, hub.token(SARAH), new JsonObject().put("value", 1)
            .put("op_id", op())), "base_version").getString("message"),
        "a conditional requirement says when it applies, in the words of its branch's description");
    List<String> statuses = schemas.getJsonObject("FormStatus").getJsonArray("enum").stream().map(String::valueOf)
        .toList();
    assertEquals("status must be one of " + String.join(", ", statuses) + ", got 'somewhere'",
        invalid(hub.request(HttpMethod.POST, form + "/status", hub.token(SARAH),
            new JsonObject().put("status", "somewhere").put("op_id", op())), "status").getString("message"));
    assertEquals("messages[0].event must be a string, got a whole number",
        invalid(hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60),
            new JsonObject().put("messages", new JsonArray().add(new JsonObject().put("topic", "form:" + FORM)
                .put("event", 42)))), "messages[0].event").getString("message"));
    assertEquals("messages must have at least 1 item, got 0",
        invalid(hub.request(HttpMethod.POST, "/realtime/v1/api/broadcast", hub.tokens.service(60),
            new JsonObject().put("messages", new JsonArray())), "messages").getString("message"));
    assertEquals("user_ids[0] must be a UUID, got 'nope'",
        invalid(hub.request(HttpMethod.POST, "/api/v1/notifications", hub.tokens.service(60),
            new JsonObject().put("user_ids", new JsonArray().add("nope")).put("type", "t").put("title", "x")),
            "user_ids[0]").getString("message"));
    String allowed = String.join(", ", schemas.getJsonObject("WeddingPatch").getJsonObject("properties").fieldNames());
    assertEquals("favourite_colour is not an accepted property (allowed: " + allowed + ")",
        invalid(hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + WEDDING, hub.token(EMMA),
            new JsonObject().put("favourite_colour", "blue")), "favourite_colour").getString("message"));
    assertEquals("the body must be application/json, got content-type 'text/plain'",
        invalid(raw("PUT", field, "text/plain", "value=1"), "content-type").getString("message"));
  }

  @Test
  void validRequestsReachTheHandlers() {
    UUID form = TestForms.create("OpenAPI valid", "o_text:text");
    String path = "/api/v1/forms/" + form + "/fields/o_text";
    TestHub.HttpResult set = hub.request(HttpMethod.PUT, path, hub.token(SARAH),
        new JsonObject().put("value", "hello").put("base_version", 0).put("op_id", op()));
    assertEquals(200, set.status(), set.body());
    assertEquals(1L, set.json().getLong("version"));
    // the handler's own refusals still come through: a stale base_version is a conflict, not a validation error
    TestHub.HttpResult stale = hub.request(HttpMethod.PUT, path, hub.token(SARAH),
        new JsonObject().put("value", "again").put("base_version", 0).put("op_id", op()));
    assertEquals(409, stale.status(), stale.body());
    assertEquals("conflict", stale.json().getJsonObject("error").getString("code"));
    // force without base_version is allowed by the contract (and the handler)
    TestHub.HttpResult forced = hub.request(HttpMethod.PUT, path, hub.token(SARAH),
        new JsonObject().put("value", "forced").put("force", true).put("op_id", op()));
    assertEquals(200, forced.status(), forced.body());
    // handler-level checks keep their precise messages (the field's own rules)
    UUID numbers = TestForms.create("OpenAPI rules", "o_num:number");
    TestHub.HttpResult wrong = hub.request(HttpMethod.PUT, "/api/v1/forms/" + numbers + "/fields/o_num",
        hub.token(SARAH), new JsonObject().put("value", "not a number").put("base_version", 0).put("op_id", op()));
    assertEquals(400, wrong.status(), wrong.body());
    assertEquals("o_num", wrong.json().getJsonObject("error").getString("field"));

    assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(SARAH), null).status());
    assertEquals(200, hub.request(HttpMethod.GET, path + "/history?before=2&limit=10", hub.token(SARAH), null)
        .status());
    assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/weddings/" + WEDDING, hub.token(EMMA), null).status());
    assertEquals(200, hub.request(HttpMethod.GET, "/api/v1/channels/form:" + FORM + "/presence", hub.token(SARAH),
        null).status());
    TestHub.HttpResult sync = hub.request(HttpMethod.POST, "/api/v1/sync/changes", hub.token(SARAH),
        new JsonObject().put("changes", new JsonArray().add("not an object")));
    assertEquals(200, sync.status(), "a malformed change is rejected on its own, not with the batch: " + sync.body());
    assertEquals("rejected", sync.json().getJsonArray("results").getJsonObject(0).getString("result"));
    // a supplier's valid patch passes the contract and is refused by the handler (only the couple may patch)
    TestHub.HttpResult patch = hub.request(HttpMethod.PATCH, "/api/v1/weddings/" + WEDDING, hub.token(SARAH),
        new JsonObject().put("guest_count", 120).put("op_id", op()));
    assertEquals(403, patch.status(), patch.body());
  }

  @Test
  void routesOutsideTheContractAreLeftAlone() {
    assertEquals(200, hub.request(HttpMethod.GET, "/health", null, null).status());
    assertTrue(hub.request(HttpMethod.GET, "/metrics", null, null).body().contains("hub_connections"));
    TestHub.HttpResult missing = hub.request(HttpMethod.GET, "/api/v1/nothing-here", hub.token(EMMA), null);
    assertEquals(404, missing.status());
    assertEquals("not_found", missing.json().getJsonObject("error").getString("code"));
    TestHub.HttpResult noAuth = hub.request(HttpMethod.GET, "/api/v1/forms/" + FORM, null, null);
    assertEquals(401, noAuth.status(), "a valid request without a token still meets the handler's auth");
  }

  // ---- helpers --------------------------------------------------------------------------------------------------

  static JsonObject invalid(TestHub.HttpResult r, String field) {
    assertEquals(400, r.status(), r.body());
    JsonObject error = r.json().getJsonObject("error");
    assertEquals("invalid", error.getString("code"), r.body());
    assertEquals(field, error.getString("field"), r.body());
    String message = error.getString("message");
    assertNotNull(message, r.body());
    assertFalse(message.isBlank(), r.body());
    assertNotEquals("bad request", message);
    return error;
  }

  static JsonObject field(UUID form, String key) {
    JsonArray fields = hub.request(HttpMethod.GET, "/api/v1/forms/" + form, hub.token(SARAH), null).json()
        .getJsonArray("fields");
    for (Object f : fields) {
      if (key.equals(((JsonObject) f).getString("key"))) return (JsonObject) f;
    }
    throw new AssertionError("no field " + key);
  }

  static TestHub.HttpResult raw(String method, String path, String contentType, String body) throws Exception {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + hub.hub.port() + path))
        .timeout(Duration.ofSeconds(10)).header("content-type", contentType)
        .header("Authorization", "Bearer " + hub.token(SARAH))
        .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
    HttpResponse<String> res = HttpClient.newHttpClient().send(req, HttpResponse.BodyHandlers.ofString());
    return new TestHub.HttpResult(res.statusCode(), res.body());
  }

  static String op() {
    return "op-" + UUID.randomUUID();
  }
}
