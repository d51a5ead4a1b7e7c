import test from 'node:test';
import assert from 'node:assert/strict';
import {
  applyTextOps,
  composeTextOps,
  diffText,
  invertTextOps,
  normalizeTextOps,
  transformCaret,
  transformTextOps,
  codePointLength,
} from '../src/text-diff.js';

test('diff: common prefix and suffix in code points become [retain, insert, {d}]', () => {
  assert.deepEqual(diffText('hello world', 'hello brave world'), [6, 'brave ']);
  assert.deepEqual(diffText('hello world', 'hello'), [5, { d: 6 }]);
  assert.deepEqual(diffText('abcdef', 'abXYef'), [2, 'XY', { d: 2 }]);
  assert.deepEqual(diffText('abc', 'abc'), []);
  assert.deepEqual(diffText('', 'new'), ['new']);
  assert.deepEqual(diffText('old', ''), [{ d: 3 }]);
  assert.deepEqual(diffText('aaa', 'aaaa'), [3, 'a'], 'repeated characters: prefix is taken first');
});

test('diff counts code points: an emoji is one position, as on the hub', () => {
  assert.deepEqual(diffText('a😀b', 'a😀Xb'), [2, 'X']);
  assert.deepEqual(diffText('😀😀', '😀'), [1, { d: 1 }]);
  assert.deepEqual(diffText('x👍🏽y', 'xy'), [1, { d: 2 }], 'a skin tone modifier is its own code point');
  assert.equal(codePointLength('a😀b'), 3);
});

test('apply: diff then apply gives the new text, for random edits with astral characters', () => {
  let seed = 7;
  const rnd = (n) => ((seed = (seed * 48271) % 2147483647) % n);
  const alphabet = ['a', 'b', ' ', 'é', '😀', '中', '\n'];
  const word = (n) => Array.from({ length: n }, () => alphabet[rnd(alphabet.length)]).join('');
  for (let i = 0; i < 500; i++) {
    const a = word(rnd(12));
    const b = word(rnd(12));
    const ops = diffText(a, b);
    assert.equal(applyTextOps(a, ops), b, `${JSON.stringify(a)} → ${JSON.stringify(b)} via ${JSON.stringify(ops)}`);
    assert.equal(applyTextOps(b, invertTextOps(ops, a)), a, 'invert undoes');
  }
});

test('apply refuses an op reaching past the end', () => {
  assert.throws(() => applyTextOps('abc', [4, 'x']), RangeError);
  assert.throws(() => applyTextOps('abc', [2, { d: 2 }]), RangeError);
});

test('normalize: canonical form like the hub (merge, insert before delete, no trailing retain)', () => {
  assert.deepEqual(normalizeTextOps([1, 2, 'a', 'b', { d: 1 }, { d: 2 }, 3]), [3, 'ab', { d: 3 }]);
  assert.deepEqual(normalizeTextOps([{ d: 1 }, 'x']), ['x', { d: 1 }]);
  assert.throws(() => normalizeTextOps([0]), TypeError);
  assert.throws(() => normalizeTextOps(['']), TypeError);
  assert.throws(() => normalizeTextOps([{ d: 1, x: 2 }]), TypeError);
});

test('transform: both orders converge; the side that wins ties puts its insert first', () => {
  const base = 'abc';
  const a = [1, 'X'];
  const b = [1, 'Y'];
  const a2 = transformTextOps(a, b, true);
  const b2 = transformTextOps(b, a, false);
  assert.equal(applyTextOps(applyTextOps(base, b), a2), 'aXYbc');
  assert.equal(applyTextOps(applyTextOps(base, a), b2), 'aXYbc');
  // Deleting the same text twice deletes it once; an insert inside a deleted range survives.
  const del = [1, { d: 2 }];
  const ins = [2, 'Q'];
  assert.equal(applyTextOps(applyTextOps(base, del), transformTextOps(ins, del, false)), 'aQ');
  assert.equal(applyTextOps(applyTextOps(base, ins), transformTextOps(del, ins, true)), 'aQ');
});

test('transform property: random concurrent edits converge (seeded)', () => {
  let seed = 12345;
  const rnd = (n) => ((seed = (seed * 16807) % 2147483647) % n);
  const chars = ['x', 'y', '😀', 'é', ' '];
  const randomEdit = (text) => {
    const cps = Array.from(text);
    const at = rnd(cps.length + 1);
    const del = rnd(Math.max(1, cps.length - at + 1));
    const ins = Array.from({ length: rnd(3) }, () => chars[rnd(chars.length)]).join('');
    return diffText(text, [...cps.slice(0, at), ins, ...cps.slice(at + del)].join(''));
  };
  for (let i = 0; i < 1000; i++) {
    const base = Array.from({ length: rnd(10) }, () => chars[rnd(chars.length)]).join('');
    const a = randomEdit(base);
    const b = randomEdit(base);
    const viaA = applyTextOps(applyTextOps(base, a), transformTextOps(b, a, false));
    const viaB = applyTextOps(applyTextOps(base, b), transformTextOps(a, b, true));
    assert.equal(viaA, viaB, `base ${JSON.stringify(base)} a ${JSON.stringify(a)} b ${JSON.stringify(b)}`);
  }
});

test('compose equals applying one op after the other', () => {
  let seed = 99;
  const rnd = (n) => ((seed = (seed * 16807) % 2147483647) % n);
  for (let i = 0; i < 300; i++) {
    const t0 = 'ab😀cd'.slice(0, 1 + rnd(5));
    const t1 = t0 + ['', 'x', 'yz'][rnd(3)];
    const t2 = Array.from(t1).slice(rnd(2)).join('') + ['', 'q'][rnd(2)];
    const a = diffText(t0, t1);
    const b = diffText(t1, t2);
    assert.equal(applyTextOps(t0, composeTextOps(a, b)), t2);
  }
});

test('carets move with text inserted or deleted before them, not after', () => {
  assert.equal(transformCaret(5, [2, 'abc']), 8);
  assert.equal(transformCaret(5, [5, 'abc']), 5, 'typing at my caret does not push it');
  assert.equal(transformCaret(5, [6, 'abc']), 5);
  assert.equal(transformCaret(5, [1, { d: 2 }]), 3);
  assert.equal(transformCaret(5, [3, { d: 10 }]), 3, 'a caret inside a deleted range goes to its start');
});
