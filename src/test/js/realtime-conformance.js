#!/usr/bin/env node
// Protocol conformance: drives a running hub with the unmodified @supabase/realtime-js client (ws transport).
//
// Usage:
//   node realtime-conformance.js ENDPOINT EMMA_TOKEN EMMA_TOKEN_2 SARAH_TOKEN EMMA_EXPIRED_TOKEN
// or the same through the environment:
//   HUB_ENDPOINT=ws://127.0.0.1:PORT/realtime/v1 TOKEN_EMMA=… TOKEN_EMMA_REFRESH=… TOKEN_SARAH=… \
//   TOKEN_EMMA_EXPIRED=… node realtime-conformance.js
//
// ENDPOINT is what an app gives realtime-js (it appends /websocket itself). EMMA_TOKEN_2 must be a second, different
// valid token for Emma (used for the token refresh); EMMA_EXPIRED_TOKEN an already expired one.
// Prints one PASS/FAIL line per check; exits 0 only if every check passed (1 = some failed, 2 = overall timeout,
// 3 = bad arguments or a crash).
'use strict';

const util = require('node:util');
const WebSocket = require('ws');
const { RealtimeClient } = require('@supabase/realtime-js');

const EMMA = '11111111-0000-0000-0000-000000000001';
const SARAH = '11111111-0000-0000-0000-000000000006';
const FORM = '55555555-0000-0000-0000-000000000001';
const TOPIC = `form:${FORM}`;
const OVERALL_TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS || 30000);
const STEP_TIMEOUT_MS = 5000;

const argv = process.argv.slice(2);
const endpoint = argv[0] || process.env.HUB_ENDPOINT;
const emmaToken = argv[1] || process.env.TOKEN_EMMA;
const emmaToken2 = argv[2] || process.env.TOKEN_EMMA_REFRESH;
const sarahToken = argv[3] || process.env.TOKEN_SARAH;
const expiredToken = argv[4] || process.env.TOKEN_EMMA_EXPIRED;
if (!endpoint || !emmaToken || !emmaToken2 || !sarahToken || !expiredToken) {
  console.log('FAIL arguments — usage: realtime-conformance.js ENDPOINT EMMA_TOKEN EMMA_TOKEN_2 SARAH_TOKEN '
    + 'EMMA_EXPIRED_TOKEN (or HUB_ENDPOINT, TOKEN_EMMA, TOKEN_EMMA_REFRESH, TOKEN_SARAH, TOKEN_EMMA_EXPIRED)');
  process.exit(3);
}

// ---- the test harness (harness.js) ---------------------------------------------------------------------------------

const { harness, assert, show, sleep, withTimeout } = require('./harness');
const { results, summaryAndExit, watchdog, check } = harness('realtime-js conformance', OVERALL_TIMEOUT_MS);

/** An append-only list of things that happened, with waiting on a predicate from a mark. */
class Recorder {
  constructor(label, describe) {
    this.label = label;
    this.items = [];
    this.waiters = [];
    this.describeItem = describe || show;
  }

  add(item) {
    this.items.push(item);
    for (const w of [...this.waiters]) w();
  }

  mark() {
    return this.items.length;
  }

  since(mark) {
    return this.items.slice(mark);
  }

  describe(mark, max = 12) {
    const items = this.since(mark);
    const shown = items.slice(-max).map((i) => this.describeItem(i));
    return items.length === 0 ? 'nothing'
      : `${items.length > max ? `(${items.length - max} earlier omitted) ` : ''}[${shown.join(' | ')}]`;
  }

  waitFor(predicate, { since = 0, timeout = STEP_TIMEOUT_MS, what = 'an event' } = {}) {
    return new Promise((resolve, reject) => {
      let waiter = null;
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new Error(`timed out after ${timeout} ms waiting for ${what}; ${this.label} saw ${this.describe(since)}`));
      }, timeout);
      waiter = () => {
        for (let i = since; i < this.items.length; i++) {
          if (predicate(this.items[i])) {
            clearTimeout(timer);
            this.waiters = this.waiters.filter((w) => w !== waiter);
            resolve(this.items[i]);
            return;
          }
        }
      };
      this.waiters.push(waiter);
      waiter();
    });
  }
}

// ---- instrumented clients ----------------------------------------------------------------------------------------

function toBuffer(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(String(data));
}

function frameRecord(dir, data, isBinary) {
  const bytes = toBuffer(data);
  if (isBinary) return { dir, binary: true, bytes, kind: bytes[0] };
  const text = bytes.toString('utf8');
  let msg = null;
  try {
    msg = JSON.parse(text);
  } catch (e) {
    // left null: reported as raw text
  }
  return { dir, binary: false, text, msg };
}

function describeFrame(f) {
  if (f.binary) {
    return `${f.dir} binary(kind ${f.kind}, ${f.bytes.length} B: ${f.bytes.subarray(0, 48).toString('hex')})`;
  }
  return `${f.dir} ${f.text.length > 220 ? `${f.text.slice(0, 220)}…` : f.text}`;
}

/** A realtime-js client whose ws transport records every frame, connection and close. */
function makeClient(label, token, { authToken = token, options = {} } = {}) {
  const frames = new Recorder(`${label}'s socket`, describeFrame);
  const stats = { constructed: 0, opens: 0, closes: [], errors: [], urls: [], sockets: [] };
  class RecordingWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      stats.constructed++;
      stats.urls.push(String(url));
      stats.sockets.push(this);
      this.on('open', () => stats.opens++);
      this.on('close', (code, reason) => stats.closes.push(`${code} ${reason}`));
      this.on('error', (e) => stats.errors.push(e.message));
      this.on('message', (data, isBinary) => frames.add(frameRecord('in', data, isBinary)));
    }

    send(data, ...rest) {
      frames.add(frameRecord('out', data, typeof data !== 'string'));
      return super.send(data, ...rest);
    }
  }
  const client = new RealtimeClient(endpoint, {
    params: { apikey: token },
    transport: RecordingWebSocket,
    timeout: STEP_TIMEOUT_MS,
    logger: () => {},
    // No reconnect storms while a check is failing: a reconnect would show up as a second construction anyway.
    reconnectAfterMs: () => 60000,
    ...options,
  });
  // What supabase-js does: the user's access token goes into every join and every refresh.
  if (authToken) client.setAuth(authToken);
  return { label, client, frames, stats };
}

/** Records a realtime-js channel's presence and broadcast callbacks. */
function recordChannel(label, channel) {
  const events = new Recorder(label, (e) => (e.kind === 'sync' ? `sync ${show(Object.keys(e.state))}`
    : e.kind === 'broadcast' ? `broadcast ${show(e.msg)}` : `${e.kind} ${e.key}`));
  channel.on('presence', { event: 'sync' }, () => events.add({ kind: 'sync', state: channel.presenceState() }));
  channel.on('presence', { event: 'join' }, (p) => events.add({ kind: 'join', key: p.key, presences: p.newPresences }));
  channel.on('presence', { event: 'leave' }, (p) => events.add({ kind: 'leave', key: p.key, presences: p.leftPresences }));
  channel.on('broadcast', { event: '*' }, (m) => events.add({ kind: 'broadcast', msg: m }));
  return events;
}

function subscribe(channel, timeout = STEP_TIMEOUT_MS) {
  const statuses = [];
  return withTimeout(new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      statuses.push(err ? `${status}: ${err.message}` : status);
      if (status === 'SUBSCRIBED') resolve(status);
      else reject(new Error(`subscribe reported ${statuses.join(', ')}`));
    });
  }), timeout, `SUBSCRIBED (statuses so far: ${statuses.join(', ') || 'none'})`);
}

const isBytes = (payload, expected) => payload instanceof ArrayBuffer
  && Buffer.from(new Uint8Array(payload)).equals(Buffer.from(expected));

// ---- the checks --------------------------------------------------------------------------------------------------

async function main() {
  console.log(`realtime-js conformance against ${endpoint} (topic ${TOPIC})`);
  const A = makeClient('A (Emma)', emmaToken);
  const B = makeClient('B (Sarah)', sarahToken);
  const everyone = [A, B];

  const ca = A.client.channel(TOPIC, { config: { broadcast: { ack: true, self: false }, presence: { key: '' } } });
  const aEvents = recordChannel("A's channel", ca);
  const cb = B.client.channel(TOPIC, { config: { broadcast: { ack: true, self: false } } });
  const bEvents = recordChannel("B's channel", cb);

  const subscribedA = await check('A subscribes to the form channel (SUBSCRIBED)', () => subscribe(ca));
  await check('realtime-js builds the socket URL /realtime/v1/websocket?apikey=…&vsn=2.0.0', () => {
    const url = new URL(A.stats.urls[0]);
    assert(url.pathname === '/realtime/v1/websocket', `path was ${url.pathname}`);
    assert(url.searchParams.get('vsn') === '2.0.0', `vsn was ${url.searchParams.get('vsn')}`);
    assert(url.searchParams.get('apikey') === emmaToken, 'apikey param missing');
  });
  const subscribedB = await check('B subscribes to the form channel (SUBSCRIBED)', () => subscribe(cb));
  if (!subscribedA || !subscribedB) {
    console.log('FAIL cannot continue without both subscriptions');
    results.push({ name: 'setup', ok: false });
    return;
  }

  // -- presence --
  let mark = aEvents.mark();
  await check('presence: A tracks {status:"active", focus:"guest_count"} (reply ok)', async () => {
    const r = await ca.track({ status: 'active', focus: 'guest_count' });
    assert(r === 'ok', `track resolved ${show(r)}`);
    await aEvents.waitFor((e) => e.kind === 'sync' && e.state[EMMA], { since: mark, what: "a sync with A's own key" });
  });

  mark = aEvents.mark();
  await check('presence: B tracks (reply ok) and A gets a join for B', async () => {
    const r = await cb.track({ status: 'idle' });
    assert(r === 'ok', `track resolved ${show(r)}`);
    const join = await aEvents.waitFor((e) => e.kind === 'join' && e.key === SARAH, { since: mark, what: `join ${SARAH}` });
    assert(join.presences.length === 1, `join carried ${show(join.presences)}`);
  });

  await check('presence: A gets a sync whose state has both users, with server-stamped user_id/name/presence_ref', async () => {
    const sync = await aEvents.waitFor((e) => e.kind === 'sync' && e.state[EMMA] && e.state[SARAH],
      { since: mark, what: 'a sync with both user ids as keys' });
    const [emmaMeta] = sync.state[EMMA];
    const [sarahMeta] = sync.state[SARAH];
    assert(sync.state[EMMA].length === 1 && sync.state[SARAH].length === 1, `state ${show(sync.state)}`);
    assert(emmaMeta.user_id === EMMA && emmaMeta.name === 'Emma Wilson', `Emma's meta ${show(emmaMeta)}`);
    assert(emmaMeta.status === 'active' && emmaMeta.focus === 'guest_count', `Emma's meta lost the tracked fields: ${show(emmaMeta)}`);
    assert(sarahMeta.user_id === SARAH && sarahMeta.name === 'Sarah Jones', `Sarah's meta ${show(sarahMeta)}`);
    assert(sarahMeta.status === 'idle', `Sarah's meta ${show(sarahMeta)}`);
    assert(typeof emmaMeta.presence_ref === 'string' && typeof sarahMeta.presence_ref === 'string',
      `metas lack phx_ref (presence_ref): ${show(sync.state)}`);
    assert(Object.keys(sync.state).length === 2, `unexpected keys ${show(Object.keys(sync.state))}`);
  });

  mark = aEvents.mark();
  await check('presence: B cannot spoof identity (tracks user_id=Emma, name=Mallory; A sees Sarah\'s real user_id/name)', async () => {
    const r = await cb.track({ user_id: EMMA, name: 'Mallory', status: 'active' });
    assert(r === 'ok', `track resolved ${show(r)}`);
    const sync = await aEvents.waitFor((e) => e.kind === 'sync' && e.state[SARAH]
      && e.state[SARAH].some((m) => m.status === 'active'), { since: mark, what: "a sync with B's updated meta" });
    assert(sync.state[SARAH].length === 1, `B's key holds ${sync.state[SARAH].length} metas after an update: ${show(sync.state[SARAH])}`);
    const meta = sync.state[SARAH][0];
    assert(meta.user_id === SARAH, `B's meta claims user_id ${meta.user_id}`);
    assert(meta.name === 'Sarah Jones', `B's meta claims name ${meta.name}`);
    const emmaMetas = sync.state[EMMA] || [];
    assert(emmaMetas.length === 1 && emmaMetas[0].name === 'Emma Wilson', `Emma's key now holds ${show(emmaMetas)}`);
    const everMallory = aEvents.since(0).some((e) => e.kind === 'sync'
      && Object.values(e.state).some((metas) => metas.some((m) => m.name === 'Mallory')));
    assert(!everMallory, 'a sync showed the name Mallory');
  });

  mark = aEvents.mark();
  await check('presence: B untracks (reply ok), A gets leave for B; B tracks again and A gets join', async () => {
    const r = await cb.untrack();
    assert(r === 'ok', `untrack resolved ${show(r)}`);
    await aEvents.waitFor((e) => e.kind === 'leave' && e.key === SARAH, { since: mark, what: `leave ${SARAH}` });
    await aEvents.waitFor((e) => e.kind === 'sync' && !e.state[SARAH] && e.state[EMMA], { since: mark, what: 'a sync without Sarah' });
    const again = aEvents.mark();
    const r2 = await cb.track({ status: 'idle' });
    assert(r2 === 'ok', `track resolved ${show(r2)}`);
    await aEvents.waitFor((e) => e.kind === 'join' && e.key === SARAH, { since: again, what: `join ${SARAH}` });
  });

  // -- broadcast, JSON --
  let aMark = aEvents.mark();
  let bMark = bEvents.mark();
  await check('broadcast (JSON): A sends cursor {x:1} with ack and send() resolves "ok"', async () => {
    const r = await ca.send({ type: 'broadcast', event: 'cursor', payload: { x: 1 } });
    assert(r === 'ok', `send resolved ${show(r)} — A's socket saw ${A.frames.describe(Math.max(0, A.frames.mark() - 4))}`);
  });
  await check('broadcast (JSON): B receives {type:"broadcast", event:"cursor", payload:{x:1}}', async () => {
    const got = await bEvents.waitFor((e) => e.kind === 'broadcast' && e.msg.event === 'cursor',
      { since: bMark, what: 'the cursor broadcast' });
    const { type, event, payload } = got.msg;
    assert(util.isDeepStrictEqual({ type, event, payload }, { type: 'broadcast', event: 'cursor', payload: { x: 1 } }),
      `B got ${show(got.msg)}`);
  });
  await check('broadcast (JSON): A (self:false) does not receive its own broadcast', async () => {
    await sleep(300);
    const own = aEvents.since(aMark).filter((e) => e.kind === 'broadcast');
    assert(own.length === 0, `A received ${show(own.map((e) => e.msg))}`);
  });

  const heartbeats = [];
  const C = makeClient('C (Emma, self:true, 500 ms heartbeat)', emmaToken, {
    options: { heartbeatIntervalMs: 500, heartbeatCallback: (status) => heartbeats.push(status) },
  });
  everyone.push(C);
  await check('broadcast (JSON): a channel joined with self:true receives its own broadcast', async () => {
    const cc = C.client.channel(TOPIC, { config: { broadcast: { self: true } } });
    const cEvents = recordChannel("C's channel", cc);
    await subscribe(cc);
    const cMark = cEvents.mark();
    const r = await cc.send({ type: 'broadcast', event: 'echo', payload: { n: 2 } });
    assert(r === 'ok', `send resolved ${show(r)}`);
    const got = await cEvents.waitFor((e) => e.kind === 'broadcast' && e.msg.event === 'echo',
      { since: cMark, what: 'its own echo broadcast' });
    assert(util.isDeepStrictEqual(got.msg.payload, { n: 2 }), `C got ${show(got.msg)}`);
  });

  await check('heartbeat: realtime-js heartbeats (every 500 ms) are answered (heartbeatCallback reports "ok")', async () => {
    const deadline = Date.now() + 3000;
    while (!heartbeats.includes('ok') && Date.now() < deadline) await sleep(50);
    const hb = C.frames.since(0).find((f) => f.dir === 'out' && f.msg && f.msg[2] === 'phoenix' && f.msg[3] === 'heartbeat');
    assert(heartbeats.includes('ok'), `heartbeatCallback saw ${show(heartbeats)}; heartbeat frames: `
      + C.frames.since(0).filter((f) => f.msg && f.msg[2] === 'phoenix').map(describeFrame).join(' | '));
    assert(hb, 'no heartbeat frame was sent');
    assert(!heartbeats.includes('timeout') && C.stats.constructed === 1, `statuses ${show(heartbeats)}, sockets ${C.stats.constructed}`);
    return `statuses ${[...new Set(heartbeats)].join(', ')}`;
  });

  // -- broadcast, binary --
  aMark = aEvents.mark();
  bMark = bEvents.mark();
  const bFrames = B.frames.mark();
  const bytes = [1, 2, 3, 255];
  await check('broadcast (binary): A sends an ArrayBuffer [1,2,3,255] (kind 3) and send() resolves "ok"', async () => {
    const outMark = A.frames.mark();
    const r = await ca.send({ type: 'broadcast', event: 'blob', payload: new Uint8Array(bytes).buffer });
    assert(r === 'ok', `send resolved ${show(r)}`);
    const out = A.frames.since(outMark).find((f) => f.dir === 'out' && f.binary);
    assert(out && out.kind === 3, `A did not send a binary kind-3 frame: ${A.frames.describe(outMark)}`);
  });
  await check('broadcast (binary): B receives an ArrayBuffer with the same bytes (binary kind-4 frame)', async () => {
    const got = await bEvents.waitFor((e) => e.kind === 'broadcast' && e.msg.event === 'blob',
      { since: bMark, what: 'the blob broadcast' });
    const p = got.msg.payload;
    assert(p instanceof ArrayBuffer, `payload is not an ArrayBuffer but ${show(p)}; frames: ${B.frames.describe(bFrames)}`);
    assert(isBytes(p, bytes), `payload bytes ${Buffer.from(new Uint8Array(p)).toString('hex')} != 010203ff`);
    const frame = B.frames.since(bFrames).find((f) => f.dir === 'in' && f.binary);
    assert(frame && frame.kind === 4, `B's frame was not binary kind 4: ${B.frames.describe(bFrames)}`);
  });
  await check('broadcast (binary): A (self:false) does not receive its own binary broadcast', async () => {
    await sleep(200);
    const own = aEvents.since(aMark).filter((e) => e.kind === 'broadcast');
    assert(own.length === 0, `A received ${show(own.map((e) => e.msg))}`);
  });

  // -- token refresh --
  await check('token refresh: setAuth(new token) sends access_token, the hub replies ok, and the socket is not reopened', async () => {
    assert(emmaToken2 !== emmaToken, 'the refresh token must differ from the first one');
    const constructedBefore = A.stats.constructed;
    const opensBefore = A.stats.opens;
    const socketBefore = A.client.socketAdapter.getSocket().conn;
    const frameMark = A.frames.mark();
    await A.client.setAuth(emmaToken2);
    const sent = await A.frames.waitFor((f) => f.dir === 'out' && f.msg && f.msg[3] === 'access_token',
      { since: frameMark, what: 'an outgoing access_token push' });
    assert(sent.msg[4] && sent.msg[4].access_token === emmaToken2, `access_token push carried ${show(sent.msg[4])}`);
    const reply = await A.frames.waitFor((f) => f.dir === 'in' && f.msg && f.msg[3] === 'phx_reply' && f.msg[1] === sent.msg[1],
      { since: frameMark, what: `the phx_reply to access_token ref ${sent.msg[1]}` });
    assert(reply.msg[4] && reply.msg[4].status === 'ok', `access_token reply ${reply.text}`);
    await sleep(500);
    assert(A.stats.constructed === constructedBefore, `a new WebSocket was created (${A.stats.constructed} total)`);
    assert(A.stats.opens === opensBefore && A.stats.opens === 1, `socket opened ${A.stats.opens} times`);
    assert(A.stats.closes.length === 0, `socket closed: ${show(A.stats.closes)}`);
    assert(A.client.socketAdapter.getSocket().conn === socketBefore, 'the socket object changed');
    assert(A.client.isConnected(), 'A is no longer connected');
    const ended = A.frames.since(frameMark).filter((f) => f.dir === 'in' && f.msg
      && (f.msg[3] === 'system' || f.msg[3] === 'phx_close' || f.msg[3] === 'phx_error'));
    assert(ended.length === 0, `the hub ended A's subscription: ${ended.map(describeFrame).join(' | ')}`);
    assert(ca.state === 'joined', `A's channel state is ${ca.state}`);
  });
  bMark = bEvents.mark();
  aMark = aEvents.mark();
  await check('token refresh: broadcasts still flow both ways after setAuth', async () => {
    const r = await ca.send({ type: 'broadcast', event: 'cursor', payload: { x: 2 } });
    assert(r === 'ok', `A's send resolved ${show(r)}`);
    await bEvents.waitFor((e) => e.kind === 'broadcast' && e.msg.event === 'cursor' && e.msg.payload && e.msg.payload.x === 2,
      { since: bMark, what: 'A → B cursor {x:2}' });
    const r2 = await cb.send({ type: 'broadcast', event: 'cursor', payload: { x: 3 } });
    assert(r2 === 'ok', `B's send resolved ${show(r2)}`);
    await aEvents.waitFor((e) => e.kind === 'broadcast' && e.msg.event === 'cursor' && e.msg.payload && e.msg.payload.x === 3,
      { since: aMark, what: 'B → A cursor {x:3}' });
  });

  const Z = makeClient('Z (Emma, refreshes to an expired token)', emmaToken);
  everyone.push(Z);
  await check('token refresh with an expired token: system {status:"error", message:"token_expired"} then phx_close (CLOSED)', async () => {
    const cz = Z.client.channel(TOPIC, { config: { broadcast: { self: false } } });
    const zEvents = new Recorder("Z's channel");
    cz.on('system', {}, (payload) => zEvents.add({ kind: 'system', payload }));
    const statuses = [];
    await withTimeout(new Promise((resolve, reject) => {
      cz.subscribe((status, err) => {
        statuses.push(status);
        zEvents.add({ kind: 'status', status, err });
        if (status === 'SUBSCRIBED') resolve();
        else if (statuses.length === 1) reject(new Error(`subscribe reported ${status}: ${err && err.message}`));
      });
    }), STEP_TIMEOUT_MS, 'SUBSCRIBED');
    const frameMark = Z.frames.mark();
    await Z.client.setAuth(expiredToken);
    const system = await zEvents.waitFor((e) => e.kind === 'system', { what: `a system event; Z's socket saw ${Z.frames.describe(frameMark)}` });
    assert(system.payload.status === 'error' && system.payload.message === 'token_expired', `system payload ${show(system.payload)}`);
    await zEvents.waitFor((e) => e.kind === 'status' && e.status === 'CLOSED', { what: `CLOSED; Z's socket saw ${Z.frames.describe(frameMark)}` });
    const close = Z.frames.since(frameMark).find((f) => f.dir === 'in' && f.msg && f.msg[3] === 'phx_close');
    assert(close, `no phx_close: ${Z.frames.describe(frameMark)}`);
    assert(Z.client.isConnected() && Z.stats.constructed === 1, 'the socket itself should stay open');
  });
  await Z.client.disconnect();

  // -- expired token --
  // The socket itself is admitted with a valid key (as supabase-js does with its anon key); the join carries the
  // expired user token as access_token.
  const X = makeClient('X (expired access token)', emmaToken, { authToken: expiredToken });
  everyone.push(X);
  await check('expired token: joining with an expired access_token reports CHANNEL_ERROR mentioning token_expired/unauthorized', async () => {
    const cx = X.client.channel(TOPIC, { config: { broadcast: { self: false } } });
    const outcome = await withTimeout(new Promise((resolve) => {
      cx.subscribe((status, err) => {
        if (status !== 'CLOSED') resolve({ status, err });
      });
    }), STEP_TIMEOUT_MS, `a subscribe status; X's socket saw ${X.frames.describe(0)}`);
    const joinReplies = () => X.frames.since(0).filter((f) => f.dir === 'in' && f.msg && f.msg[3] === 'phx_reply')
      .map(describeFrame).join(' | ');
    assert(outcome.status === 'CHANNEL_ERROR',
      `subscribe reported ${outcome.status}: the hub accepted a join whose access_token expired 60 s ago (${joinReplies()})`);
    const message = outcome.err ? outcome.err.message : '';
    assert(/token_expired|unauthorized/.test(message),
      `error message ${show(message)} (cause ${show(outcome.err && outcome.err.cause)}) mentions neither token_expired nor unauthorized`);
    return `message: ${message}`;
  });
  await X.client.disconnect();

  await check('expired token: a socket whose apikey is expired is refused and never opens', async () => {
    const Y = makeClient('Y (expired apikey)', expiredToken, { authToken: null });
    everyone.push(Y);
    const cy = Y.client.channel(TOPIC);
    const outcome = await withTimeout(new Promise((resolve) => {
      cy.subscribe((status, err) => resolve({ status, err }));
    }), STEP_TIMEOUT_MS, `a subscribe status; Y's socket errors ${show(Y.stats.errors)}`);
    await Y.client.disconnect();
    assert(Y.stats.opens === 0 && outcome.status !== 'SUBSCRIBED', `the hub accepted the WebSocket upgrade with an apikey that `
      + `expired 60 s ago (opened ${Y.stats.opens} time(s)) and subscribe reported ${outcome.status}`);
    assert(outcome.status === 'CHANNEL_ERROR' || outcome.status === 'TIMED_OUT', `subscribe reported ${outcome.status}`);
    assert(Y.stats.errors.some((e) => /401/.test(e)), `expected an HTTP 401 on the upgrade, got errors ${show(Y.stats.errors)}`);
    return `${outcome.status}; transport error: ${Y.stats.errors[0]}`;
  });

  // -- leaving --
  aMark = aEvents.mark();
  await check('presence: when B unsubscribes, A gets leave for B and a sync without B', async () => {
    const r = await cb.unsubscribe();
    assert(r === 'ok', `unsubscribe resolved ${show(r)}`);
    const leave = await aEvents.waitFor((e) => e.kind === 'leave' && e.key === SARAH, { since: aMark, what: `leave ${SARAH}` });
    assert(leave.presences.length === 1 && leave.presences[0].user_id === SARAH, `leave carried ${show(leave.presences)}`);
    await aEvents.waitFor((e) => e.kind === 'sync' && !e.state[SARAH] && e.state[EMMA],
      { since: aMark, what: 'a sync without Sarah (and still with Emma)' });
  });

  for (const [how, drop] of [
    ['disconnects (clean close)', (client) => client.client.disconnect()],
    ['connection drops abruptly (TCP reset, no close frame)', (client) => client.stats.sockets.at(-1).terminate()],
  ]) {
    const D = makeClient(`D (Sarah, ${how})`, sarahToken);
    everyone.push(D);
    await check(`presence: when a client ${how}, A gets leave and a sync without it`, async () => {
      const cd = D.client.channel(TOPIC);
      let m = aEvents.mark();
      await subscribe(cd);
      const r = await cd.track({ status: 'active' });
      assert(r === 'ok', `track resolved ${show(r)}`);
      await aEvents.waitFor((e) => e.kind === 'sync' && e.state[SARAH], { since: m, what: "a sync with D's presence" });
      m = aEvents.mark();
      await drop(D);
      await aEvents.waitFor((e) => e.kind === 'leave' && e.key === SARAH, { since: m, what: `leave ${SARAH}` });
      await aEvents.waitFor((e) => e.kind === 'sync' && !e.state[SARAH] && e.state[EMMA],
        { since: m, what: 'a sync without Sarah' });
    });
    await D.client.disconnect();
  }

  await Promise.all(everyone.map((c) => withTimeout(c.client.disconnect(), 2000, 'disconnect').catch(() => {})));
}

main()
  .then(() => {
    clearTimeout(watchdog);
    summaryAndExit();
  })
  .catch((e) => {
    clearTimeout(watchdog);
    console.log(`FAIL crashed — ${e && e.stack ? e.stack : e}`);
    results.push({ name: 'crash', ok: false });
    summaryAndExit(3);
  });
