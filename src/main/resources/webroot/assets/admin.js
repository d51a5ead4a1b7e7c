// The sync-health page (/admin): GET /api/v1/admin/sync-health for the last 15 minutes, then the admin:health
// channel's push every second. Admins only: anyone else is told so. Charts are plain SVG polylines.
import { Socket } from 'phoenix';

const KEY = 'wedsync-demo:session';
const root = document.getElementById('admin');
const live = document.getElementById('live');
const MAX_POINTS = 900;
let points = [];
let view = null;

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

function session() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || 'null');
    return s && s.token && s.user ? s : null;
  } catch {
    return null;
  }
}

function refused(title, text) {
  root.replaceChildren(h('div', { class: 'card refused', 'data-testid': 'admin-refused' },
    h('h2', null, title), h('p', null, text), h('p', null, h('a', { href: '/' }, 'Sign in as someone else'))));
}

const fmt = (v, digits = 1) => (v === null || v === undefined ? '—' : Number(v).toFixed(digits).replace(/\.0+$/, ''));
const pct = (v) => (v === null || v === undefined ? '—' : `${(v * 100).toFixed(1)} %`);
const ms = (v) => (v === null || v === undefined ? '—' : `${fmt(v)} ms`);
const ago = (iso) => {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.floor(s / 60)} min ago` : `${Math.floor(s / 3600)} h ago`;
};

function tile(label, value, testid) {
  return h('div', { class: 'tile' }, h('div', { class: 'label' }, label), h('div', { class: 'value', 'data-testid': testid }, value));
}

/** A small line chart of one series of the points (null values leave gaps at zero). */
function chart(title, key, unit) {
  const values = points.map((p) => (p[key] === null || p[key] === undefined ? 0 : Number(p[key])));
  const max = Math.max(1, ...values);
  const w = 300;
  const hgt = 70;
  const step = values.length > 1 ? w / (MAX_POINTS - 1) : w;
  const offset = w - (values.length - 1) * step;
  const line = values.map((v, i) => `${(offset + i * step).toFixed(1)},${(hgt - 2 - (v / max) * (hgt - 6)).toFixed(1)}`).join(' ');
  const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  const poly = document.createElementNS('http://www.w3.org/2000/svg', 'polyline');
  poly.setAttribute('points', line);
  svg.append(poly);
  const last = values.length ? values[values.length - 1] : 0;
  return h('div', { class: 'card chart', 'data-testid': `chart-${key}`, 'data-points': values.length },
    h('span', { class: 'now' }, `${fmt(last)}${unit}`), h('h2', null, title), svg,
    h('div', { class: 'muted' }, `last 15 minutes · max ${fmt(max)}${unit}`));
}

function alerts(list) {
  if (!list.length) return h('div', { class: 'card', 'data-testid': 'alerts', 'data-count': 0 }, h('h2', null, 'Alerts'), h('div', { class: 'ok-line' }, 'No alerts'));
  return h('div', { class: 'card', 'data-testid': 'alerts', 'data-count': list.length }, h('h2', null, 'Alerts'),
    h('div', { class: 'alerts' }, list.map((a) => h('div', { class: `alert ${a.severity}`, 'data-testid': `alert-${a.name}` },
      h('b', null, a.name.replace(/_/g, ' ')), ' — ', a.message, ' ',
      h('span', { class: 'since', 'data-testid': 'since' }, `since ${new Date(a.since).toLocaleTimeString()} (${ago(a.since)})`)))));
}

function dep(d) {
  if (!d) return '—';
  if (d.status === 'not_used') return 'not used';
  return h('span', { class: d.status === 'ok' ? '' : 'dep-down', title: d.error || '' }, `${d.status} ${d.latency_ms === null || d.latency_ms === undefined ? '' : ms(d.latency_ms)}`);
}

function nodesTable(nodes) {
  const head = ['node', 'status', 'conns', 'channels', 'in/s 1m', 'out/s 1m', 'p50/p99 1m', 'p50/p99 5m', 'p50/p99 15m',
    'errors 5m', 'conflicts 5m', 'reconnects 5m', 'locks g/d/e 15m', 'recovered/not 15m', 'save backlog', 'PostgreSQL', 'Redis'];
  const lat = (w) => (w.latency_ms ? `${fmt(w.latency_ms.p50)}/${fmt(w.latency_ms.p99)} ms` : '—');
  return h('div', { class: 'card' }, h('h2', null, 'Nodes'), h('div', { class: 'table-wrap' }, h('table', { class: 'nodes', 'data-testid': 'nodes' },
    h('tr', null, head.map((t) => h('th', null, t))),
    nodes.map((n) => {
      const [m1, m5, m15] = [n.windows['1m'], n.windows['5m'], n.windows['15m']];
      return h('tr', { 'data-testid': `node-${n.node}`, 'data-status': n.status },
        h('td', null, n.node), h('td', { class: `status-${n.status}` }, n.status), h('td', null, n.connections), h('td', null, n.channels),
        h('td', null, fmt(m1.messages_in_per_s, 2)), h('td', null, fmt(m1.messages_out_per_s, 2)), h('td', null, lat(m1)), h('td', null, lat(m5)),
        h('td', null, lat(m15)), h('td', null, pct(m5.error_rate)), h('td', null, pct(m5.conflict_rate)), h('td', null, pct(m5.reconnect_rate)),
        h('td', null, `${m15.locks.granted}/${m15.locks.denied}/${m15.locks.expired}`),
        h('td', null, `${m15.recoveries.recovered}/${m15.recoveries.not_recovered}`),
        h('td', null, `${n.save_backlog.fields} · ${fmt(n.save_backlog.oldest_ms / 1000)} s`), h('td', null, dep(n.postgres)), h('td', null, dep(n.redis)));
    }))));
}

let audit = [];

function render() {
  if (!view) return;
  const t = view.total;
  const w1 = t.windows['1m'] || {};
  const w5 = t.windows['5m'] || {};
  const rec = view.record || {};
  root.replaceChildren(
    alerts(view.alerts),
    h('div', { class: 'tiles' },
      tile('Nodes up', `${t.nodes_up}${t.nodes_missing ? ` (+${t.nodes_missing} missing)` : ''}`, 'total-nodes'),
      tile('Connections', t.connections, 'total-connections'),
      tile('Channels', t.channels, 'total-channels'),
      tile('Messages in, last min', w1.messages_in, 'total-messages-in-1m'),
      tile('Messages out, last min', w1.messages_out, 'total-messages-out-1m'),
      tile('Delivery p50/p99, 1 min', w1.latency_ms ? `${fmt(w1.latency_ms.p50)}/${fmt(w1.latency_ms.p99)} ms` : '—', 'total-latency-1m'),
      tile('Error rate, 5 min', pct(w5.error_rate), 'total-error-rate-5m'),
      tile('Save backlog', `${t.save_backlog.fields} · ${fmt(t.save_backlog.oldest_ms / 1000)} s`, 'total-save-backlog'),
      tile('Outbox pending / dead', rec.known ? `${rec.outbox.pending} / ${rec.outbox.dead_letters}` : '—', 'total-outbox')),
    h('div', { class: 'charts' },
      chart('Connections', 'connections', ''),
      chart('Messages in per second', 'messages_in', '/s'),
      chart('Messages out per second', 'messages_out', '/s'),
      chart('Delivery latency p99', 'latency_p99_ms', ' ms'),
      chart('Errors per second', 'errors', '/s')),
    nodesTable(view.nodes),
    h('div', { class: 'card audit' }, h('h2', null, 'Admin audit (latest)'),
      audit.length ? h('ul', { 'data-testid': 'audit' }, audit.map((e) => h('li', null,
        `${new Date(e.at).toLocaleString()} · ${e.admin.name} · ${e.action} · ${e.target} · “${e.reason}”`)))
        : h('p', { class: 'muted' }, 'Nothing yet.')),
    h('p', { class: 'muted', 'data-testid': 'updated', 'data-at': view.at }, `Updated ${new Date(view.at).toLocaleTimeString()} by node ${view.node}`));
}

async function api(path, token) {
  const r = await fetch(path, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  const body = await r.json().catch(() => ({}));
  return { status: r.status, body };
}

async function start() {
  const s = session();
  if (!s) {
    refused('Sign in first', 'The sync-health page is for hub admins. Sign in on the demo page (Ava Admin is one) and come back to /admin.');
    return;
  }
  document.getElementById('who').textContent = s.user.name;
  const first = await api('/api/v1/admin/sync-health', s.token);
  if (first.status === 403 || first.status === 401) {
    refused(first.status === 403 ? 'Admins only' : 'Not signed in',
      first.status === 403 ? `Only hub admins can see sync health, and ${s.user.name} is not an admin. (${first.body.error ? first.body.error.message : 'forbidden'})`
        : 'Your session is no longer valid: sign in again.');
    return;
  }
  if (first.status !== 200) {
    refused('Sync health is unavailable', `The hub answered ${first.status}.`);
    return;
  }
  view = first.body;
  points = (first.body.history && first.body.history.points) || [];
  const loadAudit = () => api('/api/v1/admin/audit?limit=10', s.token).then((r) => {
    if (r.status === 200) audit = r.body.entries;
    render();
  });
  await loadAudit();
  setInterval(loadAudit, 10_000);

  const socket = new Socket('/realtime/v1', { params: { apikey: s.token, vsn: '2.0.0' } });
  socket.connect();
  const channel = socket.channel('realtime:admin:health', {});
  channel.on('health', (payload) => {
    view = payload;
    if (payload.point) {
      points.push(payload.point);
      if (points.length > MAX_POINTS) points.splice(0, points.length - MAX_POINTS);
    }
    live.dataset.state = 'on';
    render();
  });
  channel.join()
    .receive('ok', () => { live.dataset.state = 'on'; })
    .receive('error', (e) => refused('Admins only', `The hub refused the admin:health channel: ${e.detail || e.reason}`));
  socket.onError(() => { live.dataset.state = 'off'; });
}

start();
