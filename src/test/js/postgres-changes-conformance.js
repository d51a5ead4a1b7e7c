#!/usr/bin/env node
// postgres_changes conformance: the unmodified @supabase/realtime-js client (ws transport) subscribing to row changes
// that another connection writes with plain SQL (the pg package), against a running hub that publishes TABLE.
//
// Environment: HUB_ENDPOINT=ws://127.0.0.1:PORT/realtime/v1, PG_URL=postgresql://…, TABLE=<published table>,
// TOKEN_EMMA (couple 1), TOKEN_SOPHIE (couple 2), TOKEN_SARAH (Lens & Light's owner).
// Prints one PASS/FAIL line per check; exits 0 only if every check passed.
'use strict';

const WebSocket = require('ws');
const { Client } = require('pg');
const { RealtimeClient } = require('@supabase/realtime-js');

const EMMA = '11111111-0000-0000-0000-000000000001';
const SOPHIE = '11111111-0000-0000-0000-000000000004';
const SARAH = '11111111-0000-0000-0000-000000000006';
const COUPLE_1 = '33333333-0000-0000-0000-000000000001';
const COUPLE_2 = '33333333-0000-0000-0000-000000000002';
const LENS = '22222222-0000-0000-0000-000000000001';
const OVERALL_TIMEOUT_MS = Number(process.env.CONFORMANCE_TIMEOUT_MS || 60000);
const STEP_TIMEOUT_MS = 8000;

const { HUB_ENDPOINT: endpoint, PG_URL: pgUrl, TABLE: table, TOKEN_EMMA: emmaToken, TOKEN_SOPHIE: sophieToken,
  TOKEN_SARAH: sarahToken } = process.env;
if (!endpoint || !pgUrl || !table || !emmaToken || !sophieToken || !sarahToken) {
  console.log('FAIL arguments — set HUB_ENDPOINT, PG_URL, TABLE, TOKEN_EMMA, TOKEN_SOPHIE, TOKEN_SARAH');
  process.exit(3);
}

// ---- the test harness (harness.js) ---------------------------------------------------------------------------------

const { harness, assert, show, sleep, withTimeout } = require('./harness');
const { results, summaryAndExit, watchdog, check } = harness('realtime-js conformance', OVERALL_TIMEOUT_MS);

/** What one callback received, with waiting for the first payload matching a predicate. */
class Inbox {
  constructor(label) {
    this.label = label;
    this.items = [];
    this.waiters = [];
  }

  push(item) {
    this.items.push(item);
    for (const w of [...this.waiters]) w();
  }

  waitFor(predicate, what) {
    return withTimeout(new Promise((resolve) => {
      const check = () => {
        const found = this.items.find(predicate);
        if (found) {
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve(found);
        }
      };
      this.waiters.push(check);
      check();
    }), STEP_TIMEOUT_MS, `${what} on ${this.label} (saw ${this.items.length}: ${show(this.items.map(brief))})`);
  }

  has(predicate) {
    return this.items.some(predicate);
  }
}

const brief = (p) => `${p.eventType} ${(p.new && p.new.title) || (p.old && p.old.title)}`;
const titled = (title) => (p) => (p.new && p.new.title === title) || (p.old && p.old.title === title);

function client(token) {
  return new RealtimeClient(endpoint, { params: { apikey: token }, transport: WebSocket, logger: () => {} });
}

/** A channel with the given postgres_changes entries, each with an inbox; resolves once SUBSCRIBED. */
function subscribe(rt, topic, entries) {
  const channel = rt.channel(topic);
  const inboxes = entries.map((e, i) => {
    const box = new Inbox(`${topic}[${i}]`);
    channel.on('postgres_changes', e, (payload) => box.push(payload));
    return box;
  });
  const subscribed = new Promise((resolve, reject) => {
    channel.subscribe((status, err) => {
      if (status === 'SUBSCRIBED') resolve();
      else if (status === 'CHANNEL_ERROR' || status === 'TIMED_OUT') reject(new Error(`${status}: ${err && err.message}`));
    });
  });
  return withTimeout(subscribed, STEP_TIMEOUT_MS, `${topic} subscribed`).then(() => ({ channel, inboxes }));
}

let seq = 0;
async function insert(db, couple, supplier, title, priority, extra = {}) {
  await db.query(`insert into ${table} (couple_id, supplier_id, title, priority, done, tags, meta, secret)
                  values ($1, $2, $3, $4, $5, $6, $7, 'hush')`,
    [couple, supplier, title, priority, extra.done || false, extra.tags || ['a', 'b c'], extra.meta || { seq: ++seq }]);
}

async function main() {
  const db = new Client({ connectionString: pgUrl });
  await db.connect();
  const emma = client(emmaToken);
  const sophie = client(sophieToken);
  const sarah = client(sarahToken);
  const all = { event: '*', schema: 'public', table };

  const emmaSub = await subscribe(emma, `user:${EMMA}`, [
    { event: 'INSERT', schema: 'public', table },
    { event: 'UPDATE', schema: 'public', table },
    { event: 'DELETE', schema: 'public', table },
    all,
  ]);
  const [ins, upd, del, star] = emmaSub.inboxes;
  const sophieSub = await subscribe(sophie, `user:${SOPHIE}`, [all]);
  const sarahSub = await subscribe(sarah, `user:${SARAH}`, [all]);

  await check('INSERT reaches the INSERT and * callbacks with payload.new typed and payload.eventType', async () => {
    await insert(db, COUPLE_1, LENS, 'rjs insert', 4);
    const p = await ins.waitFor(titled('rjs insert'), 'the insert');
    assert(p.eventType === 'INSERT' && p.schema === 'public' && p.table === table, `envelope ${show(p)}`);
    assert(p.new.priority === 4 && p.new.done === false && p.new.couple_id === COUPLE_1, `new ${show(p.new)}`);
    assert(Array.isArray(p.new.tags) && p.new.tags[1] === 'b c', `tags ${show(p.new.tags)}`);
    assert(p.new.meta && typeof p.new.meta.seq === 'number', `meta ${show(p.new.meta)}`);
    assert(!('secret' in p.new), 'a column outside the allow-list arrived');
    assert(typeof p.commit_timestamp === 'string' && !Number.isNaN(Date.parse(p.commit_timestamp)),
      `commit_timestamp ${p.commit_timestamp}`);
    assert(Object.keys(p.old).length === 0, `old on an insert ${show(p.old)}`);
    await star.waitFor(titled('rjs insert'), 'the insert on *');
    assert(!upd.has(titled('rjs insert')) && !del.has(titled('rjs insert')), 'the insert reached UPDATE/DELETE');
    return `new ${show(p.new)}`;
  });

  await check('UPDATE carries payload.old (the whole old row)', async () => {
    await db.query(`update ${table} set title = 'rjs updated', priority = 5 where title = 'rjs insert'`);
    const p = await upd.waitFor(titled('rjs updated'), 'the update');
    assert(p.eventType === 'UPDATE' && p.new.priority === 5, `new ${show(p.new)}`);
    assert(p.old.title === 'rjs insert' && p.old.priority === 4, `old ${show(p.old)}`);
    return `old ${show(p.old)}`;
  });

  await check('DELETE carries payload.old', async () => {
    await db.query(`delete from ${table} where title = 'rjs updated'`);
    const p = await del.waitFor((x) => x.eventType === 'DELETE' && x.old.title === 'rjs updated', 'the delete');
    assert(Object.keys(p.new).length === 0, `new on a delete ${show(p.new)}`);
  });

  await check('each filter operator (eq, neq, lt, lte, gt, gte, in) selects its rows', async () => {
    const ops = ['priority=eq.5', 'priority=neq.5', 'priority=lt.5', 'priority=lte.5', 'priority=gt.5',
      'priority=gte.5', 'title=in.(flt 3,flt 7)'];
    const sub = await subscribe(emma, `couple:${COUPLE_1}`, ops.map((filter) =>
      ({ event: 'INSERT', schema: 'public', table, filter })));
    for (const [title, p] of [['flt 3', 3], ['flt 5', 5], ['flt 7', 7]]) await insert(db, COUPLE_1, null, title, p);
    const expected = {
      'priority=eq.5': ['flt 5'], 'priority=neq.5': ['flt 3', 'flt 7'], 'priority=lt.5': ['flt 3'],
      'priority=lte.5': ['flt 3', 'flt 5'], 'priority=gt.5': ['flt 7'], 'priority=gte.5': ['flt 5', 'flt 7'],
      'title=in.(flt 3,flt 7)': ['flt 3', 'flt 7'],
    };
    for (let i = 0; i < ops.length; i++) {
      for (const t of expected[ops[i]]) await sub.inboxes[i].waitFor(titled(t), `${t} on ${ops[i]}`);
    }
    await sleep(300);
    for (let i = 0; i < ops.length; i++) {
      const got = sub.inboxes[i].items.map((x) => x.new.title).sort();
      assert(JSON.stringify(got) === JSON.stringify(expected[ops[i]]), `${ops[i]} got ${show(got)}`);
    }
    await sub.channel.unsubscribe();
    return 'all seven';
  });

  await check('a row outside the subscriber\'s reach is never delivered', async () => {
    await insert(db, COUPLE_2, null, 'rjs theirs', 1);
    await sophieSub.inboxes[0].waitFor(titled('rjs theirs'), 'the other couple\'s own row');
    await sleep(300);
    assert(!star.has(titled('rjs theirs')), 'Emma received the other couple\'s row');
    assert(!sarahSub.inboxes[0].has(titled('rjs theirs')), 'Sarah received a row of a couple not hers');
  });

  await check('a row moved out of reach is a DELETE for the one it left, an INSERT for the one it reached', async () => {
    await insert(db, COUPLE_1, null, 'rjs moving', 1);
    await star.waitFor(titled('rjs moving'), 'the row before it moves');
    await db.query(`update ${table} set couple_id = $1 where title = 'rjs moving'`, [COUPLE_2]);
    const left = await star.waitFor((x) => x.eventType === 'DELETE' && x.old.title === 'rjs moving', 'the delete');
    assert(Object.keys(left.new).length === 0, `the new row reached the one it left: ${show(left.new)}`);
    const came = await sophieSub.inboxes[0].waitFor(titled('rjs moving'), 'its arrival');
    assert(came.eventType === 'INSERT', `arrived as ${came.eventType}`);
  });

  await check('a table that is not published is refused at subscribe', async () => {
    try {
      await subscribe(emma, `wedding:44444444-0000-0000-0000-000000000001`,
        [{ event: '*', schema: 'public', table: 'users' }]);
    } catch (e) {
      assert(/not published/.test(e.message), `refused, but with ${e.message}`);
      return e.message;
    }
    throw new Error('subscribed to an unpublished table');
  });

  await db.end();
  for (const rt of [emma, sophie, sarah]) rt.disconnect();
}

main().then(() => {
  clearTimeout(watchdog);
  summaryAndExit();
}, (e) => {
  console.log(`FAIL crashed — ${e && e.stack ? e.stack : e}`);
  results.push({ name: 'crash', ok: false });
  clearTimeout(watchdog);
  summaryAndExit(3);
});
