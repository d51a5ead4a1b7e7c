package com.wedsync.hub.channel;

import com.wedsync.hub.auth.Principal;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

/** Decides from the database whether a principal may join a channel, and with which rights. */
@FunctionalInterface
public interface AccessRule {
  Future<Access> check(Principal who, Topic topic, Pool db);
}
