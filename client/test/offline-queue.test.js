import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { flush, waitFor } from './support/clock.js';
import { OfflineQueue, MemoryStorage } from '../src/offline-queue.js';

const FIELDS = [
  { key: 'name', type: 'text', value: 'Emma', version: 3 },
  { key: 'guests', type: 'number', value: 100, version: 1 },
  { key: 'vegan', type: 'checkbox', value: false, version: 1 },
  { key: 'speech', type: 'textarea', value: 'Hello all', version: 1 },
  { key: 'shots', type: 'list', value: [], version: 1 },
];

test('the queue keeps entries in storage, in order, with a count and count events', () => {
  const storage = new MemoryStorage();
  const q = new OfflineQueue({ storage, key: 'k', idGenerator: (() => { let i = 0; return () => `q${++i}`; })() });
  const counts = [];
  q.on('count', (n) => counts.push(n));
  q.add({ form_id: 'F', event: 'field:set', payload: { field: 'a', value: 1, op_id: 'o1' } });
  q.add({ form_id: 'G', event: 'form:note', payload: { text: 'hi', op_id: 'o2' } });
  q.add({ form_id: 'F', event: 'field:set', payload: { field: 'b', value: 2, op_id: 'o3' } });
  assert.equal(q.count, 3);
  assert.deepEqual(q.forForm('F').map((e) => e.payload.op_id), ['o1', 'o3']);
  assert.deepEqual(q.forms(), ['F', 'G']);
  const again = new OfflineQueue({ storage, key: 'k' });
  assert.equal(again.count, 3, 'another instance on the same storage sees them (a reload)');
  q.remove(['q1']);
  assert.equal(again.count, 2);
  assert.deepEqual(counts, [1, 2, 3, 2]);
  storage.setItem('k', '{not json');
  assert.equal(q.count, 0, 'a corrupt entry does not break the page');
});

async function offlineEdits(w, client) {
  const session = client.form('F');
  await session.ready;
  await flush();
  w.hub.accepting = false;
  w.hub.dropAll();
  await waitFor(() => !session.online && client.state === 'reconnecting', 'offline');
  return session;
}

test('offline changes are queued in order and replayed through sync on reconnect, each outcome reported', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const client = w.make();
  await client.connect();
  const counts = [];
  client.on('queue', (n) => counts.push(n));
  const session = await offlineEdits(w, client);
  session.input('guests', 120);
  await w.clock.advance(200);
  session.input('vegan', true);
  session.input('speech', 'Hello all!');
  await w.clock.advance(500);
  session.input('speech', 'Hello all!!');
  await w.clock.advance(500);
  const note = await session.addNote('offline note');
  assert.deepEqual(note, { queued: true });
  session.appendItem('shots', { text: 'Cake' }, 'cake');
  assert.equal(client.queuedCount, 5, 'two text edits of one field are one queued op');
  assert.deepEqual(counts, [1, 2, 3, 4, 5]);
  assert.equal(session.value('guests'), 120, 'queued values show');
  assert.equal(session.value('speech'), 'Hello all!!');
  assert.equal(w.hub.sent('field:set').length, 0);

  const outcomes = [];
  client.on('synced', (r) => outcomes.push(`${r.event}:${r.result}`));
  w.hub.accepting = true;
  await waitFor(() => client.queuedCount === 0, 'queue drained');
  await waitFor(() => outcomes.length === 5, 'outcomes');
  assert.deepEqual(outcomes, ['field:set:applied', 'field:set:applied', 'field:text:applied', 'form:note:applied', 'field:list:applied']);
  const sync = w.hub.sent('sync');
  assert.equal(sync.length, 2, 'field ops in one sync, the list op after the note in another');
  assert.deepEqual(sync[0].payload.ops.map((o) => o.event), ['field:set', 'field:set', 'field:text']);
  assert.deepEqual(sync[0].payload.ops[2].payload.ops, [9, '!!']);
  const server = w.forms.forms.get('F').fields;
  assert.equal(server.get('guests').value, 120);
  assert.equal(server.get('vegan').value, true);
  assert.equal(server.get('speech').value, 'Hello all!!');
  assert.deepEqual(server.get('shots').value, [{ text: 'Cake', id: 'cake' }]);
  assert.equal(w.forms.forms.get('F').notes.length, 1);
  await waitFor(() => session.field('speech').version === 2 && !session.field('speech').pending, 'settled');
  assert.equal(session.value('speech'), 'Hello all!!');
  assert.equal(counts.at(-1), 0);
});

test('a reload loses nothing: a new client on the same storage replays the queue with per-op outcomes', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const first = w.make();
  await first.connect();
  const session = await offlineEdits(w, first);
  session.input('guests', 130);
  await w.clock.advance(200);
  session.input('name', 'Emily');
  await w.clock.advance(500);
  session.input('vegan', true);
  assert.equal(first.queuedCount, 3);
  // The page goes away while offline (its socket with it).
  await first.close();
  // Meanwhile someone else changed the name, and the vegan op was already applied once (e.g. by another tab).
  w.forms.remoteSet('F', 'name', 'Emmy');
  const queued = w.storage.getItem('wedsync-realtime:queue:u1');
  const vegan = JSON.parse(queued).find((e) => e.payload.field === 'vegan');
  w.forms.replies.set(`u1|${vegan.payload.op_id}`, { version: 9, status: 'accepted' });
  w.forms.validate = (ctx, op) => (op.payload.value === 130 ? ctx.error('invalid', { field: 'guests', detail: 'too many' }) : undefined);

  w.hub.accepting = true;
  const second = w.make();
  assert.equal(second.queuedCount, 3, 'the new page finds the queue');
  const outcomes = [];
  second.on('synced', (r) => outcomes.push({ field: r.field, result: r.result, reason: r.reason, current: r.current }));
  await second.connect();
  await waitFor(() => outcomes.length === 3, 'outcomes');
  assert.deepEqual(outcomes.map((o) => `${o.field}:${o.result}`), ['guests:rejected', 'name:conflict', 'vegan:duplicate']);
  assert.equal(outcomes[0].reason, 'invalid');
  assert.equal(outcomes[1].current.value, 'Emmy', 'the conflict carries the current value');
  assert.equal(second.queuedCount, 0);
});

test('a form opened offline after a reload shows the queued edits over the stored values', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const first = w.make();
  await first.connect();
  const session = await offlineEdits(w, first);
  session.input('guests', 140);
  session.input('speech', 'Hello all, friends');
  await first.close();
  const second = w.make();
  await second.connect();
  const reopened = second.form('F');
  await w.clock.advance(1500);
  await reopened.ready;
  assert.equal(reopened.value('guests'), 140);
  assert.equal(reopened.value('speech'), 'Hello all, friends');
  assert.equal(reopened.field('guests').pending, true);
  w.hub.accepting = true;
  await waitFor(() => second.queuedCount === 0, 'replayed by the session');
  await waitFor(() => reopened.field('guests').version === 2 && !reopened.field('guests').pending, 'acknowledged');
  assert.equal(w.forms.forms.get('F').fields.get('guests').value, 140);
  await waitFor(() => w.forms.forms.get('F').fields.get('speech').value === 'Hello all, friends', 'text replayed');
});

test('a write refused rate_limited is retried after retry_after_ms', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const client = w.make();
  await client.connect();
  const session = client.form('F');
  await session.ready;
  await flush();
  let limited = 0;
  w.forms.validate = (ctx) => (limited++ === 0 ? ctx.error('rate_limited', { retry_after_ms: 2000 }) : undefined);
  const states = [];
  client.on('state', (s) => states.push(s.reason ? `${s.state}(${s.reason})` : s.state));
  const limits = [];
  client.on('rate_limited', (e) => limits.push(e.retryAfterMs));
  session.input('vegan', true);
  await waitFor(() => limits.length === 1, 'refused');
  assert.equal(session.value('vegan'), true, 'the value stays while it waits');
  await w.clock.advance(1999);
  assert.equal(w.hub.sent('field:set').length, 1);
  await w.clock.advance(1);
  await waitFor(() => session.field('vegan').version === 2, 'accepted on retry');
  assert.equal(w.hub.sent('field:set').length, 2);
  assert.equal(w.hub.sent('field:set')[0].payload.op_id, w.hub.sent('field:set')[1].payload.op_id);
  assert.deepEqual(states, ['error(rate_limited)', 'connected']);
});
