import { RealtimeClient } from '../../src/index.js';
import { MemoryStorage } from '../../src/offline-queue.js';
import { FakeHub } from './fake-hub.js';
import { FakeHttp } from './fake-http.js';
import { FakeForms } from './fake-forms.js';
import { FakeClock } from './clock.js';
import { makeToken } from './jwt.js';

/**
 * A client wired to the fake hub (real phoenix Socket over a fake WebSocket), fake HTTP and a fake clock for the
 * library's own timers. Reconnects and rejoins are immediate (random() = 0 gives a 0 ms full-jitter delay).
 */
export function world({ userId = 'u1', exp } = {}) {
  const hub = new FakeHub();
  const http = new FakeHttp();
  const forms = new FakeForms(hub, http);
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const clients = [];
  http.route('GET', '/api/v1/me', (req) => {
    const sub = JSON.parse(Buffer.from(req.headers.authorization.split('.')[1], 'base64url')).sub;
    return { user: { id: sub, name: sub }, teams: {}, couples: [], weddings: [], channels: [`user:${sub}`] };
  });
  let ids = 0;
  const make = (options = {}) => {
    const user = options.userId || userId;
    const client = new RealtimeClient({
      url: 'ws://hub.test/realtime/v1',
      token: options.token || makeToken({ sub: user, exp: exp ?? Math.floor(clock.now() / 1000) + 3600 }),
      transport: hub.WebSocket,
      longPollFallbackMs: 0,
      heartbeatIntervalMs: 600_000,
      reconnect: { baseMs: 1, capMs: 2 },
      random: () => 0,
      clock,
      storage,
      fetch: http.fetch,
      idGenerator: () => `${user}-op${++ids}`,
      ...options,
    });
    clients.push(client);
    return client;
  };
  const closeAll = async () => {
    for (const c of clients) await c.close().catch(() => {});
  };
  return { hub, http, forms, clock, storage, make, closeAll, clients };
}
