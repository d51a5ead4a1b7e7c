package com.wedsync.hub.notify;

import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers the outbox to the webhooks, on every node: each poll claims a batch of due rows of the channels this node
 * has a webhook for (the database decides which node delivers which row, see {@link Outbox}), posts each one with the header {@code Idempotency-Key: <outbox id>},
 * and records the outcome. A failure is retried with exponential backoff and jitter; after the configured number of
 * attempts the row is {@code dead}. A node that dies mid-post leaves its rows to be claimed again once their lease
 * ends, so a receiver may see a key twice only then — which is what the key is for.
 */
public final class OutboxPoller {
  private static final Logger log = LoggerFactory.getLogger(OutboxPoller.class);

  private final Outbox outbox;
  private final HubConfig.Delivery cfg;
  private final HubMetrics metrics;
  private final String nodeId;
  private final long leaseMs;
  private Vertx vertx;
  private HttpClient http;
  private long timer = -1;
  private final AtomicBoolean polling = new AtomicBoolean();
  private volatile boolean stopped;

  public OutboxPoller(Outbox outbox, HubConfig.Delivery cfg, HubMetrics metrics, String nodeId) {
    this.outbox = outbox;
    this.cfg = cfg;
    this.metrics = metrics;
    this.nodeId = nodeId;
    // Long enough for every post of a batch to answer or time out, and for the outcome to be written.
    this.leaseMs = 2L * cfg.requestTimeoutMs() + 5_000;
  }

  /** Starts polling, unless this node has no webhook at all: then it leaves every row to the nodes that do. */
  public void start(Vertx vertx) {
    if (cfg.channels().isEmpty()) return;
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(cfg.requestTimeoutMs()));
    vertx.runOnContext(v -> timer = vertx.setPeriodic(cfg.pollIntervalMs(), id -> poll()));
  }

  public Future<Void> stop() {
    stopped = true;
    if (vertx == null) return Future.succeededFuture();
    if (timer >= 0) vertx.cancelTimer(timer);
    return http.close();
  }

  private void poll() {
    if (stopped || !polling.compareAndSet(false, true)) return;
    outbox.claim(cfg.batchSize(), leaseMs, nodeId, cfg.channels())
        .compose(batch -> Future.join(batch.stream().map(this::deliver).toList()).map(batch.size()))
        .onComplete(ar -> {
          polling.set(false);
          if (ar.failed()) {
            log.warn("outbox poll failed: {}", ar.cause().getMessage());
          } else if (ar.result() == cfg.batchSize()) {
            vertx.runOnContext(v -> poll()); // a full batch: more may be due, don't wait for the next tick
          }
        });
  }

  private Future<Void> deliver(Outbox.Delivery d) {
    String url = cfg.url(d.channel());
    Future<Integer> posted = url.isEmpty()
        ? Future.failedFuture("no webhook is configured for " + d.channel() + " (delivery." + d.channel() + "Url)")
        : post(url, d);
    return posted.transform(ar -> {
      if (ar.succeeded() && ar.result() / 100 == 2) {
        return outbox.delivered(d).map(mine -> {
          if (mine) metrics.delivery(d.channel(), "delivered");
          return (Void) null;
        });
      }
      String error = ar.succeeded() ? "webhook answered HTTP " + ar.result() : String.valueOf(ar.cause().getMessage());
      return outbox.failed(d, error, cfg.maxAttempts(), backoffMs(d.attempt())).map(status -> {
        metrics.delivery(d.channel(), status.equals("dead") ? "dead" : "failed");
        if (status.equals("dead")) {
          log.warn("outbox delivery {} ({}) is dead after {} attempts: {}", d.id(), d.channel(), d.attempt(), error);
        }
        return (Void) null;
      });
    }).onFailure(e -> log.warn("outcome of outbox delivery {} not recorded: {}", d.id(), e.getMessage()));
  }

  private Future<Integer> post(String url, Outbox.Delivery d) {
    Buffer body = d.payload().copy().put("outbox_id", d.id()).put("attempt", d.attempt()).toBuffer();
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(url)
        .setIdleTimeout(cfg.requestTimeoutMs()).putHeader("content-type", "application/json")
        .putHeader("Idempotency-Key", String.valueOf(d.id())).putHeader("X-WedSync-Channel", d.channel())
        .putHeader("X-WedSync-Attempt", String.valueOf(d.attempt()));
    // The response body is read (and dropped) so the connection returns to the pool.
    return http.request(options).compose(req -> req.send(body))
        .compose(resp -> resp.body().map(ignored -> resp.statusCode()));
  }

  /** Exponential: base, 2×base, 4×base, … capped, with up to 20 % jitter so failed rows do not retry in lockstep. */
  long backoffMs(int attempt) {
    double exp = cfg.backoffBaseMs() * Math.pow(2, Math.max(0, attempt - 1));
    long capped = (long) Math.min(cfg.backoffMaxMs(), exp);
    return capped + (long) (capped * 0.2 * ThreadLocalRandom.current().nextDouble());
  }
}
