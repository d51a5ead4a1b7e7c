import test from 'node:test';
import assert from 'node:assert/strict';
import { Connection } from '../src/connection.js';
import { browserOnlineStatus } from '../src/network.js';
import { FakeSocket } from './support/fake-socket.js';
import { FakeClock, flush } from './support/clock.js';
import { makeToken } from './support/jwt.js';
import { world } from './support/setup.js';
import { waitFor } from './support/clock.js';

/** A window with navigator.onLine and online/offline events, as a browser has. */
class FakeWindow {
  constructor() {
    this.navigator = { onLine: true };
    this.listeners = { online: new Set(), offline: new Set() };
  }

  addEventListener(type, fn) {
    this.listeners[type].add(fn);
  }

  removeEventListener(type, fn) {
    this.listeners[type].delete(fn);
  }

  go(online) {
    this.navigator.onLine = online;
    for (const fn of this.listeners[online ? 'online' : 'offline']) fn();
  }
}

function setup(win) {
  const clock = new FakeClock();
  const token = makeToken({ exp: Math.floor(clock.now() / 1000) + 3600 });
  const conn = new Connection({ url: 'ws://hub.test/realtime/v1', token, Socket: FakeSocket, clock, onlineStatus: browserOnlineStatus(win) });
  const states = [];
  conn.on('state', (s) => states.push(s.reason ? `${s.state}(${s.reason})` : s.state));
  return { conn, socket: FakeSocket.last, clock, states };
}

test('offline: the socket is closed and not retried; back online it reconnects at once', () => {
  const win = new FakeWindow();
  const { conn, socket, states } = setup(win);
  conn.connect();
  socket.fire('open');
  win.go(false);
  assert.equal(conn.state, 'reconnecting');
  assert.equal(conn.stateReason, 'offline');
  assert.equal(socket.disconnects, 1, 'closed: nothing gets through anyway');
  socket.fire('close', { code: 1000 });
  assert.equal(conn.stateReason, 'offline', 'the close we asked for changes nothing');
  win.go(true);
  assert.equal(socket.connects, 2, 'reconnects the moment the network is back');
  socket.fire('open');
  assert.deepEqual(states, ['connecting', 'connected', 'reconnecting(offline)', 'reconnecting', 'connected']);
  conn.close();
  assert.equal(win.listeners.online.size + win.listeners.offline.size, 0, 'close() stops watching');
});

test('a connection started offline waits for the network', () => {
  const win = new FakeWindow();
  win.navigator.onLine = false;
  const { conn, socket, states } = setup(win);
  conn.connect();
  assert.equal(socket.connects, 0);
  assert.equal(conn.state, 'connecting');
  assert.equal(conn.stateReason, 'offline');
  win.go(true);
  assert.equal(socket.connects, 1);
  socket.fire('open');
  assert.deepEqual(states, ['connecting', 'connecting(offline)', 'connecting', 'connected']);
});

test('reconnect() opens a new socket now; ping() measures a heartbeat; transport says which', async () => {
  const { conn, socket, clock } = setup(null);
  conn.connect();
  socket.fire('open');
  assert.equal(conn.transport, 'websocket');
  assert.equal(conn.connectedAt, clock.now());
  conn.reconnect();
  assert.equal(socket.disconnects, 1);
  assert.equal(socket.connects, 2);
  assert.equal(conn.state, 'reconnecting');
  socket.fire('open');
  assert.equal(conn.state, 'connected');
  assert.equal(await conn.ping(), null, 'a socket without ping answers null');
  socket.ping = (cb) => {
    setImmediate(() => cb(42));
    return true;
  };
  assert.equal(await conn.ping(), 42);
  assert.equal(conn.latencyMs, 42);
  socket.ping = () => true; // never answered
  const late = conn.ping();
  await clock.advance(10_000);
  assert.equal(await late, null);
  assert.equal(conn.latencyMs, 42, 'a lost ping keeps the last measure');
});

test('the client: connectionInfo, ping and reconnect against the fake hub', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const client = w.make();
  await client.connect();
  await waitFor(() => client.state === 'connected', 'connected');
  const info = client.connectionInfo();
  assert.equal(info.state, 'connected');
  assert.equal(info.transport, 'websocket');
  assert.equal(info.shared, false);
  assert.equal(info.leader, true);
  assert.equal(typeof info.connectedAt, 'number');
  const rtt = await client.ping();
  assert.equal(typeof rtt, 'number');
  assert.equal(client.connectionInfo().latencyMs, rtt);
  const before = w.hub.opened.length;
  client.reconnect();
  await waitFor(() => w.hub.opened.length === before + 1 && client.state === 'connected', 'a new socket');
  await flush();
});
