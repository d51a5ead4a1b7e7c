import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { flush, waitFor } from './support/clock.js';
import { fakeTabEnvironment } from './support/fake-tabs.js';
import { TabLeader } from '../src/tab-leader.js';

const FIELDS = [
  { key: 'guests', type: 'number', value: 100, version: 1 },
  { key: 'vegan', type: 'checkbox', value: false, version: 1 },
  { key: 'speech', type: 'textarea', value: 'Hi', version: 1 },
];

function tabs(t, names) {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const env = fakeTabEnvironment();
  const clients = names.map((tabId) => w.make({ shareAcrossTabs: true, tabs: { ...env, tabId } }));
  return { w, env, clients };
}

test('leader election: one tab holds the lock; the next one takes over when it goes away', async () => {
  const env = fakeTabEnvironment();
  const a = new TabLeader({ name: 'x', ...env, tabId: 'a' });
  const b = new TabLeader({ name: 'x', ...env, tabId: 'b' });
  const got = [];
  a.on('leader', () => got.push('a'));
  b.on('leader', () => got.push('b'));
  a.start();
  b.start();
  await flush();
  assert.deepEqual(got, ['a']);
  const heard = [];
  a.on('message', (m) => heard.push(m));
  b.post({ type: 'hello', n: 1 });
  b.post({ type: 'direct', to: 'someone-else' });
  await flush();
  assert.deepEqual(heard.map((m) => [m.type, m.from]), [['hello', 'b']], 'messages meant for another tab are not delivered');
  a.stop();
  await flush();
  assert.deepEqual(got, ['a', 'b']);
  b.stop();
});

test('tabs share one socket: the follower pushes through the leader and sees every change at once', async (t) => {
  const { w, clients: [a, b] } = tabs(t, ['A', 'B']);
  await a.connect();
  await b.connect();
  await waitFor(() => a.isLeader && a.state === 'connected' && b.state === 'connected', 'connected');
  assert.equal(b.isLeader, false);
  assert.equal(w.hub.opened.length, 1, 'one socket for both tabs');

  const sa = a.form('F');
  const sb = b.form('F');
  await sa.ready;
  await sb.ready;
  await flush();
  assert.equal(w.hub.sent('phx_join', 'form:F').length, 1, 'one channel for both tabs');
  assert.equal(w.hub.sent('phx_join', 'user:u1').length, 1, 'primary channels are shared too');

  sb.input('vegan', true);
  await waitFor(() => sb.field('vegan').version === 2, 'follower write acknowledged');
  assert.equal(w.hub.sent('field:set').length, 1);
  assert.equal(w.hub.sent('field:set')[0].ws, w.hub.opened[0], 'sent on the leader tab socket');
  await waitFor(() => sa.value('vegan') === true, 'the leader tab shows it');

  sa.input('guests', 150);
  await w.clock.advance(200);
  await waitFor(() => sb.value('guests') === 150, 'the follower tab shows the leader tab change');
  assert.equal(sb.field('guests').version, 2);

  // A follower's text edit goes through the leader too and both tabs converge.
  sb.input('speech', 'Hi there');
  await w.clock.advance(500);
  await waitFor(() => sa.value('speech') === 'Hi there' && sb.field('speech').version === 2, 'text in both tabs');
});

test('when the leader tab closes, another tab takes over the socket and the others follow it', async (t) => {
  const { w, clients: [a, b, c] } = tabs(t, ['A', 'B', 'C']);
  await a.connect();
  await b.connect();
  await c.connect();
  await waitFor(() => a.state === 'connected' && b.state === 'connected' && c.state === 'connected', 'connected');
  const sb = b.form('F');
  const sc = c.form('F');
  await sb.ready;
  await sc.ready;
  sb.input('vegan', true);
  await waitFor(() => sc.value('vegan') === true, 'c sees b');
  assert.equal(w.hub.opened.length, 1);

  const leaders = [];
  b.on('leader', () => leaders.push('B'));
  c.on('leader', () => leaders.push('C'));
  await a.close();
  await waitFor(() => leaders.length === 1, 'a new leader');
  assert.deepEqual(leaders, ['B'], 'the next tab in line');
  await waitFor(() => w.hub.opened.length === 2 && b.state === 'connected' && c.state === 'connected', 'new socket');
  await waitFor(() => sc.online && sb.online, 'both sessions joined again');
  const rejoin = w.hub.sent('phx_join', 'form:F').at(-1);
  assert.equal(rejoin.ws, w.hub.opened[1]);
  assert.ok(rejoin.payload.since, 'rejoined with the position the tabs had seen');

  sc.input('guests', 175);
  await w.clock.advance(200);
  await waitFor(() => sb.value('guests') === 175 && sc.field('guests').version === 2, 'c writes through the new leader');
  assert.equal(w.hub.sent('field:set').at(-1).ws, w.hub.opened[1]);
  assert.equal(w.hub.subscribers('form:F').length, 1, 'still one subscription for all tabs');
});

test('a follower tab that dies without a goodbye is forgotten, and its channels go idle', async (t) => {
  const { w, clients: [a, b] } = tabs(t, ['A', 'B']);
  await a.connect();
  await b.connect();
  await waitFor(() => a.state === 'connected' && b.state === 'connected', 'connected');
  const sb = b.form('F');
  await sb.ready;
  await waitFor(() => sb.online, 'joined');
  const pool = a.hub.local.pool;
  assert.equal(pool.entries.get('form:F').attachments.size, 1, 'held for tab B');
  // Tab B crashes: its channel to the other tabs is gone, nothing is said.
  b.hub.leader.stop();
  b.hub.clock.clearTimeout(b.hub._timer);
  await flush();
  await w.clock.advance(5000 * 4 + 1);
  assert.equal(pool.entries.get('form:F').attachments.size, 0, 'the leader let go of it');
  await w.clock.advance(5 * 60_000 + 30_000);
  assert.equal(pool.entries.has('form:F'), false, 'left after five unused minutes');
});

test('a follower tab shows the shared socket in connectionInfo, pings and reconnects through the leader', async (t) => {
  const { w, clients: [a, b] } = tabs(t, ['A', 'B']);
  await a.connect();
  await b.connect();
  await waitFor(() => a.isLeader && a.state === 'connected' && b.state === 'connected', 'connected');
  const leaderInfo = a.connectionInfo();
  assert.equal(leaderInfo.shared, true);
  assert.equal(leaderInfo.leader, true);
  assert.equal(leaderInfo.transport, 'websocket');
  await waitFor(() => b.connectionInfo().transport === 'websocket', 'the follower heard which transport');
  assert.equal(b.connectionInfo().leader, false);
  assert.equal(b.connectionInfo().state, 'connected');

  const rtt = await b.ping();
  assert.equal(typeof rtt, 'number', 'measured by the tab holding the socket');
  assert.equal(b.connectionInfo().latencyMs, rtt);
  assert.equal(w.hub.sent('heartbeat').length >= 1, true);

  b.reconnect();
  await waitFor(() => w.hub.opened.length === 2 && a.state === 'connected' && b.state === 'connected', 'the leader opened a new socket');
  assert.equal(w.hub.sockets.size, 1, 'still one socket');
});
