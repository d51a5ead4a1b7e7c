#!/usr/bin/env node
// Long-poll conformance: the unmodified `phoenix` client forced to its LongPoll transport (the browser fallback when a
// WebSocket cannot open) against a running hub, next to a second user on a WebSocket. Join, presence, broadcast both
// ways, the form events (lock, set, unlock), history recovery on a rejoin, errors, and the clean-up of a session.
//
// Usage: HUB_ENDPOINT=http://127.0.0.1:PORT/realtime/v1 [WS_ENDPOINT=ws://…/realtime/v1] TOKEN_EMMA=… TOKEN_SARAH=…
//        node longpoll-conformance.js
// HUB_ENDPOINT is where the long-poll client goes (in the cluster test: a proxy that alternates between two nodes);
// WS_ENDPOINT where the WebSocket peer goes (default: HUB_ENDPOINT with ws://).
// Prints one PASS/FAIL line per check; exits 0 only if every check passed.
'use strict';

const util = require('node:util');
const WebSocket = require('ws');
const { Socket, LongPoll, Presence } = require('phoenix');

const FORM = '55555555-0000-0000-0000-000000000001';
const EMMA = '11111111-0000-0000-0000-000000000001';
const SARAH = '11111111-0000-0000-0000-000000000006';
const STEP_TIMEOUT_MS = 8000;
const OVERALL_TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS || 60000);

const endpoint = process.env.HUB_ENDPOINT;
const wsEndpoint = process.env.WS_ENDPOINT || (endpoint || '').replace(/^http/, 'ws');
const emmaToken = process.env.TOKEN_EMMA;
const sarahToken = process.env.TOKEN_SARAH;
if (!endpoint || !emmaToken || !sarahToken) {
  console.log('FAIL arguments — set HUB_ENDPOINT, TOKEN_EMMA, TOKEN_SARAH');
  process.exit(3);
}

const { harness, assert, show, sleep, withTimeout } = require('./harness');
const { results, summaryAndExit, watchdog, check } = harness('long-poll conformance', OVERALL_TIMEOUT_MS);

function outcome(push) {
  return new Promise((resolve) => {
    push.receive('ok', (response) => resolve({ status: 'ok', response }))
      .receive('error', (response) => resolve({ status: 'error', response }))
      .receive('timeout', () => resolve({ status: 'timeout' }));
  });
}

/** Every event a channel gets, and a way to wait for one. */
function recorder(channel, events) {
  const seen = [];
  const waiters = [];
  for (const event of events) {
    channel.on(event, (payload) => {
      seen.push({ event, payload });
      for (const w of [...waiters]) {
        if (w.match({ event, payload })) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve({ event, payload });
        }
      }
    });
  }
  return {
    seen,
    waitFor(match, what) {
      const found = seen.find(match);
      if (found) return Promise.resolve(found);
      return withTimeout(new Promise((resolve) => waiters.push({ match, resolve })), STEP_TIMEOUT_MS,
        () => `${what}; seen ${show(seen.map((e) => e.event))}`);
    },
  };
}

function longPollSocket(token) {
  return new Socket(endpoint, {
    transport: LongPoll,
    params: { apikey: token },
    timeout: STEP_TIMEOUT_MS,
    reconnectAfterMs: () => 60000,
    rejoinAfterMs: () => 60000,
  });
}

function webSocket(token) {
  return new Socket(wsEndpoint, {
    transport: WebSocket,
    params: { apikey: token },
    heartbeatIntervalMs: 1000, // the test hubs close a socket silent for 3 s
    timeout: STEP_TIMEOUT_MS,
    reconnectAfterMs: () => 60000,
    rejoinAfterMs: () => 60000,
  });
}

function open(socket) {
  return withTimeout(new Promise((resolve, reject) => {
    socket.onOpen(() => resolve());
    socket.onError((e) => reject(new Error(`socket error ${show(e)}`)));
    socket.connect();
  }), STEP_TIMEOUT_MS, 'the socket to open');
}

const EVENTS = ['broadcast', 'presence_state', 'presence_diff', 'field:locked', 'field:unlocked', 'field:changed',
  'field:saved', 'phx_close', 'system'];

async function main() {
  const topic = `realtime:form:${FORM}`;
  console.log(`long-poll conformance: long-poll client at ${endpoint}, WebSocket peer at ${wsEndpoint}`);
  const lp = longPollSocket(emmaToken);
  const ws = webSocket(sarahToken);

  const opened = await check('the phoenix client opens a LongPoll session (GET …/longpoll → 410 + session token)', async () => {
    await open(lp);
    assert(lp.transport === LongPoll, 'not the LongPoll transport');
    assert(lp.conn && lp.conn.token, `no session token: ${show(lp.conn && lp.conn.token)}`);
    assert(String(lp.conn.pollEndpoint).includes('/realtime/v1/longpoll'), `polls ${lp.conn.pollEndpoint}`);
    await open(ws);
    return `session ${String(lp.conn.token).replace(/\..*/, '.…')}`;
  });
  if (!opened) return;

  const lpChannel = lp.channel(topic, {});
  const lpEvents = recorder(lpChannel, EVENTS);
  const lpPresence = new Presence(lpChannel);
  const wsChannel = ws.channel(topic, {});
  const wsEvents = recorder(wsChannel, EVENTS);
  const wsPresence = new Presence(wsChannel);

  let joinReply = null;
  await check(`join ${topic} over long-poll: ok reply with the history position, then presence_state`, async () => {
    const r = await outcome(lpChannel.join());
    assert(r.status === 'ok', `join replied ${show(r)}`);
    assert(typeof r.response.offset === 'number' && typeof r.response.epoch === 'string', show(r.response));
    joinReply = r.response;
    await lpEvents.waitFor((e) => e.event === 'presence_state', 'presence_state');
    const w = await outcome(wsChannel.join());
    assert(w.status === 'ok', `the WebSocket peer's join replied ${show(w)}`);
  });

  await check('presence: each sees the other, metas stamped by the hub', async () => {
    assert((await outcome(lpChannel.push('presence', { type: 'presence', event: 'track', payload: { status: 'active' } }))).status === 'ok', 'track over long-poll');
    assert((await outcome(wsChannel.push('presence', { type: 'presence', event: 'track', payload: { status: 'active' } }))).status === 'ok', 'track over WebSocket');
    await withTimeout((async () => {
      for (;;) {
        const keys = lpPresence.list((k) => k);
        const wkeys = wsPresence.list((k) => k);
        if (keys.includes(SARAH) && wkeys.includes(EMMA)) return;
        await sleep(50);
      }
    })(), STEP_TIMEOUT_MS, () => `both presences; long-poll sees ${show(lpPresence.list((k) => k))}, WebSocket sees ${show(wsPresence.list((k) => k))}`);
    const sarah = lpPresence.list((k, { metas }) => ({ k, metas })).find((p) => p.k === SARAH);
    assert(sarah.metas[0].user_id === SARAH && sarah.metas[0].name === 'Sarah Jones', show(sarah));
  });

  await check('broadcast: long-poll → WebSocket and back, the sender stamped', async () => {
    lpChannel.push('broadcast', { type: 'broadcast', event: 'cursor', payload: { x: 1 } });
    const got = await wsEvents.waitFor((e) => e.event === 'broadcast' && e.payload.event === 'cursor', 'the broadcast at the WebSocket peer');
    assert(util.isDeepStrictEqual(got.payload.payload, { x: 1 }), show(got.payload));
    assert(got.payload.meta.sender.user_id === EMMA, show(got.payload.meta));
    wsChannel.push('broadcast', { type: 'broadcast', event: 'wave', payload: { y: 2 } });
    const back = await lpEvents.waitFor((e) => e.event === 'broadcast' && e.payload.event === 'wave', 'the broadcast at the long-poll client');
    assert(util.isDeepStrictEqual(back.payload.payload, { y: 2 }), show(back.payload));
  });

  await check('form: lock, set with release, as on a WebSocket — the peer sees locked, changed, unlocked (saved)', async () => {
    const lock = await outcome(lpChannel.push('field:lock', { field: 'venue_name' }));
    assert(lock.status === 'ok' && typeof lock.response.token === 'number', `lock ${show(lock)}`);
    await wsEvents.waitFor((e) => e.event === 'field:locked' && e.payload.field === 'venue_name', 'field:locked');
    const before = await fetchVersion();
    const value = `Grand Hall ${Date.now() % 100000}`;
    const set = await outcome(lpChannel.push('field:set', { field: 'venue_name', value, base_version: before,
      lock_token: lock.response.token, release: true, op_id: `lp-${Date.now()}` }));
    assert(set.status === 'ok' && set.response.status === 'accepted', `set ${show(set)}`);
    const changed = await wsEvents.waitFor((e) => e.event === 'field:changed' && e.payload.value === value, 'field:changed');
    assert(changed.payload.by.user_id === EMMA, show(changed.payload));
    await wsEvents.waitFor((e) => e.event === 'field:unlocked' && e.payload.reason === 'saved', 'field:unlocked saved');
  });

  await check('an unknown event gets one error reply, unknown_event', async () => {
    const r = await outcome(lpChannel.push('no:such:event', {}));
    assert(r.status === 'error' && r.response.reason === 'unknown_event', show(r));
  });

  await check('heartbeat over long-poll: ping round trip', async () => {
    const rtt = await withTimeout(new Promise((resolve, reject) => {
      if (!lp.ping(resolve)) reject(new Error('ping refused: not connected'));
    }), STEP_TIMEOUT_MS, 'the ping reply');
    return `rtt ${rtt} ms`;
  });

  await check('history recovery: leave, miss an event, rejoin with since → recovered, the missed event replayed', async () => {
    const last = lpEvents.seen.filter((e) => e.payload && e.payload.meta && typeof e.payload.meta.offset === 'number')
      .map((e) => e.payload.meta).pop() || { offset: joinReply.offset, epoch: joinReply.epoch };
    await outcome(lpChannel.leave());
    const missed = await outcome(wsChannel.push('form:note', { text: `missed ${Date.now()}`, op_id: `lp-note-${Date.now()}` }));
    assert(missed.status === 'ok', `note ${show(missed)}`);
    const again = lp.channel(topic, { since: { offset: last.offset, epoch: last.epoch } });
    const againEvents = recorder(again, ['form:note']);
    const r = await outcome(again.join());
    assert(r.status === 'ok' && r.response.recovered === true, `rejoin ${show(r)}`);
    await againEvents.waitFor((e) => e.event === 'form:note', 'the missed note, replayed');
  });

  await check('a closed long-poll session is cleaned up like a closed socket: the peer sees the presence leave', async () => {
    lp.disconnect();
    // The hub notices the session is gone when it stops polling (idle close); the test hub's idle timeout is short.
    await withTimeout((async () => {
      for (;;) {
        if (!wsPresence.list((k) => k).includes(EMMA)) return;
        await sleep(100);
      }
    })(), Number(process.env.SESSION_GONE_MS || 15000), () => `Emma to leave; presence ${show(wsPresence.list((k) => k))}`);
  });

  ws.disconnect();
}

async function fetchVersion() {
  const http = endpoint.replace(/\/realtime\/v1$/, '');
  const res = await fetch(`${http}/api/v1/forms/${FORM}`, { headers: { Authorization: `Bearer ${emmaToken}` } });
  const body = await res.json();
  return body.fields.find((f) => f.key === 'venue_name').version;
}

main()
  .then(() => { clearTimeout(watchdog); summaryAndExit(); })
  .catch((e) => {
    clearTimeout(watchdog);
    console.log(`FAIL crashed — ${e && e.stack ? e.stack : e}`);
    results.push({ name: 'crash', ok: false });
    summaryAndExit(3);
  });
