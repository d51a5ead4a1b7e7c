import { Emitter } from './emitter.js';
import { PresenceView } from './presence.js';

/**
 * Any other channel the application wants while a screen is open (a client profile's `couple:{id}`, a supplier's
 * `supplier:{id}:clients`, a `journey:…`): its events, presence, broadcasts. Release it when the screen closes; the
 * pool leaves the channel after five unused minutes.
 *
 * Events: every channel event under its own name (e.g. `client:status`), plus `message` {event, payload},
 * `presence` (PresenceUser[]), `joined` {rejoin, recovered}, `error`, `closed` {reason}.
 */
export class ChannelHandle extends Emitter {
  /**
   * @param {{attach: Function}} hub
   * @param {string} topic
   * @param {{primary?: boolean, selfUserId?: () => string | null}} [options]
   */
  constructor(hub, topic, { primary = false, selfUserId = () => null } = {}) {
    super();
    this.topic = topic;
    this.presence = new PresenceView({ selfUserId });
    this.presence.on('change', (list) => this.emit('presence', list));
    this.attachment = hub.attach(topic, {
      primary,
      listener: {
        message: (event, payload) => {
          if (this.presence.handle(event, payload)) return;
          this.emit('message', { event, payload });
          this.emit(event, payload);
        },
        joined: (reply, info) => this.emit('joined', info),
        joinError: (error) => this.emit('error', error),
        closed: (reason, error) => this.emit('closed', { reason, error }),
      },
    });
  }

  get joined() {
    return this.attachment.joined;
  }

  /** @param {string} event @param {any} payload @returns {Promise<any>} */
  push(event, payload) {
    this.attachment.touch();
    return this.attachment.push(event, payload);
  }

  /** An ephemeral message to everyone else on the channel (Supabase broadcast). */
  broadcast(event, payload) {
    return this.push('broadcast', { type: 'broadcast', event, payload });
  }

  /** Sets this user's presence meta here (`status`, `viewing`, `focus`, …). @param {Record<string, any>} meta */
  track(meta) {
    return this.push('presence', { type: 'presence', event: 'track', payload: meta });
  }

  untrack() {
    return this.push('presence', { type: 'presence', event: 'untrack' });
  }

  touch() {
    this.attachment.touch();
  }

  release() {
    this.attachment.detach();
  }
}
