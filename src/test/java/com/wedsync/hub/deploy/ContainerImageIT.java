package com.wedsync.hub.deploy;

import com.wedsync.hub.config.ConfigSource;
import com.wedsync.hub.support.TestPostgres;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The container image the build makes ({@code target/hub-image.tar}, jib, profile "image" of hub/pom.xml), checked as
 * a container runtime would read it: {@code manifest.json} → the config (user, entrypoint, port, environment) and the
 * layers. Then the image's own files run the hub: the layers are unpacked into a directory and the entrypoint is
 * started in it with chroot as the image's user, with the image's environment, against the test PostgreSQL — so the
 * jlink'd runtime, its C libraries and the classpath are proven to be enough — and a SIGTERM drains it (/ready 503
 * first) as Kubernetes would.
 */
class ContainerImageIT {
  private static final Path TARBALL = Path.of("target/hub-image.tar");
  private static final Path ROOT = Path.of("target/image-it/rootfs").toAbsolutePath();
  private static JsonObject config;
  private static final Map<String, Integer> MODES = new HashMap<>();

  @BeforeAll
  static void unpack() throws IOException {
    assertTrue(Files.isRegularFile(TARBALL), TARBALL + " is built in `package` (profile image) before this test");
    Map<String, byte[]> entries = new HashMap<>();
    try (TarArchiveInputStream tar = new TarArchiveInputStream(new BufferedInputStream(Files.newInputStream(TARBALL)))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) entries.put(e.getName(), tar.readAllBytes());
    }
    JsonObject manifest = new JsonArray(new String(entries.get("manifest.json"), StandardCharsets.UTF_8))
        .getJsonObject(0);
    config = new JsonObject(new String(entries.get(manifest.getString("Config")), StandardCharsets.UTF_8));
    deleteTree(ROOT.getParent());
    Files.createDirectories(ROOT);
    for (Object layer : manifest.getJsonArray("Layers")) {
      byte[] gz = entries.get((String) layer);
      assertTrue(gz != null, "layer " + layer + " is in the tarball");
      try (TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(
          new java.io.ByteArrayInputStream(gz)))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String name = "/" + e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "");
          Path to = ROOT.resolve(name.substring(1)).normalize();
          assertTrue(to.startsWith(ROOT), "entry stays inside the image: " + e.getName());
          MODES.put(name, e.getMode() & 07777);
          if (e.isDirectory()) {
            Files.createDirectories(to);
          } else if (e.isSymbolicLink()) {
            Files.createDirectories(to.getParent());
            Files.deleteIfExists(to);
            Files.createSymbolicLink(to, Path.of(e.getLinkName()));
          } else {
            Files.createDirectories(to.getParent());
            Files.copy(tar, to, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
          if (!e.isSymbolicLink()) Files.setPosixFilePermissions(to, PosixFilePermissions.fromString(rwx(e.getMode())));
        }
      }
    }
  }

  @Test
  void theConfigRunsTheHubAsANonRootUserOnItsPort() {
    JsonObject c = config.getJsonObject("config");
    assertEquals("10001:10001", c.getString("User"), "numeric, non-root user and group");
    JsonArray entrypoint = c.getJsonArray("Entrypoint");
    assertEquals("/opt/java/bin/java", entrypoint.getString(0), entrypoint.encode());
    assertEquals("com.wedsync.hub.Hub", entrypoint.getString(entrypoint.size() - 1), entrypoint.encode());
    assertTrue(entrypoint.contains("@/app/jib-classpath-file"), entrypoint.encode());
    int port = new JsonObject(read("conf/hub.json")).getJsonObject("http").getInteger("port");
    assertTrue(c.getJsonObject("ExposedPorts").containsKey(port + "/tcp"), "exposes the hub's port " + port + ": "
        + c.getJsonObject("ExposedPorts"));
    assertEquals("/var/lib/wedsync-hub", c.getString("WorkingDir"));
    Map<String, String> env = env(c);
    assertEquals("0.0.0.0", env.get("WEDSYNC_HUB_HTTP_HOST"), "reachable from outside the container");
    assertEquals("external", env.get("WEDSYNC_HUB_DATABASE_MODE"));
    assertEquals("false", env.get("WEDSYNC_HUB_DEMO_DATA"));
    // Every variable the image sets is one the hub accepts (the prefix is strict: a stale name stops start-up).
    ConfigSource.load(env);
  }

  @Test
  void theLayersHoldTheRuntimeTheLibrariesAndTheHub() throws IOException {
    for (String exe : List.of("/opt/java/bin/java", "/lib64/ld-linux-x86-64.so.2")) {
      assertEquals(0755, MODES.get(exe), exe + " is executable");
    }
    for (String file : List.of("/lib/x86_64-linux-gnu/libc.so.6", "/lib/x86_64-linux-gnu/libz.so.1",
        "/lib/x86_64-linux-gnu/libstdc++.so.6", "/opt/java/lib/server/libjvm.so", "/app/jib-classpath-file",
        "/app/classes/com/wedsync/hub/Hub.class", "/app/resources/conf/hub.json",
        "/app/resources/webroot/index.html", "/app/libs/vertx-core-5.0.10.jar")) {
      assertTrue(Files.isRegularFile(ROOT.resolve(file.substring(1))), file + " is in the image");
    }
    assertTrue(Files.readString(ROOT.resolve("etc/passwd")).contains(":10001:10001:"), "the user has a name");
    for (String dir : List.of("/tmp", "/var/lib/wedsync-hub", "/var/lib/wedsync-hub/data")) {
      assertEquals(0777, MODES.get(dir), dir + " is writable by the hub's user");
    }
    String classpath = Files.readString(ROOT.resolve("app/jib-classpath-file")).trim();
    for (String entry : classpath.split(":")) {
      assertTrue(Files.exists(ROOT.resolve(entry.replaceFirst("^/", "").replace("/*", ""))), "classpath entry " + entry);
    }
  }

  @Test
  void theImageRunsTheHubAsItsUserAndDrainsOnSigterm() throws Exception {
    JsonObject c = config.getJsonObject("config");
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Map<String, String> env = env(c);
    env.put("WEDSYNC_HUB_HTTP_HOST", "127.0.0.1"); // tests bind loopback only
    env.put("WEDSYNC_HUB_HTTP_PORT", String.valueOf(port));
    env.put("WEDSYNC_HUB_DATABASE_URL", TestPostgres.url());
    env.put("WEDSYNC_HUB_HTTP_SHUTDOWN_DELAY_MS", "2000");
    env.put("WEDSYNC_HUB_POSTGRES_CHANGES_ENABLED", "false"); // the shared test database keeps no slot for it
    env.put("WEDSYNC_HUB_NODE_ID", "image-it");
    Files.createDirectories(ROOT.resolve("dev"));
    Files.createDirectories(ROOT.resolve("proc"));
    // A private mount namespace gets the /dev and /proc a container runtime provides; chroot then runs the
    // entrypoint inside the image's files as the image's user.
    List<String> entrypoint = c.getJsonArray("Entrypoint").stream().map(String::valueOf).toList();
    String chroot = "mount --bind /dev " + ROOT + "/dev && mount -t proc proc " + ROOT + "/proc && exec env -i "
        + String.join(" ", env.entrySet().stream().map(e -> shellQuote(e.getKey() + "=" + e.getValue())).toList())
        + " /usr/sbin/chroot --userspec=" + c.getString("User") + " " + ROOT + " "
        + String.join(" ", entrypoint.stream().map(ContainerImageIT::shellQuote).toList());
    List<String> command = Files.isExecutable(Path.of("/usr/bin/unshare")) && isRoot()
        ? List.of("unshare", "--mount", "--fork", "sh", "-c", chroot)
        : List.of("unshare", "--user", "--map-root-user", "--mount", "--fork", "sh", "-c", chroot);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(),
          StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) output.add(line);
      } catch (IOException ignored) {
        // the process ended
      }
    });
    reader.setDaemon(true);
    reader.start();
    HttpClient http = HttpClient.newHttpClient();
    try {
      awaitStatus(http, port, 200, Duration.ofSeconds(90), p, output);
      ProcessHandle java = p.toHandle().descendants().filter(h -> h.info().command().orElse("").endsWith("/java"))
          .findFirst().orElseThrow(() -> new AssertionError("no java process under " + command));
      String status = Files.readString(Path.of("/proc/" + java.pid() + "/status"));
      assertTrue(status.lines().anyMatch(l -> l.matches("Uid:\\s+10001\\s+10001\\s+10001\\s+10001")),
          "the hub runs as uid 10001:\n" + status);
      assertEquals(200, get(http, port, "/health").statusCode());

      java.destroy(); // SIGTERM, as a container runtime sends it
      HttpResponse<String> draining = awaitStatus(http, port, 503, Duration.ofSeconds(2), p, output);
      assertEquals("shutting_down", new JsonObject(draining.body()).getString("reason"), draining.body());
      assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the hub stops within its grace period: " + output);
      assertTrue(p.exitValue() == 143 || p.exitValue() == 0, "exit status " + p.exitValue() + ": " + output);
      assertTrue(output.stream().anyMatch(l -> l.contains("\"level\":\"INFO\"") && l.contains("stopped")),
          "JSON logs, ending with the stop: " + output);
    } finally {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
    }
  }

  private static Map<String, String> env(JsonObject c) {
    Map<String, String> env = new HashMap<>();
    for (Object kv : c.getJsonArray("Env")) {
      String s = (String) kv;
      env.put(s.substring(0, s.indexOf('=')), s.substring(s.indexOf('=') + 1));
    }
    return env;
  }

  private static boolean isRoot() {
    try {
      return Files.readString(Path.of("/proc/self/status")).lines()
          .anyMatch(l -> l.matches("Uid:\\s+0\\s.*"));
    } catch (IOException e) {
      return false;
    }
  }

  private static HttpResponse<String> get(HttpClient http, int port, String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> awaitStatus(HttpClient http, int port, int status, Duration timeout, Process p,
                                                  List<String> output) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    String last = "no answer";
    while (System.nanoTime() < deadline) {
      if (!p.isAlive() && status == 200) fail("the image's hub exited (" + p.exitValue() + "): " + output);
      try {
        HttpResponse<String> r = get(http, port, "/ready");
        if (r.statusCode() == status) return r;
        last = r.statusCode() + " " + r.body();
      } catch (IOException e) {
        last = e.toString();
      }
      Thread.sleep(20);
    }
    throw new AssertionError("/ready did not answer " + status + " within " + timeout + " (last: " + last + "): "
        + output);
  }

  private static String read(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String rwx(int mode) {
    StringBuilder sb = new StringBuilder();
    String letters = "rwxrwxrwx";
    for (int i = 0; i < 9; i++) sb.append((mode & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
    return sb.toString();
  }

  private static String shellQuote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) return;
    try (var walk = Files.walk(dir)) {
      for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }
}
