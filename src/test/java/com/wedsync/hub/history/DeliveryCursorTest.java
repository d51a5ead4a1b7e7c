package com.wedsync.hub.history;

import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.ChannelEvent;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.List;

import static com.wedsync.hub.history.DeliveryCursor.Verdict.DELIVER;
import static com.wedsync.hub.history.DeliveryCursor.Verdict.GAP;
import static com.wedsync.hub.history.DeliveryCursor.Verdict.HELD;
import static com.wedsync.hub.history.DeliveryCursor.Verdict.SKIP;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The per-subscription ordering rules on their own, with the interleavings RecoveryTest can only hit by chance: live
 * events that arrive while the join's history read is out overlap the replay, and must come out once, in order.
 */
class DeliveryCursorTest {
  static final String EPOCH = "e1";

  static ChannelEvent durable(long offset) {
    return new StreamPosition(offset, EPOCH).stamp(ChannelEvent.of("form:1", "form:note", new JsonObject()));
  }

  static ChannelEvent ephemeral(String name) {
    return ChannelEvent.of("form:1", "broadcast", new JsonObject().put("name", name));
  }

  static DeliveryCursor.Verdict offer(DeliveryCursor c, ChannelEvent e) {
    return c.accept(e, e.position());
  }

  static List<Object> labels(List<ChannelEvent> events) {
    return events.stream().map(e -> {
      StreamPosition p = e.position();
      return p == null ? (Object) e.payload().getString("name") : (Object) p.offset();
    }).toList();
  }

  @Test
  void liveEventsDuringTheReplayReadAreHeldAndNotDeliveredTwice() {
    DeliveryCursor c = new DeliveryCursor();
    assertTrue(c.holding(), "holds until the start is known");
    // Published while the history read was out: 7 and 8 are in the replay too, 9 and 10 are not.
    assertEquals(HELD, offer(c, durable(7)));
    assertEquals(HELD, offer(c, ephemeral("typing")));
    assertEquals(HELD, offer(c, durable(8)));
    assertEquals(HELD, offer(c, durable(9)));
    assertEquals(HELD, offer(c, durable(10)));
    List<ChannelEvent> out = c.resume(new StreamPosition(4, EPOCH), List.of(durable(5), durable(6), durable(7),
        durable(8)));
    assertEquals(List.of(5L, 6L, 7L, 8L, "typing", 9L, 10L), labels(out));
    assertFalse(c.holding());
    assertEquals(SKIP, offer(c, durable(10)), "a duplicate");
    assertEquals(DELIVER, offer(c, durable(11)));
    assertEquals(new StreamPosition(11, EPOCH), c.position());
  }

  @Test
  void aJoinWithoutRecoveryStartsAtTheTopAndDropsWhatCameBefore() {
    DeliveryCursor c = new DeliveryCursor();
    offer(c, durable(3));
    offer(c, durable(4));
    assertEquals(List.of(4L), labels(c.resume(new StreamPosition(3, EPOCH), List.of())));
  }

  @Test
  void aGapHoldsUntilFilledThenDeliversInOrder() {
    DeliveryCursor c = new DeliveryCursor();
    c.resume(new StreamPosition(1, EPOCH), List.of());
    assertEquals(DELIVER, offer(c, durable(2)));
    assertEquals(GAP, offer(c, durable(5)), "3 and 4 never arrived");
    assertEquals(HELD, offer(c, durable(6)));
    assertEquals(new StreamPosition(2, EPOCH), c.position(), "where the fill reads from");
    assertEquals(List.of(3L, 4L, 5L, 6L), labels(c.resume(c.position(), List.of(durable(3), durable(4), durable(5)))));
    assertEquals(DELIVER, offer(c, durable(7)));
  }

  @Test
  void aGapHistoryCannotFillIsPassedOnSoTheClientSeesTheJump() {
    DeliveryCursor c = new DeliveryCursor();
    c.resume(new StreamPosition(1, EPOCH), List.of());
    assertEquals(GAP, offer(c, durable(9)));
    assertEquals(List.of(9L), labels(c.resume(c.position(), List.of())));
  }

  @Test
  void aNewEpochIsFollowed() {
    DeliveryCursor c = new DeliveryCursor();
    c.resume(new StreamPosition(40, EPOCH), List.of());
    ChannelEvent reset = new StreamPosition(1, "e2").stamp(ChannelEvent.of("form:1", "form:note", new JsonObject()));
    assertEquals(DELIVER, c.accept(reset, reset.position()));
    assertEquals(new StreamPosition(1, "e2"), c.position());
  }
}
