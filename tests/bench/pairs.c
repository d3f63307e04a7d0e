/*
 * pairs — the partnership benchmark: proposals made across the nodes, each
 * side reserved on its home node, until every node shows every one active.
 *
 *     pairs --count N [--clients C] [--sample K] [--max-seconds S]
 *           NAME:PORT:TOKENFILE...
 *
 * Setup (not timed): on each node, N/nodes mentees and N/(5 nodes) mentors
 * of capacity 5 are imported as that node's own participants (family name
 * MARK, which the lists ask for: others the cluster holds do not count);
 * then it waits until every node holds all of them, and reads their ids.
 *
 * Timed: C client threads take the N pairs (mentee i of node a with a
 * mentor of node (a + 1 + i) mod nodes: every pair crosses divisions), and
 * for each: POST /v1/partnerships on the mentee's home node, .../reserve
 * there, then .../reserve on the mentor's home node (asked again while it
 * answers 404: the proposal has not reached it yet). The clock stops when
 * every node's /v1/stats counts N active partnerships and all digests are
 * equal.
 *
 * Latency: every K-th pair is watched by a thread that polls GET
 * /v1/partnerships/{id} on every node from the second reservation's answer
 * until all show "active"; p50 and p99 of those times.
 *
 * Output: a human line on stderr, and on stdout
 *     RESULT pairs=N seconds=... rate=... p50_ms=... p99_ms=... samples=...
 *            errors=...
 * Exit status 0 when all N became active everywhere, 1 otherwise.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchhttp.h"

#define MAX_NODES 8
#define ID_LEN 32
#define MENTOR_CAPACITY 5
#define RESERVE_RETRY_S 30.0
/* The family name of the participants it imports, which its lists ask
 * for (q), so a cluster that holds others already does not matter. */
#define MARK "Pairbench"

struct node {
    char name[32];
    bh_node n;
};

struct pair {
    int mentee_node, mentor_node;
    char mentee[ID_LEN + 1], mentor[ID_LEN + 1], id[ID_LEN + 1];
    double reserved;   /* monotonic time of the second reservation's answer */
    double everywhere; /* when every node showed it active (samples) */
};

static struct node nodes[MAX_NODES];
static int nnodes;
static struct pair *pairs;
static long npairs;
static atomic_long next_pair, done_pairs, errors;
static atomic_bool clients_done; /* every client thread has ended */
static int sample_every = 20;
static double max_seconds = 300;

/* ---- small helpers ------------------------------------------------------- */

static bool
request(bh_conn *c, const char *method, const char *path, const char *type,
        const char *body, int *status, const char **rbody, size_t *rlen) {
    size_t blen = body ? strlen(body) : 0;
    return bh_request(c, method, path, type, body, blen, status, rbody, rlen) ==
           0;
}

static long long
vv_sum(const char *json) {
    const char *vv;
    size_t n;
    return bh_vv_total(json, &vv, &n);
}

/* The country's count of active partnerships in a /v1/stats answer: the
 * "partnerships" object after "countries" (each division has its own
 * before). -1 if absent. */
static long long
national_active(const char *json) {
    const char *s = strstr(json, "\"countries\":");
    s = s ? strstr(s, "\"active\":") : NULL;
    return s ? atoll(s + 9) : -1;
}

/* The first "id":"..." of body at or after *at into out; moves *at. */
static bool
next_id(const char *body, size_t len, size_t *at, char out[ID_LEN + 1]) {
    static const char key[] = "\"id\":\"";
    for (size_t i = *at; i + sizeof key - 1 + ID_LEN < len; i++) {
        if (memcmp(body + i, key, sizeof key - 1) != 0)
            continue;
        memcpy(out, body + i + sizeof key - 1, ID_LEN);
        out[ID_LEN] = '\0';
        *at = i + sizeof key - 1 + ID_LEN;
        return true;
    }
    return false;
}

static void
fail_count(const char *what, int status) {
    if (atomic_fetch_add(&errors, 1) < 5)
        fprintf(stderr, "pairs: %s: HTTP %d\n", what, status);
}

/* ---- setup --------------------------------------------------------------- */

/* Import n participants of role on node k (one NDJSON body). */
static bool
import(int k, const char *role, long n) {
    bh_conn c;
    size_t cap = (size_t)n * 96 + 1, len = 0;
    char *body = malloc(cap);
    int status;
    const char *rb;
    size_t rl;
    for (long i = 0; i < n; i++)
        len += (size_t)snprintf(
            body + len, cap - len,
            "{\"role\":\"%s\",\"given_name\":\"B%ld\",\"family_name\":"
            "\"" MARK "\"%s}\n",
            role, i, strcmp(role, "mentor") == 0 ? ",\"capacity\":5" : "");
    bh_init(&c, nodes[k].n.port, nodes[k].n.token);
    bool ok = bh_request(&c, "POST", "/v1/import", "application/x-ndjson", body,
                         len, &status, &rb, &rl) == 0 &&
              status == 200;
    bh_release(&c);
    free(body);
    return ok;
}

/* The ids of node k's participants of role (its own), in id order. */
static long
list_ids(int k, const char *role, char (*out)[ID_LEN + 1], long max) {
    bh_conn c;
    char path[256], cursor[ID_LEN + 1] = "";
    long n = 0;
    bh_init(&c, nodes[k].n.port, nodes[k].n.token);
    for (;;) {
        int status;
        const char *rb;
        size_t rl, at = 0;
        snprintf(path, sizeof path,
                 "/v1/participants?division=%s&role=%s&q=" MARK
                 "&limit=500%s%s",
                 nodes[k].name, role, cursor[0] ? "&cursor=" : "", cursor);
        if (!request(&c, "GET", path, NULL, NULL, &status, &rb, &rl) ||
            status != 200)
            break;
        char id[ID_LEN + 1];
        while (n < max && next_id(rb, rl, &at, id))
            memcpy(out[n++], id, sizeof id);
        const char *nc = strstr(rb, "\"next_cursor\":\"");
        if (!nc || n >= max)
            break;
        memcpy(cursor, nc + 15, ID_LEN);
        cursor[ID_LEN] = '\0';
    }
    bh_release(&c);
    return n;
}

/* Wait until every node's digest agrees and its vector sums to total. */
static bool
agree(long long total, long long active) {
    double end = bh_now() + max_seconds;
    bh_conn c[MAX_NODES];
    bool ok = false;
    for (int k = 0; k < nnodes; k++)
        bh_init(&c[k], nodes[k].n.port, nodes[k].n.token);
    while (!ok && bh_now() < end) {
        char first[80] = "";
        ok = true;
        for (int k = 0; ok && k < nnodes; k++) {
            int status;
            const char *rb, *dg;
            size_t rl, dn;
            ok = request(&c[k], "GET", "/v1/stats", NULL, NULL, &status, &rb,
                         &rl) &&
                 status == 200 && vv_sum(rb) >= total &&
                 bh_digest(rb, &dg, &dn) == 0 && dn < sizeof first;
            if (ok && active > 0)
                ok = national_active(rb) >= active;
            if (ok && k == 0)
                snprintf(first, sizeof first, "%.*s", (int)dn, dg);
            else if (ok)
                ok = strncmp(first, dg, dn) == 0;
        }
        if (!ok)
            bh_sleep_until(bh_now() + 0.02);
    }
    for (int k = 0; k < nnodes; k++)
        bh_release(&c[k]);
    return ok;
}

static long long
vv_total_of(int k) {
    bh_conn c;
    int status;
    const char *rb;
    size_t rl;
    long long t = -1;
    bh_init(&c, nodes[k].n.port, nodes[k].n.token);
    if (request(&c, "GET", "/v1/digest", NULL, NULL, &status, &rb, &rl))
        t = vv_sum(rb);
    bh_release(&c);
    return t;
}

/* Participants on every node, then the plan of npairs pairs. */
static bool
setup(void) {
    long per = npairs / nnodes, mentors = per / MENTOR_CAPACITY + 1;
    long long before = vv_total_of(0);
    for (int k = 0; k < nnodes; k++)
        if (!import(k, "mentee", per) || !import(k, "mentor", mentors))
            return false;
    if (!agree(before + (long long)nnodes * (per + mentors), 0))
        return false;
    char(*me)[ID_LEN + 1] = malloc((size_t)per * sizeof *me);
    char(*mr)[MAX_NODES][ID_LEN + 1] = malloc((size_t)mentors * sizeof *mr);
    for (int k = 0; k < nnodes; k++) {
        char(*ids)[ID_LEN + 1] = malloc((size_t)mentors * sizeof *ids);
        if (list_ids(k, "mentor", ids, mentors) != mentors)
            return false;
        for (long i = 0; i < mentors; i++)
            memcpy(mr[i][k], ids[i], ID_LEN + 1);
        free(ids);
    }
    npairs = per * nnodes;
    for (int k = 0; k < nnodes; k++) {
        if (list_ids(k, "mentee", me, per) != per)
            return false;
        for (long i = 0; i < per; i++) {
            struct pair *p = &pairs[k * per + i];
            p->mentee_node = k;
            p->mentor_node = (int)((k + 1 + i % (nnodes - 1)) % nnodes);
            memcpy(p->mentee, me[i], ID_LEN + 1);
            memcpy(p->mentor, mr[i / MENTOR_CAPACITY][p->mentor_node],
                   ID_LEN + 1);
        }
    }
    free(me);
    free(mr);
    return true;
}

/* ---- the timed part ------------------------------------------------------ */

static bool
make(bh_conn *c, struct pair *p) {
    char path[128], body[128];
    int status;
    const char *rb;
    size_t rl, at = 0;
    bh_conn *home = &c[p->mentee_node], *mhome = &c[p->mentor_node];
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             p->mentee, p->mentor);
    if (!request(home, "POST", "/v1/partnerships", "application/json", body,
                 &status, &rb, &rl) ||
        status != 201 || !next_id(rb, rl, &at, p->id))
        return fail_count("propose", status), false;
    snprintf(path, sizeof path, "/v1/partnerships/%s/reserve", p->id);
    if (!request(home, "POST", path, NULL, NULL, &status, &rb, &rl) ||
        status != 200)
        return fail_count("reserve on the mentee's home", status), false;
    double give_up = bh_now() + RESERVE_RETRY_S;
    for (double pause = 0.001;; pause = pause < 0.05 ? 2 * pause : pause) {
        if (!request(mhome, "POST", path, NULL, NULL, &status, &rb, &rl))
            return fail_count("reserve on the mentor's home", 0), false;
        if (status == 200)
            break;
        if (status != 404 || bh_now() > give_up)
            return fail_count("reserve on the mentor's home", status), false;
        bh_sleep_until(bh_now() + pause);
    }
    p->reserved = bh_now();
    return true;
}

static void *
client(void *arg) {
    bh_conn c[MAX_NODES];
    (void)arg;
    for (int k = 0; k < nnodes; k++)
        bh_init(&c[k], nodes[k].n.port, nodes[k].n.token);
    for (long i; (i = atomic_fetch_add(&next_pair, 1)) < npairs;) {
        if (make(c, &pairs[i]))
            atomic_fetch_add(&done_pairs, 1);
    }
    for (int k = 0; k < nnodes; k++)
        bh_release(&c[k]);
    return NULL;
}

/* Poll the sampled pairs on every node until each shows active there. */
static void *
watcher(void *arg) {
    bh_conn c[MAX_NODES];
    double end = *(double *)arg;
    long pending = 1;
    for (int k = 0; k < nnodes; k++)
        bh_init(&c[k], nodes[k].n.port, nodes[k].n.token);
    while (pending && bh_now() < end) {
        pending = 0;
        for (long i = 0; i < npairs; i += sample_every) {
            struct pair *p = &pairs[i];
            if (p->everywhere > 0)
                continue;
            if (p->reserved == 0) {
                pending += !atomic_load(&clients_done); /* not made (yet) */
                continue;
            }
            char path[96];
            bool all = true;
            snprintf(path, sizeof path, "/v1/partnerships/%s", p->id);
            for (int k = 0; all && k < nnodes; k++) {
                int status;
                const char *rb;
                size_t rl;
                all = request(&c[k], "GET", path, NULL, NULL, &status, &rb,
                              &rl) &&
                      status == 200 && strstr(rb, "\"state\":\"active\"");
            }
            if (all)
                p->everywhere = bh_now();
            else
                pending++;
        }
        bh_sleep_until(bh_now() + 0.002);
    }
    for (int k = 0; k < nnodes; k++)
        bh_release(&c[k]);
    return NULL;
}

static int
cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int
usage(void) {
    fprintf(stderr, "usage: pairs --count N [--clients C] [--sample K] "
                    "[--max-seconds S] NAME:PORT:TOKENFILE...\n");
    return 2;
}

int
main(int argc, char **argv) {
    static const struct option opts[] = {
        {"count", required_argument, NULL, 'n'},
        {"clients", required_argument, NULL, 'c'},
        {"sample", required_argument, NULL, 's'},
        {"max-seconds", required_argument, NULL, 'm'},
        {0}};
    int clients = 16, o;
    while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (o == 'n')
            npairs = atol(optarg);
        else if (o == 'c')
            clients = atoi(optarg);
        else if (o == 's')
            sample_every = atoi(optarg);
        else if (o == 'm')
            max_seconds = atof(optarg);
        else
            return usage();
    }
    for (; optind < argc && nnodes < MAX_NODES; optind++) {
        char *colon = strchr(argv[optind], ':');
        if (!colon || (size_t)(colon - argv[optind]) >= sizeof nodes[0].name)
            return usage();
        snprintf(nodes[nnodes].name, sizeof nodes[0].name, "%.*s",
                 (int)(colon - argv[optind]), argv[optind]);
        if (bh_node_parse(colon + 1, &nodes[nnodes].n) != 0)
            return 2;
        nnodes++;
    }
    if (npairs < nnodes || nnodes < 2 || clients < 1 || clients > 256 ||
        sample_every < 1)
        return usage();
    pairs = calloc((size_t)npairs, sizeof *pairs);
    fprintf(stderr, "pairs: importing %ld mentees and mentors of capacity %d\n",
            npairs, MENTOR_CAPACITY);
    if (!setup()) {
        fprintf(stderr, "pairs: setup failed\n");
        return 1;
    }
    pthread_t th[256], watch;
    double t0 = bh_now(), end = t0 + max_seconds;
    pthread_create(&watch, NULL, watcher, &end);
    for (int i = 0; i < clients; i++)
        pthread_create(&th[i], NULL, client, NULL);
    for (int i = 0; i < clients; i++)
        pthread_join(th[i], NULL);
    atomic_store(&clients_done, true);
    double made = bh_now() - t0;
    bool ok = agree(0, done_pairs) && done_pairs == npairs;
    double secs = bh_now() - t0;
    pthread_join(watch, NULL);
    double *lat = malloc((size_t)(npairs / sample_every + 1) * sizeof *lat);
    long nl = 0;
    for (long i = 0; i < npairs; i += sample_every)
        if (pairs[i].everywhere > 0)
            lat[nl++] = (pairs[i].everywhere - pairs[i].reserved) * 1e3;
    qsort(lat, (size_t)nl, sizeof *lat, cmp_double);
    double p50 = nl ? lat[nl / 2] : -1, p99 = nl ? lat[nl * 99 / 100] : -1;
    fprintf(stderr,
            "pairs: %ld partnerships, all reservations made in %.2f s, all "
            "active on every node after %.2f s (%.0f/s); second reservation "
            "to active everywhere p50 %.1f ms p99 %.1f ms (%ld samples)\n",
            (long)done_pairs, made, secs, ok ? npairs / secs : 0, p50, p99, nl);
    printf("RESULT pairs=%ld seconds=%.3f rate=%.0f p50_ms=%.1f p99_ms=%.1f "
           "samples=%ld errors=%ld\n",
           (long)done_pairs, secs, ok ? npairs / secs : 0, p50, p99, nl,
           (long)errors);
    free(lat);
    free(pairs);
    return ok ? 0 : 1;
}
