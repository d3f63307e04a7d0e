// dashboard — the national figures as charts drawn on the page, from GET
// /v1/stats: participants per division over the years, partnerships by
// state, outcomes with their rates, countries of origin (small cells
// suppressed as the statistics publish them), cross-division partnerships
// and moves; with the version vector and digest they come from, and the
// same figures as CSV (GET /v1/stats?format=csv).
import { get, api, h, note, action, divisionName } from './core.js';
import { lines, bars, stacked, matrix, dataTable } from './chart.js';

const pct = (r) => (r === null || r === undefined ? '' : ` (${(100 * r).toFixed(1)}% of completed)`);

const byId = (tables) => Object.fromEntries(tables.map((t) => [t.id, t]));

function overYears(t) {
  const now = new Date().getUTCFullYear();
  const keep = t.columns.map((c, j) => [c, j]).filter(([c]) => Number(c) >= 2003 && Number(c) <= now);
  return lines(t.title + ' (joined that year)', keep.map(([c]) => c),
    t.rows.map((r, i) => ({ name: r, values: keep.map(([, j]) => t.cells[i][j]) })), t);
}

function outcomes(t, rates) {
  const totals = t.column_totals || t.columns.map((c, j) => t.cells.reduce((a, r) => a + (typeof r[j] === 'number' ? r[j] : 0), 0));
  return bars(t.title + ' — the whole country', t.columns.map((c) => c.replace(/_/g, ' ')), totals, t,
    (j) => pct(rates ? rates[t.columns[j]] : null));
}

function countries(t) {
  const order = t.rows.map((r, i) => [r, t.cells[i][0]]).sort((a, b) =>
    (typeof b[1] === 'number' ? b[1] : 0) - (typeof a[1] === 'number' ? a[1] : 0));
  const top = order.slice(0, 20);
  const hidden = t.cells.filter((r) => typeof r[0] !== 'number').length;
  const fig = bars(`${t.title}: the 20 largest of ${t.rows.length}`, top.map(([r]) => r), top.map(([, v]) => v), t);
  fig.append(note(hidden ? `${hidden} countries suppressed (a count of 1–4, or the cell that would reveal one), shown as “<5” or “x”.` : ''));
  return fig;
}

function source(st) {
  return h('section', { class: 'card source', id: 'source' }, h('h2', {}, 'Where these figures come from'),
    h('p', {}, 'Computed from the replicated state at this version vector; any node at the same vector and digest shows the same figures.'),
    h('p', {}, 'Digest ', h('code', { id: 'digest' }, st.digest)),
    h('p', {}, 'Version vector: ', Object.entries(st.version_vector || {}).map(([d, n]) => `${divisionName(d)} ${n}`).join(' · ')),
    st.suppressed ? note('Small cells (1–4) are suppressed, with the cells that would reveal them.') : null);
}

function csvButton(out) {
  return action('Download CSV', async () => {
    const text = await api('GET', '/v1/stats?format=csv&suppress=true');
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
    const a = h('a', { href: url, download: 'mentornet-stats.csv' });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }, out);
}

export async function show() {
  // The published view, small cells suppressed, for every role (the
  // national role gets no other).
  const st = await get('/v1/stats?suppress=true');
  const tables = st.tables;
  const t = byId(tables);
  const out = h('p', { class: 'error', role: 'alert' });
  const charts = [];
  if (t.participants_division_year) charts.push(overYears(t.participants_division_year));
  if (t.participants_division_role) charts.push(stacked(t.participants_division_role.title, t.participants_division_role));
  if (t.partnerships_division_state) charts.push(stacked(t.partnerships_division_state.title, t.partnerships_division_state));
  if (t.outcomes_division_kind) charts.push(outcomes(t.outcomes_division_kind, st.rates));
  if (t.mentees_country) charts.push(countries(t.mentees_country));
  if (t.partnerships_division_mentor_division) charts.push(matrix(t.partnerships_division_mentor_division.title, t.partnerships_division_mentor_division));
  if (t.moves_division_division) charts.push(matrix(t.moves_division_division.title, t.moves_division_division));
  const shown = new Set(charts.map((c) => c.querySelector('[data-table]')?.dataset.table));
  const rest = tables.filter((x) => !shown.has(x.id)).map((x) =>
    h('figure', { class: 'chart' }, h('figcaption', {}, x.title), h('div', { class: 'scroll' }, dataTable(x))));
  const headline = [`${(st.total ?? 0).toLocaleString('en-GB')} participants`,
    st.countries !== undefined ? `${st.countries} countries of origin` : null,
    st.mentee_countries !== undefined ? `mentees from ${st.mentee_countries} countries` : null].filter(Boolean).join(' · ');
  return h('section', { class: 'dashboard' }, h('h1', {}, 'National dashboard'),
    h('p', { class: 'headline', id: 'headline' }, headline),
    h('p', {}, csvButton(out), out), h('div', { class: 'charts' }, charts, rest), source(st));
}
