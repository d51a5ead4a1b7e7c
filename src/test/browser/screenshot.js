// Takes the README's picture (docs/demo.png) of the demo app with the browser tests' Chromium: the couple's form
// (left) while a supplier's team member edits a field, and the supplier's dashboard (right) with the couple online.
//
//   scripts/hub &                                    # a hub with demo data on :4000
//   (cd src/test/browser && npm ci)                  # playwright-core, once
//   node src/test/browser/screenshot.js [HUB_URL] [OUT]   # defaults: http://127.0.0.1:4000, docs/demo.png
import { launch, EMMA, SARAH } from './support.js';
import { readFileSync } from 'node:fs';

const hub = process.argv[2] || process.env.HUB_URL || 'http://127.0.0.1:4000';
const out = process.argv[3] || 'docs/demo.png';
const TOM = '11111111-0000-0000-0000-000000000007';
const FORM = '55555555-0000-0000-0000-000000000001';
const SIZE = { width: 960, height: 900 };

const browser = await launch();
try {
  const person = async (userId, hash) => {
    const context = await browser.newContext({ viewport: SIZE, deviceScaleFactor: 1 });
    context.setDefaultTimeout(30_000);
    const page = await context.newPage();
    await page.goto(`${hub}/`);
    await page.click(`[data-testid="sign-in-${userId}"]`);
    await page.waitForSelector('[data-testid="connection-dot"][data-state="connected"]');
    if (hash) {
      await page.evaluate((h) => (location.hash = h), hash);
    }
    return page;
  };
  const emma = await person(EMMA, `#/forms/${FORM}`);
  await emma.waitForSelector('[data-testid="fields"]');
  const sarah = await person(SARAH, '#/clients/33333333-0000-0000-0000-000000000001');
  const tom = await person(TOM, `#/forms/${FORM}`);
  await tom.waitForSelector('[data-testid="fields"]');
  await emma.waitForSelector('[data-testid="presence"][data-count="2"]');
  // Emma picks a style: the form starts, its progress moves, the supplier's activity feed says so.
  await emma.selectOption('[data-testid="input-style"]', 'documentary');
  await sarah.waitForSelector('[data-testid="activity-item"]');
  // Tom edits the guest count (locked for Emma) while Emma looks.
  await tom.click('[data-testid="input-guest_count"]');
  await emma.waitForSelector('[data-testid="field-guest_count"][data-locked="true"]');
  await tom.keyboard.press('End');
  await tom.keyboard.type('0', { delay: 120 });
  await emma.waitForSelector('[data-testid="field-guest_count"] [data-testid="typing"]:not([hidden])');
  await sarah.waitForSelector('[data-testid="client"][data-status="online"]');
  const left = await emma.screenshot();
  const right = await sarah.screenshot();
  await tom.keyboard.press('Backspace');
  await tom.keyboard.press('Tab');

  const canvas = await browser.newPage({ viewport: { width: SIZE.width * 2 + 24, height: SIZE.height + 24 } });
  const img = (b) => `data:image/png;base64,${b.toString('base64')}`;
  await canvas.setContent(`<body style="margin:0;background:#d9d3ea;display:flex;gap:8px;padding:8px">
    <img src="${img(left)}" style="border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.2)">
    <img src="${img(right)}" style="border-radius:8px;box-shadow:0 4px 16px rgba(0,0,0,.2)"></body>`);
  await canvas.waitForFunction(() => [...document.images].every((i) => i.complete));
  await canvas.screenshot({ path: out });
  console.log(`wrote ${out} (${readFileSync(out).length} bytes)`);
} finally {
  await browser.close();
}
