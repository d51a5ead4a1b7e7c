package com.wedsync.hub.protocol;

import com.wedsync.hub.support.TestHub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Protocol conformance against the two public clients the hub must serve unmodified (docs/protocol.md §1–§4):
 * {@code @supabase/realtime-js} and {@code phoenix}, run under Node with {@code ws} as their WebSocket transport.
 * The scripts in {@code src/test/js} print one PASS/FAIL line per check and exit 0 only if all passed.
 *
 * <p>Needs {@code node} and {@code npm} on the PATH. On a fresh clone the pinned packages are installed once with
 * {@code npm ci} (from {@code src/test/js/package-lock.json}).
 */
class JsClientConformanceTest {
  static final UUID EMMA = UUID.fromString("11111111-0000-0000-0000-000000000001");
  static final UUID SARAH = UUID.fromString("11111111-0000-0000-0000-000000000006");
  static final long SCRIPT_TIMEOUT_SECONDS = 90;
  static final long NPM_TIMEOUT_SECONDS = 300;
  static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase().startsWith("windows");

  static Path jsDir;
  static TestHub hub;

  @BeforeAll
  static void setUp() throws Exception {
    jsDir = projectDir().resolve("src/test/js").toAbsolutePath().normalize();
    ensureNodeModules();
    hub = TestHub.start();
  }

  @AfterAll
  static void tearDown() {
    if (hub != null) hub.close();
  }

  @Test
  void realtimeJsClientConforms() {
    Map<String, String> env = Map.of(
        "HUB_ENDPOINT", endpoint(),
        "TOKEN_EMMA", hub.token(EMMA),
        // a second, different valid token for the same user: the refresh must not reuse the first one
        "TOKEN_EMMA_REFRESH", hub.tokens.user(EMMA, 7200),
        "TOKEN_SARAH", hub.token(SARAH),
        "TOKEN_EMMA_EXPIRED", hub.tokens.user(EMMA, -60));
    runScript("realtime-conformance.js", env);
  }

  @Test
  void phoenixClientConforms() {
    Map<String, String> env = Map.of(
        "HUB_ENDPOINT", endpoint(),
        "TOKEN_EMMA", hub.token(EMMA),
        "TOKEN_SARAH", hub.token(SARAH));
    runScript("phoenix-conformance.js", env);
  }

  /** What an app passes to the clients: they append {@code /websocket?…&vsn=…} themselves. */
  private static String endpoint() {
    return "ws://127.0.0.1:" + hub.hub.port() + "/realtime/v1";
  }

  // ---- running node -------------------------------------------------------------------------------------------

  private static void runScript(String script, Map<String, String> env) {
    Result r = run(List.of("node", script), env, SCRIPT_TIMEOUT_SECONDS);
    String header = "---- node " + script + " (exit " + (r.timedOut ? "timeout" : r.exitCode) + ") ----\n";
    System.out.println(header + r.output);
    if (r.timedOut) {
      fail("node " + script + " did not finish within " + SCRIPT_TIMEOUT_SECONDS + " s and was killed; output:\n"
          + r.output);
    }
    assertEquals(0, r.exitCode, () -> "node " + script + " reported failed checks (exit " + r.exitCode
        + "); its output:\n" + r.output);
  }

  /**
   * Installs the pinned npm packages unless they are already there. Serialised across JVMs by a file lock, since
   * several builds may share this working tree.
   */
  private static void ensureNodeModules() throws IOException {
    Path lockFile = projectDir().resolve("target/js-conformance-npm.lock");
    Files.createDirectories(lockFile.getParent());
    try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
         FileLock ignored = channel.lock()) {
      if (installed()) return;
      Result version = run(List.of("node", "--version"), Map.of(), 30);
      if (version.timedOut || version.exitCode != 0) {
        fail("node is needed for the JS client conformance test but `node --version` failed:\n" + version.output);
      }
      boolean haveLock = Files.exists(jsDir.resolve("package-lock.json"));
      List<String> npm = List.of(WINDOWS ? "npm.cmd" : "npm", haveLock ? "ci" : "install", "--no-audit", "--no-fund");
      System.out.println("installing JS test dependencies in " + jsDir + ": " + String.join(" ", npm)
          + " (node " + version.output.trim() + ")");
      Result r = run(npm, Map.of(), NPM_TIMEOUT_SECONDS);
      System.out.println(r.output);
      if (r.timedOut || r.exitCode != 0 || !installed()) {
        fail(String.join(" ", npm) + " in " + jsDir + " failed (" + (r.timedOut ? "timeout" : "exit " + r.exitCode)
            + "):\n" + r.output);
      }
    }
  }

  /** The pinned packages are present, and not older than the lockfile (a changed lockfile means a reinstall). */
  private static boolean installed() throws IOException {
    Path modules = jsDir.resolve("node_modules");
    boolean present = Files.isRegularFile(modules.resolve("@supabase/realtime-js/package.json"))
        && Files.isRegularFile(modules.resolve("phoenix/package.json"))
        && Files.isRegularFile(modules.resolve("ws/package.json"));
    if (!present) return false;
    Path lock = jsDir.resolve("package-lock.json");
    Path installedLock = modules.resolve(".package-lock.json"); // written by npm at the end of an install
    return !Files.exists(lock) || (Files.exists(installedLock)
        && Files.getLastModifiedTime(installedLock).compareTo(Files.getLastModifiedTime(lock)) >= 0);
  }

  private record Result(int exitCode, boolean timedOut, String output) {}

  /** Runs a command in {@link #jsDir}: no inherited streams, stdout and stderr captured together, killed on timeout. */
  private static Result run(List<String> command, Map<String, String> env, long timeoutSeconds) {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command))
        .directory(jsDir.toFile())
        .redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.PIPE);
    pb.environment().putAll(env);
    Process p;
    try {
      p = pb.start();
    } catch (IOException e) {
      fail("cannot start `" + String.join(" ", command) + "` (is it installed and on the PATH?): " + e.getMessage());
      return null;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Thread reader = new Thread(() -> {
      try (InputStream in = p.getInputStream()) {
        in.transferTo(out);
      } catch (IOException e) {
        // the process was killed; keep what was read
      }
    }, "js-conformance-output");
    reader.setDaemon(true);
    reader.start();
    try {
      p.getOutputStream().close();
      boolean finished = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
      if (!finished) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
      }
      reader.join(5000);
      String output;
      synchronized (out) {
        output = out.toString(StandardCharsets.UTF_8);
      }
      return new Result(finished ? p.exitValue() : -1, !finished, output);
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command, e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The repository root: the build runs every test there (surefire's workingDirectory). */
  private static Path projectDir() {
    return Path.of("").toAbsolutePath();
  }
}
