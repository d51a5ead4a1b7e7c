import { HubError } from './errors.js';

/**
 * The hub's HTTP API (PROTOCOL.md §8) with the bearer token. A 401 `token_expired` answer gets one fresh token and
 * one retry, because the token may expire between the refresh schedule and a request; a plain 401 is reported so
 * the application can ask the user to sign in again.
 */
export class HttpApi {
  /**
   * @param {object} options
   * @param {string} options.baseUrl e.g. `http://127.0.0.1:4000`
   * @param {() => string | null} options.token the current token
   * @param {(reason: string) => Promise<string | null>} [options.refreshToken] gets a fresh token after a 401 token_expired
   * @param {(reason: string) => void} [options.onUnauthorized]
   * @param {typeof fetch} [options.fetch]
   */
  constructor({ baseUrl, token, refreshToken, onUnauthorized, fetch: fetchImpl }) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.token = token;
    this.refreshToken = refreshToken || null;
    this.onUnauthorized = onUnauthorized || (() => {});
    this.fetch = fetchImpl || ((...args) => globalThis.fetch(...args));
  }

  /** @param {string} path @param {Record<string, any>} [query] */
  get(path, query) {
    return this.request('GET', path + queryString(query));
  }

  /** @param {string} path @param {any} [body] */
  post(path, body) {
    return this.request('POST', path, body);
  }

  /** @param {string} path @param {any} [body] */
  put(path, body) {
    return this.request('PUT', path, body);
  }

  /** @param {string} path */
  delete(path) {
    return this.request('DELETE', path);
  }

  /**
   * @param {string} method
   * @param {string} path
   * @param {any} [body]
   * @returns {Promise<any>}
   */
  async request(method, path, body, retried = false) {
    const headers = { accept: 'application/json' };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response;
    try {
      response = await this.fetch(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new HubError('offline', `${method} ${path} failed: ${e && e.message ? e.message : e}`);
    }
    const text = await response.text();
    let json = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (response.ok) return json;
    const err = json && json.error ? json.error : {};
    const reason = typeof err.code === 'string' ? err.code : `http_${response.status}`;
    if (response.status === 401 && reason === 'token_expired' && !retried && this.refreshToken) {
      const fresh = await this.refreshToken('token_expired').catch(() => null);
      if (fresh) return this.request(method, path, body, true);
    }
    if (response.status === 401) this.onUnauthorized(reason);
    throw new HubError(reason, err.message || `${method} ${path} answered ${response.status}`, {
      reason,
      status: response.status,
      ...(err.field ? { field: err.field } : {}),
    });
  }
}

/** @param {Record<string, any>} [query] */
export function queryString(query) {
  if (!query) return '';
  const parts = [];
  for (const [k, v] of Object.entries(query)) {
    if (v === undefined || v === null || v === '') continue;
    const value = Array.isArray(v) ? v.join(',') : String(v);
    parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(value)}`);
  }
  return parts.length ? `?${parts.join('&')}` : '';
}

/**
 * The HTTP base URL that goes with a socket endpoint: `ws://h/realtime/v1` → `http://h`, `wss://` → `https://`.
 * @param {string} socketUrl
 */
export function httpUrlFromSocketUrl(socketUrl) {
  let url = socketUrl.replace(/^ws(s?):\/\//i, 'http$1://');
  url = url.replace(/\/websocket\/?$/, '').replace(/\/realtime\/v1\/?$/, '');
  return url.replace(/\/+$/, '');
}
