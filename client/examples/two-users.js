// Two users editing the demo form of a running hub, from Node:
//
//   scripts/hub                                   # in the repository root; prints demo tokens
//   cd client && npm ci
//   node examples/two-users.js ws://127.0.0.1:4000/realtime/v1 <couple token> <supplier owner token>
//
// It shows locks, debounced saves, a text area edited by both at once, a list, a note reaching the supplier's
// bell and activity feed, and changes made offline being replayed.
import WebSocket from 'ws';
import { RealtimeClient, MemoryStorage } from '../src/index.js';

const [url, coupleToken, supplierToken] = process.argv.slice(2);
if (!url || !coupleToken || !supplierToken) {
  console.error('usage: node examples/two-users.js WS_URL COUPLE_TOKEN SUPPLIER_TOKEN');
  process.exit(2);
}
const FORM = process.env.FORM_ID || '55555555-0000-0000-0000-000000000001';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (...args) => console.log(new Date().toISOString().slice(11, 23), ...args);

function client(token, who) {
  // Node has no localStorage: each "browser" gets its own in-memory storage.
  const c = new RealtimeClient({ url, token, transport: WebSocket, storage: new MemoryStorage() });
  c.on('state', ({ state, reason }) => log(who, 'connection', state, reason || ''));
  c.on('synced', (r) => log(who, 'replayed', r.event, r.field || '', r.result, r.reason || ''));
  return c;
}

const couple = client(coupleToken, 'couple');
const supplier = client(supplierToken, 'supplier');
const me = await couple.connect();
const team = await supplier.connect();
log('signed in:', me.user.name, 'and', team.user.name);

const mine = couple.form(FORM);
const theirs = supplier.form(FORM);
await Promise.all([mine.ready, theirs.ready]);
log('form', JSON.stringify(mine.title), 'status', mine.status, 'progress', mine.progress.percent + '%');

theirs.on('change', (c) => c.source === 'remote' && log('supplier sees', c.field, '=', JSON.stringify(c.value), 'by', c.by && c.by.name));
theirs.on('typing', ({ field, users }) => users.length && log('supplier sees', users.map((u) => u.name).join(', '), 'typing in', field));
theirs.on('lock', ({ field, holder }) => log('supplier sees', field, holder ? `locked by ${holder.name || holder.user_id}` : 'unlocked'));
mine.on('conflict', (c) => {
  log('couple conflict on', c.field, 'mine', JSON.stringify(c.mine), 'theirs', JSON.stringify(c.theirs), '→ keep theirs');
  c.keepTheirs();
});
mine.on('rejected', (r) => log('couple edit refused:', r.field, r.reason, r.detail || ''));

// A text field: lock on focus, debounced save while typing, final save on blur.
log('couple focuses partner1_name:', JSON.stringify(await mine.focus('partner1_name')));
log('supplier tries the same field:', JSON.stringify(await theirs.focus('partner1_name')));
for (const text of ['Emma W', 'Emma Wi', 'Emma Wilson-Carter']) {
  mine.input('partner1_name', text);
  await sleep(150);
}
await mine.blur('partner1_name');
await sleep(300);

// A text area both edit at once: operations are merged, both see the same text.
await mine.focus('timeline_notes');
await theirs.focus('timeline_notes');
mine.input('timeline_notes', `${mine.value('timeline_notes')}Couple: first look at 1pm. `);
theirs.input('timeline_notes', `${theirs.value('timeline_notes')}Supplier: golden hour at 7pm. `);
mine.caret('timeline_notes', 6);
await sleep(1200);
log('text area, couple:  ', JSON.stringify(mine.value('timeline_notes')));
log('text area, supplier:', JSON.stringify(theirs.value('timeline_notes')));
log('supplier sees carets', JSON.stringify(theirs.carets()));
await mine.blur('timeline_notes');
await theirs.blur('timeline_notes');

// A list merged by item id, and a note that reaches the supplier's bell and activity feed.
const bell = supplier.bell();
bell.on('notification', (n) => log('supplier bell:', n.title, `(${bell.unread} unread)`));
const feed = supplier.activity(`supplier:${Object.keys(team.teams)[0]}`);
feed.on('activity', (a) => log('supplier activity:', a.text));
await sleep(300);
await mine.appendItem('shot_list', { text: 'Rings close-up' });
await mine.addNote('Could we add a drone shot?');
await sleep(600);

// Offline: changes are queued (persisted) and replayed through `sync` once connected again.
couple.disconnect();
await sleep(200);
mine.input('guest_count', (mine.value('guest_count') || 100) + 5);
await sleep(400);
log('couple offline, queued changes:', couple.queuedCount);
couple.connect();
await sleep(1500);
log('after reconnect queued:', couple.queuedCount, '— supplier sees guest_count', theirs.value('guest_count'));

await couple.close();
await supplier.close();
