package com.wedsync.hub.cluster;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/** The Redis Cluster key-to-slot function (RedisClusterTest checks it against CLUSTER KEYSLOT of a real cluster). */
class HashSlotTest {

  @Test
  void crc16XmodemModulo16384() {
    assertEquals(0x31C3, HashSlot.of("123456789"), "the CRC16/XMODEM check value");
    assertEquals(12182, HashSlot.of("foo"));
  }

  @Test
  void theHashTagDecides() {
    assertEquals(HashSlot.of("user1000"), HashSlot.of("{user1000}.following"));
    assertEquals(HashSlot.of("{user1000}.following"), HashSlot.of("{user1000}.followers"));
    assertEquals(HashSlot.of("bar"), HashSlot.of("foo{bar}{zap}"), "the first tag only");
    assertEquals(HashSlot.of("{bar"), HashSlot.of("foo{{bar}}zap"), "from the first { to the next }");
    assertNotEquals(HashSlot.of("bar"), HashSlot.of("foo{}{bar}"), "an empty first tag: the whole key, not {bar}");
    assertEquals(HashSlot.of("hub:{form:x}"), HashSlot.of("hub:form:{form:x}:pending"), "a form's channel and keys");
  }
}
