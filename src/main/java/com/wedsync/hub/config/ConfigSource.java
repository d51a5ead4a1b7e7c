package com.wedsync.hub.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The raw configuration tree: {@code conf/hub.json} with every leaf overridable by an environment variable.
 *
 * <p>The variable name is derived from the key path, so nobody has to keep a list in sync:
 * {@code socket.maxChannelsPerConnection} becomes {@code HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION}. Only keys present in
 * the file can be overridden; a {@code HUB_} variable that matches no key stops start-up, because a misspelt override
 * silently ignored is worse than no start.
 */
public final class ConfigSource {
  static final String PREFIX = "HUB_";
  private final JsonObject tree;

  private ConfigSource(JsonObject tree) {
    this.tree = tree;
  }

  /** Reads the file named by {@code HUB_CONFIG}, else {@code conf/hub.json}, else the copy packaged in the jar. */
  public static ConfigSource load(Map<String, String> env) {
    String explicit = env.get("HUB_CONFIG");
    JsonObject base;
    if (explicit != null && !explicit.isBlank()) {
      base = readFile(Path.of(explicit), "HUB_CONFIG");
    } else if (Files.isRegularFile(Path.of("conf/hub.json"))) {
      base = readFile(Path.of("conf/hub.json"), "HUB_CONFIG");
    } else {
      base = readResource("conf/hub.json");
    }
    java.util.Set<String> known = new java.util.HashSet<>(java.util.List.of("HUB_CONFIG"));
    applyOverrides(base, "", env, known);
    for (String name : env.keySet()) {
      if (name.startsWith(PREFIX) && !known.contains(name)) {
        throw new ConfigException(name, "environment variable matches no configuration key");
      }
    }
    return new ConfigSource(base);
  }

  private static JsonObject readFile(Path path, String key) {
    try {
      return new JsonObject(Files.readString(path, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + path + ": " + e.getMessage());
    } catch (RuntimeException e) {
      throw new ConfigException(key, path + " is not valid JSON: " + e.getMessage());
    }
  }

  private static JsonObject readResource(String name) {
    try (InputStream in = ConfigSource.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new ConfigException("HUB_CONFIG", "no conf/hub.json on disk or in the jar");
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException("HUB_CONFIG", "cannot read packaged conf/hub.json: " + e.getMessage());
    }
  }

  static String envName(String path) {
    StringBuilder sb = new StringBuilder(PREFIX);
    for (char c : path.toCharArray()) {
      if (c == '.') sb.append('_');
      else if (Character.isUpperCase(c)) sb.append('_').append(c);
      else sb.append(Character.toUpperCase(c));
    }
    return sb.toString();
  }

  private static void applyOverrides(JsonObject node, String prefix, Map<String, String> env, java.util.Set<String> known) {
    for (String key : node.fieldNames().toArray(new String[0])) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        applyOverrides(child, path, env, known);
        continue;
      }
      known.add(envName(path));
      String override = env.get(envName(path));
      if (override == null) continue;
      if (value instanceof Boolean) node.put(key, parseBoolean(path, override));
      else if (value instanceof Number) node.put(key, parseNumber(path, override));
      else if (value instanceof JsonArray) node.put(key, parseArray(path, override));
      else node.put(key, override);
    }
  }

  /** A list: JSON when it starts with {@code [} (a list of objects), else comma-separated strings. */
  private static JsonArray parseArray(String path, String raw) {
    if (raw.trim().startsWith("[")) {
      try {
        return new JsonArray(raw.trim());
      } catch (RuntimeException e) {
        throw new ConfigException(path, "is not a valid JSON list (from " + envName(path) + "): " + e.getMessage());
      }
    }
    return new JsonArray(java.util.Arrays.asList(raw.split(",")));
  }

  private static boolean parseBoolean(String path, String raw) {
    return switch (raw.trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ConfigException(path, "expected true or false, got '" + raw + "' (from " + envName(path) + ")");
    };
  }

  private static Number parseNumber(String path, String raw) {
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(path, "expected a whole number, got '" + raw + "' (from " + envName(path) + ")");
    }
  }

  public String string(String path) {
    Object v = lookup(path);
    if (v == null) return "";
    if (!(v instanceof String s)) throw new ConfigException(path, "expected a string, got " + v);
    return s.trim();
  }

  public boolean bool(String path) {
    Object v = lookup(path);
    if (!(v instanceof Boolean b)) throw new ConfigException(path, "expected true or false, got " + v);
    return b;
  }

  public int integer(String path, int min, int max) {
    Object v = lookup(path);
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new ConfigException(path, "expected a whole number, got " + v);
    }
    long l = n.longValue();
    if (l < min || l > max) throw new ConfigException(path, "must be between " + min + " and " + max + ", got " + l);
    return (int) l;
  }

  public java.util.List<String> list(String path) {
    String raw = string(path);
    if (raw.isEmpty()) return java.util.List.of();
    return java.util.Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /** A list of strings (a JSON list in the file; comma-separated or a JSON list in the environment). */
  public java.util.List<String> strings(String path) {
    Object v = lookup(path);
    if (!(v instanceof JsonArray a)) throw new ConfigException(path, "expected a list of strings, got " + v);
    java.util.List<String> out = new java.util.ArrayList<>();
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof String item)) {
        throw new ConfigException(path + "[" + i + "]", "expected a string, got " + a.getValue(i));
      }
      if (!item.isBlank()) out.add(item.trim());
    }
    return out;
  }

  /** A list of objects (e.g. {@code postgresChanges.tables}). */
  public JsonArray objects(String path) {
    Object v = lookup(path);
    if (!(v instanceof JsonArray a)) throw new ConfigException(path, "expected a list, got " + v);
    for (int i = 0; i < a.size(); i++) {
      if (!(a.getValue(i) instanceof JsonObject)) {
        throw new ConfigException(path + "[" + i + "]", "expected an object, got " + a.getValue(i));
      }
    }
    return a;
  }

  private Object lookup(String path) {
    JsonObject node = tree;
    String[] parts = path.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      node = node.getJsonObject(parts[i]);
      if (node == null) throw new ConfigException(path, "missing section '" + parts[i] + "'");
    }
    if (!node.containsKey(parts[parts.length - 1])) throw new ConfigException(path, "missing");
    return node.getValue(parts[parts.length - 1]);
  }
}
