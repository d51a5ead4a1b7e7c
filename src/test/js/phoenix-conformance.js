#!/usr/bin/env node
// Protocol conformance: drives a running hub with the unmodified `phoenix` JavaScript client (ws transport).
//
// Usage:
//   node phoenix-conformance.js ENDPOINT EMMA_TOKEN SARAH_TOKEN
// or the same through the environment:
//   HUB_ENDPOINT=ws://127.0.0.1:PORT/realtime/v1 TOKEN_EMMA=… TOKEN_SARAH=… node phoenix-conformance.js
//
// ENDPOINT is what an app gives `new Socket(…)` (phoenix appends /websocket and ?…&vsn=…).
// Prints one PASS/FAIL line per check; exits 0 only if every check passed (1 = some failed, 2 = overall timeout,
// 3 = bad arguments or a crash).
'use strict';

const util = require('node:util');
const WebSocket = require('ws');
const { Socket, Presence } = require('phoenix');

const EMMA = '11111111-0000-0000-0000-000000000001';
const SARAH = '11111111-0000-0000-0000-000000000006';
const FORM = '55555555-0000-0000-0000-000000000001';
const OVERALL_TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS || 30000);
const STEP_TIMEOUT_MS = 5000;
const HEARTBEAT_MS = 500;

const argv = process.argv.slice(2);
const endpoint = argv[0] || process.env.HUB_ENDPOINT;
const emmaToken = argv[1] || process.env.TOKEN_EMMA;
const sarahToken = argv[2] || process.env.TOKEN_SARAH;
if (!endpoint || !emmaToken || !sarahToken) {
  console.log('FAIL arguments — usage: phoenix-conformance.js ENDPOINT EMMA_TOKEN SARAH_TOKEN '
    + '(or HUB_ENDPOINT, TOKEN_EMMA, TOKEN_SARAH)');
  process.exit(3);
}

// ---- the test harness (harness.js) ---------------------------------------------------------------------------------

const { harness, assert, show, sleep, withTimeout } = require('./harness');
const { results, summaryAndExit, watchdog, check } = harness('phoenix conformance', OVERALL_TIMEOUT_MS);

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

// ---- instrumented sockets ----------------------------------------------------------------------------------------

function toBuffer(data) {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(new Uint8Array(data));
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(String(data));
}

/** A frame as seen on the wire; `m` is the message normalised from either vsn ({topic, event, payload, ref, join_ref}). */
function frameRecord(dir, data, isBinary) {
  const bytes = toBuffer(data);
  if (isBinary) return { dir, binary: true, bytes, kind: bytes[0] };
  const text = bytes.toString('utf8');
  let raw = null;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    // left null: reported as raw text
  }
  let m = null;
  if (Array.isArray(raw) && raw.length === 5) {
    m = { join_ref: raw[0], ref: raw[1], topic: raw[2], event: raw[3], payload: raw[4], shape: 'array' };
  } else if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
    m = { ...raw, shape: 'object' };
  }
  return { dir, binary: false, text, m };
}

function describeFrame(f) {
  if (f.binary) {
    return `${f.dir} binary(kind ${f.kind}, ${f.bytes.length} B: ${f.bytes.subarray(0, 48).toString('hex')})`;
  }
  return `${f.dir} ${f.text.length > 220 ? `${f.text.slice(0, 220)}…` : f.text}`;
}

/** A phoenix Socket whose ws transport records every frame, connection and close. */
function makeSocket(label, token, extra = {}) {
  const frames = new Recorder(`${label}'s socket`, describeFrame);
  const stats = { constructed: 0, opens: 0, closes: [], errors: [], urls: [] };
  class RecordingWebSocket extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      stats.constructed++;
      stats.urls.push(String(url));
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
  const socket = new Socket(endpoint, {
    params: { apikey: token },
    transport: RecordingWebSocket,
    heartbeatIntervalMs: HEARTBEAT_MS,
    timeout: STEP_TIMEOUT_MS,
    reconnectAfterMs: () => 60000, // a reconnect would be a failure here; never storm
    rejoinAfterMs: () => 60000,
    ...extra,
  });
  return { label, socket, frames, stats };
}

function connect(s) {
  return withTimeout(new Promise((resolve, reject) => {
    s.socket.onOpen(() => resolve());
    s.socket.onError((e) => reject(new Error(`socket error: ${e && e.message ? e.message : show(e)}; ws errors ${show(s.stats.errors)}`)));
    s.socket.connect();
  }), STEP_TIMEOUT_MS, `${s.label} to open`);
}

/** Resolves {status, response} of a Push ('ok' | 'error' | 'timeout'). */
function outcome(push) {
  return new Promise((resolve) => {
    push.receive('ok', (response) => resolve({ status: 'ok', response }))
      .receive('error', (response) => resolve({ status: 'error', response }))
      .receive('timeout', () => resolve({ status: 'timeout' }));
  });
}

/** Records a phoenix channel's events and its Presence (created before joining, as apps do). */
function instrumentChannel(label, channel) {
  const events = new Recorder(label, (e) => `${e.event} ${show(e.payload)}`);
  for (const event of ['broadcast', 'presence_state', 'presence_diff', 'phx_close', 'phx_error', 'system']) {
    channel.on(event, (payload) => events.add({ event, payload }));
  }
  const presence = new Presence(channel);
  const presenceEvents = new Recorder(`${label} presence`, (e) => `${e.kind} ${e.key || ''}`);
  presence.onSync(() => presenceEvents.add({ kind: 'sync', list: presence.list((key, { metas }) => ({ key, metas })) }));
  presence.onJoin((key) => presenceEvents.add({ kind: 'join', key }));
  presence.onLeave((key, current, left) => presenceEvents.add({ kind: 'leave', key, left }));
  return { channel, events, presence, presenceEvents };
}

// ---- the checks --------------------------------------------------------------------------------------------------

async function main() {
  const prefixedTopic = `realtime:form:${FORM}`;
  const bareTopic = `form:${FORM}`;
  console.log(`phoenix conformance against ${endpoint} (topics ${prefixedTopic} and ${bareTopic})`);

  const P1 = makeSocket('P1 (Emma, vsn 2.0.0)', emmaToken);
  const P2 = makeSocket('P2 (Sarah, vsn 2.0.0)', sarahToken);
  const sockets = [P1, P2];

  await check('phoenix builds ENDPOINT/websocket?apikey=…&vsn=2.0.0', () => {
    const url = new URL(P1.socket.endPointURL());
    assert(url.pathname === '/realtime/v1/websocket', `path was ${url.pathname}`);
    assert(url.searchParams.get('vsn') === '2.0.0', `vsn was ${url.searchParams.get('vsn')}`);
    assert(url.searchParams.get('apikey') === emmaToken, 'apikey param missing');
  });
  const connected = await check('both sockets connect', async () => {
    await connect(P1);
    await connect(P2);
  });
  if (!connected) return;

  const c1 = instrumentChannel("P1's channel", P1.socket.channel(prefixedTopic, {}));
  const c2 = instrumentChannel("P2's channel", P2.socket.channel(bareTopic, {}));

  await check(`P1 joins ${prefixedTopic} with {} and gets an ok reply (topic echoed as sent)`, async () => {
    const r = await outcome(c1.channel.join());
    assert(r.status === 'ok', `join replied ${show(r)}; frames ${P1.frames.describe(0)}`);
  });
  await check(`P2 joins ${bareTopic} (no realtime: prefix) and gets an ok reply`, async () => {
    const r = await outcome(c2.channel.join());
    assert(r.status === 'ok', `join replied ${show(r)}; frames ${P2.frames.describe(0)}`);
  });
  await check('presence_state is pushed after each join', async () => {
    await c1.events.waitFor((e) => e.event === 'presence_state', { what: "P1's presence_state" });
    await c2.events.waitFor((e) => e.event === 'presence_state', { what: "P2's presence_state" });
  });

  // -- broadcast --
  let m1 = c1.events.mark();
  let m2 = c2.events.mark();
  await check('broadcast: P1 pushes {type:"broadcast", event:"ping", payload:{n:1}} and P2 receives it', async () => {
    c1.channel.push('broadcast', { type: 'broadcast', event: 'ping', payload: { n: 1 } });
    const got = await c2.events.waitFor((e) => e.event === 'broadcast', { since: m2, what: 'the broadcast on P2' });
    const { type, event, payload } = got.payload;
    assert(util.isDeepStrictEqual({ type, event, payload }, { type: 'broadcast', event: 'ping', payload: { n: 1 } }),
      `P2 got ${show(got.payload)}`);
    const frame = P2.frames.since(0).find((f) => f.dir === 'in' && f.m && f.m.event === 'broadcast');
    assert(frame && frame.m.topic === bareTopic, `P2's broadcast frame did not carry P2's topic: ${frame && frame.text}`);
  });
  await check('broadcast: P1 (no self) does not receive its own broadcast', async () => {
    await sleep(300);
    const own = c1.events.since(m1).filter((e) => e.event === 'broadcast');
    assert(own.length === 0, `P1 received ${show(own)}`);
  });

  // -- heartbeat --
  await check(`heartbeat: the socket's own heartbeat (every ${HEARTBEAT_MS} ms) gets phx_reply {status:"ok", response:{}} on topic phoenix`, async () => {
    const mark = P1.frames.mark();
    const hb = await P1.frames.waitFor((f) => f.dir === 'out' && f.m && f.m.topic === 'phoenix' && f.m.event === 'heartbeat',
      { since: mark, timeout: HEARTBEAT_MS * 4, what: 'an outgoing heartbeat' });
    const reply = await P1.frames.waitFor((f) => f.dir === 'in' && f.m && f.m.ref === hb.m.ref && f.m.event === 'phx_reply',
      { since: mark, timeout: HEARTBEAT_MS * 2, what: `the reply to heartbeat ref ${hb.m.ref}` });
    assert(reply.m.topic === 'phoenix', `reply topic ${reply.m.topic}`);
    assert(util.isDeepStrictEqual(reply.m.payload, { status: 'ok', response: {} }), `reply payload ${show(reply.m.payload)}`);
  });
  await check('heartbeat: socket.ping() gets a round trip', async () => {
    const rtt = await withTimeout(new Promise((resolve, reject) => {
      if (!P1.socket.ping(resolve)) reject(new Error('ping() refused: socket not connected'));
    }), STEP_TIMEOUT_MS, 'the ping reply');
    return `rtt ${rtt} ms`;
  });
  await check('heartbeat: the socket stays up across several heartbeat rounds (no heartbeat timeout, no reconnect)', async () => {
    await sleep(HEARTBEAT_MS * 3);
    assert(P1.stats.constructed === 1 && P1.stats.opens === 1, `P1 opened ${P1.stats.opens} connection(s)`);
    assert(P1.stats.closes.length === 0, `P1 closed: ${show(P1.stats.closes)}`);
    assert(P1.socket.isConnected(), 'P1 is not connected');
  });

  // -- errors --
  await check('an unknown event gets an error reply with reason "unknown_event"', async () => {
    const r = await outcome(c1.channel.push('no_such_event', { x: 1 }));
    assert(r.status === 'error' && r.response && r.response.reason === 'unknown_event', `reply ${show(r)}`);
  });
  await check('joining form:not-a-uuid gets an error reply with reason "not_found"', async () => {
    const bad = P1.socket.channel('form:not-a-uuid', {});
    const r = await outcome(bad.join());
    bad.leave();
    assert(r.status === 'error' && r.response && r.response.reason === 'not_found', `reply ${show(r)}`);
  });

  // -- presence --
  let p1 = c1.presenceEvents.mark();
  let p2 = c2.presenceEvents.mark();
  await check('presence: both clients push presence track {status:"active"} and get ok replies', async () => {
    const [r1, r2] = await Promise.all([
      outcome(c1.channel.push('presence', { type: 'presence', event: 'track', payload: { status: 'active' } })),
      outcome(c2.channel.push('presence', { type: 'presence', event: 'track', payload: { status: 'active' } })),
    ]);
    assert(r1.status === 'ok' && r2.status === 'ok', `replies ${show([r1, r2])}`);
  });
  await check('presence: each sees the other in Presence.list() with server-stamped user_id/name and phx_ref', async () => {
    const sees = (list, key) => list.find((p) => p.key === key);
    await c1.presenceEvents.waitFor((e) => e.kind === 'sync' && sees(e.list, SARAH) && sees(e.list, EMMA),
      { since: p1, what: 'a sync listing Sarah and Emma on P1' });
    await c2.presenceEvents.waitFor((e) => e.kind === 'sync' && sees(e.list, EMMA) && sees(e.list, SARAH),
      { since: p2, what: 'a sync listing Emma and Sarah on P2' });
    const list1 = c1.presence.list((key, { metas }) => ({ key, metas }));
    const list2 = c2.presence.list((key, { metas }) => ({ key, metas }));
    const sarah = sees(list1, SARAH).metas;
    const emma = sees(list2, EMMA).metas;
    assert(sarah.length === 1 && sarah[0].user_id === SARAH && sarah[0].name === 'Sarah Jones'
      && sarah[0].status === 'active' && typeof sarah[0].phx_ref === 'string', `P1 sees Sarah as ${show(sarah)}`);
    assert(emma.length === 1 && emma[0].user_id === EMMA && emma[0].name === 'Emma Wilson'
      && emma[0].status === 'active' && typeof emma[0].phx_ref === 'string', `P2 sees Emma as ${show(emma)}`);
    assert(list1.length === 2 && list2.length === 2, `lists ${show(list1.map((p) => p.key))} / ${show(list2.map((p) => p.key))}`);
  });
  p1 = c1.presenceEvents.mark();
  await check('presence: when P2 leaves the channel (ok reply), P1 sees Sarah leave', async () => {
    const r = await outcome(c2.channel.leave());
    assert(r.status === 'ok', `leave replied ${show(r)}`);
    await c1.presenceEvents.waitFor((e) => e.kind === 'leave' && e.key === SARAH, { since: p1, what: 'Sarah to leave' });
    const list = c1.presence.list((key) => key);
    assert(!list.includes(SARAH) && list.includes(EMMA), `P1's list is ${show(list)}`);
  });

  // -- vsn 1.0.0 --
  const P3 = makeSocket('P3 (Sarah, vsn 1.0.0)', sarahToken, {
    vsn: '1.0.0',
    encode: (msg, callback) => callback(JSON.stringify(msg)),
    decode: (raw, callback) => callback(JSON.parse(raw)),
  });
  sockets.push(P3);
  let c3 = null;
  await check('vsn 1.0.0: JSON-object frames: connect (vsn=1.0.0 in the URL), join with an ok reply as an object frame', async () => {
    assert(new URL(P3.socket.endPointURL()).searchParams.get('vsn') === '1.0.0', `URL ${P3.socket.endPointURL()}`);
    await connect(P3);
    c3 = instrumentChannel("P3's channel", P3.socket.channel(prefixedTopic, { config: { broadcast: { ack: true } } }));
    const r = await outcome(c3.channel.join());
    assert(r.status === 'ok', `join replied ${show(r)}; frames ${P3.frames.describe(0)}`);
    const arrays = P3.frames.since(0).filter((f) => f.dir === 'in' && (!f.m || f.m.shape !== 'object'));
    assert(arrays.length === 0, `non-object frames on a vsn 1.0.0 socket: ${arrays.map(describeFrame).join(' | ')}`);
  });
  if (c3) {
    await check('vsn 1.0.0: heartbeat / ping works', async () => {
      const rtt = await withTimeout(new Promise((resolve, reject) => {
        if (!P3.socket.ping(resolve)) reject(new Error('ping() refused: socket not connected'));
      }), STEP_TIMEOUT_MS, () => `the ping reply; frames ${P3.frames.describe(0)}`);
      return `rtt ${rtt} ms`;
    });
    m1 = c1.events.mark();
    const m3 = c3.events.mark();
    await check('vsn 1.0.0: broadcasts cross between a vsn 2.0.0 and a vsn 1.0.0 client both ways (ack → ok reply)', async () => {
      c1.channel.push('broadcast', { type: 'broadcast', event: 'ping', payload: { n: 2 } });
      const got = await c3.events.waitFor((e) => e.event === 'broadcast', { since: m3, what: 'P1 → P3 broadcast' });
      assert(util.isDeepStrictEqual(got.payload.payload, { n: 2 }) && got.payload.event === 'ping', `P3 got ${show(got.payload)}`);
      const r = await outcome(c3.channel.push('broadcast', { type: 'broadcast', event: 'pong', payload: { n: 3 } }));
      assert(r.status === 'ok', `P3's acked broadcast replied ${show(r)}`);
      const back = await c1.events.waitFor((e) => e.event === 'broadcast' && e.payload.event === 'pong',
        { since: m1, what: 'P3 → P1 broadcast' });
      assert(util.isDeepStrictEqual(back.payload.payload, { n: 3 }), `P1 got ${show(back.payload)}`);
    });
  }

  for (const s of sockets) s.socket.disconnect();
  await sleep(100);
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
