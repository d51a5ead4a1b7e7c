package com.wedsync.hub.bus;

/**
 * What travels between the parts of the hub, and between nodes: always addressed to a channel topic (bare, without
 * the {@code realtime:} prefix). Client-visible events, presence changes and control signals share this one path.
 */
public sealed interface BusMessage permits ChannelEvent, PresenceDelta, ControlEvent {
  String topic();
}
