/*
 * sim — the deterministic simulator. Five replication engines (the
 * daemon's own code) run in one process, each on its own real LMDB store,
 * over a simulated network and clock. One seeded generator decides
 * everything: the workload, which messages are dropped, duplicated,
 * delayed and reordered, partitions, crashes and restarts, clock skew,
 * and how long each apply an engine hands its host takes (the engines go
 * on receiving meanwhile, as they do over the daemon's writer thread; a
 * crash loses the apply in flight).
 *
 * Checked after every step: no node's version vector goes backwards, no
 * node holds more of an origin's changes than the origin made, every
 * origin's log on every node is contiguous up to its vector (no change
 * applied twice or skipped), and the ownership rule holds. Checked
 * after healing: equal digests, vectors, statistics and conflict lists
 * everywhere, stats equal a recount, each origin's log contiguous, every
 * acknowledged write present on every node, and every personal detail
 * written by the participant's home division (the ownership rule).
 *
 *   sim --seed S [--steps N]        replay one run exactly
 *   sim --seeds A-B [--steps N]     run a range of seeds
 *   sim --file F                    replay every "seed steps" line of F
 *                                   (# comments); fails on a file with no
 *                                   seed or a line it cannot read
 *
 * A failing seed is printed with the shortest step count that still fails
 * and the trace of that run.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "door/codec.h"
#include "base/log.h"
#include "node/node.h"
#include "state/participant.h"
#include "repl/repl.h"
#include "repl/replicator.h"
#include "state/state.h"
#include "state/stats.h"

#define NODES 5
#define MAX_ACKED 4096
#define TRACE_LINES 64
#define DRIFT_MS 300000
#define HEAL_ROUNDS 3000

/* ---- seeded generator (splitmix64) ------------------------------------ */

static uint64_t rng_state;

static uint64_t
rnd(void) {
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static uint64_t
below(uint64_t n) {
    return rnd() % n;
}

static bool
chance(unsigned percent) {
    return below(100) < percent;
}

/* ---- the world -------------------------------------------------------- */

struct msg {
    int from, to;
    enum mn_channel ch; /* the channel it arrives on at `to` */
    uint64_t at;
    uint8_t *p;
    size_t n;
};

struct endpoint {
    struct sim *sim;
    int index;
};

/* An apply an engine asked for, done by the node once it is due. */
struct apply {
    bool queued;
    uint64_t token, at;
    mn_remote_change *cs;
    size_t n;
    const mn_chain_sig *sigs;
    size_t nsigs;
};

struct sim {
    char root[64];
    uint64_t now;
    int64_t skew[NODES];
    mn_config cfg[NODES];
    mn_node *node[NODES];
    mn_repl *eng[NODES];
    struct apply apply[NODES];
    struct endpoint ep[NODES];
    bool up[NODES];
    bool cut[NODES][NODES];    /* link a-b is cut (symmetric) */
    bool linked[NODES][NODES]; /* a's client link to b is up */
    struct msg *msgs;
    size_t nmsgs, capmsgs;
    uint8_t acked[MAX_ACKED][MN_ID_BYTES];
    size_t nacked;
    mn_vv last_vv[NODES];
    char trace[TRACE_LINES][128];
    size_t ntrace;
    unsigned drop, dup, delay; /* network weather, percent / ms */
    char failure[256];
};

static char keys_dir[64];
static mn_repl_keys keys;
static bool quiet;

static void trace(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
trace(struct sim *s, const char *fmt, ...) {
    va_list ap;
    char *line = s->trace[s->ntrace++ % TRACE_LINES];
    int n = snprintf(line, 128, "%8llu ", (unsigned long long)s->now);
    va_start(ap, fmt);
    vsnprintf(line + n, 128 - (size_t)n, fmt, ap);
    va_end(ap);
}

static uint64_t
node_clock(void *ctx) {
    struct endpoint *ep = ctx;
    int64_t t = (int64_t)ep->sim->now + ep->sim->skew[ep->index];
    return t > 0 ? (uint64_t)t : 1;
}

static uint64_t
local_now(struct sim *s, int i) {
    return node_clock(&s->ep[i]);
}

static void
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
            mn_repl_on_applied(s->eng[i], a->token, rc, local_now(s, i));
        }
    }
}

/* ---- nodes ------------------------------------------------------------ */

static void
setup_keys(void) {
    char path[128];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES], net[MN_KEY_BYTES];
    strcpy(keys_dir, "/tmp/mn-sim-keys-XXXXXX");
    if (!mkdtemp(keys_dir))
        abort();
    mn_crypto_random(net, sizeof net);
    snprintf(path, sizeof path, "%s/network.key", keys_dir);
    if (mn_crypto_key_write(path, net, sizeof net, 0600) != MN_OK)
        abort();
    for (int i = 0; i < NODES; i++) {
        mn_crypto_sign_keypair(pk, sk);
        snprintf(path, sizeof path, "%s/node%d.sign.secret", keys_dir, i + 1);
        if (mn_crypto_key_write(path, sk, sizeof sk, 0600) != MN_OK)
            abort();
        keys.has_key[i + 1] = true;
        memcpy(keys.key[i + 1], pk, MN_KEY_BYTES);
    }
}

static void
make_config(struct sim *s, int i) {
    mn_config *c = &s->cfg[i];
    memset(c, 0, sizeof *c);
    for (int k = 0; k < NODES; k++) {
        mn_division *d = &c->divisions[k];
        d->id = (uint32_t)k + 1;
        snprintf(d->name, sizeof d->name, "node%d", k + 1);
    }
    c->ndivisions = NODES;
    c->self = c->divisions[i];
    snprintf(c->data_dir, sizeof c->data_dir, "%s/node%d", s->root, i + 1);
    snprintf(c->key_dir, sizeof c->key_dir, "%s", keys_dir);
    c->map_size = 64 << 20;
    c->sync = false;
    c->max_drift_ms = DRIFT_MS;
}

static void set_links(struct sim *s, uint64_t now);

static void
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
    mn_replicator_params(s->node[i], &keys, &params);
    s->eng[i] = mn_repl_new(&params, &host, local_now(s, i));
    s->up[i] = true;
    for (int k = 0; k < NODES; k++)
        s->linked[i][k] = false;
    trace(s, "start node%d", i + 1);
}

static void
stop_node(struct sim *s, int i) {
    s->apply[i].queued = false; /* a crash before the apply committed */
    mn_repl_destroy(&s->eng[i]);
    mn_node_destroy(&s->node[i]);
    s->up[i] = false;
    for (int k = 0; k < NODES; k++)
        s->linked[k][i] = s->linked[i][k] = false;
    trace(s, "crash node%d", i + 1);
}

/* Tell engines which client links are up now (a-b usable and b up). */
static void
set_links(struct sim *s, uint64_t now) {
    (void)now;
    for (int a = 0; a < NODES; a++) {
        if (!s->up[a])
            continue;
        for (int b = 0; b < NODES; b++) {
            bool want = a != b && s->up[b] && !s->cut[a][b];
            if (want == s->linked[a][b] || a == b)
                continue;
            s->linked[a][b] = want;
            mn_repl_on_link(s->eng[a], (uint32_t)b + 1, want, local_now(s, a));
        }
    }
}

/* ---- workload --------------------------------------------------------- */

static void
random_fields(mn_ops *ops, bool create) {
    static const char *const statuses[] = {"applicant", "waiting", "matched",
                                           "alumni", "withdrawn"};
    static const char *const names[] = {"Amina", "Sara",  "Hodan",
                                        "Leyla", "Karen", "Mette"};
    static const char *const countries[] = {"SY", "SO", "AF", "IQ",
                                            "ER", "DK", "TR", "UA"};
    const char *st = statuses[below(5)], *nm = names[below(6)];
    if (create) {
        const char *role = chance(40) ? "mentor" : "mentee";
        mn_ops_add_str(ops, MN_P_ROLE, role, strlen(role));
        mn_ops_add_str(ops, MN_P_FAMILY_NAME, "Test", 4);
    }
    if (create || chance(50))
        mn_ops_add_str(ops, MN_P_STATUS, st, strlen(st));
    if (create || chance(50))
        mn_ops_add_str(ops, MN_P_GIVEN_NAME, nm, strlen(nm));
    if (create || chance(50) || ops->n == 0)
        mn_ops_add_str(ops, MN_P_COUNTRY, countries[below(8)], 2);
}

static void
do_write(struct sim *s) {
    int i = (int)below(NODES);
    bool create = s->nacked == 0 || chance(60);
    if (!s->up[i])
        return;
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = create};
    mn_ops_init(&w.ops);
    random_fields(&w.ops, create);
    if (create)
        mn_ops_add_int(&w.ops, MN_P_HOME, i + 1);
    else
        memcpy(w.id, s->acked[below(s->nacked)], MN_ID_BYTES);
    int rc = mn_node_write(s->node[i], &w, 1);
    if (rc == MN_OK)
        rc = w.result;
    trace(s, "write node%d %s: %s", i + 1, create ? "create" : "patch",
          mn_strerror(rc));
    if (rc == MN_OK && create && s->nacked < MAX_ACKED)
        memcpy(s->acked[s->nacked++], w.id, MN_ID_BYTES);
    mn_ops_release(&w.ops);
    if (rc == MN_OK)
        mn_repl_on_commit(s->eng[i], local_now(s, i));
}

/* ---- faults ----------------------------------------------------------- */

static void
cut_pair(struct sim *s, int a, int b, bool cut) {
    s->cut[a][b] = s->cut[b][a] = cut;
}

static void
partition(struct sim *s) {
    int a = (int)below(NODES), b = (int)below(NODES);
    switch (below(6)) {
    case 0: /* isolate one */
        for (int k = 0; k < NODES; k++)
            if (k != a)
                cut_pair(s, a, k, true);
        trace(s, "isolate node%d", a + 1);
        break;
    case 1: /* two against three */
        for (int x = 0; x < NODES; x++)
            for (int y = 0; y < NODES; y++)
                if ((x < 2) != (y < 2))
                    cut_pair(s, x, y, true);
        trace(s, "split {1,2} | {3,4,5}");
        break;
    case 2: /* ring: each reaches only its neighbours */
        for (int x = 0; x < NODES; x++)
            for (int y = 0; y < NODES; y++)
                if (x != y && (x + 1) % NODES != y && (y + 1) % NODES != x)
                    cut_pair(s, x, y, true);
        trace(s, "ring");
        break;
    case 3: /* clog one link */
        if (a != b)
            cut_pair(s, a, b, true);
        trace(s, "cut node%d-node%d", a + 1, b + 1);
        break;
    case 4: /* restore one link */
        cut_pair(s, a, b, false);
        trace(s, "restore node%d-node%d", a + 1, b + 1);
        break;
    default: memset(s->cut, 0, sizeof s->cut); trace(s, "heal links");
    }
}

static void
clock_fault(struct sim *s) {
    int i = (int)below(NODES);
    switch (below(3)) {
    case 0: s->skew[i] = (int64_t)below(4000) - 2000; break;
    case 1: /* a jump beyond the drift bound */
        s->skew[i] = DRIFT_MS + (int64_t)below(60000);
        break;
    default: s->skew[i] = 0;
    }
    trace(s, "clock node%d skew %lld ms", i + 1, (long long)s->skew[i]);
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
    if (s->up[m.to] && !s->cut[m.from][m.to])
        mn_repl_on_message(s->eng[m.to], (uint32_t)m.from + 1, m.ch, m.p, m.n,
                           local_now(s, m.to));
    free(m.p);
    return true;
}

static void
tick_all(struct sim *s) {
    apply_due(s);
    for (int i = 0; i < NODES; i++)
        if (s->up[i])
            mn_repl_on_tick(s->eng[i], local_now(s, i));
}

/* ---- checks ----------------------------------------------------------- */

static bool fail(struct sim *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static bool
fail(struct sim *s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->failure, sizeof s->failure, fmt, ap);
    va_end(ap);
    return false;
}

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

/* After every step: vectors never go back; nobody has more of an origin
 * than the origin itself made; every store is contiguous and owned. */
static bool
check_step(struct sim *s) {
    mn_vv vv[NODES];
    for (int i = 0; i < NODES; i++) {
        if (!s->up[i])
            continue;
        mn_node_state(s->node[i], &vv[i], NULL);
        if (!mn_vv_covers(&vv[i], &s->last_vv[i]))
            return fail(s, "node%d vector went back", i + 1);
        s->last_vv[i] = vv[i];
    }
    for (int i = 0; i < NODES; i++)
        for (int o = 0; o < NODES; o++) {
            uint32_t origin = s->node[o] ? mn_node_origin(s->node[o]) : 0;
            if (origin && mn_vv_get(&s->last_vv[i], origin) >
                              mn_vv_get(&s->last_vv[o], origin))
                return fail(s, "node%d has more of node%d than it made", i + 1,
                            o + 1);
        }
    for (int i = 0; i < NODES; i++)
        if (s->up[i] && !check_store(s, i))
            return false;
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

/* Every owner-only field was written by the participant's home. */
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
        if (mn_codec_entity_decode(v.p, v.n, &e) != MN_OK)
            return false;
        int64_t home = mn_entity_int(&e, MN_P_HOME, 0);
        for (size_t f = 0; f < e.n; f++)
            if (mn_kind_owner_only(&mn_kind_participant, e.f[f].no) &&
                mn_origin_division(e.f[f].stamp.origin) != (uint32_t)home)
                ok = false;
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
    for (size_t k = 0; ok && k < s->nacked; k++)
        if (mn_state_exists(t, MN_ENTITY_PARTICIPANT, s->acked[k]) != MN_OK)
            ok = fail(s, "node%d lost acknowledged write %zu", i + 1, k);
    mn_txn_abort(&t);
    free(again);
    return ok;
}

static bool
converged(struct sim *s, struct snapshot *snap) {
    for (int i = 0; i < NODES; i++) {
        if (!snapshot(s, i, &snap[i]))
            return false;
        if (i > 0 &&
            (memcmp(snap[i].digest, snap[0].digest, MN_HASH_BYTES) != 0 ||
             memcmp(&snap[i].vv, &snap[0].vv, sizeof snap[0].vv) ||
             memcmp(&snap[i].counts, &snap[0].counts, sizeof snap[0].counts)))
            return fail(s, "node%d differs from node1 after healing", i + 1);
        if (i > 0 &&
            (snap[i].nconflicts != snap[0].nconflicts ||
             memcmp(snap[i].conflicts, snap[0].conflicts, MN_HASH_BYTES) != 0))
            return fail(s, "node%d lists other conflicts than node1", i + 1);
    }
    return true;
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
    memset(s->skew, 0, sizeof s->skew);
    s->drop = s->dup = 0;
    for (int i = 0; i < NODES; i++)
        if (!s->up[i])
            start_node(s, i);
    s->now += 2 * DRIFT_MS; /* let quarantined clocks fall within bound */
    set_links(s, s->now);
    for (int round = 0; round < HEAL_ROUNDS; round++) {
        s->now += 100;
        tick_all(s);
        while (deliver_one(s))
            ;
        if (round % 20 == 19 && s->nmsgs == 0 && !applying(s) &&
            converged(s, snap))
            return true;
    }
    s->failure[0] = '\0';
    return converged(s, snap) ||
           (s->failure[0] ? false : fail(s, "did not converge"));
}

/* ---- one run ---------------------------------------------------------- */

static void
step(struct sim *s) {
    uint64_t r = below(100);
    if (r < 35) {
        s->now += below(30);
        apply_due(s);
        for (int k = 0; k < 8 && deliver_one(s); k++)
            ;
    } else if (r < 50) {
        s->now += below(200);
        tick_all(s);
    } else if (r < 80) {
        do_write(s);
    } else if (r < 88) {
        partition(s);
        set_links(s, s->now);
    } else if (r < 92) {
        int i = (int)below(NODES);
        if (s->up[i])
            stop_node(s, i);
        else
            start_node(s, i);
        set_links(s, s->now);
    } else if (r < 95) {
        clock_fault(s);
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
            stop_node(s, i);
    for (size_t k = 0; k < s->nmsgs; k++)
        free(s->msgs[k].p);
    free(s->msgs);
    snprintf(cmd, sizeof cmd, "rm -rf %s", s->root);
    if (system(cmd) != 0)
        fprintf(stderr, "sim: could not remove %s\n", s->root);
}

/* Run seed for steps; true when every check held. */
static bool
run(uint64_t seed, unsigned steps, struct sim *s) {
    memset(s, 0, sizeof *s);
    rng_state = seed;
    strcpy(s->root, "/tmp/mn-sim-XXXXXX");
    if (!mkdtemp(s->root))
        abort();
    s->now = 1700000000000ull;
    for (int i = 0; i < NODES; i++) {
        s->ep[i] = (struct endpoint){s, i};
        make_config(s, i);
        start_node(s, i);
    }
    set_links(s, s->now);
    bool ok = true;
    for (unsigned k = 0; ok && k < steps; k++) {
        step(s);
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

static bool
run_seed(uint64_t seed, unsigned steps) {
    static struct sim s;
    bool ok = run(seed, steps, &s);
    if (!quiet)
        printf("seed %llu: %s (%zu writes acknowledged)\n",
               (unsigned long long)seed, ok ? "ok" : "FAILED", s.nacked);
    destroy(&s);
    if (!ok)
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

static void
usage(FILE *out) {
    fprintf(out, "usage: sim (--seed S | --seeds A-B | --file F) "
                 "[--steps N] [--quiet]\n");
}

int
main(int argc, char **argv) {
    static const struct option opts[] = {
        {"seed", required_argument, NULL, 's'},
        {"seeds", required_argument, NULL, 'r'},
        {"steps", required_argument, NULL, 'n'},
        {"file", required_argument, NULL, 'f'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    unsigned long long a = 0, b = 0;
    unsigned steps = 400, passed = 0, failed = 0;
    const char *file = NULL;
    bool have = false;
    int c;
    while ((c = getopt_long(argc, argv, "s:r:n:f:qh", opts, NULL)) != -1) {
        switch (c) {
        case 's':
            have = sscanf(optarg, "%llu", &a) == 1;
            b = a;
            break;
        case 'r': have = sscanf(optarg, "%llu-%llu", &a, &b) == 2; break;
        case 'n': steps = (unsigned)strtoul(optarg, NULL, 10); break;
        case 'f': file = optarg; break;
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
    for (unsigned long long seed = a; have && seed <= b; seed++)
        run_seed(seed, steps) ? passed++ : failed++;
    double minutes = (double)(time(NULL) - start) / 60.0;
    printf("sim: %u seeds in %.1f min (%.0f seeds/min)\n", passed + failed,
           minutes, minutes > 0 ? (passed + failed) / minutes : 0.0);
    printf("%u passed, %u failed\n", passed, failed);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", keys_dir);
    if (system(cmd) != 0)
        return 1;
    return failed ? 1 : 0;
}
