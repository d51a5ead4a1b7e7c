package com.wedsync.hub.http;

import com.wedsync.hub.form.FormRoutes;
import com.wedsync.hub.notify.ActivityRoutes;
import com.wedsync.hub.notify.NotificationRoutes;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.Operation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The REST routes are built from the OpenAPI document by operationId, and the handlers and the document cannot drift
 * apart: an operation without a handler, or a handler for no operation, stops the hub from starting. No database: the
 * route classes are built with no services (binding needs none).
 */
class OpenApiRoutesTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** The HTTP API as Hub wires it: its own operations and the features'. */
  static HttpApi hubApi() {
    return api()
        .with(new FormRoutes(null, null, null, null, null, null, null, null))
        .with(new NotificationRoutes(null, null, null, null))
        .with(new ActivityRoutes(null, null, null))
        .with(new com.wedsync.hub.broadcast.BroadcastRoutes(null, null, null))
        .with(new com.wedsync.hub.clients.ClientRoutes(null, null))
        .with(new com.wedsync.hub.areas.DashboardRoutes(null, null))
        .with(new com.wedsync.hub.admin.AdminRoutes(null, null, null, null, null));
  }

  static HttpApi api() {
    return new HttpApi("test", null, null, null, null, null, 1000);
  }

  @Test
  void theRouterServesEveryOperationOfTheDocumentAndNothingElse() throws Exception {
    HttpApi api = hubApi();
    await(api.load(vertx));
    Router router = api.router(vertx);

    Set<String> served = new TreeSet<>();
    Set<String> builtByOperationId = new TreeSet<>();
    for (Route route : router.getRoutes()) {
      if (route.getSubRouter() != null) {
        for (Route op : route.getSubRouter().getRoutes()) {
          Operation operation = op.getMetadata(RouterBuilder.KEY_META_DATA_OPERATION);
          if (operation == null) continue; // the builder's root route (no root handlers here)
          builtByOperationId.add(operation.getOperationId());
          op.methods().forEach(m -> served.add(m + " " + op.getPath()));
          assertTrue(op.methods().size() == 1, op.getPath());
        }
      } else if (route.methods() != null && !route.methods().isEmpty()) {
        // the plain routes (the edge handlers and the catch-all take any method)
        route.methods().forEach(m -> served.add(m + " " + route.getPath()));
      }
    }
    Set<String> documented = new TreeSet<>();
    Set<String> restOperations = new TreeSet<>();
    OpenApiDocument.operations().forEach((id, op) -> {
      documented.add(op.method() + " " + op.routerPath());
      if (!HttpApi.PLAIN_OPERATIONS.contains(id)) restOperations.add(id);
    });
    assertEquals(documented, served, "every route mounted is in the document, and every operation is mounted");
    assertEquals(restOperations, builtByOperationId, "every REST operation is a RouterBuilder route");
  }

  @Test
  void anOperationWithoutAHandlerStopsTheStart() {
    HttpApi api = api()
        .with(new FormRoutes(null, null, null, null, null, null, null, null))
        .with(new NotificationRoutes(null, null, null, null))
        .with(new com.wedsync.hub.broadcast.BroadcastRoutes(null, null, null))
        .with(new com.wedsync.hub.clients.ClientRoutes(null, null))
        .with(new com.wedsync.hub.areas.DashboardRoutes(null, null))
        .with(new com.wedsync.hub.admin.AdminRoutes(null, null, null, null, null)); // no ActivityRoutes
    IllegalStateException e = startFails(api);
    assertTrue(e.getMessage().contains("without a handler: [listActivity (GET /api/v1/activity)]"), e.getMessage());
  }

  @Test
  void aHandlerForAnOperationTheDocumentDoesNotHaveStopsTheStart() {
    IllegalStateException e = startFails(hubApi().with(() -> Map.of("deleteEveryWedding", ctx -> ctx.end())));
    assertTrue(e.getMessage().contains("operationIds the OpenAPI document does not have: [deleteEveryWedding]"),
        e.getMessage());
    // a plain route (served outside the builder) cannot also be given a REST handler
    e = startFails(hubApi().with(() -> Map.of("getHealth", ctx -> ctx.end())));
    assertTrue(e.getMessage().contains("[getHealth]"), e.getMessage());
  }

  @Test
  void twoHandlersForOneOperationAreRefused() {
    IllegalStateException e = assertThrows(IllegalStateException.class,
        () -> hubApi().with(() -> Map.of("getMe", ctx -> ctx.end())));
    assertTrue(e.getMessage().contains("getMe"), e.getMessage());
  }

  @Test
  void noRouterBeforeTheContractIsLoaded() {
    assertThrows(IllegalStateException.class, () -> hubApi().router(vertx));
  }

  static IllegalStateException startFails(HttpApi api) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(api.load(vertx)));
    return assertInstanceOf(IllegalStateException.class, e.getCause());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
