/*
 * bridge_test — a link that is down is bridged by the others.
 *
 * Three nodes A (copenhagen), B (aarhus), C (esbjerg). Each node reads the
 * divisions from its OWN config directory; in A's, C's replication address
 * is a closed port, and in C's, A's is. So A and C can never connect to
 * each other (neither direction), while both reach B and B reaches both.
 *
 * Writes on A and on C (creates, and each patching its own participants
 * once the other's have arrived through B) converge on all three; the
 * patched notes, sealed to their home, read in clear there alone.
 * A and C report the link between them as never up, and neither has
 * applied anything received from the other directly: all of it came
 * through B.
 *
 * Usage: cluster_bridge MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 90
#define A 0
#define B 1
#define C 2
#define NWRITES 60
#define NPATCH 10
#define CONVERGE_MS 30000
#define ARRIVE_MS 20000

static cl_cluster cluster;

/* Once each of NPATCH participants created elsewhere (theirs) has arrived
 * on node n, patch one of n's own (mine) there: only her home writes her
 * (README "Compartments"), so what crosses is the arrival and the patch. */
static int
patch_after_arrival(size_t n, const cl_ids *mine, const cl_ids *theirs,
                    const char *value) {
    char body[160], path[128];
    int ok = 0;
    snprintf(body, sizeof body, "{\"notes\":\"%s\",\"availability\":\"%s\"}",
             value, value);
    for (size_t k = 0; k < NPATCH && k < mine->n && k < theirs->n; k++) {
        uint64_t deadline = tl_now_ms() + ARRIVE_MS;
        json_t *j;
        snprintf(path, sizeof path, "/v1/participants/%s", theirs->id[k]);
        while (!(j = cl_get_json(&cluster.node[n], path)) &&
               tl_now_ms() < deadline)
            tl_sleep_ms(50);
        json_decref(j);
        ok += j &&
              cl_patch_participant(&cluster.node[n], mine->id[k], body) == 200;
    }
    return ok;
}

static void
check_link_down(size_t from, size_t to) {
    json_t *r = cl_replication(&cluster.node[from]);
    const char *peer = cluster.node[to].name;
    CHECK(cl_peer_counter(r, peer, "connected", NULL) == 0 &&
              cl_peer_counter(r, peer, "serving", NULL) == 0 &&
              cl_peer_counter(r, peer, "received", NULL) == 0 &&
              cl_peer_counter(r, peer, "applied", NULL) == 0,
          "%s: the link with %s never came up, nothing received from it",
          cluster.node[from].name, peer);
    json_decref(r);
}

static void
check_has_all(size_t n, const cl_ids *a, const cl_ids *c) {
    json_t *all = cl_list_all(&cluster.node[n]);
    cl_ids have = {0};
    size_t missing = 0;
    cl_ids_from_list(&have, all);
    for (size_t k = 0; k < a->n; k++)
        missing += !cl_ids_has(&have, a->id[k]);
    for (size_t k = 0; k < c->n; k++)
        missing += !cl_ids_has(&have, c->id[k]);
    CHECK(all && missing == 0,
          "%s: every id acknowledged on %s and %s is "
          "there (%zu missing)",
          cluster.node[n].name, cluster.node[A].name, cluster.node[C].name,
          missing);
    cl_ids_free(&have);
    json_decref(all);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_ids on_a = {0}, on_c = {0};
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.bridge", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, 3) != 0)
        goto out;
    int closed = CL_SPARE_PORT(&cluster, 0);
    cluster.node[A].view_port[C] = closed;
    cluster.node[C].view_port[A] = closed;
    if (!CHECK(cl_write_confs(&cluster) == 0 && tl_port_free(closed),
               "A's and C's configs give each other port %d (closed)",
               closed) ||
        cl_start_all(&cluster) != 0)
        goto out;

    tl_section("writes on %s and on %s", cluster.node[A].name,
               cluster.node[C].name);
    CHECK(cl_create_many(&cluster.node[A], NWRITES, "Bridge", &on_a) == NWRITES,
          "%d creates on %s acknowledged", NWRITES, cluster.node[A].name);
    CHECK(cl_create_many(&cluster.node[C], NWRITES, "Bridge", &on_c) == NWRITES,
          "%d creates on %s acknowledged", NWRITES, cluster.node[C].name);
    CHECK(cl_create_many(&cluster.node[B], 5, "Bridge", NULL) == 5,
          "5 creates on %s acknowledged", cluster.node[B].name);
    CHECK(patch_after_arrival(A, &on_a, &on_c, "patched on A") == NPATCH,
          "%s patches %d of its participants once %s's arrive through %s",
          cluster.node[A].name, NPATCH, cluster.node[C].name,
          cluster.node[B].name);
    CHECK(patch_after_arrival(C, &on_c, &on_a, "patched on C") == NPATCH,
          "%s patches %d of its participants once %s's arrive through %s",
          cluster.node[C].name, NPATCH, cluster.node[A].name,
          cluster.node[B].name);

    tl_section("convergence through %s", cluster.node[B].name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all three: equal digest, version vector and /v1/stats");
    for (size_t n = 0; n < 3; n++)
        check_has_all(n, &on_a, &on_c);
    check_link_down(A, C);
    check_link_down(C, A);
    json_t *r = cl_replication(&cluster.node[B]);
    CHECK(cl_peer_counter(r, cluster.node[A].name, "applied", NULL) > 0 &&
              cl_peer_counter(r, cluster.node[C].name, "applied", NULL) > 0,
          "%s applied changes from both sides", cluster.node[B].name);
    json_decref(r);
    json_t *p = NULL;
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", on_c.id[0]);
    for (size_t n = 0; n < 3; n++) {
        p = cl_get_json(&cluster.node[n], path);
        const char *avail =
            json_string_value(json_object_get(p, "availability"));
        const char *notes = json_string_value(json_object_get(p, "notes"));
        CHECK(avail && strcmp(avail, "patched on C") == 0,
              "%s: a participant of %s shows the patch made on %s",
              cluster.node[n].name, cluster.node[C].name, cluster.node[C].name);
        /* Her notes are sealed to her home: readable there alone. */
        CHECK(n == C ? notes && strcmp(notes, "patched on C") == 0 : !notes,
              "%s: her notes %s", cluster.node[n].name,
              n == C ? "in clear" : "not shown");
        json_decref(p);
    }
out:
    cl_ids_free(&on_a);
    cl_ids_free(&on_c);
    cl_destroy(&cluster);
    return tl_summary();
}
