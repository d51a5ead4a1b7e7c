package com.wedsync.hub.http;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * What {@code /ready} answers. A load balancer or an orchestrator calls it every few seconds and acts on the answer, so
 * it must always answer, and soon: every check runs at once and one that has not finished within the timeout counts
 * as failed ({@code "timed out after 2000 ms"}), so a PostgreSQL or Redis that accepts connections but no longer
 * replies makes the node not ready instead of hanging the probe. Once a graceful shutdown has begun it answers 503
 * {@code shutting_down} without running any check, so the node is taken out of rotation while its sockets are still
 * open.
 */
final class ReadyChecks {
  private ReadyChecks() {}

  /** The verdict: ready or not, why not, and each check's outcome. */
  record Verdict(boolean ready, JsonObject body) {}

  static Future<Verdict> run(Vertx vertx, String nodeId, Map<String, Supplier<Future<?>>> checks, long timeoutMs,
                             BooleanSupplier shuttingDown) {
    if (shuttingDown.getAsBoolean()) {
      return Future.succeededFuture(new Verdict(false, new JsonObject().put("status", "not_ready")
          .put("reason", "shutting_down").put("node", nodeId)));
    }
    JsonObject results = new JsonObject();
    List<String> failed = new ArrayList<>();
    List<Future<?>> all = new ArrayList<>();
    checks.forEach((name, check) -> all.add(within(vertx, name, check, timeoutMs)
        .onSuccess(v -> results.put(name, "ok"))
        .onFailure(e -> {
          results.put(name, String.valueOf(e.getMessage()));
          failed.add(name);
        })));
    return Future.join(all).transform(ar -> {
      JsonObject body = new JsonObject().put("status", ar.succeeded() ? "ready" : "not_ready").put("node", nodeId);
      if (ar.failed()) body.put("reason", String.join(", ", failed.stream().sorted().toList()) + " failed");
      // A shutdown that began while the checks ran wins: the node is leaving whatever they found.
      if (shuttingDown.getAsBoolean()) body.put("status", "not_ready").put("reason", "shutting_down");
      return Future.succeededFuture(new Verdict(ar.succeeded() && !shuttingDown.getAsBoolean(),
          body.put("checks", results)));
    });
  }

  /** The check's outcome, or a failure naming the timeout if it has none by then (a check that throws fails too). */
  private static Future<?> within(Vertx vertx, String name, Supplier<Future<?>> check, long timeoutMs) {
    Promise<Object> outcome = Promise.promise();
    long timer = vertx.setTimer(timeoutMs, id -> outcome.tryFail("timed out after " + timeoutMs + " ms"));
    Future<?> started;
    try {
      started = check.get();
    } catch (RuntimeException e) {
      started = Future.failedFuture(e);
    }
    started.onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) outcome.tryComplete(ar.result());
      else outcome.tryFail(ar.cause() == null ? name + " failed" : String.valueOf(ar.cause().getMessage()));
    });
    return outcome.future();
  }
}
