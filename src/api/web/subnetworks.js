// subnetworks — the sub-networks (create one; the list) and one with its
// members (join by participant id, leave).
import { get, post, h, field, select, all, table, divisionName, when, short, action, clearErrors, showError } from './core.js';

function createForm() {
  const c = { name: h('input', { type: 'text', maxlength: 100 }), theme: h('input', { type: 'text', maxlength: 200 }),
    scope: select([['division', 'this division'], ['national', 'open to all divisions']]),
    description: h('textarea', { rows: 2, maxlength: 2000 }) };
  const form = h('form', { class: 'card', novalidate: true }, h('h2', {}, 'New sub-network'),
    h('div', { class: 'grid' }, field('Name (required)', c.name, { name: 'name' }), field('Theme', c.theme, { name: 'theme' }),
      field('Open to', c.scope, { name: 'scope' }), field('Description', c.description, { name: 'description' })),
    h('p', { class: 'form-error', role: 'alert' }), h('button', { type: 'submit', class: 'btn' }, 'Create'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(form);
    const body = {};
    for (const [k, el] of Object.entries(c)) if (el.value.trim()) body[k] = el.value.trim();
    if (!body.name) return showError(form, { field: 'name', message: 'Give it a name.' });
    try {
      const sn = await post('/v1/subnetworks', body);
      location.hash = '#/subnetwork/' + sn.id;
    } catch (err) {
      showError(form, err);
    }
  });
  return form;
}

export async function list() {
  const { items } = await all('/v1/subnetworks', {}, 2, 500);
  return h('section', {}, h('h1', {}, 'Sub-networks'),
    table([
      ['Name', (sn) => h('a', { href: '#/subnetwork/' + sn.id }, sn.name)],
      ['Theme', (sn) => sn.theme || ''],
      ['Run by', (sn) => divisionName(sn.division)],
      ['Open to', (sn) => sn.scope],
    ], items, { class: 'list' }), createForm());
}

export async function show(id) {
  const [sn, members] = await Promise.all([get('/v1/subnetworks/' + id), get(`/v1/subnetworks/${id}/members`)]);
  const pid = h('input', { type: 'text', maxlength: 32, pattern: '[0-9a-f]{32}' });
  const join = h('form', { class: 'card', novalidate: true }, h('h2', {}, 'Add a member'),
    h('div', { class: 'inline' }, field('Participant id', pid, { name: 'participant_id' }), h('button', { type: 'submit', class: 'btn' }, 'Add')),
    h('p', { class: 'form-error', role: 'alert' }));
  join.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    clearErrors(join);
    try {
      await post(`/v1/subnetworks/${id}/members`, { participant_id: pid.value.trim() });
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    } catch (err) {
      showError(join, err);
    }
  });
  const out = h('p', { class: 'error', role: 'alert' });
  return h('section', {}, h('h1', {}, sn.name),
    h('p', { class: 'meta' }, `${sn.theme || ''} · run by ${divisionName(sn.division)} · open to ${sn.scope}`),
    sn.description ? h('p', {}, sn.description) : null,
    sn.facilitator ? h('p', {}, `Facilitator: ${sn.facilitator}`) : null,
    h('section', { class: 'card' }, h('h2', {}, `Members (${members.count})`),
      table([
        ['Participant', (m) => h('a', { href: '#/participant/' + m.participant_id }, short(m.participant_id))],
        ['Home', (m) => divisionName(m.home_division)],
        ['Joined', (m) => when(m.joined_at)],
        ['', (m) => action('Leave', async () => {
          await post(`/v1/subnetworks/${id}/leave`, { participant_id: m.participant_id });
          window.dispatchEvent(new HashChangeEvent('hashchange'));
        }, out)],
      ], members.items, { class: 'list' }), out),
    join);
}
