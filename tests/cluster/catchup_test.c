/*
 * catchup_test — a node that was down catches up.
 *
 * Five nodes converge on a small data set. One (tingbjerg) is stopped
 * with SIGTERM; the other four import NTOTAL participants between them
 * (POST /v1/import, NDJSON from mentornet-demo-data, concurrently) and
 * converge. The stopped node starts again and must reach the same digest,
 * vector and statistics within CATCHUP_MS; its statistics verify against
 * a recount, and a write on it afterwards takes its next seq and reaches
 * everyone.
 *
 * Usage: cluster_catchup MENTORNETD DEMO_DATA PORT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 150
#define NNODES 5
#define LATE 4       /* tingbjerg */
#define NBASE 20     /* per node, before the stop */
#define NTOTAL 10000 /* written while LATE is down */
#define CATCHUP_MS 60000
#define CONVERGE_MS 60000

static cl_cluster cluster;

struct importer {
    pthread_t thread;
    size_t node;
    char *ndjson;
    size_t len;
    long imported;
};

static void *
import_main(void *arg) {
    struct importer *im = arg;
    im->imported = cl_import(&cluster.node[im->node], im->ndjson, im->len);
    tl_http_thread_done();
    return NULL;
}

static long long
total_of(size_t i, bool *verified) {
    json_t *s = cl_get_json(&cluster.node[i], "/v1/stats?verify=true");
    long long t = (long long)json_integer_value(json_object_get(s, "total"));
    if (verified)
        *verified = json_is_true(json_object_get(s, "verified"));
    json_decref(s);
    return t;
}

static int
baseline(void) {
    char body[256], id[33];
    tl_section("baseline: %d creates on each of %d nodes", NBASE, NNODES);
    for (size_t i = 0; i < NNODES; i++) {
        int ok = 0;
        for (int k = 0; k < NBASE; k++) {
            snprintf(body, sizeof body,
                     "{\"role\":\"mentee\",\"given_name\":"
                     "\"Base\",\"family_name\":\"N%zu-%d\"}",
                     i, k);
            ok += cl_create_participant(&cluster.node[i], body, id) == 201;
        }
        if (!CHECK(ok == NBASE, "%d/%d creates on %s acknowledged", ok, NBASE,
                   cluster.node[i].name))
            return -1;
    }
    return CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all five converge")
               ? 0
               : -1;
}

static int
write_while_down(void) {
    struct importer im[NNODES - 1];
    size_t n = 0;
    long sum = 0;
    tl_section("%s stops; the others import %d participants",
               cluster.node[LATE].name, NTOTAL);
    CHECK(cl_stop(&cluster, LATE) == 0, "%s exits 0 on SIGTERM",
          cluster.node[LATE].name);
    for (size_t i = 0; i < NNODES; i++) {
        if (i == LATE)
            continue;
        im[n].node = i;
        im[n].ndjson =
            cl_demo_data(&cluster, cluster.node[i].name, NTOTAL / (NNODES - 1),
                         1000 + i, &im[n].len);
        if (!im[n].ndjson)
            return -1;
        n++;
    }
    uint64_t t0 = tl_now_ms();
    for (size_t k = 0; k < n; k++)
        pthread_create(&im[k].thread, NULL, import_main, &im[k]);
    for (size_t k = 0; k < n; k++) {
        pthread_join(im[k].thread, NULL);
        CHECK(im[k].imported == NTOTAL / (NNODES - 1), "%s imported %ld",
              cluster.node[im[k].node].name, im[k].imported);
        sum += im[k].imported > 0 ? im[k].imported : 0;
        free(im[k].ndjson);
    }
    tl_note("%ld imported in %llu ms", sum,
            (unsigned long long)(tl_now_ms() - t0));
    return CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
                 "the four running nodes converge")
               ? 0
               : -1;
}

static void
catch_up(void) {
    char id[33], digest[65];
    json_t *vv = NULL;
    bool verified = false;
    tl_section("%s starts again and catches up", cluster.node[LATE].name);
    if (cl_start(&cluster, LATE) != 0)
        return;
    uint64_t t0 = tl_now_ms();
    bool ok = cl_wait_converged(&cluster, CATCHUP_MS);
    CHECK(ok, "%s caught up within %d ms (took %llu ms)",
          cluster.node[LATE].name, CATCHUP_MS,
          (unsigned long long)(tl_now_ms() - t0));
    long long want = NNODES * NBASE + NTOTAL;
    long long t = total_of(LATE, &verified);
    CHECK(t == want && verified,
          "%s: total %lld (want %lld), "
          "stats?verify=true verified",
          cluster.node[LATE].name, t, want);
    json_t *r = cl_replication(&cluster.node[LATE]);
    long long applied = 0, refused = 0;
    size_t k;
    json_t *p;
    json_array_foreach(json_object_get(r, "peers"), k, p) {
        const char *key;
        json_t *v;
        applied += json_integer_value(json_object_get(p, "applied"));
        json_object_foreach(json_object_get(p, "rejected"), key,
                            v) if (strcmp(key, "gap") != 0) refused +=
            json_integer_value(v);
    }
    json_decref(r);
    CHECK(applied >= NTOTAL,
          "%s applied %lld replicated changes, refused "
          "%lld",
          cluster.node[LATE].name, applied, refused);
    CHECK(refused == 0, "no message refused while catching up");

    tl_section("a write on %s afterwards", cluster.node[LATE].name);
    cl_digest(&cluster.node[LATE], digest, &vv);
    long long seq = cl_vv_get(vv, cluster.node[LATE].name);
    json_decref(vv);
    CHECK(cl_create_participant(&cluster.node[LATE],
                                "{\"role\":\"mentor\",\"given_name\":\"Back"
                                "\",\"family_name\":\"Again\"}",
                                id) == 201,
          "a create on %s is acknowledged", cluster.node[LATE].name);
    cl_digest(&cluster.node[LATE], digest, &vv);
    CHECK(cl_vv_get(vv, cluster.node[LATE].name) == seq + 1, "it took seq %lld",
          seq + 1);
    json_decref(vv);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all five converge");
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.catchup", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NNODES) == 0 &&
        cl_start_all(&cluster) == 0 && baseline() == 0 &&
        write_while_down() == 0)
        catch_up();
    cl_destroy(&cluster);
    return tl_summary();
}
