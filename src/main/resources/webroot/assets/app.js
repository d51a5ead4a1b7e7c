// The demo app: one RealtimeClient (shared by this user's tabs), the couple's or the supplier's views, and what is
// everywhere — the connection dot, the offline banner, the bell, toasts, the conflict dialog.
import { RealtimeClient } from '/lib/realtime-client/index.js';
import { h, fill, avatar, toast, describeValue, humanize, startAgoTicker, clockTime } from './ui.js';
import { loadSession, saveSession, clearSession, signIn, demoUsers, registerServiceWorker } from './session.js';
import { mountConnection } from './connection.js';
import { mountBell } from './bell.js';
import { coupleHome } from './couple.js';
import { supplierDashboard } from './supplier.js';
import { formView } from './form-view.js';

const session = loadSession();
if (!session) {
  location.replace('/');
  throw new Error('not signed in'); // stops this module; the sign-in page loads
}

const userId = session.user.id;
const ME_KEY = `wedsync-demo:me:${userId}`;
const PEOPLE_KEY = 'wedsync-demo:people';
const SYNCED_KEY = `wedsync-demo:last-synced:${userId}`;

const client = new RealtimeClient({
  url: `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/realtime/v1`,
  token: session.token,
  // Demo tokens live two hours: the library asks for a fresh one before the current one runs out.
  getToken: async () => {
    try {
      const fresh = await signIn(userId);
      return fresh.token;
    } catch (error) {
      if (error.status === 404 || error.status === 400) return null; // sign-in is gone: back to the sign-in page
      throw error;
    }
  },
  onUnauthorized: () => {
    clearSession();
    location.replace('/');
  },
  shareAcrossTabs: true,
});

const ctx = {
  client,
  me: readJson(ME_KEY),
  session,
  role: null,
  supplierId: null,
  supplierName: null,
  people: new Map(),
  navigate: (hash) => {
    if (location.hash === hash) route();
    else location.hash = hash;
  },
  setCrumbs,
  showConflict,
  lastSynced: () => Number(localStorage.getItem(SYNCED_KEY)) || null,
};
window.demo = ctx; // for the browser console (and the browser tests' diagnostics)

// ---- the people of the demo (names for mentions), kept for offline use -----------------------------------------

function setPeople(users) {
  ctx.people = new Map(users.map((u) => [u.id, u]));
  const mine = ctx.people.get(userId);
  if (mine && mine.teams.length) ctx.supplierName = mine.teams[0].name;
}
setPeople(readJson(PEOPLE_KEY) || []);
demoUsers().then((users) => {
  localStorage.setItem(PEOPLE_KEY, JSON.stringify(users));
  setPeople(users);
}).catch(() => {});

// ---- who this is ---------------------------------------------------------------------------------------------

function applyMe(me) {
  if (!me) return;
  ctx.me = me;
  localStorage.setItem(ME_KEY, JSON.stringify(me));
  const teams = Object.keys(me.teams || {});
  ctx.role = teams.length ? 'supplier' : (me.couples || []).length ? 'couple' : 'none';
  ctx.supplierId = teams[0] || null;
  document.body.dataset.role = ctx.role;
  document.getElementById('side-label').textContent = ctx.role === 'supplier' ? 'for suppliers' : ctx.role === 'couple' ? 'WedMe' : '';
  watchWeddings(me.weddings || []);
}

function renderMe() {
  const box = document.getElementById('me');
  fill(box, avatar(session.user), h('span.name', { 'data-testid': 'me-name' }, session.user.name),
    h('button.btn.small', {
      type: 'button', 'data-testid': 'sign-out',
      onclick: async () => {
        await client.close().catch(() => {});
        clearSession();
        location.replace('/');
      },
    }, 'Sign out'));
}

// ---- core-field toasts: the wedding's facts changed (e.g. "Guest count changed to 150") ------------------------

const watched = new Map();
function watchWeddings(ids) {
  for (const id of ids) {
    if (watched.has(id)) continue;
    const ch = client.channel(`wedding:${id}`, { primary: true });
    ch.on('wedding:updated', (u) => {
      if (u.by && u.by.user_id === client.userId) return;
      for (const [fact, value] of Object.entries(u.changes || {})) {
        toast(`${humanize(fact)} changed to ${describeValue(value)}${u.by && u.by.name ? ` by ${u.by.name}` : ''}`, { testid: 'core-toast' });
      }
    });
    watched.set(id, ch);
  }
}

// ---- the conflict dialog --------------------------------------------------------------------------------------

const conflicts = [];
function showConflict(conflict, label) {
  return new Promise((resolve) => {
    conflicts.push({ conflict, label, resolve });
    if (conflicts.length === 1) openConflict();
  });
}

function openConflict() {
  const next = conflicts[0];
  if (!next) return;
  const { conflict, label, resolve } = next;
  const dialog = document.getElementById('conflict');
  const cur = conflict.current || {};
  const done = (choice) => {
    dialog.close();
    conflicts.shift();
    Promise.resolve(choice === 'mine' ? conflict.forceMine() : conflict.keepTheirs()).catch(() => {});
    toast(choice === 'mine' ? `Kept your ${label}` : `Took the other version of ${label}`);
    resolve(choice);
    openConflict();
  };
  fill(dialog, h('div.conflict-body', null,
    h('h2', null, `${label} was changed while you were away`),
    h('p.muted', null, `${cur.by && cur.by.name ? cur.by.name : 'Someone'} changed it${cur.at ? ` at ${clockTime(cur.at)}` : ''}. Which version should stay?`),
    h('div.versions', null,
      h('div.version', null, h('h4', null, 'Yours'), h('div.val', { 'data-testid': 'conflict-mine' }, describeValue(conflict.mine))),
      h('div.version', null, h('h4', null, `Theirs${cur.by && cur.by.name ? ` (${cur.by.name})` : ''}`),
        h('div.val', { 'data-testid': 'conflict-theirs' }, describeValue(conflict.theirs)))),
    h('div.conflict-actions', null,
      h('button.btn', { type: 'button', 'data-testid': 'conflict-use-theirs', onclick: () => done('theirs') }, 'Use theirs'),
      h('button.btn.primary', { type: 'button', 'data-testid': 'conflict-keep-mine', onclick: () => done('mine') }, 'Keep mine'))));
  dialog.dataset.field = conflict.field;
  if (!dialog.open) dialog.showModal();
}

// ---- routing ---------------------------------------------------------------------------------------------------

const view = document.getElementById('view');
let cleanup = null;

function setCrumbs(text) {
  fill(document.getElementById('crumbs'), h('a', { href: '#/' }, ctx.role === 'supplier' ? 'Dashboard' : 'Home'), text ? ` / ${text}` : '');
  document.title = text ? `${text} · WedSync` : 'WedSync';
}

function route() {
  if (cleanup) cleanup();
  cleanup = null;
  const hash = location.hash.replace(/^#/, '') || '/';
  const form = hash.match(/^\/forms\/([0-9a-fA-F-]{36})$/);
  const clientMatch = hash.match(/^\/clients\/([0-9a-fA-F-]{36})$/);
  view.dataset.route = form ? 'form' : clientMatch ? 'client' : 'home';
  if (form) {
    cleanup = formView(ctx, form[1], view);
    return;
  }
  if (!ctx.me) {
    fill(view, h('div.card.pad', { 'data-testid': 'waiting-for-hub' }, 'Waiting for the hub…'));
    return;
  }
  if (ctx.role === 'supplier') cleanup = supplierDashboard(ctx, view, clientMatch ? clientMatch[1] : null);
  else if (ctx.role === 'couple') cleanup = coupleHome(ctx, view);
  else fill(view, h('div.card.pad', null, h('h2', null, `Hello ${session.user.name}`),
    h('p.muted', null, 'This account is on no couple and no supplier team, so there is nothing to show. Sign in as someone else.')));
}

// ---- last synced: connected with nothing waiting -----------------------------------------------------------------

function markSynced() {
  if (client.state === 'connected' && client.queuedCount === 0) localStorage.setItem(SYNCED_KEY, String(Date.now()));
}
setInterval(markSynced, 2000);

// ---- offline: the service worker keeps every file this page loaded ----------------------------------------------

async function keepForOffline() {
  const reg = await registerServiceWorker();
  if (!reg || !navigator.serviceWorker) return;
  await navigator.serviceWorker.ready;
  const urls = [location.pathname, ...performance.getEntriesByType('resource').map((e) => e.name)]
    .filter((u) => new URL(u, location.href).origin === location.origin);
  const worker = navigator.serviceWorker.controller || reg.active;
  if (!worker) return;
  navigator.serviceWorker.addEventListener('message', (e) => {
    if (e.data && e.data.type === 'cached') document.body.dataset.offlineReady = 'true';
  });
  navigator.serviceWorker.startMessages();
  worker.postMessage({ type: 'cache', urls });
}

// ---- start -----------------------------------------------------------------------------------------------------

renderMe();
if (ctx.me) applyMe(ctx.me);
mountConnection(ctx, document.getElementById('conn-wrap'), document.getElementById('offline-banner'));
client.on('me', (me) => {
  const first = !ctx.me || ctx.role === null;
  applyMe(me);
  if (first || view.dataset.route !== 'form') route();
});
client.on('synced', (o) => {
  if (o.result === 'rejected') toast(`A change made offline was refused: ${o.detail || o.reason}`, { kind: 'warn' });
  markSynced();
});
client.on('queue', markSynced);
client.on('state', markSynced);
window.addEventListener('hashchange', route);
startAgoTicker();
client.connect().then((me) => me && applyMe(me)).catch(() => {});
mountBell(ctx, document.getElementById('bell-wrap'));
route();
keepForOffline().catch(() => {});

function readJson(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

export { saveSession };
