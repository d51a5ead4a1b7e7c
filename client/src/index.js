/**
 * @wedsync/realtime-client — the browser/Node client of the WedSync Realtime Hub.
 *
 * In a browser, map the bare specifier `phoenix` to a copy of `phoenix/priv/static/phoenix.mjs` with an import map;
 * in Node it resolves to node_modules (pass `transport: WebSocket` from the `ws` package).
 */
export { RealtimeClient } from './realtime-client.js';
export { Emitter } from './emitter.js';
export { Connection, CONNECTION_STATES } from './connection.js';
export { ChannelPool, Attachment, JOIN_CONFIG } from './channel-pool.js';
export { LocalHub } from './hub.js';
export { TabLeader, SharedHub } from './tab-leader.js';
export { FormSession, DEFAULT_DEBOUNCE_MS } from './form-session.js';
export { OfflineQueue, MemoryStorage } from './offline-queue.js';
export { Bell } from './bell.js';
export { ActivityFeed } from './activity.js';
export { ChannelHandle } from './channel-handle.js';
export { ClientList, compareClients } from './client-list.js';
export { FormCache } from './form-cache.js';
export { PresenceView, colorFor } from './presence.js';
export { HttpApi, httpUrlFromSocketUrl } from './http.js';
export { NetworkQuality, browserOnlineStatus } from './network.js';
export { HubError } from './errors.js';
export { fullJitterBackoff } from './backoff.js';
export { Debouncer, Throttle } from './debounce.js';
export {
  diffText,
  applyTextOps,
  transformTextOps,
  composeTextOps,
  invertTextOps,
  transformCaret,
  normalizeTextOps,
  codePointLength,
} from './text-diff.js';
export { decodeJwt, tokenExpiresAt, tokenSubject } from './jwt.js';
export { systemClock } from './clock.js';
