package com.wedsync.hub.cluster;

import java.nio.charset.StandardCharsets;

/**
 * The Redis Cluster hash slot of a key or shard channel: CRC16 (XMODEM) of its hash tag (the part between the first
 * {@code {} and the next {@code }}, when not empty), else of the whole name, modulo 16384 — as the Redis Cluster
 * specification defines it. The sharded subscriber needs it to know which master carries a channel.
 */
public final class HashSlot {
  public static final int SLOTS = 16384;
  private static final int[] TABLE = new int[256];

  static {
    for (int i = 0; i < 256; i++) {
      int crc = i << 8;
      for (int bit = 0; bit < 8; bit++) crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
      TABLE[i] = crc & 0xFFFF;
    }
  }

  private HashSlot() {}

  public static int of(String key) {
    byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
    int start = 0;
    int end = bytes.length;
    int open = indexOf(bytes, (byte) '{', 0);
    if (open >= 0) {
      int close = indexOf(bytes, (byte) '}', open + 1);
      if (close > open + 1) {
        start = open + 1;
        end = close;
      }
    }
    int crc = 0;
    for (int i = start; i < end; i++) crc = ((crc << 8) ^ TABLE[((crc >>> 8) ^ bytes[i]) & 0xFF]) & 0xFFFF;
    return crc % SLOTS;
  }

  private static int indexOf(byte[] bytes, byte b, int from) {
    for (int i = from; i < bytes.length; i++) if (bytes[i] == b) return i;
    return -1;
  }
}
