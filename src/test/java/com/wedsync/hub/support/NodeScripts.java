package com.wedsync.hub.support;

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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Node.js scripts run by the suite: the protocol conformance checks with the unmodified JS clients, the client
 * library's unit tests, the browser tests. A folder's pinned npm packages are installed once with {@code npm ci} into
 * its (git-ignored) {@code node_modules}; a script's output is printed, and its exit code decides.
 */
public final class NodeScripts {
  static final long NPM_TIMEOUT_SECONDS = 600;
  static final boolean WINDOWS = System.getProperty("os.name", "").toLowerCase().startsWith("windows");

  private final Path dir;

  private NodeScripts(Path dir) {
    this.dir = dir;
  }

  /**
   * The folder {@code relative} to the repository root (the suite runs there), its packages installed.
   *
   * @param marker packages whose presence shows the install happened (e.g. {@code phoenix})
   */
  public static NodeScripts in(String relative, String... marker) {
    NodeScripts s = new NodeScripts(Path.of("").toAbsolutePath().resolve(relative).normalize());
    s.ensureModules(marker);
    return s;
  }

  public Path dir() {
    return dir;
  }

  /** Runs {@code node script} (or any command) with {@code env}; fails the test on a non-zero exit or a timeout. */
  public void run(List<String> command, Map<String, String> env, long timeoutSeconds) {
    Result r = exec(command, env, timeoutSeconds);
    String header = "---- " + String.join(" ", command) + " (exit " + (r.timedOut ? "timeout" : r.exitCode) + ") ----\n";
    System.out.println(header + r.output);
    if (r.timedOut) {
      fail(String.join(" ", command) + " did not finish within " + timeoutSeconds + " s and was killed; output:\n"
          + r.output);
    }
    assertEquals(0, r.exitCode, () -> String.join(" ", command) + " reported failures (exit " + r.exitCode
        + "); its output:\n" + r.output);
  }

  public void node(String script, Map<String, String> env, long timeoutSeconds) {
    run(List.of("node", script), env, timeoutSeconds);
  }

  /**
   * Installs the pinned npm packages unless they are already there. Serialised across JVMs by a file lock, since
   * several builds may share this working tree.
   */
  private void ensureModules(String... marker) {
    try {
      Path lockFile = Path.of("").toAbsolutePath().resolve("target/npm-" + dir.getFileName() + ".lock");
      Files.createDirectories(lockFile.getParent());
      try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
           FileLock ignored = channel.lock()) {
        if (installed(marker)) return;
        Result version = exec(List.of("node", "--version"), Map.of(), 30);
        if (version.timedOut || version.exitCode != 0) {
          fail("node (20 or newer) is needed but `node --version` failed:\n" + version.output);
        }
        boolean haveLock = Files.exists(dir.resolve("package-lock.json"));
        List<String> npm = List.of(WINDOWS ? "npm.cmd" : "npm", haveLock ? "ci" : "install", "--no-audit", "--no-fund");
        System.out.println("installing JS dependencies in " + dir + ": " + String.join(" ", npm)
            + " (node " + version.output.trim() + ")");
        Result r = exec(npm, Map.of(), NPM_TIMEOUT_SECONDS);
        System.out.println(r.output);
        if (r.timedOut || r.exitCode != 0 || !installed(marker)) {
          fail(String.join(" ", npm) + " in " + dir + " failed (" + (r.timedOut ? "timeout" : "exit " + r.exitCode)
              + "):\n" + r.output);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The pinned packages are present, and not older than the lockfile (a changed lockfile means a reinstall). */
  private boolean installed(String... marker) throws IOException {
    Path modules = dir.resolve("node_modules");
    for (String m : marker) if (!Files.isRegularFile(modules.resolve(m).resolve("package.json"))) return false;
    Path lock = dir.resolve("package-lock.json");
    Path installedLock = modules.resolve(".package-lock.json"); // written by npm at the end of an install
    return !Files.exists(lock) || (Files.exists(installedLock)
        && Files.getLastModifiedTime(installedLock).compareTo(Files.getLastModifiedTime(lock)) >= 0);
  }

  private record Result(int exitCode, boolean timedOut, String output) {}

  /** Runs a command in {@link #dir}: no inherited streams, stdout and stderr captured together, killed on timeout. */
  private Result exec(List<String> command, Map<String, String> env, long timeoutSeconds) {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(dir.toFile())
        .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.PIPE);
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
    }, "node-script-output");
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
}
