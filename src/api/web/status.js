// status — the node's replication status: whether it takes writes, its
// peers with their link, lag and last contact, its version vector and
// digest (GET /v1/health, /v1/replication, /v1/digest). A node that no
// peer reaches says so plainly: "working offline since 10:42".
import { get, h, table, divisionName, when, clock } from './core.js';

// Cut off: it has peers and its link to every one is down.
export function offline(r) {
  return r.peers.length > 0 && !r.peers.some((p) => p.connected);
}

// The last time any peer was heard from (RFC 3339), or null.
function lastContact(r) {
  const seen = r.peers.map((p) => p.last_seen).filter(Boolean).sort();
  return seen.length ? seen[seen.length - 1] : null;
}

// One sentence on the node's connection, for the header and this page.
export function summary(r) {
  if (offline(r)) {
    const since = lastContact(r);
    return since ? `Working offline since ${clock(since)}` : 'Working offline: no other node reached since this one started';
  }
  const up = r.peers.filter((p) => p.connected).length;
  return `Online: ${up} of ${r.peers.length} peers linked`;
}

export async function show() {
  const [health, r, digest] = await Promise.all([get('/v1/health'), get('/v1/replication'), get('/v1/digest')]);
  const cut = offline(r);
  return h('section', {}, h('h1', {}, 'Status'),
    h('p', { id: 'offline', class: cut ? 'banner offline' : 'banner online', role: 'status' }, summary(r),
      cut ? '. Your changes are kept here and sent when the other nodes are reached again.' : '.'),
    h('dl', { class: 'facts card' },
      h('dt', {}, 'division'), h('dd', {}, divisionName(health.division)),
      h('dt', {}, 'takes writes'), h('dd', { id: 'writable' }, r.writable ? 'yes' : 'no: local writes are held (see the log)'),
      h('dt', {}, 'last sync'), h('dd', { id: 'last-sync' }, when(lastContact(r))),
      h('dt', {}, 'waiting changes'), h('dd', {}, String(r.pending)),
      h('dt', {}, 'clock'), h('dd', {}, r.clock_alarm ? `ahead of the wall clock by ${r.hlc_lead_ms} ms` : 'fine'),
      h('dt', {}, 'digest'), h('dd', { class: 'mono' }, digest.digest)),
    h('h2', {}, 'Peers'),
    table([
      ['Division', (p) => divisionName(p.division)],
      ['Link', (p) => (p.connected ? 'connected' + (p.serving ? ', pulling from us' : '') : 'down')],
      ['Last seen', (p) => when(p.last_seen)],
      ['Lag (changes it lacks)', (p) => (p.lag === null ? 'unknown' : String(p.lag))],
      ['Received', (p) => String(p.received)],
    ], r.peers, { class: 'list', id: 'peers' }),
    h('h2', {}, 'Version vector'),
    table([['Division', ([d]) => divisionName(d)], ['Changes held', ([, n]) => String(n)]],
      Object.entries(r.version_vector), { class: 'list' }));
}
