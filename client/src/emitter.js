/**
 * A small event emitter. Every `on` returns its own unsubscribe function, so callers that attach many
 * listeners (a form session, a bell) can drop them all without keeping references to the callbacks.
 */
export class Emitter {
  constructor() {
    /** @type {Map<string, Set<Function>>} */
    this._listeners = new Map();
  }

  /**
   * @param {string} event
   * @param {(...args: any[]) => void} callback
   * @returns {() => void} unsubscribe
   */
  on(event, callback) {
    let set = this._listeners.get(event);
    if (!set) this._listeners.set(event, (set = new Set()));
    set.add(callback);
    return () => this.off(event, callback);
  }

  /** @param {string} event @param {(...args: any[]) => void} callback @returns {() => void} */
  once(event, callback) {
    const off = this.on(event, (...args) => {
      off();
      callback(...args);
    });
    return off;
  }

  /** @param {string} event @param {Function} callback */
  off(event, callback) {
    const set = this._listeners.get(event);
    if (set) set.delete(callback);
  }

  /**
   * Calls every listener. A listener that throws must not leave the library's own state half-updated (the
   * emit usually comes after an update), so its error is rethrown on a fresh task where the host reports it.
   * @param {string} event
   * @param {...any} args
   */
  emit(event, ...args) {
    const set = this._listeners.get(event);
    if (!set || set.size === 0) return;
    for (const callback of [...set]) {
      try {
        callback(...args);
      } catch (error) {
        setTimeout(() => {
          throw error;
        }, 0);
      }
    }
  }

  /** @param {string} event */
  listenerCount(event) {
    const set = this._listeners.get(event);
    return set ? set.size : 0;
  }
}
