package com.wedsync.hub.metrics;

import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.spi.observability.HttpRequest;

/**
 * The {@code endpoint} label of Vert.x's HTTP server meters: which part of the hub a request was for, from a fixed
 * set, never its path — a URL is chosen by the client, and one label value per URL would grow without bound.
 */
public enum HttpEndpoint {
  WEBSOCKET, LONGPOLL, API, OPS, STATIC;

  private final Tags tags = Tags.of(Tag.of("endpoint", name().toLowerCase()));

  public static Iterable<Tag> tags(HttpRequest request) {
    return of(request.uri()).tags;
  }

  static HttpEndpoint of(String uri) {
    String path = uri == null ? "" : uri;
    int query = path.indexOf('?');
    if (query >= 0) path = path.substring(0, query);
    if (path.equals("/realtime/v1/websocket")) return WEBSOCKET;
    if (path.equals("/realtime/v1/longpoll")) return LONGPOLL;
    if (path.startsWith("/api/") || path.startsWith("/realtime/v1/api/")) return API;
    if (path.equals("/health") || path.equals("/ready") || path.equals("/metrics")) return OPS;
    return STATIC;
  }
}
