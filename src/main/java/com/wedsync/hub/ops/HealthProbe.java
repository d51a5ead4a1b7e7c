package com.wedsync.hub.ops;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A health check for places that can only run a command: the container image has no shell, curl or wget, so a
 * Compose or Docker {@code HEALTHCHECK} runs {@code java -cp @/app/jib-classpath-file com.wedsync.hub.ops.HealthProbe
 * http://127.0.0.1:4000/ready}. Exit status 0 when the URL answers 2xx within the timeout, 1 otherwise (with the
 * reason on stderr). Kubernetes probes HTTP itself and needs none of this.
 */
public final class HealthProbe {
  private HealthProbe() {}

  public static void main(String[] args) {
    if (args.length < 1 || args.length > 2) {
      System.err.println("usage: HealthProbe URL [TIMEOUT_MS]   (exit 0 when the URL answers 2xx)");
      System.exit(2);
    }
    long timeoutMs = args.length == 2 ? Long.parseLong(args[1]) : 3000;
    System.exit(check(args[0], Duration.ofMillis(timeoutMs)) ? 0 : 1);
  }

  /** True when {@code url} answers 2xx within {@code timeout}; otherwise says why on stderr. */
  public static boolean check(String url, Duration timeout) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).build();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
          HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 == 2) return true;
      System.err.println(url + " answered " + r.statusCode() + ": " + r.body());
      return false;
    } catch (Exception e) {
      System.err.println(url + " did not answer: " + e);
      return false;
    }
  }
}
