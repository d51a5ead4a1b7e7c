import { systemClock } from './clock.js';

/**
 * Per-key trailing debounce on an injectable clock: `schedule(key, ms, fn)` runs `fn` once `ms` after the LAST call
 * for that key. A delay of 0 runs at once (checkbox and radio changes are not debounced).
 */
export class Debouncer {
  /** @param {import('./clock.js').Clock} [clock] */
  constructor(clock = systemClock) {
    this.clock = clock;
    /** @type {Map<string, {handle: any, fn: () => void}>} */
    this.pendingByKey = new Map();
  }

  /** @param {string} key @param {number} delayMs @param {() => void} fn */
  schedule(key, delayMs, fn) {
    this.cancel(key);
    if (!(delayMs > 0)) {
      fn();
      return;
    }
    const handle = this.clock.setTimeout(() => {
      this.pendingByKey.delete(key);
      fn();
    }, delayMs);
    this.pendingByKey.set(key, { handle, fn });
  }

  /** @param {string} key */
  pending(key) {
    return this.pendingByKey.has(key);
  }

  /** Runs the pending call for `key` now (a blur must not wait for the debounce). @returns {boolean} whether one ran */
  flush(key) {
    const p = this.pendingByKey.get(key);
    if (!p) return false;
    this.clock.clearTimeout(p.handle);
    this.pendingByKey.delete(key);
    p.fn();
    return true;
  }

  flushAll() {
    for (const key of [...this.pendingByKey.keys()]) this.flush(key);
  }

  /** @param {string} key */
  cancel(key) {
    const p = this.pendingByKey.get(key);
    if (!p) return;
    this.clock.clearTimeout(p.handle);
    this.pendingByKey.delete(key);
  }

  cancelAll() {
    for (const key of [...this.pendingByKey.keys()]) this.cancel(key);
  }
}

/**
 * Per-key throttle: at most one call per interval, the first at once (leading edge). With `trailing`, the last call
 * made inside an interval runs at its end, so the final state (a presence meta, a caret) always gets out.
 */
export class Throttle {
  /**
   * @param {import('./clock.js').Clock} clock
   * @param {() => number} intervalMs read at every call, so a network change retunes it live
   * @param {{trailing?: boolean}} [options]
   */
  constructor(clock, intervalMs, { trailing = false } = {}) {
    this.clock = clock;
    this.intervalMs = intervalMs;
    this.trailing = trailing;
    /** @type {Map<string, number>} */
    this.last = new Map();
    /** @type {Map<string, {handle: any, fn: () => void}>} */
    this.waiting = new Map();
  }

  /**
   * @param {string} key
   * @param {() => void} fn
   * @returns {boolean} true when fn ran now
   */
  call(key, fn) {
    const now = this.clock.now();
    const last = this.last.get(key);
    const interval = this.intervalMs();
    if (last === undefined || now - last >= interval) {
      this.cancel(key);
      this.last.set(key, now);
      fn();
      return true;
    }
    if (this.trailing) {
      const existing = this.waiting.get(key);
      if (existing) existing.fn = fn;
      else {
        const entry = { handle: null, fn };
        entry.handle = this.clock.setTimeout(() => {
          this.waiting.delete(key);
          this.last.set(key, this.clock.now());
          entry.fn();
        }, last + interval - now);
        this.waiting.set(key, entry);
      }
    }
    return false;
  }

  /** @param {string} key */
  cancel(key) {
    const w = this.waiting.get(key);
    if (w) {
      this.clock.clearTimeout(w.handle);
      this.waiting.delete(key);
    }
  }

  cancelAll() {
    for (const key of [...this.waiting.keys()]) this.cancel(key);
  }
}
