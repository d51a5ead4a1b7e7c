import test from 'node:test';
import assert from 'node:assert/strict';
import { world } from './support/setup.js';
import { flush, waitFor } from './support/clock.js';
import { applyTextOps } from '../src/text-diff.js';

const FIELDS = [
  { key: 'name', type: 'text', value: 'Emma', version: 3 },
  { key: 'guests', type: 'number', value: 100, version: 1 },
  { key: 'vegan', type: 'checkbox', value: false, version: 1 },
  { key: 'speech', type: 'textarea', value: 'Hello all', version: 1 },
  { key: 'shots', type: 'list', value: [{ id: 'a', text: 'Rings' }], version: 1 },
];

async function openForm(t, options = {}) {
  const w = world(options);
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const client = w.make();
  await client.connect();
  const session = client.form('F');
  await session.ready;
  await flush();
  return { ...w, client, session };
}

const sets = (hub) => hub.sent('field:set').map((f) => f.payload);

test('loads the form over HTTP after joining, and keeps it current from channel events', async (t) => {
  const { session, hub, http, forms } = await openForm(t);
  const join = hub.frames.findIndex((f) => f.event === 'phx_join' && f.topic === 'form:F');
  assert.ok(join >= 0, 'joined form:F');
  assert.ok(http.requests.some((r) => r.path === '/api/v1/forms/F'));
  assert.deepEqual(session.values(), { name: 'Emma', guests: 100, vegan: false, speech: 'Hello all', shots: [{ id: 'a', text: 'Rings' }] });
  assert.equal(session.field('name').version, 3);
  const changes = [];
  session.on('change', (c) => changes.push(c));
  forms.remoteSet('F', 'guests', 150);
  await waitFor(() => session.value('guests') === 150, 'remote change');
  assert.equal(changes[0].source, 'remote');
  assert.equal(changes[0].by.user_id, 'other');
  assert.equal(session.field('guests').version, 2);
  hub.publish('form:F', 'form:progress', { filled: 3, required: 4, percent: 75 });
  hub.publish('form:F', 'form:status', { status: 'submitted', from: 'in_progress', by: { user_id: 'other' }, at: 'now' });
  await waitFor(() => session.status === 'submitted', 'status');
  assert.deepEqual(session.progress, { filled: 3, required: 4, percent: 75 });
});

test('debounce: text 500 ms after the last keystroke, number 200 ms, checkbox at once', async (t) => {
  const { session, hub, clock } = await openForm(t);
  await session.focus('name');
  await waitFor(() => session.field('name').lock, 'lock');
  assert.equal(hub.sent('field:lock')[0].payload.field, 'name');
  session.input('name', 'E');
  await clock.advance(300);
  session.input('name', 'Em');
  await clock.advance(499);
  assert.equal(sets(hub).length, 0, 'nothing 499 ms after the last keystroke');
  assert.equal(session.value('name'), 'Em', 'shown at once');
  await clock.advance(1);
  await waitFor(() => sets(hub).length === 1, 'text save');
  const text = sets(hub)[0];
  assert.equal(text.value, 'Em');
  assert.equal(text.base_version, 3);
  assert.equal(text.lock_token, session.field('name').lock.token);
  assert.equal(text.release, undefined, 'a debounced save keeps the lock');
  assert.ok(text.op_id);

  session.input('guests', 120);
  await clock.advance(150);
  session.input('guests', 130);
  await clock.advance(199);
  assert.equal(sets(hub).length, 1);
  await clock.advance(1);
  await waitFor(() => sets(hub).length === 2, 'number save');
  assert.equal(sets(hub)[1].value, 130);

  assert.deepEqual(await session.focus('vegan'), { mode: 'none' }, 'checkbox needs no lock');
  assert.equal(hub.sent('field:lock').length, 1, 'and none was asked for');
  session.input('vegan', true);
  await waitFor(() => sets(hub).length === 3, 'checkbox save');
  assert.equal(sets(hub)[2].value, true);
  await waitFor(() => session.field('vegan').version === 2, 'ack');
  assert.equal(session.field('vegan').pending, false);
});

test('blur sends the final save with release and lock_token; with nothing to save it unlocks', async (t) => {
  const { session, hub, clock } = await openForm(t);
  await session.focus('name');
  const token = session.field('name').lock.token;
  session.input('name', 'Emily');
  await clock.advance(100);
  session.blur('name');
  await waitFor(() => sets(hub).length === 1, 'final save');
  assert.deepEqual(
    { value: sets(hub)[0].value, release: sets(hub)[0].release, lock_token: sets(hub)[0].lock_token },
    { value: 'Emily', release: true, lock_token: token },
  );
  await clock.advance(1000);
  assert.equal(sets(hub).length, 1, 'the debounced save does not go again');
  await waitFor(() => session.field('name').holder === null, 'unlocked (saved)');
  assert.equal(session.field('name').lock, null);

  await session.focus('guests');
  session.blur('guests');
  await waitFor(() => hub.sent('field:unlock').length === 1, 'unlock');
  assert.equal(hub.sent('field:unlock')[0].payload.field, 'guests');
});

test('an edit shows at once and is rolled back when the hub refuses it', async (t) => {
  const { session, hub, forms, clock } = await openForm(t);
  forms.validate = (ctx, op) => (op.payload.value === 100000 ? ctx.error('invalid', { field: 'guests', detail: 'at most 5000' }) : undefined);
  const changes = [];
  const rejected = [];
  session.on('change', (c) => changes.push(c));
  session.on('rejected', (r) => rejected.push(r));
  session.input('guests', 100000);
  assert.equal(session.value('guests'), 100000, 'optimistic');
  assert.equal(session.field('guests').pending, true);
  await clock.advance(200);
  await waitFor(() => rejected.length === 1, 'refusal');
  assert.equal(session.value('guests'), 100, 'rolled back');
  assert.equal(rejected[0].reason, 'invalid');
  assert.equal(rejected[0].value, 100000);
  assert.deepEqual(changes.map((c) => [c.source, c.value]), [['local', 100000], ['rollback', 100]]);
  assert.equal(session.unsaved.size, 0);
  assert.equal(hub.sent('field:set').length, 1);
});

test('a conflict is surfaced with both values; keepTheirs takes theirs', async (t) => {
  const { session, forms, clock } = await openForm(t);
  const conflicts = [];
  session.on('conflict', (c) => conflicts.push(c));
  session.input('guests', 120);
  forms.remoteSet('F', 'guests', 150);
  await waitFor(() => session.field('guests').version === 2, 'their change arrived');
  assert.equal(session.value('guests'), 120, 'my pending edit still shows');
  await clock.advance(200);
  await waitFor(() => conflicts.length === 1, 'conflict');
  const c = conflicts[0];
  assert.equal(c.field, 'guests');
  assert.equal(c.mine, 120);
  assert.equal(c.theirs, 150);
  assert.equal(c.current.version, 2);
  assert.equal(session.field('guests').conflict, true);
  session.input('guests', 125);
  await clock.advance(500);
  assert.equal(forms.forms.get('F').fields.get('guests').value, 150, 'nothing is sent while the user decides');
  c.keepTheirs();
  assert.equal(session.value('guests'), 150);
  assert.equal(session.field('guests').conflict, false);
  assert.equal(session.field('guests').pending, false);
});

test('forceMine resends with force: true and wins', async (t) => {
  const { session, hub, forms, clock } = await openForm(t);
  const conflicts = [];
  session.on('conflict', (c) => conflicts.push(c));
  session.input('guests', 120);
  forms.remoteSet('F', 'guests', 150);
  await waitFor(() => session.field('guests').version === 2, 'their change');
  await clock.advance(200);
  await waitFor(() => conflicts.length === 1, 'conflict');
  await conflicts[0].forceMine();
  const forced = sets(hub).at(-1);
  assert.equal(forced.force, true);
  assert.equal(forced.value, 120);
  assert.equal(forced.base_version, 2);
  await waitFor(() => session.field('guests').version === 3, 'acknowledged');
  assert.equal(forms.forms.get('F').fields.get('guests').value, 120);
  assert.equal(session.value('guests'), 120);
});

test('text areas send code-point operations and merge concurrent edits', async (t) => {
  const { session, hub, forms, clock } = await openForm(t);
  assert.equal((await session.focus('speech')).mode, 'soft');
  session.input('speech', 'Hello all 😀');
  await clock.advance(500);
  await waitFor(() => hub.sent('field:text').length === 1, 'text op');
  const first = hub.sent('field:text')[0].payload;
  assert.deepEqual(first.ops, [9, ' 😀']);
  assert.equal(first.base_version, 1);
  await waitFor(() => session.field('speech').version === 2, 'ack through field:changed');

  // Someone else inserts at the start while I type at the end; neither edit is lost, all converge.
  session.input('speech', 'Hello all 😀!!');
  forms.remoteText('F', 'speech', ['Dear guests, ']);
  await waitFor(() => session.field('speech').version === 3, 'their op');
  assert.equal(session.value('speech'), 'Dear guests, Hello all 😀!!', 'their op transformed over my pending text');
  await clock.advance(500);
  await waitFor(() => session.field('speech').version === 4, 'my op applied');
  const server = forms.forms.get('F').fields.get('speech').value;
  assert.equal(server, 'Dear guests, Hello all 😀!!');
  assert.equal(session.value('speech'), server);
  const second = hub.sent('field:text')[1].payload;
  assert.equal(applyTextOps('Dear guests, Hello all 😀', second.ops), server, 'sent against the version it was made on');
});

test('a refused text edit is taken back without losing later typing', async (t) => {
  const { session, hub, forms, clock } = await openForm(t);
  let refuse;
  forms.validate = (ctx, op) => {
    if (op.event !== 'field:text' || !JSON.stringify(op.payload.ops).includes('BAD')) return undefined;
    // The answer is held back so the user types on while the op is in flight.
    return new Promise((resolve) => {
      refuse = () => resolve(ctx.error('invalid', { field: 'speech', detail: 'no' }));
    });
  };
  const rejected = [];
  session.on('rejected', (r) => rejected.push(r));
  session.input('speech', 'BAD Hello all');
  await clock.advance(500);
  await waitFor(() => hub.sent('field:text').length === 1 && refuse, 'sent');
  session.input('speech', 'BAD Hello all!');
  assert.equal(session.value('speech'), 'BAD Hello all!');
  refuse();
  await waitFor(() => rejected.length === 1, 'refused');
  assert.equal(session.value('speech'), 'Hello all!', 'the refused insert is gone, the later one stays');
  await clock.advance(500);
  await waitFor(() => forms.forms.get('F').fields.get('speech').value === 'Hello all!', 'later edit saved');
  assert.deepEqual(hub.sent('field:text')[1].payload.ops, [9, '!']);
});

test('list items are appended and removed by id, shown at once', async (t) => {
  const { session, hub, forms } = await openForm(t);
  const done = session.appendItem('shots', { text: 'First dance' }, 'b');
  assert.deepEqual(session.value('shots').map((x) => x.id), ['a', 'b'], 'optimistic');
  await done;
  const sent = hub.sent('field:list')[0].payload;
  assert.deepEqual({ action: sent.action, item_id: sent.item_id, item: sent.item }, { action: 'append', item_id: 'b', item: { text: 'First dance' } });
  await session.removeItem('shots', 'a');
  await waitFor(() => session.field('shots').version === 3, 'both applied');
  assert.deepEqual(session.value('shots'), [{ text: 'First dance', id: 'b' }]);
  assert.deepEqual(forms.forms.get('F').fields.get('shots').value, [{ text: 'First dance', id: 'b' }]);
  assert.equal(session.field('shots').pending, false);
});

test('notes and status changes', async (t) => {
  const { session, hub } = await openForm(t);
  const notes = [];
  session.on('note', (n) => notes.push(n));
  const r = await session.addNote('Please confirm the venue @{u2}');
  assert.ok(r.note_id);
  assert.ok(hub.sent('form:note')[0].payload.op_id);
  await waitFor(() => notes.length === 1, 'note event');
  assert.equal(notes[0].text, 'Please confirm the venue @{u2}');
  const s = await session.setStatus('submitted');
  assert.equal(s.status, 'submitted');
  await waitFor(() => session.status === 'submitted', 'status event');
});

test('typing signals go out at most once a second per field, every 3 s on a slow link', async (t) => {
  const network = { effectiveType: '4g', saveData: false };
  const { session, hub, clock } = await openForm(t, {});
  session.ctx.network = { get constrained() { return network.effectiveType === '3g' || network.saveData; } };
  for (let i = 0; i < 10; i++) {
    session.input('name', `E${i}`);
    await clock.advance(150);
  }
  await flush();
  assert.equal(hub.sent('field:typing').length, 2, '1.5 s of typing: two signals');
  network.effectiveType = '3g';
  await clock.advance(1000);
  const before = hub.sent('field:typing').length;
  for (let i = 0; i < 20; i++) {
    session.input('name', `F${i}`);
    await clock.advance(150);
  }
  await flush();
  assert.equal(hub.sent('field:typing').length - before, 1, '3 s of typing on 3g: one signal');
});

test('others see my focus and caret in presence; typing indicators expire after 3 s', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const a = w.make({ userId: 'alice' });
  const b = w.make({ userId: 'bob' });
  await a.connect();
  await b.connect();
  const sa = a.form('F');
  const sb = b.form('F');
  await sa.ready;
  await sb.ready;
  await sa.focus('speech');
  sa.caret('speech', 4);
  await w.clock.advance(300);
  await waitFor(() => sb.carets().length === 1, 'bob sees alice caret');
  const caret = sb.carets()[0];
  assert.deepEqual({ user_id: caret.user_id, field: caret.field, pos: caret.pos }, { user_id: 'alice', field: 'speech', pos: 4 });
  assert.match(caret.color, /^hsl\(/);
  const alice = sb.presence.others().find((u) => u.user_id === 'alice');
  assert.equal(alice.focus, 'speech');
  assert.equal(alice.status, 'active');
  assert.equal(sa.carets().length, 0, 'my own caret is not drawn');

  const typing = [];
  sb.on('typing', (e) => typing.push(e.users.map((u) => u.user_id)));
  sa.input('speech', 'Hello all!');
  await waitFor(() => sb.field('speech').typing.length === 1, 'bob sees alice typing');
  await w.clock.advance(3000);
  assert.deepEqual(sb.field('speech').typing, []);
  assert.deepEqual(typing.at(-1), []);

  await w.clock.advance(60_000);
  await waitFor(() => (sb.presence.others().find((u) => u.user_id === 'alice') || {}).status === 'idle', 'idle after 60 s');
});

test('rejoin after a drop: recovered → no reload; history lost → reload over HTTP and a reloaded event', async (t) => {
  const { session, hub, forms } = await openForm(t);
  const events = [];
  session.on('recovered', () => events.push('recovered'));
  session.on('reloaded', () => events.push('reloaded'));
  const reads = forms.reads;
  hub.accepting = false;
  hub.dropAll();
  forms.remoteSet('F', 'guests', 140);
  hub.accepting = true;
  await waitFor(() => events.length === 1, 'rejoined');
  assert.deepEqual(events, ['recovered']);
  assert.equal(forms.reads, reads, 'no HTTP read');
  await waitFor(() => session.value('guests') === 140, 'missed change replayed');

  hub.accepting = false;
  hub.dropAll();
  forms.remoteSet('F', 'guests', 160);
  hub.forgetHistory('form:F');
  hub.accepting = true;
  await waitFor(() => events.length === 2, 'rejoined again');
  assert.deepEqual(events, ['recovered', 'reloaded']);
  assert.equal(forms.reads, reads + 1, 'read over HTTP');
  assert.equal(session.value('guests'), 160);
  const rejoin = hub.sent('phx_join', 'form:F').at(-1);
  assert.ok(rejoin.payload.since, 'the rejoin carried since');
});

test('ops are kept until field:saved and replayed (idempotent) after a reconnect', async (t) => {
  const { session, hub, forms, clock } = await openForm(t);
  session.input('guests', 111);
  await clock.advance(200);
  await waitFor(() => session.field('guests').version === 2, 'accepted');
  assert.equal(session.unsaved.size, 1, 'accepted but not yet durable');
  const results = [];
  session.on('synced', (r) => results.push(r.result));
  hub.dropAll();
  await waitFor(() => hub.sent('sync').length === 1, 'replay after reconnect');
  const replay = hub.sent('sync')[0].payload.ops;
  assert.equal(replay.length, 1);
  assert.equal(replay[0].event, 'field:set');
  assert.equal(replay[0].payload.value, 111);
  await waitFor(() => results.length === 1, 'result');
  assert.deepEqual(results, ['duplicate'], 'the hub already had it');
  forms.save('F');
  await waitFor(() => session.unsaved.size === 0, 'forgotten once saved');
  hub.dropAll();
  await waitFor(() => hub.sent('phx_join', 'form:F').length === 3, 'rejoined');
  await flush();
  assert.equal(hub.sent('sync').length, 1, 'nothing to replay');
});

test('text typed offline is merged with edits made meanwhile, even when the channel history is gone', async (t) => {
  const { session, hub, forms, clock, http } = await openForm(t);
  hub.accepting = false;
  hub.dropAll();
  await waitFor(() => !session.online, 'offline');
  session.input('speech', 'Hello all, see you soon');
  await clock.advance(500);
  assert.equal(session.ctx.queue.count, 1);
  forms.remoteText('F', 'speech', ['Dear guests! ']);
  forms.remoteText('F', 'speech', [13, { d: 5 }, 'Hi']);
  assert.equal(forms.forms.get('F').fields.get('speech').value, 'Dear guests! Hi all');
  hub.forgetHistory('form:F');
  const reloaded = [];
  session.on('reloaded', () => reloaded.push(true));
  hub.accepting = true;
  await waitFor(() => reloaded.length === 1, 'reloaded');
  assert.ok(http.requests.some((r) => r.path === '/api/v1/forms/F/fields/speech/history'), 'caught up from the field history');
  await waitFor(() => session.ctx.queue.count === 0 && !session.field('speech').pending, 'replayed');
  const server = forms.forms.get('F').fields.get('speech').value;
  assert.equal(server, 'Dear guests! Hi all, see you soon');
  assert.equal(session.value('speech'), server, 'client and hub agree');
});

test('a reopened form places queued text made against an older version over what changed since', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const first = w.make();
  await first.connect();
  const s1 = first.form('F');
  await s1.ready;
  await flush();
  w.hub.accepting = false;
  w.hub.dropAll();
  await waitFor(() => !s1.online, 'offline');
  s1.input('speech', 'Hello all :)');
  await w.clock.advance(500);
  await first.close();
  w.forms.remoteText('F', 'speech', ['Hi! ']);
  const second = w.make();
  await second.connect();
  const s2 = second.form('F');
  await w.clock.advance(1500);
  await s2.ready;
  assert.equal(s2.value('speech'), 'Hi! Hello all :)', 'the queued edit lands after the newer text');
  w.hub.accepting = true;
  await waitFor(() => second.queuedCount === 0 && !s2.field('speech').pending, 'replayed');
  assert.equal(w.forms.forms.get('F').fields.get('speech').value, 'Hi! Hello all :)');
  assert.equal(s2.value('speech'), 'Hi! Hello all :)');
});

test('an op sent right after the join is not replayed, and an op answered twice is settled once', async (t) => {
  const w = world();
  t.after(w.closeAll);
  w.forms.addForm('F', structuredClone(FIELDS));
  const client = w.make();
  await client.connect();
  const session = client.form('F');
  await session.ready;
  session.input('vegan', true);
  await waitFor(() => session.field('vegan').version === 2, 'accepted');
  await flush();
  assert.equal(w.hub.sent('sync').length, 0, 'nothing replayed on a fresh connection');

  // The same op answered by a replay and by its live reply: one conflict, not two.
  const conflicts = [];
  session.on('conflict', (c) => conflicts.push(c));
  w.forms.remoteSet('F', 'guests', 300);
  session.fields.get('guests').server.version = 1;
  session.input('guests', 120);
  await w.clock.advance(200);
  await waitFor(() => conflicts.length === 1, 'conflict');
  const op = w.hub.sent('field:set').at(-1).payload;
  session._onSyncResult({ event: 'field:set', payload: op }, { op_id: op.op_id, result: 'conflict', current: { value: 300, version: 2 } });
  assert.equal(conflicts.length, 1);
});
