/*
 * converge_test — five nodes written concurrently converge.
 *
 * One writer thread per node. Phase 1: each creates NCREATE participants
 * on its node and, after every other create, patches the notes of one of
 * its own earlier participants. Phase 2 (after a barrier): each patches
 * the availability of NFOREIGN participants created on the next node,
 * through its own node (waiting, bounded, until they have replicated).
 * Each field of each participant has exactly one writer, so the last
 * acknowledged value is the one every node must show.
 *
 * Then: equal digests, vectors and /v1/stats on all five; stats?verify=
 * true verified on all five; every acknowledged id on every node, with
 * the last acknowledged notes and availability.
 *
 * Usage: cluster_converge MENTORNETD DEMO_DATA PORT
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 100
#define NNODES 5
#define NCREATE 200
#define NFOREIGN 40
#define CONVERGE_MS 30000
/* How long phase 2 waits for a participant of another node to arrive. */
#define ARRIVE_MS 20000

static cl_cluster cluster;
static pthread_barrier_t barrier;

struct mine {
    char id[33];
    char notes[32]; /* last acknowledged notes */
    char avail[32]; /* last acknowledged availability ("" none) */
};

struct writer {
    pthread_t thread;
    int no;
    struct mine ids[NCREATE];
    size_t n;
    int bad_create, bad_patch, bad_foreign; /* unexpected answers */
    long last_bad;
};

static struct writer writers[NNODES];

static void
phase_creates(struct writer *w) {
    const cl_node *node = &cluster.node[w->no];
    char body[512], id[33];
    for (int k = 0; k < NCREATE; k++) {
        snprintf(body, sizeof body,
                 "{\"role\":\"%s\",\"given_name\":\"Conv\",\"family_name\":"
                 "\"W%d-%d\",\"notes\":\"n0\",\"country_of_origin\":\"%s\","
                 "\"languages\":[\"ar\",\"da\"],\"consent\":{\"purposes\":"
                 "[\"statistics\"],\"given_at\":\"2026-11-26T10:00:00Z\"}}",
                 k % 2 ? "mentor" : "mentee", w->no, k,
                 (const char *[]){"SY", "AF", "IR", "SO", "ER"}[k % 5]);
        long st = cl_create_participant(node, body, id);
        if (st != 201) {
            w->bad_create++;
            w->last_bad = st;
            continue;
        }
        struct mine *m = &w->ids[w->n++];
        snprintf(m->id, sizeof m->id, "%s", id);
        snprintf(m->notes, sizeof m->notes, "n0");
        if (k % 2 == 1) {
            struct mine *t = &w->ids[(size_t)k * 7 % w->n];
            snprintf(body, sizeof body, "{\"notes\":\"n%d-%d\"}", w->no, k);
            st = cl_patch_participant(node, t->id, body);
            if (st == 200)
                snprintf(t->notes, sizeof t->notes, "n%d-%d", w->no, k);
            else
                w->bad_patch++, w->last_bad = st;
        }
    }
}

/* Once each of NFOREIGN participants of the next writer has arrived here,
 * patch one of this writer's own: her availability. Only her home writes
 * her (README "Compartments"): the same patch of the arrived participant
 * is refused (403) and counted bad otherwise. */
static void
phase_foreign(struct writer *w) {
    const cl_node *node = &cluster.node[w->no];
    struct writer *other = &writers[(w->no + 1) % NNODES];
    char body[128], path[128];
    for (size_t k = 0; k < NFOREIGN && k < other->n && k < w->n; k++) {
        struct mine *t = &w->ids[k];
        char value[32];
        snprintf(value, sizeof value, "from %d #%zu", w->no, k);
        snprintf(body, sizeof body, "{\"availability\":\"%s\"}", value);
        snprintf(path, sizeof path, "/v1/participants/%s", other->ids[k].id);
        uint64_t deadline = tl_now_ms() + ARRIVE_MS;
        json_t *j;
        while (!(j = cl_get_json(node, path)) && tl_now_ms() < deadline)
            tl_sleep_ms(50);
        json_decref(j);
        long st = cl_patch_participant(node, other->ids[k].id, body);
        if (!j || st != 403)
            w->bad_foreign++, w->last_bad = st;
        st = cl_patch_participant(node, t->id, body);
        if (st == 200)
            snprintf(t->avail, sizeof t->avail, "%s", value);
        else
            w->bad_patch++, w->last_bad = st;
    }
}

static void *
writer_main(void *arg) {
    struct writer *w = arg;
    phase_creates(w);
    pthread_barrier_wait(&barrier);
    phase_foreign(w);
    tl_http_thread_done();
    return NULL;
}

/* Every acknowledged id on node i, with its last acknowledged values. */
static void
check_node_has_all(size_t i) {
    json_t *all = cl_list_all(&cluster.node[i]);
    size_t total = 0, missing = 0, wrong = 0;
    cl_ids ids = {0};
    cl_ids_from_list(&ids, all);
    json_t *byid = json_object();
    size_t k;
    json_t *p;
    json_array_foreach(all, k, p)
        json_object_set(byid, json_string_value(json_object_get(p, "id")), p);
    for (int w = 0; w < NNODES; w++)
        for (size_t j = 0; j < writers[w].n; j++) {
            const struct mine *m = &writers[w].ids[j];
            json_t *got = json_object_get(byid, m->id);
            total++;
            if (!got || !cl_ids_has(&ids, m->id)) {
                missing++;
                continue;
            }
            const char *notes =
                json_string_value(json_object_get(got, "notes"));
            const char *avail =
                json_string_value(json_object_get(got, "availability"));
            /* Her notes are sealed to her home: shown there alone. */
            bool home = (size_t)w == i;
            if ((home ? !notes || strcmp(notes, m->notes) != 0
                      : notes != NULL) ||
                (m->avail[0] && (!avail || strcmp(avail, m->avail) != 0)))
                wrong++;
        }
    CHECK(all && missing == 0,
          "%s: all %zu acknowledged ids readable "
          "(%zu missing, list has %zu)",
          cluster.node[i].name, total, missing, all ? json_array_size(all) : 0);
    CHECK(wrong == 0,
          "%s: last acknowledged notes/availability shown "
          "(%zu differ)",
          cluster.node[i].name, wrong);
    CHECK(all && json_array_size(all) == total,
          "%s: lists exactly the %zu acknowledged participants (got %zu)",
          cluster.node[i].name, total, all ? json_array_size(all) : 0);
    json_decref(byid);
    json_decref(all);
    cl_ids_free(&ids);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.converge", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NNODES) != 0 ||
        cl_start_all(&cluster) != 0)
        goto out;

    tl_section("concurrent writes: %d creates per node, patches, then "
               "patches once other nodes' participants arrive",
               NCREATE);
    pthread_barrier_init(&barrier, NULL, NNODES);
    uint64_t t0 = tl_now_ms();
    for (int i = 0; i < NNODES; i++) {
        writers[i].no = i;
        pthread_create(&writers[i].thread, NULL, writer_main, &writers[i]);
    }
    for (int i = 0; i < NNODES; i++)
        pthread_join(writers[i].thread, NULL);
    pthread_barrier_destroy(&barrier);
    tl_note("writers done in %llu ms", (unsigned long long)(tl_now_ms() - t0));
    for (int i = 0; i < NNODES; i++)
        CHECK(writers[i].n == NCREATE && writers[i].bad_patch == 0 &&
                  writers[i].bad_foreign == 0,
              "%s: %zu/%d creates acknowledged, %d patches refused and %d "
              "foreign patches not (last answer %ld)",
              cluster.node[i].name, writers[i].n, NCREATE, writers[i].bad_patch,
              writers[i].bad_foreign, writers[i].last_bad);

    tl_section("convergence");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all five nodes: equal digest, version vector and /v1/stats");
    for (size_t i = 0; i < NNODES; i++) {
        json_t *s = cl_get_json(&cluster.node[i], "/v1/stats?verify=true");
        CHECK(json_is_true(json_object_get(s, "verified")) &&
                  json_integer_value(json_object_get(s, "total")) ==
                      NNODES * NCREATE,
              "%s: stats?verify=true verified, total %lld",
              cluster.node[i].name,
              (long long)json_integer_value(json_object_get(s, "total")));
        json_decref(s);
    }
    for (size_t i = 0; i < NNODES; i++)
        check_node_has_all(i);
    for (size_t i = 0; i < NNODES; i++) {
        json_t *r = cl_replication(&cluster.node[i]);
        long long rej = 0;
        size_t k;
        json_t *p;
        json_array_foreach(json_object_get(r, "peers"), k, p) {
            const char *key;
            json_t *v;
            json_object_foreach(json_object_get(p, "rejected"), key,
                                v) if (strcmp(key, "gap") !=
                                       0) /* a gap is a range request */
                rej += json_integer_value(v);
        }
        CHECK(r && rej == 0, "%s: no peer message refused (%lld)",
              cluster.node[i].name, rej);
        json_decref(r);
    }
out:
    cl_destroy(&cluster);
    return tl_summary();
}
