package com.wedsync.hub.areas;

import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * At most one flush per key per interval, always of the latest state: the first mark of a quiet key flushes at once;
 * marks while a flush is due or running are gathered into one more flush, which starts no sooner than
 * {@code intervalMs} after the last flush that published something ({@code flush} answers whether it did). As each
 * flush reads the state when it runs, the last one published is the latest. Single-threaded: call {@link #mark} on
 * one context (the one that made it).
 */
final class Coalescer<K> {
  private static final int MAX_KEYS = 10_000;

  private static final class State {
    /** Not before this time (ms) may the next flush start: the last publishing flush's end plus the interval. */
    long notBefore;
    long timer = -1;
    boolean running;
    boolean dirty;
  }

  private final Vertx vertx;
  private final long intervalMs;
  private final Function<K, Future<Boolean>> flush;
  private final LongSupplier clock;
  private final Map<K, State> states = new LinkedHashMap<>(64, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<K, State> eldest) {
      State s = eldest.getValue();
      return size() > MAX_KEYS && !s.running && s.timer < 0;
    }
  };

  Coalescer(Vertx vertx, long intervalMs, Function<K, Future<Boolean>> flush) {
    this(vertx, intervalMs, flush, System::currentTimeMillis);
  }

  Coalescer(Vertx vertx, long intervalMs, Function<K, Future<Boolean>> flush, LongSupplier clock) {
    this.vertx = vertx;
    this.intervalMs = intervalMs;
    this.flush = flush;
    this.clock = clock;
  }

  /** Something of {@code key} changed. */
  void mark(K key) {
    State s = states.computeIfAbsent(key, k -> new State());
    if (s.running) {
      s.dirty = true;
      return;
    }
    if (s.timer >= 0) return; // a flush is due: it will read what this mark changed
    schedule(key, s);
  }

  /** Forgets every key (this node stopped flushing); pending timers are cancelled. */
  void clear() {
    for (State s : states.values()) if (s.timer >= 0) vertx.cancelTimer(s.timer);
    states.clear();
  }

  private void schedule(K key, State s) {
    long wait = s.notBefore - clock.getAsLong();
    if (wait <= 0) {
      run(key, s);
    } else {
      s.timer = vertx.setTimer(wait, id -> {
        s.timer = -1;
        run(key, s);
      });
    }
  }

  private void run(K key, State s) {
    s.running = true;
    s.dirty = false;
    Future<Boolean> done;
    try {
      done = flush.apply(key);
    } catch (RuntimeException e) {
      done = Future.failedFuture(e);
    }
    done.onComplete(ar -> {
      s.running = false;
      if (ar.succeeded() && Boolean.TRUE.equals(ar.result())) s.notBefore = clock.getAsLong() + intervalMs;
      if (s.dirty && states.get(key) == s) schedule(key, s);
    });
  }
}
