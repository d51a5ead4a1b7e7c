import { Presence } from 'phoenix';
import { Emitter } from './emitter.js';

/**
 * @typedef {object} PresenceUser
 * @property {string} key            the presence key (the user id unless a client chose one)
 * @property {string | null} user_id
 * @property {string | null} name
 * @property {string | null} avatar_url
 * @property {string | null} role
 * @property {'active'|'idle'} status active when any of the user's tabs/devices is active
 * @property {string | null} focus   the field the user's most recent meta focuses
 * @property {string | null} viewing
 * @property {{field: string, pos: number} | null} caret
 * @property {boolean} self          this user (any of their tabs)
 * @property {string} color          a stable colour for avatars and carets
 * @property {any[]} metas           every meta (one per tab/device)
 */

/**
 * Who is on a channel, from `presence_state` / `presence_diff` (phoenix's own merge functions, so metas behave
 * exactly as the phoenix client's Presence). A user with several tabs is one key with several metas; the view
 * folds them into one entry per person.
 */
export class PresenceView extends Emitter {
  /** @param {{selfUserId?: () => string | null}} [options] */
  constructor({ selfUserId = () => null } = {}) {
    super();
    this.selfUserId = selfUserId;
    /** @type {Record<string, {metas: any[]}>} */
    this.state = {};
  }

  /**
   * @param {string} event
   * @param {any} payload
   * @returns {boolean} whether the event was a presence event
   */
  handle(event, payload) {
    if (event === 'presence_state') this.state = Presence.syncState(this.state, payload || {});
    else if (event === 'presence_diff') this.state = Presence.syncDiff(this.state, payload || { joins: {}, leaves: {} });
    else return false;
    this.emit('change', this.list());
    return true;
  }

  clear() {
    this.state = {};
    this.emit('change', []);
  }

  /** @returns {PresenceUser[]} */
  list() {
    const self = this.selfUserId();
    return Presence.list(this.state, (key, { metas }) => {
      const sorted = [...metas].sort((a, b) => (a.online_at || 0) - (b.online_at || 0));
      const latest = sorted[sorted.length - 1] || {};
      const pick = (name) => {
        for (let i = sorted.length - 1; i >= 0; i--) if (sorted[i][name] != null) return sorted[i][name];
        return null;
      };
      const userId = latest.user_id || key;
      return {
        key,
        user_id: latest.user_id || null,
        name: latest.name || null,
        avatar_url: latest.avatar_url || null,
        role: latest.role || null,
        status: metas.some((m) => m.status !== 'idle') ? 'active' : 'idle',
        focus: pick('focus'),
        viewing: pick('viewing'),
        caret: validCaret(pick('caret')),
        self: !!self && userId === self,
        color: colorFor(userId),
        metas,
      };
    });
  }

  /** @returns {PresenceUser[]} everyone but this user */
  others() {
    return this.list().filter((u) => !u.self);
  }

  /**
   * Other people's carets in text areas, for drawing a coloured caret.
   * @param {string} [field] only carets in this field
   * @returns {{user_id: string | null, name: string | null, field: string, pos: number, color: string}[]}
   */
  carets(field) {
    return this.others()
      .filter((u) => u.caret && (!field || u.caret.field === field))
      .map((u) => ({ user_id: u.user_id, name: u.name, field: u.caret.field, pos: u.caret.pos, color: u.color }));
  }
}

function validCaret(c) {
  return c && typeof c === 'object' && typeof c.field === 'string' && Number.isInteger(c.pos) && c.pos >= 0 ? c : null;
}

/**
 * A stable, readable colour per user (the same on every screen, without a server round trip).
 * @param {string} id
 * @returns {string} an `hsl()` colour
 */
export function colorFor(id) {
  let h = 0;
  const s = String(id || '');
  for (let i = 0; i < s.length; i++) h = (h * 31 + s.charCodeAt(i)) >>> 0;
  // Ids often differ only in their last characters (…0001, …0006): mix the bits so their hues land far apart.
  h = (h ^ (h >>> 16)) >>> 0;
  h = Math.imul(h, 0x45d9f3b) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return `hsl(${h % 360}, 62%, 45%)`;
}
