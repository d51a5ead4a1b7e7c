package com.wedsync.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.openapi.router.OpenAPIRoute;
import io.vertx.ext.web.openapi.router.RequestExtractor;
import io.vertx.ext.web.openapi.router.RouterBuilder;
import io.vertx.openapi.contract.OpenAPIContract;
import io.vertx.openapi.contract.Operation;
import io.vertx.openapi.validation.ValidatableRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The REST routes, built from the contract with vertx-web-openapi-router: one route per operation, at the method and
 * path the document gives it, with the handler bound to its operationId. An operation that has parameters or a body is
 * validated first (the RouterBuilder's validation handler); a request that does not match fails the routing context
 * with the validator's {@code ValidatorException} (as the cause of a 400 {@code HttpException}), which
 * {@link HttpApi}'s failure handler answers through {@link ValidationErrors}.
 */
final class OpenApiRouter {
  /** Routing-context keys: the operation being validated and the request as the validator saw it. */
  static final String OPERATION = "hub.openapi.operation";
  static final String REQUEST = "hub.openapi.request";

  private static final RequestExtractor AFTER_BODY_HANDLER = RequestExtractor.withBodyHandler();

  private OpenApiRouter() {
  }

  /**
   * Checks that the handlers and the contract's operations are the same set: an operation without a handler, or a
   * handler for no operation, is a programming error that must stop the hub from starting.
   */
  static void checkBindings(OpenAPIContract contract, Map<String, Handler<RoutingContext>> handlers) {
    TreeSet<String> unbound = new TreeSet<>();
    for (Operation op : contract.operations()) {
      if (!handlers.containsKey(op.getOperationId())) {
        unbound.add(op.getOperationId() + " (" + op.getHttpMethod() + " " + op.getOpenAPIPath() + ")");
      }
    }
    TreeSet<String> unknown = new TreeSet<>();
    for (String id : handlers.keySet()) {
      if (contract.operation(id) == null) unknown.add(id);
    }
    List<String> problems = new ArrayList<>();
    if (!unbound.isEmpty()) problems.add("operations in the OpenAPI document without a handler: " + unbound);
    if (!unknown.isEmpty()) problems.add("handlers for operationIds the OpenAPI document does not have: " + unknown);
    if (!problems.isEmpty()) {
      throw new IllegalStateException("the REST routes do not match " + OpenApiDocument.RESOURCE + ": "
          + String.join("; ", problems));
    }
  }

  /** A router of every operation of the contract, each bound to its handler. */
  static Router create(Vertx vertx, OpenAPIContract contract, Map<String, Handler<RoutingContext>> handlers) {
    checkBindings(contract, handlers);
    RouterBuilder builder = RouterBuilder.create(vertx, contract, OpenApiRouter::extract);
    handlers.forEach((operationId, handler) -> {
      OpenAPIRoute route = builder.getRoute(operationId);
      Operation op = route.getOperation();
      // The bearer token is checked by the handlers (HttpAuth: the socket's tokens and principal, and the write
      // limit), not by a security handler of the builder. Operations with nothing to check skip the validator
      // (which runs on a worker thread).
      route.setDoSecurity(false)
          .setDoValidation(!op.getParameters().isEmpty() || op.getRequestBody() != null)
          .addHandler(handler);
    });
    return builder.createRouter();
  }

  /**
   * The request as the validator will see it (the body from the BodyHandler that ran before), kept on the routing
   * context with its operation so that a refusal can name what failed.
   */
  private static Future<ValidatableRequest> extract(RoutingContext ctx, Operation operation) {
    ctx.put(OPERATION, operation);
    try {
      return AFTER_BODY_HANDLER.extractValidatableRequest(ctx, operation).onSuccess(request -> ctx.put(REQUEST, request));
    } catch (RuntimeException e) { // a parameter that cannot be decoded: answered like any other refusal
      return Future.failedFuture(e);
    }
  }
}
