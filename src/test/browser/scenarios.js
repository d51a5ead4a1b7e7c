// The demo app as people use it, in real headless Chromium: `node scenarios.js NAME` runs one scenario against the
// hub at HUB_URL (DemoBrowserTest starts it and creates a fresh form, FORM_ID, for each scenario). Prints PASS/FAIL;
// on failure, screenshots of every open page go to SHOTS_DIR (target/browser-failures).
import {
  scenario, connected, openForm, until, text, assert, hubConnections, eventually, field, input,
  HUB, EMMA, SARAH, COUPLE_1,
} from './support.js';

const FORM = process.env.FORM_ID;
const name = process.argv[2];

const scenarios = {
  /** 1. Couple and supplier on one form: lock badge and read-only field, typing, glow, progress, "currently filling". */
  async together(s) {
    const emma = await s.signIn(await s.context(), EMMA, 'emma');
    const sarah = await s.signIn(await s.context(), SARAH, 'sarah');
    await openForm(sarah, FORM);
    await openForm(emma, FORM);
    // Both see each other; the supplier sees the couple filling the form in.
    await until(sarah, () => document.querySelector('[data-testid="presence"]').dataset.count === '2');
    await until(emma, () => document.querySelector('[data-testid="presence"]').dataset.count === '2');
    await sarah.waitForSelector('[data-testid="filling-status"][data-state="filling"]');
    assert((await text(sarah, '[data-testid="filling-status"]')).includes('Emma Wilson is currently filling this form'),
      'the supplier sees "Emma Wilson is currently filling this form"');
    assert(await sarah.getAttribute('[data-testid="progress"]', 'data-percent') === '0', 'nothing filled yet');

    // Emma takes the field: Sarah sees who edits it, and cannot type in it.
    await emma.click(input('couple_names'));
    await sarah.waitForSelector(`${field('couple_names')}[data-locked="true"] [data-testid="lock-badge"]:not([hidden])`);
    assert((await text(sarah, `${field('couple_names')} [data-testid="lock-badge"]`)).includes('Emma Wilson is editing'), 'lock badge names Emma');
    assert(await sarah.$eval(input('couple_names'), (el) => el.readOnly), 'the locked field is read-only for Sarah');

    // Emma types: Sarah sees "… is typing", then the value arrive with a glow saying who changed it.
    await emma.keyboard.type('Emma & James', { delay: 60 });
    await sarah.waitForSelector(`${field('couple_names')} [data-testid="typing"]:not([hidden])`);
    assert((await text(sarah, `${field('couple_names')} [data-testid="typing"]`)).includes('Emma Wilson is typing'), 'typing indicator');
    await until(sarah, (sel) => document.querySelector(sel).value === 'Emma & James', input('couple_names'));
    await sarah.waitForSelector(`${field('couple_names')}[data-glow="true"]`);
    assert((await text(sarah, `${field('couple_names')} [data-testid="changed-by"]`)).startsWith('Changed by Emma Wilson'), 'who changed it');

    // Progress moves on both sides; the couple's first change starts the form.
    await until(sarah, () => Number(document.querySelector('[data-testid="progress"]').dataset.percent) > 0);
    await until(emma, () => Number(document.querySelector('[data-testid="progress"]').dataset.percent) > 0);
    await sarah.waitForSelector('[data-testid="form-status"][data-status="in_progress"]');

    // Emma leaves the field: the lock goes, Sarah can edit, and Emma sees Sarah's change glow.
    await emma.click('[data-testid="form-title"]');
    await sarah.waitForSelector(`${field('couple_names')}[data-locked="false"]`);
    assert(!(await sarah.$eval(input('couple_names'), (el) => el.readOnly)), 'editable again for Sarah');
    await sarah.fill(input('guests'), '150');
    await until(emma, (sel) => document.querySelector(sel).value === '150', input('guests'));
    await emma.waitForSelector(`${field('guests')}[data-glow="true"]`);
    assert((await text(emma, `${field('guests')} [data-testid="changed-by"]`)).startsWith('Changed by Sarah Jones'), 'Emma sees Sarah changed it');
  },

  /** 2. A mention in a note lights the other side's bell. */
  async mention(s) {
    const sarah = await s.signIn(await s.context(), SARAH, 'sarah');
    const emma = await s.signIn(await s.context(), EMMA, 'emma');
    await sarah.waitForSelector('[data-testid="bell-badge"][data-loaded="true"]', { state: 'attached' });
    const before = Number(await sarah.getAttribute('[data-testid="bell-badge"]', 'data-count'));
    await openForm(emma, FORM);
    await emma.click('[data-testid="note-input"]');
    await emma.keyboard.type('Could you call me about the timeline, @Sar', { delay: 20 });
    await emma.waitForSelector('[data-testid="mention-option"]');
    await emma.click('[data-testid="mention-option"]:has-text("Sarah Jones")');
    await emma.click('[data-testid="note-send"]');
    await emma.waitForSelector('[data-testid="note"] [data-testid="mention"]:has-text("@Sarah Jones")');

    await until(sarah, (n) => Number(document.querySelector('[data-testid="bell-badge"]').dataset.count) >= n + 1, before);
    assert(!(await sarah.$eval('[data-testid="bell-badge"]', (el) => el.hidden)), 'the badge shows');
    await sarah.click('[data-testid="bell"]');
    await sarah.waitForSelector('[data-testid="notification"][data-type="mention"]');
    assert((await text(sarah, '[data-testid="notification"][data-type="mention"] .title')).includes('Emma Wilson mentioned you'),
      'the mention is in the bell');
    // Read it from the bell: the badge goes down again.
    const count = Number(await sarah.getAttribute('[data-testid="bell-badge"]', 'data-count'));
    await sarah.click('[data-testid="notification"][data-type="mention"] [data-testid="mark-read"]');
    await until(sarah, (n) => Number(document.querySelector('[data-testid="bell-badge"]').dataset.count) === n - 1, count);
  },

  /** 3. The supplier's client list shows the couple online, then offline once the couple's browser is gone. */
  async clients(s) {
    const row = `[data-testid="client"][data-couple-id="${COUPLE_1}"]`;
    const sarah = await s.signIn(await s.context(), SARAH, 'sarah');
    await sarah.waitForSelector(row);
    await until(sarah, (sel) => document.querySelector(sel).dataset.status !== 'online', row);
    const emmaContext = await s.context();
    const emma = await s.signIn(emmaContext, EMMA, 'emma');
    await until(sarah, (sel) => document.querySelector(sel).dataset.status === 'online', row);
    assert(await sarah.$eval('[data-testid="clients"] [data-testid="client"]', (el) => el.dataset.status) === 'online',
      'an online client is at the top');
    await openForm(emma, FORM);
    await until(sarah, ([sel, form]) => document.querySelector(sel).dataset.filling === form, [row, FORM]);
    await emmaContext.close();
    await until(sarah, (sel) => document.querySelector(sel).dataset.status !== 'online', row);
    assert((await text(sarah, `${row} [data-testid="client-status"]`)) !== 'Online', 'shown as not online');
  },

  /** 4. Offline: banner, queued edits with a count, a reload keeps them, back online they replay; a conflict asks. */
  async offline(s) {
    const emmaContext = await s.context();
    let emma = await s.signIn(emmaContext, EMMA, 'emma');
    const sarah = await s.signIn(await s.context(), SARAH, 'sarah');
    await openForm(emma, FORM);
    await openForm(sarah, FORM);
    await emma.waitForSelector('body[data-offline-ready="true"]');

    await emmaContext.setOffline(true);
    await emma.waitForSelector('[data-testid="offline-banner"]:not([hidden])');
    await emma.waitForSelector('[data-testid="connection-dot"][data-color="red"]');
    await emma.fill(input('couple_names'), 'Emma offline');
    await emma.fill(input('guests'), '90');
    await emma.click('[data-testid="form-title"]'); // leave the field
    await until(emma, () => document.querySelector('[data-testid="queued-count"]')?.textContent === '2');

    // A reload while offline: the app opens from the service worker's copy, the edits are still there.
    await emma.reload();
    await emma.waitForSelector('[data-testid="offline-banner"]:not([hidden])');
    await until(emma, () => document.querySelector('[data-testid="queued-count"]')?.textContent === '2');
    await emma.waitForSelector(`[data-testid="form-card"][data-form-id="${FORM}"]`);
    await until(emma, (sel) => document.querySelector(sel).value === 'Emma offline', input('couple_names'));
    assert(await emma.$eval(input('guests'), (el) => el.value) === '90', 'the queued number shows after the reload');
    assert(!(await emma.$eval('[data-testid="cache-note"]', (el) => el.hidden)), 'says it shows the saved copy');

    // Meanwhile Sarah changes the same field.
    await sarah.fill(input('couple_names'), 'Sarah version');
    await sarah.click('[data-testid="form-title"]');
    await until(sarah, (sel) => document.querySelector(sel).dataset.pending === 'false', field('couple_names'));

    // Back online: the queue replays; the untouched field goes through, the conflict asks Emma.
    await emmaContext.setOffline(false);
    await emma.waitForSelector('[data-testid="conflict-dialog"][open]');
    assert(await text(emma, '[data-testid="conflict-mine"]') === 'Emma offline', 'the dialog shows Emma\'s value');
    assert(await text(emma, '[data-testid="conflict-theirs"]') === 'Sarah version', 'and Sarah\'s');
    await until(sarah, (sel) => document.querySelector(sel).value === '90', input('guests'));
    await emma.waitForSelector('[data-testid="offline-banner"][hidden]', { state: 'attached' });
    await emma.click('[data-testid="conflict-keep-mine"]');
    await until(sarah, (sel) => document.querySelector(sel).value === 'Emma offline', input('couple_names'));
    await connected(emma);
  },

  /** 5. WebSocket blocked: the app falls back to long-poll and still gets live updates both ways. */
  async longpoll(s) {
    const emmaContext = await s.context();
    // A proxy that swallows WebSocket traffic: the socket seems to open, then nothing ever comes back. (Playwright's
    // page.route does not see WebSocket upgrades; routeWebSocket without connectToServer never reaches the hub.)
    await emmaContext.routeWebSocket(/\/realtime\/v1\/websocket/, () => {});
    const emma = await s.signIn(emmaContext, EMMA, 'emma');
    await emma.waitForSelector('[data-testid="connection-dot"][data-transport="longpoll"]');
    const sarah = await s.signIn(await s.context(), SARAH, 'sarah');
    await openForm(emma, FORM);
    await openForm(sarah, FORM);
    await until(sarah, () => document.querySelector('[data-testid="presence"]').dataset.count === '2');
    await sarah.fill(input('guests'), '77');
    await until(emma, (sel) => document.querySelector(sel).value === '77', input('guests'));
    await emma.waitForSelector(`${field('guests')}[data-glow="true"]`);
    await emma.fill(input('couple_names'), 'Over long-poll');
    await emma.click('[data-testid="form-title"]');
    await until(sarah, (sel) => document.querySelector(sel).value === 'Over long-poll', input('couple_names'));
    await emma.click('[data-testid="connection-dot"]');
    assert((await text(emma, '[data-testid="transport"]')) === 'Long-poll (HTTP)', 'the details say long-poll');
  },

  /** 6. Two tabs of one user share one socket: the hub counts one connection. */
  async tabs(s) {
    await eventually(hubConnections, (n) => n === 0, 'no connection left from earlier scenarios');
    const context = await s.context();
    const first = await s.signIn(context, EMMA, 'emma-tab1');
    const second = await s.page(context, 'emma-tab2');
    await second.goto(`${HUB}/app.html#/forms/${FORM}`);
    await connected(second);
    await openForm(first, FORM);
    await second.waitForSelector(`[data-testid="form-card"][data-form-id="${FORM}"] [data-testid="fields"]`);
    await eventually(hubConnections, (n) => n === 1, 'one connection for two tabs');
    // An edit in one tab reaches the other through the shared socket.
    await first.fill(input('couple_names'), 'Typed in tab one');
    await first.click('[data-testid="form-title"]');
    await until(second, (sel) => document.querySelector(sel).value === 'Typed in tab one', input('couple_names'));
    assert(await hubConnections() === 1, 'still one connection');
    // The tab holding the socket closes: the other takes over with a socket of its own.
    const leader = await first.evaluate(() => window.demo.client.isLeader) ? first : second;
    const other = leader === first ? second : first;
    await leader.close();
    await until(other, () => window.demo.client.isLeader && window.demo.client.state === 'connected');
    await eventually(hubConnections, (n) => n === 1, 'the remaining tab holds the only connection');
  },

  /** 7. A hub without demo data mints nothing: the sign-in routes answer 404 and the page says so. */
  async demoOff(s) {
    const users = await fetch(`${HUB}/demo/users`);
    assert(users.status === 404, `/demo/users answers 404 (got ${users.status})`);
    const signIn = await fetch(`${HUB}/demo/sign-in`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ user_id: EMMA }),
    });
    const body = await signIn.text();
    assert(signIn.status === 404, `/demo/sign-in answers 404 (got ${signIn.status})`);
    assert(!body.includes('token'), 'no token in the answer');
    const page = await s.page(await s.context(), 'visitor');
    await page.goto(`${HUB}/`);
    await page.waitForSelector('[data-testid="demo-off"]');
    assert((await text(page, '[data-testid="demo-off"] h2')) === 'Demo sign-in is off on this hub', 'the page says sign-in is off');
    assert(await page.$$eval('[data-testid^="sign-in-"]', (els) => els.length) === 0, 'nobody to sign in as');
  },
};

if (!scenarios[name]) {
  console.log(`usage: node scenarios.js ${Object.keys(scenarios).join('|')}`);
  process.exit(2);
}
scenario(name, scenarios[name]);
