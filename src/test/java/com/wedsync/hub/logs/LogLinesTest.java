package com.wedsync.hub.logs;

import com.wedsync.hub.support.HubProcess;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 15 §4: a hub's log lines carry its node id and an ISO-8601 UTC timestamp, as JSON (the default) and as text;
 * a user's logback file is used instead, given as {@code log.config} or as {@code -Dlogback.configurationFile}, and
 * can print the node id with {@code %property{node}}. Each hub runs in its own JVM, as in production: logging is
 * configured once per process.
 */
class LogLinesTest {
  static final Pattern ISO = Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
  static final String USER_CONFIG = """
      <configuration>
        <appender name="out" class="ch.qos.logback.core.ConsoleAppender">
          <encoder><pattern>USER-FORMAT node=%property{node} %msg%n</pattern></encoder>
        </appender>
        <root level="INFO"><appender-ref ref="out"/></root>
      </configuration>
      """;

  @Test
  void jsonLinesCarryTheNodeIdAndAnIsoTimestamp() {
    List<String> lines = run("log-json", Map.of("WEDSYNC_HUB_LOG_FORMAT", "json"));
    List<JsonObject> json = lines.stream().filter(l -> l.startsWith("{")).map(JsonObject::new).toList();
    assertFalse(json.isEmpty(), "JSON log lines in " + lines);
    for (JsonObject line : json) {
      assertEquals("log-json", line.getString("node"), line.encode());
      assertTrue(ISO.matcher(line.getString("timestamp")).matches(), line.encode());
    }
    assertTrue(json.stream().anyMatch(j -> j.getString("formattedMessage").startsWith("hub log-json listening on")),
        lines.toString());
  }

  @Test
  void textLinesCarryTheNodeIdAndAnIsoTimestamp() {
    List<String> lines = run("log-text", Map.of("WEDSYNC_HUB_LOG_FORMAT", "text"));
    String listening = lines.stream().filter(l -> l.contains("hub log-text listening on")).findFirst()
        .orElseThrow(() -> new AssertionError("no start-up line in " + lines));
    assertTrue(Pattern.compile("^" + ISO.pattern() + " INFO  \\[log-text] ").matcher(listening).find(), listening);
  }

  @Test
  void aUsersLogbackFileFromLogConfigIsUsed() throws Exception {
    Path file = Files.createTempDirectory("logback-").resolve("logback.xml");
    Files.writeString(file, USER_CONFIG);
    List<String> lines = run("log-user", Map.of("WEDSYNC_HUB_LOG_CONFIG", file.toString(), "WEDSYNC_HUB_LOG_FORMAT", "json"));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("USER-FORMAT node=log-user hub log-user listening on")),
        lines.toString());
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("{")), "log.format is not used: " + lines);
  }

  @Test
  void aUsersLogbackFileFromTheSystemPropertyIsUsed() throws Exception {
    Path file = Files.createTempDirectory("logback-").resolve("logback.xml");
    Files.writeString(file, USER_CONFIG);
    List<String> lines = run("log-sysprop",
        Map.of("JAVA_TOOL_OPTIONS", "-Dlogback.configurationFile=" + file, "WEDSYNC_HUB_LOG_FORMAT", "json"));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("USER-FORMAT node=log-sysprop hub log-sysprop listening on")),
        lines.toString());
    assertFalse(lines.stream().anyMatch(l -> l.startsWith("{")), "log.format is not used: " + lines);
  }

  /** A node's output from start until it stopped (its shutdown lines included). */
  private static List<String> run(String nodeId, Map<String, String> env) {
    HubProcess hub = HubProcess.start(nodeId, env);
    hub.close();
    return hub.output();
  }
}
