/*
 * sim — the deterministic simulator. Five replication engines (the
 * daemon's own code) run in one process, each on its own real LMDB store,
 * over a simulated network and clock, with a sixth division that turns
 * hostile. One seeded generator decides everything: the workload, which
 * messages are dropped, duplicated, delayed and reordered, partitions,
 * crashes (kill -9 too) and restarts, clock faults, the rogue's acts, and
 * how long each apply an engine hands its host takes (the engines go on
 * receiving meanwhile, as they do over the daemon's writer thread; a
 * crash loses the apply in flight).
 *
 * Checked after every step: no node's version vector goes backwards
 * (unless its store was lost or replaced), no node holds more of an
 * origin's changes than the origin ever made, every origin's log on every
 * node is contiguous up to its vector (no change applied twice or
 * skipped), and the ownership rule holds. Checked after healing: equal
 * digests, vectors, statistics and conflict lists everywhere, stats equal
 * a recount, each origin's log contiguous, every field of every entity
 * equal to the last-writer-wins winner over the acknowledged writes
 * (model.c), every node writable again, and the personal details written
 * by the participant's home division (the ownership rule).
 *
 *   sim --seed S [--steps N]        replay one run exactly
 *   sim --seeds A-B [--steps N]     run a range of seeds
 *   sim --file F                    replay every "seed steps" line of F
 *                                   (# comments); fails on a file with no
 *                                   seed or a line it cannot read
 *   --faults NAME,...|all|none      the scenarios to run (default: all
 *                                   but equivocate; each failed on the
 *                                   code before incarnations and the
 *                                   other fixes of issue 8):
 *       lost-disk       a node restarts on an empty data dir, cut off
 *                       from the peers that hold its newest changes
 *       old-backup      the same on its oldest backup
 *       clock-hours     clocks stepped by hours forward and back; no
 *                       write is stamped past the drift bound ahead of
 *                       its node's clock without the clock alarm
 *       forged-create   the rogue creates an honest division's
 *                       participant, claiming no dependencies
 *       unknown-fields  the rogue's chain holds a change with an unknown
 *                       field number; the rest of it must still arrive
 *       hello-flood     50 HELLOs in a row must not queue more batches
 *                       than one HELLO's credit
 *       lying-vv        the rogue's HELLOs claim huge seqs of the node's
 *                       own log (its writes must not stay held)
 *       equivocate      the rogue sends two forks of one seq
 *       early-patch     the rogue's patches may arrive before the create
 *       pending-full    the long scenario over a fast network, with no
 *                       tick: the messages queued must stay bounded
 *   --jobs N                        run a range in N processes
 *   --no-shrink                     report a failing seed without
 *                                   searching for its fewest steps
 *
 * A failing seed is printed with the shortest step count that still fails
 * and the trace of that run.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"
#include "change/log.h"
#include "repl/replicator.h"
#include "sim.h"
#include "state/owner.h"
#include "state/participant.h"
#include "state/state.h"
#include "state/stats.h"

static const char *const fault_names[] = {
    "lost-disk",      "old-backup",   "clock-hours", "forged-create",
    "unknown-fields", "hello-flood",  "lying-vv",    "equivocate",
    "early-patch",    "pending-full",
};
#define NFAULTS (sizeof fault_names / sizeof fault_names[0])

/* ---- seeded generator (splitmix64) ------------------------------------ */

static uint64_t rng_state;

uint64_t
rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

uint64_t
below(uint64_t n) {
    return rnd() % n;
}

bool
chance(unsigned percent) {
    return below(100) < percent;
}

/* ---- the world -------------------------------------------------------- */

char sim_keys_dir[64];
mn_repl_keys sim_keys;
static bool quiet;
/* Every fault runs by default but equivocation: a key holder that signs
 * two forks splits the nodes that applied one from those that applied the
 * other (detected and counted everywhere, never undone; see
 * same_snapshot), and changes that depend on a fork wait at the nodes that
 * hold the other, so honest origins wait too. --faults NAME,... picks. */
#define DEFAULT_FAULTS (((1u << NFAULTS) - 1) & ~(unsigned)F_EQUIVOCATE)
static unsigned enabled_faults = DEFAULT_FAULTS;

void
trace(struct sim *s, const char *fmt, ...) {
    va_list ap;
    char *line = s->trace[s->ntrace++ % TRACE_LINES];
    int n = snprintf(line, 128, "%8llu ", (unsigned long long)s->now);
    va_start(ap, fmt);
    vsnprintf(line + n, 128 - (size_t)n, fmt, ap);
    va_end(ap);
}

bool
fail(struct sim *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->failure, sizeof s->failure, fmt, ap);
    va_end(ap);
    return false;
}

uint32_t
sim_origin(const struct sim *s, int i) {
    return s->node[i] ? mn_node_origin(s->node[i]) : (uint32_t)i + 1;
}

uint64_t
vv_get(const mn_vv *vv, uint32_t o) {
    return mn_vv_get(vv, o);
}

uint64_t
sim_wall(struct sim *s, int i) {
    int64_t t = (int64_t)s->now + (i < NODES ? s->skew[i] : 0);
    return t > 0 ? (uint64_t)t : 1;
}

/* The engine takes one clock today, for its timers and its drift bound
 * alike: the node's wall clock. */
uint64_t
engine_now(struct sim *s, int i) {
    (void)i;
    return s->now; /* the engine's timers run on a monotonic clock */
}

static uint64_t
node_clock(void *ctx) {
    struct endpoint *ep = ctx;
    return sim_wall(ep->sim, ep->index);
}

void
enqueue(struct sim *s, int from, int to, enum mn_channel ch, const uint8_t *p,
        size_t n) {
    if (s->nmsgs == s->capmsgs) {
        s->capmsgs = s->capmsgs ? 2 * s->capmsgs : 256;
        s->msgs = mn_realloc(s->msgs, s->capmsgs * sizeof *s->msgs);
    }
    struct msg *m = &s->msgs[s->nmsgs++];
    m->from = from;
    m->to = to;
    m->ch = ch;
    m->at = s->now + (s->delay ? below(s->delay) : 0);
    m->p = mn_malloc(n);
    m->n = n;
    memcpy(m->p, p, n);
    s->queued_to[to] += n;
}

/* ---- each engine's host: its node, and the simulated network ----------- */

static int
host_read_log(void *ctx, const mn_repl_read *req, mn_repl_range *out) {
    struct endpoint *ep = ctx;
    return mn_replicator_read_log(ep->sim->node[ep->index], req, out);
}

static void
host_state(void *ctx, mn_vv *vv, mn_heads *heads) {
    struct endpoint *ep = ctx;
    mn_node_state(ep->sim->node[ep->index], vv, heads);
}

/* The node's clocks: its skewed wall clock and its HLC. */
static void
host_clocks(void *ctx, mn_repl_clocks *out) {
    struct endpoint *ep = ctx;
    mn_replicator_clocks(ep->sim->node[ep->index], out);
}

/* The node applies it after a simulated delay (apply_due), so an engine
 * goes on receiving while its apply is in flight. */
static int
host_apply(void *ctx, uint64_t token, mn_remote_change *cs, size_t n,
           const mn_chain_sig *sigs, size_t nsigs) {
    struct endpoint *ep = ctx;
    struct sim *s = ep->sim;
    struct apply *a = &s->apply[ep->index];
    if (a->queued)
        abort(); /* the engine keeps one apply in flight */
    *a = (struct apply){true, token, s->now + below(60), cs, n, sigs, nsigs};
    return MN_OK;
}

/* Engine `from` sends to peer; what it sends as a client arrives at the
 * peer's server side, and the other way round. */
static void
io_send(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
        size_t n) {
    struct endpoint *ep = ctx;
    struct sim *s = ep->sim;
    int to = (int)peer - 1;
    if (s->cut[ep->index][to] || !s->up[to] || chance(s->drop))
        return;
    enum mn_channel at = ch == MN_CH_CLIENT ? MN_CH_SERVER : MN_CH_CLIENT;
    enqueue(s, ep->index, to, at, p, n);
    if (chance(s->dup))
        enqueue(s, ep->index, to, at, p, n);
}

/* The end of an apply, as the node's writer thread reports it. */
struct apply_end {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    bool done;
    int rc;
};

static void
apply_ended(void *ctx, int rc) {
    struct apply_end *e = ctx;
    pthread_mutex_lock(&e->mu);
    e->done = true;
    e->rc = rc;
    pthread_cond_signal(&e->cv);
    pthread_mutex_unlock(&e->mu);
}

/* Hand a to the node's writer as the daemon does, and wait for its end
 * (the simulated delay is the wait before; this keeps runs repeatable). */
static int
apply_now(mn_node *node, const struct apply *a) {
    struct apply_end e = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER,
                          false, MN_OK};
    int rc = mn_node_apply_async(node, a->cs, a->n, a->sigs, a->nsigs,
                                 apply_ended, &e);
    pthread_mutex_lock(&e.mu);
    while (rc == MN_OK && !e.done)
        pthread_cond_wait(&e.cv, &e.mu);
    pthread_mutex_unlock(&e.mu);
    return rc == MN_OK ? e.rc : rc;
}

/* Apply what is due on every node and tell its engine (which may ask for
 * the next at once). Now and then an apply fails instead. */
static void
apply_due(struct sim *s) {
    for (int i = 0; i < NODES; i++) {
        struct apply *a = &s->apply[i];
        while (s->up[i] && a->queued && a->at <= s->now) {
            /* Now and then the writer fails the group (a full map, an
             * I/O error): nothing is applied and the engine retries. */
            int rc = chance(3) ? MN_EIO : apply_now(s->node[i], a);
            a->queued = false;
            trace(s, "node%d applied %zu: %s", i + 1, a->n, mn_strerror(rc));
            mn_repl_on_applied(s->eng[i], a->token, rc, engine_now(s, i));
        }
    }
}

/* ---- nodes ------------------------------------------------------------ */

/* Division node<n>'s seal key pair (README "Compartments"). */
static void
setup_seal_keys(int n) {
    char path[128];
    uint8_t pk[MN_KEY_BYTES], sk[MN_KEY_BYTES];
    mn_crypto_curve_keypair(pk, sk);
    snprintf(path, sizeof path, "%s/node%d.seal.secret", sim_keys_dir, n);
    if (mn_crypto_key_write(path, sk, sizeof sk, 0600) != MN_OK)
        abort();
    snprintf(path, sizeof path, "%s/node%d.seal.pub", sim_keys_dir, n);
    if (mn_crypto_key_write(path, pk, sizeof pk, 0644) != MN_OK)
        abort();
    mn_crypto_wipe(sk, sizeof sk);
}

static void
setup_keys(void) {
    char path[128];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES], net[MN_KEY_BYTES];
    strcpy(sim_keys_dir, "/tmp/mn-sim-keys-XXXXXX");
    if (!mkdtemp(sim_keys_dir))
        abort();
    mn_crypto_random(net, sizeof net);
    snprintf(path, sizeof path, "%s/network.key", sim_keys_dir);
    if (mn_crypto_key_write(path, net, sizeof net, 0600) != MN_OK)
        abort();
    for (int i = 0; i < DIVISIONS; i++) {
        mn_crypto_sign_keypair(pk, sk);
        snprintf(path, sizeof path, "%s/node%d.sign.secret", sim_keys_dir,
                 i + 1);
        if (mn_crypto_key_write(path, sk, sizeof sk, 0600) != MN_OK)
            abort();
        sim_keys.has_key[i + 1] = true;
        memcpy(sim_keys.key[i + 1], pk, MN_KEY_BYTES);
        setup_seal_keys(i + 1);
    }
}

static void
make_config(struct sim *s, int i) {
    mn_config *c = &s->cfg[i];
    memset(c, 0, sizeof *c);
    for (int k = 0; k < DIVISIONS; k++) {
        mn_division *d = &c->divisions[k];
        d->id = (uint32_t)k + 1;
        snprintf(d->name, sizeof d->name, "node%d", k + 1);
    }
    c->ndivisions = DIVISIONS;
    c->self = c->divisions[i];
    snprintf(c->data_dir, sizeof c->data_dir, "%s/node%d", s->root, i + 1);
    snprintf(c->key_dir, sizeof c->key_dir, "%s", sim_keys_dir);
    c->map_size = 256 << 20;
    c->sync = false;
    c->max_drift_ms = DRIFT_MS;
}

void
start_node(struct sim *s, int i) {
    char err[256];
    if (mn_node_open(&s->cfg[i], &s->node[i], err, sizeof err) != MN_OK) {
        fprintf(stderr, "sim: %s\n", err);
        abort();
    }
    mn_node_set_clock(s->node[i], node_clock, &s->ep[i]);
    mn_repl_host host = {&s->ep[i],  host_read_log, host_state,
                         host_apply, io_send,       host_clocks};
    mn_repl_params params;
    mn_replicator_params(s->node[i], &sim_keys, &params);
    s->eng[i] = mn_repl_new(&params, &host, engine_now(s, i));
    mn_crypto_wipe(&params, sizeof params);
    s->up[i] = true;
    for (int k = 0; k < ENDPOINTS; k++)
        s->linked[i][k] = false;
    trace(s, "start node%d", i + 1);
}

/* Coverage: what node i's engine refused of the rogue's, by reason (an
 * engine's counts end with it: added up when it stops). */
static void
note_refusals(struct sim *s, int i) {
    mn_repl_stats st;
    mn_repl_stats_get(s->eng[i], &st);
    for (size_t k = 0; k < st.npeers; k++)
        for (int r = 0; st.peers[k].id == DIVISIONS && r < MN_REJ_COUNT; r++)
            s->refused[r] += st.peers[k].rejected[r];
}

/* Was the store of node i marked running (it committed since it opened)? */
static bool
marked_running(struct sim *s, int i) {
    mn_txn *t;
    mn_val v;
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK)
        abort();
    bool marked = mn_txn_get(t, MN_DB_META, "running", 7, &v) == MN_OK;
    mn_txn_abort(&t);
    return marked;
}

/* What kill -9 leaves: the running mark a clean stop removes. */
static void
leave_running_mark(struct sim *s, int i) {
    mn_store *store;
    mn_txn *t;
    char err[256];
    if (mn_store_open(s->cfg[i].data_dir, s->cfg[i].map_size, false, &store,
                      err, sizeof err) != MN_OK ||
        mn_store_begin(store, true, &t) != MN_OK ||
        mn_txn_put(t, MN_DB_META, "running", 7, "1", 1, 0) != MN_OK ||
        mn_txn_commit(&t) != MN_OK)
        abort();
    mn_store_destroy(&store);
}

/* Stop node i, cleanly or as kill -9 does. The apply in flight is lost
 * either way: it was never handed to the writer, and the writer has
 * nothing queued between two steps, so what is committed is all that
 * survives; after kill -9 the store keeps its running mark, so its next
 * start begins a new incarnation. */
void
stop_node(struct sim *s, int i, bool kill9) {
    bool marked = kill9 && marked_running(s, i);
    s->apply[i].queued = false;
    mn_node_state(s->node[i], &s->durable[i], NULL);
    note_refusals(s, i);
    mn_repl_destroy(&s->eng[i]);
    mn_node_destroy(&s->node[i]);
    if (marked)
        leave_running_mark(s, i);
    s->up[i] = false;
    for (int k = 0; k < ENDPOINTS; k++)
        s->linked[k][i] = s->linked[i][k] = false;
    trace(s, "%s node%d", kill9 ? "kill -9" : "stop", i + 1);
}

/* Tell engines which client links are up now (a-b usable and b up). */
void
set_links(struct sim *s) {
    for (int a = 0; a < NODES; a++) {
        if (!s->up[a])
            continue;
        for (int b = 0; b < ENDPOINTS; b++) {
            bool want = a != b && s->up[b] && !s->cut[a][b];
            if (want == s->linked[a][b] || a == b)
                continue;
            s->linked[a][b] = want;
            mn_repl_on_link(s->eng[a], (uint32_t)b + 1, want, engine_now(s, a));
        }
    }
}

/* ---- delivery --------------------------------------------------------- */

/* Deliver one due message, chosen at random (reordering). */
static bool
deliver_one(struct sim *s) {
    size_t due[64], ndue = 0;
    for (size_t k = 0; k < s->nmsgs && ndue < 64; k++)
        if (s->msgs[k].at <= s->now)
            due[ndue++] = k;
    if (ndue == 0)
        return false;
    size_t k = due[below(ndue)];
    struct msg m = s->msgs[k];
    s->msgs[k] = s->msgs[--s->nmsgs];
    s->queued_to[m.to] -= m.n;
    if (m.to == ROGUE)
        hostile_receive(s, &m);
    else if (s->up[m.to] && !s->cut[m.from][m.to])
        mn_repl_on_message(s->eng[m.to], (uint32_t)m.from + 1, m.ch, m.p, m.n,
                           engine_now(s, m.to));
    free(m.p);
    return true;
}

/* A tick of every engine. */
static void
tick_all(struct sim *s) {
    apply_due(s);
    for (int i = 0; i < NODES; i++)
        if (s->up[i])
            mn_repl_on_tick(s->eng[i], engine_now(s, i));
}

void
sim_settle(struct sim *s, int rounds) {
    for (int k = 0; k < rounds; k++) {
        s->now += 50;
        tick_all(s);
        while (deliver_one(s))
            ;
    }
}

void
sim_deliver(struct sim *s, int rounds) {
    for (int k = 0; k < rounds; k++) {
        s->now += 1;
        apply_due(s);
        for (int m = 0; m < 32 && deliver_one(s); m++)
            ;
    }
}

/* ---- checks ----------------------------------------------------------- */

static bool log_contiguous(mn_txn *t, const mn_vv *vv);
static bool owners_hold(mn_txn *t);

/* Each origin's log is contiguous up to the node's vector (so no change
 * was applied twice or skipped) and the ownership rule holds. */
static bool
check_store(struct sim *s, int i) {
    mn_txn *t;
    mn_vv vv;
    uint8_t digest[MN_HASH_BYTES];
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK)
        return fail(s, "node%d: cannot read its store", i + 1);
    bool ok = mn_node_digest(t, digest, &vv) == MN_OK;
    if (ok && !log_contiguous(t, &vv))
        ok = fail(s, "node%d log is not contiguous", i + 1);
    else if (ok && !owners_hold(t))
        ok = fail(s,
                  "node%d has personal details not written by the "
                  "participant's home",
                  i + 1);
    mn_txn_abort(&t);
    return ok;
}

/* Coverage: how far the engines' pending queues grew. */
static void
note_pending(struct sim *s, int i) {
    mn_repl_stats st;
    mn_repl_stats_get(s->eng[i], &st);
    if (st.pending > s->max_pending)
        s->max_pending = st.pending;
}

/* After every step: vectors never go back; nobody has more of an origin
 * than the origin ever made; every store is contiguous and owned. */
static bool
check_step(struct sim *s) {
    mn_vv vv;
    if (s->failure[0])
        return false; /* an act of the step found something */
    for (int i = 0; i < NODES; i++) {
        if (!s->up[i])
            continue;
        mn_node_state(s->node[i], &vv, NULL);
        if (!mn_vv_covers(&vv, &s->last_vv[i]))
            return fail(s, "node%d vector went back", i + 1);
        s->last_vv[i] = s->durable[i] = vv;
        note_pending(s, i);
        uint32_t own = mn_node_origin(s->node[i]);
        (void)mn_vv_raise(&s->made, own, vv_get(&vv, own));
    }
    for (int i = 0; i < NODES; i++)
        for (uint32_t k = 0; k < s->last_vv[i].n; k++) {
            const mn_vv_entry *e = &s->last_vv[i].e[k];
            if (e->seq > vv_get(&s->made, e->origin))
                return fail(s, "node%d has more of origin %08x than it made",
                            i + 1, e->origin);
        }
    /* A store changes only with its vector: check those that moved. */
    for (int i = 0; i < NODES; i++) {
        if (!s->up[i] || mn_vv_equal(&s->checked_vv[i], &s->last_vv[i]))
            continue;
        if (!check_store(s, i) || !pships_hold(s, i))
            return false;
        s->checked_vv[i] = s->last_vv[i];
    }
    return true;
}

struct snapshot {
    uint8_t digest[MN_HASH_BYTES];
    mn_vv vv;
    mn_counts counts;
    uint8_t conflicts[MN_HASH_BYTES]; /* chained hash of the listed ones */
    size_t nconflicts;
};

static bool
log_contiguous(mn_txn *t, const mn_vv *vv) {
    mn_cursor *cur;
    mn_val k, v;
    mn_vv seen = {0};
    uint32_t o = 0;
    uint64_t n = 0;
    bool ok = true;
    if (mn_cursor_open(t, MN_DB_LOG, &cur) != MN_OK)
        return false;
    for (int rc = mn_cursor_seek(cur, NULL, 0, &k, &v); ok && rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        if (mn_get_be32(k.p) != o) {
            o = mn_get_be32(k.p);
            n = 0;
        }
        ok = mn_get_be64((const uint8_t *)k.p + 4) == ++n &&
             mn_vv_set(&seen, o, n) == MN_OK;
    }
    mn_cursor_close(&cur);
    return ok && mn_vv_equal(&seen, vv);
}

/* The divisions that were ever home of participant id: the transfer
 * records (state/owner.h: 'T', id, hlc, origin -> seq, division). OUT:
 * bit d of *homes. */
static bool
homes_of(mn_txn *t, const uint8_t id[MN_ID_BYTES], uint64_t *homes) {
    uint8_t start[1 + MN_ID_BYTES] = {'T'};
    mn_cursor *cur;
    mn_val k, v;
    memcpy(start + 1, id, MN_ID_BYTES);
    *homes = 1ull << mn_id_division(id);
    if (mn_cursor_open(t, MN_DB_INDEX, &cur) != MN_OK)
        return false;
    for (int rc = mn_cursor_seek(cur, start, sizeof start, &k, &v);
         rc == MN_OK && k.n == MN_OWNER_KEY_BYTES &&
         memcmp(k.p, start, sizeof start) == 0;
         rc = mn_cursor_next(cur, &k, &v))
        *homes |= 1ull << (mn_get_be32((const uint8_t *)v.p + 8) & 63);
    mn_cursor_close(&cur);
    return true;
}

/* Side field r of e, if written, was written by a home of the
 * participant its REF field names. */
static bool
side_by_home(mn_txn *t, const mn_entity *e, const mn_ref_owner *r) {
    const mn_field *f = mn_entity_get(e, r->field);
    const char *z = mn_entity_str(e, r->ref);
    uint8_t pid[MN_ID_BYTES];
    uint64_t homes = 0;
    if (!f)
        return true;
    if (!z || mn_id_parse(z, pid) != MN_OK || !homes_of(t, pid, &homes))
        return false;
    return homes >> (mn_origin_division(f->stamp.origin) & 63) & 1;
}

/* Every owner-only field of a participant was written by one of her homes
 * (her first, or one a transfer named), and her home is the last
 * transfer's; every side of a partnership by a home of its participant. */
static bool
owners_hold(mn_txn *t) {
    mn_cursor *cur;
    mn_val k, v;
    bool ok = true;
    if (mn_cursor_open(t, MN_DB_ENTITIES, &cur) != MN_OK)
        return false;
    for (int rc = mn_cursor_seek(cur, NULL, 0, &k, &v); ok && rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        mn_entity e;
        uint64_t homes = 0;
        if (mn_codec_entity_decode(v.p, v.n, &e) != MN_OK)
            return false;
        const mn_kind *kind = mn_kind_find(e.type);
        ok = e.type != MN_ENTITY_PARTICIPANT || homes_of(t, e.id, &homes);
        for (size_t f = 0; ok && e.type == MN_ENTITY_PARTICIPANT && f < e.n;
             f++)
            if (mn_kind_owner_only(kind, e.f[f].no) &&
                !(homes >> (mn_origin_division(e.f[f].stamp.origin) & 63) & 1))
                ok = false;
        for (size_t r = 0; ok && kind && r < kind->nref_owners; r++)
            ok = side_by_home(t, &e, &kind->ref_owners[r]);
        mn_entity_release(&e);
    }
    mn_cursor_close(&cur);
    return ok;
}

static void
append_stamp(mn_buf *b, const mn_stamp *st) {
    uint8_t p[20];
    mn_put_be64(p, st->hlc);
    mn_put_be32(p + 8, st->origin);
    mn_put_be64(p + 12, st->seq);
    mn_buf_append(b, p, sizeof p);
}

static void
hash_conflict(void *user, const mn_conflict *c) {
    struct snapshot *out = user;
    uint8_t head[4 + 1 + 8];
    mn_buf item;
    mn_buf_init(&item);
    mn_buf_append(&item, out->conflicts, MN_HASH_BYTES);
    mn_buf_append(&item, c->id, MN_ID_BYTES);
    append_stamp(&item, &c->loser);
    append_stamp(&item, &c->winner);
    mn_put_be32(head, c->field);
    head[4] = (uint8_t)c->value.kind;
    mn_put_be64(head + 5, (uint64_t)c->value.i);
    mn_buf_append(&item, head, sizeof head);
    if (c->value.len)
        mn_buf_append(&item, c->value.s, c->value.len);
    mn_crypto_hash2(item.p, item.len, NULL, 0, out->conflicts);
    mn_buf_release(&item);
    out->nconflicts++;
}

/* The conflict list as GET /v1/conflicts reads it, hashed in order. */
static bool
conflicts_hash(mn_txn *t, struct snapshot *out) {
    memset(out->conflicts, 0, MN_HASH_BYTES);
    out->nconflicts = 0;
    return mn_state_conflicts(t, SIZE_MAX, hash_conflict, out) == MN_OK;
}

static bool
snapshot(struct sim *s, int i, struct snapshot *out) {
    mn_txn *t;
    mn_counts *again = mn_malloc(sizeof *again);
    bool ok = mn_store_begin(mn_node_store(s->node[i]), false, &t) == MN_OK &&
              mn_node_digest(t, out->digest, &out->vv) == MN_OK &&
              mn_stats_load(t, &out->counts) == MN_OK &&
              mn_stats_recount(t, again) == MN_OK && conflicts_hash(t, out);
    if (ok && memcmp(again, &out->counts, sizeof *again) != 0)
        ok = fail(s, "node%d statistics differ from a recount", i + 1);
    else if (ok && !log_contiguous(t, &out->vv))
        ok = fail(s, "node%d log is not contiguous", i + 1);
    else if (ok && !owners_hold(t))
        ok = fail(s,
                  "node%d has personal details not written by the "
                  "participant's home",
                  i + 1);
    mn_txn_abort(&t);
    free(again);
    return ok;
}

/*
 * Node i's snapshot a against node1's b: which part differs. A key holder
 * that signed two forks of one seq splits the nodes that applied one from
 * those that applied the other, for good: every node detects and counts it
 * (hostile_check), none can undo what it applied. So after equivocation
 * only the honest origins' vectors must agree, and the model check
 * (every acknowledged write's winner on every node) still holds; the
 * digests and totals, which cover the forked changes, may differ.
 */
static bool
same_snapshot(struct sim *s, int i, const struct snapshot *a,
              const struct snapshot *b) {
    for (int side = 0; side < 2; side++) {
        const mn_vv *x = side ? &b->vv : &a->vv;
        for (uint32_t k = 0; k < x->n; k++) {
            uint32_t o = x->e[k].origin;
            if (s->equivocated && mn_origin_division(o) == (uint32_t)DIVISIONS)
                continue;
            if (vv_get(&a->vv, o) != vv_get(&b->vv, o))
                return fail(s,
                            "node%d differs from node1 after healing: %llu "
                            "against %llu of origin %08x",
                            i + 1, (unsigned long long)vv_get(&a->vv, o),
                            (unsigned long long)vv_get(&b->vv, o), o);
        }
    }
    if (s->equivocated)
        return true;
    if (memcmp(a->digest, b->digest, MN_HASH_BYTES) != 0)
        return fail(s, "node%d differs from node1 after healing: digest",
                    i + 1);
    if (memcmp(&a->counts, &b->counts, sizeof a->counts) != 0)
        return fail(s, "node%d differs from node1 after healing: statistics",
                    i + 1);
    return true;
}

static bool
converged(struct sim *s, struct snapshot *snap) {
    for (int i = 0; i < NODES; i++) {
        if (!snapshot(s, i, &snap[i]))
            return false;
        if (i > 0 && !same_snapshot(s, i, &snap[i], &snap[0]))
            return false;
        if (i > 0 &&
            (snap[i].nconflicts != snap[0].nconflicts ||
             memcmp(snap[i].conflicts, snap[0].conflicts, MN_HASH_BYTES) != 0))
            return fail(s, "node%d lists other conflicts than node1", i + 1);
    }
    return true;
}

/* Once converged: the model holds on every node, every node takes writes
 * again, and the hostile peer's refusals were counted. */
static bool
final_checks(struct sim *s, const struct snapshot *snap) {
    s->conflicts = snap[0].nconflicts;
    for (int i = 0; i < NODES; i++)
        if (!model_check(s, i) || !model_check_erased(s, i))
            return false;
    for (int i = 0; i < NODES; i++)
        if (!mn_node_writable(s->node[i]))
            return fail(s, "node%d still holds local writes after healing",
                        i + 1);
    return hostile_check(s);
}

static bool
applying(const struct sim *s) {
    for (int i = 0; i < NODES; i++)
        if (s->apply[i].queued)
            return true;
    return false;
}

/* Heal everything and run until quiet; then every check must hold. */
static bool
heal(struct sim *s) {
    static struct snapshot snap[NODES];
    memset(s->cut, 0, sizeof s->cut);
    uint64_t wait = clocks_at_heal(s);
    s->drop = s->dup = 0;
    for (int i = 0; i < NODES; i++)
        if (!s->up[i])
            start_node(s, i);
    s->now += wait; /* let quarantined clocks fall within bound */
    set_links(s);
    for (int round = 0; round < HEAL_ROUNDS; round++) {
        s->now += 100;
        tick_all(s);
        while (deliver_one(s))
            ;
        if (round % 20 == 19 && s->nmsgs == 0 && !applying(s) &&
            converged(s, snap))
            return final_checks(s, snap);
    }
    s->failure[0] = '\0';
    if (!converged(s, snap))
        return s->failure[0] ? false : fail(s, "did not converge");
    return final_checks(s, snap);
}

/* ---- one run ---------------------------------------------------------- */

static void
step(struct sim *s, unsigned long long seed) {
    uint64_t r = below(100);
    if (r < 33) {
        s->now += below(30);
        apply_due(s);
        for (int k = 0; k < 8 && deliver_one(s); k++)
            ;
    } else if (r < 48) {
        s->now += below(200);
        tick_all(s);
    } else if (r < 64) {
        do_writes(s, seed);
    } else if (r < 76) {
        do_pship(s);
    } else if (r < 84) {
        partition(s);
        set_links(s);
    } else if (r < 88) {
        crash_or_restart(s);
        set_links(s);
    } else if (r < 91) {
        clock_fault(s);
    } else if (r < 96) {
        hostile_act(s);
    } else {
        s->drop = (unsigned)below(30);
        s->dup = (unsigned)below(20);
        s->delay = (unsigned)below(500);
        trace(s, "weather drop %u%% dup %u%% delay <%u ms", s->drop, s->dup,
              s->delay);
    }
}

static void
destroy(struct sim *s) {
    char cmd[128];
    for (int i = 0; i < NODES; i++)
        if (s->up[i])
            stop_node(s, i, false);
    for (size_t k = 0; k < s->nmsgs; k++)
        free(s->msgs[k].p);
    free(s->msgs);
    model_destroy(&s->model);
    hostile_destroy(&s->rogue);
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->root);
    if (system(cmd) != 0)
        fprintf(stderr, "sim: could not remove %s\n", s->root);
}

/* Run seed for steps; true when every check held. */
static bool
run(uint64_t seed, unsigned steps, struct sim *s) {
    memset(s, 0, sizeof *s);
    rng_state = seed;
    s->faults = enabled_faults;
    strcpy(s->root, "/tmp/mn-sim-XXXXXX");
    if (!mkdtemp(s->root))
        abort();
    s->now = 1700000000000ull;
    s->model = model_new();
    for (int i = 0; i < NODES; i++)
        pships_forget(s, i);
    s->rogue = hostile_new();
    for (int i = 0; i < ENDPOINTS; i++)
        s->ep[i] = (struct endpoint){s, i};
    for (int i = 0; i < NODES; i++) {
        make_config(s, i);
        start_node(s, i);
    }
    s->up[ROGUE] = true;
    set_links(s);
    bool ok = true;
    for (unsigned k = 0; ok && k < steps; k++) {
        step(s, seed);
        ok = check_step(s);
    }
    return ok && heal(s);
}

static void
report(uint64_t seed, unsigned steps) {
    static struct sim s;
    unsigned lo = 1, hi = steps;
    /* Shrink: the fewest steps with which the seed still fails. */
    while (lo < hi) {
        unsigned mid = lo + (hi - lo) / 2;
        bool ok = run(seed, mid, &s);
        destroy(&s);
        if (ok)
            lo = mid + 1;
        else
            hi = mid;
    }
    run(seed, lo, &s);
    fprintf(stderr,
            "sim: FAILED seed %llu with %u steps: %s\n"
            "sim: replay with: sim --seed %llu --steps %u\nsim: trace:\n",
            (unsigned long long)seed, lo, s.failure, (unsigned long long)seed,
            lo);
    size_t first = s.ntrace > TRACE_LINES ? s.ntrace - TRACE_LINES : 0;
    for (size_t k = first; k < s.ntrace; k++)
        fprintf(stderr, "  %s\n", s.trace[k % TRACE_LINES]);
    destroy(&s);
}

static bool shrink = true;

static uint64_t
rogue_refusals(const struct sim *s) {
    uint64_t n = 0;
    for (int r = 0; r < MN_REJ_COUNT; r++)
        n += s->refused[r];
    return n;
}

/* The most changes any origin made in the run. */
static uint64_t
highest_seq(const struct sim *s) {
    uint64_t n = 0;
    for (uint32_t k = 0; k < s->made.n; k++)
        n = s->made.e[k].seq > n ? s->made.e[k].seq : n;
    return n;
}

static bool
run_seed(uint64_t seed, unsigned steps) {
    static struct sim s;
    bool ok = run(seed, steps, &s);
    size_t acked = model_count(s.model);
    destroy(&s); /* adds up the refusals of the engines still running */
    if (!quiet || !ok)
        printf(
            "seed %llu: %s (%zu writes acknowledged, highest seq %llu, "
            "%zu conflicts, %llu pending at most, rogue refused %llu, "
            "%zu partnership actions taken, %zu refused, %zu erasures)%s%s\n",
            (unsigned long long)seed, ok ? "ok" : "FAILED", acked,
            (unsigned long long)highest_seq(&s), s.conflicts,
            (unsigned long long)s.max_pending,
            (unsigned long long)rogue_refusals(&s), s.pship_taken,
            s.pship_refused, s.erasures, ok ? "" : ": ", ok ? "" : s.failure);
    if (!ok && shrink)
        report(seed, steps);
    return ok;
}

/* Replay every "seed steps" line of path. Blank lines and lines starting
 * with '#' are comments; any other line is an error, and so is a file with
 * no seed (a regression file that checks nothing must not pass). */
static int
run_file(const char *path, unsigned *passed, unsigned *failed) {
    unsigned long long seed;
    unsigned steps, nseeds = 0, lineno = 0;
    char line[256], extra;
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "sim: %s: cannot read\n", path);
        return 2;
    }
    while (fgets(line, sizeof line, f)) {
        lineno++;
        const char *z = line + strspn(line, " \t");
        if (*z == '#' || *z == '\n' || *z == '\0')
            continue;
        if (sscanf(z, "%llu %u %c", &seed, &steps, &extra) != 2 || !steps) {
            fprintf(stderr, "sim: %s:%u: not \"seed steps\"\n", path, lineno);
            fclose(f);
            return 2;
        }
        nseeds++;
        run_seed(seed, steps) ? (*passed)++ : (*failed)++;
    }
    fclose(f);
    if (nseeds == 0)
        fprintf(stderr, "sim: %s holds no seed\n", path);
    return nseeds ? 0 : 2;
}

/* "name,name" or "all" into enum sim_fault bits; false on a name it does
 * not know. */
static bool
parse_faults(const char *arg, unsigned *out) {
    char buf[256];
    snprintf(buf, sizeof buf, "%s", arg);
    *out = 0;
    for (char *save, *w = strtok_r(buf, ",", &save); w;
         w = strtok_r(NULL, ",", &save)) {
        size_t k = 0;
        if (strcmp(w, "all") == 0 || strcmp(w, "none") == 0) {
            *out = w[0] == 'a' ? (1u << NFAULTS) - 1 : 0;
            continue;
        }
        while (k < NFAULTS && strcmp(w, fault_names[k]) != 0)
            k++;
        if (k == NFAULTS) {
            fprintf(stderr, "sim: unknown fault \"%s\"\n", w);
            return false;
        }
        *out |= 1u << k;
    }
    return true;
}

/* Seeds a..b, in jobs processes (seed k in process k % jobs). */
static void
run_range(unsigned long long a, unsigned long long b, unsigned steps,
          unsigned jobs, unsigned *passed, unsigned *failed) {
    int pipes[64][2];
    pid_t pid[64];
    unsigned njobs = jobs < 1 ? 1 : jobs > 64 ? 64 : jobs;
    if (njobs == 1) {
        for (unsigned long long seed = a; seed <= b; seed++)
            run_seed(seed, steps) ? (*passed)++ : (*failed)++;
        return;
    }
    fflush(stdout);
    for (unsigned j = 0; j < njobs; j++) {
        if (pipe(pipes[j]) != 0 || (pid[j] = fork()) < 0)
            abort();
        if (pid[j] == 0) {
            unsigned counts[2] = {0, 0};
            for (unsigned long long seed = a + j; seed <= b; seed += njobs)
                counts[run_seed(seed, steps) ? 0 : 1]++;
            fflush(stdout);
            _exit(write(pipes[j][1], counts, sizeof counts) ==
                          (ssize_t)sizeof counts
                      ? 0
                      : 1);
        }
        close(pipes[j][1]);
    }
    for (unsigned j = 0; j < njobs; j++) {
        unsigned counts[2] = {0, 1}; /* a job that died counts as failed */
        int status;
        if (read(pipes[j][0], counts, sizeof counts) != (ssize_t)sizeof counts)
            counts[0] = 0;
        close(pipes[j][0]);
        waitpid(pid[j], &status, 0);
        *passed += counts[0];
        *failed += counts[1];
    }
}

static void
usage(FILE *out) {
    fprintf(out, "usage: sim (--seed S | --seeds A-B | --file F) "
                 "[--steps N] [--faults NAME,...|all|none] [--jobs N] "
                 "[--no-shrink] [--quiet]\nfaults (default: all but "
                 "equivocate):");
    for (size_t k = 0; k < NFAULTS; k++)
        fprintf(out, " %s", fault_names[k]);
    fprintf(out, "\n");
}

/* New incarnations draw from the run's generator, so a run replays. */
static uint32_t
draw_incarnation(void *ctx) {
    (void)ctx;
    return (uint32_t)rnd();
}

int
main(int argc, char **argv) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"seeds", required_argument, NULL, 'r'},
        {"steps", required_argument, NULL, 'n'},
        {"file", required_argument, NULL, 'f'},
        {"faults", required_argument, NULL, 'F'},
        {"no-shrink", no_argument, NULL, 'S'},
        {"jobs", required_argument, NULL, 'j'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    unsigned long long a = 0, b = 0;
    mn_node_set_incarnation_source(draw_incarnation, NULL);
    unsigned steps = 400, passed = 0, failed = 0, jobs = 1;
    const char *file = NULL;
    bool have = false;
    int c;
    while ((c = getopt_long(argc, argv, "s:r:n:f:F:j:Sqh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            have = sscanf(optarg, "%llu", &a) == 1;
            b = a;
            break;
        case 'r': have = sscanf(optarg, "%llu-%llu", &a, &b) == 2; break;
        case 'n': steps = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'f': file = optarg; break;
        case 'F':
            if (!parse_faults(optarg, &enabled_faults))
                return 2;
            break;
        case 'S': shrink = false; break;
        case 'j': jobs = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if ((!have && !file) || a > b || steps == 0) {
        usage(stderr);
        return 2;
    }
    mn_log_set_level(MN_LOG_ERROR);
    if (mn_crypto_init() != MN_OK)
        return 1;
    setup_keys();
    time_t start = time(NULL);
    if (file && run_file(file, &passed, &failed) != 0)
        return 2;
    if (have)
        run_range(a, b, steps, jobs, &passed, &failed);
    double minutes = (double)(time(NULL) - start) / 60.0;
    printf("sim: %u seeds in %.1f min (%.0f seeds/min)\n", passed + failed,
           minutes, minutes > 0 ? (passed + failed) / minutes : 0.0);
    printf("%u passed, %u failed\n", passed, failed);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", sim_keys_dir);
    if (system(cmd) != 0)
        return 1;
    return failed ? 1 : 0;
}
