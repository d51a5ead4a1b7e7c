package com.wedsync.hub.areas;

import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dashboard's coalescing on its own: a burst of marks is one flush at once and one more, with the latest state,
 * no sooner than the interval after it; a flush that published nothing does not hold the next one back; a mark while
 * a flush runs is not lost. Real timers, a one-second interval; nothing waits longer than the flushes take.
 */
class CoalescerTest {
  static Vertx vertx;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  record Flush(long at, int value) {}

  static void on(Context ctx, Runnable r) throws Exception {
    Promise<Void> done = Promise.promise();
    ctx.runOnContext(v -> {
      r.run();
      done.complete();
    });
    done.future().toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static void await(java.util.function.BooleanSupplier condition) {
    LiveAreasWorld.await(condition, "the flushes happened");
  }

  @Test
  void aBurstIsOneFlushAtOnceAndOneMoreWithTheLatestValueAnIntervalLater() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger state = new AtomicInteger();
    List<Flush> flushes = new CopyOnWriteArrayList<>();
    Coalescer<String>[] c = new Coalescer[1];
    on(ctx, () -> c[0] = new Coalescer<>(vertx, 1_000, key -> {
      flushes.add(new Flush(System.currentTimeMillis(), state.get()));
      return Future.succeededFuture(true);
    }));
    for (int i = 0; i < 200; i++) {
      on(ctx, () -> {
        state.incrementAndGet();
        c[0].mark("s1");
      });
    }
    await(() -> flushes.size() == 2);
    assertEquals(1, flushes.get(0).value(), "the first mark flushes at once");
    assertEquals(200, flushes.get(1).value(), "the second flush reads the latest state");
    assertTrue(flushes.get(1).at() - flushes.get(0).at() >= 1_000, flushes.toString());
    // Quiet after that: a new mark is one more flush, an interval after the last.
    on(ctx, () -> c[0].mark("s1"));
    await(() -> flushes.size() == 3);
    assertTrue(flushes.get(2).at() - flushes.get(1).at() >= 1_000, flushes.toString());
    assertEquals(3, flushes.size());
  }

  @Test
  void keysAreCoalescedApartAndAFlushThatPublishedNothingHoldsNothingBack() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    List<String> flushes = new CopyOnWriteArrayList<>();
    Coalescer<String>[] c = new Coalescer[1];
    on(ctx, () -> c[0] = new Coalescer<>(vertx, 60_000, key -> {
      flushes.add(key);
      return Future.succeededFuture(key.startsWith("published"));
    }));
    on(ctx, () -> c[0].mark("published-a"));
    on(ctx, () -> c[0].mark("published-b"));
    on(ctx, () -> c[0].mark("unchanged"));
    on(ctx, () -> c[0].mark("unchanged"));
    await(() -> flushes.size() == 4);
    assertEquals(List.of("published-a", "published-b", "unchanged", "unchanged"), flushes);
  }

  @Test
  void aMarkWhileAFlushRunsIsFlushedAfterIt() throws Exception {
    Context ctx = vertx.getOrCreateContext();
    AtomicInteger state = new AtomicInteger();
    List<Integer> flushed = new CopyOnWriteArrayList<>();
    AtomicBoolean firstRunning = new AtomicBoolean();
    Promise<Boolean> first = Promise.promise();
    Coalescer<String>[] c = new Coalescer[1];
    on(ctx, () -> c[0] = new Coalescer<>(vertx, 200, key -> {
      int seen = state.get();
      if (flushed.isEmpty() && firstRunning.compareAndSet(false, true)) {
        return first.future().map(published -> {
          flushed.add(seen);
          return published;
        });
      }
      flushed.add(seen);
      return Future.succeededFuture(true);
    }));
    on(ctx, () -> c[0].mark("s"));
    on(ctx, () -> {
      state.incrementAndGet(); // changed after the running flush read the state
      c[0].mark("s");
    });
    on(ctx, () -> first.complete(true));
    await(() -> flushed.size() == 2);
    assertEquals(List.of(0, 1), flushed);
  }
}
