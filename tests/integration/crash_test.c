/*
 * crash_test — acknowledged writes survive kill -9.
 *
 * Each round: NTHREADS threads write to one node (creates, and patches of
 * their own participants) while the main thread SIGKILLs the node in the
 * middle of the burst. A worker stops at its first failed request, so the
 * only write of a thread that may or may not have been applied is its last
 * one (in flight at the kill). After a restart:
 * - every create answered 201 is readable, every patch answered 200 is
 *   visible (or the newer in-flight one is);
 * - stats?verify=true agrees, and total >= acknowledged creates;
 * - the list sees every acknowledged id.
 * - a new write after the restart is acknowledged and takes the next seq.
 * A last round stops the node with SIGTERM in the middle of a burst
 * instead: it must exit 0 in time, and answers of 503 unavailable are
 * allowed then. After the last round the digest and version vector after a
 * clean restart (SIGTERM, start) equal those before it.
 *
 * Usage: it_crash MENTORNETD PORT
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define WATCHDOG_S 160
#define NTHREADS 8
/* Rounds ending in kill -9, then one ending in SIGTERM. */
#define KILL_ROUNDS 2
/* The kill comes this long into a burst; a burst ends by itself later. */
#define KILL_AFTER_MS 1200
#define BURST_MS 3000
/* Writes per thread and round, so that a fast disk cannot run away. */
#define MAX_WRITES 4000
/* One write in PATCH_EVERY is a patch of one of the thread's own ids. */
#define PATCH_EVERY 4

static it_node node;

struct mine {
    char id[33];
    char notes[32]; /* the last acknowledged value */
};

/* One worker's writes, across rounds. */
struct worker {
    pthread_t thread;
    int no;
    struct mine *ids;
    size_t n, cap;
    /* The write in flight at the kill, if any. */
    bool pending_create;
    long pending_patch; /* index into ids, or -1 */
    char pending_notes[32];
    /* Unexpected answers (not 201/200, and not a failed connection). */
    int unexpected;
    long last_unexpected;
    unsigned seq;
};

static struct worker workers[NTHREADS];
static atomic_bool stop;
/* This round ends with SIGTERM: 503 unavailable is an allowed answer. */
static bool graceful;
static struct timespec burst_start;

static long
elapsed_ms(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - since->tv_sec) * 1000 +
           (now.tv_nsec - since->tv_nsec) / 1000000;
}

static void
sleep_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* POST one participant; false when the node did not acknowledge it. */
static bool
do_create(struct worker *w) {
    char body[256];
    tl_resp r;
    snprintf(
        body, sizeof body,
        "{\"role\":\"%s\",\"given_name\":\"Crash\",\"family_name\":"
        "\"T%d-%u\",\"notes\":\"v0\",\"country_of_origin\":\"%s\",\"consent\":"
        "{\"purposes\":[\"statistics\"],\"given_at\":\"2026-11-26T10:00:00Z\"}"
        "}",
        w->seq % 2 ? "mentor" : "mentee", w->no, w->seq,
        w->seq % 3 ? "SY" : "AF");
    w->pending_create = true;
    it_send_json(&node, "POST", "/v1/participants", body, &r);
    bool ok = r.status == 201 && it_is_id(tl_str(r.json, "id"));
    if (ok) {
        if (w->n == w->cap) {
            w->cap = w->cap ? 2 * w->cap : 256;
            w->ids = realloc(w->ids, w->cap * sizeof *w->ids);
            if (!w->ids)
                abort();
        }
        snprintf(w->ids[w->n].id, sizeof w->ids[w->n].id, "%s",
                 tl_str(r.json, "id"));
        snprintf(w->ids[w->n].notes, sizeof w->ids[w->n].notes, "v0");
        w->n++;
        w->pending_create = false;
    } else if (r.status != 0 && !(graceful && r.status == 503)) {
        w->unexpected++;
        w->last_unexpected = r.status;
    }
    tl_resp_release(&r);
    return ok;
}

static bool
do_patch(struct worker *w) {
    char body[128], path[128];
    tl_resp r;
    long i = (long)(w->seq % w->n);
    w->pending_patch = i;
    snprintf(w->pending_notes, sizeof w->pending_notes, "v%u", w->seq);
    snprintf(body, sizeof body, "{\"notes\":\"%s\",\"status\":\"waiting\"}",
             w->pending_notes);
    snprintf(path, sizeof path, "/v1/participants/%s", w->ids[i].id);
    it_send_json(&node, "PATCH", path, body, &r);
    bool ok = r.status == 200;
    if (ok) {
        snprintf(w->ids[i].notes, sizeof w->ids[i].notes, "%s",
                 w->pending_notes);
        w->pending_patch = -1;
    } else if (r.status != 0 && !(graceful && r.status == 503)) {
        w->unexpected++;
        w->last_unexpected = r.status;
    }
    tl_resp_release(&r);
    return ok;
}

static void *
worker_main(void *arg) {
    struct worker *w = arg;
    w->pending_create = false;
    w->pending_patch = -1;
    for (int i = 0; i < MAX_WRITES && !atomic_load(&stop) &&
                    elapsed_ms(&burst_start) < BURST_MS;
         i++) {
        w->seq++;
        bool ok =
            w->n > 0 && w->seq % PATCH_EVERY == 0 ? do_patch(w) : do_create(w);
        if (!ok)
            break; /* the node is gone: this write is the pending one */
    }
    tl_http_thread_done();
    return NULL;
}

static size_t
acked_creates(void) {
    size_t n = 0;
    for (int t = 0; t < NTHREADS; t++)
        n += workers[t].n;
    return n;
}

/* Run one burst and kill (or stop) the node in the middle of it. */
static void
burst_and_stop(int round) {
    size_t before = acked_creates();
    atomic_store(&stop, false);
    clock_gettime(CLOCK_MONOTONIC, &burst_start);
    for (int t = 0; t < NTHREADS; t++) {
        workers[t].no = t;
        pthread_create(&workers[t].thread, NULL, worker_main, &workers[t]);
    }
    sleep_ms(KILL_AFTER_MS);
    if (graceful)
        CHECK(it_node_stop(&node) == 0,
              "round %d: SIGTERM under load: the node exits 0 in time", round);
    else
        it_node_kill(&node);
    atomic_store(&stop, true);
    for (int t = 0; t < NTHREADS; t++)
        pthread_join(workers[t].thread, NULL);
    size_t acked = acked_creates() - before;
    printf("round %d: %zu creates acknowledged before %s at %d ms\n", round,
           acked, graceful ? "SIGTERM" : "kill -9", KILL_AFTER_MS);
    CHECK(acked >= 10, "round %d: the burst got writes in (%zu)", round, acked);
    for (int t = 0; t < NTHREADS; t++)
        CHECK(workers[t].unexpected == 0,
              "round %d thread %d: no unexpected answers (%d, last %ld)", round,
              t, workers[t].unexpected, workers[t].last_unexpected);
}

/* Every acknowledged write is there after the restart. */
static void
check_acked(int round) {
    size_t missing = 0, stale = 0;
    char path[128];
    for (int t = 0; t < NTHREADS; t++) {
        struct worker *w = &workers[t];
        for (size_t i = 0; i < w->n; i++) {
            tl_resp r;
            snprintf(path, sizeof path, "/v1/participants/%s", w->ids[i].id);
            if (it_get(&node, path, &r) != 200) {
                missing++;
            } else {
                const char *notes = tl_str(r.json, "notes");
                bool in_flight = w->pending_patch == (long)i &&
                                 strcmp(notes, w->pending_notes) == 0;
                if (strcmp(notes, w->ids[i].notes) != 0 && !in_flight) {
                    stale++;
                    printf("  %s: notes %s, acknowledged %s\n", w->ids[i].id,
                           notes, w->ids[i].notes);
                } else if (in_flight) {
                    snprintf(w->ids[i].notes, sizeof w->ids[i].notes, "%s",
                             notes); /* the in-flight patch landed */
                }
            }
            tl_resp_release(&r);
        }
        w->pending_patch = -1;
    }
    CHECK(missing == 0,
          "round %d: every acknowledged create is readable "
          "(%zu of %zu missing)",
          round, missing, acked_creates());
    CHECK(stale == 0,
          "round %d: every acknowledged patch is visible (%zu "
          "lost)",
          round, stale);
}

/* Every id in the list, in id order, with paging. */
static json_t *
list_ids(void) {
    json_t *ids = json_object();
    char path[256], cursor[64] = "";
    for (int page = 0; page < 10000; page++) {
        snprintf(path, sizeof path, "/v1/participants?limit=500%s%s",
                 cursor[0] ? "&cursor=" : "", cursor);
        json_t *j = it_get_json(&node, path);
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(j, "items"), i, p)
            json_object_set_new(ids, tl_str(p, "id"), json_true());
        const char *next = json_string_value(json_object_get(j, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(j);
        if (!next)
            break;
    }
    return ids;
}

static void
check_counts(int round) {
    size_t acked = acked_creates();
    json_t *s = it_get_json(&node, "/v1/stats?verify=true");
    json_int_t total = json_integer_value(json_object_get(s, "total"));
    CHECK(json_is_true(json_object_get(s, "verified")),
          "round %d: stats?verify=true is verified:true", round);
    CHECK(total >= (json_int_t)acked,
          "round %d: total %lld >= %zu "
          "acknowledged",
          round, (long long)total, acked);
    CHECK(total <= (json_int_t)acked + NTHREADS * round,
          "round %d: total %lld <= acknowledged + one in-flight create per "
          "thread and round",
          round, (long long)total);
    json_t *vv = json_object_get(s, "version_vector");
    CHECK(json_integer_value(json_object_get(vv, node.name)) >=
              (json_int_t)acked,
          "round %d: the version vector counts at least every "
          "acknowledged change",
          round);
    json_t *ids = list_ids();
    CHECK((json_int_t)json_object_size(ids) == total,
          "round %d: the list has total (%lld) ids (%zu)", round,
          (long long)total, json_object_size(ids));
    size_t unlisted = 0;
    for (int t = 0; t < NTHREADS; t++)
        for (size_t i = 0; i < workers[t].n; i++)
            unlisted += json_object_get(ids, workers[t].ids[i].id) == NULL;
    CHECK(unlisted == 0,
          "round %d: the list has every acknowledged id (%zu "
          "missing)",
          round, unlisted);
    json_decref(ids);
    json_decref(s);
}

/* A write after the restart is acknowledged and takes the next seq. */
static void
check_next_write(int round) {
    json_t *d = it_get_json(&node, "/v1/digest");
    json_int_t seq = json_integer_value(
        json_object_get(json_object_get(d, "version_vector"), node.name));
    json_decref(d);
    struct worker *w = &workers[0];
    w->seq++;
    CHECK(do_create(w),
          "round %d: a create after the restart is "
          "acknowledged",
          round);
    d = it_get_json(&node, "/v1/digest");
    CHECK(json_integer_value(json_object_get(
              json_object_get(d, "version_vector"), node.name)) == seq + 1,
          "round %d: it takes the next seq (%lld)", round, (long long)seq + 1);
    json_decref(d);
}

static void
check_clean_restart(void) {
    tl_section("digest after a clean restart");
    json_t *before = it_get_json(&node, "/v1/digest");
    CHECK(it_node_stop(&node) == 0, "SIGTERM: the node exits 0");
    if (it_node_start(&node) != 0) {
        json_decref(before);
        return;
    }
    json_t *after = it_get_json(&node, "/v1/digest");
    CHECK(before &&
              strcmp(tl_str(before, "digest"), tl_str(after, "digest")) == 0,
          "the digest after a second restart is the same (%s / %s)",
          tl_str(before, "digest"), tl_str(after, "digest"));
    CHECK(json_equal(json_object_get(before, "version_vector"),
                     json_object_get(after, "version_vector")),
          "the version vector after a second restart is the same");
    json_t *s = it_get_json(&node, "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")),
          "stats still verify after the clean restart");
    json_decref(s);
    json_decref(before);
    json_decref(after);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, false, &daemon, &port, NULL);
    tl_begin("integration.crash", WATCHDOG_S);
    if (it_node_create(&node, daemon, port, 256) == 0 &&
        it_node_start(&node) == 0) {
        for (int round = 1; round <= KILL_ROUNDS + 1 && tl_failures() == 0;
             round++) {
            char title[64];
            graceful = round > KILL_ROUNDS;
            snprintf(title, sizeof title, "round %d: burst, %s, restart", round,
                     graceful ? "SIGTERM" : "kill -9");
            tl_section("%s", title);
            burst_and_stop(round);
            if (it_node_start(&node) != 0)
                break;
            check_acked(round);
            check_counts(round);
            check_next_write(round);
        }
        if (node.pid > 0)
            check_clean_restart();
    }
    it_node_destroy(&node);
    for (int t = 0; t < NTHREADS; t++)
        free(workers[t].ids);
    return tl_summary();
}
