import { Emitter } from './emitter.js';
import { systemClock } from './clock.js';
import { HubError } from './errors.js';
import { randomId } from './ids.js';

/**
 * Leader election among the tabs of one user: every tab asks for the same Web Lock; the browser grants it to one
 * tab at a time and hands it to a waiting tab when the holder closes (or crashes). Tabs talk over a
 * BroadcastChannel of the same name. Both are injected, so Node tests run it with fakes.
 *
 * Events: `leader` (this tab now holds the lock), `message` (a message from another tab meant for this one).
 */
export class TabLeader extends Emitter {
  /**
   * @param {object} options
   * @param {string} options.name         channel and lock name (one per user)
   * @param {any} options.BroadcastChannel the BroadcastChannel class
   * @param {{request: Function}} options.locks `navigator.locks`
   * @param {string} [options.tabId]
   */
  constructor({ name, BroadcastChannel, locks, tabId = randomId() }) {
    super();
    if (!BroadcastChannel || !locks) throw new TypeError('sharing across tabs needs BroadcastChannel and navigator.locks');
    this.name = name;
    this.BroadcastChannel = BroadcastChannel;
    this.locks = locks;
    this.tabId = tabId;
    this.isLeader = false;
    this.stopped = false;
    this.channel = null;
    this._release = null;
    this._abort = null;
  }

  start() {
    this.channel = new this.BroadcastChannel(this.name);
    this.channel.onmessage = (event) => {
      const m = event && event.data;
      if (!m || typeof m !== 'object' || m.from === this.tabId) return;
      if (m.to && m.to !== this.tabId) return;
      this.emit('message', m);
    };
    this._abort = typeof AbortController !== 'undefined' ? new AbortController() : null;
    const options = this._abort ? { signal: this._abort.signal } : {};
    Promise.resolve(
      this.locks.request(`${this.name}:leader`, options, () => {
        if (this.stopped) return undefined;
        this.isLeader = true;
        this.emit('leader');
        // Held until this tab goes away: the browser releases it when the tab closes.
        return new Promise((resolve) => {
          this._release = resolve;
        });
      }),
    ).catch(() => {});
  }

  /** @param {Record<string, any>} message */
  post(message) {
    if (this.channel && !this.stopped) this.channel.postMessage({ ...message, from: this.tabId });
  }

  stop() {
    if (this.stopped) return;
    this.stopped = true;
    if (this._abort) this._abort.abort();
    if (this._release) this._release();
    this.isLeader = false;
    if (this.channel) this.channel.close();
  }
}

/**
 * The hub surface (see hub.js) for a tab that shares one socket with the user's other tabs. The leader tab holds
 * the Connection and the ChannelPool; its own attachments use them directly, and it serves the other tabs:
 * their attaches become pool attachments, their pushes go out on the shared channels and the replies come back to
 * the tab that asked, every event reaches every tab that holds the channel. When the leader goes away another tab
 * takes the lock, opens the socket and every tab attaches again with the position it had seen (so rejoins recover).
 *
 * Events: `state`, `token`, `unauthorized`, `rate_limited`, `leader`, `app` (messages the client relays between tabs).
 */
export class SharedHub extends Emitter {
  /**
   * @param {object} options
   * @param {TabLeader} options.leader
   * @param {() => {connection: import('./connection.js').Connection, pool: import('./channel-pool.js').ChannelPool}} options.createLocal
   * @param {(info: {reason: string}) => Promise<string | null | undefined>} [options.getToken]
   * @param {string | null} [options.token]
   * @param {import('./clock.js').Clock} [options.clock]
   * @param {number} [options.timeoutMs]
   * @param {number} [options.pingMs] followers say they are alive this often; silent for 3× that, they are dropped
   */
  constructor({ leader, createLocal, getToken = null, token = null, clock = systemClock, timeoutMs = 10_000, pingMs = 5_000 }) {
    super();
    this.leader = leader;
    this.tabId = leader.tabId;
    this.createLocal = createLocal;
    this.getToken = getToken;
    this._token = token;
    this.clock = clock;
    this.timeoutMs = timeoutMs;
    this.pingMs = pingMs;
    /** @type {{connection: any, pool: any} | null} */
    this.local = null;
    this.leaderId = null;
    this.state = 'disconnected';
    this.stateReason = null;
    /** @type {Map<string, ProxyAttachment>} */
    this.proxies = new Map();
    /** @type {Map<string, {resolve: Function, reject: Function, timer: any}>} */
    this.pending = new Map();
    /** leader side: attachments held for other tabs, and when each tab was last heard */
    this.remote = new Map();
    this.tabsSeen = new Map();
    this._ref = 0;
    this._wanted = false;
    /** follower side: what the leader last said about its socket */
    this._leaderInfo = { transport: null, latencyMs: null, connectedAt: null };
    /** follower side: round trips asked of the leader, by ref */
    this._pings = new Map();
    this._timer = null;
    leader.on('message', (m) => this._onMessage(m));
    leader.on('leader', () => this._becomeLeader());
  }

  get isLeader() {
    return !!this.local;
  }

  get online() {
    if (this.local) return this.local.pool.online;
    return this.state === 'connected' || (this.state === 'error' && this.stateReason === 'rate_limited');
  }

  get token() {
    return this.local ? this.local.connection.token : this._token;
  }

  /** The connection, when this tab is the leader. */
  get connection() {
    return this.local ? this.local.connection : null;
  }

  start() {
    this._wanted = true;
    if (this.local) {
      this.local.connection.connect();
      return;
    }
    if (!this.leader.channel) {
      this._set('connecting');
      this.leader.start();
      this.leader.post({ type: 'hello' });
      this._tick();
    }
  }

  stop() {
    this._wanted = false;
    if (this.local) this.local.connection.disconnect();
  }

  /** A new socket now: done by the tab that holds it. */
  reconnect() {
    if (this.local) this.local.connection.reconnect();
    else if (this.leaderId) this.leader.post({ type: 'reconnect', to: this.leaderId });
  }

  /** @returns {Promise<number | null>} a heartbeat's round trip, measured by the tab that holds the socket */
  ping() {
    if (this.local) return this.local.connection.ping();
    if (!this.leaderId) return Promise.resolve(null);
    const ref = String(++this._ref);
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => {
        this._pings.delete(ref);
        resolve(null);
      }, this.timeoutMs + 5000);
      this._pings.set(ref, (rtt) => {
        this.clock.clearTimeout(timer);
        resolve(rtt);
      });
      this.leader.post({ type: 'rtt', to: this.leaderId, ref });
    });
  }

  /** @returns {import('./realtime-client.js').ConnectionInfo} */
  info() {
    if (this.local) {
      const c = this.local.connection;
      return { state: c.state, reason: c.stateReason, transport: c.transport, latencyMs: c.latencyMs, connectedAt: c.connectedAt, shared: true, leader: true };
    }
    return { state: this.state, reason: this.stateReason, ...this._leaderInfo, shared: true, leader: false };
  }

  /** Leaves the tab group: a leader hands the socket over (another tab takes the lock). */
  close() {
    this._wanted = false;
    this.clock.clearTimeout(this._timer);
    for (const p of [...this.proxies.values()]) p.detach();
    this._rejectPending('closed');
    if (this.local) {
      // Handing over, not ending: the other tabs' channels must not hear "closed" — they attach to the next leader.
      for (const a of this.remote.values()) a.detach();
      this.remote.clear();
      this.local.connection.close();
      this.local.pool.close();
      this.local = null;
    } else {
      this.leader.post({ type: 'bye' });
    }
    this.leader.stop();
    this._set('disconnected');
  }

  /**
   * @param {string} topic
   * @param {{primary?: boolean, since?: any, listener?: any}} [options]
   */
  attach(topic, { primary = false, since = null, listener = {} } = {}) {
    const proxy = new ProxyAttachment(this, randomId(), topic, primary, since, listener);
    this.proxies.set(proxy.hid, proxy);
    this._bind(proxy);
    return proxy;
  }

  /** @param {string} token */
  setToken(token) {
    if (!token) return;
    if (this.local) {
      this.local.connection.setToken(token);
      return;
    }
    const changed = token !== this._token;
    this._token = token;
    if (this.leaderId) this.leader.post({ type: 'token', to: this.leaderId, token });
    if (changed) this.emit('token', token);
  }

  /** @param {string} reason */
  async refreshToken(reason) {
    if (this.local) return this.local.connection.refreshToken(reason);
    if (!this.getToken) return null;
    const fresh = await this.getToken({ reason });
    if (fresh) this.setToken(fresh);
    return fresh || null;
  }

  /** Sends an application message (e.g. sync outcomes) to every other tab. @param {Record<string, any>} body */
  broadcast(body) {
    this.leader.post({ type: 'app', body });
  }

  // ---- both roles --------------------------------------------------------------------------------------------

  /** @param {ProxyAttachment} proxy */
  _bind(proxy) {
    proxy._joinedRemote = false;
    if (this.local) {
      try {
        proxy.backing = this.local.pool.attach(proxy.topic, {
          primary: proxy.primary,
          since: proxy.position,
          listener: proxy.forwarder,
        });
      } catch (error) {
        queueMicrotask(() => proxy._closed(error.reason || 'closed', error));
      }
    } else if (this.leaderId) {
      this.leader.post({
        type: 'attach',
        to: this.leaderId,
        hid: proxy.hid,
        topic: proxy.topic,
        primary: proxy.primary,
        since: proxy.position,
      });
    }
  }

  /** @param {ProxyAttachment} proxy */
  _unbind(proxy) {
    this.proxies.delete(proxy.hid);
    if (proxy.backing) proxy.backing.detach();
    else if (this.leaderId && !this.local) this.leader.post({ type: 'detach', to: this.leaderId, hid: proxy.hid });
  }

  _remotePush(proxy, event, payload, options = {}) {
    if (this.leader.stopped) return Promise.reject(new HubError('closed', 'this tab left the tab group'));
    if (!this.leaderId) return Promise.reject(new HubError('offline', 'no tab holds the connection yet'));
    const ref = String(++this._ref);
    const timeout = options.timeout || this.timeoutMs;
    return new Promise((resolve, reject) => {
      // The leader may hold a rate-limited push for a while; give it room before calling it lost.
      const timer = this.clock.setTimeout(() => {
        this.pending.delete(ref);
        reject(new HubError('timeout', `${event} on ${proxy.topic} got no reply from the leader tab`));
      }, timeout + 5000);
      this.pending.set(ref, { resolve, reject, timer });
      this.leader.post({ type: 'push', to: this.leaderId, hid: proxy.hid, ref, event, payload, timeout });
    });
  }

  _rejectPending(reason) {
    for (const [ref, p] of this.pending) {
      this.clock.clearTimeout(p.timer);
      p.reject(new HubError(reason, 'the tab holding the connection changed'));
      this.pending.delete(ref);
    }
  }

  _set(state, reason = null) {
    if (this.state === state && this.stateReason === reason) return;
    const previous = this.state;
    this.state = state;
    this.stateReason = reason;
    this.emit('state', { state, reason, previous });
    if (state === 'error' && reason === 'unauthorized' && !this.local) this.emit('unauthorized', reason);
  }

  /** Followers say they are alive; the leader forgets tabs that stopped talking (closed without a goodbye). */
  _tick() {
    this.clock.clearTimeout(this._timer);
    this._timer = this.clock.setTimeout(() => {
      if (this.local) {
        const cutoff = this.clock.now() - 3 * this.pingMs;
        for (const [tab, seen] of this.tabsSeen) if (seen < cutoff) this._dropTab(tab);
      } else if (this.leaderId) {
        this.leader.post({ type: 'ping', to: this.leaderId });
      } else {
        this.leader.post({ type: 'hello' });
      }
      this._tick();
    }, this.pingMs);
  }

  _onMessage(m) {
    if (m.type === 'app') {
      this.emit('app', m.body);
      return;
    }
    if (this.local) this._serve(m);
    else this._follow(m);
  }

  // ---- leader ------------------------------------------------------------------------------------------------

  _becomeLeader() {
    if (this.local) return;
    const local = this.createLocal();
    this.local = local;
    this.leaderId = this.tabId;
    this._rejectPending('leader_changed');
    local.connection.on('state', ({ state, reason }) => {
      this._set(state, reason);
      this.leader.post({ type: 'state', state, reason, ...this._socketInfo() });
    });
    local.connection.on('token', (token) => {
      this._token = token;
      this.emit('token', token);
      this.leader.post({ type: 'token', token });
    });
    local.connection.on('unauthorized', (reason) => this.emit('unauthorized', reason));
    local.pool.on('rate_limited', (info) => this.emit('rate_limited', info));
    for (const proxy of this.proxies.values()) this._bind(proxy);
    if (this._wanted) local.connection.connect();
    this._set(local.connection.state, local.connection.stateReason);
    this.leader.post({ type: 'leader', state: this.state, reason: this.stateReason, token: this.token, ...this._socketInfo() });
    this._tick();
    this.emit('leader');
  }

  _serve(m) {
    const tab = m.from;
    this.tabsSeen.set(tab, this.clock.now());
    const key = `${tab}|${m.hid}`;
    switch (m.type) {
      case 'hello':
        this.leader.post({ type: 'leader', to: tab, state: this.state, reason: this.stateReason, token: this.token, ...this._socketInfo() });
        return;
      case 'reconnect':
        this.local.connection.reconnect();
        return;
      case 'rtt':
        this.local.connection.ping().then((rtt) => this.leader.post({ type: 'rtt_reply', to: tab, ref: m.ref, rtt, ...this._socketInfo() }));
        return;
      case 'attach': {
        const old = this.remote.get(key);
        if (old) old.detach();
        const reply = (type, body) => this.leader.post({ type, to: tab, hid: m.hid, ...body });
        try {
          const a = this.local.pool.attach(m.topic, {
            primary: !!m.primary,
            since: m.since || null,
            listener: {
              message: (event, payload) => reply('event', { event, payload }),
              joined: (r, info) => reply('joined', { reply: r, info }),
              joinError: (e) => reply('join_error', { error: wireError(e) }),
              closed: (reason, e) => {
                this.remote.delete(key);
                reply('closed', { reason, error: e ? wireError(e) : null });
              },
            },
          });
          this.remote.set(key, a);
        } catch (e) {
          reply('closed', { reason: e.reason || 'closed', error: wireError(e) });
        }
        return;
      }
      case 'detach': {
        const a = this.remote.get(key);
        this.remote.delete(key);
        if (a) a.detach();
        return;
      }
      case 'touch': {
        const a = this.remote.get(key);
        if (a) a.touch();
        return;
      }
      case 'push': {
        const a = this.remote.get(key);
        const answer = (body) => this.leader.post({ type: 'reply', to: tab, ref: m.ref, ...body });
        if (!a) {
          answer({ ok: false, error: { reason: 'closed', detail: `${m.hid} is not attached` } });
          return;
        }
        a.push(m.event, m.payload, { timeout: m.timeout }).then(
          (response) => answer({ ok: true, response }),
          (e) => answer({ ok: false, error: wireError(e) }),
        );
        return;
      }
      case 'token':
        if (m.token) this.local.connection.setToken(m.token);
        return;
      case 'bye':
        this._dropTab(tab);
        return;
      default:
    }
  }

  /** What followers show about the socket (the connection dot's details). */
  _socketInfo() {
    const c = this.local && this.local.connection;
    return c ? { transport: c.transport, latencyMs: c.latencyMs, connectedAt: c.connectedAt } : {};
  }

  _leaderSays(m) {
    if ('transport' in m) this._leaderInfo = { transport: m.transport ?? null, latencyMs: m.latencyMs ?? null, connectedAt: m.connectedAt ?? null };
  }

  _dropTab(tab) {
    this.tabsSeen.delete(tab);
    for (const [key, a] of [...this.remote]) {
      if (key.startsWith(`${tab}|`)) {
        this.remote.delete(key);
        a.detach();
      }
    }
  }

  // ---- follower ----------------------------------------------------------------------------------------------

  _follow(m) {
    if (m.type === 'leader') {
      if (m.from !== this.leaderId) {
        this.leaderId = m.from;
        this._rejectPending('leader_changed');
        for (const proxy of this.proxies.values()) this._bind(proxy);
      }
      if (m.token && m.token !== this._token) {
        this._token = m.token;
        this.emit('token', m.token);
      }
      this._leaderSays(m);
      this._set(m.state, m.reason || null);
      return;
    }
    if (m.from !== this.leaderId) return; // a tab that is no longer (or not yet) the leader
    switch (m.type) {
      case 'state':
        this._leaderSays(m);
        this._set(m.state, m.reason || null);
        return;
      case 'rtt_reply': {
        this._leaderSays(m);
        const done = this._pings.get(m.ref);
        this._pings.delete(m.ref);
        if (done) done(m.rtt ?? null);
        return;
      }
      case 'token':
        if (m.token && m.token !== this._token) {
          this._token = m.token;
          this.emit('token', m.token);
        }
        return;
      case 'event': {
        const p = this.proxies.get(m.hid);
        if (p) p._message(m.event, m.payload);
        return;
      }
      case 'joined': {
        const p = this.proxies.get(m.hid);
        if (p) {
          p._joinedRemote = true;
          p._joined(m.reply, m.info);
        }
        return;
      }
      case 'join_error': {
        const p = this.proxies.get(m.hid);
        if (p) p._joinError(toError(m.error));
        return;
      }
      case 'closed': {
        const p = this.proxies.get(m.hid);
        if (p) p._closed(m.reason, m.error ? toError(m.error) : undefined);
        return;
      }
      case 'reply': {
        const p = this.pending.get(m.ref);
        if (!p) return;
        this.pending.delete(m.ref);
        this.clock.clearTimeout(p.timer);
        if (m.ok) p.resolve(m.response);
        else p.reject(toError(m.error));
        return;
      }
      default:
    }
  }
}

/**
 * A tab's hold on a channel when tabs share the socket: backed by a pool attachment in the leader tab, by
 * messages to the leader in the others. It keeps the last position it saw, so that attaching again after a leader
 * change asks the new socket to recover from there.
 */
export class ProxyAttachment {
  constructor(hub, hid, topic, primary, since, listener) {
    this.hub = hub;
    this.hid = hid;
    this.topic = topic;
    this.primary = primary;
    this.listener = listener;
    this.attached = true;
    this.position = since ? { ...since } : null;
    this.backing = null;
    this._joinedRemote = false;
    this._lastTouch = 0;
    this.forwarder = {
      message: (event, payload) => this._message(event, payload),
      joined: (reply, info) => this._joined(reply, info),
      joinError: (error) => this._joinError(error),
      closed: (reason, error) => this._closed(reason, error),
    };
  }

  get joined() {
    if (!this.attached) return false;
    if (this.backing) return this.backing.joined;
    return this._joinedRemote && this.hub.online;
  }

  push(event, payload, options) {
    if (!this.attached) return Promise.reject(new HubError('closed', `${this.topic} was released`));
    if (this.backing) return this.backing.push(event, payload, options);
    return this.hub._remotePush(this, event, payload, options);
  }

  touch() {
    if (this.backing) {
      this.backing.touch();
      return;
    }
    // Every keystroke touches; the leader only needs to hear it now and then.
    const now = this.hub.clock.now();
    if (now - this._lastTouch < 10_000 || !this.hub.leaderId) return;
    this._lastTouch = now;
    this.hub.leader.post({ type: 'touch', to: this.hub.leaderId, hid: this.hid });
  }

  detach() {
    if (!this.attached) return;
    this.attached = false;
    this.hub._unbind(this);
    this.backing = null;
  }

  _message(event, payload) {
    const meta = payload && typeof payload === 'object' ? payload.meta : null;
    if (meta && typeof meta.offset === 'number' && typeof meta.epoch === 'string') {
      this.position = { offset: meta.offset, epoch: meta.epoch };
    }
    if (this.attached && this.listener.message) this.listener.message(event, payload);
  }

  _joined(reply, info) {
    if (reply && !info.recovered && typeof reply.offset === 'number' && typeof reply.epoch === 'string') {
      this.position = { offset: reply.offset, epoch: reply.epoch };
    }
    if (this.attached && this.listener.joined) this.listener.joined(reply, info);
  }

  _joinError(error) {
    if (this.attached && this.listener.joinError) this.listener.joinError(error);
  }

  _closed(reason, error) {
    if (!this.attached) return;
    this.attached = false;
    this.hub.proxies.delete(this.hid);
    this.backing = null;
    if (this.listener.closed) this.listener.closed(reason, error);
  }
}

function wireError(e) {
  return { reason: e && e.reason ? e.reason : 'error', detail: e && e.detail ? e.detail : null, response: e && e.response ? e.response : null };
}

function toError(w) {
  return new HubError(w && w.reason ? w.reason : 'error', w && w.detail ? w.detail : undefined, w && w.response ? w.response : undefined);
}
