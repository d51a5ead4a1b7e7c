import test from 'node:test';
import assert from 'node:assert/strict';
import { colorFor } from '../src/presence.js';

test('colorFor: stable per id, and ids that differ in their last digit get clearly different hues', () => {
  const hue = (id) => Number(colorFor(id).match(/^hsl\((\d+),/)[1]);
  assert.equal(colorFor('11111111-0000-0000-0000-000000000001'), colorFor('11111111-0000-0000-0000-000000000001'));
  const hues = [1, 2, 3, 4, 5, 6].map((n) => hue(`11111111-0000-0000-0000-00000000000${n}`));
  const close = hues.flatMap((a, i) => hues.slice(i + 1).filter((b) => Math.min(Math.abs(a - b), 360 - Math.abs(a - b)) < 12));
  assert.ok(close.length <= 1, `hues ${hues.join(', ')} should be spread out`);
});
