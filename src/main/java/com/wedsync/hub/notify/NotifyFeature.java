package com.wedsync.hub.notify;

import com.wedsync.hub.channel.ChannelRegistry;
import com.wedsync.hub.channel.Publisher;
import com.wedsync.hub.config.HubConfig;
import com.wedsync.hub.form.FormEvents;
import com.wedsync.hub.http.HttpAuth;
import com.wedsync.hub.metrics.HubMetrics;
import io.vertx.sqlclient.Pool;

import java.util.UUID;
import java.util.function.Consumer;

/**
 * Notifications and the activity feed, put together: the bell, the service that stores notifications and queues their
 * deliveries, the outbox poller every node runs (the database's claim decides which node delivers each row), and the
 * listener that turns form events into both.
 */
public record NotifyFeature(NotificationService notifications, ActivityFeed activity, Bell bell,
                            Preferences preferences, OutboxPoller outbox, FormEvents formEvents) {

  /** @param unreadChanged told of every user whose unread count changed, however it did */
  public static NotifyFeature create(Pool pool, Publisher publisher, HubMetrics metrics, HubConfig cfg,
                                     Consumer<UUID> unreadChanged) {
    ActivityFeed activity = new ActivityFeed(pool, publisher);
    NotificationService notifications = new NotificationService(pool, publisher, metrics, cfg.delivery().channels(),
        unreadChanged);
    return new NotifyFeature(notifications, activity, new Bell(pool, publisher, unreadChanged),
        new Preferences(pool, cfg.delivery().channels()),
        new OutboxPoller(new Outbox(pool), cfg.delivery(), metrics, cfg.nodeId()),
        new FormNotifications(notifications, activity));
  }

  public NotificationRoutes notificationRoutes(HttpAuth auth) {
    return new NotificationRoutes(auth, bell, preferences, notifications);
  }

  public ActivityRoutes activityRoutes(HttpAuth auth, ChannelRegistry channels) {
    return new ActivityRoutes(auth, channels, activity);
  }
}
