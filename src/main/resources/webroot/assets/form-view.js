// One form being filled in together: fields with locks, typing, glow on others' changes, presence, progress,
// status and notes — everything live through the client library's FormSession.
import { transformCaret } from '/lib/realtime-client/index.js';
import { h, fill, avatar, ago, toast, describeValue, humanize, icon } from './ui.js';
import { notesCard } from './notes.js';

const TEXTLIKE = { text: 'text', email: 'email', phone: 'tel', number: 'number', date: 'date', time: 'time' };
const GLOW_MS = 2500;

/**
 * @param {object} ctx the app context (client, me, role, supplierId, people, navigate, setCrumbs, showConflict, clients)
 * @param {string} formId
 * @param {HTMLElement} root
 * @returns {() => void} cleanup
 */
export function formView(ctx, formId, root) {
  const { client } = ctx;
  const form = client.form(formId);
  const offs = [];
  const on = (emitter, event, fn) => offs.push(emitter.on(event, fn));
  let closed = false;
  /** @type {Map<string, any>} key → the field's elements */
  const rows = new Map();
  const me = () => client.userId;
  const viewer = ctx.role === 'supplier' && ctx.me && ctx.me.teams && ctx.me.teams[ctx.supplierId] === 'viewer';
  let wedding = null;

  fill(root, h('div.card.pad', { 'data-testid': 'form-loading' },
    form.loaded ? 'Loading…' : 'Opening the form… (it shows as soon as the hub or a saved copy has it)'));

  // ---- layout, once the form is read ------------------------------------------------------------------------

  const head = {};
  const build = () => {
    head.title = h('h1', { 'data-testid': 'form-title' }, form.title || 'Form');
    head.status = h('span.pill', { 'data-testid': 'form-status' });
    head.presence = h('div.presence', { 'data-testid': 'presence' });
    head.bar = h('i');
    head.pct = h('span.pct', { 'data-testid': 'progress-text' });
    head.progress = h('div.progress', { 'data-testid': 'progress', role: 'progressbar' }, head.bar);
    head.filling = h('div.filling', { 'data-testid': 'filling-status', hidden: true });
    head.cache = h('div.cache-note', { 'data-testid': 'cache-note', hidden: true },
      'You are offline: this is the copy saved on this device, with your changes waiting to sync.');
    head.actions = h('div.form-actions', { 'data-testid': 'form-actions' });
    const fields = h('div.fields', { 'data-testid': 'fields' });
    for (const key of form.keys()) {
      const row = fieldRow(key);
      rows.set(key, row);
      fields.append(row.el);
    }
    const people = h('section.card', { 'data-testid': 'people-here' }, h('h2', null, 'Here now'), h('ul.rows', { id: 'here-list' }));
    head.here = people.querySelector('ul');
    fill(root, h('div.grid2', null,
      h('section.card', { 'data-testid': 'form-card', dataset: { formId } },
        h('div.form-head', null, head.title, head.status, head.presence),
        h('div.form-progress', null, h('span.muted', null, 'Progress'), head.progress, head.pct),
        head.filling, head.cache, fields, head.actions),
      h('div', { style: 'display:grid;gap:20px' }, people, notesCard(Object.create(ctx, { readOnly: { value: viewer } }), form, mentionCandidates))));
    renderHead();
    renderPresence(form.presence.list());
    for (const key of rows.keys()) renderField(key);
  };

  // ---- one field -----------------------------------------------------------------------------------------------

  function fieldRow(key) {
    const f = form.field(key);
    const label = h('label', { for: `f-${key}` }, f.label || humanize(key));
    const lock = h('span.lock-badge', { 'data-testid': 'lock-badge', hidden: true });
    const focusers = h('span.presence');
    const state = h('span.field-state', { 'data-testid': 'field-state' });
    const typing = h('div.typing', { 'data-testid': 'typing', hidden: true });
    const changed = h('div.changed-by', { 'data-testid': 'changed-by', hidden: true });
    const input = control(f);
    const el = h('div.field', { 'data-testid': `field-${key}`, dataset: { key, type: f.type } },
      h('div.field-label', null, label, f.required ? h('span.req', null, '*') : null,
        f.coreField ? h('span.core', null, '· wedding detail') : null, focusers, lock, state),
      input.el, typing, changed);
    return { el, input, lock, focusers, state, typing, changed, glowTimer: null };
  }

  /** The input(s) of a field, wired to the session: focus locks, input saves (debounced), blur releases. */
  function control(f) {
    const key = f.key;
    const id = `f-${key}`;
    const focus = () => form.focus(key).then((r) => {
      if (r && r.mode === 'denied') {
        toast(`${r.holder ? r.holder.name : 'Someone'} is editing ${f.label || key}`, { kind: 'warn' });
        renderField(key);
      }
    }).catch(() => {});
    const blur = () => form.blur(key);
    const send = (value) => {
      try {
        form.input(key, value);
      } catch (error) {
        toast(error.message, { kind: 'warn' });
      }
    };
    if (f.type in TEXTLIKE) {
      const input = h('input', { id, type: TEXTLIKE[f.type], 'data-testid': `input-${key}`, autocomplete: 'off',
        min: f.validation && f.validation.min, max: f.validation && f.validation.max });
      input.addEventListener('focus', focus);
      input.addEventListener('blur', blur);
      input.addEventListener('input', () => {
        if (f.type === 'number') send(input.value === '' ? null : Number(input.value));
        else send(input.value === '' && f.type !== 'text' ? null : input.value);
      });
      return { el: input, set: (v) => (input.value = v ?? ''), inputs: [input] };
    }
    if (f.type === 'slider') {
      const input = h('input', { id, type: 'range', 'data-testid': `input-${key}`,
        min: (f.validation && f.validation.min) ?? 0, max: (f.validation && f.validation.max) ?? 100,
        step: (f.validation && f.validation.step) ?? 1 });
      const out = h('b', null, '—');
      input.addEventListener('focus', focus);
      input.addEventListener('blur', blur);
      input.addEventListener('input', () => {
        out.textContent = input.value;
        send(Number(input.value));
      });
      return {
        el: h('div.slider-row', null, input, out),
        set: (v) => {
          input.value = v ?? input.min;
          out.textContent = v ?? '—';
        },
        inputs: [input],
      };
    }
    if (f.type === 'select') {
      const select = h('select', { id, 'data-testid': `input-${key}` }, h('option', { value: '' }, 'Choose…'),
        (f.options || []).map((o) => h('option', { value: o }, humanize(o))));
      select.addEventListener('focus', focus);
      select.addEventListener('blur', blur);
      select.addEventListener('change', () => send(select.value === '' ? null : select.value));
      return { el: select, set: (v) => (select.value = v ?? ''), inputs: [select] };
    }
    if (f.type === 'radio' || (f.type === 'checkbox' && Array.isArray(f.options) && f.options.length)) {
      const multi = f.type === 'checkbox';
      const boxes = (f.options || []).map((o) => {
        const box = h('input', { type: multi ? 'checkbox' : 'radio', name: id, value: o, 'data-testid': `input-${key}-${o}` });
        box.addEventListener('focus', focus);
        box.addEventListener('change', () => send(multi ? boxes.filter((b) => b.checked).map((b) => b.value) : o));
        return box;
      });
      return {
        el: h('div', null, boxes.map((b) => h('label.choice', null, b, humanize(b.value)))),
        set: (v) => boxes.forEach((b) => (b.checked = multi ? Array.isArray(v) && v.includes(b.value) : v === b.value)),
        inputs: boxes,
      };
    }
    if (f.type === 'checkbox') {
      const box = h('input', { id, type: 'checkbox', 'data-testid': `input-${key}` });
      box.addEventListener('focus', focus);
      box.addEventListener('change', () => send(box.checked));
      return { el: h('label.choice', null, box, 'Yes'), set: (v) => (box.checked = v === true), inputs: [box] };
    }
    if (f.type === 'textarea') {
      const area = h('textarea', { id, 'data-testid': `input-${key}` });
      const caret = () => form.caret(key, [...area.value.slice(0, area.selectionStart)].length);
      area.addEventListener('focus', () => {
        focus();
        caret();
      });
      area.addEventListener('blur', blur);
      area.addEventListener('input', () => {
        send(area.value);
        caret();
      });
      area.addEventListener('keyup', caret);
      area.addEventListener('click', caret);
      return { el: area, set: (v) => (area.value = v ?? ''), inputs: [area], textarea: area };
    }
    if (f.type === 'list') {
      const items = h('ul.list-items', { 'data-testid': `list-${key}` });
      const text = h('input', { type: 'text', placeholder: 'Add an item…', 'data-testid': `input-${key}` });
      const add = () => {
        const t = text.value.trim();
        if (!t) return;
        text.value = '';
        form.appendItem(key, { text: t }).catch((e) => toast(`Not added: ${e.detail || e.reason}`, { kind: 'warn' }));
      };
      text.addEventListener('keydown', (e) => e.key === 'Enter' && (e.preventDefault(), add()));
      return {
        el: h('div', null, items, h('div.list-add', null, text, h('button.btn', { type: 'button', onclick: add }, 'Add'))),
        set: (v) => fill(items, (Array.isArray(v) ? v : []).map((item) => h('li', null, h('span', null, item.text || item.label || item.id),
          h('button.btn.small.ghost', { type: 'button', title: 'Remove', onclick: () => form.removeItem(key, item.id).catch(() => {}) }, '✕')))),
        inputs: [text],
      };
    }
    const other = h('input', { id, type: 'text', 'data-testid': `input-${key}` });
    other.addEventListener('input', () => send(other.value));
    return { el: other, set: (v) => (other.value = v ?? ''), inputs: [other] };
  }

  /** Shows a field's value (unless the user is typing in it), lock, typing and save state. */
  function renderField(key, { ops = null } = {}) {
    const row = rows.get(key);
    const f = form.field(key);
    if (!row || !f) return;
    const focused = row.input.inputs.includes(document.activeElement);
    if (row.input.textarea && focused) {
      const area = row.input.textarea;
      if (area.value !== f.value) {
        // Someone else's edit while this user types: keep the caret where it belongs.
        const pos = [...area.value.slice(0, area.selectionStart)].length;
        const next = ops ? transformCaret(pos, ops) : pos;
        area.value = f.value ?? '';
        const units = [...area.value].slice(0, next).join('').length;
        area.setSelectionRange(units, units);
      }
    } else if (!focused || f.type === 'list' || f.type === 'radio' || f.type === 'checkbox') {
      row.input.set(f.value);
    }
    const holder = f.holder;
    const other = holder && holder.user_id !== me();
    row.lock.hidden = !other;
    row.lock.classList.toggle('soft', !!(holder && holder.soft));
    if (other) fill(row.lock, icon(holder.soft ? 'pen' : 'lock', 12), ` ${holder.name || 'Someone'} is editing`);
    const editableBy = f.validation && f.validation.editableBy;
    const notMine = !!editableBy && editableBy !== ctx.role;
    const readOnly = f.lockedByOther || viewer || notMine || !form.status || ['submitted', 'completed', 'archived'].includes(form.status)
      || (form.status === 'draft' && ctx.role === 'couple');
    for (const input of row.input.inputs) {
      if ('readOnly' in input && input.tagName !== 'SELECT' && input.type !== 'checkbox' && input.type !== 'radio' && input.type !== 'range') input.readOnly = readOnly;
      else input.disabled = readOnly;
    }
    row.el.dataset.locked = f.lockedByOther ? 'true' : 'false';
    row.el.dataset.readonly = readOnly ? 'true' : 'false';
    row.el.title = f.lockedByOther ? `${holder.name} is editing this field` : viewer ? 'Viewers cannot change fields' : notMine ? `Filled in by the ${editableBy}` : '';
    renderTyping(key, f.typing);
    renderState(key);
  }

  function renderTyping(key, users) {
    const row = rows.get(key);
    if (!row) return;
    const names = (users || []).map((u) => u.name || 'Someone');
    row.typing.hidden = names.length === 0;
    row.typing.textContent = names.length ? `${names.join(' and ')} ${names.length === 1 ? 'is' : 'are'} typing…` : '';
  }

  function renderState(key, saved = false) {
    const row = rows.get(key);
    const f = form.field(key);
    if (!row || !f) return;
    row.state.className = 'field-state';
    if (f.conflict) {
      row.state.textContent = 'Conflict';
      row.state.classList.add('queued');
    } else if (f.pending && !form.online) {
      row.state.textContent = 'Waiting to sync';
      row.state.classList.add('queued');
    } else if (f.pending) {
      row.state.textContent = 'Saving…';
    } else if (saved) {
      row.state.textContent = 'Saved ✓';
      row.state.classList.add('saved');
    } else if (!row.state.dataset.keep) row.state.textContent = '';
    row.el.dataset.pending = f.pending ? 'true' : 'false';
  }

  function glow(key, by, at) {
    const row = rows.get(key);
    if (!row) return;
    row.el.classList.add('glow');
    row.el.dataset.glow = 'true';
    clearTimeout(row.glowTimer);
    row.glowTimer = setTimeout(() => {
      row.el.classList.remove('glow');
      row.el.dataset.glow = 'false';
    }, GLOW_MS);
    row.changed.hidden = false;
    fill(row.changed, `Changed by ${by && by.name ? by.name : 'someone'} · `, ago(at || Date.now()));
  }

  // ---- head: status, progress, presence, actions -----------------------------------------------------------------

  function renderHead() {
    head.title.textContent = form.title || 'Form';
    const status = form.status || 'sent';
    head.status.className = `pill ${status}`;
    head.status.textContent = status.replace('_', ' ');
    head.status.dataset.status = status;
    const p = form.progress || { filled: 0, required: 0, percent: 0 };
    head.bar.style.width = `${p.percent}%`;
    head.progress.dataset.percent = String(p.percent);
    head.pct.textContent = `${p.percent}%`;
    head.progress.title = `${p.filled} of ${p.required} required fields`;
    head.cache.hidden = !form.fromCache;
    ctx.setCrumbs(form.title);
    renderActions();
  }

  function renderActions() {
    const status = form.status;
    const act = (label, to, primary = false) => h(`button.btn${primary ? '.primary' : ''}`, {
      type: 'button', 'data-testid': `status-${to}`,
      onclick: () => form.setStatus(to).then((r) => r && r.queued && toast('Queued: sent when you are back online'),
        (e) => toast(`Not changed: ${e.detail || e.reason}`, { kind: 'warn' })),
    }, label);
    const buttons = [];
    if (ctx.role === 'couple') {
      if (status === 'in_progress') buttons.push(act('Submit form', 'submitted', true));
      if (status === 'submitted') buttons.push(h('span.muted', null, 'Submitted — the supplier has it.'));
    } else if (!viewer) {
      if (status === 'draft') buttons.push(act('Send to the couple', 'sent', true));
      if (status === 'submitted') buttons.push(act('Reopen', 'in_progress'), act('Mark completed', 'completed', true));
    }
    fill(head.actions, buttons.length ? buttons : h('span.muted', null, `Changes save as you type.`));
  }

  function renderPresence(list) {
    if (!head.presence) return;
    fill(head.presence, list.map((u) => avatar(u, {
      status: u.status, title: `${u.name}${u.self ? ' (you)' : ''} — ${u.status}${u.focus ? `, in ${humanize(u.focus)}` : ''}`,
    })));
    head.presence.dataset.count = String(list.length);
    // Who is in which field.
    for (const [key, row] of rows) {
      fill(row.focusers, list.filter((u) => !u.self && u.focus === key).map((u) => avatar(u, { small: true, status: u.status })));
    }
    fill(head.here, list.map((u) => h('li', { 'data-testid': 'here' }, h('div.row-link', null, avatar(u, { status: u.status }),
      h('div.row-main', null, h('div.row-title', null, `${u.name}${u.self ? ' (you)' : ''}`),
        h('div.row-sub', null, `${u.role === 'couple' ? 'Couple' : u.role ? `Supplier ${u.role}` : ''} · ${u.status}${u.focus ? ` · in ${humanize(u.focus)}` : ''}`))))));
    // The supplier's view says whether the couple is filling it in right now; the couple's, who from the supplier is here.
    const couple = list.filter((u) => !u.self && u.role === 'couple');
    const supplier = list.filter((u) => !u.self && u.role && u.role !== 'couple');
    let text = '';
    let live = false;
    if (ctx.role === 'supplier') {
      const active = couple.filter((u) => u.status === 'active');
      if (active.length) {
        text = `${active.map((u) => u.name).join(' and ')} ${active.length === 1 ? 'is' : 'are'} currently filling this form`;
        live = true;
      } else if (couple.length) text = `${couple.map((u) => u.name).join(' and ')} ${couple.length === 1 ? 'has' : 'have'} it open (idle)`;
    } else if (supplier.length) {
      text = `${supplier.map((u) => u.name).join(' and ')} from your supplier ${supplier.length === 1 ? 'is' : 'are'} looking at this form`;
      live = supplier.some((u) => u.status === 'active');
    }
    head.filling.hidden = !text;
    head.filling.dataset.state = live ? 'filling' : text ? 'open' : 'none';
    fill(head.filling, live ? h('i.live') : null, text);
  }

  /** The people who can see this form: the supplier's team and the couple (from the demo directory). */
  function mentionCandidates() {
    const out = [];
    for (const p of ctx.people.values()) {
      if (p.id === me()) continue;
      const team = p.teams.find((t) => t.id === form.supplierId);
      const couple = wedding && p.couples.find((c) => c.id === wedding.couple_id);
      if (team) out.push({ ...p, side: `${team.role} · ${team.name}` });
      else if (couple) out.push({ ...p, side: couple.name });
    }
    return out;
  }

  // ---- live events -----------------------------------------------------------------------------------------------

  on(form, 'change', (c) => {
    if (!rows.size) return;
    renderField(c.field, { ops: c.ops || null });
    if (c.source === 'remote' && c.by && c.by.user_id !== me()) glow(c.field, c.by, Date.now());
  });
  on(form, 'lock', (e) => renderField(e.field));
  on(form, 'lockDenied', (e) => renderField(e.field));
  on(form, 'lockLost', (e) => {
    renderField(e.field);
    toast(e.reason === 'broken' ? `${e.by ? e.by.name : 'Someone'} took over ${humanize(e.field)}` : `Your hold on ${humanize(e.field)} ran out`, { kind: 'warn' });
  });
  on(form, 'typing', (e) => renderTyping(e.field, e.users));
  on(form, 'presence', renderPresence);
  on(form, 'progress', () => rows.size && renderHead());
  on(form, 'status', (s) => {
    if (!rows.size) return;
    renderHead();
    for (const key of rows.keys()) renderField(key);
    if (s.by && s.by.user_id !== me()) toast(`${s.by.name} moved the form to “${String(s.status).replace('_', ' ')}”`);
  });
  on(form, 'ack', (e) => renderState(e.field));
  on(form, 'saved', (e) => renderState(e.field, true));
  on(form, 'synced', (e) => e.field && renderField(e.field));
  on(form, 'rejected', (e) => {
    if (e.field) renderField(e.field);
    toast(`${e.field ? humanize(e.field) : 'Change'} not saved: ${e.detail || e.reason}`, { kind: 'warn', testid: 'rejected-toast' });
  });
  on(form, 'conflict', (c) => {
    if (rows.size) renderField(c.field);
    const f = form.field(c.field);
    ctx.showConflict(c, f ? f.label || humanize(c.field) : humanize(c.field)).then(() => renderField(c.field));
  });
  on(form, 'loaded', () => {
    if (closed) return;
    if (!rows.size) build();
    else {
      renderHead();
      for (const key of rows.keys()) renderField(key);
    }
  });
  on(form, 'closed', ({ reason }) => {
    if (closed) return;
    if (reason !== 'closed') fill(root, h('div.card.pad', { 'data-testid': 'form-closed' },
      reason === 'forbidden' ? 'You no longer have access to this form.' : `This form is not available (${reason}).`));
  });
  on(client, 'state', () => {
    for (const key of rows.keys()) renderState(key);
  });
  on(client, 'queue', () => {
    for (const key of rows.keys()) renderState(key);
  });

  form.ready.then(async () => {
    if (closed) return;
    if (!rows.size) build();
    if (form.weddingId) {
      wedding = await client.http.get(`/api/v1/weddings/${form.weddingId}`).catch(() => null);
    }
  }, (error) => {
    if (!closed) fill(root, h('div.card.pad', { 'data-testid': 'form-error' }, `This form cannot be opened: ${error.detail || error.reason || error.message}`));
  });

  return () => {
    closed = true;
    for (const off of offs) off();
    for (const row of rows.values()) clearTimeout(row.glowTimer);
    form.close().catch(() => {});
  };
}

export { describeValue };
