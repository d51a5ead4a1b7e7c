import { Emitter } from './emitter.js';

/**
 * @typedef {object} Notification
 * @property {string} id
 * @property {string} type
 * @property {string} title
 * @property {string | null} body
 * @property {any} data
 * @property {string} priority
 * @property {boolean} read
 * @property {string | null} [read_at]
 * @property {string} created_at
 * @property {string} [day]
 */

/**
 * The notification bell: a list of notifications read over HTTP with cursor paging and filters, the unread count,
 * read/unread/all-read/clear, and live `notification` / `notification:count` pushes on `user:{id}`.
 *
 * Events: `change` (Notification[]), `count` (unread number), `notification` (a new one), `recovered`, `reloaded`,
 * `error`, `closed`.
 */
export class Bell extends Emitter {
  /**
   * @param {{hub: any, http: import('./http.js').HttpApi, userId: () => string | null}} ctx
   * @param {{unread?: boolean, type?: string | string[], limit?: number}} [filter]
   */
  constructor(ctx, { unread, type, limit = 20 } = {}) {
    super();
    this.ctx = ctx;
    this.userId = ctx.userId();
    if (!this.userId) throw new TypeError('the bell needs the signed-in user (a token with `sub`)');
    this.filter = { unread: unread === true ? true : undefined, type: normalizeTypes(type) };
    this.limit = limit;
    /** @type {Notification[]} */
    this.items = [];
    this.unread = 0;
    this.nextCursor = null;
    this.loaded = false;
    this._loading = null;
    this.attachment = ctx.hub.attach(`user:${this.userId}`, {
      primary: true,
      listener: {
        message: (event, payload) => this._onMessage(event, payload),
        joined: (reply, info) => this._onJoined(info),
        joinError: (error) => this.emit('error', error),
        closed: (reason) => this.emit('closed', { reason }),
      },
    });
  }

  /** @returns {boolean} more pages to load */
  get hasMore() {
    return !!this.nextCursor;
  }

  /** Reads the first page (and the unread count) again. @returns {Promise<Notification[]>} */
  load() {
    if (this._loading) return this._loading;
    this._loading = (async () => {
      try {
        const page = await this._page(null);
        this.items = page.notifications;
        this.nextCursor = page.next_cursor;
        this._count(page.unread);
        this.loaded = true;
        this.emit('change', this.items);
        return this.items;
      } finally {
        this._loading = null;
      }
    })();
    return this._loading;
  }

  /** @returns {Promise<Notification[]>} the items after the next page was appended */
  async loadMore() {
    if (!this.nextCursor) return this.items;
    const page = await this._page(this.nextCursor);
    const known = new Set(this.items.map((n) => n.id));
    this.items = [...this.items, ...page.notifications.filter((n) => !known.has(n.id))];
    this.nextCursor = page.next_cursor;
    this._count(page.unread);
    this.emit('change', this.items);
    return this.items;
  }

  /**
   * Changes the filter (unread only, types) and reloads.
   * @param {{unread?: boolean, type?: string | string[]}} filter
   */
  setFilter({ unread, type } = {}) {
    this.filter = { unread: unread === true ? true : undefined, type: normalizeTypes(type) };
    return this.load();
  }

  /** @param {string} id */
  markRead(id) {
    return this._mark(id, true);
  }

  /** @param {string} id */
  markUnread(id) {
    return this._mark(id, false);
  }

  /** Marks every notification read. */
  async readAll() {
    const before = this.items.map((n) => ({ ...n }));
    const unreadBefore = this.unread;
    const now = new Date().toISOString();
    this.items = this.items.map((n) => (n.read ? n : { ...n, read: true, read_at: now }));
    this._count(0);
    this.emit('change', this.items);
    try {
      const r = await this.ctx.http.post('/api/v1/notifications/read-all');
      this._count(r.unread);
      return r;
    } catch (error) {
      this.items = before;
      this._count(unreadBefore);
      this.emit('change', this.items);
      throw error;
    }
  }

  /** Empties the bell. */
  async clearAll() {
    const before = this.items;
    const unreadBefore = this.unread;
    this.items = [];
    this.nextCursor = null;
    this._count(0);
    this.emit('change', this.items);
    try {
      const r = await this.ctx.http.delete('/api/v1/notifications');
      this._count(r.unread);
      return r;
    } catch (error) {
      this.items = before;
      this._count(unreadBefore);
      this.emit('change', this.items);
      throw error;
    }
  }

  /** Reads the unread count again. */
  async refreshCount() {
    const r = await this.ctx.http.get('/api/v1/notifications/unread-count');
    this._count(r.unread);
    return this.unread;
  }

  close() {
    this.attachment.detach();
    this.emit('closed', { reason: 'closed' });
  }

  // ---- internals ---------------------------------------------------------------------------------------------

  async _onJoined(info) {
    try {
      if (!this.loaded || !info.recovered) {
        await this.load();
        if (info.rejoin) this.emit('reloaded', { recovered: false });
      } else if (info.rejoin) this.emit('recovered', { recovered: true });
    } catch (error) {
      this.emit('error', error);
    }
  }

  _onMessage(event, payload) {
    if (event === 'notification:count') {
      if (typeof payload.unread === 'number') this._count(payload.unread);
    } else if (event === 'notification') {
      const { meta, ...rest } = payload || {};
      const n = { read: false, read_at: null, ...rest };
      if (this.items.some((x) => x.id === n.id)) return;
      this.emit('notification', n);
      if (this.filter.type && !this.filter.type.includes(n.type)) return;
      this.items = [n, ...this.items];
      this.emit('change', this.items);
    }
  }

  async _mark(id, read) {
    const at = this.items.findIndex((n) => n.id === id);
    const before = at >= 0 ? this.items[at] : null;
    const unreadBefore = this.unread;
    if (before && before.read !== read) {
      this.items = this.items.slice();
      this.items[at] = { ...before, read, read_at: read ? new Date().toISOString() : null };
      this._count(Math.max(0, this.unread + (read ? -1 : 1)));
      this.emit('change', this.items);
    }
    try {
      const r = await this.ctx.http.post(`/api/v1/notifications/${encodeURIComponent(id)}/${read ? 'read' : 'unread'}`);
      this._count(r.unread);
      return r;
    } catch (error) {
      if (before) {
        this.items = this.items.map((n) => (n.id === id ? before : n));
        this._count(unreadBefore);
        this.emit('change', this.items);
      }
      throw error;
    }
  }

  _page(cursor) {
    return this.ctx.http
      .get('/api/v1/notifications', {
        unread: this.filter.unread ? 'true' : undefined,
        type: this.filter.type ? this.filter.type.join(',') : undefined,
        cursor: cursor || undefined,
        limit: this.limit,
      })
      .then((r) => ({
        notifications: Array.isArray(r.notifications) ? r.notifications : [],
        next_cursor: r.next_cursor || null,
        unread: r.unread,
      }));
  }

  _count(unread) {
    if (typeof unread !== 'number' || unread === this.unread) return;
    this.unread = unread;
    this.emit('count', unread);
  }
}

function normalizeTypes(type) {
  if (!type) return undefined;
  const list = (Array.isArray(type) ? type : String(type).split(',')).map((t) => t.trim()).filter(Boolean);
  return list.length ? list : undefined;
}
