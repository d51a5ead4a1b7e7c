package com.wedsync.hub.cluster;

import io.vertx.core.Future;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * A Lua script kept as a resource ({@code redis/*.lua}). Runs by SHA and falls back to sending the source once when
 * Redis does not know it (first use, or after a Redis restart emptied its script cache).
 */
public final class LuaScript {
  private final String name;
  private final String source;
  private final String sha;

  private LuaScript(String name, String source) {
    this.name = name;
    this.source = source;
    try {
      this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
          .digest(source.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static LuaScript load(String name) {
    return new LuaScript(name, source(name));
  }

  /**
   * A script that calls functions defined in library scripts: Redis runs one chunk, so the libraries' sources are put
   * in front of the script's own (one definition shared by every script that needs it).
   */
  public static LuaScript load(String name, String... libraries) {
    StringBuilder source = new StringBuilder();
    for (String library : libraries) source.append(source(library)).append('\n');
    return new LuaScript(name, source.append(source(name)).toString());
  }

  private static String source(String name) {
    try (InputStream in = LuaScript.class.getClassLoader().getResourceAsStream("redis/" + name + ".lua")) {
      if (in == null) throw new IllegalStateException("missing script redis/" + name + ".lua");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read script " + name, e);
    }
  }

  public Future<Response> run(RedisConnections redis, List<String> keys, List<String> args) {
    return redis.send(request(Command.EVALSHA, sha, keys, args)).recover(e -> {
      if (e.getMessage() == null || !e.getMessage().startsWith("NOSCRIPT")) {
        return Future.failedFuture(new IllegalStateException("script " + name + " failed: " + e.getMessage(), e));
      }
      return redis.send(request(Command.EVAL, source, keys, args));
    });
  }

  /**
   * Runs the script as a write a client would notice losing ({@link RedisConnections#sendReplicated}): on a Redis
   * Cluster with replicas to wait for, answered only once they have it.
   */
  public Future<Response> runReplicated(RedisConnections redis, List<String> keys, List<String> args) {
    return redis.sendReplicated(request(Command.EVALSHA, sha, keys, args), keys.get(0)).recover(e -> {
      // A batch (the script and its WAIT) names the failing command's position first ("ERR [0] NOSCRIPT ...").
      if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
        return Future.failedFuture(new IllegalStateException("script " + name + " failed: " + e.getMessage(), e));
      }
      return redis.sendReplicated(request(Command.EVAL, source, keys, args), keys.get(0));
    });
  }

  /**
   * Runs {@code first} and then the script, in that order; the script's answer is the result, and the script is a
   * replicated write ({@link #runReplicated}). On one Redis both go in one pipelined round trip on one connection; on
   * a Redis Cluster {@code first} may be for another master, so the script is sent once it has been answered. When
   * Redis does not know the script yet, it is sent once more by source.
   */
  public Future<Response> runAfter(RedisConnections redis, Request first, List<String> keys, List<String> args) {
    if (redis.cluster()) return redis.send(first).compose(r -> runReplicated(redis, keys, args));
    return redis.batch(List.of(first, request(Command.EVALSHA, sha, keys, args))).map(r -> r.get(1)).recover(e -> {
      // A batch names the failing command's position first ("ERR [1] NOSCRIPT ...").
      if (e.getMessage() == null || !e.getMessage().contains("NOSCRIPT")) {
        return Future.failedFuture(new IllegalStateException("script " + name + " failed: " + e.getMessage(), e));
      }
      return redis.send(request(Command.EVAL, source, keys, args));
    });
  }

  private static Request request(Command cmd, String script, List<String> keys, List<String> args) {
    Request r = Request.cmd(cmd).arg(script).arg(keys.size());
    keys.forEach(r::arg);
    args.forEach(r::arg);
    return r;
  }
}
