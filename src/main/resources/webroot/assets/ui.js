// Small DOM helpers for the demo app: no framework, just elements.
import { colorFor } from '/lib/realtime-client/index.js';

/**
 * Creates an element: h('div.card#main', {onclick, dataset: {...}, 'data-testid': 'x'}, child, 'text', …).
 * @param {string} spec tag with optional .classes and #id
 * @param {Record<string, any> | null} [attrs]
 * @param {...any} children strings, nodes, arrays, null/false (skipped)
 */
export function h(spec, attrs, ...children) {
  const [, tag = 'div', rest = ''] = spec.match(/^([a-z0-9-]*)(.*)$/i) || [];
  const el = document.createElement(tag || 'div');
  for (const part of rest.match(/[.#][^.#]+/g) || []) {
    if (part[0] === '.') el.classList.add(part.slice(1));
    else el.id = part.slice(1);
  }
  if (attrs) {
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'class') el.className += ` ${v}`;
      else if (k === 'text') el.textContent = v;
      else if (k in el && typeof v !== 'string') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export function initials(name) {
  return String(name || '?').split(/\s+/).filter(Boolean).slice(0, 2).map((p) => p[0].toUpperCase()).join('') || '?';
}

/** A round avatar with initials in the person's stable colour; `status` adds the presence dot. */
export function avatar(person, { status = null, small = false, title = null } = {}) {
  const id = person.user_id || person.id;
  const el = h(`span.avatar${small ? '.sm' : ''}`, { title: title || person.name || '', style: `background:${person.color || colorFor(id)}` },
    initials(person.name));
  if (status) el.append(h(`i.dot.${status}`));
  return el;
}

const UNITS = [
  ['year', 365 * 86400], ['month', 30 * 86400], ['week', 7 * 86400], ['day', 86400], ['hour', 3600], ['minute', 60],
];

/** "just now", "2 minutes ago", "3 days ago". */
export function timeAgo(at, now = Date.now()) {
  if (!at) return 'never';
  const t = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(t)) return '';
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 45) return 'just now';
  for (const [unit, secs] of UNITS) {
    if (s >= secs) {
      const n = Math.round(s / secs);
      return `${n} ${unit}${n === 1 ? '' : 's'} ago`;
    }
  }
  const n = Math.max(1, Math.round(s / 60));
  return `${n} minute${n === 1 ? '' : 's'} ago`;
}

export function clockTime(at) {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? '' : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** "Today", "Yesterday", or the date, for grouping by the local day. */
export function dayLabel(at, now = new Date()) {
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return 'Earlier';
  const key = (x) => `${x.getFullYear()}-${x.getMonth()}-${x.getDate()}`;
  if (key(d) === key(now)) return 'Today';
  const y = new Date(now);
  y.setDate(now.getDate() - 1);
  if (key(d) === key(y)) return 'Yesterday';
  return d.toLocaleDateString([], { weekday: 'short', day: 'numeric', month: 'short' });
}

/** Keeps "… ago" texts current: elements with data-ago are refreshed every 15 s. */
export function startAgoTicker() {
  setInterval(() => {
    for (const el of document.querySelectorAll('[data-ago]')) {
      el.textContent = `${el.dataset.agoPrefix || ''}${timeAgo(el.dataset.ago)}`;
    }
  }, 15_000);
}

export function ago(at, prefix = '') {
  const d = at ? new Date(at) : null;
  const iso = d && !Number.isNaN(d.getTime()) ? d.toISOString() : '';
  return h('span', { dataset: { ago: iso, agoPrefix: prefix } }, `${prefix}${timeAgo(at)}`);
}

/** A toast in the corner for a few seconds. */
export function toast(text, { kind = '', ms = 5000, testid = 'toast' } = {}) {
  const box = document.getElementById('toasts');
  if (!box) return;
  const el = h(`div.toast${kind ? `.${kind}` : ''}`, { 'data-testid': testid, role: 'status' }, text);
  box.append(el);
  setTimeout(() => el.remove(), ms);
}

/** The value of a field, in words (toasts, conflict dialog, activity). */
export function describeValue(value) {
  if (value === null || value === undefined || value === '') return '(empty)';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'object' && v ? v.text || v.label || v.id : v)).join(', ') || '(empty)';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** "guest_count" → "Guest count". */
export function humanize(key) {
  const s = String(key || '').replace(/_/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Closes popovers when clicking elsewhere. */
export function onOutsideClick(el, close) {
  const handler = (e) => {
    // The path as dispatched: a click that re-rendered (detached) its own target still counts as inside.
    const path = typeof e.composedPath === 'function' ? e.composedPath() : [e.target];
    if (!path.includes(el)) close();
  };
  setTimeout(() => document.addEventListener('click', handler), 0);
  return () => document.removeEventListener('click', handler);
}

const ICONS = {
  bell: 'M12 3a6 6 0 0 0-6 6v3.6L4.3 16a1 1 0 0 0 .9 1.5h13.6a1 1 0 0 0 .9-1.5L18 12.6V9a6 6 0 0 0-6-6Zm-2.5 16a2.5 2.5 0 0 0 5 0Z',
  lock: 'M7 10V8a5 5 0 0 1 10 0v2h1a1 1 0 0 1 1 1v9a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-9a1 1 0 0 1 1-1Zm2 0h6V8a3 3 0 0 0-6 0Z',
  pen: 'M4 20h4L19 9l-4-4L4 16Zm13.5-16.5 3 3-1.5 1.5-3-3Z',
  warn: 'M12 3 1.5 21h21Zm-1 6h2v6h-2Zm0 8h2v2h-2Z',
};

/** A small inline SVG icon (no icon font or emoji needed). */
export function icon(name, size = 16) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('icon');
  const path = document.createElementNS(ns, 'path');
  path.setAttribute('d', ICONS[name] || '');
  path.setAttribute('fill', 'currentColor');
  svg.append(path);
  return svg;
}
