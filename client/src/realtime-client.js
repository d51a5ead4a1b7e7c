import { Emitter } from './emitter.js';
import { systemClock } from './clock.js';
import { Connection } from './connection.js';
import { ChannelPool } from './channel-pool.js';
import { LocalHub } from './hub.js';
import { SharedHub, TabLeader } from './tab-leader.js';
import { HttpApi, httpUrlFromSocketUrl } from './http.js';
import { OfflineQueue, MemoryStorage } from './offline-queue.js';
import { NetworkQuality } from './network.js';
import { FormSession, DEFAULT_DEBOUNCE_MS } from './form-session.js';
import { Bell } from './bell.js';
import { ActivityFeed } from './activity.js';
import { ChannelHandle } from './channel-handle.js';
import { ClientList } from './client-list.js';
import { FormCache } from './form-cache.js';
import { HubError } from './errors.js';
import { randomId } from './ids.js';
import { tokenSubject } from './jwt.js';

const SYNCABLE = new Set(['field:set', 'field:text', 'field:list']);
/** The hub takes at most 500 ops per `sync`. */
const MAX_SYNC_OPS = 500;
const RETRYABLE = new Set(['offline', 'timeout', 'closed', 'leader_changed', 'unavailable']);

/**
 * @typedef {object} RealtimeClientOptions
 * @property {string} url socket endpoint, `ws(s)://HOST/realtime/v1`
 * @property {string} [token] the user's JWT (or give getToken)
 * @property {(info: {reason: string}) => Promise<string | null | undefined>} [getToken] returns a fresh JWT;
 *           called before expiry, after `token_expired`, and at connect() when no token was given
 * @property {(reason: string) => void} [onUnauthorized] the user must sign in again
 * @property {string} [httpUrl] defaults to the socket URL with http(s) and without `/realtime/v1`
 * @property {typeof fetch} [fetch]
 * @property {any} [transport] WebSocket class (Node: `ws`), `'websocket'` or `'longpoll'`
 * @property {number} [longPollFallbackMs] 2500; 0 turns the fallback off
 * @property {number} [heartbeatIntervalMs] 30000
 * @property {number} [timeoutMs] reply timeout, 10000
 * @property {{baseMs?: number, capMs?: number}} [reconnect] backoff, 500 ms base, 30 s cap, full jitter
 * @property {() => number} [random]
 * @property {import('./clock.js').Clock} [clock]
 * @property {Storage | MemoryStorage} [storage] where the offline queue lives (localStorage in a browser)
 * @property {boolean} [shareAcrossTabs] one socket for all tabs of this user
 * @property {{BroadcastChannel?: any, locks?: any, tabId?: string, pingMs?: number}} [tabs] environment for shareAcrossTabs
 * @property {any} [network] a navigator.connection-like object
 * @property {any} [Socket] a phoenix-compatible Socket class
 * @property {number} [maxChannels] 50
 * @property {number} [idleChannelMs] 300000
 * @property {Partial<Record<string, number>>} [debounceMs] per field type
 * @property {number} [typingIntervalMs] 1000
 * @property {number} [slowTypingIntervalMs] 3000
 * @property {number} [presenceIntervalMs] 250
 * @property {number} [slowPresenceIntervalMs] 2000
 * @property {number} [idleAfterMs] 60000
 * @property {number} [loadWithoutJoinMs] a form opened while the socket is still connecting is read over HTTP
 *           after this long without a join (1500)
 * @property {number} [refreshBeforeMs] 60000
 * @property {boolean} [autoSubscribe] join the user's primary channels at connect() (true)
 * @property {() => string} [idGenerator]
 * @property {Record<string, any>} [socketOptions] passed through to phoenix's Socket
 * @property {boolean} [cacheForms] keep the last copy of each form read in `storage`, so a form opened offline shows
 *           (true)
 * @property {import('./network.js').OnlineStatus | null} [onlineStatus] the device's online state (the browser's by
 *           default): offline, the socket waits for the network instead of retrying
 */

/**
 * @typedef {object} ConnectionInfo
 * @property {import('./connection.js').ConnectionState} state
 * @property {string | null} reason
 * @property {'websocket'|'longpoll'|null} transport  null in a tab that does not hold the shared socket and has not
 *           heard from the one that does
 * @property {number | null} latencyMs   the last measured heartbeat round trip
 * @property {number | null} connectedAt when the socket last opened (ms since the epoch)
 * @property {boolean} shared            the tabs of this user share one socket
 * @property {boolean} leader            this tab holds the socket
 */

/**
 * The WedSync Realtime Hub client: one connection (optionally shared by the user's tabs), its state, the user's
 * primary channels, and the objects an application works with — forms, the bell, activity feeds, other channels.
 *
 * Events: `state` {state, reason, previous}, `me`, `token`, `unauthorized` (reason), `rate_limited`
 * {topic, event, retryAfterMs}, `queue` (count), `synced` {form_id, op_id, event, field, result, …},
 * `message` {topic, event, payload} (primary channels), `leader` (this tab took over the shared socket), `error`.
 */
export class RealtimeClient extends Emitter {
  /** @param {RealtimeClientOptions} options */
  constructor(options) {
    super();
    if (!options || !options.url) throw new TypeError('RealtimeClient needs a url, e.g. ws://127.0.0.1:4000/realtime/v1');
    if (!options.token && !options.getToken) throw new TypeError('RealtimeClient needs a token or getToken');
    this.options = options;
    this.url = options.url;
    this.clock = options.clock || systemClock;
    this.getToken = options.getToken || null;
    this.newId = options.idGenerator || randomId;
    this._token = options.token || null;
    this.me = null;
    this.storage = options.storage || defaultStorage();
    this.network = new NetworkQuality(options.network);
    this.http = new HttpApi({
      baseUrl: options.httpUrl || httpUrlFromSocketUrl(options.url),
      token: () => this.token,
      refreshToken: (reason) => this._refreshToken(reason),
      onUnauthorized: (reason) => this._unauthorized(reason),
      fetch: options.fetch,
    });
    this.sessionOptions = {
      debounceMs: { ...DEFAULT_DEBOUNCE_MS, ...(options.debounceMs || {}) },
      typingIntervalMs: options.typingIntervalMs ?? 1000,
      slowTypingIntervalMs: options.slowTypingIntervalMs ?? 3000,
      presenceIntervalMs: options.presenceIntervalMs ?? 250,
      slowPresenceIntervalMs: options.slowPresenceIntervalMs ?? 2000,
      idleAfterMs: options.idleAfterMs ?? 60_000,
      loadWithoutJoinMs: options.loadWithoutJoinMs ?? 1500,
    };
    /** @type {Map<string, FormSession>} */
    this.sessions = new Map();
    /** @type {Map<string, ChannelHandle>} */
    this.primaries = new Map();
    this.hub = null;
    this.queue = null;
    this.formCache = null;
    this._formLocks = new Map();
    this._closed = false;
    if (this._token) this._setup();
  }

  /** @returns {import('./connection.js').ConnectionState} */
  get state() {
    return this.hub ? this.hub.state : 'disconnected';
  }

  /** @returns {string | null} why the state is `error` (`unauthorized`, `token_expired`, `rate_limited`) */
  get stateReason() {
    return this.hub ? this.hub.stateReason : null;
  }

  /** @returns {string | null} */
  get token() {
    return (this.hub && this.hub.token) || this._token;
  }

  /** @returns {string | null} */
  get userId() {
    return (this.me && this.me.user && this.me.user.id) || tokenSubject(this.token);
  }

  /** @returns {number} changes waiting in the offline queue */
  get queuedCount() {
    return this.queue ? this.queue.count : 0;
  }

  /** @returns {boolean} this tab holds the socket (always true without shareAcrossTabs) */
  get isLeader() {
    return !!this.hub && this.hub.isLeader;
  }

  /**
   * Opens the connection and (unless `autoSubscribe: false`) reads `GET /api/v1/me` and joins the user's primary
   * channels (`user:{id}`, each `supplier:{id}` of their teams, each `couple:{id}`). Resolves with the `me` answer,
   * or null while the hub cannot be reached (it is read once connected).
   */
  async connect() {
    if (this._closed) throw new HubError('closed', 'the client is closed');
    if (!this._token && !this.hub) {
      const token = await this.getToken({ reason: 'initial' });
      if (!token) throw new HubError('unauthorized', 'getToken() gave no token');
      this._token = token;
    }
    this._setup();
    this.hub.start();
    if (this.options.autoSubscribe === false) return null;
    try {
      return await this._loadMe();
    } catch (error) {
      if (!RETRYABLE.has(error.reason)) this.emit('error', error);
      return null;
    }
  }

  /** A new socket now (the user asked to reconnect), without waiting out the backoff; in shared mode the tab holding it reconnects. */
  reconnect() {
    if (this.hub) this.hub.reconnect();
  }

  /**
   * Measures a heartbeat's round trip to the hub (milliseconds; null when not connected or no answer in time).
   * @returns {Promise<number | null>}
   */
  ping() {
    return this.hub ? this.hub.ping() : Promise.resolve(null);
  }

  /** @returns {ConnectionInfo} what a connection indicator shows: state, transport, latency, since when */
  connectionInfo() {
    if (!this.hub) return { state: 'disconnected', reason: null, transport: null, latencyMs: null, connectedAt: null, shared: !!this.options.shareAcrossTabs, leader: false };
    return this.hub.info();
  }

  /**
   * A supplier's client list with live status (`supplier:{id}:clients`), sorted active clients first.
   * @param {string} supplierId
   */
  clients(supplierId) {
    this._requireHub();
    return new ClientList({ hub: this.hub, http: this.http }, supplierId);
  }

  /** Closes the socket (in shared mode: only when this tab holds it). Queued changes stay queued. */
  disconnect() {
    if (this.hub) this.hub.stop();
  }

  /** Saves what is pending in open forms, leaves every channel and closes the connection. */
  async close() {
    if (this._closed) return;
    await Promise.allSettled([...this.sessions.values()].map((s) => s.close()));
    this._closed = true;
    for (const h of this.primaries.values()) h.release();
    this.primaries.clear();
    if (this.hub) this.hub.close();
    if (this.queue) this.queue.close();
    this.network.close();
  }

  /** A token from the application (after the user signed in again). @param {string} token */
  setToken(token) {
    this._token = token;
    if (this.hub) this.hub.setToken(token);
  }

  /**
   * The form session for a form (one per form per client; opening it again returns the same one).
   * @param {string} formId
   * @returns {FormSession}
   */
  form(formId) {
    this._requireHub();
    const open = this.sessions.get(formId);
    if (open && !open.closed) return open;
    const session = new FormSession(
      {
        hub: this.hub,
        http: this.http,
        queue: this.queue,
        clock: this.clock,
        newId: this.newId,
        userId: () => this.userId,
        network: this.network,
        cache: this.formCache,
        syncForm: (id, ops, s) => this._syncForm(id, ops, s),
        sessionClosed: (s) => {
          if (this.sessions.get(s.formId) === s) this.sessions.delete(s.formId);
        },
        options: this.sessionOptions,
      },
      formId,
    );
    this.sessions.set(formId, session);
    return session;
  }

  /**
   * The notification bell of the signed-in user.
   * @param {{unread?: boolean, type?: string | string[], limit?: number}} [filter]
   */
  bell(filter) {
    this._requireHub();
    return new Bell({ hub: this.hub, http: this.http, userId: () => this.userId }, filter);
  }

  /**
   * A live activity feed.
   * @param {string} scope `supplier:{id}` or `wedding:{id}`
   * @param {{limit?: number}} [options]
   */
  activity(scope, options) {
    this._requireHub();
    return new ActivityFeed({ hub: this.hub, http: this.http }, scope, options);
  }

  /**
   * Any other channel, held while a screen needs it.
   * @param {string} topic
   * @param {{primary?: boolean}} [options]
   */
  channel(topic, options = {}) {
    this._requireHub();
    return new ChannelHandle(this.hub, topic, { ...options, selfUserId: () => this.userId });
  }

  /** Replays the offline queue of every form that has no open session here (done by itself on reconnect). */
  async syncQueue() {
    if (!this.queue || !this.hub || !this.hub.online) return;
    for (const formId of this.queue.forms()) {
      if (this.sessions.has(formId)) continue;
      await this._syncForm(formId, [], null).catch((e) => {
        if (!RETRYABLE.has(e.reason)) this.emit('error', e);
      });
    }
  }

  // ---- setup -------------------------------------------------------------------------------------------------

  _setup() {
    if (this.hub) return;
    const userId = tokenSubject(this._token) || 'anonymous';
    const o = this.options;
    this.queue = new OfflineQueue({
      storage: this.storage,
      key: `wedsync-realtime:queue:${userId}`,
      clock: this.clock,
      idGenerator: this.newId,
    });
    this.queue.watch();
    if (this.options.cacheForms !== false) {
      this.formCache = new FormCache({ storage: this.storage, prefix: `wedsync-realtime:form:${userId}:` });
    }
    if (o.shareAcrossTabs) {
      const env = o.tabs || {};
      const leader = new TabLeader({
        name: `wedsync-realtime:${userId}`,
        BroadcastChannel: env.BroadcastChannel || globalThis.BroadcastChannel,
        locks: env.locks || (typeof navigator !== 'undefined' && navigator ? navigator.locks : undefined),
        tabId: env.tabId,
      });
      this.hub = new SharedHub({
        leader,
        createLocal: () => this._createLocal(),
        getToken: this.getToken,
        token: this._token,
        clock: this.clock,
        timeoutMs: o.timeoutMs,
        pingMs: env.pingMs,
      });
      this.hub.on('app', (body) => this._onTabMessage(body));
      this.hub.on('leader', () => {
        this.emit('leader');
        if (this.hub.online) this.syncQueue();
      });
      this.queue.on('count', () => this.hub.broadcast({ kind: 'queue' }));
    } else {
      const { connection, pool } = this._createLocal();
      this.hub = new LocalHub(connection, pool);
    }
    this.queue.on('count', (n) => this.emit('queue', n));
    this.hub.on('state', (change) => {
      this.emit('state', change);
      if (change.state === 'connected' && change.previous !== 'connected') this._connected();
    });
    this.hub.on('token', (token) => {
      this._token = token;
      this.emit('token', token);
    });
    this.hub.on('unauthorized', (reason) => this._unauthorized(reason));
    this.hub.on('rate_limited', (info) => this.emit('rate_limited', info));
  }

  _createLocal() {
    const o = this.options;
    const connection = new Connection({
      url: this.url,
      token: this.token,
      getToken: this.getToken,
      Socket: o.Socket,
      transport: o.transport,
      longPollFallbackMs: o.longPollFallbackMs ?? 2500,
      heartbeatIntervalMs: o.heartbeatIntervalMs ?? 30_000,
      timeoutMs: o.timeoutMs ?? 10_000,
      reconnect: o.reconnect,
      random: o.random,
      clock: this.clock,
      refreshBeforeMs: o.refreshBeforeMs ?? 60_000,
      authProbe: (token) => this._probe(token),
      socketOptions: o.socketOptions,
      ...(o.onlineStatus !== undefined ? { onlineStatus: o.onlineStatus } : {}),
    });
    const pool = new ChannelPool({
      connection,
      clock: this.clock,
      maxChannels: o.maxChannels ?? 50,
      idleMs: o.idleChannelMs ?? 5 * 60_000,
      timeoutMs: o.timeoutMs ?? 10_000,
    });
    return { connection, pool };
  }

  _requireHub() {
    if (!this.hub) throw new HubError('unauthorized', 'no token yet: await client.connect() first');
    if (this._closed) throw new HubError('closed', 'the client is closed');
  }

  async _loadMe() {
    const me = await this.http.get('/api/v1/me');
    this.me = me;
    this.emit('me', me);
    const topics = [`user:${me.user.id}`];
    for (const supplierId of Object.keys(me.teams || {})) topics.push(`supplier:${supplierId}`);
    for (const coupleId of me.couples || []) topics.push(`couple:${coupleId}`);
    for (const topic of topics) {
      if (this.primaries.has(topic)) continue;
      const handle = this.channel(topic, { primary: true });
      handle.on('message', ({ event, payload }) => this.emit('message', { topic, event, payload }));
      this.primaries.set(topic, handle);
    }
    return me;
  }

  _connected() {
    if (!this.me && this.options.autoSubscribe !== false) {
      this._loadMe().catch((e) => {
        if (!RETRYABLE.has(e.reason)) this.emit('error', e);
      });
    }
    if (this.hub.isLeader) this.syncQueue();
  }

  async _refreshToken(reason) {
    if (!this.hub) return null;
    return this.hub.refreshToken(reason);
  }

  _unauthorized(reason) {
    this.emit('unauthorized', reason);
    if (this.options.onUnauthorized) this.options.onUnauthorized(reason);
  }

  /** Why did the socket not open? Browsers hide the upgrade's 401, so ask the HTTP API with the same token. */
  async _probe(token) {
    try {
      const fetchImpl = this.options.fetch || globalThis.fetch;
      const r = await fetchImpl(`${this.http.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      if (r.status !== 401) return r.ok ? 'ok' : 'unknown';
      const body = await r.json().catch(() => ({}));
      return body && body.error && body.error.code === 'token_expired' ? 'token_expired' : 'unauthorized';
    } catch {
      return 'unknown';
    }
  }

  // ---- offline replay ----------------------------------------------------------------------------------------

  /**
   * Sends `extraOps` (a session's unsaved ops) followed by the form's queued offline changes, in order: field ops
   * through `sync` (≤ 500 per request), notes and status changes one by one. Each outcome goes to the session and
   * to the application (`synced`); queued entries leave storage once the hub has answered for them.
   * @param {string} formId
   * @param {{event: string, payload: any}[]} extraOps
   * @param {FormSession | null} session
   */
  _syncForm(formId, extraOps, session) {
    return this._withFormLock(formId, async () => {
      const sent = new Set(extraOps.map((o) => o.payload && o.payload.op_id));
      const queued = this.queue
        .forForm(formId)
        .filter((q) => !sent.has(q.payload && q.payload.op_id))
        .map((q) => ({ event: q.event, payload: q.payload, queueId: q.id }));
      const ops = [...extraOps.map((o) => ({ ...o, queueId: null })), ...queued];
      if (ops.length === 0) return;
      let attachment = session && !session.closed ? session.attachment : null;
      const temporary = !attachment;
      if (temporary) attachment = this.hub.attach(`form:${formId}`, { listener: {} });
      if (session) session._adoptSent(queued);
      const outcome = (op, result) => {
        const r = { op_id: op.payload && op.payload.op_id, ...result };
        if (session && !session.closed) session._onSyncResult(op, r);
        else {
          const open = this.sessions.get(formId);
          if (open && !open.closed) open._onSyncResult(op, r, { foreign: true });
          else if (this.options.shareAcrossTabs) this.hub.broadcast({ kind: 'synced', formId, op: stripQueue(op), result: r });
        }
        this.emit('synced', { form_id: formId, event: op.event, field: (op.payload && op.payload.field) ?? null, ...r });
      };
      try {
        for (const segment of segments(ops)) {
          if (segment.sync) {
            let results;
            try {
              const reply = await attachment.push('sync', { ops: segment.ops.map(({ event, payload }) => ({ event, payload })) });
              results = Array.isArray(reply && reply.results) ? reply.results : [];
            } catch (error) {
              if (RETRYABLE.has(error.reason)) throw error;
              // The whole batch was refused (e.g. the form can no longer be edited): every op gets that answer.
              results = segment.ops.map((op) => ({ op_id: op.payload.op_id, result: 'rejected', reason: error.reason, detail: error.detail }));
            }
            segment.ops.forEach((op, i) => {
              const id = op.payload.op_id;
              const r = results[i] && results[i].op_id === id ? results[i]
                : results.find((x) => x && x.op_id === id) || { result: 'rejected', reason: 'unavailable', detail: 'no result for this op' };
              outcome(op, r);
            });
          } else {
            const op = segment.ops[0];
            try {
              const response = await attachment.push(op.event, op.payload);
              outcome(op, { result: 'applied', ...(response || {}) });
            } catch (error) {
              if (RETRYABLE.has(error.reason)) throw error;
              outcome(op, { result: 'rejected', reason: error.reason, detail: error.detail });
            }
          }
          this.queue.remove(segment.ops.filter((o) => o.queueId).map((o) => o.queueId));
        }
      } finally {
        if (temporary) attachment.detach();
      }
    });
  }

  /** One replay per form at a time — across tabs too when they share (Web Locks), so nothing is sent twice. */
  _withFormLock(formId, fn) {
    const locks = this.options.shareAcrossTabs
      ? (this.options.tabs && this.options.tabs.locks) || (typeof navigator !== 'undefined' && navigator ? navigator.locks : null)
      : null;
    if (locks) return locks.request(`wedsync-realtime-sync:${this.userId}:${formId}`, fn);
    const previous = this._formLocks.get(formId) || Promise.resolve();
    const run = previous.then(fn, fn);
    const tail = run.catch(() => {});
    this._formLocks.set(formId, tail);
    tail.then(() => {
      if (this._formLocks.get(formId) === tail) this._formLocks.delete(formId);
    });
    return run;
  }

  _onTabMessage(body) {
    if (!body) return;
    if (body.kind === 'queue' && this.queue) this.queue.refresh();
    else if (body.kind === 'synced') {
      const session = this.sessions.get(body.formId);
      if (session && !session.closed) session._onSyncResult(body.op, body.result, { foreign: true });
    }
  }
}

/** Consecutive field ops travel together in `sync`; notes and status changes are single requests. */
function segments(ops) {
  const out = [];
  for (const op of ops) {
    const last = out[out.length - 1];
    if (SYNCABLE.has(op.event)) {
      if (last && last.sync && last.ops.length < MAX_SYNC_OPS) last.ops.push(op);
      else out.push({ sync: true, ops: [op] });
    } else out.push({ sync: false, ops: [op] });
  }
  return out;
}

function stripQueue(op) {
  return { event: op.event, payload: op.payload };
}

function defaultStorage() {
  try {
    if (typeof localStorage !== 'undefined' && localStorage) return localStorage;
  } catch {
    // Storage can throw when the browser blocks it (private modes): fall back to memory.
  }
  return new MemoryStorage();
}
