// core — what every page shares: the API client (the token from the tab's
// session storage), building DOM from data as text only (never innerHTML),
// form fields with labels and their error slots, and small formatters.
//
// Invariant: a value from the data reaches the page only through
// textContent, an attribute or a text node, so a name such as
// <img src=x onerror=alert(1)> shows as exactly that string.

const TOKEN_KEY = 'mentornet.token';

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  set: (t) => sessionStorage.setItem(TOKEN_KEY, t),
  clear: () => sessionStorage.removeItem(TOKEN_KEY),
  who: null, // GET /v1/whoami, once logged in
};

// An answer of the API that is not 2xx: {"error": {code, message, field}}.
export class ApiError extends Error {
  constructor(status, e) {
    super(e.message || `HTTP ${status}`);
    this.status = status;
    this.code = e.code || 'http_' + status;
    this.field = e.field || null;
  }
}

// Call the API; resolves to the parsed JSON (or text for CSV). A 401 logs
// the tab out.
export async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + (session.token() || '') };
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, init);
  } catch (err) {
    throw new ApiError(0, { code: 'network', message: 'the node did not answer' });
  }
  const type = res.headers.get('Content-Type') || '';
  const data = type.startsWith('application/json') ? await res.json() : await res.text();
  if (res.ok) return data;
  if (res.status === 401 && session.token()) {
    session.clear();
    window.dispatchEvent(new Event('mn-logout'));
  }
  throw new ApiError(res.status, (data && data.error) || {});
}

export const get = (path) => api('GET', path);
export const post = (path, body) => api('POST', path, body);

// A query string from an object, leaving out empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, v);
  const s = q.toString();
  return s ? '?' + s : '';
}

function append(el, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) child.forEach((c) => append(el, c));
  else if (child instanceof Node) el.appendChild(child);
  else el.appendChild(document.createTextNode(String(child)));
}

function build(el, attrs, children) {
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'text') el.textContent = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

// An HTML element: h('a', {href: '#/x', class: 'btn'}, 'text', child, ...).
export const h = (tag, attrs, ...children) => build(document.createElement(tag), attrs, children);

// An SVG element, for the charts.
export const s = (tag, attrs, ...children) =>
  build(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);

// Replace el's children.
export function put(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

let nextId = 0;
// A labelled field: the label, the control and the slot its errors go in.
// name is the API's field name: an error whose "field" is name (or
// name[i]) is shown in this field's slot.
export function field(label, control, opts = {}) {
  const id = control.id || 'f' + ++nextId;
  control.id = id;
  if (opts.name) control.name = opts.name;
  const err = h('p', { class: 'field-error', id: id + '-err', 'data-field': opts.name || '' });
  control.setAttribute('aria-describedby', id + '-err');
  const hint = opts.hint ? h('p', { class: 'hint' }, opts.hint) : null;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hint, err);
}

// A <select> of [value, label] pairs (or plain values).
export function select(options, value) {
  const el = h('select', {});
  for (const o of options) {
    const [v, l] = Array.isArray(o) ? o : [o, o];
    el.appendChild(h('option', { value: v, selected: v === value }, l));
  }
  return el;
}

// A fieldset of checkboxes, one per value; its legend is its label.
export function checkboxes(legend, name, values, checked = []) {
  const box = h('fieldset', { class: 'checks', 'data-name': name }, h('legend', {}, legend));
  for (const v of values) {
    const id = 'f' + ++nextId;
    box.appendChild(h('span', { class: 'check' },
      h('input', { type: 'checkbox', id, name, value: v, checked: checked.includes(v) }),
      h('label', { for: id }, v.replace(/_/g, ' '))));
  }
  box.appendChild(h('p', { class: 'field-error', 'data-field': name }));
  return box;
}

// Clear the errors shown in form.
export function clearErrors(form) {
  form.querySelectorAll('.field-error').forEach((p) => (p.textContent = ''));
  form.querySelectorAll('[aria-invalid]').forEach((c) => c.removeAttribute('aria-invalid'));
}

// Show err next to the field it concerns (its "field", e.g. "email" or
// "languages[1]"), or in the form's own slot; focus that field.
export function showError(form, err) {
  const name = err.field ? String(err.field).replace(/[[.].*$/, '') : '';
  let slot = name && form.querySelector(`.field-error[data-field="${CSS.escape(name)}"]`);
  if (!slot) slot = form.querySelector('.form-error');
  if (!slot) return;
  slot.textContent = err.message + (err.code ? ` (${err.code})` : '');
  const control = slot.id ? form.querySelector(`[aria-describedby="${slot.id}"]`) : null;
  if (control) {
    control.setAttribute('aria-invalid', 'true');
    control.focus();
  }
}

// A status line (role=status) whose text can be set.
export function note(text, cls = 'note') {
  return h('p', { class: cls, role: 'status' }, text || '');
}

// "12 Mar 2026, 10:42" in the browser's time zone; "—" for null.
export function when(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  return d.toLocaleString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
}

// "1 Dec 2026" of a date-only value (stored as midnight UTC).
export function day(iso) {
  if (!iso) return '—';
  return new Date(iso).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
}

// "10:42" today, else the date too.
export function clock(iso) {
  const d = new Date(iso);
  const t = d.toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' });
  return d.toDateString() === new Date().toDateString() ? t : when(iso);
}

// Ids are time-ordered: their last digits tell them apart.
export const short = (id) => (id ? '…\u2060' + id.slice(-8) : '—'); // never broken after the …

// A participant's name, or her id when the role sees her profile only.
export function nameOf(p) {
  if (!p) return '—';
  const n = [p.given_name, p.family_name].filter(Boolean).join(' ');
  return n || 'profile only · ' + short(p.id);
}

// A division's display name from whoami's list.
export function divisionName(name) {
  const d = (session.who?.divisions || []).find((x) => x.name === name);
  return d ? d.display_name : name || '—';
}

// A table: columns [[header, (row) => cell]], rows.
export function table(columns, rows, attrs = {}) {
  return h('table', attrs,
    h('thead', {}, h('tr', {}, columns.map(([head]) => h('th', { scope: 'col' }, head)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, columns.map(([head, cell]) => h('td', { 'data-label': head || null }, cell(r)))))));
}

// A button that runs fn, disabled while it runs; errors go to out.
export function action(label, fn, out, cls = 'btn') {
  const b = h('button', { type: 'button', class: cls });
  b.textContent = label;
  b.addEventListener('click', async () => {
    b.disabled = true;
    if (out) out.textContent = '';
    try {
      await fn();
    } catch (err) {
      if (out) out.textContent = err.message + (err.code ? ` (${err.code})` : '');
      else throw err;
    } finally {
      b.disabled = false;
    }
  });
  return b;
}

// Fetch every item of a paged list (bounded: max pages of limit).
export async function all(path, params, max = 4, limit = 500) {
  const items = [];
  let cursor = '';
  for (let i = 0; i < max; i++) {
    const page = await get(path + query({ ...params, limit, cursor }));
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!cursor) return { items, complete: true };
  }
  return { items, complete: false };
}

// A time-ordered id made by the client (meetings): 48 bits of
// milliseconds, random bits, and the node's division number in byte 9.
export function newId(divisionId) {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  let ms = Date.now();
  for (let i = 5; i >= 0; i--) {
    b[i] = ms % 256;
    ms = Math.floor(ms / 256);
  }
  b[6] = 0x70 | (b[6] & 0x0f);
  b[8] = 0x80 | (b[8] & 0x3f);
  b[9] = divisionId;
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
