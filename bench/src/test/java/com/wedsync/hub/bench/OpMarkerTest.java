package com.wedsync.hub.bench;

import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The generator's byte peeks into hub frames: they replace a JSON decode per frame, so they must be exact. */
class OpMarkerTest {
  private static final Buffer CHANGED = Buffer.buffer("[null,null,\"realtime:form:f1\",\"field:changed\","
      + "{\"field\":\"f3\",\"op_id\":\"wb-12-987654321\",\"user\":{\"user_id\":\"u-1\",\"name\":\"A\"}}]");

  @Test
  void findsTheSenderAndSendTimeOfATag() {
    assertArrayEquals(new long[] {12, 987654321}, new OpMarker("\"op_id\":\"wb-").find(CHANGED));
    assertNull(new OpMarker("\"op_id\":\"p3-").find(CHANGED), "another tag");
    assertEquals("wn-3-77", OpMarker.tag("wn", 3, 77));
  }

  @Test
  void readsTheEventNameFromTheHead() {
    assertEquals("field:changed", OpMarker.event(CHANGED));
    assertEquals("phx_reply", OpMarker.event(Buffer.buffer("[\"1\",\"2\",\"phoenix\",\"phx_reply\",{}]")));
    assertEquals("?", OpMarker.event(Buffer.buffer("[1,2]")), "too few elements");
    assertTrue(OpMarker.at(CHANGED, OpMarker.ascii("\"field:changed\""), OpMarker.eventStart(CHANGED)));
    assertFalse(OpMarker.at(CHANGED, OpMarker.ascii("\"phx_reply\""), OpMarker.eventStart(CHANGED)));
    assertFalse(OpMarker.at(CHANGED, OpMarker.ascii("x"), -1), "no event: never a match");
  }

  @Test
  void readsAStringValueAfterItsKey() {
    assertEquals("u-1", OpMarker.stringAfter(CHANGED, OpMarker.ascii("\"user_id\":\"")));
    assertNull(OpMarker.stringAfter(CHANGED, OpMarker.ascii("\"missing\":\"")));
    assertNull(OpMarker.stringAfter(Buffer.buffer("{\"user_id\":\"cut"), OpMarker.ascii("\"user_id\":\"")),
        "unterminated");
  }
}
