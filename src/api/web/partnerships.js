// partnerships — the reservations waiting for this division (a side whose
// participant's home is this node's division, unanswered: reserve or
// decline), the list of partnerships by state with their lifecycle
// actions, and one partnership with its meetings and outcomes (PUT
// /v1/meetings/{id} with an id made here, POST /v1/outcomes).
import { session, get, post, api, h, put, field, select, all, table, nameOf, divisionName, when, day, short, action, query, newId, clearErrors, showError } from './core.js';

const STATES = ['proposed', 'reserved', 'active', 'completed', 'cancelled', 'declined', 'expired'];
const OUTCOMES = ['job', 'education', 'danish_improved', 'network_grown'];
const TOPICS = ['job', 'education', 'language', 'network', 'wellbeing', 'other'];

const side = (s) => (s ? `${s.answer} by ${divisionName(s.division)}` : 'unanswered');

// Reserve and decline, for a partnership with a side this division answers.
function answerButtons(ps, done) {
  const out = h('span', { class: 'error', role: 'alert' });
  const act = (verb) => action(verb === 'reserve' ? 'Reserve' : 'Decline', async () => {
    const r = await post(`/v1/partnerships/${ps.id}/${verb}`);
    done(r);
  }, out, verb === 'reserve' ? 'btn primary' : 'btn');
  return h('span', { class: 'actions' }, act('reserve'), ' ', act('decline'), ' ', out);
}

// The participants of these partnerships, by id (four reads at a time;
// null for one this node cannot show).
async function people(list) {
  const queue = [...new Set(list.flatMap((ps) => [ps.mentee_id, ps.mentor_id]))];
  const out = new Map();
  const worker = async () => {
    while (queue.length) {
      const id = queue.pop();
      out.set(id, await get('/v1/participants/' + id).catch(() => null));
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return out;
}

// A participant's link: her name (or profile) and her home.
function who(id, p) {
  const label = p ? `${nameOf(p)} (${divisionName(p.home_division)})` : short(id);
  return h('a', { href: '#/participant/' + id }, label);
}

export async function reservations() {
  const mine = session.who.node_division;
  const open = [];
  for (const state of ['proposed', 'reserved']) open.push(...(await all('/v1/partnerships', { state }, 2, 500)).items);
  const persons = await people(open);
  const home = new Map([...persons].map(([id, p]) => [id, p && p.home_division]));
  const waiting = open.filter((ps) =>
    (!ps.mentee_side && home.get(ps.mentee_id) === mine) || (!ps.mentor_side && home.get(ps.mentor_id) === mine));
  const whose = (ps) => [!ps.mentee_side && home.get(ps.mentee_id) === mine ? 'the mentee' : null,
    !ps.mentor_side && home.get(ps.mentor_id) === mine ? 'the mentor' : null].filter(Boolean).join(' and ');
  const rows = table([
    ['Partnership', (ps) => h('a', { href: '#/partnership/' + ps.id }, short(ps.id))],
    ['Proposed', (ps) => `${when(ps.proposed_at)} by ${divisionName(ps.proposed_by)}`],
    ['Mentee', (ps) => who(ps.mentee_id, persons.get(ps.mentee_id))],
    ['Mentor', (ps) => who(ps.mentor_id, persons.get(ps.mentor_id))],
    ['Yours to answer', whose],
    ['', (ps) => answerButtons(ps, (r) => {
      const row = document.querySelector(`[data-ps="${ps.id}"]`);
      if (row) put(row, `now ${r.state}`);
    })],
  ], waiting, { class: 'list', id: 'reservations' });
  rows.querySelectorAll('tbody tr').forEach((tr, i) => tr.lastChild.setAttribute('data-ps', waiting[i].id));
  return h('section', {}, h('h1', {}, 'Reservations'),
    h('p', {}, `Proposals waiting for ${session.who.node_display_name} to reserve or decline its participant’s side.`),
    waiting.length ? rows : h('p', { id: 'reservations-none' }, 'Nothing is waiting for this division.'));
}

export async function list(id, params) {
  const state = params.get('state') || '';
  const cursor = params.get('cursor') || '';
  const st = select([['', 'any state'], ...STATES], state);
  const form = h('form', { class: 'inline' }, field('State', st, { name: 'state' }), h('button', { type: 'submit', class: 'btn' }, 'Show'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/partnerships' + query({ state: st.value });
  });
  const page = await get('/v1/partnerships' + query({ state, cursor, limit: 50 }));
  return h('section', {}, h('h1', {}, 'Partnerships'), form,
    table([
      ['Partnership', (ps) => h('a', { href: '#/partnership/' + ps.id }, short(ps.id))],
      ['State', (ps) => ps.state],
      ['Mentee', (ps) => h('a', { href: '#/participant/' + ps.mentee_id }, short(ps.mentee_id))],
      ['Mentee’s side', (ps) => side(ps.mentee_side)],
      ['Mentor', (ps) => h('a', { href: '#/participant/' + ps.mentor_id }, short(ps.mentor_id))],
      ['Mentor’s side', (ps) => side(ps.mentor_side)],
      ['Proposed', (ps) => when(ps.proposed_at)],
    ], page.items, { class: 'list' }),
    h('div', { class: 'pager' }, cursor ? h('a', { class: 'btn', href: '#/partnerships' + query({ state }) }, 'First page') : null,
      page.next_cursor ? h('a', { class: 'btn', href: '#/partnerships' + query({ state, cursor: page.next_cursor }) }, 'Next') : null));
}

function endForm(ps) {
  const st = select(['completed', 'cancelled']);
  const reason = h('input', { type: 'text', maxlength: 500 });
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, 'End the partnership'),
    h('div', { class: 'inline' }, field('Ended as', st, { name: 'state' }), field('Reason', reason, { name: 'reason' }),
      h('button', { type: 'submit', class: 'btn' }, 'End')), h('p', { class: 'form-error', role: 'alert' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    try {
      await post(`/v1/partnerships/${ps.id}/end`, { state: st.value, reason: reason.value.trim() || undefined });
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

// A local date input's value as RFC 3339 UTC.
const isoOf = (v) => (v ? new Date(v).toISOString().replace(/\.\d+Z$/, 'Z') : undefined);

function meetingForm(ps, divisionId) {
  const date = h('input', { type: 'datetime-local' });
  const minutes = h('input', { type: 'number', min: 1, max: 600 });
  const topics = select([['', 'no topic'], ...TOPICS]);
  const notes = h('textarea', { rows: 2, maxlength: 4000 });
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, 'Log a meeting'),
    h('div', { class: 'grid' }, field('Date and time', date, { name: 'date' }), field('Duration (minutes)', minutes, { name: 'duration_minutes' }),
      field('Topic', topics, { name: 'topics' }), field('Minutes of the meeting', notes, { name: 'minutes' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn' }, 'Log the meeting'));
  const id = newId(divisionId); // one id per form: a retry never logs it twice
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!date.value) return showError(form, { field: 'date', message: 'Enter the date of the meeting.' });
    const body = { partnership_id: ps.id, date: isoOf(date.value) };
    if (minutes.value) body.duration_minutes = Number(minutes.value);
    if (topics.value) body.topics = [topics.value];
    if (notes.value.trim()) body.minutes = notes.value.trim();
    try {
      await api('PUT', '/v1/meetings/' + id, body);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

function outcomeForm(ps) {
  const kind = select(OUTCOMES.map((k) => [k, k.replace(/_/g, ' ')]));
  const date = h('input', { type: 'date' });
  const sector = h('input', { type: 'text', maxlength: 100 });
  const qual = select([['', 'not stated'], 'yes', 'no']);
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, 'Record an outcome for the mentee'),
    h('div', { class: 'grid' }, field('Kind', kind, { name: 'kind' }), field('Date', date, { name: 'date' }),
      field('Sector (a job)', sector, { name: 'sector' }), field('Matches her qualifications (a job)', qual, { name: 'qualifications_match' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn' }, 'Record'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    if (!date.value) return showError(form, { field: 'date', message: 'Enter the date.' });
    const body = { participant_id: ps.mentee_id, partnership_id: ps.id, kind: kind.value, date: date.value + 'T00:00:00Z' };
    if (sector.value.trim()) body.sector = sector.value.trim();
    if (qual.value) body.qualifications_match = qual.value;
    try {
      await post('/v1/outcomes', body);
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

export async function show(id) {
  const [ps, meetings, health] = await Promise.all([get('/v1/partnerships/' + id),
    all('/v1/meetings', { partnership: id }, 1, 100), fetch('/v1/health').then((r) => r.json())]);
  const outs = (await all('/v1/outcomes', {}, 4, 500)).items.filter((o) => o.partnership_id === id);
  const open = ps.state === 'proposed' || ps.state === 'reserved';
  return h('section', {}, h('h1', {}, `Partnership ${short(ps.id)}`),
    h('dl', { class: 'facts card' },
      h('dt', {}, 'state'), h('dd', { id: 'ps-state' }, ps.state),
      h('dt', {}, 'mentee'), h('dd', {}, h('a', { href: '#/participant/' + ps.mentee_id }, ps.mentee_id), ` — ${side(ps.mentee_side)}`),
      h('dt', {}, 'mentor'), h('dd', {}, h('a', { href: '#/participant/' + ps.mentor_id }, ps.mentor_id), ` — ${side(ps.mentor_side)}`),
      h('dt', {}, 'proposed'), h('dd', {}, `${when(ps.proposed_at)} by ${divisionName(ps.proposed_by)}`),
      ps.end ? [h('dt', {}, 'ended'), h('dd', {}, `${ps.end.state} on ${when(ps.end.date)}${ps.end.reason ? ': ' + ps.end.reason : ''}`)] : null),
    open ? h('p', {}, answerButtons(ps, () => window.dispatchEvent(new HashChangeEvent('hashchange')))) : null,
    ps.state === 'active' ? endForm(ps) : null,
    h('section', { class: 'card' }, h('h2', {}, 'Meetings'),
      meetings.items.length ? table([['Date', (m) => when(m.date)], ['Minutes long', (m) => m.duration_minutes ?? ''],
        ['Topics', (m) => (m.topics || []).join(', ')], ['Minutes', (m) => m.minutes || ''], ['Recorded by', (m) => divisionName(m.division)]],
      meetings.items, { class: 'list' }) : h('p', {}, 'None logged.')),
    ps.state === 'active' || ps.state === 'completed' ? meetingForm(ps, health.division_id) : null,
    h('section', { class: 'card' }, h('h2', {}, 'Outcomes'),
      outs.length ? table([['Date', (o) => day(o.date)], ['Kind', (o) => o.kind], ['Sector', (o) => o.sector || '']], outs, { class: 'list' })
        : h('p', {}, 'None recorded.')),
    ps.state === 'active' || ps.state === 'completed' ? outcomeForm(ps) : null);
}
