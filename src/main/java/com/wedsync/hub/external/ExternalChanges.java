package com.wedsync.hub.external;

import com.wedsync.hub.db.PgListener;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Changes other services make in the hub's tables (docs/protocol.md §5.15), announced by PostgreSQL on {@code hub_external}
 * (migration V6): each announcement is claimed by one node of the cluster and handed to the handler of its table.
 * The hub's own writes are never announced, so nothing here echoes what the hub already published.
 */
public final class ExternalChanges {
  private static final Logger log = LoggerFactory.getLogger(ExternalChanges.class);
  public static final String CHANNEL = "hub_external";

  private final ChangeClaims claims;
  private final Map<String, Function<ExternalChange, Future<?>>> handlers = new HashMap<>();

  public ExternalChanges(ChangeClaims claims) {
    this.claims = claims;
  }

  public ExternalChanges on(String table, Function<ExternalChange, Future<?>> handler) {
    handlers.put(table, handler);
    return this;
  }

  public void listen(PgListener listener) {
    listener.on(CHANNEL, this::received);
  }

  void received(String payload) {
    ExternalChange change = ExternalChange.parse(payload);
    Function<ExternalChange, Future<?>> handler = handlers.get(change.table());
    if (handler == null) throw new IllegalArgumentException("no handler for changes to table " + change.table());
    claims.claim(change.raw())
        .compose(mine -> mine ? handler.apply(change) : Future.succeededFuture())
        .onFailure(e -> log.warn("change to {} {} made outside the hub not published: {}", change.table(),
            change.id(), e.getMessage()));
  }
}
