/**
 * A fetch for tests: routes by method and path (query string kept separately), records every request.
 * A handler returns `{status, body}` or just a body (status 200).
 */
export class FakeHttp {
  constructor() {
    this.routes = [];
    this.requests = [];
    this.fetch = this.fetch.bind(this);
    this.offline = false;
  }

  /** @param {string} method @param {string | RegExp} path @param {(req: any) => any} handler */
  route(method, path, handler) {
    this.routes.unshift({ method, path, handler });
    return this;
  }

  async fetch(url, init = {}) {
    const u = new URL(url);
    const method = (init.method || 'GET').toUpperCase();
    const req = {
      method,
      path: u.pathname,
      query: Object.fromEntries(u.searchParams),
      headers: init.headers || {},
      body: init.body ? JSON.parse(init.body) : undefined,
      url,
    };
    this.requests.push(req);
    if (this.offline) throw new TypeError('fetch failed');
    for (const r of this.routes) {
      if (r.method !== method) continue;
      const match = typeof r.path === 'string' ? (r.path === req.path ? [] : null) : req.path.match(r.path);
      if (!match) continue;
      req.params = match;
      let result = await r.handler(req);
      if (!result || typeof result.status !== 'number') result = { status: 200, body: result };
      return response(result.status, result.body);
    }
    return response(404, { error: { code: 'not_found', message: `no route ${method} ${req.path}` } });
  }
}

function response(status, body) {
  const text = body === undefined ? '' : JSON.stringify(body);
  return {
    ok: status >= 200 && status < 300,
    status,
    text: async () => text,
    json: async () => JSON.parse(text),
  };
}
