// run — the browser tests of the node's web pages: playwright-core drives
// Debian's chromium (headless) against two real nodes that replicate
// (København and Århus), started here on 127.0.0.1 and stopped at the end.
//
//   node tests/browser/run.mjs --daemon build/mentornetd \
//        --demo-data build/mentornet-demo-data --port 19640 --out build/browser
//
// Flows: a coordinator logs in, registers a mentee, finds her in the list,
// opens her suggestions and proposes a match, which shows in the partner
// division's reservations on the other node; the national office checks
// the dashboard's figures against /v1/stats and is refused the participant
// pages; a node cut off from its peer says so on its status page. Also:
// her Export button downloads her data as JSON; a name holding HTML shows
// as text, the intake form by keyboard alone,
// a label for every form field, both widths (1280 and 390 px), no request
// leaving the node and no CSP violation. Screenshots at both widths and
// the figures (dashboard load times, page weights) go to --out.
//
// Bounded: a fixed list of checks, a watchdog that ends everything after
// LIMIT_S, every wait with its own deadline. Prints "N passed, N failed".
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { Cluster, call } from './nodes.mjs';

const LIMIT_S = 240;
const CHROMIUM = process.env.MN_CHROMIUM || '/usr/bin/chromium';
const WIDTHS = { laptop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } };
const DEMO_PER_DIVISION = 2500; // two divisions: the demo's 5,000 participants
const XSS = '<img src=x onerror=alert(1)>';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, v, i, all) => (i % 2 ? a : [...a, [v.replace(/^--/, ''), all[i + 1]]]), []));
for (const k of ['daemon', 'port', 'out']) if (!args[k]) {
  console.error('usage: node run.mjs --daemon MENTORNETD --port BASE --out DIR [--demo-data GENERATOR]');
  process.exit(2);
}
// Without playwright-core (ops/deps installs it) or chromium the tests
// cannot run: they say so and exit 77, which ctest counts as skipped —
// unless MN_BROWSER_REQUIRED is set (CI sets it), when that is a failure.
const SKIP = process.env.MN_BROWSER_REQUIRED ? 1 : 77;
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (err) {
  console.log('browser: skipped: playwright-core is not installed (ops/deps runs npm ci in tests/browser)');
  process.exit(SKIP);
}
if (!fs.existsSync(CHROMIUM)) {
  console.log(`browser: skipped: no chromium at ${CHROMIUM} (ops/deps installs Debian's chromium)`);
  process.exit(SKIP);
}
const out = path.resolve(args.out);
fs.mkdirSync(out, { recursive: true });

let passed = 0, failed = 0;
function check(ok, what, detail = '') {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}${!ok && detail ? ' — ' + detail : ''}`);
  return ok;
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(fn, ms, what) {
  const end = Date.now() + ms;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (err) {
      last = err;
    }
    await sleep(200);
  }
  throw new Error(`timed out after ${ms} ms: ${what} (${last instanceof Error ? last.message : last})`);
}

const cluster = new Cluster(path.resolve(args.daemon), Number(args.port), 2);
let browser;
const watchdog = setTimeout(() => {
  console.log(`FAIL the browser tests did not finish in ${LIMIT_S} s`);
  cluster.killAll();
  process.exit(1);
}, LIMIT_S * 1000);

// ---- tokens -----------------------------------------------------------

// A token of role on node: POST /v1/tokens (admin); null when the node
// has no such role.
async function token(node, role, name) {
  const r = await call(node, node.token, 'POST', '/v1/tokens', { role, name });
  if (r.status === 201 || r.status === 200) return r.json.token;
  if (r.status === 404 && role === 'coordinator') return node.token; // a node without roles: its admin token
  return null;
}

// ---- the page ----------------------------------------------------------

const external = [], violations = [], dialogs = [], pageErrors = [];

async function newPage(width, base) {
  const ctx = await browser.newContext({ viewport: WIDTHS[width] });
  const page = await ctx.newPage();
  page.on('request', (rq) => {
    const u = new URL(rq.url());
    if (!['127.0.0.1', ''].includes(u.hostname) && !['blob:', 'data:'].includes(u.protocol)) external.push(rq.url());
  });
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('dialog', async (d) => {
    dialogs.push(d.message());
    await d.dismiss();
  });
  page.base = base;
  return page;
}

async function login(page, tok) {
  await page.goto(page.base + '/');
  await page.getByLabel('Token', { exact: true }).fill(tok);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor({ timeout: 10000 });
}

async function go(page, hash, ready) {
  await page.evaluate((hsh) => (location.hash = hsh), hash);
  try {
    await page.locator(ready).first().waitFor({ timeout: 15000 });
  } catch (err) {
    const shown = await page.locator('main').textContent().catch(() => '?');
    await shot(page, 'error-' + hash.replace(/\W+/g, '-')).catch(() => {});
    throw new Error(`${hash}: ${ready} not shown; the page says: ${shown.slice(0, 300)}`);
  }
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
}

// Every visible form control has a label (a <label for>, or aria-label).
async function unlabelled(page) {
  return page.$$eval('input, select, textarea', (els) => els.filter((e) => e.type !== 'hidden' &&
    !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map((e) => e.outerHTML.slice(0, 80)));
}

// The page is no wider than its window (tables scroll inside their box).
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

// ---- flows -------------------------------------------------------------

async function headers(cph) {
  const r = await fetch(cph.url + '/');
  const csp = r.headers.get('content-security-policy') || '';
  check(r.status === 200 && /^text\/html/.test(r.headers.get('content-type')), 'GET / answers the page');
  check(csp.startsWith("default-src 'self'"), "the page's CSP is default-src 'self'", csp);
  check(r.headers.get('x-content-type-options') === 'nosniff', 'X-Content-Type-Options: nosniff');
  const again = await fetch(cph.url + '/', { headers: { 'If-None-Match': r.headers.get('etag') } });
  check(again.status === 304, 'a cached load of the page answers 304', `got ${again.status}`);
  const api = await fetch(cph.url + '/v1/health');
  check((api.headers.get('content-security-policy') || '').startsWith("default-src 'self'"), 'API answers carry the CSP too');
  const html = await r.text();
  check(!/<script(?![^>]*\bsrc=)[^>]*>/i.test(html) && !/\sstyle=/i.test(html) && !/https?:\/\//.test(html),
    'the page has no inline script or style and names no other host');
}

async function coordinator(cph, arh, tokCph, tokArh, mentor) {
  const page = await newPage('laptop', cph.url);
  await login(page, tokCph);
  check(await page.evaluate(() => sessionStorage.getItem('mentornet.token')) === tokCph, 'the token is kept in the tab\'s session storage');
  await shot(page, 'flow-logged-in-laptop');
  // Register a mentee through the intake form.
  await go(page, '#/new', '#intake');
  const family = 'Testesen' + Date.now() % 100000;
  await page.getByLabel('Role (required)', { exact: true }).selectOption('mentee');
  await page.getByLabel('Given name (required)', { exact: true }).fill('Amina');
  await page.getByLabel('Family name (required)', { exact: true }).fill(family);
  await page.getByLabel('Languages (ISO 639-1 codes, comma-separated)', { exact: true }).fill('ti, da');
  await page.getByLabel('Danish level', { exact: true }).selectOption('B1');
  await page.getByLabel('Education', { exact: true }).selectOption('bachelor');
  await page.getByLabel('Profession', { exact: true }).fill('Bridge hydrologist');
  await page.getByLabel('Sector', { exact: true }).fill('Waterworks');
  await page.getByLabel('Status', { exact: true }).selectOption('waiting');
  await page.getByRole('checkbox', { name: 'job' }).check();
  await shot(page, 'flow-intake-filled-laptop');
  await page.getByRole('button', { name: 'Register' }).click();
  await page.locator('.participant #name').waitFor({ timeout: 10000 });
  check((await page.locator('#name').textContent()) === 'Amina ' + family, 'the intake form registers her');
  // Find her in the list.
  await go(page, '#/participants', '#participants');
  await page.getByLabel('Search', { exact: true }).fill(family);
  await page.getByLabel('Role', { exact: true }).selectOption('mentee');
  await page.getByRole('button', { name: 'Search' }).click();
  const link = page.getByRole('link', { name: 'Amina ' + family });
  await link.waitFor({ timeout: 10000 });
  check(await page.locator('#participants tbody tr').count() === 1, 'the list finds her by name and role');
  await page.getByLabel('Language (ISO 639-1)', { exact: true }).fill('ti');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.waitForFunction(() => /speaking/.test(document.querySelector('.note')?.textContent || ''), null, { timeout: 10000 });
  check(await link.count() === 1, 'the language filter keeps her (she speaks ti)');
  await link.click();
  await page.locator('.participant').waitFor();
  await shot(page, 'flow-registered-laptop');
  // Her export: the button downloads one JSON document about her.
  const herId = page.url().split('#/participant/')[1];
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.locator('#export').click()]);
  const exported = JSON.parse(fs.readFileSync(await dl.path(), 'utf8'));
  check(exported.participant && exported.participant.id === herId && Array.isArray(exported.audit),
    'the Export button downloads her export as JSON', dl.suggestedFilename());
  // Her suggestions, and a proposal to the Århus mentor.
  await page.getByRole('link', { name: 'Suggestions for her' }).click();
  await page.locator('#suggestions').waitFor({ timeout: 15000 });
  const row = page.locator('#suggestions tbody tr', { has: page.locator(`a[href="#/participant/${mentor.id}"]`) });
  check(await row.count() === 1, 'her suggestions include the Århus mentor, with reasons',
    await page.locator('#suggestions').textContent());
  check(/profession: \d+\/\d+/.test(await row.textContent()), 'a suggestion shows its reasons');
  await shot(page, 'flow-suggestions-laptop');
  await row.getByRole('button', { name: 'Propose' }).click();
  await row.locator('.ok').waitFor({ timeout: 10000 });
  const psHref = await row.locator('.ok a').getAttribute('href');
  const psId = psHref.split('/').pop();
  check(/Proposed/.test(await row.locator('.ok').textContent()), 'propose makes a partnership', psId);
  // The plan turns chosen pairs into proposals (none left to pair here is fine).
  await page.getByRole('button', { name: 'Compute the plan' }).click();
  await page.locator('#plan').waitFor({ timeout: 20000 });
  check(/Total score/.test(await page.locator('#plan').textContent()), 'the plan is computed and shown for review');
  // Choose two of its pairs with a København mentee, and propose them.
  const mine = page.locator('#plan tbody tr', { has: page.locator('td:nth-child(3)', { hasText: /^København$/ }) });
  const chosen = Math.min(2, await mine.count());
  for (let i = 0; i < chosen; i++) await mine.nth(i).getByRole('checkbox').check();
  await page.getByRole('button', { name: 'Propose the chosen pairs' }).click();
  await page.waitForFunction(() => /proposed, \d+ refused/.test(document.querySelector('#plan')?.textContent || ''), null, { timeout: 20000 });
  check(chosen > 0 && new RegExp(`${chosen} proposed, 0 refused`).test(await page.locator('#plan').textContent()),
    `the chosen pairs of the plan become proposals (${chosen})`);
  await page.context().close();
  // The partner division's reservations, on the other node.
  const p2 = await newPage('laptop', arh.url);
  await login(p2, tokArh);
  await until(async () => {
    await go(p2, '#/partnerships', 'h1');
    await go(p2, '#/reservations', '#reservations, #reservations-none');
    return p2.locator(`#reservations a[href="#/partnership/${psId}"]`).count();
  }, 30000, 'the proposal reaches Århus\'s reservations');
  check(true, 'the proposal shows in Århus\'s reservations on the other node');
  await shot(p2, 'flow-reservations-other-node-laptop');
  const r2 = p2.locator('#reservations tbody tr', { has: p2.locator(`a[href="#/partnership/${psId}"]`) });
  await r2.getByRole('button', { name: 'Reserve' }).click();
  await p2.waitForFunction((id) => /now reserved/.test(document.querySelector(`[data-ps="${id}"]`)?.textContent || ''), psId, { timeout: 10000 });
  check(true, 'Århus reserves its mentor\'s side from the page');
  await p2.getByRole('button', { name: 'Log out' }).click();
  await p2.getByLabel('Token', { exact: true }).waitFor();
  check(await p2.evaluate(() => sessionStorage.getItem('mentornet.token')) === null, 'log out forgets the token');
  await p2.context().close();
  return psId;
}

// København answers its mentee's side: active; a meeting, an outcome, the end.
async function lifecycle(cph, tok, psId) {
  const page = await newPage('laptop', cph.url);
  await login(page, tok);
  await until(async () => {
    await go(page, '#/partnerships', 'h1');
    await go(page, '#/partnership/' + psId, '#ps-state');
    return /reserved by/.test(await page.locator('.facts').textContent()) &&
      /mentor.*reserved by Århus/s.test(await page.locator('.facts').textContent());
  }, 30000, 'Århus\'s reservation reaches København');
  await page.getByRole('button', { name: 'Reserve' }).click();
  await page.waitForFunction(() => document.querySelector('#ps-state')?.textContent === 'active', null, { timeout: 10000 });
  check(true, 'København reserves its mentee\'s side: the partnership is active');
  await page.getByLabel('Date and time', { exact: true }).fill('2026-11-20T17:30');
  await page.getByLabel('Duration (minutes)', { exact: true }).fill('120');
  await page.getByLabel('Topic', { exact: true }).selectOption('job');
  await page.getByRole('button', { name: 'Log the meeting' }).click();
  await page.getByRole('cell', { name: '120' }).waitFor({ timeout: 10000 });
  check(true, 'a meeting is logged from the partnership page');
  await page.getByLabel('Kind', { exact: true }).selectOption('job');
  await page.getByLabel('Date', { exact: true }).fill('2026-12-01');
  await page.getByLabel('Sector (a job)', { exact: true }).fill('Waterworks');
  await page.getByRole('button', { name: 'Record' }).click();
  await page.getByRole('cell', { name: 'Waterworks' }).waitFor({ timeout: 10000 });
  check(true, 'an outcome is recorded from the partnership page');
  await page.getByLabel('Ended as', { exact: true }).selectOption('completed');
  await page.getByLabel('Reason', { exact: true }).fill('She found work.');
  await page.getByRole('button', { name: 'End' }).click();
  await page.waitForFunction(() => document.querySelector('#ps-state')?.textContent === 'completed', null, { timeout: 10000 });
  check(true, 'the mentee\'s home ends the partnership: completed');
  await shot(page, 'flow-partnership-completed-laptop');
  await page.context().close();
}

// A sub-network: made, a member added by her id, and she leaves.
async function subnetwork(cph, tok, memberId) {
  const page = await newPage('laptop', cph.url);
  await login(page, tok);
  await go(page, '#/subnetworks', 'h1');
  await page.getByLabel('Name (required)', { exact: true }).fill('Engineers’ circle');
  await page.getByLabel('Theme', { exact: true }).fill('Work in engineering');
  await page.getByRole('button', { name: 'Create' }).click();
  await page.getByRole('heading', { name: 'Engineers’ circle' }).waitFor({ timeout: 10000 });
  await page.getByLabel('Participant id', { exact: true }).fill('not-an-id');
  await page.getByRole('button', { name: 'Add' }).click();
  await page.locator('.field-error[data-field=participant_id]:not(:empty), .form-error:not(:empty)').first().waitFor({ timeout: 10000 });
  check(true, 'a bad member id is refused on the sub-network page, next to its field');
  await page.getByLabel('Participant id', { exact: true }).fill(memberId);
  await page.getByRole('button', { name: 'Add' }).click();
  await page.getByRole('heading', { name: 'Members (1)' }).waitFor({ timeout: 10000 });
  check(true, 'a sub-network is made and a member added from its page');
  await page.getByRole('button', { name: 'Leave' }).click();
  await page.getByRole('heading', { name: 'Members (0)' }).waitFor({ timeout: 10000 });
  check(true, 'and she leaves it');
  await page.context().close();
}

async function xss(cph, tok) {
  const made = await call(cph, tok, 'POST', '/v1/participants', { role: 'mentee', given_name: XSS, family_name: XSS, status: 'waiting' });
  const page = await newPage('laptop', cph.url);
  await login(page, tok);
  await go(page, `#/participant/${made.json.id}`, '.participant');
  check(await page.locator('#name').textContent() === `${XSS} ${XSS}`, 'a name holding HTML shows as exactly that text');
  await go(page, '#/participants?q=' + encodeURIComponent('onerror'), '#participants');
  check(await page.getByRole('link', { name: `${XSS} ${XSS}` }).count() === 1, 'and in the list, as text');
  check(await page.locator('main img').count() === 0 && dialogs.length === 0, 'no element or script came from the data');
  // Move her to Århus from her page.
  await go(page, `#/participant/${made.json.id}`, '.participant');
  await page.getByLabel('New home division', { exact: true }).selectOption('aarhus');
  await page.getByRole('button', { name: 'Transfer' }).click();
  await page.getByText('She now belongs to Århus.').waitFor({ timeout: 10000 });
  await go(page, '#/participants', '#participants');
  await go(page, `#/participant/${made.json.id}`, '#moves');
  check(/Registered in København; she has moved to Århus/.test(await page.locator('#moves').textContent()),
    'a transfer from her page moves her, and her page says so');
  await page.context().close();
}

async function keyboard(cph, tok) {
  const page = await newPage('laptop', cph.url);
  await login(page, tok);
  await go(page, '#/new', '#intake');
  const labels = await unlabelled(page);
  check(labels.length === 0, 'every field of the intake form has a label', labels.join(' '));
  const focused = () => page.evaluate(() => document.activeElement?.labels?.[0]?.textContent || document.activeElement?.textContent);
  await page.keyboard.press('Tab');
  check(await focused() === 'Role (required)', 'Tab reaches the first field', await focused());
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter'); // submit with nothing filled in
  await page.locator('#intake .field-error:not(:empty)').first().waitFor();
  check(await focused() === 'Role (required)', 'an empty submit says what is missing and focuses the field');
  check(await page.locator('.field-error[data-field=given_name]').textContent() !== '', 'the message stands next to its field');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Sahra');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Keyboard');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not-an-address');
  await page.keyboard.press('Enter');
  const emailErr = page.locator('.field-error[data-field=email]');
  await page.waitForFunction(() => document.querySelector('.field-error[data-field=email]')?.textContent, null, { timeout: 10000 });
  check(/email/.test(await emailErr.textContent()), 'the API\'s error shows next to the field it names', await emailErr.textContent());
  check(await focused() === 'E-mail', 'and the field has the focus');
  await page.keyboard.press('Control+A');
  await page.keyboard.type('sahra@example.org');
  await page.keyboard.press('Enter');
  await page.locator('.participant #name').waitFor({ timeout: 10000 });
  check(await page.locator('#name').textContent() === 'Sahra Keyboard', 'the intake form works by keyboard alone');
  await page.context().close();
}

async function national(cph, tokNat) {
  const page = await newPage('laptop', cph.url);
  await login(page, tokNat);
  await page.locator('#source').waitFor({ timeout: 20000 });
  await go(page, '#/participants', '#source');
  check(/not for the national role/.test(await page.locator('main').textContent()), 'the participant pages are refused to the national role');
  const api = await call(cph, tokNat, 'GET', '/v1/participants');
  check(api.status === 403, 'and so is the API behind them (403)', `got ${api.status}`);
  check(await page.getByRole('link', { name: 'Participants' }).count() === 0, 'national sees no participant pages in the menu');
  await go(page, '#/status', '#peers');
  check(true, 'national sees the status page');
  await go(page, '#/dashboard', '#source');
  const st = (await call(cph, tokNat, 'GET', '/v1/stats')).json;
  check(await page.locator('#digest').textContent() === st.digest, 'the dashboard names the digest of its figures');
  const shown = await page.$$eval('table[data-table]', (ts) => ts.map((t) => ({
    id: t.dataset.table,
    cells: [...t.querySelectorAll('td[data-cell]')].map((td) => [td.dataset.cell, td.textContent]),
    rows: [...t.querySelectorAll('td[data-row-total]')].map((td) => td.textContent),
    cols: [...t.querySelectorAll('td[data-column-total]')].map((td) => td.textContent),
  })));
  const fmt = (v) => (typeof v === 'number' ? v.toLocaleString('en-GB') : String(v));
  let cells = 0, wrong = [];
  for (const t of st.tables || []) {
    const got = shown.find((x) => x.id === t.id);
    if (!got) wrong.push(`${t.id}: not shown`);
    for (const [at, text] of got ? got.cells : []) {
      const [i, j] = at.split(',').map(Number);
      const v = t.cells[i][j];
      cells++;
      if (text !== fmt(v)) wrong.push(`${t.id}[${at}] ${text} != ${fmt(v)}`);
    }
    for (const [k, want] of [['rows', t.row_totals], ['cols', t.column_totals]]) {
      cells += (want || []).length;
      if (got && JSON.stringify(got[k]) !== JSON.stringify((want || []).map(fmt))) wrong.push(`${t.id} ${k} totals`);
    }
  }
  check(cells > 0 && wrong.length === 0, `the dashboard's ${cells} figures (cells and totals) equal GET /v1/stats`, wrong.slice(0, 5).join('; '));
  const csv = await call(cph, tokNat, 'GET', '/v1/stats?format=csv');
  check(csv.status === 200 && /^text\/csv/.test(csv.headers.get('content-type')), 'GET /v1/stats?format=csv gives the CSV');
  const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }),
    page.getByRole('button', { name: 'Download CSV' }).click()]);
  const file = path.join(out, 'stats.csv');
  await download.saveAs(file);
  check(fs.readFileSync(file, 'utf8') === csv.text, 'the dashboard\'s CSV download is that CSV');
  for (const w of ['laptop', 'phone']) {
    await page.setViewportSize(WIDTHS[w]);
    await page.reload();
    await page.locator('#source').waitFor({ timeout: 20000 });
    await shot(page, `national-dashboard-${w}`);
  }
  await page.context().close();
}

// The pages, each with what shows that it is drawn.
function pageList(mentorId, psId) {
  return [
    ['participants', '#/participants', '#participants'], ['intake', '#/new', '#intake'],
    ['participant', '#/participant/' + mentorId, '.participant'], ['matching', '#/matching', 'h1'],
    ['partnerships', '#/partnerships', 'h1'], ['partnership', '#/partnership/' + psId, '#ps-state'],
    ['reservations', '#/reservations', '#reservations, #reservations-none'], ['outcomes', '#/outcomes', '#outcomes'],
    ['subnetworks', '#/subnetworks', 'h1'], ['status', '#/status', '#peers'], ['dashboard', '#/dashboard', '#source'],
  ];
}

async function widths(cph, tok, mentorId, psId) {
  for (const [w, size] of Object.entries(WIDTHS)) {
    const page = await newPage(w, cph.url);
    await page.goto(cph.url + '/');
    await page.getByLabel('Token', { exact: true }).waitFor();
    await shot(page, `login-${w}`);
    await login(page, tok);
    const pages = pageList(mentorId, psId);
    const bad = [], wide = [];
    for (const [name, hash, ready] of pages) {
      await go(page, hash, ready);
      await shot(page, `${name}-${w}`);
      const un = await unlabelled(page);
      if (un.length) bad.push(`${name}: ${un.join(' ')}`);
      const over = await overflow(page);
      if (over > 1) wide.push(`${name} by ${over} px`);
    }
    check(bad.length === 0, `every form field has a label (${w}, ${pages.length} pages)`, bad.join('; '));
    check(wide.length === 0, `no page is wider than ${size.width} px`, wide.join('; '));
    await page.context().close();
  }
}

async function offline(cph, arh, tok) {
  await cluster.stop(arh.name);
  await until(async () => {
    const r = (await call(cph, cph.token, 'GET', '/v1/replication')).json;
    return r.peers.every((p) => !p.connected);
  }, 30000, 'København sees its peer gone');
  const page = await newPage('laptop', cph.url);
  await login(page, tok);
  await go(page, '#/status', '#peers');
  const text = await page.locator('#offline').textContent();
  check(/^Working offline since \d\d:\d\d/.test(text), 'the status page says the node is working offline, and since when', text);
  check(/offline/.test(await page.locator('#conn').textContent()), 'so does the header on every page');
  await shot(page, 'status-offline-laptop');
  await page.setViewportSize(WIDTHS.phone);
  await shot(page, 'status-offline-phone');
  await page.context().close();
}

// ---- figures -------------------------------------------------------------

async function figures(cph, tok, pageList) {
  const lines = [];
  const files = ['index.html', 'app.css', 'app.js', 'core.js', 'participants.js', 'participant.js', 'matching.js',
    'partnerships.js', 'outcomes.js', 'subnetworks.js', 'status.js', 'dashboard.js', 'chart.js'];
  let raw = 0, gz = 0;
  lines.push('Page weights (bytes as served, and gzipped at level 9):');
  for (const f of files) {
    const body = Buffer.from(await (await fetch(cph.url + (f === 'index.html' ? '/' : '/web/' + f))).arrayBuffer());
    const z = zlib.gzipSync(body, { level: 9 }).length;
    raw += body.length;
    gz += z;
    lines.push(`  ${f.padEnd(16)} ${String(body.length).padStart(7)} ${String(z).padStart(7)}`);
  }
  lines.push(`  ${'all (every page)'.padEnd(16)} ${String(raw).padStart(7)} ${String(gz).padStart(7)}`);
  check(gz <= 150 * 1024, `all the pages' code together is ${gz} bytes gzipped (at most 150 KB)`);
  // Each page on a first load (empty cache): its own files (the shell and
  // the page's modules) and the API answers it read.
  lines.push('', 'Each page on a first load, as Chromium fetched it: its own files (plain, gzipped) and the API answers it read:');
  const heaviest = [];
  for (const [name, hash, ready] of pageList) {
    const p = await newPage('laptop', cph.url);
    await p.addInitScript((t) => sessionStorage.setItem('mentornet.token', t), tok);
    const got = [];
    p.on('response', (r) => got.push(r));
    await p.goto(cph.url + '/' + hash);
    await p.locator(ready).first().waitFor({ timeout: 30000 });
    await p.waitForLoadState('networkidle');
    let own = 0, ownGz = 0, api = 0, files = 0;
    for (const r of got) {
      const u = new URL(r.url());
      const body = await r.body().catch(() => Buffer.alloc(0));
      if (u.pathname === '/' || u.pathname.startsWith('/web/')) {
        own += body.length;
        ownGz += zlib.gzipSync(body, { level: 9 }).length;
        files++;
      } else api += body.length;
    }
    heaviest.push(ownGz);
    lines.push(`  ${name.padEnd(16)} ${files} files ${String(own).padStart(7)} ${String(ownGz).padStart(7)}   API ${api} bytes`);
    await p.context().close();
  }
  check(Math.max(...heaviest) <= 150 * 1024, `every page's own code is at most 150 KB gzipped (the heaviest ${Math.max(...heaviest)} bytes)`);
  // Dashboard load: navigation start to the figures' source note shown.
  const page = await newPage('laptop', cph.url);
  await page.addInitScript((t) => sessionStorage.setItem('mentornet.token', t), tok);
  const codes = [];
  // Chromium shows a revalidated document as its cached 200: what counts
  // is that every file was asked for with If-None-Match and none came whole.
  page.on('response', async (r) => codes.push([new URL(r.url()).pathname, r.status(),
    await r.request().headerValue('if-none-match'), (await r.headerValue('content-length')) || '']));
  const load = async () => {
    await page.locator('#source').waitFor({ timeout: 30000 });
    return page.evaluate(() => performance.now());
  };
  const times = { first: [], cached: [] };
  await page.goto(cph.url + '/#/dashboard');
  times.first.push(await load());
  for (let i = 0; i < 5; i++) {
    codes.length = 0;
    await page.reload();
    times.cached.push(await load());
  }
  const fresh = [];
  for (let i = 0; i < 4; i++) {
    const p = await newPage('laptop', cph.url);
    await p.addInitScript((t) => sessionStorage.setItem('mentornet.token', t), tok);
    await p.goto(cph.url + '/#/dashboard');
    await p.locator('#source').waitFor({ timeout: 30000 });
    fresh.push(await p.evaluate(() => performance.now()));
    await p.context().close();
  }
  times.first.push(...fresh);
  const med = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)].toFixed(0);
  const st = (await call(cph, tok, 'GET', '/v1/stats')).json;
  const own = codes.filter(([u]) => u === '/' || u.startsWith('/web/'));
  lines.push('', `Dashboard load in Chromium ${browser.version()} (headless, 1280 px), navigation start to the figures drawn,`,
    `with ${st.total} participants on two nodes (GET /v1/stats ${Buffer.byteLength(JSON.stringify(st))} bytes):`,
    `  first load (empty cache), median of ${times.first.length}: ${med(times.first)} ms  (${times.first.map((t) => t.toFixed(0)).join(', ')})`,
    `  cached (reload, files answered 304), median of ${times.cached.length}: ${med(times.cached)} ms  (${times.cached.map((t) => t.toFixed(0)).join(', ')})`,
    `  last reload: ${own.length} files revalidated (304), ${codes.length - own.length} API answers`);
  check(own.length > 0 && own.every(([, c, inm, len]) => inm && (c === 304 || len === '0')),
    'a cached load revalidates every file of the page (If-None-Match, 304)', JSON.stringify(own));
  await page.context().close();
  fs.writeFileSync(path.join(out, 'figures.txt'), lines.join('\n') + '\n');
  console.log(lines.join('\n'));
}

// ---- main ----------------------------------------------------------------

async function demoData(node) {
  if (!args['demo-data']) return;
  const { spawnSync } = await import('node:child_process');
  const gen = spawnSync(args['demo-data'], ['--division', node.name, '--count', String(DEMO_PER_DIVISION), '--seed', '2003'],
    { maxBuffer: 64 << 20, encoding: 'utf8', timeout: 60000 });
  const r = await call(node, node.token, 'POST', '/v1/import', gen.stdout, 'application/x-ndjson');
  if (r.status !== 200) throw new Error(`import on ${node.name}: ${r.status} ${r.text}`);
}

async function main() {
  const cph = await cluster.start('copenhagen');
  const arh = await cluster.start('aarhus');
  await Promise.all([demoData(cph), demoData(arh)]);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
  const tokCph = await token(cph, 'coordinator', 'Coordinator København');
  const tokArh = await token(arh, 'coordinator', 'Coordinator Århus');
  const tokNat = await token(cph, 'national', 'National office');
  const me = (await call(cph, tokCph, 'GET', '/v1/whoami')).json;
  check(me.division === 'copenhagen' && me.divisions.length === 2 && (tokCph === cph.token || me.role === 'coordinator'),
    'GET /v1/whoami names the token\'s role and division', JSON.stringify(me));
  // A mentor at home in Århus who fits the mentee registered below.
  const mentor = (await call(arh, arh.token, 'POST', '/v1/participants', {
    role: 'mentor', given_name: 'Mette', family_name: 'Mentor', status: 'waiting', languages: ['ti', 'da'],
    profession: 'Bridge hydrologist', sector: 'Waterworks', education_level: 'master', goals: ['job'], capacity: 2,
  })).json;
  await until(async () => (await call(cph, cph.token, 'GET', '/v1/participants/' + mentor.id)).status === 200,
    30000, 'the Århus mentor reaches København');
  await headers(cph);
  const psId = await coordinator(cph, arh, tokCph, tokArh, mentor);
  await lifecycle(cph, tokCph, psId);
  await subnetwork(cph, tokCph, mentor.id);
  await xss(cph, tokCph);
  await keyboard(cph, tokCph);
  if (tokNat) await national(cph, tokNat);
  else check(false, 'a national token (POST /v1/tokens)', 'this node has no roles');
  await widths(cph, tokCph, mentor.id, psId);
  await figures(cph, tokCph, pageList(mentor.id, psId));
  await offline(cph, arh, tokCph);
  check(external.length === 0, 'no request left the node', external.slice(0, 3).join(' '));
  check(violations.length === 0, 'no Content-Security-Policy violation', violations.slice(0, 3).join(' '));
  check(pageErrors.length === 0, 'no script error on any page', pageErrors.slice(0, 3).join(' '));
}

let rc = 0;
try {
  await main();
} catch (err) {
  check(false, 'the browser tests ran to the end', err.stack || String(err));
  for (const n of cluster.nodes) console.log(`--- ${n.name} log\n${cluster.logTail(n.name)}`);
}
if (browser) await browser.close();
await cluster.stopAll();
const reports = cluster.sanitized();
check(reports.length === 0, 'no node\'s log holds a sanitizer report', reports.join(', '));
if (failed && process.env.MN_TEST_KEEP === '1') console.log(`kept ${cluster.dir}`);
else cluster.remove();
clearTimeout(watchdog);
console.log(`browser: ${passed} passed, ${failed} failed`);
rc = failed ? 1 : 0;
process.exit(rc);
