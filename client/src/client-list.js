import { Emitter } from './emitter.js';

/**
 * @typedef {object} ClientRow
 * @property {string} couple_id
 * @property {string} name
 * @property {string[]} wedding_ids
 * @property {'online'|'recent'|'inactive'} status
 * @property {string | null} filling_form_id  the supplier's form a couple member has open right now
 * @property {number} unread                  the couple's unread notifications about this supplier's forms
 * @property {string | null} last_seen_at
 */

const RANK = { online: 0, recent: 1, inactive: 2 };

/**
 * The order of a supplier's client list: online first, then those filling a form, then the most recently seen
 * (never seen last), then by name.
 * @param {ClientRow} a
 * @param {ClientRow} b
 */
export function compareClients(a, b) {
  const ra = RANK[a.status] ?? 3;
  const rb = RANK[b.status] ?? 3;
  if (ra !== rb) return ra - rb;
  const fa = a.filling_form_id ? 0 : 1;
  const fb = b.filling_form_id ? 0 : 1;
  if (fa !== fb) return fa - fb;
  const sa = a.last_seen_at ? Date.parse(a.last_seen_at) : -Infinity;
  const sb = b.last_seen_at ? Date.parse(b.last_seen_at) : -Infinity;
  if (sa !== sb) return sb - sa;
  return String(a.name || '').localeCompare(String(b.name || ''));
}

/**
 * A supplier's clients with their live status: `GET /api/v1/suppliers/{id}/clients`, kept current by `client:status`
 * events on `supplier:{id}:clients` (a couple member came online or went away, opened or left one of the supplier's
 * forms, the couple's unread count changed). The rows stay sorted with {@link compareClients}. After a rejoin that
 * could not recover what was missed, or a status of a couple the list does not know yet, the list is read again.
 *
 * Events: `change` (ClientRow[]), `status` {row, previous} (one client changed), `recovered`, `reloaded`, `error`,
 * `closed`.
 */
export class ClientList extends Emitter {
  /**
   * @param {{hub: any, http: import('./http.js').HttpApi}} ctx
   * @param {string} supplierId
   */
  constructor(ctx, supplierId) {
    super();
    if (!supplierId) throw new TypeError('a client list needs the supplier id');
    this.ctx = ctx;
    this.supplierId = supplierId;
    this.topic = `supplier:${supplierId}:clients`;
    /** @type {ClientRow[]} */
    this.rows = [];
    this.loaded = false;
    this._loading = null;
    this._reloadAgain = false;
    this.attachment = ctx.hub.attach(this.topic, {
      listener: {
        message: (event, payload) => this._onMessage(event, payload),
        joined: (reply, info) => this._onJoined(info),
        joinError: (error) => this.emit('error', error),
        closed: (reason, error) => this.emit('closed', { reason, error }),
      },
    });
  }

  /** @returns {ClientRow[]} the rows, sorted */
  list() {
    return this.rows.slice();
  }

  /** @param {string} coupleId @returns {ClientRow | null} */
  get(coupleId) {
    return this.rows.find((r) => r.couple_id === coupleId) || null;
  }

  /** Reads the list again over HTTP. @returns {Promise<ClientRow[]>} */
  load() {
    if (this._loading) {
      this._reloadAgain = true;
      return this._loading;
    }
    this._loading = (async () => {
      try {
        do {
          this._reloadAgain = false;
          const r = await this.ctx.http.get(`/api/v1/suppliers/${encodeURIComponent(this.supplierId)}/clients`);
          this.rows = (Array.isArray(r && r.clients) ? r.clients : []).map(normalize).sort(compareClients);
        } while (this._reloadAgain);
        this.loaded = true;
        this.emit('change', this.list());
        return this.list();
      } finally {
        this._loading = null;
      }
    })();
    return this._loading;
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
    if (event !== 'client:status' || !payload || !payload.couple_id) return;
    this.attachment.touch();
    const at = this.rows.findIndex((r) => r.couple_id === payload.couple_id);
    if (at < 0) {
      // A couple this list has not seen (a new client, or the list is still loading): read it whole.
      this.load().catch((e) => this.emit('error', e));
      return;
    }
    const previous = this.rows[at];
    const row = { ...previous };
    for (const key of ['status', 'filling_form_id', 'unread', 'last_seen_at']) {
      if (key in payload) row[key] = payload[key];
    }
    const next = this.rows.slice();
    next[at] = normalize(row);
    this.rows = next.sort(compareClients);
    this.emit('status', { row: next.find((r) => r.couple_id === row.couple_id), previous });
    this.emit('change', this.list());
  }
}

/** @returns {ClientRow} */
function normalize(r) {
  return {
    ...r,
    couple_id: String(r.couple_id),
    name: r.name ?? '',
    wedding_ids: Array.isArray(r.wedding_ids) ? r.wedding_ids : [],
    status: r.status === 'online' || r.status === 'recent' ? r.status : 'inactive',
    filling_form_id: r.filling_form_id ?? null,
    unread: typeof r.unread === 'number' ? r.unread : 0,
    last_seen_at: r.last_seen_at ?? null,
  };
}
