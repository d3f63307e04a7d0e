/*
 * httpload — a small HTTP/1.1 keep-alive load generator for mentornetd.
 *
 *     httpload --mode create --clients N --requests M --bodies FILE
 *     httpload --mode get    --clients N --requests M --ids FILE
 *     httpload --mode import --batch B --total T --bodies FILE
 *     common: --host 127.0.0.1 --port P --token T --max-seconds S
 *
 * Each client thread owns one persistent TCP connection and sends one
 * request at a time (no pipelining), so a client's latency is the time from
 * its first request byte to the last byte of the answer. The HTTP client is
 * benchhttp's, shared with the cluster benchmark tools. Every status is
 * checked: anything but the expected one (201 for create, 200 for get and
 * import) counts as an error, as does a broken connection.
 *
 * Bounded: --requests (or --total) caps the work, --max-seconds stops the
 * clients from starting new requests, and every socket has a send/receive
 * timeout, so a stuck node cannot hang a run.
 *
 * Output: a human line on stderr and one machine line on stdout:
 *     RESULT mode=create clients=8 ok=... errors=... seconds=... rate=...
 *            p50_ms=... p99_ms=... changes=...
 * rate is changes/s for create and import, requests/s for get.
 */
#include "benchhttp.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 1024
#define ID_HEX 32
/* At most this many error answers are echoed to stderr per run. */
#define MAX_ERRORS_SHOWN 5
/* Consecutive connection failures after which a client gives up. */
#define MAX_RECONNECTS 20

enum mode { MODE_CREATE, MODE_GET, MODE_IMPORT };

struct options {
    enum mode mode;
    const char *host, *port, *token, *bodies, *ids, *ids_out;
    long clients, requests, batch, total;
    double max_seconds;
};

/* Input shared read-only by every client. */
struct input {
    char **lines; /* NDJSON bodies or ids */
    size_t *lens;
    size_t n;
};

struct answer {
    int status;
    const char *body; /* owned by the connection until its next request */
    size_t body_len;
};

struct client {
    pthread_t thread;
    const struct options *opt;
    const struct input *in;
    long first, count; /* request indexes [first, first+count) */
    uint64_t rng;
    double *lat_ms; /* one per request sent */
    long nlat;
    long ok, errors, changes;
    char (*ids)[ID_HEX + 1]; /* create: ids answered */
    long nids;
};

static atomic_int errors_shown;
static double deadline; /* monotonic seconds; no new request after it */

/* ---- small helpers ---------------------------------------------------- */

static double
now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "httpload: out of memory\n");
        abort();
    }
    return p;
}

static void *
xrealloc(void *p, size_t n) {
    p = realloc(p, n ? n : 1);
    if (!p) {
        fprintf(stderr, "httpload: out of memory\n");
        abort();
    }
    return p;
}

static uint64_t
next_rand(uint64_t *s) {
    /* xorshift64*: good enough to pick ids uniformly. */
    *s ^= *s >> 12;
    *s ^= *s << 25;
    *s ^= *s >> 27;
    return *s * UINT64_C(2685821657736338717);
}

static void
show_error(const char *what, const struct answer *a) {
    if (atomic_fetch_add(&errors_shown, 1) >= MAX_ERRORS_SHOWN)
        return;
    if (a)
        fprintf(stderr, "httpload: %s: HTTP %d: %.*s\n", what, a->status,
                (int)(a->body_len > 300 ? 300 : a->body_len), a->body);
    else
        fprintf(stderr, "httpload: %s: %s\n", what, strerror(errno));
}

/* Read FILE into non-empty lines. */
static int
load_lines(const char *path, struct input *in) {
    FILE *f = fopen(path, "r");
    char *line = NULL;
    size_t cap = 0, ncap = 0;
    ssize_t n;
    if (!f) {
        fprintf(stderr, "httpload: %s: %s\n", path, strerror(errno));
        return -1;
    }
    memset(in, 0, sizeof *in);
    while ((n = getline(&line, &cap, f)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        if (in->n == ncap) {
            ncap = ncap ? 2 * ncap : 1024;
            in->lines = xrealloc(in->lines, ncap * sizeof *in->lines);
            in->lens = xrealloc(in->lens, ncap * sizeof *in->lens);
        }
        in->lines[in->n] = strndup(line, (size_t)n);
        in->lens[in->n++] = (size_t)n;
    }
    free(line);
    fclose(f);
    if (in->n == 0) {
        fprintf(stderr, "httpload: %s: no lines\n", path);
        return -1;
    }
    return 0;
}

/* ---- requests --------------------------------------------------------- */

/* Send one request on c (benchhttp: keep-alive, reconnects once) and read
 * its answer; -1 if no answer came. */
static int
exchange(bh_conn *c, const char *method, const char *path, const char *type,
         const char *body, size_t body_len, struct answer *a) {
    return bh_request(c, method, path, type, body, body_len, &a->status,
                      &a->body, &a->body_len);
}

/* Build the NDJSON body of import batch k into *buf; returns its length. */
static size_t
build_batch(const struct input *in, long batch, long k, char **buf,
            size_t *cap) {
    size_t len = 0;
    for (long i = 0; i < batch; i++) {
        size_t li = (size_t)(k * batch + i) % in->n, n = in->lens[li];
        if (len + n + 1 > *cap) {
            *cap = 2 * (len + n + 1);
            *buf = xrealloc(*buf, *cap);
        }
        memcpy(*buf + len, in->lines[li], n);
        len += n;
        (*buf)[len++] = '\n';
    }
    return len;
}

static void
keep_id(struct client *cl, const struct answer *a) {
    static const char key[] = "\"id\":\"";
    const char *end = a->body + a->body_len, *p = a->body;
    while (p && (p = memmem(p, (size_t)(end - p), key, sizeof key - 1))) {
        p += sizeof key - 1;
        if (end - p > ID_HEX && p[ID_HEX] == '"') {
            memcpy(cl->ids[cl->nids], p, ID_HEX);
            cl->ids[cl->nids++][ID_HEX] = '\0';
            return;
        }
    }
}

static long
imported_count(const struct answer *a) {
    static const char key[] = "\"imported\":";
    const char *p = memmem(a->body, a->body_len, key, sizeof key - 1);
    return p ? strtol(p + sizeof key - 1, NULL, 10) : 0;
}

/* Send request k of this client; counts and times it. */
static int
one_request(struct client *cl, bh_conn *c, long k, char **scratch,
            size_t *scap) {
    const struct options *o = cl->opt;
    const struct input *in = cl->in;
    struct answer a;
    char path[128];
    int rc, want;
    double t0;
    if (o->mode == MODE_CREATE) {
        size_t li = (size_t)k % in->n;
        want = 201;
        t0 = now_s();
        rc = exchange(c, "POST", "/v1/participants", "application/json",
                      in->lines[li], in->lens[li], &a);
    } else if (o->mode == MODE_GET) {
        size_t li = (size_t)(next_rand(&cl->rng) % in->n);
        snprintf(path, sizeof path, "/v1/participants/%.64s", in->lines[li]);
        want = 200;
        t0 = now_s();
        rc = exchange(c, "GET", path, NULL, NULL, 0, &a);
    } else {
        size_t n = build_batch(in, o->batch, k, scratch, scap);
        want = 200;
        t0 = now_s();
        rc = exchange(c, "POST", "/v1/import", "application/x-ndjson", *scratch,
                      n, &a);
    }
    if (rc != 0) {
        cl->errors++;
        show_error("connection", NULL);
        return -1;
    }
    cl->lat_ms[cl->nlat++] = (now_s() - t0) * 1e3;
    if (a.status != want) {
        cl->errors++;
        show_error("unexpected status", &a);
    } else {
        cl->ok++;
        if (o->mode == MODE_CREATE) {
            cl->changes++;
            if (cl->ids)
                keep_id(cl, &a);
        } else if (o->mode == MODE_IMPORT) {
            cl->changes += imported_count(&a);
        }
    }
    return 0;
}

static void *
client_main(void *arg) {
    struct client *cl = arg;
    bh_conn c;
    char *scratch = NULL;
    size_t scap = 0;
    int failures = 0;
    bh_init(&c, atoi(cl->opt->port), cl->opt->token);
    for (long i = 0; i < cl->count && now_s() < deadline; i++) {
        failures = one_request(cl, &c, cl->first + i, &scratch, &scap) != 0
                       ? failures + 1
                       : 0;
        if (failures > MAX_RECONNECTS)
            break;
    }
    bh_release(&c);
    free(scratch);
    return NULL;
}

/* ---- report ----------------------------------------------------------- */

static int
cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double
percentile(const double *v, long n, double p) {
    if (n == 0)
        return 0;
    long i = (long)(p * (double)(n - 1) + 0.5);
    return v[i];
}

static int
write_ids(const char *path, struct client *cls, long n) {
    FILE *f = fopen(path, "w");
    if (!f) {
        fprintf(stderr, "httpload: %s: %s\n", path, strerror(errno));
        return -1;
    }
    for (long i = 0; i < n; i++)
        for (long j = 0; j < cls[i].nids; j++)
            fprintf(f, "%s\n", cls[i].ids[j]);
    return fclose(f) == 0 ? 0 : -1;
}

static void
report(const struct options *o, struct client *cls, long n, double secs) {
    static const char *const names[] = {"create", "get", "import"};
    long ok = 0, errors = 0, changes = 0, nlat = 0;
    for (long i = 0; i < n; i++) {
        ok += cls[i].ok, errors += cls[i].errors;
        changes += cls[i].changes, nlat += cls[i].nlat;
    }
    double *all = xmalloc((size_t)nlat * sizeof *all);
    long k = 0;
    for (long i = 0; i < n; i++)
        for (long j = 0; j < cls[i].nlat; j++)
            all[k++] = cls[i].lat_ms[j];
    qsort(all, (size_t)nlat, sizeof *all, cmp_double);
    double units = o->mode == MODE_GET ? (double)ok : (double)changes;
    double rate = secs > 0 ? units / secs : 0;
    double p50 = percentile(all, nlat, 0.50), p99 = percentile(all, nlat, 0.99);
    fprintf(stderr,
            "httpload %s: %ld clients, %ld ok, %ld errors in %.2f s:"
            " %.0f %s/s, p50 %.2f ms, p99 %.2f ms\n",
            names[o->mode], n, ok, errors, secs, rate,
            o->mode == MODE_GET ? "req" : "changes", p50, p99);
    printf("RESULT mode=%s clients=%ld ok=%ld errors=%ld seconds=%.3f "
           "rate=%.1f p50_ms=%.3f p99_ms=%.3f changes=%ld\n",
           names[o->mode], n, ok, errors, secs, rate, p50, p99, changes);
    free(all);
}

/* ---- main ------------------------------------------------------------- */

static void
usage(FILE *out) {
    fprintf(
        out,
        "usage: httpload --mode create --clients N --requests M --bodies F\n"
        "       httpload --mode get --clients N --requests M --ids F\n"
        "       httpload --mode import --batch B --total T --bodies F\n"
        "  --host 127.0.0.1 (only)  --port P (8101)  --token T (or "
        "MENTORNET_TOKEN)\n"
        "  --max-seconds S (60): start no request after S seconds\n"
        "  --ids-out F: create mode writes the created ids to F\n"
        "  --clients also applies to import (default 1)\n");
}

static int
parse_args(int argc, char **argv, struct options *o) {
    static const struct option opts[] = {
        {"mode", required_argument, NULL, 'm'},
        {"clients", required_argument, NULL, 'c'},
        {"requests", required_argument, NULL, 'n'},
        {"ids", required_argument, NULL, 'i'},
        {"ids-out", required_argument, NULL, 'o'},
        {"bodies", required_argument, NULL, 'b'},
        {"batch", required_argument, NULL, 'B'},
        {"total", required_argument, NULL, 'T'},
        {"host", required_argument, NULL, 'H'},
        {"port", required_argument, NULL, 'p'},
        {"token", required_argument, NULL, 't'},
        {"max-seconds", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    const char *mode = NULL;
    int ch;
    *o = (struct options){.host = "127.0.0.1",
                          .port = "8101",
                          .token = getenv("MENTORNET_TOKEN"),
                          .clients = 1,
                          .requests = 1000,
                          .batch = 1000,
                          .total = 10000,
                          .max_seconds = 60};
    while ((ch = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (ch) {
        case 'm': mode = optarg; break;
        case 'c': o->clients = atol(optarg); break;
        case 'n': o->requests = atol(optarg); break;
        case 'i': o->ids = optarg; break;
        case 'o': o->ids_out = optarg; break;
        case 'b': o->bodies = optarg; break;
        case 'B': o->batch = atol(optarg); break;
        case 'T': o->total = atol(optarg); break;
        case 'H': o->host = optarg; break; /* 127.0.0.1 only: checked */
        case 'p': o->port = optarg; break;
        case 't': o->token = optarg; break;
        case 's': o->max_seconds = atof(optarg); break;
        case 'h': usage(stdout); exit(0);
        default: return -1;
        }
    }
    if (!mode || optind != argc)
        return -1;
    if (strcmp(mode, "create") == 0)
        o->mode = MODE_CREATE;
    else if (strcmp(mode, "get") == 0)
        o->mode = MODE_GET;
    else if (strcmp(mode, "import") == 0)
        o->mode = MODE_IMPORT;
    else
        return -1;
    if (strcmp(o->host, "127.0.0.1") != 0) {
        fprintf(stderr, "httpload: loads 127.0.0.1 only\n");
        return -1;
    }
    if (atoi(o->port) < 1 || atoi(o->port) > 65535)
        return -1;
    if (o->clients < 1 || o->clients > MAX_CLIENTS || o->requests < 1 ||
        o->batch < 1 || o->total < 1 || o->max_seconds <= 0 || !o->token)
        return -1;
    if (o->mode == MODE_GET ? !o->ids : !o->bodies)
        return -1;
    if (o->mode == MODE_IMPORT)
        o->requests = (o->total + o->batch - 1) / o->batch;
    return 0;
}

int
main(int argc, char **argv) {
    struct options o;
    struct input in;
    if (parse_args(argc, argv, &o) != 0) {
        usage(stderr);
        return 2;
    }
    if (load_lines(o.mode == MODE_GET ? o.ids : o.bodies, &in) != 0)
        return 1;
    if (o.mode == MODE_IMPORT && o.clients > o.requests)
        o.clients = o.requests;
    struct client *cls = calloc((size_t)o.clients, sizeof *cls);
    long per = o.requests / o.clients, extra = o.requests % o.clients;
    long first = 0;
    for (long i = 0; i < o.clients; i++) {
        struct client *cl = &cls[i];
        cl->opt = &o, cl->in = &in;
        cl->first = first;
        cl->count = per + (i < extra);
        first += cl->count;
        cl->rng = UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)(i + 1);
        cl->lat_ms = xmalloc((size_t)cl->count * sizeof *cl->lat_ms);
        if (o.mode == MODE_CREATE && o.ids_out)
            cl->ids = xmalloc((size_t)cl->count * sizeof *cl->ids);
    }
    double t0 = now_s();
    deadline = t0 + o.max_seconds;
    for (long i = 0; i < o.clients; i++)
        if (pthread_create(&cls[i].thread, NULL, client_main, &cls[i])) {
            fprintf(stderr, "httpload: cannot start client %ld\n", i);
            return 1;
        }
    for (long i = 0; i < o.clients; i++)
        pthread_join(cls[i].thread, NULL);
    double secs = now_s() - t0;
    report(&o, cls, o.clients, secs);
    int rc = 0;
    if (o.ids_out && write_ids(o.ids_out, cls, o.clients) != 0)
        rc = 1;
    long errors = 0;
    for (long i = 0; i < o.clients; i++) {
        errors += cls[i].errors;
        free(cls[i].lat_ms);
        free(cls[i].ids);
    }
    free(cls);
    for (size_t i = 0; i < in.n; i++)
        free(in.lines[i]);
    free(in.lines);
    free(in.lens);
    return rc ? rc : errors ? 3 : 0;
}
