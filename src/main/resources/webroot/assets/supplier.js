// The supplier dashboard: clients with live status (active ones on top), a client's forms, the activity feed.
import { h, fill, ago, avatar, initials } from './ui.js';

const STATUS_TEXT = { online: 'Online', recent: 'Recently active', inactive: 'Inactive' };

/**
 * A live activity feed card: the first page over HTTP, new items slide in at the top.
 * @param {string} scope `supplier:{id}` or `wedding:{id}`
 * @param {Array<() => void>} cleanups
 * @param {(item: any) => void} [onItem]
 */
export function activityCard(ctx, scope, cleanups, onItem) {
  const feed = ctx.client.activity(scope, { limit: 30 });
  const list = h('ul.feed', { 'data-testid': 'activity' }, h('li.muted', null, 'Loading…'));
  const fresh = new Set();
  const item = (a) => h(`li${fresh.has(a.id) ? '.new' : ''}`, { 'data-testid': 'activity-item', dataset: { verb: a.verb } },
    avatar({ user_id: a.actor && a.actor.user_id, name: a.actor ? a.actor.name : 'WedSync' }, { small: true }),
    h('div.row-main', null, h('div', null, a.text), h('div.when', null, ago(a.at))));
  const render = (items) => {
    if (!items.length) fill(list, h('li.empty', null, 'Nothing has happened yet.'));
    else fill(list, items.map(item));
  };
  cleanups.push(feed.on('change', render));
  cleanups.push(feed.on('activity', (a) => {
    fresh.add(a.id);
    setTimeout(() => fresh.delete(a.id), 1500);
    if (onItem) onItem(a);
  }));
  cleanups.push(feed.on('error', () => fill(list, h('li.empty', null, 'The activity feed is not available right now.'))));
  cleanups.push(() => feed.close());
  if (feed.loaded) render(feed.items);
  return h('section.card', null, h('h2', null, 'Activity'), list);
}

/** @returns {() => void} cleanup */
export function supplierDashboard(ctx, root, selectedCouple) {
  const { client } = ctx;
  const supplierId = ctx.supplierId;
  const cleanups = [];
  const team = ctx.me && ctx.me.teams ? ctx.me.teams[supplierId] : null;
  const supplierName = ctx.supplierName || 'Your business';
  ctx.setCrumbs(selectedCouple ? 'Client' : 'Clients');
  let forms = [];
  const clientsBox = h('ul.rows', { 'data-testid': 'clients' }, h('li.muted.pad', null, 'Loading clients…'));
  const detail = h('section.card', { 'data-testid': 'client-detail' });

  const formTitle = (id) => (forms.find((f) => f.id === id) || {}).title || 'a form';
  const list = client.clients(supplierId);
  cleanups.push(() => list.close());

  const clientRow = (c) => h(`li.client-row${c.couple_id === selectedCouple ? '.selected' : ''}`, {
    'data-testid': 'client', dataset: { coupleId: c.couple_id, status: c.status, filling: c.filling_form_id || '' },
  }, h('a.row-link', { href: `#/clients/${c.couple_id}` },
    h('i', { class: `status-dot ${c.status}`, title: STATUS_TEXT[c.status] }),
    h('span.avatar', { style: 'background:#a78bfa' }, initials(c.name)),
    h('div.row-main', null,
      h('div.row-title', null, c.name),
      h('div.row-sub', null, c.status === 'online' ? 'Online now' : c.last_seen_at ? ago(c.last_seen_at, 'Last seen ') : 'Not seen yet')),
    c.filling_form_id ? h('span.pill.filling', { 'data-testid': 'client-filling' }, `Filling ${formTitle(c.filling_form_id)}`) : null,
    h(`span.pill.${c.status}`, { 'data-testid': 'client-status' }, STATUS_TEXT[c.status]),
    c.unread ? h('span.unread-count', { title: 'Unread notifications about your forms' }, String(c.unread)) : null));

  const renderClients = () => {
    const rows = list.list();
    if (!rows.length) fill(clientsBox, h('li.empty', null, list.loaded ? 'No clients yet.' : 'Loading clients…'));
    else fill(clientsBox, rows.map(clientRow));
    renderDetail();
  };

  const renderDetail = () => {
    if (!selectedCouple) {
      fill(detail, h('h2', null, 'Client'), h('div.empty', null, 'Pick a client to see their forms.'));
      return;
    }
    const c = list.get(selectedCouple);
    const theirs = forms.filter((f) => c && c.wedding_ids.includes(f.wedding_id));
    fill(detail,
      h('div.card-head', null, h('span', null, c ? c.name : 'Client'),
        c ? h(`span.pill.${c.status}`, null, STATUS_TEXT[c.status]) : null,
        c && c.filling_form_id ? h('span.pill.filling', null, `Filling ${formTitle(c.filling_form_id)} now`) : null),
      h('ul.rows', { 'data-testid': 'client-forms' }, theirs.length ? theirs.map((f) => {
        const p = f.progress || { percent: 0 };
        const filling = c && c.filling_form_id === f.id;
        return h('li', { 'data-testid': 'form-row', dataset: { formId: f.id } }, h('a.row-link', { href: `#/forms/${f.id}` },
          h('div.row-main', null, h('div.row-title', null, f.title),
            h('div.row-sub', null, filling ? h('b', { style: 'color:var(--accent)' }, '● currently filling') : f.status.replace('_', ' '))),
          h('span', { class: `pill ${f.status}` }, f.status.replace('_', ' ')),
          h('div.progress', null, h('i', { style: `width:${p.percent}%` })),
          h('span.pct', null, `${p.percent}%`)));
      }) : h('li.empty', null, c ? 'No forms for this client yet.' : 'Loading…')));
  };

  const loadForms = () => client.http.get('/api/v1/forms').then((r) => {
    forms = (r.forms || []).filter((f) => f.supplier_id === supplierId);
    renderClients();
  }).catch(() => {});

  cleanups.push(list.on('change', renderClients));
  // A client opened or left a form, or came and went: its progress may have moved, read the forms again (once).
  let reread = null;
  cleanups.push(list.on('status', () => {
    clearTimeout(reread);
    reread = setTimeout(loadForms, 300);
  }));
  cleanups.push(() => clearTimeout(reread));
  cleanups.push(list.on('error', (e) => fill(clientsBox, h('li.empty', { 'data-testid': 'clients-error' },
    `Client status is not available: ${e.detail || e.reason || e.message}`))));

  fill(root,
    h('section.card.hero', null, h('div', null, h('h1', null, supplierName),
      h('div.facts', null, h('span', null, `Signed in as ${ctx.me ? ctx.me.user.name : ''}`), team ? h('span', null, `Team role: ${team}`) : null))),
    h('div.grid2', null,
      h('div', { style: 'display:grid;gap:20px' },
        h('section.card', null, h('h2', null, 'Clients ', h('span.muted', { style: 'font-weight:400' }, '— active clients first')), clientsBox),
        detail),
      activityCard(ctx, `supplier:${supplierId}`, cleanups, () => loadForms())));
  if (list.loaded) renderClients();
  renderDetail();
  loadForms();
  return () => cleanups.forEach((c) => c());
}
