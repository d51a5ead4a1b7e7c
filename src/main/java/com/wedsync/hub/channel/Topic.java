package com.wedsync.hub.channel;

import java.util.UUID;

/**
 * A parsed channel name (without the {@code realtime:} prefix): its family, the ids it names and an optional
 * sub-channel suffix such as {@code team} in {@code supplier:{id}:team}.
 */
public record Topic(String name, ChannelFamily family, UUID id, UUID secondId, String suffix) {

  /** The client-facing form the Supabase clients use. */
  public static final String REALTIME_PREFIX = "realtime:";

  public static String bare(String sent) {
    return sent.startsWith(REALTIME_PREFIX) ? sent.substring(REALTIME_PREFIX.length()) : sent;
  }
}
