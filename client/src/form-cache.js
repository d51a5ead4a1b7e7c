/**
 * The last copy of each form this user read, kept in storage (localStorage in a browser), so that a form opened while
 * the hub cannot be reached — a page reloaded offline — still shows its fields, with the user's queued edits on top.
 * Locks are not kept: they are only true live. The copy is replaced by every read from the hub.
 */
export class FormCache {
  /**
   * @param {{storage: Storage | import('./offline-queue.js').MemoryStorage, prefix: string}} options
   *        prefix: one per user, e.g. `wedsync-realtime:form:{userId}:`
   */
  constructor({ storage, prefix }) {
    this.storage = storage;
    this.prefix = prefix;
  }

  /** @param {string} formId @returns {any | null} the form as `GET /api/v1/forms/{id}` answered it */
  get(formId) {
    try {
      const raw = this.storage.getItem(this.prefix + formId);
      return raw ? JSON.parse(raw) : null;
    } catch {
      return null;
    }
  }

  /** @param {string} formId @param {any} form */
  put(formId, form) {
    if (!form || !Array.isArray(form.fields)) return;
    const copy = { ...form, fields: form.fields.map((f) => ({ ...f, locks: [] })) };
    try {
      this.storage.setItem(this.prefix + formId, JSON.stringify(copy));
    } catch {
      // Storage full or blocked: the form is then only readable online, as without a cache.
    }
  }

  /** @param {string} formId */
  remove(formId) {
    this.storage.removeItem(this.prefix + formId);
  }
}
