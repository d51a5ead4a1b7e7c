package com.wedsync.hub.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One read of the hub's {@code /metrics} (Prometheus text): every sample keyed by its series, e.g.
 * {@code hub_save_batch_rows_sum} or {@code hub_errors_total{reason="rate_limited"}}. The benchmark reads the hub's own
 * counters before and after a run and reports the differences.
 */
final class Scrape {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private final Map<String, Double> samples;

  private Scrape(Map<String, Double> samples) {
    this.samples = samples;
  }

  static Scrape fetch(String baseUrl) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(baseUrl + "/metrics"))
        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) throw new IOException("/metrics answered " + r.statusCode());
    Map<String, Double> samples = new LinkedHashMap<>();
    for (String line : r.body().split("\n")) {
      if (line.isBlank() || line.startsWith("#")) continue;
      // "name{labels} value [timestamp]": label values may contain spaces, so split after the closing brace.
      int brace = line.lastIndexOf('}');
      int split = brace >= 0 ? brace + 1 : line.indexOf(' ');
      if (split <= 0 || split >= line.length()) continue;
      String series = line.substring(0, split).trim();
      String[] rest = line.substring(split).trim().split("\\s+");
      try {
        samples.put(series, Double.parseDouble(rest[0]));
      } catch (NumberFormatException ignored) {
        // NaN/Inf spellings other than Java's are of no use here
      }
    }
    return new Scrape(samples);
  }

  double get(String series) {
    return samples.getOrDefault(series, 0.0);
  }

  /** The sum of every series whose name and labels start with {@code prefix}, e.g. all heap pools. */
  double sum(String prefix) {
    double total = 0;
    for (Map.Entry<String, Double> e : samples.entrySet()) if (e.getKey().startsWith(prefix)) total += e.getValue();
    return total;
  }

  double delta(Scrape before, String series) {
    return get(series) - before.get(series);
  }

  /** Non-zero differences of every series of {@code metric} (all its label sets), e.g. errors by reason. */
  Map<String, Double> deltas(Scrape before, String metric) {
    Map<String, Double> out = new LinkedHashMap<>();
    for (String series : samples.keySet()) {
      if (!series.equals(metric) && !series.startsWith(metric + "{")) continue;
      double d = delta(before, series);
      if (d != 0) out.put(series.substring(metric.length()), d);
    }
    return out;
  }
}
