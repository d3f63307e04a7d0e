/*
 * kill9_test — no acknowledged write is lost when a node is killed -9 in
 * the middle of a burst.
 *
 * Four nodes with durable commits. Each round, NTHREADS load threads POST
 * creates round-robin to all four nodes while the main thread SIGKILLs one
 * node KILL_AFTER_MS into the burst and starts it again RESTART_AFTER_MS
 * in, while the load goes on. A request answered 201 is acknowledged;
 * anything else (no answer, 503 while the restarted node catches up) is
 * not, and may or may not have been applied if it was in flight at the
 * kill.
 *
 * After the rounds: all four converge (digest, vector, stats), stats
 * verify everywhere, every acknowledged id is on every node, and the
 * number of participants is at least the acknowledged creates and at most
 * those plus the requests that were in flight when a node died.
 *
 * Usage: cluster_kill9 MENTORNETD DEMO_DATA PORT
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 120
#define NNODES 4
#define NTHREADS 6
#define ROUNDS 2
#define KILL_AFTER_MS 1000
#define RESTART_AFTER_MS 1800
#define BURST_MS 3500
/* Writes per thread and round, so that a fast machine cannot run away. */
#define MAX_WRITES 1500
#define CONVERGE_MS 60000

static cl_cluster cluster;
static atomic_bool stop;

struct loader {
    pthread_t thread;
    int no;
    unsigned seq;
    cl_ids acked;
    long unanswered;  /* no HTTP answer: maybe applied */
    long unavailable; /* 503: not applied */
    long unexpected;  /* anything else */
    long last_unexpected;
};

static struct loader loaders[NTHREADS];

static void *
load_main(void *arg) {
    struct loader *l = arg;
    char body[256];
    /* A copy: the main thread restarts nodes meanwhile. */
    cl_node *nodes = malloc(NNODES * sizeof *nodes);
    if (!nodes)
        abort();
    memcpy(nodes, cluster.node, NNODES * sizeof *nodes);
    for (int k = 0; k < MAX_WRITES && !atomic_load(&stop); k++) {
        const cl_node *n = &nodes[(l->no + k) % NNODES];
        tl_resp r;
        snprintf(
            body, sizeof body,
            "{\"role\":\"%s\",\"given_name\":\"Load\",\"family_name\":"
            "\"L%d-%u\",\"country_of_origin\":\"IQ\",\"consent\":{\"purposes\":"
            "[\"statistics\"],\"given_at\":\"2026-11-26T10:00:00Z\"}}",
            k % 2 ? "mentor" : "mentee", l->no, l->seq++);
        long st = cl_http(n, "POST", "/v1/participants", "application/json",
                          body, strlen(body), &r);
        const char *id = json_string_value(json_object_get(r.json, "id"));
        if (st == 201 && id)
            cl_ids_add(&l->acked, id);
        else if (st == 0)
            l->unanswered++;
        else if (st == 503)
            l->unavailable++;
        else
            l->unexpected++, l->last_unexpected = st;
        tl_resp_release(&r);
        if (st == 0 || st == 503)
            tl_sleep_ms(20); /* do not spin on a dead node */
    }
    free(nodes);
    tl_http_thread_done();
    return NULL;
}

static void
round_(int round, size_t victim) {
    tl_section("round %d: load on all %d nodes, kill -9 %s at %d ms, "
               "restart at %d ms",
               round + 1, NNODES, cluster.node[victim].name, KILL_AFTER_MS,
               RESTART_AFTER_MS);
    atomic_store(&stop, false);
    uint64_t t0 = tl_now_ms();
    size_t before = 0;
    for (int i = 0; i < NTHREADS; i++) {
        before += loaders[i].acked.n;
        pthread_create(&loaders[i].thread, NULL, load_main, &loaders[i]);
    }
    while (tl_now_ms() - t0 < KILL_AFTER_MS)
        tl_sleep_ms(10);
    cl_kill(&cluster, victim);
    tl_note("killed %s", cluster.node[victim].name);
    while (tl_now_ms() - t0 < RESTART_AFTER_MS)
        tl_sleep_ms(10);
    CHECK(cl_start(&cluster, victim) == 0, "%s starts again after kill -9",
          cluster.node[victim].name);
    while (tl_now_ms() - t0 < BURST_MS)
        tl_sleep_ms(10);
    atomic_store(&stop, true);
    size_t after = 0;
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(loaders[i].thread, NULL);
        after += loaders[i].acked.n;
    }
    tl_note("%zu creates acknowledged this round", after - before);
}

static void
check_everywhere(size_t total_acked, long in_flight) {
    for (size_t n = 0; n < NNODES; n++) {
        json_t *all = cl_list_all(&cluster.node[n]);
        cl_ids have = {0};
        size_t missing = 0;
        cl_ids_from_list(&have, all);
        for (int i = 0; i < NTHREADS; i++)
            for (size_t k = 0; k < loaders[i].acked.n; k++)
                missing += !cl_ids_has(&have, loaders[i].acked.id[k]);
        CHECK(all && missing == 0,
              "%s: all %zu acknowledged ids are there "
              "(%zu missing)",
              cluster.node[n].name, total_acked, missing);
        CHECK(have.n >= total_acked &&
                  (long)(have.n - total_acked) <= in_flight,
              "%s: %zu participants: the acknowledged %zu plus at most the "
              "%ld in flight at a kill",
              cluster.node[n].name, have.n, total_acked, in_flight);
        json_t *s = cl_get_json(&cluster.node[n], "/v1/stats?verify=true");
        CHECK(json_is_true(json_object_get(s, "verified")) &&
                  json_integer_value(json_object_get(s, "total")) ==
                      (json_int_t)have.n,
              "%s: stats?verify=true verified, total equals the list",
              cluster.node[n].name);
        json_decref(s);
        cl_ids_free(&have);
        json_decref(all);
    }
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    static const size_t victims[ROUNDS] = {1, 0};
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.kill9", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NNODES) != 0 ||
        cl_start_all(&cluster) != 0)
        goto out;
    for (size_t i = 0; i < NNODES; i++)
        CHECK(cl_wait_writable(&cluster.node[i], 15000), "%s is writable",
              cluster.node[i].name);
    for (int i = 0; i < NTHREADS; i++)
        loaders[i].no = i;
    for (int round = 0; round < ROUNDS; round++)
        round_(round, victims[round]);

    size_t acked = 0;
    long unanswered = 0, unavailable = 0, unexpected = 0, last = 0;
    for (int i = 0; i < NTHREADS; i++) {
        acked += loaders[i].acked.n;
        unanswered += loaders[i].unanswered;
        unavailable += loaders[i].unavailable;
        unexpected += loaders[i].unexpected;
        if (loaders[i].unexpected)
            last = loaders[i].last_unexpected;
        cl_ids_sort(&loaders[i].acked);
    }
    tl_note("%zu acknowledged, %ld unanswered, %ld answered 503", acked,
            unanswered, unavailable);
    CHECK(unexpected == 0,
          "no answer other than 201, 503 or none (%ld, "
          "last %ld)",
          unexpected, last);
    CHECK(acked > 0, "the load made progress");

    tl_section("convergence after the kills");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all four: equal digest, version vector and /v1/stats");
    check_everywhere(acked, unanswered);
out:
    for (int i = 0; i < NTHREADS; i++)
        cl_ids_free(&loaders[i].acked);
    cl_destroy(&cluster);
    return tl_summary();
}
