package com.wedsync.hub.config;

/** A configuration value that cannot be used. The message always names the key, so start-up failures are actionable. */
public final class ConfigException extends RuntimeException {
  public ConfigException(String key, String problem) {
    super("configuration key '" + key + "': " + problem);
  }
}
