// WedMe, the couple's side: the wedding, its forms with their progress, and the wedding's activity.
import { h, fill, ago, describeValue, humanize } from './ui.js';
import { activityCard } from './supplier.js';

/** @returns {() => void} cleanup */
export function coupleHome(ctx, root) {
  const { client } = ctx;
  const weddingId = ctx.me && ctx.me.weddings && ctx.me.weddings[0];
  const cleanups = [];
  const facts = h('div.facts', { 'data-testid': 'wedding-facts' });
  const title = h('h1', null, 'Your wedding');
  const formsList = h('ul.rows', { 'data-testid': 'forms' }, h('li.muted.pad', null, 'Loading forms…'));
  ctx.setCrumbs('Your wedding');

  const showWedding = (w) => {
    if (!w) return;
    const c = w.core || {};
    title.textContent = [c.partner1_name, c.partner2_name].filter(Boolean).join(' & ') || 'Your wedding';
    fill(facts,
      c.wedding_date ? h('span', null, new Date(c.wedding_date).toLocaleDateString([], { day: 'numeric', month: 'long', year: 'numeric' })) : null,
      c.ceremony_time ? h('span', null, `ceremony at ${c.ceremony_time}`) : null,
      c.venue_name ? h('span', null, c.venue_name, c.venue_address ? `, ${c.venue_address}` : '') : null,
      c.guest_count != null ? h('span', { 'data-testid': 'guest-count' }, `${c.guest_count} guests`) : null);
  };

  let wedding = null;
  const loadWedding = () => weddingId && client.http.get(`/api/v1/weddings/${weddingId}`).then((w) => {
    wedding = w;
    showWedding(w);
  }).catch(() => {});

  const loadForms = () => client.http.get('/api/v1/forms').then((r) => {
    const forms = (r.forms || []).filter((f) => !weddingId || f.wedding_id === weddingId);
    if (!forms.length) {
      fill(formsList, h('li.empty', null, 'No forms yet: your suppliers send them here.'));
      return;
    }
    fill(formsList, forms.map((f) => {
      const p = f.progress || { percent: 0 };
      return h('li', { 'data-testid': 'form-row', dataset: { formId: f.id } }, h('a.row-link', { href: `#/forms/${f.id}` },
        h('div.row-main', null, h('div.row-title', null, f.title), h('div.row-sub', null, f.supplier || '')),
        h('span', { class: `pill ${f.status}` }, f.status.replace('_', ' ')),
        h('div.progress', null, h('i', { style: `width:${p.percent}%` })),
        h('span.pct', null, `${p.percent}%`)));
    }));
  }).catch((e) => fill(formsList, h('li.empty', null, e.reason === 'offline' ? 'Offline: forms show when you are back.' : `Forms cannot be read: ${e.message}`)));

  fill(root,
    h('section.card.hero', null, h('div', null, title, facts)),
    h('div.grid2', null,
      h('section.card', null, h('h2', null, 'Forms from your suppliers'), formsList),
      weddingId ? activityCard(ctx, `wedding:${weddingId}`, cleanups, () => loadForms()) : h('div')));

  if (weddingId) {
    const channel = client.channel(`wedding:${weddingId}`);
    cleanups.push(channel.on('wedding:updated', (u) => {
      if (!wedding) return loadWedding();
      wedding = { ...wedding, core: { ...wedding.core, ...(u.changes || {}) } };
      showWedding(wedding);
    }));
    cleanups.push(() => channel.release());
  }
  loadWedding();
  loadForms();
  return () => cleanups.forEach((c) => c());
}

export { describeValue, humanize, ago };
