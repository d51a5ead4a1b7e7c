// Notes on a form, with @mentions: shown as names, written as "@Name" and sent as "@{userId}" (the hub's format).
import { h, fill, avatar, timeAgo, toast } from './ui.js';

const MENTION = /@\{([0-9a-fA-F-]{36})\}/g;

/** Text with "@{id}" turned into highlighted names. */
export function withMentions(text, people) {
  const out = [];
  let last = 0;
  for (const m of String(text || '').matchAll(MENTION)) {
    if (m.index > last) out.push(text.slice(last, m.index));
    const p = people.get(m[1]);
    out.push(h('span.mention', { 'data-testid': 'mention' }, `@${p ? p.name : 'someone'}`));
    last = m.index + m[0].length;
  }
  if (last < String(text || '').length) out.push(String(text).slice(last));
  return out;
}

/**
 * The notes card of a form: the list (live `note` events) and a composer with mention suggestions.
 * @param {{people: Map<string, any>, me: any}} ctx
 * @param {any} form a FormSession
 * @param {() => any[]} candidates the people who can see the form (to mention)
 */
export function notesCard(ctx, form, candidates) {
  const list = h('ul.notes', { 'data-testid': 'notes' });
  const render = () => {
    if (!form.notes.length) {
      fill(list, h('li.muted', null, 'No notes yet. Use @ to mention someone.'));
      return;
    }
    fill(list, form.notes.map((n) => h('li', { 'data-testid': 'note' },
      avatar({ user_id: n.by && n.by.user_id, name: n.by && n.by.name }, { small: true }),
      h('div.row-main', null,
        h('div', null, h('span.who', null, n.by ? n.by.name : 'Someone'), ' ', h('span.muted', null, timeAgo(n.at))),
        h('div', null, withMentions(n.text, ctx.people))))));
  };

  const input = h('textarea', { placeholder: 'Add a note… type @ to mention someone', 'data-testid': 'note-input', rows: 2 });
  const menu = h('div.mention-menu', { hidden: true, 'data-testid': 'mention-menu' });
  const chosen = new Map(); // "@Name" → id
  let matches = [];
  let active = 0;

  const query = () => {
    const upto = input.value.slice(0, input.selectionStart);
    const m = upto.match(/@([\p{L} .'-]{0,30})$/u);
    return m ? { text: m[1], start: upto.length - m[0].length } : null;
  };
  const pick = (person) => {
    const q = query();
    if (!q) return;
    const label = `@${person.name}`;
    chosen.set(label, person.id);
    const before = input.value.slice(0, q.start);
    const after = input.value.slice(input.selectionStart);
    input.value = `${before}${label} ${after}`;
    const caret = before.length + label.length + 1;
    input.setSelectionRange(caret, caret);
    menu.hidden = true;
    input.focus();
  };
  const showMenu = () => {
    const q = query();
    if (!q) {
      menu.hidden = true;
      return;
    }
    const needle = q.text.trim().toLowerCase();
    matches = candidates().filter((p) => p.name.toLowerCase().includes(needle)).slice(0, 6);
    active = 0;
    if (!matches.length) {
      menu.hidden = true;
      return;
    }
    fill(menu, matches.map((p, i) => h(`button${i === active ? '.active' : ''}`, {
      type: 'button', 'data-testid': 'mention-option', onmousedown: (e) => {
        e.preventDefault();
        pick(p);
      },
    }, avatar(p, { small: true }), h('span', null, p.name), h('span.muted', null, p.side))));
    menu.hidden = false;
  };
  input.addEventListener('input', showMenu);
  input.addEventListener('keydown', (e) => {
    if (menu.hidden) {
      if (e.key === 'Enter' && (e.metaKey || e.ctrlKey)) send();
      return;
    }
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      active = (active + (e.key === 'ArrowDown' ? 1 : matches.length - 1)) % matches.length;
      menu.querySelectorAll('button').forEach((b, i) => b.classList.toggle('active', i === active));
    } else if (e.key === 'Enter' || e.key === 'Tab') {
      e.preventDefault();
      pick(matches[active]);
    } else if (e.key === 'Escape') menu.hidden = true;
  });
  input.addEventListener('blur', () => setTimeout(() => (menu.hidden = true), 150));

  const send = async () => {
    let text = input.value.trim();
    if (!text) return;
    for (const [label, id] of chosen) text = text.split(label).join(`@{${id}}`);
    input.value = '';
    chosen.clear();
    try {
      const r = await form.addNote(text);
      if (r && r.queued) toast('Note queued: it is sent when you are back online');
    } catch (error) {
      toast(`The note was not added: ${error.detail || error.reason}`, { kind: 'warn' });
    }
  };

  form.on('note', render);
  form.on('loaded', render);
  render();
  if (ctx.readOnly) {
    input.disabled = true;
    input.placeholder = 'Viewers can read notes but not add them';
  }
  return h('section.card', { 'data-testid': 'notes-card' },
    h('h2', null, 'Notes'),
    list,
    h('div.note-compose', null, menu, input,
      h('div.row', null, h('span.muted', null, '@ mentions notify people'),
        h('button.btn.primary.small', { type: 'button', 'data-testid': 'note-send', onclick: send, disabled: !!ctx.readOnly }, 'Add note'))));
}
