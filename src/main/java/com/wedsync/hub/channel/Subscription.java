package com.wedsync.hub.channel;

import com.wedsync.hub.history.DeliveryCursor;
import com.wedsync.hub.presence.PresenceEntry;

/**
 * One connection joined to one channel: the topic as the client spelled it (answers echo it), the parsed topic, the
 * join options and the access the hub granted. Lives on the connection's event loop only.
 */
public final class Subscription {
  private final Subscriber subscriber;
  private final String sentTopic;
  private final Topic topic;
  private final String joinRef;
  private final boolean self;
  private final boolean ack;
  private final boolean presenceEnabled;
  private final String presenceKey;
  private final DeliveryCursor cursor = new DeliveryCursor();
  private Access access;
  private PresenceEntry presence;
  private boolean ended;

  public Subscription(Subscriber subscriber, String sentTopic, Topic topic, String joinRef, boolean self, boolean ack,
                      boolean presenceEnabled, String presenceKey, Access access) {
    this.subscriber = subscriber;
    this.sentTopic = sentTopic;
    this.topic = topic;
    this.joinRef = joinRef;
    this.self = self;
    this.ack = ack;
    this.presenceEnabled = presenceEnabled;
    this.presenceKey = presenceKey;
    this.access = access;
  }

  public Subscriber subscriber() { return subscriber; }
  public String sentTopic() { return sentTopic; }
  public Topic topic() { return topic; }
  public String joinRef() { return joinRef; }
  public boolean self() { return self; }
  public boolean ack() { return ack; }
  public boolean presenceEnabled() { return presenceEnabled; }
  public String presenceKey() { return presenceKey; }
  public DeliveryCursor cursor() { return cursor; }
  public Access access() { return access; }
  public void access(Access access) { this.access = access; }
  public PresenceEntry presence() { return presence; }
  public void presence(PresenceEntry presence) { this.presence = presence; }
  /** False once the subscription ended (left, replaced, closed): what completes later must not attach to it. */
  public boolean active() { return !ended; }
  public void ended() { ended = true; }
}
