import { Emitter } from './emitter.js';
import { Debouncer, Throttle } from './debounce.js';
import { PresenceView } from './presence.js';
import { HubError } from './errors.js';
import {
  applyTextOps,
  composeTextOps,
  diffText,
  invertTextOps,
  isNoop,
  transformTextOps,
} from './text-diff.js';

/** Field types whose focus needs no lock (the hub answers `mode: "none"`), so the library does not ask. */
const NO_LOCK = new Set(['checkbox', 'radio', 'list']);
/** Field types typed key by key: they send "X is typing". */
const TYPED = new Set(['text', 'email', 'phone', 'textarea', 'number', 'date', 'time']);

/** PROTOCOL.md §7: text 500 ms after the last keystroke, sliders/numbers 200 ms, checkbox/radio at once. */
export const DEFAULT_DEBOUNCE_MS = Object.freeze({
  text: 500,
  email: 500,
  phone: 500,
  textarea: 500,
  date: 500,
  time: 500,
  number: 200,
  slider: 200,
  select: 0,
  checkbox: 0,
  radio: 0,
});

/** Errors after which a change can be sent again later: it never reached the hub, or its answer got lost. */
const RETRYABLE = new Set(['offline', 'timeout', 'closed', 'leader_changed', 'unavailable']);
/** What SPEC.md says a typing indicator lasts without a new signal. */
const TYPING_SHOWN_MS = 3000;
/** Marks "no local edit": `undefined` and `null` are both valid field values. */
const NONE = Symbol('none');

/**
 * @typedef {object} FieldSnapshot
 * @property {string} key
 * @property {string} type
 * @property {string | null} label
 * @property {boolean} required
 * @property {any} options
 * @property {any} validation   the definition's rules (`min`, `max`, `editableBy`, …)
 * @property {string | null} coreField the wedding fact the field is bound to, if any
 * @property {any} value        what the user should see (their own unsaved edit included)
 * @property {number} version   the hub's version of the value
 * @property {{token: number | null, mode: string, expires_at: string | null} | null} lock  this user's lock
 * @property {{user_id: string, name: string, expires_at?: string, soft?: boolean} | null} holder  whoever holds it
 * @property {boolean} lockedByOther  a hard lock held by someone else: show the field read-only
 * @property {{user_id: string, name: string}[]} typing
 * @property {boolean} pending  an edit not yet acknowledged (debouncing, in flight or queued offline)
 * @property {boolean} conflict a conflict is waiting for keepTheirs()/forceMine()
 */

/**
 * One form being viewed or edited: its fields (values, versions, locks, typing), presence, progress, status and
 * notes, loaded over HTTP and kept current from the `form:{id}` channel; and the editing helpers that apply the
 * hub's rules (locks on focus, debounced saves, text operations, conflicts, offline queue, replay).
 *
 * Events: `loaded`, `change` {field, value, source: 'local'|'remote'|'rollback'|'reload', by?, ops?},
 * `ack` {field, version, op_id}, `saved` {field, version}, `conflict` (Conflict), `rejected` {field, reason, detail,
 * value}, `lock` {field, holder, mine}, `lockDenied` {field, holder, expires_at}, `lockLost` {field, reason},
 * `typing` {field, users}, `presence` (PresenceUser[]), `progress`, `status`, `note`, `updated`, `joined`,
 * `recovered`, `reloaded`, `synced` {op_id, event, field, result, …}, `error`, `closed` {reason}.
 */
export class FormSession extends Emitter {
  /**
   * @param {FormContext} ctx what the client provides
   * @param {string} formId
   */
  constructor(ctx, formId) {
    super();
    this.ctx = ctx;
    this.formId = formId;
    this.topic = `form:${formId}`;
    const clock = ctx.clock;
    this.clock = clock;
    /** @type {Map<string, FieldState>} */
    this.fields = new Map();
    this.title = null;
    this.status = null;
    this.progress = null;
    this.supplierId = null;
    this.weddingId = null;
    /** @type {any[]} */
    this.notes = [];
    this.loaded = false;
    /** the fields shown come from the copy kept in storage (opened offline), not from the hub */
    this.fromCache = false;
    this.closed = false;
    /** Ops sent to the hub and not yet durable (`field:saved`): replayed after a reconnect. */
    this.unsaved = new Map();
    this.presence = new PresenceView({ selfUserId: ctx.userId });
    this.presence.on('change', (list) => this.emit('presence', list));
    this.debouncer = new Debouncer(clock);
    const opt = ctx.options;
    const slow = () => ctx.network && ctx.network.constrained;
    this.typingThrottle = new Throttle(clock, () => (slow() ? opt.slowTypingIntervalMs : opt.typingIntervalMs));
    this.presenceThrottle = new Throttle(
      clock,
      () => (slow() ? opt.slowPresenceIntervalMs : opt.presenceIntervalMs),
      { trailing: true },
    );
    /** This user's presence meta on the form. */
    this.meta = { status: 'active' };
    this.focused = null;
    this._idleTimer = null;
    this._loading = null;
    this._buffered = null;
    this._replaying = false;
    this._replayAgain = null;
    /** op ids sent on the current connection and still waiting for their reply */
    this._awaiting = new Set();
    /** @type {Set<Promise<any>>} */
    this._inflight = new Set();
    this.ready = new Promise((resolve, reject) => {
      this._resolveReady = resolve;
      this._rejectReady = reject;
    });
    // Nobody awaits `ready` until they want to; an unobserved rejection must not crash Node.
    this.ready.catch(() => {});

    this.attachment = ctx.hub.attach(this.topic, {
      listener: {
        message: (event, payload) => this._onMessage(event, payload),
        joined: (reply, info) => this._onJoined(reply, info),
        joinError: (error) => this.emit('error', error),
        closed: (reason, error) => this._onClosed(reason, error),
      },
    });
    // Opened while the hub cannot be reached: read the form over HTTP (with this user's queued edits on top)
    // rather than wait for a join that may take long. While the socket is still coming up, give it a moment.
    if (!ctx.hub.online) {
      const loadWithoutJoin = () => {
        if (!this.loaded && !this._loading && !this.closed && !this.online) {
          this._load('initial').catch((e) => this.emit('error', e));
        }
      };
      const state = ctx.hub.state;
      if (state === 'disconnected' || state === 'error' || ctx.hub.stateReason === 'offline') loadWithoutJoin();
      else this._offlineTimer = clock.setTimeout(loadWithoutJoin, ctx.options.loadWithoutJoinMs ?? 1500);
    }
    this._bumpActivity();
  }

  // ---- reading -----------------------------------------------------------------------------------------------

  /** @returns {string[]} field keys in display order */
  keys() {
    return [...this.fields.keys()];
  }

  /** @param {string} key @returns {FieldSnapshot | null} */
  field(key) {
    const f = this.fields.get(key);
    return f ? this._snapshot(f) : null;
  }

  /** @returns {Record<string, any>} every field's displayed value */
  values() {
    const out = {};
    for (const f of this.fields.values()) out[f.key] = this._display(f);
    return out;
  }

  /** @param {string} key @returns {any} */
  value(key) {
    const f = this.fields.get(key);
    return f ? this._display(f) : undefined;
  }

  /** Others' carets in text areas (for drawing coloured carets). @param {string} [field] */
  carets(field) {
    return this.presence.carets(field);
  }

  /** @returns {boolean} writes go to the hub now (otherwise to the offline queue) */
  get online() {
    return this.attachment.joined;
  }

  // ---- editing -----------------------------------------------------------------------------------------------

  /**
   * The user entered a field: take its lock (hard or soft by type; none for checkbox/radio/list) and show it in
   * presence. Resolves with the lock answer, `{mode: 'none'}`, `{mode: 'offline'}` or `{mode: 'denied', holder}`.
   * @param {string} key
   */
  async focus(key) {
    const f = this._field(key);
    this.focused = key;
    this._setMeta({ focus: key });
    this._bumpActivity();
    if (NO_LOCK.has(f.type)) return { mode: 'none' };
    if (!this.online) return { mode: 'offline' };
    if (f.lock) return f.lock;
    return this._lock(f);
  }

  /**
   * The user changed a field's value (call on every input event). The value shows at once; it is sent after the
   * field type's debounce (or queued while offline). Text areas send text operations.
   * @param {string} key
   * @param {any} value
   */
  input(key, value) {
    const f = this._field(key);
    if (f.type === 'list') throw new TypeError(`${key} is a list: use appendItem/removeItem`);
    this._bumpActivity();
    const before = this._display(f);
    if (f.type === 'textarea') {
      const text = value == null ? '' : String(value);
      const op = diffText(before == null ? '' : String(before), text);
      if (isNoop(op)) return;
      f.buffer = f.buffer ? composeTextOps(f.buffer, op) : op;
    } else {
      if (f.local === NONE) f.base = f.server.version;
      f.local = value;
    }
    this.emit('change', { field: key, value: this._display(f), source: 'local' });
    if (TYPED.has(f.type)) this._typing(f);
    // A hard lock that lapsed while the user sat still is taken again, so others see who is editing.
    if (this.focused === key && !f.lock && !f.locking && !NO_LOCK.has(f.type) && this.online) {
      this._lock(f).catch(() => {});
    }
    this.debouncer.schedule(key, this._debounceMs(f), () => this._send(f));
  }

  /**
   * The user left the field: the pending change is sent now as the final save, which releases the lock
   * (`release: true` with the lock token); with nothing to save the lock is released with `field:unlock`.
   * @param {string} key
   */
  blur(key) {
    const f = this._field(key);
    if (this.focused === key) {
      this.focused = null;
      this._setMeta({ focus: null, caret: this.meta.caret && this.meta.caret.field === key ? null : this.meta.caret });
    }
    f.releasePending = !!f.lock;
    if (!this.debouncer.flush(key)) this._send(f);
    return this._idle();
  }

  /**
   * Where this user's caret is in a text area (shown to others as a coloured caret).
   * @param {string} key
   * @param {number} pos code-point position
   */
  caret(key, pos) {
    this._field(key);
    this._bumpActivity();
    this._setMeta({ caret: { field: key, pos: Math.max(0, Math.floor(pos)) } });
  }

  /** What part of the form this user looks at (presence `viewing`, e.g. `section:dietary`). @param {string | null} what */
  setViewing(what) {
    this._setMeta({ viewing: what });
  }

  /**
   * Adds an item to a list field (merged by item id on the hub; shown at once).
   * @param {string} key
   * @param {Record<string, any>} item
   * @param {string} [itemId]
   * @returns {Promise<any>}
   */
  appendItem(key, item, itemId = this.ctx.newId()) {
    return this._listOp(key, 'append', itemId, item);
  }

  /** @param {string} key @param {string} itemId @returns {Promise<any>} */
  removeItem(key, itemId) {
    return this._listOp(key, 'remove', itemId, undefined);
  }

  /**
   * A note on the form (mentions as `@{userId}`). Resolves `{note_id}`, or `{queued: true}` while offline.
   * @param {string} text
   */
  addNote(text) {
    return this._formOp('form:note', { text });
  }

  /**
   * Moves the form to another status (`submitted`, `in_progress`, …). Resolves `{status}` or `{queued: true}`.
   * @param {string} status
   */
  setStatus(status) {
    return this._formOp('form:status', { status });
  }

  /** Sends every debounced change now; resolves when nothing is in flight. */
  async flush() {
    this.debouncer.flushAll();
    await this._idle();
  }

  /** Saves what is pending, releases locks, leaves presence and lets go of the channel. */
  async close() {
    if (this.closed) return;
    if (this.focused) this.blur(this.focused);
    await this.flush().catch(() => {});
    this.closed = true;
    this.clock.clearTimeout(this._idleTimer);
    this.clock.clearTimeout(this._offlineTimer);
    this.presenceThrottle.cancelAll();
    this.debouncer.cancelAll();
    for (const f of this.fields.values()) this.clock.clearTimeout(f.typingTimer);
    if (this.online) await this.attachment.push('presence', { type: 'presence', event: 'untrack' }).catch(() => {});
    this.attachment.detach();
    this.ctx.sessionClosed(this);
    this.emit('closed', { reason: 'closed' });
  }

  // ---- channel events ----------------------------------------------------------------------------------------

  async _onJoined(reply, info) {
    // What was unsaved when this join happened may have been lost with the old connection (or the hub): replay
    // exactly that. Ops sent after the join travel on this connection and get their own replies.
    const atJoin = new Set(this.unsaved.keys());
    this.emit('joined', info);
    this._trackNow();
    try {
      if (!this.loaded || !info.recovered || this._loadedOffline) {
        await this._load(info.rejoin ? 'reload' : 'initial');
        if (info.rejoin) this.emit('reloaded', { recovered: false });
      } else if (info.rejoin) {
        this.emit('recovered', { recovered: true });
      }
    } catch (error) {
      this.emit('error', error);
      return;
    }
    await this._replay((id) => atJoin.has(id));
  }

  _onClosed(reason, error) {
    if (this.closed) return;
    this.closed = true;
    this.debouncer.cancelAll();
    this.clock.clearTimeout(this._idleTimer);
    this.ctx.sessionClosed(this);
    if (!this.loaded) this._rejectReady(error || new HubError(reason, `${this.topic} closed`));
    this.emit('closed', { reason, error });
  }

  _onMessage(event, payload) {
    if (this.presence.handle(event, payload)) return;
    if (event === 'field:typing') return this._onTyping(payload);
    if (this._buffered) {
      this._buffered.push([event, payload]);
      return;
    }
    this._dispatch(event, payload);
  }

  _dispatch(event, payload) {
    switch (event) {
      case 'field:changed':
        return this._onChanged(payload);
      case 'field:saved':
        return this._onSaved(payload);
      case 'field:locked':
        return this._onLocked(payload);
      case 'field:unlocked':
        return this._onUnlocked(payload);
      case 'form:progress':
        this.progress = { filled: payload.filled, required: payload.required, percent: payload.percent };
        return this.emit('progress', this.progress);
      case 'form:status':
        this.status = payload.status;
        return this.emit('status', { status: payload.status, from: payload.from, by: payload.by, at: payload.at });
      case 'form:note':
        if (!this.notes.some((n) => n.note_id === payload.note_id)) {
          const { meta, ...note } = payload;
          this.notes.push(note);
          this.emit('note', note);
        }
        return;
      case 'form:updated':
        if (typeof payload.title === 'string') this.title = payload.title;
        return this.emit('updated', { title: this.title });
      case 'system':
        return this.emit('error', HubError.fromReply({ reason: payload.message, detail: payload.detail }));
      default:
        return this.emit('event', { event, payload });
    }
  }

  _onChanged(p) {
    const f = this.fields.get(p.field);
    if (!f || typeof p.version !== 'number' || p.version <= f.server.version) return;
    const own = p.op_id ? this.unsaved.get(p.op_id) : null;
    if (own) own.version = p.version;
    if (f.type === 'textarea') return this._onTextChanged(f, p);
    const before = this._display(f);
    f.server = { value: p.value, version: p.version };
    if (f.type === 'list') {
      f.listPending = f.listPending.filter((x) => x.opId !== p.op_id && !(x.ackVersion && x.ackVersion <= p.version));
    } else if (f.local === NONE) {
      f.base = p.version;
    }
    const after = this._display(f);
    if (!sameValue(before, after)) {
      this.emit('change', { field: f.key, value: after, source: own ? 'local' : 'remote', by: p.by, version: p.version });
    }
  }

  _onTextChanged(f, p) {
    if (p.version > f.server.version + 1) {
      // Events arrive in version order; a hole means something was missed: read the form again.
      this._reload('gap');
      return;
    }
    const before = this._display(f);
    const newText = p.value == null ? '' : String(p.value);
    let remote = p.kind === 'text' && Array.isArray(p.ops) ? p.ops : diffText(String(f.server.value ?? ''), newText);
    const at = p.op_id ? f.pendingText.findIndex((u) => u.opId === p.op_id) : -1;
    if (at >= 0) {
      // Our own op, as the hub applied it. Ops before it in the list were refused (their answers come later).
      f.pendingText.splice(0, at + 1);
      remote = null;
    } else {
      for (const u of f.pendingText) {
        const mine = transformTextOps(u.local, remote, false);
        remote = transformTextOps(remote, u.local, true);
        u.local = mine;
        u.rebased = true;
      }
      if (f.buffer) {
        const mine = transformTextOps(f.buffer, remote, false);
        remote = transformTextOps(remote, f.buffer, true);
        f.buffer = mine;
      }
    }
    f.server = { value: newText, version: p.version };
    this._settleText(f, before, remote, p.by, p.version, at >= 0 ? 'local' : 'remote');
  }

  /** Recomputes a text area's display from the hub's text and the local ops; reports a visible change. */
  _settleText(f, before, ops, by, version, source) {
    if (!this._textConsistent(f)) {
      // Local ops no longer fit the hub's text (an op refused mid-chain): keep the hub's text, drop the rest.
      const dropped = f.pendingText.splice(0);
      f.buffer = null;
      for (const u of dropped) this.unsaved.delete(u.opId);
      if (dropped.length) this.emit('rejected', { field: f.key, reason: 'invalid', detail: 'local text edits no longer apply', value: before });
    }
    const after = this._display(f);
    if (after !== before) {
      const event = { field: f.key, value: after, source, version, by };
      if (ops && source === 'remote') event.ops = ops;
      this.emit('change', event);
    }
    if (f.pendingText.length === 0 && f.buffer && !this.debouncer.pending(f.key)) this._send(f);
    else if (f.pendingText.length === 0 && f.releasePending && !f.buffer) this._release(f);
  }

  _onSaved(p) {
    for (const [opId, u] of this.unsaved) {
      if (u.field === p.field && u.version !== null && u.version <= p.version) this.unsaved.delete(opId);
    }
    this.emit('saved', { field: p.field, version: p.version });
  }

  _onLocked(p) {
    const f = this.fields.get(p.field);
    if (!f) return;
    f.holder = { ...(p.holder || {}), expires_at: p.expires_at, soft: !!p.soft };
    this.emit('lock', { field: f.key, holder: f.holder, mine: this._holdsLock(f) });
  }

  _onUnlocked(p) {
    const f = this.fields.get(p.field);
    if (!f) return;
    const hadLock = !!f.lock;
    f.holder = null;
    f.lock = null;
    if (hadLock && (p.reason === 'expired' || p.reason === 'broken') && this.focused === f.key) {
      this.emit('lockLost', { field: f.key, reason: p.reason, by: p.by || null });
    }
    this.emit('lock', { field: f.key, holder: null, mine: false, reason: p.reason });
  }

  _onTyping(p) {
    const f = this.fields.get(p.field);
    const user = p.user || {};
    if (!f || !user.user_id || user.user_id === this.ctx.userId()) return;
    f.typing.set(user.user_id, { user, until: this.clock.now() + TYPING_SHOWN_MS });
    this._emitTyping(f);
    this.clock.clearTimeout(f.typingTimer);
    f.typingTimer = this.clock.setTimeout(() => this._expireTyping(f), TYPING_SHOWN_MS);
  }

  _expireTyping(f) {
    const now = this.clock.now();
    let next = Infinity;
    let changed = false;
    for (const [id, t] of f.typing) {
      if (t.until <= now) {
        f.typing.delete(id);
        changed = true;
      } else next = Math.min(next, t.until);
    }
    // Timers may fire a millisecond early: only a real change is reported.
    if (changed) this._emitTyping(f);
    if (next !== Infinity) f.typingTimer = this.clock.setTimeout(() => this._expireTyping(f), next - now);
  }

  _emitTyping(f) {
    this.emit('typing', { field: f.key, users: [...f.typing.values()].map((t) => t.user) });
  }

  // ---- loading -----------------------------------------------------------------------------------------------

  /** @param {'initial'|'reload'|'gap'} reason (the `loaded` event says `cache` when the copy in storage was used) */
  _load(reason) {
    if (this._loading) return this._loading;
    this._buffered = this._buffered || [];
    this._loading = (async () => {
      try {
        const form = await this.ctx.http.get(`/api/v1/forms/${encodeURIComponent(this.formId)}`);
        if (this.ctx.cache) this.ctx.cache.put(this.formId, form);
        this.fromCache = false;
        await this._applySnapshot(form, reason);
        this._loadedOffline = !this.online;
      } catch (error) {
        if (!this.loaded && reason === 'initial' && error.reason === 'offline') {
          // Opened offline: show the last copy read (with the queued edits on top), else wait for the join.
          const cached = this.ctx.cache ? this.ctx.cache.get(this.formId) : null;
          if (cached) {
            this.fromCache = true;
            await this._applySnapshot(cached, 'cache');
            this._loadedOffline = true;
          }
          return;
        }
        throw error;
      } finally {
        const buffered = this._buffered || [];
        this._buffered = null;
        this._loading = null;
        for (const [event, payload] of buffered) this._dispatch(event, payload);
      }
    })();
    return this._loading;
  }

  _reload(reason) {
    this._load(reason).then(
      () => this.emit('reloaded', { recovered: false, reason }),
      (e) => this.emit('error', e),
    );
  }

  async _applySnapshot(form, reason) {
    const first = !this.loaded;
    this.title = form.title ?? null;
    this.status = form.status ?? null;
    this.progress = form.progress ?? null;
    this.supplierId = form.supplier_id ?? null;
    this.weddingId = form.wedding_id ?? null;
    const catchUps = [];
    const seen = new Set();
    for (const raw of form.fields || []) {
      seen.add(raw.key);
      let f = this.fields.get(raw.key);
      if (!f) {
        f = newField(raw);
        this.fields.set(raw.key, f);
      }
      Object.assign(f, {
        label: raw.label ?? null,
        type: raw.type || 'text',
        required: !!raw.required,
        options: raw.options ?? null,
        validation: raw.validation ?? null,
        coreField: raw.core_field ?? null,
      });
      const lock = Array.isArray(raw.locks) && raw.locks.length ? raw.locks[0] : null;
      f.holder = lock ? { ...(lock.holder || {}), expires_at: lock.expires_at, soft: !!lock.soft } : null;
      if (!f.holder) f.lock = null;
      const version = typeof raw.version === 'number' ? raw.version : 0;
      if (f.loaded && version <= f.server.version) continue;
      if (f.type === 'textarea') {
        const text = raw.value == null ? '' : String(raw.value);
        if (f.loaded && (f.pendingText.length || f.buffer)) catchUps.push([f, f.server.version, version, text]);
        else f.server = { value: text, version };
      } else {
        f.server = { value: raw.value ?? null, version };
        if (f.type === 'list') f.listPending = f.listPending.filter((x) => !(x.ackVersion && x.ackVersion <= version));
        else if (f.local === NONE) f.base = version;
      }
      f.loaded = true;
    }
    for (const key of [...this.fields.keys()]) if (!seen.has(key)) this.fields.delete(key);
    if (first) this._adoptQueue(catchUps);
    for (const [f, from, to, text] of catchUps) await this._catchUpText(f, from, to, text);
    this.loaded = true;
    this._resolveReady(this);
    this.emit('loaded', { reason, values: this.values() });
    if (!first) {
      for (const f of this.fields.values()) {
        this.emit('change', { field: f.key, value: this._display(f), source: 'reload' });
      }
    }
  }

  /** A new session finds this user's queued offline edits of the form and shows them over the hub's values. */
  _adoptQueue(catchUps) {
    for (const entry of this.ctx.queue.forForm(this.formId)) {
      const p = entry.payload || {};
      const f = this.fields.get(p.field);
      if (!f) continue;
      if (entry.event === 'field:set') {
        f.local = p.value;
        f.base = p.base_version;
        f.queuedOpId = p.op_id;
      } else if (entry.event === 'field:text' && Array.isArray(p.ops)) {
        const u = { opId: p.op_id, ops: p.ops, local: p.ops, base: p.base_version, sent: false, queueId: entry.id };
        f.pendingText.push(u);
        if (p.base_version < f.server.version && !catchUps.some((c) => c[0] === f)) {
          // Made against an older text: bring it over what changed since (the hub's history of the field).
          const text = f.server.value;
          catchUps.push([f, p.base_version, f.server.version, text]);
        }
      } else if (entry.event === 'field:list') {
        f.listPending.push({ opId: p.op_id, action: p.action, item_id: p.item_id, item: p.item, queued: true });
      }
    }
  }

  /**
   * A text area with local ops whose server text jumped from version `from` to `to` (history lost on the channel,
   * or queued ops from before a reload): replays the field's revisions in between over the local ops, exactly as
   * live events would have been, so nothing typed here is lost or misplaced.
   */
  async _catchUpText(f, from, to, text) {
    const before = this._display(f);
    try {
      const count = to - from;
      if (count > 500) throw new HubError('conflict', 'too many changes to merge');
      const page = await this.ctx.http.get(
        `/api/v1/forms/${encodeURIComponent(this.formId)}/fields/${encodeURIComponent(f.key)}/history`,
        { before: to + 1, limit: count },
      );
      const revisions = [...(page.revisions || [])].filter((r) => r.version > from && r.version <= to);
      revisions.sort((a, b) => a.version - b.version);
      if (revisions.length !== count || revisions.some((r, i) => r.version !== from + 1 + i)) {
        throw new HubError('conflict', 'history no longer holds every change');
      }
      for (const r of revisions) {
        let remote = r.kind === 'text' && Array.isArray(r.ops)
          ? r.ops
          : diffText(String(r.previous_value ?? ''), String(r.value ?? ''));
        const at = r.op_id ? f.pendingText.findIndex((u) => u.opId === r.op_id) : -1;
        if (at >= 0) {
          const done = f.pendingText.splice(0, at + 1);
          for (const u of done) if (u.queueId) this.ctx.queue.remove([u.queueId]);
          continue;
        }
        for (const u of f.pendingText) {
          const mine = transformTextOps(u.local, remote, false);
          remote = transformTextOps(remote, u.local, true);
          u.local = mine;
          u.rebased = true;
        }
        if (f.buffer) {
          const mine = transformTextOps(f.buffer, remote, false);
          remote = transformTextOps(remote, f.buffer, true);
          f.buffer = mine;
        }
      }
      f.server = { value: text, version: to };
      this._settleText(f, before, null, null, to, 'reload');
    } catch (error) {
      // The local edits cannot be placed on the new text: let the user choose, as with any conflict.
      const mine = before;
      for (const u of f.pendingText) {
        if (u.queueId) this.ctx.queue.remove([u.queueId]);
        this.unsaved.delete(u.opId);
      }
      f.pendingText = [];
      f.buffer = null;
      f.server = { value: text, version: to };
      this._conflict(f, mine, { value: text, version: to, by: null, at: null });
    }
  }

  // ---- sending -----------------------------------------------------------------------------------------------

  /** @param {FieldState} f */
  _send(f, { force = false } = {}) {
    if (this.closed) return;
    if (f.type === 'textarea') return this._sendText(f);
    if (f.conflict && !force) return;
    if (!this.online) {
      // Offline edits go to storage at once, even behind an unanswered op: a reload must not lose them.
      if (f.local !== NONE) this._queueSet(f, f.local);
      return;
    }
    if (f.inflight) {
      f.sendAgain = true;
      return;
    }
    if (f.local === NONE) {
      if (f.releasePending) this._release(f);
      return;
    }
    const value = f.local;
    const payload = { field: f.key, value, base_version: f.base, op_id: this.ctx.newId() };
    if (f.lock && f.lock.token != null) payload.lock_token = f.lock.token;
    if (f.releasePending && f.lock && f.lock.token != null) {
      payload.release = true;
      f.releasePending = false;
      f.lock = null;
    }
    if (force) payload.force = true;
    f.inflight = { opId: payload.op_id, value };
    this._remember('field:set', payload);
    return this._pushOp('field:set', payload).then(
      (reply) => this._setAcked(f, payload.op_id, value, reply.version),
      (error) => this._setFailed(f, payload, error),
    );
  }

  _queueSet(f, value) {
    const q = this.ctx.queue;
    const last = q.last();
    if (last && last.form_id === this.formId && last.event === 'field:set' && last.payload.field === f.key
        && last.payload.op_id === f.queuedOpId
        && q.update(last.id, (e) => ({ ...e, payload: { ...e.payload, value } }))) {
      return;
    }
    const opId = this.ctx.newId();
    q.add({ form_id: this.formId, event: 'field:set', payload: { field: f.key, value, base_version: f.base, op_id: opId } });
    f.queuedOpId = opId;
  }

  _setAcked(f, opId, value, version) {
    const u = this.unsaved.get(opId);
    if (u && typeof version === 'number') u.version = version;
    if (f.inflight && f.inflight.opId === opId) f.inflight = null;
    if (f.queuedOpId === opId) f.queuedOpId = null;
    if (typeof version === 'number' && version > f.server.version) f.server = { value, version };
    if (typeof version === 'number') f.base = Math.max(f.base, version);
    if (f.local !== NONE && !f.inflight && !f.queuedOpId && sameValue(f.local, value)) f.local = NONE;
    this.emit('ack', { field: f.key, version, op_id: opId });
    if (f.sendAgain) {
      f.sendAgain = false;
      if (!this.debouncer.pending(f.key)) this._send(f);
    } else if (f.releasePending && !this.debouncer.pending(f.key)) {
      this._send(f);
    }
  }

  _setFailed(f, payload, error, foreign = false) {
    if (f.inflight && f.inflight.opId === payload.op_id) f.inflight = null;
    // Answered already (an op can be answered twice: on the wire and in a replay); only the first answer counts.
    if (!foreign && !this.unsaved.has(payload.op_id)) return;
    if (RETRYABLE.has(error.reason)) {
      // No answer, or never sent: the op stays unsaved and is replayed (idempotent by op_id) once joined.
      f.inflight = { opId: payload.op_id, value: payload.value, unconfirmed: true };
      this._replaySoon();
      return;
    }
    this.unsaved.delete(payload.op_id);
    if (error.reason === 'conflict') {
      const current = (error.response && error.response.current) || {};
      this._conflict(f, f.local === NONE ? payload.value : f.local, current);
      return;
    }
    if (error.reason === 'stale_lock' && !payload.retried_lock) {
      // Our lease lapsed and someone else locked meanwhile (or the token is old): lock again, then resend.
      f.lock = null;
      this._lock(f).then((lock) => {
        if (lock && lock.token != null && f.local !== NONE) this._send(f);
        else this._rollback(f, payload.value, error);
      }, () => this._rollback(f, payload.value, error));
      return;
    }
    this._rollback(f, payload.value, error);
    if (payload.release && payload.lock_token != null) {
      this.attachment.push('field:unlock', { field: f.key, token: payload.lock_token }).catch(() => {});
    }
  }

  _rollback(f, attempted, error) {
    const before = this._display(f);
    this.debouncer.cancel(f.key);
    f.local = NONE;
    f.sendAgain = false;
    f.base = f.server.version;
    if (error.reason === 'locked' && error.response && error.response.holder) {
      f.holder = { ...error.response.holder, expires_at: error.response.expires_at };
    }
    const after = this._display(f);
    if (!sameValue(before, after)) this.emit('change', { field: f.key, value: after, source: 'rollback' });
    this.emit('rejected', {
      field: f.key,
      reason: error.reason,
      detail: error.detail,
      value: attempted,
      holder: error.response && error.response.holder ? error.response.holder : null,
    });
  }

  /** Surfaces a conflict and holds the field's edits until the user picks a side. */
  _conflict(f, mine, current) {
    if (current && typeof current.version === 'number' && current.version > f.server.version) {
      f.server = { value: f.type === 'textarea' ? String(current.value ?? '') : current.value, version: current.version };
    }
    const session = this;
    const conflict = {
      field: f.key,
      mine,
      theirs: current ? current.value : undefined,
      current,
      keepTheirs() {
        if (f.conflict !== conflict) return;
        f.conflict = null;
        const before = session._display(f);
        session.debouncer.cancel(f.key);
        if (f.type === 'textarea') {
          f.buffer = null;
        } else {
          f.local = NONE;
          f.base = f.server.version;
        }
        const after = session._display(f);
        if (!sameValue(before, after)) session.emit('change', { field: f.key, value: after, source: 'rollback' });
      },
      forceMine() {
        if (f.conflict !== conflict) return Promise.resolve();
        f.conflict = null;
        session.debouncer.cancel(f.key);
        // What the user sees now wins: their value at the conflict plus whatever they typed while deciding.
        if (f.type === 'textarea') return session._sendText(f) || Promise.resolve();
        f.base = f.server.version;
        return session._send(f, { force: true }) || Promise.resolve();
      },
    };
    f.conflict = conflict;
    if (f.type === 'textarea') {
      // The text shown stays the user's until they choose, held as one edit against the hub's text.
      for (const u of f.pendingText) {
        if (u.queueId) this.ctx.queue.remove([u.queueId]);
        this.unsaved.delete(u.opId);
      }
      f.pendingText = [];
      const op = diffText(String(f.server.value ?? ''), String(mine ?? ''));
      f.buffer = isNoop(op) ? null : op;
    } else {
      f.local = mine;
    }
    this.emit('conflict', conflict);
  }

  /** @param {FieldState} f */
  _sendText(f) {
    if (f.conflict) return;
    if (!f.buffer) {
      if (f.releasePending && f.pendingText.length === 0) this._release(f);
      return;
    }
    if (!this.online) {
      this._queueText(f);
      return;
    }
    // One text op in flight per field: the next is built on the hub's answer to it.
    if (f.pendingText.length) return;
    const ops = f.buffer;
    f.buffer = null;
    const u = { opId: this.ctx.newId(), ops, local: ops, base: f.server.version, sent: true, queueId: null };
    f.pendingText.push(u);
    const payload = { field: f.key, ops, base_version: u.base, op_id: u.opId };
    this._remember('field:text', payload);
    const release = f.releasePending;
    return this._pushOp('field:text', payload).then(
      (reply) => {
        u.replyVersion = reply.version;
        const mem = this.unsaved.get(u.opId);
        if (mem) mem.version = reply.version;
        this.emit('ack', { field: f.key, version: reply.version, op_id: u.opId });
        if (release && f.pendingText.length === 0 && !f.buffer) this._release(f);
      },
      (error) => this._textFailed(f, u, error),
    );
  }

  _queueText(f) {
    const last = f.pendingText[f.pendingText.length - 1];
    const ops = f.buffer;
    f.buffer = null;
    if (last && !last.sent && !last.rebased && last.queueId) {
      const composed = composeTextOps(last.ops, ops);
      if (this.ctx.queue.update(last.queueId, (e) => ({ ...e, payload: { ...e.payload, ops: composed } }))) {
        last.ops = composed;
        last.local = composeTextOps(last.local, ops);
        return;
      }
    }
    const u = { opId: this.ctx.newId(), ops, local: ops, base: f.server.version, sent: false, queueId: null };
    const entry = this.ctx.queue.add({
      form_id: this.formId,
      event: 'field:text',
      payload: { field: f.key, ops, base_version: u.base, op_id: u.opId },
    });
    u.queueId = entry.id;
    f.pendingText.push(u);
  }

  _textFailed(f, u, error) {
    if (RETRYABLE.has(error.reason)) {
      this._replaySoon();
      return;
    }
    if (!f.pendingText.includes(u)) return;
    this.unsaved.delete(u.opId);
    const before = this._display(f);
    this._dropTextOp(f, u);
    if (error.reason === 'conflict') {
      const current = (error.response && error.response.current) || { value: f.server.value, version: f.server.version };
      this._conflict(f, before, current);
      return;
    }
    const after = this._display(f);
    if (after !== before) this.emit('change', { field: f.key, value: after, source: 'rollback' });
    this.emit('rejected', { field: f.key, reason: error.reason, detail: error.detail, value: before });
    if (f.pendingText.length === 0 && f.buffer && !this.debouncer.pending(f.key)) this._send(f);
  }

  /** Takes a refused op out of the local chain; later local ops, made on top of it, are carried over its undo. */
  _dropTextOp(f, u) {
    const at = f.pendingText.indexOf(u);
    if (at < 0) return;
    let text = String(f.server.value ?? '');
    for (let i = 0; i < at; i++) text = applyTextOps(text, f.pendingText[i].local);
    let undo;
    try {
      undo = invertTextOps(u.local, text);
    } catch {
      undo = null;
    }
    f.pendingText.splice(at, 1);
    if (!undo) return;
    for (let i = at; i < f.pendingText.length; i++) {
      const later = f.pendingText[i];
      const moved = transformTextOps(later.local, undo, false);
      undo = transformTextOps(undo, later.local, true);
      later.local = moved;
      later.rebased = true;
    }
    if (f.buffer) f.buffer = transformTextOps(f.buffer, undo, false);
  }

  /** @returns {Promise<any>} */
  _listOp(key, action, itemId, item) {
    const f = this._field(key);
    if (f.type !== 'list') throw new TypeError(`${key} is not a list field`);
    this._bumpActivity();
    const opId = this.ctx.newId();
    const before = this._display(f);
    const pending = { opId, action, item_id: itemId, item, queued: false };
    f.listPending.push(pending);
    this.emit('change', { field: key, value: this._display(f), source: 'local', before });
    const payload = { field: key, action, item_id: itemId, op_id: opId };
    if (action === 'append') payload.item = item || {};
    if (!this.online) {
      pending.queued = true;
      this.ctx.queue.add({ form_id: this.formId, event: 'field:list', payload });
      return Promise.resolve({ queued: true, item_id: itemId });
    }
    this._remember('field:list', payload);
    return this._pushOp('field:list', payload).then(
      (reply) => {
        this._listAcked(f, opId, reply.version);
        return { ...reply, item_id: itemId };
      },
      (error) => {
        if (RETRYABLE.has(error.reason)) {
          this._replaySoon();
          return { queued: true, item_id: itemId };
        }
        this._listRefused(f, opId, error);
        throw error;
      },
    );
  }

  _listAcked(f, opId, version) {
    const u = this.unsaved.get(opId);
    if (u && typeof version === 'number') u.version = version;
    const p = f.listPending.find((x) => x.opId === opId);
    if (!p) return;
    // Appending an item that is already there answers with the current version and no event: done already.
    if (typeof version !== 'number' || version <= f.server.version) {
      f.listPending = f.listPending.filter((x) => x !== p);
      const after = this._display(f);
      this.emit('change', { field: f.key, value: after, source: 'local' });
    } else p.ackVersion = version;
    this.emit('ack', { field: f.key, version, op_id: opId });
  }

  _listRefused(f, opId, error) {
    if (!f.listPending.some((x) => x.opId === opId)) return;
    this.unsaved.delete(opId);
    f.listPending = f.listPending.filter((x) => x.opId !== opId);
    this.emit('change', { field: f.key, value: this._display(f), source: 'rollback' });
    this.emit('rejected', { field: f.key, reason: error.reason, detail: error.detail, value: null });
  }

  _formOp(event, body) {
    const payload = { ...body, op_id: this.ctx.newId() };
    if (!this.online) {
      this.ctx.queue.add({ form_id: this.formId, event, payload });
      return Promise.resolve({ queued: true });
    }
    return this._track(this.attachment.push(event, payload)).catch((error) => {
      if (RETRYABLE.has(error.reason)) {
        // Not known to have arrived: queue it (notes and status changes are idempotent by op_id too).
        this.ctx.queue.add({ form_id: this.formId, event, payload });
        this._replaySoon();
        return { queued: true };
      }
      this.emit('rejected', { field: null, event, reason: error.reason, detail: error.detail, value: body });
      throw error;
    });
  }

  // ---- locks -------------------------------------------------------------------------------------------------

  /** @param {FieldState} f */
  async _lock(f) {
    f.locking = true;
    try {
      const r = await this.attachment.push('field:lock', { field: f.key });
      if (r && r.mode === 'none') return { mode: 'none' };
      f.lock = { token: r.token ?? null, mode: r.mode || 'hard', expires_at: r.expires_at ?? null };
      // Ours now (the field:locked event with the holder's name may come before or after this reply).
      const me = this.ctx.userId();
      if (!f.holder || f.holder.user_id !== me) f.holder = { user_id: me, name: null, expires_at: f.lock.expires_at, soft: f.lock.mode === 'soft' };
      this.emit('lock', { field: f.key, holder: f.holder, mine: true });
      return f.lock;
    } catch (error) {
      if (error.reason === 'locked') {
        const holder = error.response.holder || null;
        f.holder = holder ? { ...holder, expires_at: error.response.expires_at } : f.holder;
        this.emit('lockDenied', { field: f.key, holder, expires_at: error.response.expires_at ?? null });
        return { mode: 'denied', holder };
      }
      if (RETRYABLE.has(error.reason)) return { mode: 'offline' };
      this.emit('error', error);
      throw error;
    } finally {
      f.locking = false;
    }
  }

  /** @param {FieldState} f */
  _release(f) {
    f.releasePending = false;
    const lock = f.lock;
    f.lock = null;
    if (lock && lock.token != null && this.online) {
      this.attachment.push('field:unlock', { field: f.key, token: lock.token }).catch(() => {});
    }
  }

  _holdsLock(f) {
    return !!f.lock && !!f.holder && f.holder.user_id === this.ctx.userId();
  }

  // ---- presence and activity ---------------------------------------------------------------------------------

  _typing(f) {
    if (!this.online) return;
    this.typingThrottle.call(f.key, () => {
      this.attachment.push('field:typing', { field: f.key }).catch(() => {});
    });
  }

  _setMeta(patch) {
    const next = { ...this.meta, ...patch };
    for (const k of Object.keys(next)) if (next[k] == null) delete next[k];
    if (JSON.stringify(next) === JSON.stringify(this.meta)) return;
    this.meta = next;
    this.presenceThrottle.call('meta', () => this._trackNow());
  }

  _trackNow() {
    if (!this.online || this.closed) return;
    this.attachment.push('presence', { type: 'presence', event: 'track', payload: { ...this.meta } }).catch(() => {});
  }

  /** Input keeps the user `active`; `idleAfterMs` (60 s) without input makes them `idle`. */
  _bumpActivity() {
    this.clock.clearTimeout(this._idleTimer);
    if (this.meta.status !== 'active') this._setMeta({ status: 'active' });
    this._idleTimer = this.clock.setTimeout(() => this._setMeta({ status: 'idle' }), this.ctx.options.idleAfterMs);
    this.attachment.touch();
  }

  // ---- replay ------------------------------------------------------------------------------------------------

  /**
   * Sends again the unsaved ops `select` picks, then this form's queued offline changes, in order.
   * @param {(opId: string) => boolean} select
   */
  async _replay(select) {
    if (!this.online || this.closed) return;
    if (this._replaying) {
      const earlier = this._replayAgain;
      this._replayAgain = earlier ? (id) => earlier(id) || select(id) : select;
      return;
    }
    this._replaying = true;
    try {
      let pick = select;
      while (pick && this.online) {
        this._replayAgain = null;
        const ops = [...this.unsaved.entries()]
          .filter(([id]) => !this._awaiting.has(id) && pick(id))
          .map(([, u]) => ({ event: u.event, payload: u.payload }));
        await this.ctx.syncForm(this.formId, ops, this);
        pick = this._replayAgain;
      }
    } catch (error) {
      // Lost the connection mid-replay: the next join replays again (every op is idempotent by op_id).
      if (!RETRYABLE.has(error.reason)) this.emit('error', error);
    } finally {
      this._replaying = false;
      this._replayAgain = null;
    }
  }

  /** An op got no answer while the socket stayed up: send the unanswered ones again now. */
  _replaySoon() {
    if (this._replayTimer || this.closed) return;
    this._replayTimer = this.clock.setTimeout(() => {
      this._replayTimer = null;
      this._replay((id) => this.unsaved.get(id).version === null);
    }, 0);
  }

  /** Queued ops are on their way (the client's sync took them): from now on they wait for `field:saved` too. */
  _adoptSent(ops) {
    for (const op of ops) {
      const p = op.payload || {};
      if (!p.op_id || this.unsaved.has(p.op_id) || !String(op.event).startsWith('field:')) continue;
      this.unsaved.set(p.op_id, { event: op.event, payload: p, field: p.field, version: null });
      const f = this.fields.get(p.field);
      if (!f) continue;
      for (const u of f.pendingText) if (u.opId === p.op_id) u.sent = true;
      if (f.queuedOpId === p.op_id) {
        f.queuedOpId = null;
        f.inflight = { opId: p.op_id, value: p.value, unconfirmed: true };
      }
    }
  }

  /**
   * The outcome of one replayed op (`sync` result), for this session's state.
   * @param {{event: string, payload: any}} op
   * @param {{op_id: string, result: string, version?: number, current?: any, reason?: string, detail?: string}} r
   * @param {{foreign?: boolean}} [options] foreign: queued by another page or tab, not tracked by this session
   */
  _onSyncResult(op, r, { foreign = false } = {}) {
    const p = op.payload || {};
    const f = p.field ? this.fields.get(p.field) : null;
    if (f && !foreign && !this.unsaved.has(p.op_id)) {
      // Settled already by its live reply (an op buffered across a reconnect is answered twice).
      this.emit('synced', { op_id: p.op_id, event: op.event, field: p.field ?? null, ...r });
      return;
    }
    const ok = r.result === 'applied' || r.result === 'duplicate';
    const error = ok ? null : r.result === 'conflict'
      ? new HubError('conflict', r.detail, { reason: 'conflict', current: r.current })
      : new HubError(r.reason || 'rejected', r.detail, r);
    if (op.event === 'field:set' && f) {
      if (ok) this._setAcked(f, p.op_id, p.value, r.version);
      else this._setFailed(f, { ...p, release: false }, error, foreign);
    } else if (op.event === 'field:text' && f) {
      const u = f.pendingText.find((x) => x.opId === p.op_id);
      if (ok) {
        const mem = this.unsaved.get(p.op_id);
        if (mem && typeof r.version === 'number') mem.version = r.version;
        if (u && typeof r.version === 'number' && f.server.version >= r.version) {
          // Already in the text we hold (its event was read before this session existed): done.
          const before = this._display(f);
          f.pendingText = f.pendingText.filter((x) => x !== u);
          this._settleText(f, before, null, null, f.server.version, 'local');
        }
      } else if (u) this._textFailed(f, u, error);
    } else if (op.event === 'field:list' && f) {
      if (ok) this._listAcked(f, p.op_id, r.version);
      else this._listRefused(f, p.op_id, error);
    } else if (!ok) {
      this.emit('rejected', { field: null, event: op.event, reason: error.reason, detail: error.detail, value: p });
    }
    this.emit('synced', { op_id: p.op_id, event: op.event, field: p.field ?? null, ...r });
  }

  // ---- helpers -----------------------------------------------------------------------------------------------

  /** A field op on the wire: known as awaiting its reply, so a replay does not send it a second time. */
  _pushOp(event, payload) {
    const id = payload.op_id;
    this._awaiting.add(id);
    const done = () => this._awaiting.delete(id);
    const sent = this.attachment.push(event, payload);
    sent.then(done, done);
    return this._track(sent);
  }

  _remember(event, payload) {
    this.unsaved.set(payload.op_id, { event, payload, field: payload.field, version: null });
  }

  _track(promise) {
    this._inflight.add(promise);
    const done = () => this._inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  async _idle() {
    while (this._inflight.size) await Promise.allSettled([...this._inflight]);
  }

  /** @param {string} key @returns {FieldState} */
  _field(key) {
    const f = this.fields.get(key);
    if (!f) throw new RangeError(`form ${this.formId} has no field '${key}'${this.loaded ? '' : ' (not loaded yet: await session.ready)'}`);
    return f;
  }

  _debounceMs(f) {
    const table = this.ctx.options.debounceMs;
    return table[f.type] ?? table.text ?? 500;
  }

  /** @param {FieldState} f */
  _display(f) {
    if (f.type === 'textarea') {
      let text = String(f.server.value ?? '');
      try {
        for (const u of f.pendingText) text = applyTextOps(text, u.local);
        if (f.buffer) text = applyTextOps(text, f.buffer);
      } catch {
        return String(f.server.value ?? '');
      }
      return text;
    }
    if (f.type === 'list') {
      let items = Array.isArray(f.server.value) ? f.server.value.slice() : [];
      for (const p of f.listPending) {
        const at = items.findIndex((x) => x && x.id === p.item_id);
        if (p.action === 'append' && at < 0) items.push({ ...(p.item || {}), id: p.item_id });
        if (p.action === 'remove' && at >= 0) items.splice(at, 1);
      }
      return items;
    }
    return f.local !== NONE ? f.local : f.server.value;
  }

  _textConsistent(f) {
    try {
      let text = String(f.server.value ?? '');
      for (const u of f.pendingText) text = applyTextOps(text, u.local);
      if (f.buffer) applyTextOps(text, f.buffer);
      return true;
    } catch {
      return false;
    }
  }

  /** @param {FieldState} f @returns {FieldSnapshot} */
  _snapshot(f) {
    const me = this.ctx.userId();
    const holder = f.holder;
    return {
      key: f.key,
      type: f.type,
      label: f.label,
      required: f.required,
      options: f.options,
      validation: f.validation ?? null,
      coreField: f.coreField ?? null,
      value: this._display(f),
      version: f.server.version,
      lock: f.lock ? { ...f.lock } : null,
      holder: holder ? { ...holder } : null,
      lockedByOther: !!holder && !holder.soft && holder.user_id !== me,
      typing: [...f.typing.values()].map((t) => t.user),
      pending: f.local !== NONE || !!f.inflight || !!f.queuedOpId || f.pendingText.length > 0 || !!f.buffer
        || f.listPending.length > 0 || this.debouncer.pending(f.key),
      conflict: !!f.conflict,
    };
  }
}

/**
 * @typedef {object} FieldState
 * @property {string} key
 * @property {string} type
 * @property {any} label
 * @property {boolean} required
 * @property {any} options
 * @property {{value: any, version: number}} server  the hub's value, in version order
 * @property {any} local            a set-type field's local edit not yet acknowledged, or NONE
 * @property {number} base          the version the local edit was made against
 * @property {any} inflight
 * @property {string | null} queuedOpId
 * @property {boolean} sendAgain
 * @property {boolean} releasePending
 * @property {any[]} pendingText    a text area's sent or queued ops, in order, each with `local` (as rebased here)
 * @property {any[] | null} buffer  a text area's typed text not yet sent
 * @property {any[]} listPending
 * @property {any} lock
 * @property {any} holder
 * @property {boolean} locking
 * @property {Map<string, {user: any, until: number}>} typing
 * @property {any} typingTimer
 * @property {any} conflict
 * @property {boolean} loaded
 */

/** @returns {FieldState} */
function newField(raw) {
  return {
    key: raw.key,
    type: raw.type || 'text',
    label: null,
    required: false,
    options: null,
    server: { value: raw.type === 'textarea' ? '' : null, version: 0 },
    local: NONE,
    base: 0,
    inflight: null,
    queuedOpId: null,
    sendAgain: false,
    releasePending: false,
    pendingText: [],
    buffer: null,
    listPending: [],
    lock: null,
    holder: null,
    locking: false,
    typing: new Map(),
    typingTimer: null,
    conflict: null,
    loaded: false,
  };
}

function sameValue(a, b) {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * @typedef {object} FormContext
 * @property {{attach: Function, online: boolean}} hub
 * @property {import('./http.js').HttpApi} http
 * @property {import('./offline-queue.js').OfflineQueue} queue
 * @property {import('./clock.js').Clock} clock
 * @property {() => string} newId
 * @property {() => string | null} userId
 * @property {{constrained: boolean} | null} network
 * @property {(formId: string, ops: {event: string, payload: any}[], session: FormSession) => Promise<void>} syncForm
 * @property {(session: FormSession) => void} sessionClosed
 * @property {import('./form-cache.js').FormCache | null} [cache] the last copy of each form, for opening offline
 * @property {{debounceMs: Record<string, number>, typingIntervalMs: number, slowTypingIntervalMs: number,
 *   presenceIntervalMs: number, slowPresenceIntervalMs: number, idleAfterMs: number, loadWithoutJoinMs?: number}} options
 */
