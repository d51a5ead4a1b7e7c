import { Emitter } from './emitter.js';

/**
 * What the rest of the library talks to: a connection state, channel attachments, the token. LocalHub is the plain
 * case — this page holds the socket. SharedHub (tab-leader.js) offers the same surface when tabs share a socket.
 */
export class LocalHub extends Emitter {
  /**
   * @param {import('./connection.js').Connection} connection
   * @param {import('./channel-pool.js').ChannelPool} pool
   */
  constructor(connection, pool) {
    super();
    this.connection = connection;
    this.pool = pool;
    this.isLeader = true;
    connection.on('state', (change) => this.emit('state', change));
    connection.on('token', (token) => this.emit('token', token));
    connection.on('unauthorized', (reason) => this.emit('unauthorized', reason));
    pool.on('rate_limited', (info) => this.emit('rate_limited', info));
  }

  get state() {
    return this.connection.state;
  }

  get stateReason() {
    return this.connection.stateReason;
  }

  get online() {
    return this.pool.online;
  }

  get token() {
    return this.connection.token;
  }

  /** @param {string} topic @param {any} [options] */
  attach(topic, options) {
    return this.pool.attach(topic, options);
  }

  start() {
    this.connection.connect();
  }

  /** A new socket now, without waiting out the backoff. */
  reconnect() {
    this.connection.reconnect();
  }

  /** @returns {Promise<number | null>} a heartbeat's round trip in ms (null: not connected / no answer) */
  ping() {
    return this.connection.ping();
  }

  /** @returns {import('./realtime-client.js').ConnectionInfo} */
  info() {
    const c = this.connection;
    return {
      state: c.state,
      reason: c.stateReason,
      transport: c.transport,
      latencyMs: c.latencyMs,
      connectedAt: c.connectedAt,
      shared: false,
      leader: true,
    };
  }

  stop() {
    this.connection.disconnect();
  }

  /** @param {string} token */
  setToken(token) {
    this.connection.setToken(token);
  }

  /** @param {string} reason */
  refreshToken(reason) {
    return this.connection.refreshToken(reason);
  }

  close() {
    // Socket first: leaving channels on a closed socket needs no reply, so no push timer outlives the client.
    this.connection.close();
    this.pool.close();
  }
}
