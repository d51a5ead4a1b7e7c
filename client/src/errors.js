/**
 * An error the hub (or the library on its behalf) reported: `reason` is one of PROTOCOL.md's reasons
 * (`unauthorized`, `forbidden`, `not_found`, `invalid`, `too_many_channels`, `rate_limited`, `token_expired`,
 * `locked`, `conflict`, `stale_lock`, `unknown_event`, `payload_too_large`, `unavailable`) or a local one
 * (`timeout`, `offline`, `closed`, `evicted`, `leader_changed`, `http_<status>`).
 */
export class HubError extends Error {
  /**
   * @param {string} reason
   * @param {string} [detail]
   * @param {object} [response] the whole error response (e.g. `current` of a conflict, `retry_after_ms`)
   */
  constructor(reason, detail, response) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'HubError';
    this.reason = reason;
    this.detail = detail || null;
    this.response = response || { reason };
  }

  /** @param {any} response a phoenix error reply (`{reason, detail, …}`) */
  static fromReply(response) {
    const r = response && typeof response === 'object' ? response : {};
    return new HubError(typeof r.reason === 'string' ? r.reason : 'error', r.detail, r);
  }
}
