// The sign-in page: the demo people, grouped by couple and supplier team; a click opens the app as that person.
import { h, fill, avatar } from './ui.js';
import { demoUsers, signIn, registerServiceWorker } from './session.js';

const box = document.getElementById('people');
registerServiceWorker();

function describe(u) {
  const parts = [];
  for (const c of u.couples) parts.push(`${c.role} · ${c.name}`);
  for (const t of u.teams) parts.push(`${t.role} · ${t.name}`);
  return parts.join(', ') || 'no couple or team';
}

function personButton(u) {
  return h('button.person', {
    type: 'button',
    'data-testid': `sign-in-${u.id}`,
    onclick: async (e) => {
      e.currentTarget.disabled = true;
      try {
        await signIn(u.id);
        location.href = '/app.html#/';
      } catch (error) {
        e.currentTarget.disabled = false;
        alert(`Sign-in failed: ${error.message}`);
      }
    },
  }, avatar(u), h('span.row-main', null, h('div.row-title', null, u.name), h('div.row-sub', null, describe(u))));
}

async function show() {
  let users;
  try {
    users = await demoUsers();
  } catch (error) {
    fill(box, h('div.card.off-card', { 'data-testid': 'demo-off' },
      h('h2', null, 'Demo sign-in is off on this hub'),
      h('p.muted', null, error.status === 404
        ? 'This hub runs without demo data, so it mints no demo tokens. Sign in through your application instead.'
        : `The hub could not be reached (${error.message}).`)));
    return;
  }
  const groups = new Map();
  const add = (key, title, u) => {
    if (!groups.has(key)) groups.set(key, { title, people: [] });
    groups.get(key).people.push(u);
  };
  for (const u of users) {
    if (u.couples.length) for (const c of u.couples) add(`c:${c.id}`, `${c.name} · couple`, u);
    else if (u.teams.length) for (const t of u.teams) add(`s:${t.id}`, `${t.name} · supplier team`, u);
    else add('other', 'Other accounts', u);
  }
  fill(box, [...groups.values()].map((g) => h('section.card', null, h('h2', null, g.title),
    g.people.map(personButton))));
}

show();
