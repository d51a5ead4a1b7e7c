package com.wedsync.hub.channel;

import com.wedsync.hub.bus.ChannelEvent;

/** The client end of subscriptions: a socket connection on this event loop. */
public interface Subscriber {
  String connectionId();

  void deliver(ChannelEvent event, Subscription subscription);
}
