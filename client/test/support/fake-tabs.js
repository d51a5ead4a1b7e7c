/**
 * BroadcastChannel and Web Locks for Node tests, shared by the "tabs" of one test. Messages are structured-cloned
 * and delivered on a later task, never to the sending object — as browsers do.
 */
export function fakeTabEnvironment() {
  const channels = new Map();
  class FakeBroadcastChannel {
    constructor(name) {
      this.name = name;
      this.onmessage = null;
      this.closed = false;
      if (!channels.has(name)) channels.set(name, new Set());
      channels.get(name).add(this);
    }

    postMessage(data) {
      if (this.closed) throw new Error('BroadcastChannel is closed');
      const copy = structuredClone(data);
      for (const other of channels.get(this.name)) {
        if (other === this) continue;
        setImmediate(() => {
          if (!other.closed && other.onmessage) other.onmessage({ data: structuredClone(copy) });
        });
      }
    }

    close() {
      this.closed = true;
      channels.get(this.name).delete(this);
    }
  }

  const held = new Map();
  const waiting = new Map();
  const locks = {
    request(name, options, callback) {
      if (typeof options === 'function') {
        callback = options;
        options = {};
      }
      return new Promise((resolve, reject) => {
        const entry = { callback, resolve, reject, signal: options.signal };
        if (options.signal) {
          options.signal.addEventListener('abort', () => {
            const q = waiting.get(name) || [];
            const i = q.indexOf(entry);
            if (i >= 0) {
              q.splice(i, 1);
              reject(new Error('AbortError'));
            }
          });
        }
        if (!waiting.has(name)) waiting.set(name, []);
        waiting.get(name).push(entry);
        grant(name);
      });
    },
  };
  function grant(name) {
    if (held.get(name)) return;
    const q = waiting.get(name) || [];
    const next = q.shift();
    if (!next) return;
    held.set(name, true);
    Promise.resolve()
      .then(() => next.callback({ name }))
      .then(next.resolve, next.reject)
      .finally(() => {
        held.set(name, false);
        grant(name);
      });
  }
  return { BroadcastChannel: FakeBroadcastChannel, locks };
}
