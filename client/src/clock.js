/**
 * @typedef {object} Clock
 * @property {() => number} now  milliseconds since the epoch
 * @property {(fn: () => void, ms: number) => any} setTimeout
 * @property {(handle: any) => void} clearTimeout
 */

/**
 * The real clock. Every timer the library itself sets goes through a Clock so that tests can replace it with a
 * fake one and step time deterministically (phoenix's own timers stay on the global clock).
 * @type {Clock}
 */
export const systemClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle),
};
