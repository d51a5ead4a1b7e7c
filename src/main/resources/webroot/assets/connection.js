// The connection dot (top right) with its details, and the offline banner with the queued-change count.
import { h, fill, timeAgo, onOutsideClick, icon } from './ui.js';

const SLOW_MS = 800;

/** What the dot shows: green connected, yellow connecting or slow, red disconnected or offline. */
export function dotColor(info) {
  if (info.state === 'connected') return info.latencyMs !== null && info.latencyMs > SLOW_MS ? 'yellow' : 'green';
  if (info.state === 'error' && info.reason === 'rate_limited') return 'yellow';
  if (info.state === 'connecting' || info.state === 'reconnecting') return info.reason === 'offline' ? 'red' : 'yellow';
  return 'red';
}

function stateText(info) {
  if (info.state === 'connected') return info.latencyMs !== null && info.latencyMs > SLOW_MS ? 'Connected (slow)' : 'Connected';
  if (info.reason === 'offline') return 'Offline — no network';
  if (info.state === 'connecting') return 'Connecting…';
  if (info.state === 'reconnecting') return 'Reconnecting…';
  if (info.state === 'error') return `Error: ${info.reason}`;
  return 'Disconnected';
}

/**
 * @param {{client: any, lastSynced: () => number | null}} ctx
 * @param {HTMLElement} wrap where the dot goes
 * @param {HTMLElement} banner the offline banner
 */
export function mountConnection(ctx, wrap, banner) {
  const { client } = ctx;
  const dot = h('button.conn-dot', { type: 'button', 'data-testid': 'connection-dot', 'aria-label': 'Connection' }, h('i'));
  wrap.append(dot);
  let pop = null;
  let stopOutside = null;
  let notConnectedSince = client.state === 'connected' ? null : Date.now();

  const tick = () => {
    const info = client.connectionInfo();
    dot.dataset.color = dotColor(info);
    dot.dataset.state = info.state;
    dot.dataset.transport = info.transport || '';
    dot.title = stateText(info);
    renderBanner(info);
  };
  const render = () => {
    tick();
    if (pop) renderPop();
  };

  const renderBanner = (info) => {
    const queued = client.queuedCount;
    const connected = info.state === 'connected' || (info.state === 'error' && info.reason === 'rate_limited');
    if (connected) notConnectedSince = null;
    else if (notConnectedSince === null) notConnectedSince = Date.now();
    const away = !connected && (info.reason === 'offline' || queued > 0 || Date.now() - notConnectedSince > 2500);
    banner.hidden = !away;
    banner.dataset.queued = String(queued);
    if (!away) return;
    const synced = ctx.lastSynced();
    fill(banner,
      icon('warn'),
      h('span', null, info.reason === 'offline' ? 'You are offline.' : 'Cannot reach the hub.'),
      h('span.count', { 'data-testid': 'queued-count' }, String(queued)),
      h('span', null, queued === 1 ? 'change waiting to sync' : 'changes waiting to sync'),
      h('span.muted', { 'data-testid': 'last-synced' }, `· last synced ${synced ? timeAgo(synced) : 'never'}`));
  };

  const renderPop = () => {
    const info = client.connectionInfo();
    const synced = ctx.lastSynced();
    fill(pop, h('div.conn-pop', { 'data-testid': 'connection-details' },
      h('h3', null, stateText(info)),
      h('dl.kv', null,
        h('dt', null, 'Transport'), h('dd', { 'data-testid': 'transport' }, info.transport === 'longpoll' ? 'Long-poll (HTTP)' : info.transport === 'websocket' ? 'WebSocket' : '—'),
        h('dt', null, 'Latency'), h('dd', null, info.latencyMs === null ? '—' : `${info.latencyMs} ms`),
        h('dt', null, 'Connected'), h('dd', null, info.state === 'connected' && info.connectedAt ? timeAgo(info.connectedAt) : '—'),
        h('dt', null, 'This tab'), h('dd', null, !info.shared ? 'has its own socket' : info.leader ? 'holds the socket for all tabs' : 'shares another tab\'s socket'),
        h('dt', null, 'Waiting'), h('dd', null, `${client.queuedCount} change${client.queuedCount === 1 ? '' : 's'}`),
        h('dt', null, 'Last synced'), h('dd', null, synced ? timeAgo(synced) : 'never')),
      h('button.btn.primary', { type: 'button', 'data-testid': 'reconnect', onclick: () => client.reconnect() }, '↻ Reconnect now')));
  };

  dot.addEventListener('click', () => {
    if (pop) {
      close();
      return;
    }
    pop = h('div.popover');
    wrap.append(pop);
    renderPop();
    client.ping().then(render);
    stopOutside = onOutsideClick(wrap, close);
  });
  const close = () => {
    if (pop) pop.remove();
    pop = null;
    if (stopOutside) stopOutside();
  };

  client.on('state', render);
  client.on('queue', render);
  // Latency now and then (a heartbeat's round trip), and the banner's "2.5 s without the hub" rule.
  setInterval(() => {
    if (client.state === 'connected') client.ping().then(render);
    else render();
  }, 5000);
  setInterval(tick, 1000);
  render();
  return { render };
}
