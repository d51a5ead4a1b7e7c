import test from 'node:test';
import assert from 'node:assert/strict';
import { LongPoll } from 'phoenix';
import { Connection } from '../src/connection.js';
import { FakeSocket } from './support/fake-socket.js';
import { FakeClock, flush } from './support/clock.js';
import { makeToken } from './support/jwt.js';

function setup(options = {}) {
  const clock = new FakeClock();
  const token = options.token || makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 });
  const conn = new Connection({ url: 'ws://hub.test/realtime/v1', token, Socket: FakeSocket, clock, ...options });
  const states = [];
  conn.on('state', (s) => states.push(s.reason ? `${s.state}(${s.reason})` : s.state));
  return { conn, socket: FakeSocket.last, clock, states };
}

test('state machine: connecting → connected → reconnecting → connected → disconnected', () => {
  const { conn, socket, states } = setup();
  assert.equal(conn.state, 'disconnected');
  conn.connect();
  assert.equal(conn.state, 'connecting');
  assert.equal(socket.connects, 1);
  socket.fire('open');
  assert.equal(conn.state, 'connected');
  assert.equal(conn.stateReason, null);
  socket.fire('error', new Error('network'));
  socket.fire('close', { code: 1006 });
  assert.equal(conn.state, 'reconnecting');
  socket.fire('open');
  conn.disconnect();
  assert.equal(conn.state, 'disconnected');
  assert.deepEqual(states, ['connecting', 'connected', 'reconnecting', 'connected', 'disconnected']);
});

test('before the first open, failed attempts stay connecting; a close we asked for is disconnected', () => {
  const { conn, socket, states } = setup();
  conn.connect();
  socket.fire('error', new Error('refused'));
  socket.fire('close', { code: 1006 });
  socket.fire('close', { code: 1006 });
  assert.equal(conn.state, 'connecting');
  socket.fire('open');
  conn.disconnect();
  socket.fire('close', { code: 1000 });
  assert.deepEqual(states, ['connecting', 'connected', 'disconnected']);
});

test('socket options: params is a function of the current token, vsn 2.0.0, backoff and long-poll wiring', () => {
  const random = () => 0.5;
  const { conn, socket } = setup({ random, heartbeatIntervalMs: 25_000 });
  const first = conn.token;
  assert.equal(typeof socket.opts.params, 'function');
  assert.deepEqual(socket.opts.params(), { apikey: first });
  conn.setToken('another');
  assert.deepEqual(socket.opts.params(), { apikey: 'another' }, 'reconnects use the latest token');
  assert.equal(socket.opts.vsn, '2.0.0');
  assert.equal(socket.opts.heartbeatIntervalMs, 25_000);
  assert.equal(socket.opts.reconnectAfterMs(1), 250, 'reconnectAfterMs is the full-jitter backoff');
  assert.equal(socket.opts.rejoinAfterMs(3), 1000, 'so is rejoinAfterMs');
  assert.equal(socket.opts.reconnectAfterMs(50), 15000, 'capped at 30 s');
  assert.equal(socket.opts.longPollFallbackMs, 2500, 'long-poll fallback is on by default');
  assert.equal(socket.opts.transport, undefined, 'the browser WebSocket by default');

  setup({ longPollFallbackMs: 0 });
  assert.equal(FakeSocket.last.opts.longPollFallbackMs, undefined, '0 turns the fallback off');
  setup({ transport: 'longpoll' });
  assert.equal(FakeSocket.last.opts.transport, LongPoll, 'long-poll can be forced');
  assert.equal(FakeSocket.last.opts.longPollFallbackMs, undefined);
  class WS {}
  setup({ transport: WS });
  assert.equal(FakeSocket.last.opts.transport, WS, 'Node passes a WebSocket class (ws)');
});

test('token refresh is scheduled 60 s before exp and the fresh token goes out as a token event', async () => {
  const clock = new FakeClock();
  const exp = Math.floor(clock.now() / 1000) + 3600;
  let calls = 0;
  const fresh = makeToken({ exp: exp + 3600 });
  const getToken = async ({ reason }) => {
    calls++;
    assert.equal(reason, 'expiring');
    return fresh;
  };
  const conn = new Connection({ url: 'ws://h/realtime/v1', token: makeToken({ exp }), getToken, Socket: FakeSocket, clock });
  const tokens = [];
  conn.on('token', (t) => tokens.push(t));
  await clock.advance(3600_000 - 60_000 - 1);
  assert.equal(calls, 0);
  await clock.advance(1);
  assert.equal(calls, 1, 'refreshed 60 s before expiry');
  assert.deepEqual(tokens, [fresh]);
  assert.equal(conn.token, fresh);
  await clock.advance(3600_000 - 1);
  assert.equal(calls, 1, 'the next refresh follows the new token (one hour later)');
  await clock.advance(1);
  assert.equal(calls, 2);
});

test('a short-lived token is refreshed halfway, not in a loop', async () => {
  const clock = new FakeClock();
  const exp = Math.floor(clock.now() / 1000) + 30;
  let calls = 0;
  const conn = new Connection({
    url: 'ws://h/realtime/v1',
    token: makeToken({ exp }),
    getToken: async () => {
      calls++;
      return makeToken({ exp: Math.floor(clock.now() / 1000) + 30 });
    },
    Socket: FakeSocket,
    clock,
  });
  await clock.advance(14_999);
  assert.equal(calls, 0);
  await clock.advance(1);
  assert.equal(calls, 1);
  await clock.advance(15_000);
  assert.equal(calls, 2);
  assert.ok(conn.token);
});

test('token_expired: error(token_expired), a fresh token at once, then connected again (no reconnect)', async () => {
  let calls = 0;
  const { conn, socket, states, clock } = setup({
    getToken: async ({ reason }) => {
      calls++;
      assert.equal(reason, 'token_expired');
      return makeToken({ exp: Math.floor(Date.now() / 1000) + 7200 });
    },
  });
  conn.connect();
  socket.fire('open');
  conn.reportAuthError('token_expired');
  assert.equal(conn.state, 'error');
  assert.equal(conn.stateReason, 'token_expired');
  await flush();
  assert.equal(calls, 1);
  assert.equal(conn.state, 'connected');
  assert.equal(socket.connects, 1, 'the socket was not reopened');
  assert.deepEqual(states, ['connecting', 'connected', 'error(token_expired)', 'connected']);
  assert.ok(clock);
});

test('a failing getToken is retried after refreshRetryMs', async () => {
  let calls = 0;
  const { conn, clock } = setup({
    refreshRetryMs: 5000,
    getToken: async () => {
      calls++;
      if (calls === 1) throw new Error('auth server down');
      return makeToken({ exp: Math.floor(clock.now() / 1000) + 7200 });
    },
  });
  const errors = [];
  conn.on('token_error', (e) => errors.push(e.message));
  conn.refreshToken('token_expired');
  await flush();
  assert.equal(calls, 1);
  assert.deepEqual(errors, ['auth server down']);
  await clock.advance(4999);
  assert.equal(calls, 1);
  await clock.advance(1);
  assert.equal(calls, 2);
});

test('unauthorized: error(unauthorized), onUnauthorized, the socket stops; setToken starts it again', async () => {
  const reasons = [];
  const { conn, socket, states } = setup({ onUnauthorized: (r) => reasons.push(r), getToken: async () => null });
  conn.connect();
  socket.fire('open');
  conn.reportAuthError('unauthorized');
  assert.equal(conn.state, 'error');
  assert.equal(conn.stateReason, 'unauthorized');
  assert.deepEqual(reasons, ['unauthorized']);
  assert.equal(socket.disconnects, 1);
  assert.equal(conn.state, 'error', 'the close that follows keeps the error visible');
  conn.setToken(makeToken({ sub: 'user-1', exp: 9999999999 }));
  assert.equal(conn.state, 'reconnecting', 'it had been connected before');
  assert.equal(socket.connects, 2);
  socket.fire('open');
  assert.equal(conn.state, 'connected');
  // getToken answering null means the session is gone.
  await conn.refreshToken('token_expired');
  assert.equal(conn.stateReason, 'unauthorized');
  assert.deepEqual(states.slice(-1), ['error(unauthorized)']);
});

test('failed connects with a token that has expired locally refresh it; repeated failures ask the HTTP API why', async () => {
  const clock = new FakeClock();
  const expired = makeToken({ exp: Math.floor(clock.now() / 1000) - 10 });
  let calls = 0;
  const conn = new Connection({
    url: 'ws://h/realtime/v1',
    token: expired,
    getToken: async () => {
      calls++;
      return makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 });
    },
    Socket: FakeSocket,
    clock,
  });
  const socket = FakeSocket.last;
  conn.connect();
  socket.fire('close', { code: 1006 });
  assert.equal(conn.stateReason, 'token_expired');
  await flush();
  assert.equal(calls, 1);
  assert.notEqual(conn.token, expired);

  const reasons = [];
  const probed = [];
  const c2 = new Connection({
    url: 'ws://h/realtime/v1',
    token: makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 }),
    Socket: FakeSocket,
    clock,
    onUnauthorized: (r) => reasons.push(r),
    authProbe: async (t) => {
      probed.push(t);
      return 'unauthorized';
    },
  });
  const s2 = FakeSocket.last;
  c2.connect();
  s2.fire('close', { code: 1006 });
  s2.fire('close', { code: 1006 });
  assert.equal(probed.length, 0);
  s2.fire('close', { code: 1006 });
  await flush();
  assert.equal(probed.length, 1, 'asked after the third failed attempt');
  assert.equal(c2.state, 'error');
  assert.equal(c2.stateReason, 'unauthorized');
  assert.deepEqual(reasons, ['unauthorized']);
});

test('rate_limited shows as error(rate_limited) until retry_after_ms has passed', async () => {
  const { conn, socket, clock, states } = setup();
  conn.connect();
  socket.fire('open');
  conn.reportRateLimited(1500);
  assert.equal(conn.state, 'error');
  assert.equal(conn.stateReason, 'rate_limited');
  assert.equal(conn.connected, true, 'the socket is still usable');
  await clock.advance(1499);
  assert.equal(conn.stateReason, 'rate_limited');
  await clock.advance(1);
  assert.equal(conn.state, 'connected');
  assert.deepEqual(states, ['connecting', 'connected', 'error(rate_limited)', 'connected']);
});
