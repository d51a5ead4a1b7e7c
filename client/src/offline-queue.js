import { Emitter } from './emitter.js';
import { systemClock } from './clock.js';
import { randomId } from './ids.js';

/** A Storage-like map kept in memory (Node, tests, or a browser without localStorage). */
export class MemoryStorage {
  constructor() {
    /** @type {Map<string, string>} */
    this.map = new Map();
  }

  get length() {
    return this.map.size;
  }

  key(i) {
    return [...this.map.keys()][i] ?? null;
  }

  getItem(key) {
    return this.map.has(key) ? this.map.get(key) : null;
  }

  setItem(key, value) {
    this.map.set(key, String(value));
  }

  removeItem(key) {
    this.map.delete(key);
  }

  clear() {
    this.map.clear();
  }
}

/**
 * @typedef {object} QueuedOp
 * @property {string} id          the queue's own id
 * @property {string} form_id
 * @property {'field:set'|'field:text'|'field:list'|'form:note'|'form:status'} event
 * @property {Record<string, any>} payload  exactly what will be sent (carries its op_id)
 * @property {number} at          when it was queued (ms)
 * @property {Record<string, any>} [local] bookkeeping that is never sent (e.g. the text an op was made against)
 */

/**
 * Changes made while the hub cannot be reached, in the order they were made, kept in storage (localStorage in a
 * browser) so that closing or reloading the page loses none of them: a new client on the same storage finds them
 * and replays them. Every read goes back to storage rather than a cached copy because other tabs of the same user
 * write to the same key.
 */
export class OfflineQueue extends Emitter {
  /**
   * @param {object} options
   * @param {Storage | MemoryStorage} options.storage
   * @param {string} options.key storage key (one per user, so two accounts on one browser never mix)
   * @param {import('./clock.js').Clock} [options.clock]
   * @param {() => string} [options.idGenerator]
   */
  constructor({ storage, key, clock = systemClock, idGenerator = randomId }) {
    super();
    this.storage = storage;
    this.key = key;
    this.clock = clock;
    this.idGenerator = idGenerator;
    this._lastCount = this.count;
    this._watch = null;
  }

  /** @returns {QueuedOp[]} */
  entries() {
    const raw = this.storage.getItem(this.key);
    if (!raw) return [];
    try {
      const list = JSON.parse(raw);
      return Array.isArray(list) ? list : [];
    } catch {
      // A corrupt entry must not block the page forever; it is unreadable either way.
      return [];
    }
  }

  /** @returns {number} */
  get count() {
    return this.entries().length;
  }

  /** @param {string} formId @returns {QueuedOp[]} */
  forForm(formId) {
    return this.entries().filter((e) => e.form_id === formId);
  }

  /** @returns {string[]} the forms that have queued changes, in order of their first change */
  forms() {
    const seen = new Set();
    for (const e of this.entries()) seen.add(e.form_id);
    return [...seen];
  }

  /**
   * @param {Omit<QueuedOp, 'id' | 'at'>} op
   * @returns {QueuedOp}
   */
  add(op) {
    const entry = { id: this.idGenerator(), at: this.clock.now(), ...op };
    this._write([...this.entries(), entry]);
    return entry;
  }

  /** The newest entry, if any (a field's consecutive edits are folded into it rather than queued one by one). */
  last() {
    const list = this.entries();
    return list.length ? list[list.length - 1] : null;
  }

  /** @param {(e: QueuedOp) => boolean} predicate */
  find(predicate) {
    return this.entries().find(predicate) || null;
  }

  /**
   * @param {string} id
   * @param {(e: QueuedOp) => QueuedOp} change
   * @returns {boolean} false when the entry is gone (replayed meanwhile by another tab)
   */
  update(id, change) {
    const list = this.entries();
    const i = list.findIndex((e) => e.id === id);
    if (i < 0) return false;
    list[i] = change({ ...list[i] });
    this._write(list);
    return true;
  }

  /** @param {Iterable<string>} ids */
  remove(ids) {
    const drop = new Set(ids);
    if (drop.size === 0) return;
    const list = this.entries();
    const kept = list.filter((e) => !drop.has(e.id));
    if (kept.length !== list.length) this._write(kept);
  }

  clear() {
    this._write([]);
  }

  /** Re-reads storage (after another tab changed it) and reports a changed count. */
  refresh() {
    const n = this.count;
    if (n !== this._lastCount) {
      this._lastCount = n;
      this.emit('count', n);
    }
  }

  /**
   * In a browser, follow other tabs' writes (the `storage` event fires in every tab but the writer).
   * @param {any} [target]
   */
  watch(target = globalThis) {
    if (this._watch || !target || typeof target.addEventListener !== 'function') return;
    this._watch = { target, fn: (e) => (!e || e.key === this.key || e.key === null) && this.refresh() };
    target.addEventListener('storage', this._watch.fn);
  }

  close() {
    if (this._watch) this._watch.target.removeEventListener('storage', this._watch.fn);
    this._watch = null;
  }

  /** @param {QueuedOp[]} list */
  _write(list) {
    if (list.length === 0) this.storage.removeItem(this.key);
    else this.storage.setItem(this.key, JSON.stringify(list));
    this.refresh();
  }
}
