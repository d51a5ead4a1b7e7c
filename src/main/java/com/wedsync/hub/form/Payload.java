package com.wedsync.hub.form;

import com.wedsync.hub.channel.ChannelError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/** Typed reads of a request payload; every refusal names the offending key. */
final class Payload {
  private final JsonObject json;

  Payload(JsonObject json) {
    this.json = json == null ? new JsonObject() : json;
  }

  String string(String key, int max) {
    Object v = json.getValue(key);
    if (!(v instanceof String s) || s.isEmpty()) throw ChannelError.invalid(key, key + " must be a non-empty string");
    if (s.length() > max) throw ChannelError.invalid(key, key + " must be at most " + max + " characters");
    return s;
  }

  String field() {
    return string("field", 64);
  }

  String opId() {
    return string("op_id", 128);
  }

  Long optionalLong(String key) {
    Object v = json.getValue(key);
    if (v == null) return null;
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue()) && n.longValue() >= 0) return n.longValue();
    throw ChannelError.invalid(key, key + " must be a whole number ≥ 0");
  }

  long requiredLong(String key) {
    Long v = optionalLong(key);
    if (v == null) throw ChannelError.invalid(key, key + " is required");
    return v;
  }

  boolean flag(String key) {
    Object v = json.getValue(key);
    if (v == null) return false;
    if (v instanceof Boolean b) return b;
    throw ChannelError.invalid(key, key + " must be true or false");
  }

  JsonArray array(String key) {
    Object v = json.getValue(key);
    if (v instanceof JsonArray a) return a;
    throw ChannelError.invalid(key, key + " must be an array");
  }

  boolean has(String key) {
    return json.containsKey(key);
  }

  Object raw(String key) {
    return json.getValue(key);
  }
}
