import { decodeJwt } from '../../src/jwt.js';

/**
 * An in-process stand-in for the hub's socket side that speaks Phoenix v2 array frames to the REAL phoenix Socket
 * through a fake WebSocket class (`hub.WebSocket`, given as the client's `transport`). It does what the library
 * relies on: join replies with recovered/offset/epoch and replay after `since`, durable events with `meta`,
 * replies to every ref, `system` + `phx_close`, presence_state/diff, and scriptable handlers per event.
 */
export class FakeHub {
  constructor() {
    /** @type {Set<any>} open sockets */
    this.sockets = new Set();
    /** every socket ever opened, in order */
    this.opened = [];
    this.accepting = true;
    /** @type {any[]} every frame a client sent */
    this.frames = [];
    /** @type {Map<string, (ctx: any) => any>} */
    this.handlers = new Map();
    /** @type {Map<string, {offset: number, epoch: string, history: any[], presence: Record<string, {metas: any[]}>}>} */
    this.channels = new Map();
    /** @type {((ctx: any) => any) | null} may answer a join itself (e.g. an error) */
    this.joinHook = null;
    this._epochs = 0;
    this._refs = 0;
    const hub = this;

    this.WebSocket = class FakeWebSocket {
      constructor(url) {
        this.url = url;
        this.readyState = 0;
        this.bufferedAmount = 0;
        this.params = Object.fromEntries(new URL(url).searchParams);
        this.subs = new Map();
        this.token = this.params.apikey || this.params.token || null;
        const claims = decodeJwt(this.token) || {};
        this.user = { user_id: claims.sub || null, name: claims.name || claims.sub || null };
        setImmediate(() => {
          if (this.readyState !== 0) return;
          if (!hub.accepting) {
            this.readyState = 3;
            if (this.onerror) this.onerror({ type: 'error' });
            if (this.onclose) this.onclose({ code: 1006 });
            return;
          }
          this.readyState = 1;
          hub.sockets.add(this);
          hub.opened.push(this);
          if (this.onopen) this.onopen();
        });
      }

      send(data) {
        if (this.readyState !== 1) throw new Error('socket not open');
        const [joinRef, ref, topic, event, payload] = JSON.parse(data);
        setImmediate(() => {
          if (this.readyState === 1) hub._receive(this, { joinRef, ref, topic, event, payload });
        });
      }

      close(code = 1000) {
        if (this.readyState === 3) return;
        this.readyState = 3;
        hub._gone(this);
        setImmediate(() => this.onclose && this.onclose({ code, wasClean: true }));
      }

      /** The server pushes a frame to this socket. */
      deliver(frame) {
        if (this.readyState !== 1) return;
        const text = JSON.stringify(frame);
        setImmediate(() => {
          if (this.readyState === 1 && this.onmessage) this.onmessage({ data: text });
        });
      }

      /** The connection breaks (network gone, node killed). */
      drop() {
        if (this.readyState === 3) return;
        this.readyState = 3;
        hub._gone(this);
        setImmediate(() => this.onclose && this.onclose({ code: 1006, wasClean: false }));
      }
    };
  }

  /** @param {string} topic */
  channel(topic) {
    let ch = this.channels.get(topic);
    if (!ch) {
      ch = { offset: 0, epoch: `ep${++this._epochs}`, history: [], presence: {} };
      this.channels.set(topic, ch);
    }
    return ch;
  }

  /** The channel loses its history (a restarted hub): the next rejoin is not recovered. */
  forgetHistory(topic) {
    const ch = this.channel(topic);
    ch.epoch = `ep${++this._epochs}`;
    ch.history = [];
  }

  /** @param {string} event @param {(ctx: any) => any} handler */
  on(event, handler) {
    this.handlers.set(event, handler);
    return this;
  }

  /** Frames clients sent with this event (optionally on this topic). */
  sent(event, topic) {
    return this.frames.filter((f) => f.event === event && (!topic || f.topic === topic));
  }

  /** Sockets currently joined to `topic`. */
  subscribers(topic) {
    return [...this.sockets].filter((ws) => ws.subs.has(topic));
  }

  /**
   * Publishes an event on a channel to its subscribers; durable events get `meta {offset, epoch}` and history.
   * @param {string} topic
   * @param {string} event
   * @param {any} payload
   * @param {{durable?: boolean, except?: any}} [options]
   */
  publish(topic, event, payload, { durable = true, except = null } = {}) {
    const ch = this.channel(topic);
    let body = payload;
    if (durable) {
      ch.offset++;
      body = { ...payload, meta: { offset: ch.offset, epoch: ch.epoch } };
      ch.history.push({ event, payload: body });
    }
    for (const ws of this.sockets) {
      if (ws !== except && ws.subs.has(topic)) ws.deliver([ws.subs.get(topic), null, topic, event, body]);
    }
    return body;
  }

  /** The hub ends a subscription: `system` error, then `phx_close`. */
  end(ws, topic, reason) {
    const joinRef = ws.subs.get(topic);
    ws.subs.delete(topic);
    ws.deliver([null, null, topic, 'system', { status: 'error', message: reason, detail: reason, extension: 'system', channel: topic }]);
    ws.deliver([joinRef, null, topic, 'phx_close', {}]);
  }

  /** Every open socket breaks. */
  dropAll() {
    for (const ws of [...this.sockets]) ws.drop();
  }

  _gone(ws) {
    this.sockets.delete(ws);
    for (const topic of ws.subs.keys()) this._untrack(ws, topic);
    ws.subs.clear();
  }

  _reply(ws, f, status, response) {
    ws.deliver([f.joinRef, f.ref, f.topic, 'phx_reply', { status, response }]);
  }

  _receive(ws, f) {
    this.frames.push({ ...f, ws });
    if (f.topic === 'phoenix') {
      if (f.event === 'heartbeat') this._reply(ws, f, 'ok', {});
      return;
    }
    if (f.event === 'phx_join') return this._join(ws, f);
    if (f.event === 'phx_leave') {
      const joinRef = ws.subs.get(f.topic);
      this._untrack(ws, f.topic);
      ws.subs.delete(f.topic);
      this._reply(ws, f, 'ok', {});
      if (joinRef) ws.deliver([joinRef, null, f.topic, 'phx_close', {}]);
      return;
    }
    if (!ws.subs.has(f.topic)) {
      this._reply(ws, f, 'error', { reason: 'not_found', detail: `not joined to ${f.topic}` });
      return;
    }
    const ctx = this._ctx(ws, f);
    if (f.event === 'access_token') {
      const handler = this.handlers.get('access_token');
      const result = handler ? handler(ctx) : undefined;
      if (result === undefined) {
        ws.token = f.payload.access_token;
        this._reply(ws, f, 'ok', {});
      } else if (result !== null) this._reply(ws, f, result.status, result.response);
      return;
    }
    if (f.event === 'presence' && !this.handlers.has('presence')) return this._presence(ws, f);
    const handler = this.handlers.get(f.event);
    const result = handler ? handler(ctx) : undefined;
    if (result === null) return;
    if (result && typeof result.then === 'function') {
      result.then((r) => this._answer(ws, f, r));
      return;
    }
    this._answer(ws, f, result);
  }

  _answer(ws, f, result) {
    if (result === null) return;
    if (result === undefined) this._reply(ws, f, 'ok', {});
    else if (result.status === 'ok' || result.status === 'error') this._reply(ws, f, result.status, result.response);
    else this._reply(ws, f, 'ok', result);
  }

  _ctx(ws, f) {
    return {
      hub: this,
      ws,
      user: ws.user,
      topic: f.topic,
      event: f.event,
      payload: f.payload,
      ok: (response = {}) => ({ status: 'ok', response }),
      error: (reason, extra = {}) => ({ status: 'error', response: { reason, detail: reason, ...extra } }),
    };
  }

  _join(ws, f) {
    const ctx = this._ctx(ws, f);
    const hooked = this.joinHook ? this.joinHook(ctx) : undefined;
    if (hooked && hooked.status === 'error') {
      this._reply(ws, f, 'error', hooked.response);
      return;
    }
    if (f.payload && f.payload.access_token) ws.token = f.payload.access_token;
    const ch = this.channel(f.topic);
    const since = f.payload && f.payload.since;
    let recovered = false;
    let replay = [];
    if (since && since.epoch === ch.epoch && since.offset <= ch.offset) {
      const oldest = ch.history.length ? ch.history[0].payload.meta.offset : ch.offset + 1;
      if (since.offset >= oldest - 1) {
        recovered = true;
        replay = ch.history.filter((e) => e.payload.meta.offset > since.offset);
      }
    }
    ws.subs.set(f.topic, f.joinRef);
    this._reply(ws, f, 'ok', { postgres_changes: [], recovered, offset: ch.offset, epoch: ch.epoch });
    for (const e of replay) ws.deliver([f.joinRef, null, f.topic, e.event, e.payload]);
    const state = {};
    for (const [key, { metas }] of Object.entries(ch.presence)) state[key] = { metas: metas.map(publicMeta) };
    ws.deliver([f.joinRef, null, f.topic, 'presence_state', state]);
  }

  _presence(ws, f) {
    const ch = this.channel(f.topic);
    const key = ws.user.user_id;
    const ref = `r${++this._refs}`;
    const leaves = {};
    const joins = {};
    const mine = (ch.presence[key] && ch.presence[key].metas.filter((m) => m._ws === ws.url + ws.params.apikey)) || [];
    if (mine.length) leaves[key] = { metas: mine.map(publicMeta) };
    const others = ((ch.presence[key] && ch.presence[key].metas) || []).filter((m) => !mine.includes(m));
    if (f.payload.event === 'track') {
      const meta = { ...f.payload.payload, user_id: ws.user.user_id, name: ws.user.name, phx_ref: ref, online_at: Date.now(), _ws: ws.url + ws.params.apikey };
      ch.presence[key] = { metas: [...others, meta] };
      joins[key] = { metas: [publicMeta(meta)] };
    } else if (others.length) ch.presence[key] = { metas: others };
    else delete ch.presence[key];
    this._reply(ws, f, 'ok', {});
    this.publish(f.topic, 'presence_diff', { joins, leaves }, { durable: false });
  }

  _untrack(ws, topic) {
    const ch = this.channels.get(topic);
    const key = ws.user.user_id;
    if (!ch || !ch.presence[key]) return;
    const mine = ch.presence[key].metas.filter((m) => m._ws === ws.url + ws.params.apikey);
    if (!mine.length) return;
    const rest = ch.presence[key].metas.filter((m) => !mine.includes(m));
    if (rest.length) ch.presence[key] = { metas: rest };
    else delete ch.presence[key];
    this.publish(topic, 'presence_diff', { joins: {}, leaves: { [key]: { metas: mine.map(publicMeta) } } }, { durable: false });
  }
}

function publicMeta(m) {
  const { _ws, ...rest } = m;
  return rest;
}
