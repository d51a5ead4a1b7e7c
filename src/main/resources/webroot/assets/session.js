// The demo session: the token the hub minted at sign-in, kept in localStorage (shared by the tabs of this browser).
const KEY = 'wedsync-demo:session';

export function loadSession() {
  try {
    const s = JSON.parse(localStorage.getItem(KEY) || 'null');
    return s && s.token && s.user ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(session) {
  localStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession() {
  localStorage.removeItem(KEY);
}

/** Asks the hub for a demo token (only a hub running with demo data answers). */
export async function signIn(userId) {
  const r = await fetch('/demo/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ user_id: userId }),
  });
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    const error = new Error((body.error && body.error.message) || `sign-in answered ${r.status}`);
    error.status = r.status;
    throw error;
  }
  const session = { token: body.token, user: body.user, at: Date.now() };
  saveSession(session);
  return session;
}

/** The demo people with their couples and teams (404 when demo sign-in is off). */
export async function demoUsers() {
  const r = await fetch('/demo/users', { headers: { accept: 'application/json' } });
  if (!r.ok) {
    const error = new Error(`demo users answered ${r.status}`);
    error.status = r.status;
    throw error;
  }
  return (await r.json()).users;
}

/** Registers the service worker that keeps the app's files for offline use (no-op where unsupported). */
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator)) return Promise.resolve(null);
  return navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => null);
}
