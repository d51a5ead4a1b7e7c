package com.wedsync.hub.form;

import io.vertx.core.Future;
import io.vertx.pgclient.PgException;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Writes a save batch so that no change can hold the others hostage. The whole batch is tried first (the common case:
 * one transaction). When PostgreSQL refuses it for what a row holds — a data or constraint error, not an unreachable
 * database — the batch is halved and each half tried on its own, down to a single field and then to a single change;
 * the changes still refused alone are parked as {@link DeadLetters} with the reason. Every other change is written.
 *
 * <p>Any other failure (connection lost, server shutting down, a bug in a statement) fails the write as a whole, and
 * the save buffer retries the batch later: splitting would only multiply the failures, and parking would move every
 * change to the dead letters.
 */
public final class SplittingWriter {
  private final RevisionWriter writer;
  private final DeadLetters deadLetters;

  public SplittingWriter(RevisionWriter writer, DeadLetters deadLetters) {
    this.writer = writer;
    this.deadLetters = deadLetters;
  }

  /**
   * @param batch per field, its changes in version order
   * @return the changes that were parked instead of written (empty in the common case)
   */
  public Future<List<DeadLetters.Parked>> write(Collection<List<FieldChange>> batch) {
    List<DeadLetters.Parked> parked = new ArrayList<>();
    return write(new ArrayList<>(batch), parked)
        .compose(v -> parked.isEmpty() ? Future.succeededFuture(parked) : deadLetters.store(parked).map(parked));
  }

  private Future<Void> write(List<List<FieldChange>> groups, List<DeadLetters.Parked> parked) {
    return writer.write(groups).recover(e -> {
      if (!refusedForItsData(e)) return Future.failedFuture(e);
      if (groups.size() > 1) {
        int half = groups.size() / 2;
        List<List<FieldChange>> second = groups.subList(half, groups.size());
        return write(groups.subList(0, half), parked).compose(v -> write(second, parked));
      }
      List<FieldChange> changes = groups.get(0);
      if (changes.size() > 1) {
        // One change at a time, in version order: a batch holds one row per field, so these cannot share a write.
        Future<Void> chain = Future.succeededFuture();
        for (FieldChange c : changes) chain = chain.compose(v -> write(List.of(List.of(c)), parked));
        return chain;
      }
      parked.add(new DeadLetters.Parked(changes.get(0), e.getMessage(), ((PgException) e).getSqlState()));
      return Future.succeededFuture();
    });
  }

  /**
   * A refusal caused by the rows themselves: SQLSTATE class 22 (data exception: a character the encoding cannot hold,
   * a value out of range), 23 (a constraint) or 54 (a program limit, such as a row too large).
   */
  static boolean refusedForItsData(Throwable e) {
    if (!(e instanceof PgException pg) || pg.getSqlState() == null) return false;
    String state = pg.getSqlState();
    return state.startsWith("22") || state.startsWith("23") || state.startsWith("54");
  }
}
