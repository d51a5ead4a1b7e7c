package com.wedsync.hub.health;

/** What the sync-health windows count per second, per node. */
enum Rate {
  MESSAGES_IN("messages_in"),
  MESSAGES_OUT("messages_out"),
  ERRORS("errors"),
  CONFLICTS("conflicts"),
  FIELD_WRITES("field_writes"),
  CONNECTS("connects"),
  RECONNECTS("reconnects"),
  LOCKS_GRANTED("locks_granted"),
  LOCKS_DENIED("locks_denied"),
  LOCKS_EXPIRED("locks_expired"),
  RECOVERED("recovered"),
  NOT_RECOVERED("not_recovered"),
  DELIVERIES("deliveries"),
  SAVE_DEAD_LETTERS("save_dead_letters"),
  OUTBOX_DEAD("outbox_dead");

  static final Rate[] ALL = values();

  final String key;

  Rate(String key) {
    this.key = key;
  }
}
