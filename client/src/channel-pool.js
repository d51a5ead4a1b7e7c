import { Presence } from 'phoenix';
import { Emitter } from './emitter.js';
import { systemClock } from './clock.js';
import { HubError } from './errors.js';

/** The join config every channel uses: acks for broadcasts, presence on with the user id as key. */
export const JOIN_CONFIG = Object.freeze({
  broadcast: Object.freeze({ self: false, ack: true }),
  presence: Object.freeze({ key: '', enabled: true }),
});

const ENDING_REASONS = new Set(['forbidden', 'not_found', 'invalid']);
const AUTH_REASONS = new Set(['token_expired', 'unauthorized']);

/**
 * @typedef {{offset: number, epoch: string}} Position
 *
 * @typedef {object} JoinInfo
 * @property {boolean} rejoin      not the first join this attachment saw (a reconnect, a resumed subscription)
 * @property {boolean} recovered   the hub replayed everything missed since the last position (nothing to reload)
 *
 * @typedef {object} AttachmentListener
 * @property {(event: string, payload: any) => void} [message]   every event of the channel, once, in order
 * @property {(reply: any, info: JoinInfo) => void} [joined]
 * @property {(error: HubError) => void} [joinError]             a refused join the pool will retry
 * @property {(reason: string, error?: HubError) => void} [closed] the subscription ended for good
 */

/**
 * The channels of one socket. Each topic is joined once, however many parts of the application (or tabs, through
 * the tab leader) use it; each user holds an Attachment. The pool:
 *
 * - remembers the last `{offset, epoch}` seen per channel and rejoins with `since` (phoenix calls the params
 *   closure on every rejoin), drops events at or below that offset, and tells attachments whether the rejoin
 *   recovered;
 * - keeps at most `maxChannels` (the hub's 50): a new topic evicts the least recently used channel nobody holds,
 *   then the least recently used non-primary one; with only primary channels left it refuses;
 * - leaves channels nobody has held or used for `idleMs` (5 minutes);
 * - sends a refreshed token as `access_token` on every joined channel, and rejoins channels the hub ended for an
 *   expired token once a fresh one is in;
 * - holds writes refused `rate_limited` and resends them after `retry_after_ms` (same payload, so same op_id).
 */
export class ChannelPool extends Emitter {
  /**
   * @param {object} options
   * @param {import('./connection.js').Connection} options.connection
   * @param {import('./clock.js').Clock} [options.clock]
   * @param {number} [options.maxChannels]
   * @param {number} [options.idleMs]
   * @param {number} [options.sweepMs]
   * @param {number} [options.maxRateLimitRetries]
   * @param {number} [options.timeoutMs]
   */
  constructor({
    connection,
    clock = systemClock,
    maxChannels = 50,
    idleMs = 5 * 60_000,
    sweepMs = 30_000,
    maxRateLimitRetries = 5,
    timeoutMs,
  }) {
    super();
    this.connection = connection;
    this.socket = connection.socket;
    this.clock = clock;
    this.maxChannels = maxChannels;
    this.idleMs = idleMs;
    this.sweepMs = sweepMs;
    this.maxRateLimitRetries = maxRateLimitRetries;
    this.timeoutMs = timeoutMs || connection.timeoutMs || 10_000;
    /** @type {Map<string, Entry>} */
    this.entries = new Map();
    this.pausedUntil = 0;
    this._sweepTimer = null;
    this._closed = false;
    this._offToken = connection.on('token', (token) => this._tokenChanged(token));
  }

  /** @returns {boolean} the socket is up (writes can go out now) */
  get online() {
    return this.connection.connected && this.socket.isConnected();
  }

  /** @returns {number} channels joined or joining */
  get size() {
    return this.entries.size;
  }

  /** @returns {string[]} */
  topics() {
    return [...this.entries.keys()];
  }

  /**
   * @param {string} topic a bare channel name, e.g. `form:<uuid>`
   * @param {{primary?: boolean, since?: Position | null, listener?: AttachmentListener}} [options]
   * @returns {Attachment}
   */
  attach(topic, { primary = false, since = null, listener = {} } = {}) {
    if (this._closed) throw new HubError('closed', 'the client is closed');
    let entry = this.entries.get(topic);
    const fresh = !entry;
    if (!entry) {
      if (this.entries.size >= this.maxChannels) this._evictOne(topic);
      entry = new Entry(topic);
      entry.position = since ? { offset: since.offset, epoch: since.epoch } : null;
      this.entries.set(topic, entry);
    }
    entry.primary = entry.primary || primary;
    entry.lastUsed = this.clock.now();
    const attachment = new Attachment(this, entry, listener, since);
    entry.attachments.add(attachment);
    if (fresh) this._open(entry);
    else if (entry.state === 'joined') {
      // Already joined for someone else: this attachment gets a join of its own — recovered only when it had
      // seen exactly what the channel has — and the presence the others already hold.
      const p = entry.position;
      const recovered = !!(since && p && since.epoch === p.epoch && since.offset === p.offset);
      const reply = { ...(entry.lastReply || {}), recovered, ...(p ? { offset: p.offset, epoch: p.epoch } : {}) };
      const presence = entry.presence;
      queueMicrotask(() => {
        if (!attachment.attached || entry.state !== 'joined') return;
        attachment._joined(reply, { rejoin: !!since, recovered });
        if (Object.keys(presence).length) attachment._message('presence_state', Presence.clone(presence));
      });
    }
    return attachment;
  }

  /** Leaves every channel (sign-out, client closed). */
  close() {
    this._closed = true;
    this._offToken();
    this.clock.clearTimeout(this._sweepTimer);
    for (const entry of [...this.entries.values()]) this._leave(entry, 'closed');
  }

  // ---- joining -----------------------------------------------------------------------------------------------

  /** @param {Entry} entry */
  _open(entry) {
    entry.state = 'joining';
    const phx = this.socket.channel(entry.topic, () => this._joinParams(entry));
    entry.phx = phx;
    phx.onMessage = (event, payload) => {
      if (entry.phx === phx) this._message(entry, event, payload);
      return payload;
    };
    phx.onClose(() => this._phxClosed(entry, phx));
    phx
      .join()
      .receive('ok', (reply) => entry.phx === phx && this._joined(entry, reply))
      .receive('error', (response) => entry.phx === phx && this._joinRefused(entry, phx, response))
      .receive('timeout', () => {
        if (entry.phx !== phx) return;
        const error = new HubError('timeout', `join of ${entry.topic} got no reply`);
        for (const a of entry.attachments) a._joinError(error);
      });
  }

  /** Phoenix calls this on every (re)join, so `since` is always the newest position. @param {Entry} entry */
  _joinParams(entry) {
    const params = { config: JOIN_CONFIG, access_token: this.connection.token };
    entry.sentSince = entry.position ? { ...entry.position } : null;
    if (entry.sentSince) params.since = entry.sentSince;
    return params;
  }

  /** @param {Entry} entry @param {any} reply */
  _joined(entry, reply) {
    const rejoin = entry.joinedOnce;
    entry.joinedOnce = true;
    entry.state = 'joined';
    entry.reopenTries = 0;
    entry.lastReply = reply || {};
    const recovered = !!(entry.sentSince && reply && reply.recovered === true);
    if (!recovered && reply && typeof reply.offset === 'number' && typeof reply.epoch === 'string') {
      // Nothing will be replayed: continue from where the channel stands now (the application reloads).
      entry.position = { offset: reply.offset, epoch: reply.epoch };
    }
    // A presence_state follows every join and replaces what was known.
    entry.presence = {};
    for (const a of [...entry.attachments]) {
      a._joined(reply, { rejoin: rejoin || a._sawJoin, recovered });
    }
  }

  /** @param {Entry} entry @param {any} phx @param {any} response */
  _joinRefused(entry, phx, response) {
    const error = HubError.fromReply(response);
    if (AUTH_REASONS.has(error.reason)) {
      // Stop phoenix from retrying with a token the hub refuses; the channel comes back with the next token.
      this._suspend(entry, phx);
      this.connection.reportAuthError(/** @type {any} */ (error.reason));
      return;
    }
    if (ENDING_REASONS.has(error.reason)) {
      this._leave(entry, error.reason, error);
      return;
    }
    if (error.reason === 'too_many_channels') {
      // The hub counts more channels than this pool (another library on the socket?): free one and let phoenix retry.
      if (!this._evictIdle(entry.topic)) {
        this._leave(entry, 'too_many_channels', error);
        return;
      }
    }
    for (const a of entry.attachments) a._joinError(error);
  }

  /** @param {Entry} entry @param {any} phx */
  _suspend(entry, phx) {
    entry.state = 'waiting_token';
    entry.phx = null;
    phx.leave();
  }

  /** @param {Entry} entry @param {any} phx */
  _phxClosed(entry, phx) {
    if (entry.phx !== phx) return;
    entry.phx = null;
    const reason = entry.systemReason || 'closed';
    entry.systemReason = null;
    if (AUTH_REASONS.has(reason)) {
      entry.state = 'waiting_token';
      this.connection.reportAuthError(/** @type {any} */ (reason));
      return;
    }
    if (ENDING_REASONS.has(reason)) {
      this.entries.delete(entry.topic);
      entry.state = 'closed';
      const error = new HubError(reason, `the hub ended ${entry.topic}`);
      for (const a of [...entry.attachments]) a._closed(reason, error);
      return;
    }
    // Ended for a reason that a new join can fix: join again, a little later each time.
    entry.state = 'joining';
    const delay = this.connection.backoff(++entry.reopenTries);
    entry.reopenTimer = this.clock.setTimeout(() => {
      if (this.entries.get(entry.topic) === entry && !entry.phx) this._open(entry);
    }, delay);
  }

  /** @param {string} token */
  _tokenChanged(token) {
    for (const entry of this.entries.values()) {
      if (entry.state === 'waiting_token') this._open(entry);
      else if (entry.state === 'joined' && entry.phx) {
        // Errors need no handling here: a refused token makes the hub end the subscriptions (system + phx_close).
        entry.phx.push('access_token', { access_token: token });
      }
    }
  }

  // ---- events ------------------------------------------------------------------------------------------------

  /** @param {Entry} entry @param {string} event @param {any} payload */
  _message(entry, event, payload) {
    if (event.startsWith('phx_') || event.startsWith('chan_reply_')) return;
    const meta = payload && typeof payload === 'object' ? payload.meta : null;
    if (meta && typeof meta.offset === 'number' && typeof meta.epoch === 'string') {
      const p = entry.position;
      if (p && p.epoch === meta.epoch && meta.offset <= p.offset) return; // already seen: never twice
      entry.position = { offset: meta.offset, epoch: meta.epoch };
    }
    if (event === 'presence_state') entry.presence = Presence.syncState(entry.presence, payload);
    else if (event === 'presence_diff') entry.presence = Presence.syncDiff(entry.presence, payload);
    else if (event === 'system' && payload && payload.status === 'error') entry.systemReason = payload.message;
    for (const a of [...entry.attachments]) a._message(event, payload);
  }

  // ---- pushes ------------------------------------------------------------------------------------------------

  /**
   * @param {Entry} entry
   * @param {string} event
   * @param {any} payload
   * @param {{timeout?: number}} [options]
   * @returns {Promise<any>} the ok response; rejects with a HubError
   */
  _push(entry, event, payload, { timeout = this.timeoutMs } = {}) {
    entry.lastUsed = this.clock.now();
    return new Promise((resolve, reject) => {
      const attempt = (tries) => {
        const wait = this.pausedUntil - this.clock.now();
        if (wait > 0) {
          this.clock.setTimeout(() => attempt(tries), wait);
          return;
        }
        const phx = entry.phx;
        if (!phx || entry.state === 'closed' || this.entries.get(entry.topic) !== entry) {
          reject(new HubError('offline', `${entry.topic} is not joined`));
          return;
        }
        phx
          .push(event, payload, timeout)
          .receive('ok', resolve)
          .receive('error', (response) => {
            const error = HubError.fromReply(response);
            if (error.reason === 'rate_limited' && tries < this.maxRateLimitRetries) {
              const ms = Math.max(0, Number(response && response.retry_after_ms) || 1000);
              this.pausedUntil = Math.max(this.pausedUntil, this.clock.now() + ms);
              this.connection.reportRateLimited(ms);
              this.emit('rate_limited', { topic: entry.topic, event, retryAfterMs: ms });
              this.clock.setTimeout(() => attempt(tries + 1), ms);
              return;
            }
            reject(error);
          })
          .receive('timeout', () => reject(new HubError('timeout', `${event} on ${entry.topic} got no reply`)));
      };
      attempt(0);
    });
  }

  // ---- limits ------------------------------------------------------------------------------------------------

  /** @param {string} forTopic */
  _evictOne(forTopic) {
    if (this._evictIdle(forTopic)) return;
    const held = [...this.entries.values()].filter((e) => !e.primary).sort((a, b) => a.lastUsed - b.lastUsed);
    if (held.length === 0) {
      throw new HubError('too_many_channels', `already ${this.entries.size} channels, all of them primary`);
    }
    this._leave(held[0], 'evicted', new HubError('evicted', `${held[0].topic} made room for ${forTopic}`));
  }

  /** @returns {boolean} whether a channel nobody holds was left */
  _evictIdle(forTopic) {
    const idle = [...this.entries.values()]
      .filter((e) => !e.primary && e.attachments.size === 0 && e.topic !== forTopic)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    if (idle.length === 0) return false;
    this._leave(idle[0], 'evicted');
    return true;
  }

  /** @param {Entry} entry @param {string} reason @param {HubError} [error] */
  _leave(entry, reason, error) {
    if (this.entries.get(entry.topic) === entry) this.entries.delete(entry.topic);
    entry.state = 'closed';
    this.clock.clearTimeout(entry.reopenTimer);
    const phx = entry.phx;
    entry.phx = null;
    if (phx) {
      phx.leave();
      if (this._closed) settlePending(phx);
    }
    for (const a of [...entry.attachments]) a._closed(reason, error);
    entry.attachments.clear();
    this.emit('left', { topic: entry.topic, reason });
  }

  /** @param {Entry} entry */
  _detached(entry) {
    entry.lastUsed = this.clock.now();
    if (entry.attachments.size === 0 && !entry.primary) this._scheduleSweep();
  }

  _scheduleSweep() {
    if (this._sweepTimer || this._closed) return;
    this._sweepTimer = this.clock.setTimeout(() => {
      this._sweepTimer = null;
      this.sweep();
    }, this.sweepMs);
  }

  /** Leaves channels nobody has held or used for idleMs; runs on its own timer, public for tests and tools. */
  sweep() {
    const now = this.clock.now();
    let waiting = false;
    for (const entry of [...this.entries.values()]) {
      if (entry.primary || entry.attachments.size > 0) continue;
      if (now - entry.lastUsed >= this.idleMs) this._leave(entry, 'idle');
      else waiting = true;
    }
    if (waiting) this._scheduleSweep();
  }
}

/**
 * The client is closing and its socket is gone: pushes still waiting for a reply will never get one. Settling them
 * as timed out now (phoenix keys each pending reply as a `chan_reply_<ref>` binding) rejects their promises at once
 * and clears their timers, so closing a client in Node does not keep the process alive for the push timeout.
 */
function settlePending(phx) {
  // The join's own reply is left alone: settling it would make phoenix send a leave (with a new timer).
  const join = phx.joinPush && phx.joinPush.refEvent;
  const waiting = (phx.bindings || []).filter((b) => typeof b.event === 'string' && b.event.startsWith('chan_reply_')
    && b.event !== join);
  for (const b of waiting) phx.trigger(b.event, { status: 'timeout', response: {} });
}

class Entry {
  /** @param {string} topic */
  constructor(topic) {
    this.topic = topic;
    /** @type {any} */
    this.phx = null;
    /** @type {'joining'|'joined'|'waiting_token'|'closed'} */
    this.state = 'joining';
    /** @type {Position | null} */
    this.position = null;
    /** @type {Position | null} */
    this.sentSince = null;
    this.joinedOnce = false;
    this.primary = false;
    this.lastUsed = 0;
    /** @type {Set<Attachment>} */
    this.attachments = new Set();
    /** @type {Record<string, any>} */
    this.presence = {};
    this.systemReason = null;
    this.lastReply = null;
    this.reopenTries = 0;
    this.reopenTimer = null;
  }
}

/** One user's hold on a channel of the pool. */
export class Attachment {
  /**
   * @param {ChannelPool} pool
   * @param {Entry} entry
   * @param {AttachmentListener} listener
   * @param {Position | null} since
   */
  constructor(pool, entry, listener, since) {
    this.pool = pool;
    this.entry = entry;
    this.topic = entry.topic;
    this.listener = listener;
    this.attached = true;
    this._sawJoin = !!since;
  }

  /** @returns {boolean} */
  get joined() {
    return this.attached && this.entry.state === 'joined' && this.pool.online;
  }

  /** @returns {Position | null} */
  get position() {
    return this.entry.position ? { ...this.entry.position } : null;
  }

  /**
   * @param {string} event
   * @param {any} payload
   * @param {{timeout?: number}} [options]
   */
  push(event, payload, options) {
    if (!this.attached) return Promise.reject(new HubError('closed', `${this.topic} was released`));
    return this.pool._push(this.entry, event, payload, options);
  }

  /** Marks the channel as in use (a view of it is still on screen). */
  touch() {
    this.entry.lastUsed = this.pool.clock.now();
  }

  /** Lets go of the channel; the pool leaves it once nobody has used it for idleMs. */
  detach() {
    if (!this.attached) return;
    this.attached = false;
    this.entry.attachments.delete(this);
    this.pool._detached(this.entry);
  }

  _joined(reply, info) {
    if (!this.attached) return;
    this._sawJoin = true;
    if (this.listener.joined) this.listener.joined(reply, info);
  }

  _joinError(error) {
    if (this.attached && this.listener.joinError) this.listener.joinError(error);
  }

  _message(event, payload) {
    if (this.attached && this.listener.message) this.listener.message(event, payload);
  }

  _closed(reason, error) {
    if (!this.attached) return;
    this.attached = false;
    this.entry.attachments.delete(this);
    if (this.listener.closed) this.listener.closed(reason, error);
  }
}
