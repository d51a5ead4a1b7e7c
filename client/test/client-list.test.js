import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { waitFor } from './support/clock.js';
import { compareClients } from '../src/client-list.js';

const S = 's1';
const TOPIC = `supplier:${S}:clients`;

function row(id, extra = {}) {
  return { couple_id: id, name: id, wedding_ids: [`w-${id}`], status: 'inactive', filling_form_id: null, unread: 0, last_seen_at: null, ...extra };
}

test('compareClients: online first, then filling, then most recently seen, never seen last', () => {
  const rows = [
    row('never'),
    row('seen-old', { status: 'recent', last_seen_at: '2027-01-01T10:00:00Z' }),
    row('online', { status: 'online', last_seen_at: '2027-01-01T09:00:00Z' }),
    row('filling', { status: 'online', filling_form_id: 'f1', last_seen_at: '2027-01-01T08:00:00Z' }),
    row('seen-new', { status: 'recent', last_seen_at: '2027-01-01T11:00:00Z' }),
    row('inactive-seen', { last_seen_at: '2026-12-01T11:00:00Z' }),
  ];
  assert.deepEqual(rows.sort(compareClients).map((r) => r.couple_id),
    ['filling', 'online', 'seen-new', 'seen-old', 'inactive-seen', 'never']);
});

test('the client list: read over HTTP on join, live client:status moves rows, unknown couples reload it', async (t) => {
  const w = world();
  t.after(w.closeAll);
  let rows = [row('c1', { status: 'recent', last_seen_at: '2027-01-01T10:00:00Z' }), row('c2')];
  let reads = 0;
  w.http.route('GET', `/api/v1/suppliers/${S}/clients`, () => {
    reads++;
    return { clients: rows };
  });
  const client = w.make();
  await client.connect();
  const list = client.clients(S);
  const changes = [];
  list.on('change', (r) => changes.push(r.map((x) => `${x.couple_id}:${x.status}`)));
  await waitFor(() => list.loaded, 'loaded after joining');
  assert.deepEqual(w.hub.sent('phx_join', TOPIC).length, 1);
  assert.deepEqual(list.list().map((r) => r.couple_id), ['c1', 'c2']);

  const statuses = [];
  list.on('status', (s) => statuses.push([s.previous.status, s.row.status, s.row.filling_form_id]));
  w.hub.publish(TOPIC, 'client:status', { couple_id: 'c2', status: 'online', filling_form_id: 'f9', unread: 2, last_seen_at: '2027-01-01T12:00:00Z' });
  await waitFor(() => list.get('c2').status === 'online', 'c2 online');
  assert.deepEqual(list.list().map((r) => r.couple_id), ['c2', 'c1'], 'the active client moves to the top');
  assert.equal(list.get('c2').unread, 2);
  assert.deepEqual(statuses, [['inactive', 'online', 'f9']]);

  w.hub.publish(TOPIC, 'client:status', { couple_id: 'c2', status: 'recent', filling_form_id: null, unread: 0, last_seen_at: '2027-01-01T12:05:00Z' });
  await waitFor(() => list.get('c2').status === 'recent', 'c2 went away');
  assert.deepEqual(list.list().map((r) => r.couple_id), ['c2', 'c1'], 'seen more recently than c1');

  rows = [...rows, row('c3', { status: 'online' })];
  w.hub.publish(TOPIC, 'client:status', { couple_id: 'c3', status: 'online', filling_form_id: null, unread: 0, last_seen_at: null });
  await waitFor(() => list.get('c3'), 'a new client is read with the list');
  assert.equal(reads, 2);
  assert.equal(list.list()[0].couple_id, 'c3');
  assert.ok(changes.length >= 4);
  list.close();
});

test('the client list reloads after a rejoin that could not recover, and not after one that did', async (t) => {
  const w = world();
  t.after(w.closeAll);
  let reads = 0;
  w.http.route('GET', `/api/v1/suppliers/${S}/clients`, () => {
    reads++;
    return { clients: [row('c1')] };
  });
  const client = w.make();
  await client.connect();
  const list = client.clients(S);
  const events = [];
  list.on('recovered', () => events.push('recovered'));
  list.on('reloaded', () => events.push('reloaded'));
  await waitFor(() => list.loaded, 'loaded');
  w.hub.publish(TOPIC, 'client:status', { couple_id: 'c1', status: 'online', filling_form_id: null, unread: 0, last_seen_at: null });
  await waitFor(() => list.get('c1').status === 'online', 'online');
  w.hub.dropAll();
  await waitFor(() => events.length === 1, 'rejoined');
  assert.deepEqual(events, ['recovered']);
  assert.equal(reads, 1);
  w.hub.forgetHistory(TOPIC);
  w.hub.dropAll();
  await waitFor(() => events.length === 2, 'rejoined again');
  assert.deepEqual(events, ['recovered', 'reloaded']);
  assert.equal(reads, 2);
  assert.equal(list.get('c1').status, 'inactive', 'what the hub says now');
});
