// participant — one participant: her profile and, as far as the role
// allows, her personal and special details; her partnerships (with their
// meetings), outcomes, sub-networks and moves; and the actions the API
// has: transfer (POST /v1/participants/{id}/transfer), her data export
// (GET .../export, downloaded as a file) and the withdrawal of her consent
// (DELETE .../consent) on her home node, and, for a waiting mentee, her
// matching suggestions.
import { session, api, get, post, h, put, field, select, all, table, nameOf, divisionName, when, day, short, action, note } from './core.js';

// Fields by visibility class (README "Participants"); the API leaves out
// what the role may not read.
const PROFILE = ['role', 'status', 'home_division', 'birth_year', 'languages', 'danish_level', 'education_level',
  'profession', 'sector', 'years_in_denmark', 'goals', 'capacity', 'availability'];
const PERSONAL = ['given_name', 'family_name', 'email', 'phone', 'notes'];
const SPECIAL = ['country_of_origin', 'background', 'consent'];

function value(k, v) {
  if (v === undefined || v === null) return '—';
  if (k === 'home_division') return divisionName(v);
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'object') return `${(v.purposes || []).join(', ')} (given ${when(v.given_at)})`;
  return String(v);
}

function facts(title, keys, p) {
  const shown = keys.filter((k) => k in p);
  if (!shown.length) return null;
  return h('section', { class: 'card' }, h('h2', {}, title),
    h('dl', { class: 'facts' }, shown.map((k) => [h('dt', {}, k.replace(/_/g, ' ')), h('dd', { 'data-key': k }, value(k, p[k]))])));
}

function transferForm(p) {
  const to = select((session.who.divisions || []).filter((d) => d.name !== p.home_division).map((d) => [d.name, d.display_name]));
  const out = h('p', { class: 'field-error', role: 'alert', 'data-field': 'to' });
  const done = note('');
  const run = action('Transfer', async () => {
    const moved = await post(`/v1/participants/${p.id}/transfer`, { to: to.value });
    done.textContent = `She now belongs to ${divisionName(moved.home_division)}.`;
  }, out);
  return h('section', { class: 'card' }, h('h2', {}, 'Move her to another division'),
    h('p', {}, 'Her home changes; she keeps her id, history, partnerships and slot.'),
    h('div', { class: 'inline' }, field('New home division', to, { name: 'to' }), run), out, done);
}

// Save data as a JSON file named name: a link to a blob URL, clicked (no
// inline script; the CSP allows it, as the page itself makes the URL).
function download(name, data) {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }));
  const a = h('a', { href: url, download: name, hidden: '' });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Her rights (README "Access and export", "Consent"): the export of
// everything about her, and the withdrawal of her consent, which clears
// her consent, country of origin and background. special is the section
// that shows them, redrawn after a withdrawal.
function rightsCard(p, special) {
  const out = h('p', { class: 'field-error', role: 'alert' });
  const done = note('');
  const exp = action('Export', async () => {
    download(`participant-${p.id}.json`, await get(`/v1/participants/${p.id}/export`));
    done.textContent = 'Her export was downloaded; the read is in the audit log.';
  }, out);
  exp.id = 'export';
  const withdraw = action('Withdraw consent', async () => {
    if (!window.confirm('Withdraw her consent? Her consent, country of origin and background are cleared on every node.')) return;
    const after = await api('DELETE', `/v1/participants/${p.id}/consent`);
    put(special, facts('Special category (GDPR art. 9)', SPECIAL, after));
    done.textContent = 'Consent withdrawn: her special-category fields are cleared.';
  }, out);
  withdraw.id = 'withdraw-consent';
  return h('section', { class: 'card' }, h('h2', {}, 'Her data'),
    h('p', {}, 'Everything the network holds about her, as one JSON file; or withdraw her consent.'),
    h('div', { class: 'inline' }, exp, ' ', withdraw), out, done);
}

async function partnershipsOf(p) {
  const { items } = await all('/v1/partnerships', { participant: p.id }, 2, 100);
  const meetings = await Promise.all(items.slice(0, 10).map((ps) =>
    get(`/v1/meetings?partnership=${ps.id}&limit=100`).then((m) => m.items, () => [])));
  const other = (ps) => (ps.mentee_id === p.id ? ps.mentor_id : ps.mentee_id);
  return h('section', { class: 'card' }, h('h2', {}, 'Partnerships'),
    items.length ? table([
      ['Partnership', (ps) => h('a', { href: '#/partnership/' + ps.id }, short(ps.id))],
      ['State', (ps) => ps.state],
      ['With', (ps) => h('a', { href: '#/participant/' + other(ps) }, (ps.mentee_id === p.id ? 'mentor ' : 'mentee ') + short(other(ps)))],
      ['Proposed', (ps) => when(ps.proposed_at)],
      ['Meetings', (ps) => { const i = items.indexOf(ps); return i < 10 ? String(meetings[i].length) : '…'; }],
    ], items, { class: 'list' }) : h('p', {}, 'None.'));
}

async function outcomesOf(p) {
  const { items, complete } = await all('/v1/outcomes', {}, 4, 500);
  const mine = items.filter((o) => o.participant_id === p.id);
  return h('section', { class: 'card' }, h('h2', {}, 'Outcomes'),
    mine.length ? table([['Date', (o) => day(o.date)], ['Kind', (o) => o.kind.replace(/_/g, ' ')],
      ['Sector', (o) => o.sector || ''], ['Matches her qualifications', (o) => o.qualifications_match || '']], mine, { class: 'list' })
      : h('p', {}, 'None recorded.'),
    complete ? null : note(`Searched the first ${items.length} outcomes only.`));
}

async function subnetworksOf(p) {
  const { items } = await all('/v1/subnetworks', {}, 1, 100);
  const members = await Promise.all(items.map((sn) =>
    get(`/v1/subnetworks/${sn.id}/members`).then((m) => m.items, () => [])));
  const mine = items.filter((sn, i) => members[i].some((m) => m.participant_id === p.id));
  return h('section', { class: 'card' }, h('h2', {}, 'Sub-networks'),
    mine.length ? h('ul', {}, mine.map((sn) => h('li', {}, h('a', { href: '#/subnetwork/' + sn.id }, sn.name),
      ` (${divisionName(sn.division)})`))) : h('p', {}, 'Not a member of any.'));
}

// Her moves: an id holds the number of the division that made it (byte
// 9), so a home other than that one means she moved (README "Moving a
// participant"); the transfers themselves are not listed by the API.
function moves(p) {
  const made = parseInt(p.id.slice(18, 20), 16);
  const first = (session.who.divisions || []).find((d) => d.id === made);
  const moved = first && first.name !== p.home_division;
  return h('section', { class: 'card' }, h('h2', {}, 'Moves'),
    h('p', { id: 'moves' }, moved
      ? `Registered in ${first.display_name}; she has moved to ${divisionName(p.home_division)}.`
      : `Registered in ${divisionName(p.home_division)}, her home; she has not moved.`));
}

export async function show(id, params) {
  const p = await get('/v1/participants/' + id);
  const mine = session.who.role === 'admin' || p.home_division === session.who.division;
  const suggest = p.role === 'mentee' && p.status === 'waiting'
    ? h('a', { class: 'btn primary', href: `#/matching?mentee=${p.id}` }, 'Suggestions for her') : null;
  const sections = await Promise.all([partnershipsOf(p), outcomesOf(p), subnetworksOf(p)]);
  // Her data rights are exercised on her home node only (409 elsewhere).
  const home = mine && p.home_division === session.who.node_division;
  const special = h('div', { id: 'special' }, mine ? facts('Special category (GDPR art. 9)', SPECIAL, p) : null);
  return h('section', { class: 'participant' },
    h('h1', { id: 'name' }, nameOf(p)),
    params.get('new') ? note('Registered.', 'ok') : null,
    h('p', { class: 'meta' }, `${p.role} · ${p.status} · ${divisionName(p.home_division)} · id ${p.id}`),
    h('p', {}, suggest),
    facts('Profile', PROFILE, p),
    mine ? facts('Personal details', PERSONAL, p) : null, special,
    mine ? null : note('Another division’s participant: her profile only.'),
    ...sections, moves(p), home ? rightsCard(p, special) : null, home ? transferForm(p) : null);
}
