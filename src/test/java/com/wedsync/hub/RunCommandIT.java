package com.wedsync.hub;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README's run command, as a user runs it: {@code scripts/hub} starts the packaged hub with the embedded default,
 * serves /ready, accepts a printed demo token, stops on SIGTERM, and a second start reuses the data.
 */
class RunCommandIT {
  private static final Pattern TOKEN = Pattern.compile("couple member\\s+Emma Wilson\\s+(\\S+)");

  @Test
  void theRunCommandServesReadyAndAcceptsADemoToken() throws Exception {
    Path data = Files.createTempDirectory("hub-it-data");
    int port = freePort();
    Started first = start(data, port);
    try {
      assertTrue(first.output.stream().anyMatch(l -> l.contains("demo data loaded")), "first start loads demo data");
      HttpClient http = HttpClient.newHttpClient();
      HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, ready.statusCode(), ready.body());
      HttpResponse<String> me = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/me"))
          .header("Authorization", "Bearer " + first.token).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, me.statusCode(), me.body());
      assertTrue(me.body().contains("Emma Wilson"), me.body());
    } finally {
      stop(first);
    }
    // Graceful shutdown on SIGTERM, then a second start on the same data directory reuses it.
    int exit = first.process.exitValue();
    assertTrue(exit == 143 || exit == 0, "exit status after SIGTERM: " + exit);
    Started second = start(data, port);
    try {
      assertFalse(second.output.stream().anyMatch(l -> l.contains("demo data loaded")), "demo data loaded once");
    } finally {
      stop(second);
    }
  }

  private record Started(Process process, List<String> output, String token, Thread reader) {}

  private static Started start(Path data, int port) throws Exception {
    ProcessBuilder pb = new ProcessBuilder("bash", "scripts/hub").directory(new File(".")).redirectErrorStream(true);
    pb.environment().put("WEDSYNC_HUB_HTTP_PORT", String.valueOf(port));
    pb.environment().put("WEDSYNC_HUB_DATABASE_DATA_DIR", data.toString());
    pb.environment().put("WEDSYNC_HUB_LOG_FORMAT", "text");
    Process p = pb.start();
    List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    String[] token = new String[1];
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          lines.add(line);
          Matcher m = TOKEN.matcher(line);
          if (m.find()) token[0] = m.group(1);
        }
      } catch (Exception ignored) {
        // process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (token[0] == null && System.nanoTime() < deadline && p.isAlive()) Thread.sleep(100);
    assertNotNull(token[0], "banner with demo tokens printed; output: " + lines);
    return new Started(p, lines, token[0], reader);
  }

  private static void stop(Started s) throws Exception {
    // kill -TERM rather than Process.destroy(): destroy() also closes our end of the child's stdout, which would
    // hide the shutdown log we want to read.
    new ProcessBuilder("kill", "-TERM", String.valueOf(s.process.pid())).start().waitFor();
    assertTrue(s.process.waitFor(30, TimeUnit.SECONDS), "hub stops within 30 s of SIGTERM");
    s.reader.join(5000); // the last lines may still be in the pipe
    assertTrue(s.output.stream().anyMatch(l -> l.contains("stopped")), "graceful shutdown logged (exit "
        + s.process.exitValue() + "): " + s.output.subList(Math.max(0, s.output.size() - 4), s.output.size()));
  }

  private static int freePort() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
