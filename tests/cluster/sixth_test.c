/*
 * sixth_test — a sixth division is added by configuration alone.
 *
 * Five nodes run and hold data (an import on each). Then a sixth conf
 * (id 6, "bornholm", its own ports) is written into every node's config
 * directory and mentornetd --keygen makes its keys: no code, no other
 * change. The five are restarted one at a time (so they read the new
 * conf) and the sixth is started. Then:
 * - the sixth receives everything written before it existed;
 * - writes on the sixth reach all five;
 * - a write on an old node after that reaches the sixth;
 * - all six converge, every node lists the sixth as a connected peer and
 *   counts its participants under its name.
 *
 * Usage: cluster_sixth MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 120
#define NFIRST 5
#define NIMPORT 200 /* per original node */
#define NSIXTH 50   /* imported on the sixth */
#define CONVERGE_MS 30000

static cl_cluster cluster;

static int
first_five(void) {
    tl_section("five divisions import %d participants each", NIMPORT);
    if (cl_import_demo_each(&cluster, NFIRST, NIMPORT, 60) != 0)
        return -1;
    return CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "the five converge")
               ? 0
               : -1;
}

static int
add_sixth(void) {
    tl_section("a sixth division by configuration: a conf file and keys");
    int six = cl_add_node(&cluster);
    if (!CHECK(six == NFIRST,
               "the sixth conf is written into every "
               "config directory and its keys made (%s, id %u)",
               six >= 0 ? cluster.node[six].name : "?",
               six >= 0 ? cluster.node[six].id : 0))
        return -1;
    for (size_t i = 0; i < NFIRST; i++) {
        int st = cl_stop(&cluster, i);
        if (!CHECK(st == 0 && cl_start(&cluster, i) == 0,
                   "%s restarts and reads the new conf", cluster.node[i].name))
            return -1;
    }
    return cl_start(&cluster, (size_t)six);
}

/* How many participants of division `name` does node n list? */
static size_t
count_division(size_t n, const char *name) {
    size_t total = 0;
    json_t *all = cl_list_all(&cluster.node[n]);
    size_t k;
    json_t *p;
    json_array_foreach(all, k, p) {
        const char *d = json_string_value(json_object_get(p, "home_division"));
        total += d && strcmp(d, name) == 0;
    }
    json_decref(all);
    return total;
}

static void
sixth_writes(void) {
    const size_t six = NFIRST;
    const cl_node *s = &cluster.node[six];
    char id[33];
    tl_section("the sixth catches up and writes");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all six converge: the sixth has everything written before it "
          "existed");
    json_t *st = cl_get_json(s, "/v1/stats?verify=true");
    CHECK(json_integer_value(json_object_get(st, "total")) ==
                  NFIRST * NIMPORT &&
              json_is_true(json_object_get(st, "verified")),
          "%s: total %lld, verified", s->name,
          (long long)json_integer_value(json_object_get(st, "total")));
    json_decref(st);
    long got = cl_import_demo(&cluster, six, NSIXTH, 66);
    CHECK(got == NSIXTH, "%s imported %ld", s->name, got);
    CHECK(cl_create_participant(s,
                                "{\"role\":\"mentor\",\"given_name\":"
                                "\"Sixth\",\"family_name\":\"Division\"}",
                                id) == 201,
          "a create on %s", s->name);
    CHECK(cl_create_participant(&cluster.node[0],
                                "{\"role\":\"mentee\",\"given_name\":"
                                "\"After\",\"family_name\":\"Sixth\"}",
                                id) == 201,
          "a create on %s after that", cluster.node[0].name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all six converge");
    for (size_t n = 0; n <= six; n++) {
        size_t c = count_division(n, s->name);
        json_t *r = cl_replication(&cluster.node[n]);
        json_t *stats = cl_get_json(&cluster.node[n], "/v1/stats");
        json_t *div =
            json_object_get(json_object_get(stats, "divisions"), s->name);
        bool linked =
            n == six || cl_peer_counter(r, s->name, "connected", NULL) == 1;
        CHECK(c == NSIXTH + 1 && linked &&
                  json_integer_value(json_object_get(div, "total")) ==
                      NSIXTH + 1,
              "%s: lists %zu participants of %s, counts them under its "
              "name, %s",
              cluster.node[n].name, c, s->name,
              n == six ? "(itself)"
              : linked ? "connected to it"
                       : "NOT connected to it");
        json_decref(r);
        json_decref(stats);
    }
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.sixth", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NFIRST) == 0 &&
        cl_start_all(&cluster) == 0 && first_five() == 0 && add_sixth() == 0)
        sixth_writes();
    cl_destroy(&cluster);
    return tl_summary();
}
