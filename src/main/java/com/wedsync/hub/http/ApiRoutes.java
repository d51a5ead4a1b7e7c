package com.wedsync.hub.http;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;

import java.util.Map;

/**
 * A feature's REST handlers, keyed by the operationId the OpenAPI document ({@link OpenApiDocument}) gives each of
 * its routes. The document alone says which method and path an operation answers; {@link HttpApi} binds the handlers
 * to it and refuses to start when an operation has no handler or a handler names no operation.
 */
@FunctionalInterface
public interface ApiRoutes {
  Map<String, Handler<RoutingContext>> operations();
}
