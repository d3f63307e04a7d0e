/*
 * converge — wait until mentornet nodes agree, and say how long it took.
 *
 *     converge --total T [--t0 EPOCH_SECONDS] [--interval-ms 20]
 *              [--max-seconds 120] PORT:TOKENFILE...
 *
 * Polls GET /v1/digest on every node (one keep-alive connection each) every
 * --interval-ms until all of them answer the same digest and the same
 * version vector, and that vector sums to at least T changes. Time is
 * counted from --t0 (CLOCK_REALTIME seconds, e.g. bash's $EPOCHREALTIME
 * taken just before the load or the node was started), else from its own
 * start. A node that does not answer yet (a restarting one) is retried
 * every round.
 *
 * Output: a human line on stderr and one machine line on stdout:
 *     RESULT converged=1 seconds=... up=... reached=... polls=... errors=...
 * up and reached are per node, comma-separated, in seconds since t0: its
 * first answer, and the first poll at which its vector summed to T (-1:
 * never). Exit status 0 when converged, 1 on timeout, 2 on bad usage.
 */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchhttp.h"

#define MAX_NODES 16
#define MAX_SHOWN_ERRORS 3

struct watched {
    bh_node node;
    bh_conn conn;
    bool ok; /* answered this round */
    char digest[80], vv[1024];
    long long total;
    double up, reached; /* seconds since t0, -1 until then */
};

static void
usage(FILE *out) {
    fprintf(out, "usage: converge --total T [--t0 EPOCH_SECONDS] "
                 "[--interval-ms MS] [--max-seconds S] PORT:TOKENFILE...\n");
}

static int
cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The vector's "name":n entries sorted by name, so that two nodes that
 * list them in another order still compare equal. */
static void
canon_vv(const char *vv, size_t n, char *out, size_t cap) {
    char copy[1024], *items[MAX_NODES * 8], *save = NULL;
    size_t k = 0, len = 0;
    snprintf(copy, sizeof copy, "%.*s", (int)(n > 2 ? n - 2 : 0), vv + 1);
    for (char *t = strtok_r(copy, ",", &save); t && k < MAX_NODES * 8;
         t = strtok_r(NULL, ",", &save))
        items[k++] = t;
    qsort(items, k, sizeof *items, cmp_str);
    out[0] = '\0';
    for (size_t i = 0; i < k && len < cap; i++)
        len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? "," : "",
                                items[i]);
}

/* Poll one node; remember what it answered. */
static void
poll_node(struct watched *w, double t0, long *errors) {
    const char *body, *vv, *dg;
    size_t n, vn, dn;
    int status;
    w->ok = false;
    if (bh_request(&w->conn, "GET", "/v1/digest", NULL, NULL, 0, &status, &body,
                   &n) != 0)
        return; /* not up (yet): a restarting node is expected here */
    long long total = bh_vv_total(body, &vv, &vn);
    if (status != 200 || total < 0 || bh_digest(body, &dg, &dn) != 0 ||
        vn >= sizeof w->vv || dn >= sizeof w->digest) {
        if ((*errors)++ < MAX_SHOWN_ERRORS)
            fprintf(stderr, "converge: port %d: HTTP %d: %.200s\n",
                    w->node.port, status, body);
        return;
    }
    double t = bh_wall() - t0;
    if (w->up < 0)
        w->up = t;
    canon_vv(vv, vn, w->vv, sizeof w->vv);
    memcpy(w->digest, dg, dn);
    w->digest[dn] = '\0';
    w->total = total;
    w->ok = true;
}

static bool
agree(const struct watched *ws, int n, long long target) {
    for (int i = 0; i < n; i++)
        if (!ws[i].ok || ws[i].total < target ||
            strcmp(ws[i].digest, ws[0].digest) != 0 ||
            strcmp(ws[i].vv, ws[0].vv) != 0)
            return false;
    return true;
}

static void
print_times(const char *name, const struct watched *ws, int n, bool up) {
    printf(" %s=", name);
    for (int i = 0; i < n; i++)
        printf("%s%.3f", i ? "," : "", up ? ws[i].up : ws[i].reached);
}

int
main(int argc, char **argv) {
    static const struct option opts[] = {
        {"total", required_argument, NULL, 'T'},
        {"t0", required_argument, NULL, 't'},
        {"interval-ms", required_argument, NULL, 'i'},
        {"max-seconds", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    static struct watched ws[MAX_NODES];
    long long target = -1;
    double t0 = bh_wall(), interval = 0.020, max_s = 120;
    int ch, n = 0;
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'T': target = atoll(optarg); break;
        case 't': t0 = atof(optarg); break;
        case 'i': interval = atof(optarg) / 1e3; break;
        case 's': max_s = atof(optarg); break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (target < 0 || interval <= 0 || max_s <= 0 || optind == argc ||
        argc - optind > MAX_NODES) {
        usage(stderr);
        return 2;
    }
    for (int i = optind; i < argc; i++, n++) {
        if (bh_node_parse(argv[i], &ws[n].node) != 0)
            return 2;
        bh_init(&ws[n].conn, ws[n].node.port, ws[n].node.token);
        ws[n].up = ws[n].reached = -1;
    }
    long polls = 0, errors = 0;
    bool done = false;
    double next = bh_now(), elapsed = 0;
    while (!done && (elapsed = bh_wall() - t0) < max_s) {
        for (int i = 0; i < n; i++) {
            poll_node(&ws[i], t0, &errors);
            if (ws[i].ok && ws[i].reached < 0 && ws[i].total >= target)
                ws[i].reached = bh_wall() - t0;
        }
        polls++;
        done = agree(ws, n, target);
        elapsed = bh_wall() - t0;
        next += interval;
        if (next < bh_now())
            next = bh_now();
        if (!done)
            bh_sleep_until(next);
    }
    fprintf(stderr,
            "converge: %d nodes %s at %lld changes after %.3f s "
            "(%ld polls, %ld errors)\n",
            n, done ? "agree" : "did NOT agree", target, elapsed, polls,
            errors);
    if (!done)
        for (int i = 0; i < n; i++)
            fprintf(stderr, "converge:   port %d: %s total %lld vv %s\n",
                    ws[i].node.port, ws[i].ok ? "answered" : "silent",
                    ws[i].total, ws[i].vv);
    printf("RESULT converged=%d seconds=%.3f", done, elapsed);
    print_times("up", ws, n, true);
    print_times("reached", ws, n, false);
    printf(" polls=%ld errors=%ld total=%lld\n", polls, errors, target);
    for (int i = 0; i < n; i++)
        bh_release(&ws[i].conn);
    return done ? 0 : 1;
}
