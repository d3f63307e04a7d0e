/*
 * chaos — five real nodes under a seeded fault schedule, a full disk and a
 * damaged store; no acknowledged write is ever lost.
 *
 * Built on the cluster harness (tests/cluster/cluster.c): every node is a
 * real mentornetd on 127.0.0.1 with durable commits, in the test's own
 * temporary directory and port range.
 *
 * 1. Chaos. NLOADERS client threads write through the API of all five
 *    nodes, round-robin and paced: creates (POST /v1/participants) and
 *    status PATCHes of ids they created, sent to the node that created
 *    them. Only 201 and 200 are acknowledgements and go into the client's
 *    log; no answer (connection refused or reset) may or may not have been
 *    applied; 503 "unavailable" changed nothing. Either way the client
 *    moves on to the next node (it skips a node while it is SIGSTOPped; a
 *    request already in flight waits for SIGCONT). Meanwhile the main
 *    thread (which alone starts nodes: PR_SET_PDEATHSIG) runs a fault
 *    schedule drawn from one seed for CHAOS_MS: kill -9 a node and start it
 *    again later, SIGSTOP a node and SIGCONT it later, cut links (restart a
 *    node with a config directory in which one or two peers' replication
 *    addresses are a closed port, later restart it with the right ones).
 *    At most MAX_FAULTS nodes are faulty at a time, so at least three
 *    writers stay up; the first three faults are one of each kind.
 *    After the schedule everything heals; the five converge (digest,
 *    version vector, /v1/stats), and on EVERY node every acknowledged id
 *    reads 200 with an acknowledged status (or one whose PATCH got no
 *    answer), the participants are the acknowledged creates plus at most
 *    the unanswered ones, stats?verify=true verifies, no node holds a
 *    change pending, and none refused a change as forged, damaged or
 *    inconsistent (the faults are crashes and cuts, not attacks).
 * 2. Full disk. One node (F) restarts with a map a little over its file
 *    size; creates with long notes on F fill it until it answers 507
 *    storage_full. F still answers reads, /v1/digest and /v1/stats, the
 *    other four (written to meanwhile) converge among themselves and hold
 *    all of F's acknowledged writes. F stops, gets its map back, starts,
 *    and catches up: all five converge and nothing is lost.
 * 3. Damaged store. One node (X) stops. Its data.mdb truncated to half, and
 *    separately a compact copy of its store (GET /v1/backup: every page of
 *    it is in use) with its middle page overwritten by seeded garbage:
 *    each time mentornetd refuses to start, exits non-zero (not killed by
 *    a signal) and says on stderr that the store in X's data dir is
 *    damaged. Then X's data dir is deleted: X starts, rebuilds everything
 *    from its peers (equal digest), takes local writes again, and the
 *    final check runs on all five.
 *
 * The seed is printed; --seed replays the same schedule and choices (the
 * interleaving with the nodes' own timing differs from run to run).
 *
 * Usage: chaos MENTORNETD DEMO_DATA PORT [--seed N]
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cluster.h"

#define WATCHDOG_S 280
#define NNODES 5
#define NLOADERS 4
/* How long the fault schedule runs while the load goes on. */
#define CHAOS_MS 60000
/* Per loader thread: one request every OP_GAP_MS at most, MAX_OPS in all,
 * so that a fast machine cannot run away with the data set. */
#define OP_GAP_MS 30
#define MAX_OPS 2500
#define PATCH_PERCENT 40
/* Faulty nodes at a time: 3 of 5 stay writable. */
#define MAX_FAULTS 2
#define GAP_MIN_MS 1500
#define GAP_MAX_MS 5000
#define DOWN_MIN_MS 2000 /* kill -9 and SIGSTOP */
#define DOWN_MAX_MS 6000
#define CUT_MIN_MS 5000
#define CUT_MAX_MS 10000
#define CONVERGE_MS 60000
/* Full disk: the small map is the file size plus this much. */
#define FULL_HEADROOM_MB 2
#define FILL_NOTES 1900
#define MAX_FILL 3000
#define FULL_STREAK 5 /* consecutive 507s that say "full" */
#define OTHERS_WRITES 25
/* A start on a damaged store that is still running after this long
 * accepted it. */
#define DAMAGED_START_S 6
#define REBUILT_WRITES 20

static const char *const status_names[] = {"applicant", "waiting", "matched",
                                           "alumni", "withdrawn"};
#define NSTATUS 5

static cl_cluster cluster;
static const char *daemon_path;

/* ---- seeded randomness (splitmix64) ----------------------------------- */

static uint64_t
rnd_next(uint64_t *s) {
    uint64_t z = (*s += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static unsigned
rnd_below(uint64_t *s, unsigned n) {
    return (unsigned)(rnd_next(s) % n);
}

static unsigned
rnd_between(uint64_t *s, unsigned lo, unsigned hi) {
    return lo + rnd_below(s, hi - lo + 1);
}

/* ---- the client's log ------------------------------------------------- */

/* One acknowledged create, and what its status may be now: the last
 * acknowledged one, or one whose PATCH got no answer (maybe applied). */
typedef struct acked {
    char id[33];
    uint8_t home;   /* the node that created it */
    uint8_t status; /* index in status_names */
    uint8_t maybe;  /* bit per status sent without an answer */
} acked;

typedef struct journal {
    acked *a;
    size_t n, cap;
    long unknown_creates; /* no answer: maybe applied */
} journal;

static acked *
journal_add(journal *j, const char *id, size_t home, unsigned status) {
    if (j->n == j->cap) {
        j->cap = j->cap ? 2 * j->cap : 1024;
        j->a = realloc(j->a, j->cap * sizeof *j->a);
        if (!j->a)
            abort();
    }
    acked *a = &j->a[j->n++];
    memset(a, 0, sizeof *a);
    snprintf(a->id, sizeof a->id, "%s", id);
    a->home = (uint8_t)home;
    a->status = (uint8_t)status;
    return a;
}

/* What every write outside the loaders acknowledged (main thread only). */
static journal main_log;

/* ---- writes ----------------------------------------------------------- */

enum outcome { ACKED, UNANSWERED, UNAVAILABLE, UNEXPECTED };

static enum outcome
classify(long status, long ok) {
    if (status == ok)
        return ACKED;
    if (status == 0)
        return UNANSWERED;
    return status == 503 ? UNAVAILABLE : UNEXPECTED;
}

/* POST one participant to n; OUT: id on 201. Returns the HTTP status. */
static long
post_participant(const cl_node *n, const char *tag, unsigned k, unsigned status,
                 size_t notes_len, char id[33], char code[32]) {
    static const char *const countries[] = {"SY", "ER", "IQ", "AF", "SO"};
    char *notes = calloc(1, notes_len + 1);
    if (!notes)
        abort();
    memset(notes, 'n', notes_len);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "role",
                          k % 3 ? "mentee" : "mentor", "given_name", tag,
                          "family_name", n->name, "country_of_origin",
                          countries[k % 5], "status", status_names[status]);
    json_object_set_new(j, "consent",
                        json_pack("{s:[s], s:s}", "purposes", "statistics",
                                  "given_at", "2026-11-26T10:00:00Z"));
    if (notes_len > 0)
        json_object_set_new(j, "notes", json_string(notes));
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    free(notes);
    if (!body)
        abort();
    tl_resp r;
    long st = cl_http(n, "POST", "/v1/participants", "application/json", body,
                      strlen(body), &r);
    const char *z = json_string_value(json_object_get(r.json, "id"));
    const char *c = json_string_value(
        json_object_get(json_object_get(r.json, "error"), "code"));
    snprintf(id, 33, "%s", st == 201 && z ? z : "");
    if (code)
        snprintf(code, 32, "%s", c ? c : "");
    if (st == 201 && strlen(id) != 32)
        st = -201; /* a 201 without an id is unexpected */
    tl_resp_release(&r);
    free(body);
    return st;
}

static long
patch_status(const cl_node *n, const char *id, unsigned status) {
    char path[128], body[64];
    tl_resp r;
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    snprintf(body, sizeof body, "{\"status\":\"%s\"}", status_names[status]);
    long st =
        cl_http(n, "PATCH", path, "application/json", body, strlen(body), &r);
    tl_resp_release(&r);
    return st;
}

/* ---- the load --------------------------------------------------------- */

static atomic_bool load_stop;
/* Set by the fault schedule while a node is SIGSTOPped: the loaders skip
 * it rather than wait for it (a request already in flight waits). */
static atomic_bool node_paused[NNODES];

struct loader {
    pthread_t thread;
    unsigned no;
    uint64_t rng;
    cl_node *nodes; /* a copy: the main thread restarts nodes meanwhile */
    journal log;
    long creates, patches, unanswered, unavailable, unexpected;
    long last_unexpected;
    char last_unexpected_op[16];
};

static struct loader loaders[NLOADERS];

static void
count(struct loader *l, enum outcome o, long status, const char *op) {
    if (o == UNANSWERED)
        l->unanswered++;
    else if (o == UNAVAILABLE)
        l->unavailable++;
    else if (o == UNEXPECTED) {
        l->unexpected++;
        l->last_unexpected = status;
        snprintf(l->last_unexpected_op, sizeof l->last_unexpected_op, "%s", op);
    }
}

static void
load_create(struct loader *l, size_t node, unsigned k) {
    char id[33], tag[32];
    unsigned status = rnd_below(&l->rng, 2); /* applicant or waiting */
    snprintf(tag, sizeof tag, "Chaos%u", l->no);
    long st = post_participant(&l->nodes[node], tag, k, status, 0, id, NULL);
    enum outcome o = classify(st, 201);
    l->creates++;
    if (o == ACKED)
        journal_add(&l->log, id, node, status);
    else if (o == UNANSWERED)
        l->log.unknown_creates++;
    count(l, o, st, "create");
}

/* An id this loader created on node, or NULL. */
static acked *
own_id_on(struct loader *l, size_t node) {
    if (l->log.n == 0)
        return NULL;
    size_t start = rnd_below(&l->rng, (unsigned)l->log.n);
    for (size_t k = 0; k < 64 && k < l->log.n; k++) {
        acked *a = &l->log.a[(start + k) % l->log.n];
        if (a->home == node)
            return a;
    }
    return NULL;
}

static void
load_patch(struct loader *l, size_t node, acked *a) {
    unsigned status =
        (a->status + 1 + rnd_below(&l->rng, NSTATUS - 1)) % NSTATUS;
    long st = patch_status(&l->nodes[node], a->id, status);
    enum outcome o = classify(st, 200);
    l->patches++;
    if (o == ACKED)
        a->status = (uint8_t)status;
    else if (o == UNANSWERED)
        a->maybe |= (uint8_t)(1u << status);
    count(l, o, st, "patch");
}

static void *
load_main(void *arg) {
    struct loader *l = arg;
    uint64_t next = tl_now_ms();
    for (unsigned k = 0; k < MAX_OPS && !atomic_load(&load_stop); k++) {
        uint64_t now = tl_now_ms();
        if (now < next)
            tl_sleep_ms((unsigned)(next - now));
        next += OP_GAP_MS;
        size_t node = (l->no + k) % NNODES;
        for (int skip = 0; skip < NNODES && atomic_load(&node_paused[node]);
             skip++)
            node = (node + 1) % NNODES;
        acked *a =
            rnd_below(&l->rng, 100) < PATCH_PERCENT ? own_id_on(l, node) : NULL;
        if (a)
            load_patch(l, node, a);
        else
            load_create(l, node, k);
    }
    tl_http_thread_done();
    return NULL;
}

static void
load_start(uint64_t seed) {
    atomic_store(&load_stop, false);
    for (unsigned i = 0; i < NLOADERS; i++) {
        struct loader *l = &loaders[i];
        l->no = i;
        l->rng = seed ^ (UINT64_C(0x1000) * (i + 1));
        l->nodes = malloc(NNODES * sizeof *l->nodes);
        if (!l->nodes)
            abort();
        memcpy(l->nodes, cluster.node, NNODES * sizeof *l->nodes);
        if (pthread_create(&l->thread, NULL, load_main, l) != 0)
            abort();
    }
}

static void
load_finish(void) {
    atomic_store(&load_stop, true);
    long creates = 0, patches = 0, unanswered = 0, unavailable = 0;
    long unexpected = 0, acked_n = 0;
    for (unsigned i = 0; i < NLOADERS; i++) {
        struct loader *l = &loaders[i];
        pthread_join(l->thread, NULL);
        free(l->nodes);
        l->nodes = NULL;
        creates += l->creates;
        patches += l->patches;
        unanswered += l->unanswered;
        unavailable += l->unavailable;
        unexpected += l->unexpected;
        acked_n += (long)l->log.n;
        if (l->unexpected)
            tl_note("loader %u: last unexpected answer: %s -> %ld", i,
                    l->last_unexpected_op, l->last_unexpected);
    }
    tl_note("load: %ld creates (%ld acknowledged), %ld status patches; "
            "%ld unanswered, %ld answered 503",
            creates, acked_n, patches, unanswered, unavailable);
    CHECK(unexpected == 0,
          "the load saw no answer other than 201/200, 503 or none (%ld)",
          unexpected);
    CHECK(acked_n > 500 && patches > 200,
          "the load made progress through the faults (%ld creates, %ld "
          "patches)",
          acked_n, patches);
}

/* ---- the fault schedule ----------------------------------------------- */

enum fault_kind { KILL9, PAUSE, CUT, NKINDS };
static const char *const kind_names[NKINDS] = {"kill -9", "SIGSTOP", "cut"};

struct fault {
    enum fault_kind kind;
    size_t node;
    uint64_t end_at;
};

struct schedule {
    uint64_t rng;
    struct fault active[MAX_FAULTS];
    size_t nactive;
    unsigned started[NKINDS];
    enum fault_kind first[NKINDS]; /* the first three: one of each */
};

static bool
faulty(const struct schedule *s, size_t node) {
    for (size_t k = 0; k < s->nactive; k++)
        if (s->active[k].node == node)
            return true;
    return false;
}

/* Restart node i with the config directory its view_port[] describes. */
static void
restart_with_views(size_t i, const char *why) {
    CHECK(cl_stop(&cluster, i) == 0, "%s stops cleanly on SIGTERM (%s)",
          cluster.node[i].name, why);
    QUIET_CHECK(cl_write_confs(&cluster) == 0, "write the configs");
    CHECK(cl_start(&cluster, i) == 0, "%s starts again (%s)",
          cluster.node[i].name, why);
}

static void
cut_links(struct schedule *s, size_t i, char *what, size_t cap) {
    int closed = CL_SPARE_PORT(&cluster, 0);
    unsigned ncut = rnd_between(&s->rng, 1, 2);
    size_t peer = (i + 1 + rnd_below(&s->rng, NNODES - 1)) % NNODES;
    int len = snprintf(what, cap, "%s no longer reaches", cluster.node[i].name);
    for (unsigned k = 0; k < ncut; k++, peer = (peer + 1) % NNODES) {
        if (peer == i)
            peer = (peer + 1) % NNODES;
        cluster.node[i].view_port[peer] = closed;
        len += snprintf(what + len, cap - (size_t)len, " %s",
                        cluster.node[peer].name);
    }
    restart_with_views(i, "links cut");
}

static void
fault_begin(struct schedule *s, enum fault_kind kind, size_t i,
            uint64_t until) {
    char what[256];
    snprintf(what, sizeof what, "%s", cluster.node[i].name);
    switch (kind) {
    case KILL9: cl_kill(&cluster, i); break;
    case PAUSE:
        atomic_store(&node_paused[i], true);
        cl_pause(&cluster, i);
        break;
    case CUT: cut_links(s, i, what, sizeof what); break;
    default: abort();
    }
    struct fault *f = &s->active[s->nactive++];
    *f = (struct fault){kind, i, until};
    s->started[kind]++;
    tl_note("fault: %s %s for %.1f s", kind_names[kind], what,
            (double)(until - tl_now_ms()) / 1000.0);
}

static void
fault_end(struct schedule *s, size_t k) {
    struct fault f = s->active[k];
    size_t i = f.node;
    s->active[k] = s->active[--s->nactive];
    switch (f.kind) {
    case KILL9:
        CHECK(cl_start(&cluster, i) == 0, "%s starts again after kill -9",
              cluster.node[i].name);
        break;
    case PAUSE:
        cl_resume(&cluster, i);
        atomic_store(&node_paused[i], false);
        break;
    case CUT:
        memset(cluster.node[i].view_port, 0, sizeof cluster.node[i].view_port);
        restart_with_views(i, "links restored");
        break;
    default: abort();
    }
    tl_note("healed: %s %s", kind_names[f.kind], cluster.node[i].name);
}

static void
schedule_step(struct schedule *s, uint64_t now, uint64_t end,
              uint64_t *next_start) {
    for (size_t k = 0; k < s->nactive;)
        if (s->active[k].end_at <= now)
            fault_end(s, k);
        else
            k++;
    if (s->nactive == MAX_FAULTS || now < *next_start || now + CUT_MIN_MS > end)
        return;
    unsigned nfaults = s->started[KILL9] + s->started[PAUSE] + s->started[CUT];
    enum fault_kind kind =
        nfaults < NKINDS ? s->first[nfaults] : rnd_below(&s->rng, NKINDS);
    size_t node = rnd_below(&s->rng, NNODES);
    while (faulty(s, node))
        node = (node + 1) % NNODES;
    unsigned ms = kind == CUT ? rnd_between(&s->rng, CUT_MIN_MS, CUT_MAX_MS)
                              : rnd_between(&s->rng, DOWN_MIN_MS, DOWN_MAX_MS);
    uint64_t until = now + ms < end ? now + ms : end;
    fault_begin(s, kind, node, until);
    *next_start = tl_now_ms() + rnd_between(&s->rng, GAP_MIN_MS, GAP_MAX_MS);
}

static void
run_schedule(uint64_t seed) {
    struct schedule s = {.rng = seed};
    enum fault_kind order[NKINDS] = {KILL9, PAUSE, CUT};
    for (unsigned k = NKINDS - 1; k > 0; k--) { /* a seeded permutation */
        unsigned j = rnd_below(&s.rng, k + 1);
        enum fault_kind t = order[k];
        order[k] = order[j];
        order[j] = t;
    }
    memcpy(s.first, order, sizeof order);
    uint64_t start = tl_now_ms(), end = start + CHAOS_MS;
    uint64_t next_start = start + 1000;
    while (tl_now_ms() < end) {
        schedule_step(&s, tl_now_ms(), end, &next_start);
        tl_sleep_ms(50);
    }
    while (s.nactive > 0) /* heal whatever is left */
        fault_end(&s, 0);
    tl_note("faults: %u kill -9, %u SIGSTOP, %u link cuts", s.started[KILL9],
            s.started[PAUSE], s.started[CUT]);
    CHECK(s.started[KILL9] > 0 && s.started[PAUSE] > 0 && s.started[CUT] > 0,
          "the schedule ran every kind of fault");
}

/* ---- checks ----------------------------------------------------------- */

static int
acked_cmp(const void *a, const void *b) {
    return strcmp(((const acked *)a)->id, ((const acked *)b)->id);
}

static void
append_log(acked *all, size_t *n, long *unknown, const journal *j) {
    if (j->n > 0)
        memcpy(all + *n, j->a, j->n * sizeof *all);
    *n += j->n;
    *unknown += j->unknown_creates;
}

/* Every acknowledged create so far, sorted by id (a new array). */
static acked *
all_acked(size_t *n, long *unknown) {
    size_t total = main_log.n;
    for (unsigned i = 0; i < NLOADERS; i++)
        total += loaders[i].log.n;
    acked *all = malloc((total ? total : 1) * sizeof *all);
    if (!all)
        abort();
    *n = 0;
    *unknown = 0;
    append_log(all, n, unknown, &main_log);
    for (unsigned i = 0; i < NLOADERS; i++)
        append_log(all, n, unknown, &loaders[i].log);
    qsort(all, *n, sizeof *all, acked_cmp);
    return all;
}

static int
status_index(const json_t *p) {
    const char *z = json_string_value(json_object_get(p, "status"));
    for (int k = 0; z && k < NSTATUS; k++)
        if (strcmp(z, status_names[k]) == 0)
            return k;
    return -1;
}

static bool
status_allowed(const acked *a, int status) {
    return status >= 0 && status < NSTATUS &&
           ((1u << status) & ((1u << a->status) | a->maybe));
}

/* The whole list of node i against the client's log. */
static void
check_list(size_t i, const acked *all, size_t n, long unknown) {
    const cl_node *node = &cluster.node[i];
    json_t *list = cl_list_all(node);
    size_t nlist = json_array_size(list), missing = 0, wrong = 0, k;
    acked *seen = calloc(nlist ? nlist : 1, sizeof *seen);
    json_t *p;
    if (!seen)
        abort();
    json_array_foreach(list, k, p) {
        const char *z = json_string_value(json_object_get(p, "id"));
        snprintf(seen[k].id, sizeof seen[k].id, "%s", z ? z : "");
        seen[k].status = (uint8_t)status_index(p);
    }
    qsort(seen, nlist, sizeof *seen, acked_cmp);
    for (k = 0; k < n; k++) {
        const acked *s = bsearch(&all[k], seen, nlist, sizeof *seen, acked_cmp);
        if (!s && missing++ < 5)
            tl_note("%s lacks %s (acknowledged by %s)", node->name, all[k].id,
                    cluster.node[all[k].home].name);
        if (s && !status_allowed(&all[k], s->status) && wrong++ < 5)
            tl_note("%s: %s has status %d, acknowledged %s (maybe 0x%x)",
                    node->name, all[k].id, s->status,
                    status_names[all[k].status], all[k].maybe);
    }
    CHECK(list && missing == 0,
          "%s lists all %zu acknowledged ids (%zu missing)", node->name, n,
          missing);
    CHECK(list && wrong == 0,
          "%s: every status is the last acknowledged one or an unanswered "
          "PATCH's (%zu wrong)",
          node->name, wrong);
    CHECK(nlist >= n && (long)(nlist - n) <= unknown,
          "%s holds %zu participants: the %zu acknowledged plus at most the "
          "%ld unanswered creates",
          node->name, nlist, n, unknown);
    json_t *s = cl_get_json(node, "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")) &&
              json_integer_value(json_object_get(s, "total")) ==
                  (json_int_t)nlist,
          "%s: stats?verify=true verifies, total %lld = the list", node->name,
          (long long)json_integer_value(json_object_get(s, "total")));
    json_decref(s);
    free(seen);
    json_decref(list);
}

struct reader {
    pthread_t thread;
    const cl_node *node;
    const acked *all;
    size_t n, bad;
    long last_bad;
};

static void *
read_main(void *arg) {
    struct reader *r = arg;
    char path[128];
    for (size_t k = 0; k < r->n; k++) {
        tl_resp resp;
        snprintf(path, sizeof path, "/v1/participants/%s", r->all[k].id);
        long st = cl_http(r->node, "GET", path, NULL, NULL, 0, &resp);
        if (st != 200 || !status_allowed(&r->all[k], status_index(resp.json))) {
            r->bad++;
            r->last_bad = st;
        }
        tl_resp_release(&resp);
    }
    tl_http_thread_done();
    return NULL;
}

/* Every acknowledged id, one GET each, on every node (a thread each). */
static void
check_reads(const acked *all, size_t n) {
    struct reader r[NNODES];
    uint64_t t0 = tl_now_ms();
    for (size_t i = 0; i < NNODES; i++) {
        r[i] = (struct reader){.node = &cluster.node[i], .all = all, .n = n};
        if (pthread_create(&r[i].thread, NULL, read_main, &r[i]) != 0)
            abort();
    }
    for (size_t i = 0; i < NNODES; i++) {
        pthread_join(r[i].thread, NULL);
        CHECK(r[i].bad == 0,
              "%s: GET of each of the %zu acknowledged ids answers 200 "
              "with its status (%zu did not, last %ld)",
              cluster.node[i].name, n, r[i].bad, r[i].last_bad);
    }
    tl_note("%zu GETs in %llu ms", n * NNODES,
            (unsigned long long)(tl_now_ms() - t0));
}

static void
check_nothing_lost(bool reads) {
    size_t n;
    long unknown;
    acked *all = all_acked(&n, &unknown);
    tl_note("the client's log: %zu acknowledged creates, %ld unanswered", n,
            unknown);
    for (size_t i = 0; i < NNODES; i++)
        check_list(i, all, n, unknown);
    if (reads)
        check_reads(all, n);
    free(all);
}

/* ---- convergence of a subset ------------------------------------------ */

/* digest + vector and stats (minus "verified") of node i; NULL if none. */
static json_t *
view_of(size_t i) {
    json_t *d = cl_get_json(&cluster.node[i], "/v1/digest");
    json_t *s = cl_get_json(&cluster.node[i], "/v1/stats");
    json_object_del(s, "verified");
    if (!d || !s) {
        json_decref(d);
        json_decref(s);
        return NULL;
    }
    return json_pack("{s:o, s:o}", "digest", d, "stats", s);
}

/* Wait until the nodes in member[] agree (as cl_wait_converged does for
 * every running node). */
static bool
wait_converged_among(const bool member[NNODES], unsigned timeout_ms) {
    uint64_t t0 = tl_now_ms();
    for (;;) {
        json_t *first = NULL;
        bool same = true;
        for (size_t i = 0; i < NNODES && same; i++) {
            if (!member[i])
                continue;
            json_t *v = view_of(i);
            same = v && (!first || json_equal(v, first));
            if (!first)
                first = json_incref(v);
            json_decref(v);
        }
        json_decref(first);
        if (same) {
            tl_note("converged among themselves in %llu ms",
                    (unsigned long long)(tl_now_ms() - t0));
            return true;
        }
        if (tl_now_ms() - t0 >= timeout_ms)
            return false;
        tl_sleep_ms(100);
    }
}

/* ---- phase 1: chaos --------------------------------------------------- */

/* Refusals that only forged, damaged or inconsistent data explain; none
 * is expected among honest nodes, whatever the faults. */
static const char *const integrity_reasons[] = {
    "size",  "decode",  "unknown_origin", "signature",
    "chain", "decrypt", "equivocation"};
#define NREASONS (sizeof integrity_reasons / sizeof integrity_reasons[0])

static void
check_refusals(void) {
    for (size_t i = 0; i < NNODES; i++) {
        json_t *r = cl_replication(&cluster.node[i]);
        long long bad = 0, pending;
        char all[512] = "";
        size_t len = 0, k;
        json_t *p, *v;
        const char *reason;
        json_array_foreach(json_object_get(r, "peers"), k, p) {
            json_object_foreach(json_object_get(p, "rejected"), reason, v) {
                long long n = (long long)json_integer_value(v);
                if (n == 0 || len >= sizeof all - 64)
                    continue;
                len += (size_t)snprintf(
                    all + len, sizeof all - len, " %s:%s=%lld",
                    json_string_value(json_object_get(p, "division")), reason,
                    n);
                for (size_t m = 0; m < NREASONS; m++)
                    bad += strcmp(reason, integrity_reasons[m]) == 0 ? n : 0;
            }
        }
        pending = (long long)json_integer_value(json_object_get(r, "pending"));
        tl_note("%s refused:%s", cluster.node[i].name, len ? all : " nothing");
        CHECK(r && bad == 0 && pending == 0,
              "%s refused no change as forged, damaged or inconsistent (%lld) "
              "and has none pending (%lld)",
              cluster.node[i].name, bad, pending);
        json_decref(r);
    }
}

static void
phase_chaos(uint64_t seed) {
    tl_section("chaos: %d loaders on all %d nodes, faults for %d s "
               "(at most %d at a time)",
               NLOADERS, NNODES, CHAOS_MS / 1000, MAX_FAULTS);
    load_start(seed);
    run_schedule(seed);
    load_finish();
    tl_section("healed: every node running, every link restored");
    for (size_t i = 0; i < NNODES; i++)
        CHECK(cl_running(&cluster, i) && cl_health(&cluster.node[i]),
              "%s runs and answers /v1/health", cluster.node[i].name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all five: equal digest, version vector and /v1/stats");
    check_refusals();
    check_nothing_lost(true);
}

/* ---- phase 2: full disk ----------------------------------------------- */

/* Rewrite map_size_mb in node i's own config (after cl_write_confs). */
static int
set_own_map_mb(size_t i, unsigned mb) {
    const char *key = "map_size_mb = ";
    char *text = tl_read_file(cluster.node[i].conf, NULL);
    char *at = text ? strstr(text, key) : NULL;
    if (!at) {
        free(text);
        return -1;
    }
    char *eol = strchr(at, '\n');
    size_t cap = strlen(text) + 32;
    char *out = malloc(cap);
    if (!out)
        abort();
    int len = snprintf(out, cap, "%.*s%s%u%s", (int)(at - text), text, key, mb,
                       eol ? eol : "\n");
    int rc = tl_write_file(cluster.node[i].conf, out, (size_t)len, 0644);
    free(out);
    free(text);
    return rc;
}

static long long
file_size(const char *path) {
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static void
data_file(size_t i, char *path, size_t cap) {
    snprintf(path, cap, "%s/data.mdb", cluster.node[i].data_dir);
}

/* Creates with long notes on F until FULL_STREAK 507s in a row. */
static void
fill(size_t f) {
    const cl_node *n = &cluster.node[f];
    char id[33], code[32];
    unsigned streak = 0, n507 = 0, other = 0, k;
    long last_other = 0;
    bool codes_ok = true;
    for (k = 0; k < MAX_FILL && streak < FULL_STREAK; k++) {
        long st = post_participant(n, "Fill", k, 0, FILL_NOTES, id, code);
        if (st == 201) {
            journal_add(&main_log, id, f, 0);
            streak = 0;
        } else if (st == 507) {
            streak++, n507++;
            codes_ok &= strcmp(code, "storage_full") == 0;
        } else {
            other++, last_other = st;
        }
    }
    tl_note("fill: %u requests, %u answered 507", k, n507);
    CHECK(streak == FULL_STREAK && codes_ok,
          "%s answers local writes with 507 storage_full once its map is "
          "full (%u in a row)",
          n->name, streak);
    CHECK(other == 0, "no answer but 201 or 507 while filling (%u, last %ld)",
          other, last_other);
}

/* Full F still reads; the others keep converging; F's writes are out. */
static void
full_still_serves(size_t f) {
    const cl_node *n = &cluster.node[f];
    char path[128], id[33];
    bool others[NNODES];
    snprintf(path, sizeof path, "/v1/participants/%s",
             main_log.n ? main_log.a[main_log.n - 1].id : "none");
    json_t *p = cl_get_json(n, path);
    CHECK(p != NULL, "full %s: GET of its last acknowledged create is 200",
          n->name);
    json_decref(p);
    json_t *d = cl_get_json(n, "/v1/digest");
    json_t *s = cl_get_json(n, "/v1/stats");
    CHECK(d && s, "full %s still answers /v1/digest and /v1/stats", n->name);
    long long f_seq = cl_vv_get(json_object_get(d, "version_vector"), n->name);
    json_decref(d);
    json_decref(s);
    for (size_t i = 0; i < NNODES; i++) {
        others[i] = i != f;
        if (i == f)
            continue;
        int ok = 0;
        for (int k = 0; k < OTHERS_WRITES; k++) {
            long st = post_participant(&cluster.node[i], "Others", (unsigned)k,
                                       1, 0, id, NULL);
            if (st == 201) {
                journal_add(&main_log, id, i, 1);
                ok++;
            }
        }
        CHECK(ok == OTHERS_WRITES, "%s: %d creates acknowledged meanwhile (%d)",
              cluster.node[i].name, OTHERS_WRITES, ok);
    }
    CHECK(wait_converged_among(others, CONVERGE_MS),
          "the other four converge among themselves while %s is full", n->name);
    for (size_t i = 0; i < NNODES; i++) {
        if (i == f)
            continue;
        json_t *vv = NULL;
        char dg[65];
        cl_digest(&cluster.node[i], dg, &vv);
        CHECK(cl_vv_get(vv, n->name) == f_seq,
              "%s holds all of full %s's changes (%lld of %lld)",
              cluster.node[i].name, n->name, cl_vv_get(vv, n->name), f_seq);
        json_decref(vv);
    }
    CHECK(cl_health(n), "full %s is still healthy", n->name);
}

static void
phase_full_disk(size_t f) {
    char path[PATH_MAX + 16];
    const cl_node *n = &cluster.node[f];
    data_file(f, path, sizeof path);
    CHECK(cl_stop(&cluster, f) == 0, "%s stops", n->name);
    long long size = file_size(path);
    unsigned small = (unsigned)(size / (1024 * 1024)) + 1 + FULL_HEADROOM_MB;
    tl_section("full disk: %s restarts with map_size_mb %u (its data.mdb "
               "holds %lld bytes)",
               n->name, small, size);
    if (!QUIET_CHECK(cl_write_confs(&cluster) == 0 &&
                         set_own_map_mb(f, small) == 0,
                     "write %s's config with a small map", n->name) ||
        !CHECK(cl_start(&cluster, f) == 0, "%s starts with a %u MiB map",
               n->name, small) ||
        !CHECK(cl_wait_writable(n, 20000), "%s is writable", n->name))
        return;
    fill(f);
    full_still_serves(f);
    tl_section("full disk: %s stops, gets map_size_mb %u back, catches up",
               n->name, cluster.map_mb);
    CHECK(cl_stop(&cluster, f) == 0, "full %s stops cleanly", n->name);
    QUIET_CHECK(cl_write_confs(&cluster) == 0, "write the configs");
    CHECK(cl_start(&cluster, f) == 0, "%s starts with a %u MiB map", n->name,
          cluster.map_mb);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all five converge after %s's map grew", n->name);
    check_nothing_lost(false);
}

/* ---- phase 3: a damaged store ----------------------------------------- */

/* Start node i by hand (not through the harness: it must fail); OUT: its
 * stderr. Returns the exit status, 128+signal, or -1 if it kept running. */
static int
start_damaged(size_t i, char **out) {
    const char *argv[] = {"/bin/sh",
                          "-c",
                          "exec \"$0\" --config \"$1\" 2>&1",
                          daemon_path,
                          cluster.node[i].conf,
                          NULL};
    return tl_run(argv, NULL, DAMAGED_START_S, out, NULL, NULL);
}

static bool
mentions_damage(const char *z) {
    static const char *const words[] = {"damaged", "corrupt", "truncated",
                                        "invalid"};
    for (size_t k = 0; z && k < sizeof words / sizeof words[0]; k++)
        if (strcasestr(z, words[k]))
            return true;
    return false;
}

static void
expect_refused(size_t i, const char *damage) {
    char *out = NULL;
    const char *dir = cluster.node[i].data_dir;
    int rc = start_damaged(i, &out);
    tl_note("start on %s: exit %d: %.300s", damage, rc, out ? out : "");
    CHECK(rc > 0 && rc < 128,
          "%s with %s: mentornetd exits non-zero by itself (got %d%s)",
          cluster.node[i].name, damage, rc,
          rc < 0      ? ": it kept running"
          : rc >= 128 ? ": a signal"
                      : "");
    CHECK(out && strstr(out, dir) && mentions_damage(out),
          "%s with %s: stderr says the store in %s is damaged",
          cluster.node[i].name, damage, dir);
    free(out);
}

/* Overwrite the middle page of file with garbage drawn from seed. */
static int
garble_middle_page(const char *file, uint64_t seed) {
    size_t len, page = (size_t)sysconf(_SC_PAGESIZE);
    char *p = tl_read_file(file, &len);
    if (!p || len < 8 * page) {
        free(p);
        return -1;
    }
    size_t at = (len / page / 2) * page;
    for (size_t k = 0; k < page; k += 8) {
        uint64_t r = rnd_next(&seed);
        memcpy(p + at + k, &r, 8);
    }
    tl_note("page %zu of %zu overwritten with garbage", at / page, len / page);
    int rc = tl_write_file(file, p, len, 0600);
    free(p);
    return rc;
}

static void
phase_damaged(size_t x, uint64_t seed) {
    char data[PATH_MAX + 16], lock[PATH_MAX + 16], backup[PATH_MAX];
    const cl_node *n = &cluster.node[x];
    data_file(x, data, sizeof data);
    snprintf(lock, sizeof lock, "%s/lock.mdb", n->data_dir);
    snprintf(backup, sizeof backup, "%s/%s-backup.mdb", cluster.dir, n->name);
    tl_section("damaged store: %s", n->name);
    CHECK(cl_download(n, "/v1/backup", backup) == 200,
          "GET /v1/backup of %s: a compact copy of its store", n->name);
    CHECK(cl_stop(&cluster, x) == 0, "%s stops", n->name);
    long long size = file_size(data);
    long long page = sysconf(_SC_PAGESIZE);
    if (QUIET_CHECK(size > 2 * page &&
                        truncate(data, size / page / 2 * page) == 0,
                    "truncate %s", data))
        expect_refused(x, "data.mdb truncated to half");
    unlink(lock);
    if (QUIET_CHECK(tl_copy_file(backup, data, 0600) == 0 &&
                        garble_middle_page(data, seed) == 0,
                    "put the garbled copy in place"))
        expect_refused(x, "a garbage page in the middle of data.mdb");

    tl_section("damaged store: %s's data dir deleted; it rebuilds from its "
               "peers",
               n->name);
    QUIET_CHECK(tl_rm_rf(n->data_dir) == 0, "rm -rf %s", n->data_dir);
    if (!CHECK(cl_start(&cluster, x) == 0, "%s starts on an empty data dir",
               n->name))
        return;
    CHECK(cl_wait_writable(n, 30000), "%s takes local writes again", n->name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all five converge: %s rebuilt everything from its peers", n->name);
    int ok = 0;
    char id[33];
    for (int k = 0; k < REBUILT_WRITES; k++)
        if (post_participant(n, "Rebuilt", (unsigned)k, 2, 0, id, NULL) ==
            201) {
            journal_add(&main_log, id, x, 2);
            ok++;
        }
    CHECK(ok == REBUILT_WRITES, "%d creates on rebuilt %s acknowledged (%d)",
          REBUILT_WRITES, n->name, ok);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all five converge with rebuilt %s's new writes", n->name);
    check_nothing_lost(true);
}

/* ---- main ------------------------------------------------------------- */

static uint64_t
random_seed(void) {
    uint64_t s = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(&s, sizeof s, 1, f) != 1)
        s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
    if (f)
        fclose(f);
    return s % 1000000000000ull; /* short enough to retype */
}

int
main(int argc, char **argv) {
    const char *demo;
    int port;
    uint64_t seed = random_seed();
    if (argc == 6 && strcmp(argv[4], "--seed") == 0) {
        char *end;
        seed = strtoull(argv[5], &end, 10);
        if (*end || !*argv[5]) {
            fprintf(stderr, "chaos: --seed takes a number\n");
            return 2;
        }
        argc = 4;
    }
    cl_args(argc, argv, &daemon_path, &demo, &port);
    tl_begin("chaos.cluster", WATCHDOG_S);
    printf("chaos.cluster: seed %" PRIu64 " (replay the schedule: %s %s %s %d "
           "--seed %" PRIu64 ")\n",
           seed, argv[0], argv[1], argv[2], port, seed);
    uint64_t rng = seed;
    size_t full = rnd_below(&rng, NNODES);
    size_t damaged = (full + 1 + rnd_below(&rng, NNODES - 1)) % NNODES;
    if (cl_create(&cluster, daemon_path, demo, port, NNODES) != 0 ||
        cl_start_all(&cluster) != 0)
        goto out;
    for (size_t i = 0; i < NNODES; i++)
        CHECK(cl_wait_writable(&cluster.node[i], 20000), "%s is writable",
              cluster.node[i].name);
    phase_chaos(rnd_next(&rng));
    phase_full_disk(full);
    phase_damaged(damaged, rnd_next(&rng));
out:
    for (unsigned i = 0; i < NLOADERS; i++)
        free(loaders[i].log.a);
    free(main_log.a);
    cl_destroy(&cluster);
    printf("chaos.cluster: seed %" PRIu64 "\n", seed);
    return tl_summary();
}
