import test from 'node:test';
import assert from 'node:assert/strict';
import { fullJitterBackoff } from '../src/backoff.js';

test('full jitter: delay is random(0, min(cap, base * 2^attempt)) with phoenix try numbers', () => {
  const top = fullJitterBackoff({ baseMs: 500, capMs: 30_000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((t) => top(t)), [499, 999, 1999, 3999, 7999, 15999, 29999]);
  assert.equal(top(8), 29999, 'capped at 30 s');
  assert.equal(top(60), 29999, 'no overflow for long outages');
  assert.equal(top(5000), 29999);
  const bottom = fullJitterBackoff({ baseMs: 500, capMs: 30_000, random: () => 0 });
  assert.equal(bottom(1), 0, 'full jitter may retry at once');
  assert.equal(bottom(20), 0);
});

test('full jitter spreads over the whole window and stays in bounds', () => {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const backoff = fullJitterBackoff({ random });
  for (let tries = 1; tries <= 12; tries++) {
    const ceiling = Math.min(30_000, 500 * 2 ** (tries - 1));
    const samples = Array.from({ length: 400 }, () => backoff(tries));
    assert.ok(samples.every((d) => d >= 0 && d < ceiling), `try ${tries} within [0, ${ceiling})`);
    assert.ok(Math.min(...samples) < ceiling * 0.1, 'reaches the bottom of the window');
    assert.ok(Math.max(...samples) > ceiling * 0.9, 'reaches the top of the window');
  }
});

test('the same injected random gives the same delays', () => {
  const a = fullJitterBackoff({ random: () => 0.5 });
  const b = fullJitterBackoff({ random: () => 0.5 });
  assert.deepEqual([1, 2, 3, 9].map(a), [1, 2, 3, 9].map(b));
  assert.deepEqual([1, 2, 3, 9].map(a), [250, 500, 1000, 15000]);
});

test('bad settings are refused', () => {
  assert.throws(() => fullJitterBackoff({ baseMs: 0 }), RangeError);
  assert.throws(() => fullJitterBackoff({ baseMs: 500, capMs: 100 }), RangeError);
});
