import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { waitFor } from './support/clock.js';

const FIELDS = [
  { key: 'name', type: 'text', value: 'Emma', version: 3 },
  { key: 'guests', type: 'number', value: 100, version: 1 },
];

test('a form opened while the hub cannot be reached shows the copy read last time, with queued edits, then reloads', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const first = w.make();
  await first.connect();
  const session = first.form('F');
  await session.ready;
  w.hub.accepting = false;
  w.hub.dropAll();
  await waitFor(() => !session.online, 'offline');
  session.input('guests', 130);
  await w.clock.advance(200);
  await first.close();

  w.http.offline = true; // the page is reloaded with no network at all
  const second = w.make();
  await second.connect();
  const reopened = second.form('F');
  const loads = [];
  reopened.on('loaded', (e) => loads.push(e.reason));
  await w.clock.advance(1500);
  await reopened.ready;
  assert.equal(reopened.fromCache, true);
  assert.deepEqual(loads, ['cache']);
  assert.equal(reopened.value('name'), 'Emma', 'the stored copy');
  assert.equal(reopened.value('guests'), 130, 'the queued edit over it');
  assert.equal(reopened.field('guests').holder, null, 'locks are never taken from the copy');

  w.forms.forms.get('F').fields.get('name').value = 'Emma W.';
  w.forms.forms.get('F').fields.get('name').version = 4;
  w.http.offline = false;
  w.hub.accepting = true;
  await waitFor(() => reopened.value('name') === 'Emma W.' && !reopened.fromCache, 'read again once joined');
  await waitFor(() => second.queuedCount === 0 && w.forms.forms.get('F').fields.get('guests').value === 130, 'replayed');
});

test('cacheForms: false keeps no copy', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const client = w.make({ cacheForms: false });
  await client.connect();
  await client.form('F').ready;
  assert.equal([...w.storage.map.keys()].filter((k) => k.includes(':form:')).length, 0);
});
