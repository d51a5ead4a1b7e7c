/** A phoenix-like Socket whose open/close/error events a test fires by hand (for the connection state machine). */
export class FakeSocket {
  constructor(url, opts) {
    this.url = url;
    this.opts = opts;
    this.callbacks = { open: [], close: [], error: [] };
    this.connected = false;
    this.connects = 0;
    this.disconnects = 0;
    this.channels = [];
    FakeSocket.last = this;
  }

  onOpen(cb) {
    this.callbacks.open.push(cb);
  }

  onClose(cb) {
    this.callbacks.close.push(cb);
  }

  onError(cb) {
    this.callbacks.error.push(cb);
  }

  connect() {
    this.connects++;
  }

  disconnect() {
    this.disconnects++;
    const was = this.connected;
    this.connected = false;
    if (was) this.fire('close', { code: 1000 });
  }

  isConnected() {
    return this.connected;
  }

  channel(topic, params) {
    const ch = { topic, params };
    this.channels.push(ch);
    return ch;
  }

  /** @param {'open'|'close'|'error'} kind */
  fire(kind, arg) {
    if (kind === 'open') this.connected = true;
    if (kind === 'close') this.connected = false;
    for (const cb of this.callbacks[kind]) cb(arg);
  }
}
