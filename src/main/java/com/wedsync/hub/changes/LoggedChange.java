package com.wedsync.hub.changes;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

import java.time.Instant;

/**
 * A row change the feed has logged, as the reading node holds it, for what the hub does with changes besides
 * {@code postgres_changes} (domain events on the family channels, {@link ChangeFeed#onLogged}).
 *
 * @param id          its position in the change log: the same for the same change however often it is read again
 *                    (after a hand-over), so whoever receives what is made of it can drop a repeat
 * @param row         the whole row change, every column (for working out where it goes; not for sending as is)
 * @param published   the change as it left the hub: {@code record} and {@code old_record} with the published columns
 *                    only, {@code columns}, {@code commit_timestamp}
 * @param committedAt when its transaction committed
 */
public record LoggedChange(long id, RowChange row, JsonObject published, Instant committedAt) {

  /** The published columns of the new row (INSERT, UPDATE), else null. */
  public JsonObject record() {
    return published.getJsonObject("record");
  }

  /** The published columns of the old row (UPDATE, DELETE), else null. */
  public JsonObject oldRecord() {
    return published.getJsonObject("old_record");
  }

  /**
   * What the hub does with each logged change on the node that read it, in log order, before the slot is told the
   * change is done: a change whose hook had not finished when its reader died is read again by the next reader and
   * given to the hook again (with the same {@link #id}). A failed future is logged; it does not hold the feed up.
   */
  @FunctionalInterface
  public interface Hook {
    Hook NONE = change -> Future.succeededFuture();

    Future<?> logged(LoggedChange change);
  }
}
