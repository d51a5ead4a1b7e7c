import { Emitter } from './emitter.js';

/**
 * @typedef {object} ActivityItem
 * @property {string} id
 * @property {string} verb   e.g. `form_submitted`, `core_field_changed`
 * @property {any} actor
 * @property {any} object
 * @property {string} text   e.g. "James Carter updated the guest count to 150"
 * @property {string} at
 */

const SCOPE = /^(supplier|wedding):[^:]+$/;

/**
 * A live activity feed of a supplier or a wedding: `GET /api/v1/activity?scope=…` with cursor paging, and live
 * `activity` events on the scope's channel.
 *
 * Events: `change` (ActivityItem[]), `activity` (a new item), `recovered`, `reloaded`, `error`, `closed`.
 */
export class ActivityFeed extends Emitter {
  /**
   * @param {{hub: any, http: import('./http.js').HttpApi}} ctx
   * @param {string} scope `supplier:{id}` or `wedding:{id}`
   * @param {{limit?: number}} [options]
   */
  constructor(ctx, scope, { limit = 50 } = {}) {
    super();
    if (!SCOPE.test(scope)) throw new TypeError(`activity scope must be supplier:{id} or wedding:{id}, got '${scope}'`);
    this.ctx = ctx;
    this.scope = scope;
    this.limit = limit;
    /** @type {ActivityItem[]} */
    this.items = [];
    this.nextCursor = null;
    this.loaded = false;
    this._loading = null;
    this.attachment = ctx.hub.attach(scope, {
      listener: {
        message: (event, payload) => this._onMessage(event, payload),
        joined: (reply, info) => this._onJoined(info),
        joinError: (error) => this.emit('error', error),
        closed: (reason) => this.emit('closed', { reason }),
      },
    });
  }

  get hasMore() {
    return !!this.nextCursor;
  }

  /** @returns {Promise<ActivityItem[]>} */
  load() {
    if (this._loading) return this._loading;
    this._loading = (async () => {
      try {
        const page = await this._page(null);
        this.items = page.activity;
        this.nextCursor = page.next_cursor;
        this.loaded = true;
        this.emit('change', this.items);
        return this.items;
      } finally {
        this._loading = null;
      }
    })();
    return this._loading;
  }

  /** @returns {Promise<ActivityItem[]>} */
  async loadMore() {
    if (!this.nextCursor) return this.items;
    const page = await this._page(this.nextCursor);
    const known = new Set(this.items.map((a) => a.id));
    this.items = [...this.items, ...page.activity.filter((a) => !known.has(a.id))];
    this.nextCursor = page.next_cursor;
    this.emit('change', this.items);
    return this.items;
  }

  close() {
    this.attachment.detach();
    this.emit('closed', { reason: 'closed' });
  }

  async _onJoined(info) {
    this.attachment.touch();
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
    if (event !== 'activity') return;
    const { meta, ...item } = payload || {};
    if (this.items.some((a) => a.id === item.id)) return;
    this.items = [item, ...this.items];
    this.attachment.touch();
    this.emit('activity', item);
    this.emit('change', this.items);
  }

  _page(cursor) {
    return this.ctx.http
      .get('/api/v1/activity', { scope: this.scope, cursor: cursor || undefined, limit: this.limit })
      .then((r) => ({ activity: Array.isArray(r.activity) ? r.activity : [], next_cursor: r.next_cursor || null }));
  }
}
