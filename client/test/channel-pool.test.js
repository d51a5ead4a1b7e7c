import test from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../src/connection.js';
import { ChannelPool } from '../src/channel-pool.js';
import { FakeHub } from './support/fake-hub.js';
import { FakeClock, flush, waitFor } from './support/clock.js';
import { makeToken } from './support/jwt.js';

function setup({ maxChannels = 50, getToken, token } = {}) {
  const hub = new FakeHub();
  const clock = new FakeClock();
  const connection = new Connection({
    url: 'ws://hub.test/realtime/v1',
    token: token || makeToken({ sub: 'u1', exp: Math.floor(clock.now() / 1000) + 3600 }),
    getToken,
    transport: hub.WebSocket,
    longPollFallbackMs: 0,
    heartbeatIntervalMs: 600_000,
    random: () => 0,
    clock,
  });
  const pool = new ChannelPool({ connection, clock, maxChannels });
  const close = () => {
    pool.close();
    connection.close();
  };
  return { hub, clock, connection, pool, close };
}

function recorder() {
  const log = { events: [], joins: [], closed: [] };
  log.listener = {
    message: (event, payload) => log.events.push([event, payload]),
    joined: (reply, info) => log.joins.push({ reply, info }),
    closed: (reason) => log.closed.push(reason),
  };
  return log;
}

test('joins a bare topic with the join config and token; events arrive once, duplicates are dropped', async (t) => {
  const { hub, connection, pool, close } = setup();
  t.after(close);
  connection.connect();
  const log = recorder();
  const a = pool.attach('form:f1', { listener: log.listener });
  await waitFor(() => log.joins.length === 1, 'join');
  const join = hub.sent('phx_join')[0];
  assert.equal(join.topic, 'form:f1', 'bare channel name, no realtime: prefix');
  assert.deepEqual(join.payload.config, { broadcast: { self: false, ack: true }, presence: { key: '', enabled: true } });
  assert.equal(join.payload.access_token, connection.token);
  assert.equal(join.payload.since, undefined, 'the first join has nothing to recover');
  assert.deepEqual(log.joins[0].info, { rejoin: false, recovered: false });
  assert.equal(a.joined, true);
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 1 });
  const body = hub.publish('form:f1', 'field:saved', { field: 'a', version: 2 });
  // The same durable event again (offset already seen) must not reach the application.
  hub.subscribers('form:f1')[0].deliver([join.joinRef, null, 'form:f1', 'field:saved', body]);
  hub.publish('form:f1', 'field:typing', { field: 'a' }, { durable: false });
  await waitFor(() => log.events.filter(([e]) => e !== 'presence_state').length >= 3, 'events');
  await flush();
  assert.deepEqual(log.events.filter(([e]) => e !== 'presence_state').map(([e, p]) => `${e}:${p.version ?? '-'}`), ['field:saved:1', 'field:saved:2', 'field:typing:-']);
  assert.deepEqual(a.position, { offset: 2, epoch: hub.channel('form:f1').epoch });
});

test('rejoin after a dropped socket sends since and gets the missed events (recovered)', async (t) => {
  const { hub, connection, pool, close } = setup();
  t.after(close);
  connection.connect();
  const log = recorder();
  pool.attach('form:f1', { listener: log.listener });
  await waitFor(() => log.joins.length === 1, 'join');
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 1 });
  await waitFor(() => log.events.some(([e]) => e === 'field:saved'), 'first event');
  hub.accepting = false;
  hub.dropAll();
  await waitFor(() => connection.state === 'reconnecting', 'reconnecting');
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 2 });
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 3 });
  hub.accepting = true;
  await waitFor(() => log.joins.length === 2, 'rejoin');
  const rejoin = hub.sent('phx_join').at(-1);
  assert.deepEqual(rejoin.payload.since, { offset: 1, epoch: hub.channel('form:f1').epoch });
  assert.deepEqual(log.joins[1].info, { rejoin: true, recovered: true });
  await waitFor(() => log.events.filter(([e]) => e === 'field:saved').length === 3, 'missed events');
  assert.deepEqual(log.events.filter(([e]) => e === 'field:saved').map(([, p]) => p.version), [1, 2, 3]);
  assert.equal(connection.state, 'connected');
});

test('a rejoin the hub cannot recover says so and continues from the reply offset', async (t) => {
  const { hub, connection, pool, close } = setup();
  t.after(close);
  connection.connect();
  const log = recorder();
  const a = pool.attach('form:f1', { listener: log.listener });
  await waitFor(() => log.joins.length === 1, 'join');
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 1 });
  await waitFor(() => a.position && a.position.offset === 1, 'position');
  hub.dropAll();
  hub.forgetHistory('form:f1');
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 2 });
  await waitFor(() => log.joins.length === 2, 'rejoin');
  assert.deepEqual(log.joins[1].info, { rejoin: true, recovered: false });
  assert.deepEqual(a.position, { offset: 2, epoch: hub.channel('form:f1').epoch });
});

test('at most 50 channels: the least recently used unheld one goes, then the LRU held non-primary one', async (t) => {
  const { connection, pool, clock, close } = setup();
  t.after(close);
  connection.connect();
  const held = [];
  pool.attach('user:u1', { primary: true });
  for (let i = 0; i < 49; i++) {
    await clock.advance(10);
    held.push(pool.attach(`form:f${i}`, { listener: recorder().listener }));
  }
  assert.equal(pool.size, 50);
  held[5].detach();
  held[3].detach();
  await clock.advance(10);
  const left = [];
  pool.on('left', (e) => left.push(e));
  pool.attach('form:new1');
  assert.equal(pool.size, 50);
  assert.deepEqual(left, [{ topic: 'form:f3', reason: 'evicted' }], 'f3 was let go of earliest');
  pool.attach('form:new2');
  assert.equal(left[1].topic, 'form:f5');
  const closed = [];
  held[0].listener.closed = (reason) => closed.push(reason);
  pool.attach('form:new3');
  assert.equal(left[2].topic, 'form:f0', 'then the least recently used held channel');
  assert.deepEqual(closed, ['evicted'], 'its holder is told');
  assert.equal(pool.topics().includes('user:u1'), true, 'primary channels stay');
  // A pool of primary channels only refuses.
  const small = setup({ maxChannels: 2 });
  t.after(small.close);
  small.pool.attach('user:u1', { primary: true });
  small.pool.attach('supplier:s1', { primary: true });
  assert.throws(() => small.pool.attach('form:x'), (e) => e.reason === 'too_many_channels');
});

test('a channel nobody holds is left after 5 unused minutes; held and primary channels stay', async (t) => {
  const { hub, connection, pool, clock, close } = setup();
  t.after(close);
  connection.connect();
  const a = pool.attach('form:idle');
  pool.attach('form:held');
  const p = pool.attach('user:u1', { primary: true });
  await waitFor(() => hub.sent('phx_join').length === 3, 'joins');
  await waitFor(() => a.joined, 'joined');
  a.detach();
  p.detach();
  await clock.advance(4 * 60_000);
  assert.deepEqual(pool.topics().sort(), ['form:held', 'form:idle', 'user:u1']);
  await clock.advance(60_000);
  assert.deepEqual(pool.topics().sort(), ['form:held', 'user:u1']);
  await waitFor(() => hub.sent('phx_leave').length === 1, 'phx_leave');
  assert.equal(hub.sent('phx_leave')[0].topic, 'form:idle');
  // Used again before the 5 minutes are up: the clock restarts.
  const b = pool.attach('form:again');
  b.detach();
  await clock.advance(3 * 60_000);
  const again = pool.attach('form:again');
  again.detach();
  await clock.advance(3 * 60_000);
  assert.ok(pool.topics().includes('form:again'));
  await clock.advance(2 * 60_000 + 30_000);
  assert.ok(!pool.topics().includes('form:again'));
});

test('rate_limited writes are held for retry_after_ms and resent (same payload); others wait too', async (t) => {
  const { hub, connection, pool, clock, close } = setup();
  t.after(close);
  connection.connect();
  let refused = 0;
  hub.on('field:set', (ctx) => {
    if (refused++ === 0) return ctx.error('rate_limited', { retry_after_ms: 1200 });
    return ctx.ok({ version: refused, status: 'accepted' });
  });
  const a = pool.attach('form:f1');
  await waitFor(() => a.joined, 'joined');
  const states = [];
  connection.on('state', (s) => states.push(s.reason ? `${s.state}(${s.reason})` : s.state));
  const first = a.push('field:set', { field: 'x', value: 1, base_version: 1, op_id: 'op-1' });
  await waitFor(() => refused === 1, 'refusal');
  await flush();
  assert.equal(connection.stateReason, 'rate_limited');
  const second = a.push('field:set', { field: 'x', value: 2, base_version: 1, op_id: 'op-2' });
  await flush();
  assert.equal(hub.sent('field:set').length, 1, 'nothing goes out while rate limited');
  await clock.advance(1200);
  const [r1, r2] = await Promise.all([first, second]);
  assert.equal(r1.status, 'accepted');
  assert.equal(r2.status, 'accepted');
  const sent = hub.sent('field:set').map((f) => f.payload.op_id);
  assert.deepEqual(sent, ['op-1', 'op-1', 'op-2'], 'the refused write went again with the same op_id, in order');
  assert.deepEqual(states, ['error(rate_limited)', 'connected']);
});

test('a refreshed token is sent as access_token on every joined channel, without reconnecting', async (t) => {
  const { hub, connection, pool, close } = setup();
  t.after(close);
  connection.connect();
  const a = pool.attach('form:f1');
  const b = pool.attach('user:u1', { primary: true });
  await waitFor(() => a.joined && b.joined, 'joined');
  const fresh = makeToken({ sub: 'u1', exp: 9_999_999_999 });
  connection.setToken(fresh);
  await waitFor(() => hub.sent('access_token').length === 2, 'access_token pushes');
  assert.deepEqual(hub.sent('access_token').map((f) => f.topic).sort(), ['form:f1', 'user:u1']);
  assert.ok(hub.sent('access_token').every((f) => f.payload.access_token === fresh));
  assert.equal(hub.opened.length, 1, 'no reconnect');
});

test('a subscription the hub ends with token_expired comes back, recovered, once a fresh token is in', async (t) => {
  let calls = 0;
  const { hub, connection, pool, close } = setup({
    getToken: async () => {
      calls++;
      return makeToken({ sub: 'u1', exp: 9_999_999_999, n: calls });
    },
  });
  t.after(close);
  connection.connect();
  const log = recorder();
  const a = pool.attach('form:f1', { listener: log.listener });
  await waitFor(() => a.joined, 'joined');
  hub.publish('form:f1', 'field:saved', { field: 'a', version: 1 });
  await waitFor(() => a.position && a.position.offset === 1, 'event');
  hub.end(hub.subscribers('form:f1')[0], 'form:f1', 'token_expired');
  await waitFor(() => log.joins.length === 2, 'rejoined');
  assert.equal(calls, 1);
  const rejoin = hub.sent('phx_join').at(-1);
  assert.equal(rejoin.payload.access_token, connection.token, 'with the fresh token');
  assert.equal(rejoin.payload.since.offset, 1);
  assert.deepEqual(log.joins[1].info, { rejoin: true, recovered: true });
  assert.equal(connection.state, 'connected');
  assert.ok(log.events.some(([e, p]) => e === 'system' && p.message === 'token_expired'));
});

test('a forbidden join closes the attachment for good', async (t) => {
  const { hub, connection, pool, close } = setup();
  t.after(close);
  hub.joinHook = (ctx) => (ctx.topic === 'form:secret' ? ctx.error('forbidden') : undefined);
  connection.connect();
  const log = recorder();
  pool.attach('form:secret', { listener: log.listener });
  await waitFor(() => log.closed.length === 1, 'closed');
  assert.deepEqual(log.closed, ['forbidden']);
  assert.equal(pool.size, 0);
});
