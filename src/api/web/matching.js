// matching — a waiting mentee's suggestions with their reasons and a
// button to propose (GET /v1/matching/suggestions, POST /v1/partnerships),
// and the plan with the largest total score, to review and turn the
// chosen pairs into proposals (POST /v1/matching/plan, then one POST
// /v1/partnerships per chosen pair).
import { session, get, post, h, put, field, select, table, divisionName, short, action, note, query, clearErrors, showError } from './core.js';

function reasons(list) {
  return h('ul', { class: 'reasons' }, (list || []).map((r) =>
    h('li', {}, `${r.criterion}: ${r.points}/${r.weight}`, r.why ? h('span', { class: 'why' }, ` — ${r.why}`) : null)));
}

function profileLine(p) {
  if (!p) return '';
  return [p.profession, p.sector, p.education_level, (p.languages || []).join('/')].filter(Boolean).join(' · ');
}

async function proposeTo(menteeId, mentorId, out) {
  const ps = await post('/v1/partnerships', { mentee_id: menteeId, mentor_id: mentorId });
  put(out, 'Proposed: ', h('a', { href: '#/partnership/' + ps.id }, short(ps.id)), ` (${ps.state}). Each home now reserves her side.`);
  out.className = 'ok';
}

async function suggestions(menteeId, scope) {
  const s = await get('/v1/matching/suggestions' + query({ mentee: menteeId, scope, limit: 10 }));
  return h('section', { class: 'card', id: 'suggestions' },
    h('h2', {}, `Suggestions (${s.scope}, ${s.candidates} candidates)`),
    s.suggestions.length ? table([
      ['Mentor', (x) => h('a', { href: '#/participant/' + x.mentor_id }, short(x.mentor_id))],
      ['Division', (x) => divisionName(x.division)],
      ['Profile', (x) => profileLine(x.profile)],
      ['Score', (x) => String(x.score)],
      ['Why', (x) => reasons(x.reasons)],
      ['Free slots', (x) => String(x.free_slots)],
      ['', (x) => {
        const out = h('span', { role: 'status' });
        return h('span', {}, action('Propose', () => proposeTo(menteeId, x.mentor_id, out), out, 'btn primary propose'), ' ', out);
      }],
    ], s.suggestions, { class: 'list' }) : h('p', {}, 'No mentor fits her now.'));
}

async function menteePicker(current, scope) {
  const waiting = await get('/v1/participants' + query({ role: 'mentee', status: 'waiting', division: session.who.division, limit: 100 }));
  if (current && !waiting.items.some((p) => p.id === current)) {
    const her = await get('/v1/participants/' + current).catch(() => null);
    if (her) waiting.items.unshift(her);
  }
  const pick = select([['', 'choose a waiting mentee…'], ...waiting.items.map((p) =>
    [p.id, `${[p.given_name, p.family_name].filter(Boolean).join(' ') || short(p.id)}`])], current);
  const sc = select([['national', 'every division'], ['division', 'this division only']], scope);
  const form = h('form', { class: 'inline' }, field('Mentee', pick, { name: 'mentee' }), field('Mentors from', sc, { name: 'scope' }),
    h('button', { type: 'submit', class: 'btn' }, 'Show suggestions'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    location.hash = '#/matching' + query({ mentee: pick.value, scope: sc.value });
  });
  return form;
}

function planView(plan) {
  const out = h('div', { role: 'status' });
  const boxes = plan.pairs.map((p, i) => h('input', { type: 'checkbox', id: 'pair' + i, 'aria-label': `choose pair ${i + 1}` }));
  const results = plan.pairs.map(() => h('span', {}));
  const propose = action('Propose the chosen pairs', async () => {
    let made = 0, refused = 0;
    for (let i = 0; i < plan.pairs.length; i++) {
      if (!boxes[i].checked) continue;
      try {
        await proposeTo(plan.pairs[i].mentee_id, plan.pairs[i].mentor_id, results[i]);
        boxes[i].checked = false;
        boxes[i].disabled = true;
        made++;
      } catch (err) {
        results[i].textContent = `${err.message} (${err.code})`;
        results[i].className = 'error';
        refused++;
      }
    }
    out.textContent = `${made} proposed, ${refused} refused.`;
  }, out, 'btn primary');
  return h('section', { class: 'card', id: 'plan' },
    h('h2', {}, 'The plan'),
    h('p', {}, `Total score ${plan.total_score}; ${plan.matched} of ${plan.mentees_waiting} waiting mentees matched to ${plan.mentor_slots} free mentor slots; ${plan.cross_division} across divisions. Computed in ${plan.computed_ms} ms from digest ${short(plan.digest)}.`),
    table([
      ['Choose', (p) => boxes[plan.pairs.indexOf(p)]],
      ['Mentee', (p) => h('a', { href: '#/participant/' + p.mentee_id }, short(p.mentee_id))],
      ['', (p) => divisionName(p.mentee_division)],
      ['Mentor', (p) => h('a', { href: '#/participant/' + p.mentor_id }, short(p.mentor_id))],
      ['', (p) => divisionName(p.mentor_division)],
      ['Score', (p) => String(p.score)],
      ['Why', (p) => reasons(p.reasons)],
      ['Result', (p) => results[plan.pairs.indexOf(p)]],
    ], plan.pairs, { class: 'list' }), propose, out);
}

function planForm() {
  const scope = select([['national', 'the whole country'], ['division', 'this division']], 'national');
  const holder = h('div', {});
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, 'Plan'),
    h('p', {}, 'The assignment of waiting mentees to free mentor slots with the largest total score. Nothing is proposed until you choose.'),
    h('div', { class: 'inline' }, field('Plan for', scope, { name: 'scope' }), h('button', { type: 'submit', class: 'btn' }, 'Compute the plan')),
    h('p', { class: 'form-error', role: 'alert' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    put(holder, note('Computing…'));
    try {
      put(holder, planView(await post('/v1/matching/plan', { scope: scope.value })));
    } catch (err) {
      put(holder);
      showError(form, err);
    }
  });
  return h('div', {}, form, holder);
}

export async function show(id, params) {
  const mentee = params.get('mentee') || '';
  const scope = params.get('scope') || 'national';
  let sugg = null;
  if (mentee) {
    try {
      sugg = await suggestions(mentee, scope);
    } catch (err) {
      sugg = h('p', { class: 'error', role: 'alert' }, `${err.message} (${err.code})`);
    }
  }
  return h('section', {}, h('h1', {}, 'Matching'), await menteePicker(mentee, scope), sugg, planForm());
}
