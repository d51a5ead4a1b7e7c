// The bell: unread badge, a dropdown grouped by day, mark read/unread, filter by type, mark all read, clear all.
import { h, fill, dayLabel, clockTime, toast, onOutsideClick, icon } from './ui.js';
import { withMentions } from './notes.js';

const TYPES = [
  ['', 'All types'],
  ['mention', 'Mentions'],
  ['note_added', 'Notes'],
  ['form_submitted', 'Forms submitted'],
  ['form_completed', 'Forms completed'],
  ['core_field_changed', 'Wedding details'],
  ['lock_broken', 'Fields taken over'],
];

/**
 * @param {{client: any, people: Map<string, any>, navigate: (hash: string) => void}} ctx
 * @param {HTMLElement} wrap
 */
export function mountBell(ctx, wrap) {
  const bell = ctx.client.bell({ limit: 30 });
  const badge = h('span.badge', { 'data-testid': 'bell-badge', hidden: true }, '0');
  const button = h('button.bell-btn', { type: 'button', 'data-testid': 'bell', 'aria-label': 'Notifications' }, icon('bell', 18), badge);
  wrap.append(button);
  let pop = null;
  let stopOutside = null;
  let filter = { type: '', unread: false };

  const renderBadge = () => {
    badge.textContent = bell.unread > 99 ? '99+' : String(bell.unread);
    badge.hidden = bell.unread === 0;
    badge.dataset.count = String(bell.unread);
    if (bell.loaded) badge.dataset.loaded = 'true';
  };

  const item = (n) => {
    const at = n.created_at;
    return h(`div.note-item.${n.read ? 'read' : 'unread'}`, {
      'data-testid': 'notification', dataset: { type: n.type, id: n.id },
      onclick: () => {
        if (!n.read) bell.markRead(n.id).catch(() => toast('Could not mark it read', { kind: 'warn' }));
        if (n.data && n.data.form_id) {
          close();
          ctx.navigate(`#/forms/${n.data.form_id}`);
        }
      },
    },
    h('i.unread-dot'),
    h('div.row-main', null,
      h('div.title', null, n.title),
      n.body ? h('div', null, withMentions(n.body, ctx.people)) : null,
      h('div.meta', null, clockTime(at))),
    h('button.btn.small.ghost', {
      type: 'button', 'data-testid': n.read ? 'mark-unread' : 'mark-read', title: n.read ? 'Mark unread' : 'Mark read',
      onclick: (e) => {
        e.stopPropagation();
        (n.read ? bell.markUnread(n.id) : bell.markRead(n.id)).catch(() => toast('The hub did not take that', { kind: 'warn' }));
      },
    }, n.read ? 'Mark unread' : 'Mark read'));
  };

  const renderList = (list) => {
    if (!list) return;
    const items = bell.items;
    if (!items.length) {
      fill(list, h('div.empty', null, filter.unread || filter.type ? 'Nothing matches this filter.' : 'You are all caught up.'));
      return;
    }
    const days = new Map();
    for (const n of items) {
      const day = dayLabel(n.created_at);
      if (!days.has(day)) days.set(day, []);
      days.get(day).push(n);
    }
    fill(list, [...days].map(([day, ns]) => [h('div.bell-day', { 'data-testid': 'bell-day' }, day), ns.map(item)]));
  };

  const render = () => {
    if (!pop) return;
    const typeSelect = h('select', {
      'data-testid': 'bell-filter', 'aria-label': 'Filter by type',
      onchange: (e) => {
        filter = { ...filter, type: e.target.value };
        bell.setFilter({ unread: filter.unread, type: filter.type || undefined }).catch(() => {});
      },
    }, TYPES.map(([v, label]) => h('option', { value: v, selected: v === filter.type }, label)));
    const unreadBox = h('input', {
      type: 'checkbox', checked: filter.unread, 'data-testid': 'bell-unread-only',
      onchange: (e) => {
        filter = { ...filter, unread: e.target.checked };
        bell.setFilter({ unread: filter.unread, type: filter.type || undefined }).catch(() => {});
      },
    });
    const list = h('div.bell-list');
    fill(pop, h('div.bell-pop', { 'data-testid': 'bell-dropdown' },
      h('div.bell-head', null, h('h3', null, 'Notifications'),
        h('button.btn.small', { type: 'button', 'data-testid': 'read-all', onclick: () => bell.readAll().catch(() => {}) }, 'Mark all read'),
        h('button.btn.small', { type: 'button', 'data-testid': 'clear-all', onclick: () => bell.clearAll().catch(() => {}) }, 'Clear all')),
      h('div.bell-tools', null, typeSelect, h('label.choice', null, unreadBox, 'Unread only')),
      list));
    renderList(list);
  };

  const close = () => {
    if (pop) pop.remove();
    pop = null;
    if (stopOutside) stopOutside();
  };

  button.addEventListener('click', () => {
    if (pop) {
      close();
      return;
    }
    pop = h('div.popover');
    wrap.append(pop);
    render();
    stopOutside = onOutsideClick(wrap, close);
  });

  bell.on('count', renderBadge);
  bell.on('change', () => {
    renderBadge();
    if (pop) renderList(pop.querySelector('.bell-list'));
  });
  // A wedding detail's change already has its own toast (from wedding:updated): one toast per event.
  bell.on('notification', (n) => n.type !== 'core_field_changed' && toast(n.title, { testid: 'notification-toast' }));
  renderBadge();
  return bell;
}
