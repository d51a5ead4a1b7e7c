package com.wedsync.hub.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Files named by configuration keys: read from disk, or from the jar for the documented development defaults. */
final class ConfigFiles {
  private ConfigFiles() {}

  static String read(String key, String name) {
    Path path = Path.of(name);
    try {
      if (Files.isRegularFile(path)) return Files.readString(path, StandardCharsets.UTF_8);
      try (InputStream in = ConfigFiles.class.getClassLoader().getResourceAsStream(name)) {
        if (in != null) return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new ConfigException(key, "cannot read " + name + ": " + e.getMessage());
    }
    throw new ConfigException(key, "file not found: " + name);
  }
}
