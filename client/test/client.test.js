import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { flush, waitFor } from './support/clock.js';
import { makeToken } from './support/jwt.js';
import { httpUrlFromSocketUrl, NetworkQuality, RealtimeClient } from '../src/index.js';

test('connect: socket URL and params, /me read with the bearer token, primary channels joined', async (t) => {
  const w = world({ userId: 'u7' });
  t.after(w.closeAll);
  w.http.route('GET', '/api/v1/me', () => ({
    user: { id: 'u7', name: 'Sarah' },
    teams: { s1: 'owner', s2: 'viewer' },
    couples: ['c1'],
    weddings: ['w1'],
    channels: [],
  }));
  const client = w.make();
  const states = [];
  client.on('state', (s) => states.push(s.state));
  const me = await client.connect();
  assert.equal(me.user.id, 'u7');
  assert.equal(client.userId, 'u7');
  await waitFor(() => client.state === 'connected', 'connected');
  assert.deepEqual(states, ['connecting', 'connected']);
  const url = new URL(w.hub.opened[0].url);
  assert.equal(url.pathname, '/realtime/v1/websocket');
  assert.equal(url.searchParams.get('apikey'), client.token);
  assert.equal(url.searchParams.get('vsn'), '2.0.0');
  const meRequest = w.http.requests.find((r) => r.path === '/api/v1/me');
  assert.equal(meRequest.url, 'http://hub.test/api/v1/me');
  assert.equal(meRequest.headers.authorization, `Bearer ${client.token}`);
  await waitFor(() => w.hub.sent('phx_join').length === 4, 'primary joins');
  assert.deepEqual(w.hub.sent('phx_join').map((f) => f.topic).sort(), ['couple:c1', 'supplier:s1', 'supplier:s2', 'user:u7']);
  assert.ok(w.hub.sent('phx_join').every((f) => f.payload.access_token === client.token));
  const messages = [];
  client.on('message', (m) => messages.push(`${m.topic} ${m.event}`));
  w.hub.publish('supplier:s1', 'activity', { id: 'x', text: 'hi' });
  await waitFor(() => messages.length === 1, 'primary channel event');
  assert.deepEqual(messages, ['supplier:s1 activity']);
  // Primary channels are never left for idleness.
  await w.clock.advance(10 * 60_000);
  assert.equal(w.hub.sent('phx_leave').length, 0);
});

test('a token is refreshed before it expires and sent on the open socket; HTTP uses the new one', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const exp = Math.floor(w.clock.now() / 1000) + 600;
  let fresh = null;
  const client = w.make({
    token: makeToken({ sub: 'u1', exp }),
    getToken: async ({ reason }) => {
      fresh = makeToken({ sub: 'u1', exp: exp + 3600, reason });
      return fresh;
    },
  });
  const tokens = [];
  client.on('token', (tk) => tokens.push(tk));
  await client.connect();
  await waitFor(() => w.hub.sent('phx_join', 'user:u1').length === 1 && client.state === 'connected', 'joined');
  await flush();
  await w.clock.advance(540_000);
  await waitFor(() => w.hub.sent('access_token').length === 1, 'access_token sent');
  assert.equal(w.hub.sent('access_token')[0].payload.access_token, fresh);
  assert.deepEqual(tokens, [fresh]);
  assert.equal(w.hub.opened.length, 1, 'no reconnect');
  await client.bell().refreshCount().catch(() => {});
  assert.equal(w.http.requests.at(-1).headers.authorization, `Bearer ${fresh}`);
});

test('HTTP: 401 token_expired gets one fresh token and one retry; 401 unauthorized calls onUnauthorized', async (t) => {
  const w = world();
  t.after(w.closeAll);
  let calls = 0;
  const reasons = [];
  const client = w.make({
    getToken: async () => {
      calls++;
      return makeToken({ sub: 'u1', exp: 9_999_999_999, n: calls });
    },
    onUnauthorized: (r) => reasons.push(r),
  });
  let first = true;
  w.http.route('GET', '/api/v1/notifications/unread-count', () => {
    if (first) {
      first = false;
      return { status: 401, body: { error: { code: 'token_expired', message: 'expired' } } };
    }
    return { unread: 4 };
  });
  await client.connect();
  assert.equal(await client.bell().refreshCount(), 4);
  assert.equal(calls, 1);
  w.http.route('GET', '/api/v1/notifications/unread-count', () => ({ status: 401, body: { error: { code: 'unauthorized', message: 'who?' } } }));
  await assert.rejects(client.bell().refreshCount(), (e) => e.reason === 'unauthorized');
  assert.deepEqual(reasons, ['unauthorized']);
});

test('a join refused unauthorized puts the client in error(unauthorized) and asks the app to sign in', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const reasons = [];
  w.hub.joinHook = (ctx) => (ctx.topic.startsWith('user:') ? ctx.error('unauthorized') : undefined);
  const client = w.make({ onUnauthorized: (r) => reasons.push(r) });
  await client.connect();
  await waitFor(() => client.state === 'error', 'error state');
  assert.equal(client.stateReason, 'unauthorized');
  assert.deepEqual(reasons, ['unauthorized']);
  // After signing in again the app hands over a new token and everything comes back.
  w.hub.joinHook = null;
  client.setToken(makeToken({ sub: 'u1', exp: 9_999_999_999, again: true }));
  await waitFor(() => client.state === 'connected', 'connected again');
  await waitFor(() => w.hub.subscribers('user:u1').length === 1, 'primary rejoined');
});

test('connect() without a token asks getToken first; other channels through client.channel()', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const reasons = [];
  const client = w.make({
    token: undefined,
    getToken: async ({ reason }) => {
      reasons.push(reason);
      return makeToken({ sub: 'u1', exp: 9_999_999_999 });
    },
  });
  assert.throws(() => client.form('F'), (e) => e.reason === 'unauthorized');
  await client.connect();
  assert.deepEqual(reasons, ['initial']);
  const ch = client.channel('supplier:s1:clients');
  const statuses = [];
  ch.on('client:status', (p) => statuses.push(p.status));
  await waitFor(() => ch.joined, 'joined');
  w.hub.publish('supplier:s1:clients', 'client:status', { couple_id: 'c1', status: 'online' }, { durable: false });
  await waitFor(() => statuses.length === 1, 'event');
  await ch.broadcast('cursor', { x: 1 });
  assert.deepEqual(w.hub.sent('broadcast')[0].payload, { type: 'broadcast', event: 'cursor', payload: { x: 1 } });
  await ch.track({ viewing: 'client:c1' });
  await waitFor(() => ch.presence.list().length === 1, 'own presence');
  assert.equal(ch.presence.list()[0].self, true);
  ch.release();
});

test('options: the HTTP URL follows the socket URL; long-poll is on by default and can be forced', () => {
  assert.equal(httpUrlFromSocketUrl('ws://127.0.0.1:4000/realtime/v1'), 'http://127.0.0.1:4000');
  assert.equal(httpUrlFromSocketUrl('wss://hub.wedsync.app/realtime/v1/'), 'https://hub.wedsync.app');
  assert.equal(httpUrlFromSocketUrl('wss://x.app/base/realtime/v1/websocket'), 'https://x.app/base');
  assert.throws(() => new RealtimeClient({}), TypeError);
  assert.throws(() => new RealtimeClient({ url: 'ws://h/realtime/v1' }), TypeError);
  const token = makeToken({ sub: 'u1', exp: 9_999_999_999 });
  const a = new RealtimeClient({ url: 'ws://h/realtime/v1', token });
  assert.equal(a.hub.connection.socket.longPollFallbackMs, 2500);
  assert.equal(a.http.baseUrl, 'http://h');
  const b = new RealtimeClient({ url: 'ws://h/realtime/v1', token, transport: 'longpoll' });
  assert.equal(b.hub.connection.socket.transport.name, 'LongPoll');
  assert.equal(b.hub.connection.socket.longPollFallbackMs, undefined);
  const c = new RealtimeClient({ url: 'ws://h/realtime/v1', token, httpUrl: 'http://api.test/' });
  assert.equal(c.http.baseUrl, 'http://api.test');
});

test('slow or metered links are detected from navigator.connection', () => {
  const listeners = [];
  const connection = { effectiveType: '4g', saveData: false, addEventListener: (e, fn) => listeners.push(fn), removeEventListener() {} };
  const n = new NetworkQuality(connection);
  assert.equal(n.constrained, false);
  const changes = [];
  n.on('change', (c) => changes.push(c));
  connection.effectiveType = '2g';
  listeners.forEach((fn) => fn());
  assert.equal(n.constrained, true);
  connection.effectiveType = '4g';
  connection.saveData = true;
  assert.equal(n.constrained, true);
  assert.deepEqual(changes, [true]);
  assert.equal(new NetworkQuality(null).constrained, false, 'no API: not constrained');
});
