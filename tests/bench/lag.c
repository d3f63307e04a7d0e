/*
 * lag — replication lag under a steady, paced write load.
 *
 *     lag --write PORT:TOKENFILE --watch PORT:TOKENFILE --origin NAME
 *         --bodies FILE [--rate 1000] [--seconds 15] [--clients 8]
 *         [--poll-ms 1] [--drain-seconds 10]
 *
 * Writers: --clients threads, one keep-alive connection each, send single
 * POST /v1/participants to the --write node on a fixed schedule (request i
 * at start + i / rate; a thread whose request is due sends it, so the load
 * is paced, with at most --clients requests outstanding). Bodies cycle
 * through the NDJSON lines of --bodies.
 *
 * Numbering: only this program writes on the --write node, so its
 * version_vector[origin] counts exactly our changes. The n-th 201 to arrive
 * (n = 1, 2, ...) is ack n. When it arrives at least n of our changes are
 * committed, and the node commits in seq order, so change base+n is
 * committed by then: ack n is the ack time of change base+n (within the
 * fan-out of one group commit's answers, microseconds).
 *
 * Watcher: one thread polls GET /v1/digest on the --watch node every
 * --poll-ms and records, for every k, the time of the first answer whose
 * version_vector[origin] >= base+k (the answer's arrival: an upper bound,
 * off by at most one poll interval plus one round trip).
 *
 * lag(k) = seen(k) - ack(k); negative when the watched node had the change
 * before its writer heard the 201.
 *
 * Output: a human summary on stderr and one machine line on stdout:
 *     RESULT acked=... errors=... rate=... ack_p50_ms=... ack_p99_ms=...
 *            lag_p50_ms=... lag_p99_ms=... lag_max_ms=... unseen=... ...
 * Exit status 0 if every write was acknowledged and seen, 1 otherwise.
 */
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchhttp.h"

#define MAX_CLIENTS 64
#define MAX_SHOWN_ERRORS 5
/* Seconds the watcher waits for the watched node to catch up before the
 * run (it should already hold everything the writer node has). */
#define SETTLE_SECONDS 10

struct options {
    bh_node write, watch;
    const char *origin, *bodies;
    double rate, seconds, poll, drain;
    long clients;
};

struct lines {
    char **p;
    size_t *len;
    size_t n;
};

static struct options opt;
static struct lines bodies;
static long long base;        /* vv[origin] before the run */
static long cap;              /* requests scheduled at most */
static double t_start, t_end; /* monotonic: the schedule */
static double *ack_t, *ack_lat, *seen_t;
static atomic_long next_i, nack, nerrors, nsent;
static atomic_bool writers_done;
static double max_slip; /* under slip_mu */
static pthread_mutex_t slip_mu = PTHREAD_MUTEX_INITIALIZER;
/* Watcher figures. */
static long polls, watch_errors;
static double poll_gap_max;

static void *
xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size);
    if (!p)
        abort();
    return p;
}

static int
load_lines(const char *path, struct lines *out) {
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t lcap = 0, ncap = 0;
    ssize_t n;
    if (!f) {
        perror(path);
        return -1;
    }
    memset(out, 0, sizeof *out);
    while ((n = getline(&line, &lcap, f)) > 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (out->n == ncap) {
            ncap = ncap ? 2 * ncap : 1024;
            out->p = realloc(out->p, ncap * sizeof *out->p);
            out->len = realloc(out->len, ncap * sizeof *out->len);
            if (!out->p || !out->len)
                abort();
        }
        out->p[out->n] = strndup(line, (size_t)n);
        out->len[out->n++] = (size_t)n;
    }
    free(line);
    fclose(f);
    return out->n ? 0 : -1;
}

/* version_vector[origin] on a node; -1 if it did not answer. */
static long long
vv_of(bh_conn *c) {
    const char *body;
    size_t n;
    int status;
    if (bh_request(c, "GET", "/v1/digest", NULL, NULL, 0, &status, &body, &n) !=
            0 ||
        status != 200)
        return -1;
    return bh_vv_get(body, opt.origin);
}

/* ---- writers ---------------------------------------------------------- */

static void
show_error(const char *what, int status, const char *body) {
    if (atomic_fetch_add(&nerrors, 1) < MAX_SHOWN_ERRORS)
        fprintf(stderr, "lag: %s: HTTP %d: %.200s\n", what, status,
                body ? body : "");
}

static void *
writer_main(void *arg) {
    bh_conn c;
    (void)arg;
    bh_init(&c, opt.write.port, opt.write.token);
    for (;;) {
        long i = atomic_fetch_add(&next_i, 1);
        double due = t_start + (double)i / opt.rate;
        if (i >= cap || due >= t_end)
            break;
        bh_sleep_until(due);
        double t0 = bh_now();
        pthread_mutex_lock(&slip_mu);
        if (t0 - due > max_slip)
            max_slip = t0 - due;
        pthread_mutex_unlock(&slip_mu);
        size_t li = (size_t)i % bodies.n;
        const char *body;
        size_t n;
        int status;
        atomic_fetch_add(&nsent, 1);
        if (bh_request(&c, "POST", "/v1/participants", "application/json",
                       bodies.p[li], bodies.len[li], &status, &body, &n)) {
            show_error("connection", 0, NULL);
            continue;
        }
        double t1 = bh_now();
        if (status != 201) {
            show_error("create", status, body);
            continue;
        }
        long k = atomic_fetch_add(&nack, 1);
        ack_t[k] = t1;
        ack_lat[k] = t1 - t0;
    }
    bh_release(&c);
    return NULL;
}

/* ---- watcher ---------------------------------------------------------- */

static void *
watcher_main(void *arg) {
    bh_conn c;
    long long last = base;
    double prev = 0;
    (void)arg;
    bh_init(&c, opt.watch.port, opt.watch.token);
    for (;;) {
        double t0 = bh_now();
        long long v = vv_of(&c);
        double t1 = bh_now();
        polls++;
        if (v < 0)
            watch_errors++;
        if (prev > 0 && t1 - prev > poll_gap_max)
            poll_gap_max = t1 - prev;
        prev = t1;
        for (; v > last; last++)
            if (last - base < cap)
                seen_t[last - base] = t1;
        bool done = atomic_load(&writers_done);
        if (done && last - base >= atomic_load(&nack))
            break;
        if (t1 > t_end + opt.drain)
            break;
        bh_sleep_until(t0 + opt.poll);
    }
    bh_release(&c);
    return NULL;
}

/* ---- report ----------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
pct(const double *v, long n, double p) {
    return n ? v[(long)(p * (double)(n - 1) + 0.5)] : 0;
}

static int
report(double secs, long long final_write) {
    long acked = atomic_load(&nack), unseen = 0, nl = 0;
    double *lag = xcalloc((size_t)acked, sizeof *lag);
    for (long k = 0; k < acked; k++) {
        if (seen_t[k] > 0)
            lag[nl++] = (seen_t[k] - ack_t[k]) * 1e3;
        else
            unseen++;
    }
    qsort(lag, (size_t)nl, sizeof *lag, cmp_double);
    qsort(ack_lat, (size_t)acked, sizeof *ack_lat, cmp_double);
    double rate = secs > 0 ? (double)acked / secs : 0;
    long errors = atomic_load(&nerrors);
    bool counted = final_write == base + acked;
    fprintf(stderr,
            "lag: %ld writes acked (%ld errors) in %.2f s = %.0f/s;"
            " ack p50 %.2f ms p99 %.2f ms; seen on the watched node: p50 "
            "%.2f ms p99 %.2f ms max %.2f ms (%ld unseen); %ld polls, "
            "longest gap %.2f ms; writes started up to %.2f ms late\n",
            acked, errors, secs, rate, pct(ack_lat, acked, .5) * 1e3,
            pct(ack_lat, acked, .99) * 1e3, pct(lag, nl, .5), pct(lag, nl, .99),
            nl ? lag[nl - 1] : 0, unseen, polls, poll_gap_max * 1e3,
            max_slip * 1e3);
    if (!counted)
        fprintf(stderr,
                "lag: warning: the writer node's %s entry moved by "
                "%lld, not %ld: someone else wrote there, the numbering is "
                "off\n",
                opt.origin, final_write - base, acked);
    printf("RESULT acked=%ld errors=%ld seconds=%.3f rate=%.1f "
           "ack_p50_ms=%.3f ack_p99_ms=%.3f lag_p50_ms=%.3f lag_p99_ms=%.3f "
           "lag_max_ms=%.3f lag_min_ms=%.3f unseen=%ld polls=%ld "
           "poll_gap_max_ms=%.3f late_max_ms=%.3f counted=%d\n",
           acked, errors, secs, rate, pct(ack_lat, acked, .5) * 1e3,
           pct(ack_lat, acked, .99) * 1e3, pct(lag, nl, .5), pct(lag, nl, .99),
           nl ? lag[nl - 1] : 0, nl ? lag[0] : 0, unseen, polls,
           poll_gap_max * 1e3, max_slip * 1e3, counted);
    free(lag);
    return errors == 0 && unseen == 0 && counted && acked > 0 ? 0 : 1;
}

/* ---- main ------------------------------------------------------------- */

static void
usage(FILE *out) {
    fprintf(out, "usage: lag --write PORT:TOKENFILE --watch PORT:TOKENFILE "
                 "--origin NAME --bodies FILE\n"
                 "           [--rate 1000] [--seconds 15] [--clients 8] "
                 "[--poll-ms 1] [--drain-seconds 10]\n");
}

static int
parse_args(int argc, char **argv) {
    static const struct option opts[] = {
        {"write", required_argument, NULL, 'w'},
        {"watch", required_argument, NULL, 'W'},
        {"origin", required_argument, NULL, 'o'},
        {"bodies", required_argument, NULL, 'b'},
        {"rate", required_argument, NULL, 'r'},
        {"seconds", required_argument, NULL, 's'},
        {"clients", required_argument, NULL, 'c'},
        {"poll-ms", required_argument, NULL, 'p'},
        {"drain-seconds", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    bool have_write = false, have_watch = false;
    int ch;
    opt = (struct options){
        .rate = 1000, .seconds = 15, .poll = 0.001, .drain = 10, .clients = 8};
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'w':
            if (bh_node_parse(optarg, &opt.write))
                return -1;
            have_write = true;
            break;
        case 'W':
            if (bh_node_parse(optarg, &opt.watch))
                return -1;
            have_watch = true;
            break;
        case 'o': opt.origin = optarg; break;
        case 'b': opt.bodies = optarg; break;
        case 'r': opt.rate = atof(optarg); break;
        case 's': opt.seconds = atof(optarg); break;
        case 'c': opt.clients = atol(optarg); break;
        case 'p': opt.poll = atof(optarg) / 1e3; break;
        case 'd': opt.drain = atof(optarg); break;
        case 'h': usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (!have_write || !have_watch || !opt.origin || !opt.bodies ||
        optind != argc || opt.rate <= 0 || opt.rate > 1e6 || opt.seconds <= 0 ||
        opt.seconds > 3600 || opt.clients < 1 || opt.clients > MAX_CLIENTS ||
        opt.poll <= 0 || opt.drain < 0)
        return -1;
    return 0;
}

/* Read base from the writer node; wait until the watched node has it. */
static int
settle(void) {
    bh_conn w, r;
    long long seen = -1;
    int rc = -1;
    bh_init(&w, opt.write.port, opt.write.token);
    bh_init(&r, opt.watch.port, opt.watch.token);
    base = vv_of(&w);
    double until = bh_now() + SETTLE_SECONDS;
    while (base >= 0 && bh_now() < until && (seen = vv_of(&r)) != base)
        bh_sleep_until(bh_now() + 0.02);
    if (base < 0)
        fprintf(stderr, "lag: the writer node has no %s entry\n", opt.origin);
    else if (seen != base)
        fprintf(stderr,
                "lag: the watched node has %lld of %s's changes, "
                "the writer %lld\n",
                seen, opt.origin, base);
    else
        rc = 0;
    bh_release(&w);
    bh_release(&r);
    return rc;
}

int
main(int argc, char **argv) {
    pthread_t writers[MAX_CLIENTS], watcher;
    if (parse_args(argc, argv) != 0) {
        usage(stderr);
        return 2;
    }
    if (load_lines(opt.bodies, &bodies) != 0 || settle() != 0)
        return 1;
    cap = (long)(opt.rate * opt.seconds) + 1;
    ack_t = xcalloc((size_t)cap, sizeof *ack_t);
    ack_lat = xcalloc((size_t)cap, sizeof *ack_lat);
    seen_t = xcalloc((size_t)cap, sizeof *seen_t);
    t_start = bh_now() + 0.05;
    t_end = t_start + opt.seconds;
    if (pthread_create(&watcher, NULL, watcher_main, NULL))
        return 1;
    for (long i = 0; i < opt.clients; i++)
        if (pthread_create(&writers[i], NULL, writer_main, NULL))
            return 1;
    for (long i = 0; i < opt.clients; i++)
        pthread_join(writers[i], NULL);
    double secs = bh_now() - t_start;
    atomic_store(&writers_done, true);
    pthread_join(watcher, NULL);
    bh_conn w;
    bh_init(&w, opt.write.port, opt.write.token);
    long long final_write = vv_of(&w);
    bh_release(&w);
    return report(secs, final_write);
}
