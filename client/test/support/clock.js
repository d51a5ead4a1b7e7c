/** Lets pending promise callbacks and I/O-free callbacks run (the fake hub delivers frames on setImmediate). */
export async function flush(rounds = 8) {
  for (let i = 0; i < rounds; i++) await new Promise((resolve) => setImmediate(resolve));
}

/** Waits (on real time, briefly) until `predicate()` holds; fails the test with `what` otherwise. */
export async function waitFor(predicate, what = 'condition', timeoutMs = 2000) {
  const start = Date.now();
  for (;;) {
    if (predicate()) return;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** A clock whose time only moves when a test says so; timers run in order as it moves. */
export class FakeClock {
  constructor(start = 1_700_000_000_000) {
    this.t = start;
    this.timers = new Map();
    this.seq = 0;
  }

  now() {
    return this.t;
  }

  setTimeout(fn, ms) {
    const id = ++this.seq;
    this.timers.set(id, { id, at: this.t + Math.max(0, Number(ms) || 0), fn });
    return id;
  }

  clearTimeout(id) {
    this.timers.delete(id);
  }

  /** Timers due within `ms` from now, earliest first. */
  due(ms = 0) {
    return [...this.timers.values()].filter((t) => t.at <= this.t + ms).sort((a, b) => a.at - b.at || a.id - b.id);
  }

  async advance(ms) {
    const end = this.t + ms;
    for (;;) {
      const next = [...this.timers.values()]
        .filter((t) => t.at <= end)
        .sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!next) break;
      this.timers.delete(next.id);
      this.t = next.at;
      next.fn();
      await flush();
    }
    this.t = end;
    await flush();
  }
}
