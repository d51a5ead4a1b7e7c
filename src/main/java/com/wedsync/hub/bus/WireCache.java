package com.wedsync.hub.bus;

/**
 * The encoded forms of one {@link ChannelEvent}. Slots are filled on first use by whichever event loop gets there
 * first; a race only means the same bytes are computed twice, never a wrong frame, so no locking is needed.
 */
public final class WireCache {
  private final byte[][] slots = new byte[4][];

  public byte[] get(int slot) {
    return slots[slot];
  }

  public void put(int slot, byte[] bytes) {
    slots[slot] = bytes;
  }
}
