package com.wedsync.hub.notify;

import java.util.List;

/**
 * Who receives a notification, as one SQL query returning a {@code user_id} column, with its parameters numbered
 * from {@code $1}. Built by {@link Recipients}; run inside the statement that stores the notifications, so resolving
 * and storing is one round trip.
 */
public record Audience(String sql, List<Object> args) {}
