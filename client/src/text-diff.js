/**
 * Text operations for `textarea` fields, the same model as the hub's TextOp (PROTOCOL.md §5): an op is a list of
 * components — a positive integer (retain n), a non-empty string (insert) or `{d: n}` (delete n) — with positions in
 * Unicode CODE POINTS, not UTF-16 units, so an emoji is one position here and on the server. Whatever follows the
 * last component is retained implicitly.
 *
 * Ops are kept in the hub's canonical form (adjacent components merged, no trailing retain, an insert meeting a
 * delete goes first) because `transform` breaks insert ties by looking at the next component, and the client's
 * local transforms must break ties exactly as the server does for every client to show the same text.
 *
 * @typedef {number | string | {d: number}} TextComponent
 * @typedef {TextComponent[]} TextOps
 */

/** @param {string} s @returns {number} */
export function codePointLength(s) {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * The op that turns `oldText` into `newText`: common prefix and suffix (in code points) kept, the middle replaced.
 * One contiguous change per keystroke batch is what an input event produces, and it keeps ops tiny on the wire.
 * @param {string} oldText
 * @param {string} newText
 * @returns {TextOps}
 */
export function diffText(oldText, newText) {
  if (oldText === newText) return [];
  const a = Array.from(oldText);
  const b = Array.from(newText);
  const max = Math.min(a.length, b.length);
  let start = 0;
  while (start < max && a[start] === b[start]) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--;
    endB--;
  }
  const builder = new Builder();
  builder.retain(start);
  builder.insert(b.slice(start, endB).join(''));
  builder.delete(endA - start);
  return builder.build();
}

/**
 * Applies an op to a text.
 * @param {string} text
 * @param {TextOps} ops
 * @returns {string}
 */
export function applyTextOps(text, ops) {
  const cps = Array.from(text);
  if (baseLength(ops) > cps.length) {
    throw new RangeError(`op reaches past the end of the text (length ${cps.length})`);
  }
  let out = '';
  let pos = 0;
  for (const c of ops) {
    if (typeof c === 'string') out += c;
    else if (typeof c === 'number') {
      out += cps.slice(pos, pos + c).join('');
      pos += c;
    } else pos += c.d;
  }
  return out + cps.slice(pos).join('');
}

/** Code points an op reads (retains and deletes). @param {TextOps} ops */
export function baseLength(ops) {
  let n = 0;
  for (const c of ops) if (typeof c !== 'string') n += typeof c === 'number' ? c : c.d;
  return n;
}

/**
 * Normalizes a hand-made or received op into canonical form; throws on a malformed component.
 * @param {TextOps} ops
 * @returns {TextOps}
 */
export function normalizeTextOps(ops) {
  if (!Array.isArray(ops)) throw new TypeError('text ops must be an array');
  const b = new Builder();
  for (const c of ops) b.add(toComp(c));
  return b.build();
}

/**
 * Rewrites `op` to apply after `other`, both made against the same text (a port of the hub's TextOp.transform).
 * `opWinsTies` decides whose insert goes first when both insert at one position; the two sides of a pair pass
 * opposite values. The hub lets already-applied ops win, so a client transforms its own pending op with `false`
 * and an incoming server op with `true`.
 * @param {TextOps} op
 * @param {TextOps} other
 * @param {boolean} opWinsTies
 * @returns {TextOps}
 */
export function transformTextOps(op, other, opWinsTies) {
  const mine = new Cursor(op.map(toComp));
  const out = new Builder();
  for (const raw of other) {
    const c = toComp(raw);
    if (c.k === 'r') {
      let n = c.n;
      while (n > 0) {
        const chunk = mine.take(n, 'i');
        out.add(chunk);
        if (chunk.k !== 'i') n -= chunk.n;
      }
    } else if (c.k === 'i') {
      const next = mine.peek();
      if (opWinsTies && next && next.k === 'i') out.add(mine.take(Infinity, null));
      out.add({ k: 'r', n: c.n });
    } else {
      let n = c.n;
      while (n > 0) {
        const chunk = mine.take(n, 'i');
        if (chunk.k === 'i') out.add(chunk);
        else n -= chunk.n;
      }
    }
  }
  while (mine.hasNext()) out.add(mine.take(Infinity, null));
  return out.build();
}

/**
 * The single op equal to applying `a` then `b` (b made against a's result).
 * @param {TextOps} a
 * @param {TextOps} b
 * @returns {TextOps}
 */
export function composeTextOps(a, b) {
  const first = new Cursor(a.map(toComp));
  const out = new Builder();
  for (const raw of b) {
    const c = toComp(raw);
    if (c.k === 'i') {
      out.add(c);
      continue;
    }
    const deleting = c.k === 'd';
    let n = c.n;
    while (n > 0) {
      const chunk = first.take(n, 'd');
      if (chunk.k === 'd') {
        out.add(chunk);
        continue;
      }
      n -= chunk.n;
      if (!deleting) out.add(chunk);
      else if (chunk.k === 'r') out.add({ k: 'd', n: chunk.n });
      // else: b deletes text that a inserted; the two cancel out.
    }
  }
  while (first.hasNext()) out.add(first.take(Infinity, null));
  return out.build();
}

/**
 * Where a caret at `pos` (code points, in the text before `ops`) ends up after `ops`. Text inserted exactly at the
 * caret stays after it, so someone else typing where my caret rests does not push my caret along.
 * @param {number} pos
 * @param {TextOps} ops
 * @returns {number}
 */
export function transformCaret(pos, ops) {
  let i = 0;
  let result = pos;
  for (const raw of ops) {
    if (i > pos) break;
    const c = toComp(raw);
    if (c.k === 'r') i += c.n;
    else if (c.k === 'i') {
      if (i < pos) result += c.n;
    } else {
      if (i < pos) result -= Math.min(c.n, pos - i);
      i += c.n;
    }
  }
  return Math.max(0, result);
}

/** @returns {boolean} true when an op changes nothing */
export function isNoop(ops) {
  return !ops || ops.length === 0 || ops.every((c) => typeof c === 'number');
}

// ---- internals -----------------------------------------------------------------------------------------------

/** @typedef {{k: 'r'|'d', n: number} | {k: 'i', n: number, t: string}} Comp */

/** @returns {Comp} */
function toComp(c) {
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c <= 0) throw new TypeError(`retain count must be a positive integer, got ${c}`);
    return { k: 'r', n: c };
  }
  if (typeof c === 'string') {
    if (c.length === 0) throw new TypeError('insert text must not be empty');
    return { k: 'i', n: codePointLength(c), t: c };
  }
  if (c && typeof c === 'object' && 'k' in c) return /** @type {Comp} */ (c);
  if (c && typeof c === 'object' && Number.isInteger(c.d) && c.d > 0 && Object.keys(c).length === 1) {
    return { k: 'd', n: c.d };
  }
  throw new TypeError(`expected a retain count, an insert string or {d: n}, got ${JSON.stringify(c)}`);
}

/** Reads an op component by component, splitting on demand, retaining forever past its end. */
class Cursor {
  /** @param {Comp[]} comps */
  constructor(comps) {
    this.comps = comps;
    this.idx = 0;
    this.off = 0;
  }

  hasNext() {
    return this.idx < this.comps.length;
  }

  peek() {
    return this.hasNext() ? this.comps[this.idx] : null;
  }

  /** Up to `max` code points of the next component; a component of kind `whole` comes entire. */
  take(max, whole) {
    if (!this.hasNext()) return { k: 'r', n: max };
    const c = this.comps[this.idx];
    const left = c.n - this.off;
    const n = whole === c.k ? left : Math.min(left, max);
    let piece;
    if (c.k === 'i') {
      piece = { k: 'i', n, t: Array.from(c.t).slice(this.off, this.off + n).join('') };
    } else piece = { k: c.k, n };
    this.off += n;
    if (this.off === c.n) {
      this.idx++;
      this.off = 0;
    }
    return piece;
  }
}

/** Accumulates components in the hub's canonical form. */
class Builder {
  constructor() {
    /** @type {Comp[]} */
    this.parts = [];
  }

  retain(n) {
    if (n > 0) this.add({ k: 'r', n });
  }

  insert(t) {
    if (t) this.add({ k: 'i', n: codePointLength(t), t });
  }

  delete(n) {
    if (n > 0) this.add({ k: 'd', n });
  }

  /** @param {Comp} c */
  add(c) {
    if (!c.n) return;
    const parts = this.parts;
    const last = parts[parts.length - 1];
    if (c.k === 'i' && last && last.k === 'd') {
      const before = parts[parts.length - 2];
      if (before && before.k === 'i') merge(before, c);
      else parts.splice(parts.length - 1, 0, { ...c });
    } else if (last && last.k === c.k) merge(last, c);
    else parts.push({ ...c });
  }

  /** @returns {TextOps} */
  build() {
    const parts = this.parts.slice();
    if (parts.length && parts[parts.length - 1].k === 'r') parts.pop();
    return parts.map((p) => (p.k === 'r' ? p.n : p.k === 'd' ? { d: p.n } : /** @type {any} */ (p).t));
  }
}

function merge(into, c) {
  into.n += c.n;
  if (c.k === 'i') into.t += c.t;
}

/**
 * The op that undoes `ops` once applied to `text` (used to take back a refused edit while later local edits,
 * made on top of it, stay).
 * @param {TextOps} ops
 * @param {string} text the text `ops` applies to
 * @returns {TextOps}
 */
export function invertTextOps(ops, text) {
  const cps = Array.from(text);
  const b = new Builder();
  let pos = 0;
  for (const raw of ops) {
    const c = toComp(raw);
    if (c.k === 'r') {
      b.retain(c.n);
      pos += c.n;
    } else if (c.k === 'i') b.delete(c.n);
    else {
      b.insert(cps.slice(pos, pos + c.n).join(''));
      pos += c.n;
    }
  }
  return b.build();
}
