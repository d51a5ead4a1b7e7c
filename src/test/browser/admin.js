// The sync-health page (/admin) in real headless Chromium: `node admin.js NAME` runs one scenario against the hub at
// HUB_URL (AdminBrowserTest starts it, creates a fresh form, FORM_ID, and an outbox dead letter before "live").
import { scenario, until, text, assert, openForm, input, HUB, EMMA, SARAH } from './support.js';

const AVA = '11111111-0000-0000-0000-000000000015';
const FORM = process.env.FORM_ID;
const name = process.argv[2];

/** Signs in on the demo page as that person, then opens /admin in the same browser context (same session). */
async function adminPage(s, userId, label) {
  const page = await s.page(await s.context(), label);
  await page.goto(`${HUB}/`);
  await page.click(`[data-testid="sign-in-${userId}"]`);
  await page.waitForURL(/\/app\.html/);
  await page.goto(`${HUB}/admin`);
  return page;
}

const number = (page, testid) => until(page, (id) => {
  const el = document.querySelector(`[data-testid="${id}"]`);
  return el && el.textContent.trim() !== '' && !Number.isNaN(Number(el.textContent)) ? Number(el.textContent) : null;
}, testid).then((h) => h.jsonValue());

const scenarios = {
  /** A supplier (not an admin) is told plainly that the page is for admins. */
  async adminRefused(s) {
    const sarah = await adminPage(s, SARAH, 'sarah');
    await sarah.waitForSelector('[data-testid="admin-refused"]');
    const said = await text(sarah, '[data-testid="admin-refused"]');
    assert(said.includes('Admins only') && said.includes('Sarah Jones is not an admin'), `refusal says why: ${said}`);
    assert(!(await sarah.$('[data-testid="total-connections"]')), 'no numbers shown');
  },

  /** Ava sees live numbers move as Emma connects and edits, charts fill, and the dead-letter alert with its since. */
  async adminLive(s) {
    const ava = await adminPage(s, AVA, 'ava');
    await ava.waitForSelector('[data-testid="live"][data-state="on"]');
    const connections = await number(ava, 'total-connections');
    const messagesIn = await number(ava, 'total-messages-in-1m');

    const emma = await s.page(await s.context(), 'emma');
    await emma.goto(`${HUB}/`);
    await emma.click(`[data-testid="sign-in-${EMMA}"]`);
    await emma.waitForURL(/\/app\.html/);
    await until(ava, (n) => Number(document.querySelector('[data-testid="total-connections"]').textContent) > n, connections);

    await openForm(emma, FORM);
    await emma.fill(input('couple_names'), 'Emma & James');
    await emma.click('[data-testid="form-title"]');
    await until(ava, (n) => Number(document.querySelector('[data-testid="total-messages-in-1m"]').textContent) > n,
      messagesIn);
    await until(ava, () => document.querySelector('[data-testid="total-latency-1m"]').textContent.includes('ms'));
    await until(ava, () => Number(document.querySelector('[data-testid="chart-connections"]').dataset.points) >= 3);

    await ava.waitForSelector('[data-testid="alert-outbox_dead_letters"]');
    const alert = await text(ava, '[data-testid="alert-outbox_dead_letters"]');
    assert(alert.includes('gave up') && /since \d/.test(alert), `the alert says what and since when: ${alert}`);
    const row = await ava.$eval('[data-testid="nodes"] tr[data-status="up"]', (el) => el.textContent);
    assert(row.includes('ok'), `PostgreSQL shows ok with its latency: ${row}`);
  },
};

if (!scenarios[name]) {
  console.log(`unknown scenario ${name}; one of ${Object.keys(scenarios).join(', ')}`);
  process.exit(2);
}
scenario(name, scenarios[name]);
