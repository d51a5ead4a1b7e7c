/**
 * Exponential backoff with FULL jitter: delay = random(0, min(cap, base * 2^attempt)).
 *
 * Full jitter (rather than "exponential plus a little noise") spreads the reconnects of thousands of browsers that
 * lost the hub at the same moment over the whole window, so a restarted node is not hit by one synchronized wave.
 *
 * The returned function has phoenix's `reconnectAfterMs` / `rejoinAfterMs` signature: phoenix counts tries from 1.
 *
 * @param {{baseMs?: number, capMs?: number, random?: () => number}} [options]
 * @returns {(tries: number) => number}
 */
export function fullJitterBackoff({ baseMs = 500, capMs = 30_000, random = Math.random } = {}) {
  if (!(baseMs > 0) || !(capMs >= baseMs)) throw new RangeError('backoff needs 0 < baseMs <= capMs');
  return (tries) => {
    const attempt = Math.max(0, (Number.isFinite(tries) ? tries : 1) - 1);
    // 2 ** attempt overflows to Infinity for large attempts, which min() turns into the cap.
    const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
    const r = Math.min(Math.max(random(), 0), 1);
    return Math.floor(r * ceiling);
  };
}
