// app — the shell: logging in with a token (kept in the tab's session
// storage), the navigation each role sees, the router over location.hash
// (#/participants, #/participant/ID, ...), and the connection line in the
// header ("working offline since 10:42").
import { session, get, h, put, field, showError, clearErrors, ApiError } from './core.js';
import * as status from './status.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const who = document.getElementById('who');
const line = document.getElementById('conn');

// A page's module is loaded when the page is first opened (import() of a
// file of this node), so a page weighs its own code and the shell's only.
const lazy = (file, name) => (...args) => import(file).then((m) => m[name](...args));
const participants = { list: lazy('./participants.js', 'list'), intake: lazy('./participants.js', 'intake') };
const participant = { show: lazy('./participant.js', 'show') };
const matching = { show: lazy('./matching.js', 'show') };
const partnerships = { reservations: lazy('./partnerships.js', 'reservations'), list: lazy('./partnerships.js', 'list'),
  show: lazy('./partnerships.js', 'show') };
const outcomes = { list: lazy('./outcomes.js', 'list') };
const subnetworks = { list: lazy('./subnetworks.js', 'list'), show: lazy('./subnetworks.js', 'show') };
const dashboard = { show: lazy('./dashboard.js', 'show') };

// Pages by the hash's first segment: [render, title, roles that see it].
const STAFF = ['admin', 'coordinator'];
const ALL = ['admin', 'coordinator', 'national'];
const pages = {
  participants: [participants.list, 'Participants', STAFF],
  new: [participants.intake, 'New participant', STAFF],
  participant: [participant.show, 'Participant', STAFF],
  matching: [matching.show, 'Matching', STAFF],
  reservations: [partnerships.reservations, 'Reservations', STAFF],
  partnerships: [partnerships.list, 'Partnerships', STAFF],
  partnership: [partnerships.show, 'Partnership', STAFF],
  outcomes: [outcomes.list, 'Outcomes', STAFF],
  subnetworks: [subnetworks.list, 'Sub-networks', STAFF],
  subnetwork: [subnetworks.show, 'Sub-network', STAFF],
  dashboard: [dashboard.show, 'Dashboard', ALL],
  status: [status.show, 'Status', ALL],
};
const menu = ['participants', 'new', 'matching', 'reservations', 'partnerships', 'outcomes', 'subnetworks', 'dashboard', 'status'];

function home() {
  return session.who.role === 'national' ? '#/dashboard' : '#/participants';
}

function loginPage(message) {
  const input = h('input', { type: 'password', autocomplete: 'off', required: true, spellcheck: 'false' });
  const form = h('form', { class: 'card narrow', novalidate: true },
    h('h1', {}, 'Log in'),
    h('p', {}, 'Paste the token your node’s administrator gave you. It is kept in this tab only, until you log out or close it.'),
    field('Token', input, { name: 'token' }),
    h('p', { class: 'form-error', role: 'alert' }, message || ''),
    h('button', { type: 'submit', class: 'btn primary' }, 'Log in'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const token = input.value.trim();
    if (!token) return showError(form, { field: 'token', message: 'Enter your token.' });
    session.set(token);
    try {
      session.who = await get('/v1/whoami');
      if (location.hash === home()) render();
      else location.hash = home(); // hashchange renders it
    } catch (err) {
      session.clear();
      const msg = err.status === 401 ? 'This node does not know that token.' : err.message;
      showError(form, { field: 'token', message: msg, code: err.code });
    }
  });
  session.who = null;
  put(nav);
  put(who);
  put(line);
  line.className = 'conn';
  put(main, form);
  document.title = 'Log in · mentornet';
  input.focus();
}

function logout() {
  session.clear();
  session.who = null;
  location.hash = '#/login';
  loginPage('You are logged out.');
}

function drawNav(current) {
  const role = session.who.role;
  put(nav, h('ul', {}, menu.filter((k) => pages[k][2].includes(role)).map((k) =>
    h('li', {}, h('a', { href: '#/' + k, 'aria-current': k === current ? 'page' : null }, pages[k][1])))));
  const out = h('button', { type: 'button', class: 'btn link', id: 'logout' }, 'Log out');
  out.addEventListener('click', logout);
  put(who, h('span', {}, `${session.who.name} · ${session.who.role} · ${session.who.node_display_name}`), ' ', out);
}

// The hash as [page, id, params]: #/participant/ID?x=y.
function route() {
  const [path, q] = location.hash.replace(/^#\/?/, '').split('?');
  const [page, id] = path.split('/');
  return [page || '', id || '', new URLSearchParams(q || '')];
}

// Each render has a number: one that finishes after a newer one started
// (the user moved on while it loaded) is dropped.
let renders = 0;

async function render() {
  const mine = ++renders;
  if (!session.token()) return loginPage();
  if (!session.who) {
    try {
      session.who = await get('/v1/whoami');
    } catch (err) {
      return loginPage(err instanceof ApiError && err.status === 401 ? 'Your token is no longer valid.' : err.message);
    }
  }
  const [page, id, params] = route();
  if (!pages[page] || !pages[page][2].includes(session.who.role)) {
    if (pages[page]) main.dataset.refused = `${pages[page][1]}: not for the ${session.who.role} role.`;
    location.replace(home()); // hashchange renders it
    return;
  }
  const [fn, title] = pages[page];
  drawNav(page);
  document.title = `${title} · mentornet`;
  const refusedNote = main.dataset.refused ? h('p', { class: 'warn', role: 'alert' }, main.dataset.refused) : null;
  delete main.dataset.refused;
  put(main, refusedNote, h('p', { class: 'loading' }, 'Loading…'));
  let view;
  try {
    view = await fn(id, params);
  } catch (err) {
    view = h('div', { class: 'card' }, h('h1', {}, title), h('p', { class: 'error', role: 'alert' }, `${err.message} (${err.code || 'error'})`));
  }
  if (mine !== renders) return;
  put(main, refusedNote, view);
  const heading = main.querySelector('h1');
  if (heading) {
    heading.tabIndex = -1;
    heading.focus({ preventScroll: true });
  }
  connection();
}

// The header's connection line: whether the node is cut off from every
// peer, and since when (the last time it heard from one).
let lastConn = 0;
async function connection() {
  if (!session.who || Date.now() - lastConn < 5000) return;
  lastConn = Date.now();
  try {
    const r = await get('/v1/replication');
    put(line, status.summary(r));
    line.className = status.offline(r) ? 'conn offline' : 'conn';
  } catch (err) {
    put(line, err.status === 0 ? 'The node does not answer.' : '');
    line.className = err.status === 0 ? 'conn offline' : 'conn';
  }
}

window.addEventListener('hashchange', render);
document.querySelector('.skip').addEventListener('click', (ev) => {
  ev.preventDefault();
  main.focus();
});
window.addEventListener('mn-logout', () => loginPage('Your token is no longer valid; log in again.'));
setInterval(() => {
  lastConn = 0;
  connection();
}, 10000);
render();
