// Shared helpers of the browser scenarios: Debian's Chromium driven by playwright-core, people signing in through the
// demo page, waits on conditions (never fixed sleeps), and screenshots of every open page when a scenario fails.
import { chromium } from 'playwright-core';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

export const HUB = process.env.HUB_URL || 'http://127.0.0.1:4000';
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
/** Generous for a loaded 2-core machine; every wait ends as soon as its condition holds. */
export const WAIT = Number(process.env.WAIT_MS || 20_000);

export const EMMA = '11111111-0000-0000-0000-000000000001';
export const SARAH = '11111111-0000-0000-0000-000000000006';
export const COUPLE_1 = '33333333-0000-0000-0000-000000000001';

export const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-sync', '--disable-dev-shm-usage'];

export function launch() {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/**
 * Runs a scenario: a browser, its contexts and pages tracked for the failure screenshots; exits 0 or 1.
 * @param {string} name
 * @param {(s: Session) => Promise<void>} body
 */
export async function scenario(name, body) {
  const started = Date.now();
  // Screenshots of an earlier failure of this scenario would only mislead now.
  for (const f of safeList(shotsDir())) if (f.startsWith(`${name}-`) && f.endsWith('.png')) rmSync(join(shotsDir(), f), { force: true });
  const browser = await launch();
  const s = new Session(browser, name);
  let failed = null;
  try {
    await body(s);
  } catch (error) {
    failed = error;
  }
  if (failed) {
    console.log(`FAIL ${name}: ${failed && failed.stack ? failed.stack : failed}`);
    await s.screenshots();
    for (const line of s.logs.slice(-80)) console.log(line);
  } else {
    console.log(`PASS ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  await browser.close().catch(() => {});
  process.exit(failed ? 1 : 0);
}

export class Session {
  constructor(browser, name) {
    this.browser = browser;
    this.name = name;
    this.pages = [];
    this.logs = [];
  }

  /** A new browser context: another person on another device. */
  async context(options = {}) {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 860 }, ...options });
    context.setDefaultTimeout(WAIT);
    return context;
  }

  /** A page of a context, its console and errors kept for the failure report. */
  async page(context, label) {
    const page = await context.newPage();
    this.pages.push({ page, label });
    page.on('console', (m) => this.logs.push(`[${label} console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => this.logs.push(`[${label} pageerror] ${e.message}`));
    return page;
  }

  /** A person signs in through the demo page (as a user would) and lands on the app. */
  async signIn(context, userId, label) {
    const page = await this.page(context, label);
    await page.goto(`${HUB}/`);
    await page.click(`[data-testid="sign-in-${userId}"]`);
    await page.waitForURL(/\/app\.html/);
    await connected(page);
    return page;
  }

  async screenshots() {
    const dir = shotsDir();
    mkdirSync(dir, { recursive: true });
    let i = 0;
    for (const { page, label } of this.pages) {
      if (page.isClosed()) continue;
      const file = join(dir, `${this.name}-${++i}-${label}.png`);
      await page.screenshot({ path: file, fullPage: true }).then(() => console.log(`screenshot: ${file}`), () => {});
    }
  }
}

/** The connection dot says connected. */
export function connected(page) {
  return page.waitForSelector('[data-testid="connection-dot"][data-state="connected"]');
}

export async function openForm(page, formId) {
  await page.evaluate((id) => {
    location.hash = `#/forms/${id}`;
  }, formId);
  await page.waitForSelector(`[data-testid="form-card"][data-form-id="${formId}"] [data-testid="fields"]`);
}

/** Waits until `fn(arg)` is truthy in the page. */
export function until(page, fn, arg) {
  return page.waitForFunction(fn, arg, { timeout: WAIT });
}

/** The text of an element, trimmed. */
export async function text(page, selector) {
  return ((await page.textContent(selector)) || '').trim();
}

export function assert(condition, message) {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}

/** The hub's open-connection gauge (hub_connections on /metrics). */
export async function hubConnections() {
  const r = await fetch(`${HUB}/metrics`);
  const body = await r.text();
  const m = body.match(/^hub_connections(?:\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/m);
  if (!m) throw new Error('no hub_connections gauge on /metrics');
  return Number(m[1]);
}

/** Polls `probe` until `check(value)` holds (for things outside a page, like /metrics). */
export async function eventually(probe, check, what, timeoutMs = WAIT) {
  const start = Date.now();
  let last;
  for (;;) {
    last = await probe();
    if (check(last)) return last;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function field(key) {
  return `[data-testid="field-${key}"]`;
}

export function input(key) {
  return `[data-testid="input-${key}"]`;
}

function shotsDir() {
  return process.env.SHOTS_DIR || join('..', '..', '..', 'target', 'browser-failures');
}

function safeList(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
