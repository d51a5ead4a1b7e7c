package com.wedsync.hub.history;

import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.ChannelEvent;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one subscription is in its channel's history, so that it gets every durable event once and in offset order.
 * While the subscription's start is being read from history (a join) or a gap is being filled, live events are held;
 * {@link #resume} then yields the events read followed by the held ones, skipping offsets already delivered.
 * Lives on the subscription's event loop only.
 */
public final class DeliveryCursor {

  /** What to do with a live event. */
  public enum Verdict {
    DELIVER,
    /** an offset this subscription already has */
    SKIP,
    /** kept until {@link #resume} */
    HELD,
    /** held, and offsets are missing before it: read them from history, then {@link #resume} */
    GAP
  }

  private String epoch;
  private long offset;
  private List<ChannelEvent> held = new ArrayList<>();

  /** A cursor that holds live events until its start position is known ({@link #resume}). */
  public DeliveryCursor() {}

  public boolean holding() {
    return held != null;
  }

  /** The last durable position delivered (or the start position); null before the first {@link #resume}. */
  public StreamPosition position() {
    return epoch == null ? null : new StreamPosition(offset, epoch);
  }

  /**
   * @param at the event's position, or null for an ephemeral event (those keep their place in the stream but have no
   *           offset to check)
   */
  public Verdict accept(ChannelEvent event, StreamPosition at) {
    if (held != null) {
      held.add(event);
      return Verdict.HELD;
    }
    if (at == null) return Verdict.DELIVER;
    if (!at.epoch().equals(epoch)) { // the channel's history was reset: follow the new one (clients see the epoch)
      epoch = at.epoch();
      offset = at.offset();
      return Verdict.DELIVER;
    }
    if (at.offset() <= offset) return Verdict.SKIP;
    if (at.offset() == offset + 1) {
      offset++;
      return Verdict.DELIVER;
    }
    held = new ArrayList<>();
    held.add(event);
    return Verdict.GAP;
  }

  /**
   * Ends holding: the cursor stands at {@code from}, and the result is what to deliver now, in order — the
   * {@code replay} events after {@code from}, then the held events not already covered. Held events past a gap that
   * history could not fill are delivered anyway: the jump in offsets tells the client it missed something.
   */
  public List<ChannelEvent> resume(StreamPosition from, List<ChannelEvent> replay) {
    epoch = from.epoch();
    offset = from.offset();
    List<ChannelEvent> out = new ArrayList<>(replay.size() + (held == null ? 0 : held.size()));
    for (ChannelEvent e : replay) advance(e, e.position(), out);
    List<ChannelEvent> live = held == null ? List.of() : held;
    held = null;
    for (ChannelEvent e : live) advance(e, e.position(), out);
    return out;
  }

  private void advance(ChannelEvent e, StreamPosition at, List<ChannelEvent> out) {
    if (at == null) {
      out.add(e);
      return;
    }
    if (at.epoch().equals(epoch) && at.offset() <= offset) return;
    epoch = at.epoch();
    offset = at.offset();
    out.add(e);
  }
}
