package com.wedsync.hub.channel;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One row of the channel registry: a name pattern and its access rule. {@code pattern} must capture the ids as groups
 * {@code id} (and {@code second}) and an optional sub-channel as {@code suffix}.
 */
public record ChannelFamily(String name, Pattern pattern, Set<String> suffixes, AccessRule rule) {}
