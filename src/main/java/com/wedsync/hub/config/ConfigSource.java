package com.wedsync.hub.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The raw configuration tree: {@code conf/hub.json} with every leaf overridable by an environment variable.
 *
 * <p>The variable name is derived from the key path, so nobody has to keep a list in sync:
 * {@code socket.maxChannelsPerConnection} becomes {@code WEDSYNC_HUB_SOCKET_MAX_CHANNELS_PER_CONNECTION}. Only keys
 * present in the file can be overridden; a {@code WEDSYNC_HUB_} variable that matches no key stops start-up, because a
 * misspelt override silently ignored is worse than no start.
 *
 * <p>The older prefix {@code HUB_} is still read for the keys it names, but a {@code HUB_} variable that matches no key
 * is only a {@linkplain #warnings() warning}: platforms claim that prefix (Kubernetes injects {@code HUB_PORT},
 * {@code HUB_SERVICE_HOST}, … into every pod of a namespace with a Service named {@code hub}), and such a variable
 * must not stop the hub. When both name one key, the {@code WEDSYNC_HUB_} one wins.
 */
public final class ConfigSource {
  static final String PREFIX = "WEDSYNC_HUB_";
  static final String LEGACY_PREFIX = "HUB_";
  /** The variable naming the configuration file (not a key of the file). */
  static final String CONFIG_FILE = "CONFIG";
  /** What Kubernetes injects for a Service: {@code <NAME>_SERVICE_HOST}, {@code <NAME>_PORT_4000_TCP_ADDR}, … */
  private static final java.util.regex.Pattern SERVICE_LINK = java.util.regex.Pattern.compile(
      "SERVICE_HOST|SERVICE_PORT(_.+)?|PORT(_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?)?");

  private final JsonObject tree;
  private final List<String> warnings;

  private ConfigSource(JsonObject tree, List<String> warnings) {
    this.tree = tree;
    this.warnings = List.copyOf(warnings);
  }

  /**
   * Reads the file named by {@code WEDSYNC_HUB_CONFIG} (or {@code HUB_CONFIG}), else {@code conf/hub.json}, else the
   * copy packaged in the jar, and applies the environment's overrides.
   */
  public static ConfigSource load(Map<String, String> env) {
    List<String> warnings = new ArrayList<>();
    Overrides overrides = new Overrides(env, warnings);
    String explicit = overrides.value(CONFIG_FILE);
    String fileVariable = overrides.name(CONFIG_FILE);
    JsonObject base;
    if (explicit != null && !explicit.isBlank()) {
      base = readFile(Path.of(explicit), fileVariable);
    } else if (Files.isRegularFile(Path.of("conf/hub.json"))) {
      base = readFile(Path.of("conf/hub.json"), PREFIX + CONFIG_FILE);
    } else {
      base = readResource("conf/hub.json");
    }
    Set<String> known = new HashSet<>(List.of(CONFIG_FILE));
    applyOverrides(base, "", overrides, known);
    for (String name : new TreeSet<>(env.keySet())) {
      if (name.startsWith(PREFIX) && !known.contains(name.substring(PREFIX.length()))) {
        String suffix = name.substring(PREFIX.length());
        throw new ConfigException(name, "environment variable matches no configuration key"
            + (SERVICE_LINK.matcher(suffix).matches() ? " (Kubernetes sets it for a Service named wedsync-hub: name "
            + "the Service otherwise, or set enableServiceLinks: false in the pod)" : ""));
      }
      if (name.startsWith(LEGACY_PREFIX) && !known.contains(name.substring(LEGACY_PREFIX.length()))) {
        warnings.add("ignoring environment variable " + name + ": it matches no configuration key (a platform's, "
            + "e.g. Kubernetes' for a Service named hub?); the hub's variables are " + PREFIX + "*");
      }
    }
    return new ConfigSource(base, warnings);
  }

  /**
   * What start-up should log once logging is set up: {@code HUB_} variables that were ignored, and {@code HUB_} ones
   * overridden by their {@code WEDSYNC_HUB_} twin.
   */
  public List<String> warnings() {
    return warnings;
  }

  /** The environment's value for a key path's variable name (without prefix): the new prefix first, then the old. */
  private record Overrides(Map<String, String> env, List<String> warnings) {
    String value(String suffix) {
      String current = env.get(PREFIX + suffix);
      String legacy = env.get(LEGACY_PREFIX + suffix);
      if (current != null && legacy != null && !legacy.equals(current)) {
        warnings.add("ignoring " + LEGACY_PREFIX + suffix + ": " + PREFIX + suffix + " is set too and wins");
      }
      return current != null ? current : legacy;
    }

    /** The variable a value came from, for messages. */
    String name(String suffix) {
      return env.containsKey(PREFIX + suffix) || !env.containsKey(LEGACY_PREFIX + suffix) ? PREFIX + suffix
          : LEGACY_PREFIX + suffix;
    }
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
      if (in == null) throw new ConfigException(PREFIX + CONFIG_FILE, "no conf/hub.json on disk or in the jar");
      return new JsonObject(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new ConfigException(PREFIX + CONFIG_FILE, "cannot read packaged conf/hub.json: " + e.getMessage());
    }
  }

  /** The variable overriding a key: {@code socket.maxChannelsPerConnection} → {@code WEDSYNC_HUB_SOCKET_MAX_…}. */
  static String envName(String path) {
    return PREFIX + envSuffix(path);
  }

  private static String envSuffix(String path) {
    StringBuilder sb = new StringBuilder();
    for (char c : path.toCharArray()) {
      if (c == '.') sb.append('_');
      else if (Character.isUpperCase(c)) sb.append('_').append(c);
      else sb.append(Character.toUpperCase(c));
    }
    return sb.toString();
  }

  private static void applyOverrides(JsonObject node, String prefix, Overrides env, Set<String> known) {
    for (String key : node.fieldNames().toArray(new String[0])) {
      String path = prefix.isEmpty() ? key : prefix + "." + key;
      Object value = node.getValue(key);
      if (value instanceof JsonObject child) {
        applyOverrides(child, path, env, known);
        continue;
      }
      String suffix = envSuffix(path);
      known.add(suffix);
      String override = env.value(suffix);
      if (override == null) continue;
      String from = env.name(suffix);
      if (value instanceof Boolean) node.put(key, parseBoolean(path, override, from));
      else if (value instanceof Number) node.put(key, parseNumber(path, override, from));
      else if (value instanceof JsonArray) node.put(key, parseArray(path, override, from));
      else node.put(key, override);
    }
  }

  /** A list: JSON when it starts with {@code [} (a list of objects), else comma-separated strings. */
  private static JsonArray parseArray(String path, String raw, String from) {
    if (raw.trim().startsWith("[")) {
      try {
        return new JsonArray(raw.trim());
      } catch (RuntimeException e) {
        throw new ConfigException(path, "is not a valid JSON list (from " + from + "): " + e.getMessage());
      }
    }
    return new JsonArray(java.util.Arrays.asList(raw.split(",")));
  }

  private static boolean parseBoolean(String path, String raw, String from) {
    return switch (raw.trim().toLowerCase()) {
      case "true", "1", "yes" -> true;
      case "false", "0", "no" -> false;
      default -> throw new ConfigException(path, "expected true or false, got '" + raw + "' (from " + from + ")");
    };
  }

  private static Number parseNumber(String path, String raw, String from) {
    try {
      return Long.parseLong(raw.trim());
    } catch (NumberFormatException e) {
      throw new ConfigException(path, "expected a whole number, got '" + raw + "' (from " + from + ")");
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
