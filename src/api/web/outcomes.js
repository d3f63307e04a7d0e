// outcomes — the outcomes recorded (GET /v1/outcomes, by kind, paged),
// each with its mentee and partnership; a new one is recorded from its
// partnership's page.
import { get, h, field, select, table, divisionName, day, short, query } from './core.js';

const KINDS = ['job', 'education', 'danish_improved', 'network_grown'];

export async function list(id, params) {
  const kind = params.get('kind') || '';
  const cursor = params.get('cursor') || '';
  const k = select([['', 'any kind'], ...KINDS.map((x) => [x, x.replace(/_/g, ' ')])], kind);
  const form = h('form', { class: 'inline' }, field('Kind', k, { name: 'kind' }), h('button', { type: 'submit', class: 'btn' }, 'Show'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/outcomes' + query({ kind: k.value });
  });
  const page = await get('/v1/outcomes' + query({ kind, cursor, limit: 50 }));
  return h('section', {}, h('h1', {}, 'Outcomes'), form,
    h('p', { class: 'hint' }, 'Record an outcome from the page of the partnership it came from.'),
    table([
      ['Date', (o) => day(o.date)],
      ['Kind', (o) => o.kind.replace(/_/g, ' ')],
      ['Mentee', (o) => h('a', { href: '#/participant/' + o.participant_id }, short(o.participant_id))],
      ['Partnership', (o) => (o.partnership_id ? h('a', { href: '#/partnership/' + o.partnership_id }, short(o.partnership_id)) : '—')],
      ['Sector', (o) => o.sector || ''],
      ['Matches her qualifications', (o) => o.qualifications_match || ''],
      ['Recorded by', (o) => divisionName(o.division)],
    ], page.items, { class: 'list', id: 'outcomes' }),
    h('div', { class: 'pager' }, cursor ? h('a', { class: 'btn', href: '#/outcomes' + query({ kind }) }, 'First page') : null,
      page.next_cursor ? h('a', { class: 'btn', href: '#/outcomes' + query({ kind, cursor: page.next_cursor }) }, 'Next') : null));
}
