// participants — the list (search, filters by role, status, division and
// language, paging) and the intake form (POST /v1/participants), whose
// errors show next to the field they concern.
import { session, get, post, h, field, select, checkboxes, clearErrors, showError, query, table, nameOf, divisionName, note } from './core.js';

export const ROLES = ['mentor', 'mentee'];
export const STATUSES = ['applicant', 'waiting', 'matched', 'alumni', 'withdrawn'];
export const BACKGROUNDS = ['refugee', 'family_reunification', 'labour_migrant', 'student', 'other', 'unknown'];
export const DANISH = ['none', 'A1', 'A2', 'B1', 'B2', 'C1', 'C2'];
export const EDUCATION = ['none', 'primary', 'secondary', 'vocational', 'bachelor', 'master', 'phd'];
export const GOALS = ['job', 'education', 'network', 'language'];
export const PURPOSES = ['matching', 'statistics', 'contact', 'sub_networks'];

const PAGE = 50;
// The language filter is not the API's: pages are read and filtered here,
// at most this many reads per page shown.
const LANGUAGE_READS = 10;

const any = (label, values) => [['', label], ...values.map((v) => [v, v.replace(/_/g, ' ')])];

export function divisionOptions(first) {
  return [['', first], ...(session.who.divisions || []).map((d) => [d.name, d.display_name])];
}

// Cursors of the pages before this one, per filter, for "Previous".
const back = new Map();

async function fetchPage(filters, cursor) {
  const { language, ...server } = filters;
  if (!language) {
    const page = await get('/v1/participants' + query({ ...server, limit: PAGE, cursor }));
    return { items: page.items, next: page.next_cursor, read: page.items.length };
  }
  const items = [];
  let next = cursor, read = 0;
  for (let i = 0; i < LANGUAGE_READS && items.length < PAGE; i++) {
    const page = await get('/v1/participants' + query({ ...server, limit: 200, cursor: next }));
    read += page.items.length;
    items.push(...page.items.filter((p) => (p.languages || []).includes(language)));
    next = page.next_cursor;
    if (!next) break;
  }
  return { items, next, read };
}

export async function list(id, params) {
  const f = {
    q: params.get('q') || '', role: params.get('role') || '', status: params.get('status') || '',
    division: params.get('division') || '', language: (params.get('language') || '').toLowerCase(),
  };
  const cursor = params.get('cursor') || '';
  const key = JSON.stringify(f);
  const stack = back.get(key) || [];
  const ctl = {
    q: h('input', { type: 'search', value: f.q, placeholder: 'name or e-mail' }),
    role: select(any('any role', ROLES), f.role),
    status: select(any('any status', STATUSES), f.status),
    division: select(divisionOptions('any division'), f.division),
    language: h('input', { type: 'text', value: f.language, maxlength: 2, size: 3, placeholder: 'ar', pattern: '[a-zA-Z]{2}' }),
  };
  const form = h('form', { class: 'filters', role: 'search' },
    field('Search', ctl.q, { name: 'q' }), field('Role', ctl.role, { name: 'role' }),
    field('Status', ctl.status, { name: 'status' }), field('Division', ctl.division, { name: 'division' }),
    field('Language (ISO 639-1)', ctl.language, { name: 'language' }),
    h('button', { type: 'submit', class: 'btn' }, 'Search'), h('p', { class: 'form-error', role: 'alert' }));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const next = {};
    for (const [k, c] of Object.entries(ctl)) next[k] = c.value.trim();
    back.delete(JSON.stringify(next));
    location.hash = '#/participants' + query(next);
  });
  let page;
  try {
    page = await fetchPage(f, cursor);
  } catch (err) {
    showError(form, err);
    return h('section', {}, h('h1', {}, 'Participants'), form);
  }
  const go = (c, s) => {
    back.set(key, s);
    location.hash = '#/participants' + query({ ...f, cursor: c });
  };
  const pager = h('div', { class: 'pager' },
    stack.length ? h('button', { type: 'button', class: 'btn', onclick: () => go(stack[stack.length - 1], stack.slice(0, -1)) }, 'Previous') : null,
    page.next ? h('button', { type: 'button', class: 'btn', onclick: () => go(page.next, [...stack, cursor]) }, 'Next') : null);
  const rows = table([
    ['Name', (p) => h('a', { href: '#/participant/' + p.id }, nameOf(p))],
    ['Role', (p) => p.role],
    ['Status', (p) => p.status],
    ['Division', (p) => divisionName(p.home_division)],
    ['Languages', (p) => (p.languages || []).join(', ')],
    ['Profession', (p) => p.profession || ''],
  ], page.items, { class: 'list', id: 'participants' });
  const count = f.language
    ? `${page.items.length} speaking “${f.language}” among the next ${page.read} read`
    : `${page.items.length} shown`;
  return h('section', {}, h('h1', {}, 'Participants'),
    h('p', {}, h('a', { href: '#/new', class: 'btn primary' }, 'New participant')),
    form, note(count), h('div', { class: 'scroll' }, rows), pager);
}

// ---- intake ------------------------------------------------------------

const text = (attrs = {}) => h('input', { type: 'text', ...attrs });
const number = (min, max) => h('input', { type: 'number', min, max, inputmode: 'numeric' });

// The intake form's controls, by API field name.
function controls() {
  return {
    role: select([['', 'choose…'], ...ROLES]),
    given_name: text({ autocomplete: 'off', maxlength: 100 }),
    family_name: text({ autocomplete: 'off', maxlength: 100 }),
    email: h('input', { type: 'email', autocomplete: 'off' }),
    phone: h('input', { type: 'tel', autocomplete: 'off' }),
    birth_year: number(1900, 2020),
    country_of_origin: text({ maxlength: 2, size: 3 }),
    background: select(any('not given', BACKGROUNDS)),
    languages: text({ placeholder: 'ar, da' }),
    danish_level: select(any('not given', DANISH)),
    education_level: select(any('not given', EDUCATION)),
    profession: text({ maxlength: 100 }),
    sector: text({ maxlength: 100 }),
    years_in_denmark: number(0, 100),
    capacity: number(1, 5),
    availability: text({ maxlength: 200, placeholder: 'weekday evenings' }),
    status: select(STATUSES, 'waiting'),
    notes: h('textarea', { rows: 3, maxlength: 2000 }),
  };
}

const LABELS = {
  role: 'Role (required)', given_name: 'Given name (required)', family_name: 'Family name (required)',
  email: 'E-mail', phone: 'Phone', birth_year: 'Year of birth', country_of_origin: 'Country of origin (ISO code, e.g. SY)',
  background: 'Background', languages: 'Languages (ISO 639-1 codes, comma-separated)', danish_level: 'Danish level',
  education_level: 'Education', profession: 'Profession', sector: 'Sector', years_in_denmark: 'Years in Denmark',
  capacity: 'Capacity (mentors: mentees at once, 1–5)', availability: 'Availability', status: 'Status', notes: 'Notes',
};

// The body from the controls; problems the page can tell without the API.
function body(c, form) {
  const b = {}, problems = [];
  for (const [k, el] of Object.entries(c)) {
    const v = el.value.trim();
    if (v === '') continue;
    if (el.type === 'number') b[k] = Number(v);
    else if (k === 'languages') b[k] = v.split(/[\s,]+/).filter(Boolean).map((x) => x.toLowerCase());
    else if (k === 'country_of_origin') b[k] = v.toUpperCase();
    else b[k] = v;
  }
  const goals = [...form.querySelectorAll('input[name=goals]:checked')].map((x) => x.value);
  if (goals.length) b.goals = goals;
  const purposes = [...form.querySelectorAll('input[name=consent]:checked')].map((x) => x.value);
  if (purposes.length) b.consent = { purposes, given_at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  if (!b.role) problems.push({ field: 'role', message: 'Choose mentor or mentee.' });
  if (!b.given_name) problems.push({ field: 'given_name', message: 'Enter her given name.' });
  if (!b.family_name) problems.push({ field: 'family_name', message: 'Enter her family name.' });
  if (b.role === 'mentee') delete b.capacity;
  return [b, problems];
}

export async function intake() {
  const c = controls();
  const fields = Object.keys(LABELS).map((k) => field(LABELS[k], c[k], { name: k }));
  const form = h('form', { class: 'card intake', novalidate: true, id: 'intake' },
    h('h1', {}, 'New participant'),
    h('p', {}, `Registered in ${session.who.node_display_name}: this node’s division becomes her home.`),
    h('div', { class: 'grid' }, fields.slice(0, 14)),
    checkboxes('Goals (a mentee’s wishes, a mentor’s offer)', 'goals', GOALS),
    h('div', { class: 'grid' }, fields.slice(14)),
    checkboxes('Consent given for', 'consent', PURPOSES),
    h('p', { class: 'form-error', role: 'alert' }),
    h('button', { type: 'submit', class: 'btn primary' }, 'Register'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const [b, problems] = body(c, form);
    if (problems.length) {
      problems.reverse().forEach((p) => showError(form, p));
      return;
    }
    const button = form.querySelector('button[type=submit]');
    button.disabled = true;
    try {
      const p = await post('/v1/participants', b);
      location.hash = '#/participant/' + p.id + '?new=1';
    } catch (err) {
      showError(form, err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}
