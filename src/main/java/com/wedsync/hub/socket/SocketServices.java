package com.wedsync.hub.socket;

import com.wedsync.hub.auth.Principals;
import com.wedsync.hub.auth.TokenVerifier;
import com.wedsync.hub.bus.Bus;
import com.wedsync.hub.changes.ChangeListeners;
import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.EventHandlers;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.history.History;
import com.wedsync.hub.metrics.HubMetrics;
import com.wedsync.hub.presence.PresenceTracker;

/** What every socket event loop shares: node-wide services, built once in {@code Hub}. */
public record SocketServices(
    HubConfig config,
    Bus bus,
    TokenVerifier tokens,
    Principals principals,
    ChannelRegistry channels,
    PresenceTracker presence,
    EventHandlers handlers,
    ClientLimits limits,
    HubMetrics metrics,
    History history,
    LongPollSessions longPolls,
    ChangeListeners.ChangeFeedView changeFeed,
    java.util.function.LongConsumer deliveryLatency) {}
