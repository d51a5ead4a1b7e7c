package com.wedsync.hub.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the tests find Redis 7 ({@code redis-server} and {@code redis-cli}): first in {@code .tools/redis/bin} of the
 * repository, where {@code scripts/test} unpacks Debian's packages ({@code scripts/lib/redis7.sh}), then on the PATH.
 * No Maven artifact carries Redis 7 (the embedded-redis artifact is 6.2).
 */
public final class RedisBinaries {
  /** Relative to the repository root, where the suite runs. */
  static final Path TOOLS = Path.of(".tools", "redis", "bin");
  static final String FETCH = "run `. scripts/lib/redis7.sh && ensure_redis7` from the repository root (scripts/test "
      + "does it: Debian's redis-server and redis-tools unpacked into .tools/redis with apt-get download and dpkg -x, "
      + "nothing installed), or put redis-server and redis-cli 7 or newer on the PATH";

  private RedisBinaries() {}

  /** The {@code redis-server} to run, checked to be Redis 7 or newer; fails saying what to run when there is none. */
  public static File server() {
    File server = find("redis-server");
    String version = run(server.getPath(), "--version");
    Matcher v = Pattern.compile("v=(\\d+)\\.").matcher(version);
    if (!v.find() || Integer.parseInt(v.group(1)) < 7) {
      throw new IllegalStateException("this test needs Redis 7 or newer, " + server + " is: " + version.trim()
          + "; " + FETCH);
    }
    return server;
  }

  /** The {@code redis-cli} beside the server (for {@code --cluster create}). */
  public static File cli() {
    return find("redis-cli");
  }

  private static File find(String name) {
    Path tools = TOOLS.resolve(name).toAbsolutePath();
    if (Files.isExecutable(tools)) return tools.toFile();
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (dir.isEmpty()) continue;
      Path onPath = Path.of(dir, name);
      if (Files.isExecutable(onPath)) return onPath.toFile();
    }
    throw new IllegalStateException("this test needs Redis 7 (" + name + "), found neither " + tools
        + " nor " + name + " on the PATH; " + FETCH);
  }

  private static String run(String... command) {
    try {
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
      return out;
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", command) + ": " + e.getMessage() + "; " + FETCH);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
