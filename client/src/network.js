import { Emitter } from './emitter.js';

const SLOW_TYPES = new Set(['slow-2g', '2g', '3g']);

/**
 * Whether the device is on a slow or metered link (Network Information API: `saveData`, or an `effectiveType` of
 * slow-2g/2g/3g). On such a link typing signals and presence updates are spaced out further: they are nice to have,
 * and each one costs the user data and battery.
 */
export class NetworkQuality extends Emitter {
  /** @param {any} [connection] a `navigator.connection`-like object; defaults to the browser's, if any */
  constructor(connection = defaultConnection()) {
    super();
    this.connection = connection || null;
    this._onChange = () => this.emit('change', this.constrained);
    if (this.connection && typeof this.connection.addEventListener === 'function') {
      this.connection.addEventListener('change', this._onChange);
    }
  }

  /** @returns {boolean} */
  get constrained() {
    const c = this.connection;
    if (!c) return false;
    return c.saveData === true || SLOW_TYPES.has(c.effectiveType);
  }

  close() {
    if (this.connection && typeof this.connection.removeEventListener === 'function') {
      this.connection.removeEventListener('change', this._onChange);
    }
  }
}

function defaultConnection() {
  return typeof navigator !== 'undefined' && navigator ? /** @type {any} */ (navigator).connection : undefined;
}

/**
 * @typedef {object} OnlineStatus
 * @property {() => boolean} online  whether the device says it has a network (`navigator.onLine`)
 * @property {(callback: (online: boolean) => void) => () => void} watch  calls back on every change; returns an unwatch
 */

/**
 * The browser's own idea of being online (`navigator.onLine` and the window's `online`/`offline` events), or null
 * outside a browser. The connection uses it to stop retrying while the device has no network, and to reconnect the
 * moment it comes back instead of waiting out the backoff.
 * @param {any} [win] a window-like object (`addEventListener`, `navigator.onLine`)
 * @returns {OnlineStatus | null}
 */
export function browserOnlineStatus(win = typeof window !== 'undefined' ? window : undefined) {
  if (!win || typeof win.addEventListener !== 'function') return null;
  const nav = win.navigator || (typeof navigator !== 'undefined' ? navigator : undefined);
  return {
    online: () => !nav || nav.onLine !== false,
    watch(callback) {
      const on = () => callback(true);
      const off = () => callback(false);
      win.addEventListener('online', on);
      win.addEventListener('offline', off);
      return () => {
        win.removeEventListener('online', on);
        win.removeEventListener('offline', off);
      };
    },
  };
}
