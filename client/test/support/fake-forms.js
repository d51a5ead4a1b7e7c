import { applyTextOps, transformTextOps, normalizeTextOps } from '../../src/text-diff.js';

const NO_LOCK = new Set(['checkbox', 'radio', 'list']);
const SOFT = new Set(['textarea']);

/**
 * The hub's form editor, reduced to what the client library depends on (PROTOCOL.md §5), on top of FakeHub and
 * FakeHttp: locks with fencing tokens, versioned field:set with conflicts and force, field:text rebased over the
 * ops applied since base_version, field:list, notes, status, op_id idempotency, sync with per-op results and the
 * offline-batch base rule, field:saved, and the HTTP reads (form, field history).
 */
export class FakeForms {
  constructor(hub, http) {
    this.hub = hub;
    this.http = http;
    this.forms = new Map();
    this.replies = new Map();
    this.tokens = 0;
    this.notes = 0;
    /** (ctx, op) => an error reply to refuse an op (validation), or undefined */
    this.validate = null;
    const on = (event, fn) => hub.on(event, (ctx) => fn(ctx, this.form(ctx.topic)));
    on('field:lock', (ctx, form) => this.lock(ctx, form));
    on('field:renew', (ctx) => ctx.ok({ expires_at: 'later' }));
    on('field:unlock', (ctx, form) => {
      const f = form.fields.get(ctx.payload.field);
      if (!f.lock || f.lock.token !== ctx.payload.token) return ctx.error('stale_lock');
      f.lock = null;
      hub.publish(ctx.topic, 'field:unlocked', { field: f.key, reason: 'released' });
      return ctx.ok({});
    });
    on('field:typing', (ctx) => {
      hub.publish(ctx.topic, 'field:typing', { field: ctx.payload.field, user: ctx.user }, { durable: false, except: ctx.ws });
      return ctx.ok({});
    });
    on('field:set', (ctx, form) => this.apply(ctx, form, 'field:set', ctx.payload, null));
    on('field:text', (ctx, form) => this.apply(ctx, form, 'field:text', ctx.payload, null));
    on('field:list', (ctx, form) => this.apply(ctx, form, 'field:list', ctx.payload, null));
    on('form:note', (ctx, form) => {
      const known = this.replies.get(`${ctx.user.user_id}|${ctx.payload.op_id}`);
      if (known) return ctx.ok(known);
      const note = { note_id: `n${++this.notes}`, text: ctx.payload.text, by: ctx.user, at: 'now' };
      form.notes.push(note);
      this.replies.set(`${ctx.user.user_id}|${ctx.payload.op_id}`, { note_id: note.note_id });
      hub.publish(ctx.topic, 'form:note', note);
      return ctx.ok({ note_id: note.note_id });
    });
    on('form:status', (ctx, form) => {
      const from = form.status;
      form.status = ctx.payload.status;
      hub.publish(ctx.topic, 'form:status', { status: form.status, from, by: ctx.user, at: 'now' });
      return ctx.ok({ status: form.status });
    });
    on('sync', (ctx, form) => {
      const chains = new Map();
      const results = (ctx.payload.ops || []).map((op) => {
        const p = op.payload || {};
        const chain = chains.get(p.field);
        let payload = p;
        if (chain && p.base_version != null && p.base_version >= chain[0] && p.base_version < chain[1]) {
          payload = { ...p, base_version: chain[1] };
        }
        const known = this.replies.get(`${ctx.user.user_id}|${p.op_id}`);
        let r;
        if (known) r = { ...known, result: 'duplicate' };
        else {
          const reply = this.apply(ctx, form, op.event, payload, null);
          if (reply.status === 'ok') r = { ...reply.response, result: 'applied' };
          else if (reply.response.reason === 'conflict') {
            r = { result: 'conflict', field: p.field, yours: p.value, current: reply.response.current };
          } else r = { result: 'rejected', reason: reply.response.reason, field: p.field, detail: reply.response.detail };
        }
        if (typeof r.version === 'number' && p.base_version != null) {
          const was = chains.get(p.field);
          chains.set(p.field, was ? [Math.min(was[0], p.base_version), Math.max(was[1], r.version)] : [p.base_version, r.version]);
        }
        return { ...r, op_id: p.op_id };
      });
      return ctx.ok({ results });
    });

    http.route('GET', /^\/api\/v1\/forms\/([^/]+)$/, (req) => {
      const form = this.forms.get(decodeURIComponent(req.params[1]));
      if (!form) return { status: 404, body: { error: { code: 'not_found', message: 'no form' } } };
      this.reads = (this.reads || 0) + 1;
      return this.describe(form);
    });
    http.route('GET', /^\/api\/v1\/forms\/([^/]+)\/fields\/([^/]+)\/history$/, (req) => {
      const form = this.forms.get(decodeURIComponent(req.params[1]));
      const f = form.fields.get(decodeURIComponent(req.params[2]));
      const before = req.query.before ? Number(req.query.before) : Infinity;
      const limit = req.query.limit ? Number(req.query.limit) : 100;
      const revisions = f.revisions.filter((r) => r.version < before).sort((a, b) => b.version - a.version).slice(0, limit);
      return { field: f.key, version: f.version, revisions, next_before: null };
    });
  }

  /**
   * @param {string} id
   * @param {{key: string, type?: string, value?: any, version?: number, required?: boolean}[]} fields
   */
  addForm(id, fields, { status = 'in_progress', title = 'Timeline' } = {}) {
    const form = { id, title, status, fields: new Map(), notes: [] };
    for (const spec of fields) {
      const type = spec.type || 'text';
      form.fields.set(spec.key, {
        key: spec.key,
        type,
        required: !!spec.required,
        value: spec.value ?? (type === 'textarea' ? '' : type === 'list' ? [] : null),
        version: spec.version ?? 1,
        lock: null,
        revisions: [],
        savedVersion: spec.version ?? 1,
      });
    }
    this.forms.set(id, form);
    return form;
  }

  form(topic) {
    return this.forms.get(topic.replace(/^form:/, ''));
  }

  describe(form) {
    return {
      id: form.id,
      title: form.title,
      status: form.status,
      supplier_id: 's1',
      wedding_id: 'w1',
      progress: { filled: 0, required: 0, percent: 100 },
      fields: [...form.fields.values()].map((f) => ({
        key: f.key,
        label: f.key,
        type: f.type,
        required: f.required,
        options: null,
        validation: {},
        core_field: null,
        value: f.value,
        version: f.version,
        updated_by: null,
        updated_at: null,
        locks: f.lock ? [{ holder: f.lock.holder, expires_at: 'later', soft: SOFT.has(f.type) }] : [],
      })),
    };
  }

  lock(ctx, form) {
    const f = form.fields.get(ctx.payload.field);
    if (!f) return ctx.error('not_found');
    if (NO_LOCK.has(f.type)) return ctx.ok({ field: f.key, token: null, expires_at: null, mode: 'none' });
    if (f.lock && f.lock.holder.user_id !== ctx.user.user_id && !SOFT.has(f.type)) {
      return ctx.error('locked', { field: f.key, holder: f.lock.holder, expires_at: 'later' });
    }
    f.lock = { token: ++this.tokens, holder: { user_id: ctx.user.user_id, name: ctx.user.name } };
    this.hub.publish(ctx.topic, 'field:locked', { field: f.key, holder: f.lock.holder, expires_at: 'later', soft: SOFT.has(f.type) });
    return ctx.ok({ field: f.key, token: f.lock.token, expires_at: 'later', mode: SOFT.has(f.type) ? 'soft' : 'hard' });
  }

  /** One write of any kind; returns the reply. */
  apply(ctx, form, event, p, _unused) {
    const key = `${ctx.user.user_id}|${p.op_id}`;
    if (this.replies.has(key)) return ctx.ok(this.replies.get(key));
    const f = form.fields.get(p.field);
    if (!f) return ctx.error('not_found');
    const refused = this.validate && this.validate(ctx, { event, payload: p });
    if (refused) return refused;
    if (f.lock && !SOFT.has(f.type) && f.lock.holder.user_id !== ctx.user.user_id && event === 'field:set') {
      return ctx.error('locked', { field: f.key, holder: f.lock.holder, expires_at: 'later' });
    }
    const previous = structuredClone(f.value);
    let reply;
    let change;
    if (event === 'field:set') {
      if (!p.force && p.base_version < f.version) {
        return ctx.error('conflict', { field: f.key, current: { value: f.value, version: f.version, by: f.by || null, at: 'then' } });
      }
      f.value = p.value;
      f.version++;
      change = { kind: 'set' };
      reply = { version: f.version, status: 'accepted' };
    } else if (event === 'field:text') {
      let op = normalizeTextOps(p.ops);
      const since = f.revisions.filter((r) => r.version > p.base_version && r.kind === 'text').sort((a, b) => a.version - b.version);
      for (const r of since) op = transformTextOps(op, r.ops, false);
      f.value = applyTextOps(f.value, op);
      f.version++;
      change = { kind: 'text', ops: op };
      reply = { version: f.version, ops: op };
    } else {
      const items = f.value.slice();
      const at = items.findIndex((x) => x.id === p.item_id);
      if ((p.action === 'append') === (at >= 0)) return ctx.ok({ version: f.version });
      if (at >= 0) items.splice(at, 1);
      else items.push({ ...(p.item || {}), id: p.item_id });
      f.value = items;
      f.version++;
      change = { kind: 'list', ops: [{ action: p.action, item_id: p.item_id, item: p.item }] };
      reply = { version: f.version };
    }
    f.by = ctx.user;
    f.revisions.push({ version: f.version, value: structuredClone(f.value), previous_value: previous, kind: change.kind, ops: change.ops || null, op_id: p.op_id, source: 'user', by: ctx.user, at: 'now' });
    this.replies.set(key, reply);
    this.hub.publish(ctx.topic, 'field:changed', {
      field: f.key, value: f.value, version: f.version, kind: change.kind, ...(change.ops ? { ops: change.ops } : {}),
      by: ctx.user, at: 'now', op_id: p.op_id, source: 'user',
    });
    if (p.release && f.lock && f.lock.token === p.lock_token) {
      f.lock = null;
      this.hub.publish(ctx.topic, 'field:unlocked', { field: f.key, reason: 'saved' });
    }
    return ctx.ok(reply);
  }

  /** The write-behind batch: publishes field:saved for every field changed since the last one. */
  save(formId) {
    const form = this.forms.get(formId);
    for (const f of form.fields.values()) {
      if (f.version > f.savedVersion) {
        f.savedVersion = f.version;
        this.hub.publish(`form:${formId}`, 'field:saved', { field: f.key, version: f.version });
      }
    }
  }

  /** Another user changes a field directly (as if from their own socket). */
  remoteSet(formId, key, value, user = { user_id: 'other', name: 'Other' }) {
    const form = this.forms.get(formId);
    const f = form.fields.get(key);
    return this.apply({ user, ok: (r) => ({ status: 'ok', response: r }), error: (reason, extra) => ({ status: 'error', response: { reason, ...extra } }), topic: `form:${formId}` },
      form, 'field:set', { field: key, value, base_version: f.version, op_id: `remote-${Math.random()}` });
  }

  /** Another user edits a text area with `ops` made against `base` (defaults to the current version). */
  remoteText(formId, key, ops, base, user = { user_id: 'other', name: 'Other' }) {
    const form = this.forms.get(formId);
    const f = form.fields.get(key);
    return this.apply({ user, ok: (r) => ({ status: 'ok', response: r }), error: (reason, extra) => ({ status: 'error', response: { reason, ...extra } }), topic: `form:${formId}` },
      form, 'field:text', { field: key, ops, base_version: base ?? f.version, op_id: `remote-${Math.random()}` });
  }
}
