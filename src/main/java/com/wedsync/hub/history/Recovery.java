package com.wedsync.hub.history;

import com.wedsync.hub.bus.StreamPosition;
import com.wedsync.hub.bus.ChannelEvent;

import java.util.List;

/**
 * What a history read found.
 *
 * @param top       the channel's newest offset and its epoch when it was read
 * @param recovered true when every durable event after the asked position is in {@code events}
 * @param events    the events after the asked position, in offset order (empty unless recovered)
 */
public record Recovery(StreamPosition top, boolean recovered, List<ChannelEvent> events) {

  public static Recovery notRecovered(StreamPosition top) {
    return new Recovery(top, false, List.of());
  }
}
