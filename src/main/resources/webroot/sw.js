// The demo app's service worker: keeps the app's own files (pages, styles, scripts, the client library, phoenix) so
// that a page reloaded without a network still opens and shows what is queued. Network first, so a running hub's
// newest files always win; the copy is used only when the network fails. API and socket requests are not touched.
const CACHE = 'wedsync-demo-v1';
const SHELL = [
  '/', '/index.html', '/app.html', '/favicon.svg',
  '/assets/app.css', '/assets/app.js', '/assets/ui.js', '/assets/session.js', '/assets/signin.js',
  '/assets/connection.js', '/assets/bell.js', '/assets/couple.js', '/assets/supplier.js', '/assets/form-view.js',
  '/assets/notes.js', '/vendor/phoenix/phoenix.mjs',
];
const STATIC = /^\/($|index\.html$|app\.html$|favicon\.svg$|assets\/|lib\/|vendor\/)/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) if (key !== CACHE) await caches.delete(key);
    await self.clients.claim();
  })());
});

// The page lists what it loaded (the library's modules among them): keep those too.
self.addEventListener('message', (event) => {
  const m = event.data || {};
  if (m.type !== 'cache' || !Array.isArray(m.urls)) return;
  const urls = m.urls.filter((u) => STATIC.test(new URL(u, self.location.origin).pathname));
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(urls)).then(
    () => event.source && event.source.postMessage({ type: 'cached', count: urls.length }),
    () => event.source && event.source.postMessage({ type: 'cached', count: 0 })));
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== self.location.origin || !STATIC.test(url.pathname)) return;
  event.respondWith((async () => {
    try {
      const res = await fetch(req);
      if (res.ok) {
        const copy = res.clone();
        caches.open(CACHE).then((c) => c.put(req, copy)).catch(() => {});
      }
      return res;
    } catch (error) {
      const cached = await caches.match(req, { ignoreSearch: true })
        || (req.mode === 'navigate' ? await caches.match('/app.html') : undefined);
      if (cached) return cached;
      throw error;
    }
  })());
});
