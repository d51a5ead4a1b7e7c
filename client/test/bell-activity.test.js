import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { flush, waitFor } from './support/clock.js';

function notification(id, extra = {}) {
  return { id, type: 'note_added', title: `n${id}`, body: null, data: {}, priority: 'normal', read: false, read_at: null, created_at: 'now', ...extra };
}

function bellRoutes(http, state) {
  http.route('GET', '/api/v1/notifications', (req) => {
    state.queries.push(req.query);
    let list = state.items;
    if (req.query.unread === 'true') list = list.filter((n) => !n.read);
    if (req.query.type) list = list.filter((n) => req.query.type.split(',').includes(n.type));
    const start = req.query.cursor ? Number(req.query.cursor) : 0;
    const limit = Number(req.query.limit || 20);
    const page = list.slice(start, start + limit);
    return { notifications: page, next_cursor: start + limit < list.length ? String(start + limit) : null, unread: state.items.filter((n) => !n.read).length };
  });
  http.route('POST', /^\/api\/v1\/notifications\/([^/]+)\/(read|unread)$/, (req) => {
    if (state.fail) return { status: 503, body: { error: { code: 'unavailable', message: 'db down' } } };
    const n = state.items.find((x) => x.id === req.params[1]);
    n.read = req.params[2] === 'read';
    return { id: n.id, read: n.read, unread: state.items.filter((x) => !x.read).length };
  });
  http.route('POST', '/api/v1/notifications/read-all', () => {
    const updated = state.items.filter((n) => !n.read).length;
    for (const n of state.items) n.read = true;
    return { updated, unread: 0 };
  });
  http.route('DELETE', '/api/v1/notifications', () => {
    const deleted = state.items.length;
    state.items = [];
    return { deleted, unread: 0 };
  });
}

test('the bell: first page, cursor paging, filters, live notifications and counts', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const state = { items: [1, 2, 3, 4, 5].map((i) => notification(String(i), { type: i % 2 ? 'mention' : 'note_added', read: i > 3 })), queries: [] };
  bellRoutes(w.http, state);
  const client = w.make();
  await client.connect();
  const bell = client.bell({ limit: 2 });
  const counts = [];
  bell.on('count', (n) => counts.push(n));
  await waitFor(() => bell.loaded, 'loaded after joining user:u1');
  assert.deepEqual(bell.items.map((n) => n.id), ['1', '2']);
  assert.equal(bell.unread, 3);
  assert.equal(bell.hasMore, true);
  await bell.loadMore();
  assert.deepEqual(bell.items.map((n) => n.id), ['1', '2', '3', '4']);
  assert.equal(state.queries.at(-1).cursor, '2');
  await bell.setFilter({ unread: true, type: ['mention'] });
  assert.deepEqual(state.queries.at(-1), { unread: 'true', type: 'mention', limit: '2' });
  assert.deepEqual(bell.items.map((n) => n.id), ['1', '3']);

  const live = [];
  bell.on('notification', (n) => live.push(n.id));
  w.hub.publish('user:u1', 'notification', notification('6', { type: 'mention' }));
  w.hub.publish('user:u1', 'notification', notification('7', { type: 'note_added' }));
  w.hub.publish('user:u1', 'notification:count', { unread: 5 });
  await waitFor(() => bell.unread === 5, 'count pushed');
  assert.deepEqual(live, ['6', '7'], 'every new notification is announced');
  assert.deepEqual(bell.items.map((n) => n.id), ['6', '1', '3'], 'only those matching the filter are listed');
  assert.equal(bell.items[0].meta, undefined, 'the hub meta is not part of the item');
  assert.deepEqual(counts, [3, 5]);
});

test('the bell: mark read/unread (optimistic, rolled back on failure), read all, clear all', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const state = { items: [notification('1'), notification('2'), notification('3', { read: true })], queries: [] };
  bellRoutes(w.http, state);
  const client = w.make();
  await client.connect();
  const bell = client.bell();
  await waitFor(() => bell.loaded, 'loaded');
  const done = bell.markRead('1');
  assert.equal(bell.items[0].read, true, 'at once');
  assert.equal(bell.unread, 1);
  await done;
  await bell.markUnread('3');
  assert.equal(bell.unread, 2);
  state.fail = true;
  await assert.rejects(bell.markRead('2'), (e) => e.reason === 'unavailable');
  assert.equal(bell.items[1].read, false, 'rolled back');
  assert.equal(bell.unread, 2);
  state.fail = false;
  const all = await bell.readAll();
  assert.equal(all.updated, 2);
  assert.ok(bell.items.every((n) => n.read));
  assert.equal(bell.unread, 0);
  await bell.clearAll();
  assert.deepEqual(bell.items, []);
});

test('the bell reloads when its channel could not be recovered', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const state = { items: [notification('1')], queries: [] };
  bellRoutes(w.http, state);
  const client = w.make();
  await client.connect();
  const bell = client.bell();
  await waitFor(() => bell.loaded, 'loaded');
  const events = [];
  bell.on('reloaded', () => events.push('reloaded'));
  bell.on('recovered', () => events.push('recovered'));
  const reads = state.queries.length;
  w.hub.accepting = false;
  w.hub.dropAll();
  w.hub.forgetHistory('user:u1');
  state.items.unshift(notification('2'));
  w.hub.accepting = true;
  await waitFor(() => events.length === 1, 'rejoined');
  assert.deepEqual(events, ['reloaded']);
  assert.equal(state.queries.length, reads + 1);
  assert.deepEqual(bell.items.map((n) => n.id), ['2', '1']);
});

test('activity feed: list with paging and live activity events on the scope channel', async (t) => {
  const w = world();
  t.after(w.closeAll);
  const items = [{ id: 'a1', verb: 'form_submitted', text: 'Emma submitted the timeline form', at: 't1' }, { id: 'a2', verb: 'note_added', text: 'x', at: 't0' }];
  const queries = [];
  w.http.route('GET', '/api/v1/activity', (req) => {
    queries.push(req.query);
    const start = req.query.cursor ? Number(req.query.cursor) : 0;
    return { scope: req.query.scope, activity: items.slice(start, start + 1), next_cursor: start + 1 < items.length ? String(start + 1) : null };
  });
  const client = w.make();
  await client.connect();
  assert.throws(() => client.activity('form:x'), TypeError);
  const feed = client.activity('supplier:s1', { limit: 1 });
  await waitFor(() => feed.loaded, 'loaded');
  assert.equal(w.hub.sent('phx_join', 'supplier:s1').length, 1);
  assert.deepEqual(queries[0], { scope: 'supplier:s1', limit: '1' });
  await feed.loadMore();
  assert.deepEqual(feed.items.map((a) => a.id), ['a1', 'a2']);
  const live = [];
  feed.on('activity', (a) => live.push(a.text));
  w.hub.publish('supplier:s1', 'activity', { id: 'a3', verb: 'core_field_changed', actor: {}, object: {}, text: 'James Carter updated the guest count to 150', at: 't2' });
  await waitFor(() => live.length === 1, 'live item');
  assert.deepEqual(feed.items.map((a) => a.id), ['a3', 'a1', 'a2']);
  feed.close();
  await flush();
});
