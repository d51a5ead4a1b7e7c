import { Socket as PhoenixSocket, LongPoll } from 'phoenix';
import { Emitter } from './emitter.js';
import { systemClock } from './clock.js';
import { fullJitterBackoff } from './backoff.js';
import { tokenExpiresAt } from './jwt.js';
import { browserOnlineStatus } from './network.js';

/**
 * @typedef {'connecting'|'connected'|'reconnecting'|'disconnected'|'error'} ConnectionState
 * @typedef {{state: ConnectionState, reason: string | null, previous: ConnectionState}} StateChange
 */

/** @type {readonly ConnectionState[]} */
export const CONNECTION_STATES = Object.freeze(['connecting', 'connected', 'reconnecting', 'disconnected', 'error']);

/**
 * One phoenix Socket to the hub and what the application sees of it: a connection state (with a reason when it is
 * `error`), reconnects with full-jitter backoff (through phoenix's own `reconnectAfterMs` / `rejoinAfterMs`), and
 * the token's life — refreshed shortly before it expires and after the hub says it expired, and sent on the open
 * socket rather than by reconnecting.
 *
 * Transitions:
 *   connect()                          disconnected|error → connecting
 *   socket open                        connecting|reconnecting|error(token_expired) → connected
 *   socket lost (not asked for)        connected → reconnecting (before the first open it stays connecting)
 *   disconnect()                       any → disconnected
 *   token expired                      → error(token_expired) until a fresh token is in, then back
 *   unauthorized                       → error(unauthorized); the socket stops until setToken() gives a new token
 *   rate_limited                       connected → error(rate_limited) for retry_after_ms, then connected
 *   the device goes offline            → reconnecting(offline) (connecting(offline) before the first open): the socket
 *                                        is closed and nothing is retried until the device is back online, then it
 *                                        reconnects at once
 *   reconnect()                        → reconnecting: a new socket now, without waiting out the backoff
 */
export class Connection extends Emitter {
  /**
   * @param {object} options
   * @param {string} options.url socket endpoint, e.g. `ws://127.0.0.1:4000/realtime/v1` (phoenix appends `/websocket`)
   * @param {string} [options.token]
   * @param {(info: {reason: string}) => Promise<string | null | undefined>} [options.getToken]
   * @param {(reason: string) => void} [options.onUnauthorized]
   * @param {any} [options.Socket] a phoenix-compatible Socket class (tests inject a fake)
   * @param {any} [options.transport] a WebSocket class (Node: the `ws` package), `'websocket'` or `'longpoll'`
   * @param {number} [options.longPollFallbackMs] 0 turns the long-poll fallback off
   * @param {number} [options.heartbeatIntervalMs]
   * @param {number} [options.timeoutMs] phoenix push/join timeout
   * @param {{baseMs?: number, capMs?: number}} [options.reconnect]
   * @param {() => number} [options.random]
   * @param {import('./clock.js').Clock} [options.clock]
   * @param {number} [options.refreshBeforeMs] refresh this long before `exp`
   * @param {number} [options.refreshRetryMs] wait after a failed getToken()
   * @param {(token: string) => Promise<'ok'|'unauthorized'|'token_expired'|'unknown'>} [options.authProbe]
   *        asked after repeated failed connects: browsers hide the HTTP 401 of a refused WebSocket upgrade
   * @param {number} [options.authProbeAfterFailures]
   * @param {Record<string, any>} [options.socketOptions] passed through to the Socket
   * @param {import('./network.js').OnlineStatus | null} [options.onlineStatus] the device's online state (the
   *        browser's `navigator.onLine` and `online`/`offline` events by default; none in Node)
   */
  constructor(options) {
    super();
    const {
      url,
      token = null,
      getToken = null,
      onUnauthorized = null,
      Socket = PhoenixSocket,
      transport,
      longPollFallbackMs = 2500,
      heartbeatIntervalMs = 30_000,
      timeoutMs = 10_000,
      reconnect = {},
      random = Math.random,
      clock = systemClock,
      refreshBeforeMs = 60_000,
      refreshRetryMs = 5_000,
      authProbe = null,
      authProbeAfterFailures = 3,
      socketOptions = {},
      onlineStatus = browserOnlineStatus(),
    } = options;
    if (!url) throw new TypeError('Connection needs a url');
    this.url = url;
    this.token = token;
    this.getToken = getToken;
    this.onUnauthorized = onUnauthorized;
    this.clock = clock;
    this.refreshBeforeMs = refreshBeforeMs;
    this.refreshRetryMs = refreshRetryMs;
    this.authProbe = authProbe;
    this.authProbeAfterFailures = authProbeAfterFailures;
    this.timeoutMs = timeoutMs;
    /** @type {ConnectionState} */
    this.state = 'disconnected';
    /** @type {string | null} */
    this.stateReason = null;
    this.backoff = fullJitterBackoff({ ...reconnect, random });

    this._everOpened = false;
    this._openedThisAttempt = false;
    this._failures = 0;
    this._wanted = false;
    this._refreshTimer = null;
    this._rateTimer = null;
    this._refreshing = null;
    /** The device said it is offline: the socket is closed and not retried until it is back. */
    this._offline = false;
    /** @type {number | null} the last heartbeat round trip, in ms */
    this.latencyMs = null;
    /** @type {number | null} when the socket last opened (clock ms) */
    this.connectedAt = null;
    this.onlineStatus = onlineStatus || null;
    this._unwatchNetwork = this.onlineStatus
      ? this.onlineStatus.watch((online) => (online ? this._backOnline() : this._wentOffline()))
      : null;

    const socketOpts = {
      ...socketOptions,
      // A function, so that every reconnect sends the token current at that moment.
      params: () => ({ apikey: this.token }),
      vsn: '2.0.0',
      heartbeatIntervalMs,
      timeout: timeoutMs,
      reconnectAfterMs: this.backoff,
      rejoinAfterMs: this.backoff,
    };
    if (transport === 'longpoll') socketOpts.transport = LongPoll;
    else if (transport && transport !== 'websocket') socketOpts.transport = transport;
    if (longPollFallbackMs > 0 && transport !== 'longpoll') socketOpts.longPollFallbackMs = longPollFallbackMs;
    this.socket = new Socket(url, socketOpts);
    this.socket.onOpen(() => this._opened());
    this.socket.onClose((event) => this._lost('close', event));
    this.socket.onError((error) => this._lost('error', error));
    this._scheduleRefresh();
  }

  /** @returns {'websocket'|'longpoll'} the transport phoenix uses now (it falls back to long-poll by itself) */
  get transport() {
    const t = this.socket.transport;
    return t && (t === LongPoll || t.name === 'LongPoll') ? 'longpoll' : 'websocket';
  }

  /** @returns {boolean} */
  get connected() {
    return this.state === 'connected' || (this.state === 'error' && this.stateReason === 'rate_limited');
  }

  connect() {
    this._wanted = true;
    if (this.state === 'disconnected' || (this.state === 'error' && this.stateReason === 'unauthorized')) {
      this._openedThisAttempt = false;
      this._set(this._everOpened ? 'reconnecting' : 'connecting');
    }
    if (this.onlineStatus && !this.onlineStatus.online()) {
      this._wentOffline();
      return;
    }
    this.socket.connect();
  }

  /**
   * A new socket now (the user clicked "reconnect"): the old one is dropped, the backoff starts over. Channels
   * rejoin with recovery as after any reconnect.
   */
  reconnect() {
    this._wanted = true;
    this._offline = false;
    if (this.state === 'error' && this.stateReason === 'unauthorized') return;
    this.socket.disconnect();
    this._openedThisAttempt = false;
    this._set(this._everOpened ? 'reconnecting' : 'connecting');
    this.socket.connect();
  }

  /**
   * Measures the round trip of a heartbeat (phoenix's `ping`). Resolves with milliseconds, or null when the socket
   * is not open or no answer came within the reply timeout.
   * @returns {Promise<number | null>}
   */
  ping() {
    return new Promise((resolve) => {
      let done = false;
      let timer = null;
      const finish = (rtt) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        if (rtt !== null) this.latencyMs = rtt;
        resolve(rtt);
      };
      timer = this.clock.setTimeout(() => finish(null), this.timeoutMs);
      const sent = typeof this.socket.ping === 'function' && this.socket.ping((rtt) => finish(rtt));
      if (!sent) finish(null);
    });
  }

  disconnect() {
    this._wanted = false;
    this._set('disconnected');
    this.socket.disconnect();
  }

  close() {
    if (this._unwatchNetwork) this._unwatchNetwork();
    this._unwatchNetwork = null;
    this.disconnect();
    this.clock.clearTimeout(this._refreshTimer);
    this.clock.clearTimeout(this._rateTimer);
  }

  /**
   * A new token from the application (after a sign-in) or from getToken(). Channels hear about it through the
   * `token` event and send it as `access_token`; a socket stopped for `unauthorized` starts again.
   * @param {string} token
   */
  setToken(token) {
    if (!token) return;
    const changed = token !== this.token;
    this.token = token;
    this._scheduleRefresh();
    if (changed) this.emit('token', token);
    if (this.state === 'error' && (this.stateReason === 'unauthorized' || this.stateReason === 'token_expired')) {
      if (this.socket.isConnected()) this._set('connected');
      else if (this._wanted) {
        this._set(this._everOpened ? 'reconnecting' : 'connecting');
        this.socket.connect();
      }
    }
  }

  /**
   * Gets a fresh token from getToken() (one call at a time, however many ask).
   * @param {string} reason why: `expiring`, `token_expired`, `unauthorized`
   * @returns {Promise<string | null>}
   */
  refreshToken(reason) {
    if (this._refreshing) return this._refreshing;
    if (!this.getToken) {
      if (reason !== 'expiring') this._unauthorized(reason === 'token_expired' ? 'token_expired' : 'unauthorized');
      return Promise.resolve(null);
    }
    this.clock.clearTimeout(this._refreshTimer);
    this._refreshing = (async () => {
      try {
        const fresh = await this.getToken({ reason });
        if (!fresh) {
          // The application has no session any more: it must sign the user in again.
          this._unauthorized('unauthorized');
          return null;
        }
        const exp = tokenExpiresAt(fresh);
        if (exp !== null && exp <= this.clock.now()) throw new Error('getToken() returned an expired token');
        this.setToken(fresh);
        return fresh;
      } catch (error) {
        this.emit('token_error', error);
        this._refreshTimer = this.clock.setTimeout(() => this.refreshToken(reason), this.refreshRetryMs);
        return null;
      } finally {
        this._refreshing = null;
      }
    })();
    return this._refreshing;
  }

  /**
   * A channel was refused or ended for an auth reason (join reply or `system` event).
   * @param {'token_expired'|'unauthorized'} reason
   */
  reportAuthError(reason) {
    if (reason === 'token_expired') {
      this._set('error', 'token_expired');
      this.refreshToken('token_expired');
    } else {
      this._unauthorized('unauthorized');
    }
  }

  /**
   * The hub refused a write with `rate_limited`: shown as `error(rate_limited)` until the hint has passed.
   * @param {number} retryAfterMs
   */
  reportRateLimited(retryAfterMs) {
    if (this.state !== 'connected' && !(this.state === 'error' && this.stateReason === 'rate_limited')) return;
    this._set('error', 'rate_limited');
    this.clock.clearTimeout(this._rateTimer);
    this._rateTimer = this.clock.setTimeout(() => {
      if (this.state === 'error' && this.stateReason === 'rate_limited') {
        this._set(this.socket.isConnected() ? 'connected' : 'reconnecting');
      }
    }, retryAfterMs);
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  _opened() {
    this.connectedAt = this.clock.now();
    this._everOpened = true;
    this._openedThisAttempt = true;
    this._failures = 0;
    if (this.state === 'error' && (this.stateReason === 'unauthorized' || this.stateReason === 'rate_limited')) return;
    this._set('connected');
  }

  _lost(kind) {
    if (!this._wanted) {
      if (kind === 'close') this._set('disconnected');
      return;
    }
    if (kind !== 'close') return; // an error is followed by a close; count each failed attempt once
    if (this._offline) return; // closed on purpose while the device is offline
    const neverOpened = !this._openedThisAttempt;
    this._openedThisAttempt = false;
    if (this.state === 'error' && this.stateReason === 'unauthorized') return;
    if (this.state !== 'error') this._set(this._everOpened ? 'reconnecting' : 'connecting');
    if (neverOpened) {
      this._failures++;
      this._checkAuthAfterFailure();
    }
  }

  /** The device lost its network: close the socket and wait for it to come back (nothing could get through). */
  _wentOffline() {
    this._offline = true;
    if (!this._wanted) return;
    if (this.state === 'error' && this.stateReason === 'unauthorized') return;
    this._set(this._everOpened ? 'reconnecting' : 'connecting', 'offline');
    this.socket.disconnect();
  }

  /** The network is back: reconnect now rather than after the backoff grown while it was away. */
  _backOnline() {
    if (!this._offline) return;
    this._offline = false;
    if (!this._wanted) return;
    if (this.state === 'error' && this.stateReason === 'unauthorized') return;
    this._openedThisAttempt = false;
    this._set(this._everOpened ? 'reconnecting' : 'connecting');
    this.socket.connect();
  }

  /** Browsers do not show why an upgrade failed, so an expired token is checked here and refreshed. */
  _checkAuthAfterFailure() {
    const exp = this.token ? tokenExpiresAt(this.token) : null;
    if (exp !== null && exp <= this.clock.now()) {
      this._set('error', 'token_expired');
      this.refreshToken('token_expired');
      return;
    }
    if (this.authProbe && this.token && this._failures % this.authProbeAfterFailures === 0) {
      const probed = this.token;
      this.authProbe(probed).then(
        (verdict) => {
          if (probed !== this.token || !this._wanted) return;
          if (verdict === 'token_expired') this.reportAuthError('token_expired');
          else if (verdict === 'unauthorized') this._unauthorized('unauthorized');
        },
        () => {},
      );
    }
  }

  _unauthorized(reason) {
    this._set('error', reason);
    // Retrying with a token the hub refuses only burns the user's connection budget.
    this.socket.disconnect();
    this.emit('unauthorized', reason);
    if (this.onUnauthorized) this.onUnauthorized(reason);
  }

  _scheduleRefresh() {
    this.clock.clearTimeout(this._refreshTimer);
    this._refreshTimer = null;
    if (!this.getToken || !this.token) return;
    const exp = tokenExpiresAt(this.token);
    if (exp === null) return;
    const left = exp - this.clock.now();
    // Short-lived tokens are refreshed halfway, so a 30 s token does not trigger a refresh loop.
    const lead = Math.min(this.refreshBeforeMs, Math.max(0, left) / 2);
    const delay = Math.max(0, left - lead);
    this._refreshTimer = this.clock.setTimeout(() => this.refreshToken('expiring'), delay);
  }

  /** @param {ConnectionState} state @param {string | null} [reason] */
  _set(state, reason = null) {
    if (this.state === state && this.stateReason === reason) return;
    const previous = this.state;
    this.state = state;
    this.stateReason = reason;
    this.emit('state', { state, reason, previous });
  }
}
