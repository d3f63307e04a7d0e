/*
 * conflict_test — concurrent edits made during a partition resolve to the
 * same winner everywhere, and the conflict list is the same on every node.
 *
 * Three nodes A (copenhagen), B (aarhus), C (esbjerg). A creates
 * participant X, a sub-network S and X's membership M of S; all converge.
 * Then a partition by stopping nodes (SIGTERM), so that each node writes
 * alone. Every field of a participant is her home's (README
 * "Compartments"), so the concurrent writes are to M's left_at, which any
 * division writes (a leave):
 *
 *   stop C and B; on A: X leaves S (M.left_at = tA); stop A;
 *   start B alone;  on B: X leaves S (tB);  stop B;
 *   start C alone;  on C: X leaves S (tC);
 *   start A and B: the partition heals.
 *
 * No write saw another, so the three are concurrent. After healing: all
 * three converge; X and S's members are the same on all three; GET
 * /v1/conflicts on every node lists A's and B's left_at for M, in that
 * order, each losing to C (the latest hybrid clock wins: C wrote last),
 * and the three conflict lists are equal whatever order each node received
 * the writes in. A restart of A passes the start-up check (the digest
 * covers the list) and lists the same. Last, a PATCH of X's personal
 * details on B or C is refused with 403 and changes nothing, while the
 * same PATCH on A is taken.
 *
 * Usage: cluster_conflict MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 90
#define A 0
#define B 1
#define C 2
#define CONVERGE_MS 30000

static cl_cluster cluster;
static char x[33], sub[33], mem[33];

static long
patch(size_t n, const char *json) {
    return cl_patch_participant(&cluster.node[n], x, json);
}

/* GET /v1/<what>/<id><tail> on node n, without updated_at. */
static json_t *
get_path(size_t n, const char *what, const char *id, const char *tail) {
    char path[160];
    snprintf(path, sizeof path, "/v1/%s/%s%s", what, id, tail);
    json_t *p = cl_get_json(&cluster.node[n], path);
    json_object_del(p, "updated_at"); /* compare what was written */
    return p;
}

/* The conflicts listed for M's left_at on node n. */
static json_t *
conflicts_for(size_t n, json_t **all) {
    json_t *list = cl_get_json(&cluster.node[n], "/v1/conflicts?limit=500");
    json_t *items = json_object_get(list, "items");
    json_t *mine = json_array();
    size_t k;
    json_t *c;
    json_array_foreach(items, k, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *f = json_string_value(json_object_get(c, "field"));
        if (id && f && strcmp(id, mem) == 0 && strcmp(f, "left_at") == 0)
            json_array_append(mine, c);
    }
    if (all)
        *all = items ? json_incref(items) : NULL;
    json_decref(list);
    return mine;
}

static const char *
path_str(json_t *o, const char *a, const char *b) {
    const char *z =
        json_string_value(json_object_get(json_object_get(o, a), b));
    return z ? z : "";
}

/* POST body to path on node n; the answer's string key, into out. */
static long
post(size_t n, const char *path, const char *body, const char *key, char *out) {
    tl_resp r = {0};
    long st = cl_write(&cluster.node[n], "POST", path, "application/json", body,
                       strlen(body), CL_503_RETRY_MS, &r);
    const char *z = json_string_value(json_object_get(r.json, key));
    if (out)
        snprintf(out, 33, "%s", z ? z : "");
    tl_resp_release(&r);
    return st;
}

/* X leaves S through node n. */
static long
leave(size_t n) {
    char path[128], body[96];
    snprintf(path, sizeof path, "/v1/subnetworks/%s/leave", sub);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", x);
    return post(n, path, body, "subnetwork_id", NULL);
}

static int
setup_world(void) {
    char path[128], body[96];
    tl_section("A creates X, S and X's membership of S; all converge");
    if (!CHECK(cl_create_participant(&cluster.node[A],
                                     "{\"role\":\"mentee\",\"given_name\":"
                                     "\"Conflict\",\"family_name\":\"X\"}",
                                     x) == 201,
               "X created on %s", cluster.node[A].name) ||
        !CHECK(post(A, "/v1/subnetworks", "{\"name\":\"Literary circle\"}",
                    "id", sub) == 201,
               "S created on %s", cluster.node[A].name))
        return -1;
    snprintf(path, sizeof path, "/v1/subnetworks/%s/members", sub);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", x);
    if (!CHECK(post(A, path, body, "id", mem) == 201, "X joins S on %s",
               cluster.node[A].name) ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return -1;
    return 0;
}

static int
partition(void) {
    if (setup_world() != 0)
        return -1;
    tl_section("partition: only A runs, then only B, then only C");
    CHECK(cl_stop(&cluster, C) == 0 && cl_stop(&cluster, B) == 0,
          "C and B stop");
    CHECK(leave(A) == 200, "on A alone: X leaves S");
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    if (cl_start(&cluster, B) != 0)
        return -1;
    /* Its peers are all down: writes open after its start-up grace. */
    long st = leave(B);
    CHECK(st == 200, "on B alone: X leaves S (%ld)", st);
    CHECK(cl_stop(&cluster, B) == 0, "B stops");
    if (cl_start(&cluster, C) != 0)
        return -1;
    st = leave(C);
    CHECK(st == 200, "on C alone: X leaves S (%ld)", st);

    tl_section("the partition heals");
    return cl_start(&cluster, A) == 0 && cl_start(&cluster, B) == 0 ? 0 : -1;
}

/* M's left_at conflicts on a node: A's then B's, each losing to C, A's
 * time before B's. */
static bool
listed_right(json_t *list) {
    static const size_t losers[] = {A, B};
    if (json_array_size(list) != 2)
        return false;
    for (size_t i = 0; i < 2; i++) {
        json_t *c = json_array_get(list, i);
        if (strcmp(path_str(c, "loser", "division"),
                   cluster.node[losers[i]].name) != 0 ||
            strcmp(path_str(c, "winner", "division"), cluster.node[C].name))
            return false;
    }
    json_t *a = json_object_get(
        json_object_get(json_array_get(list, 0), "loser"), "value");
    json_t *b = json_object_get(
        json_object_get(json_array_get(list, 1), "loser"), "value");
    return json_is_integer(a) && json_is_integer(b) &&
           json_integer_value(a) < json_integer_value(b);
}

static void
after_healing(void) {
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all three: equal digest, version vector and /v1/stats");
    json_t *p[3], *m[3], *all[3], *left[3];
    for (size_t n = 0; n < 3; n++) {
        p[n] = get_path(n, "participants", x, "");
        m[n] = get_path(n, "subnetworks", sub, "/members");
    }
    /* Her name is sealed to A: shown there, and nowhere else. */
    CHECK(p[1] && json_equal(p[1], p[2]), "X is the same on B and C");
    const char *name = json_string_value(json_object_get(p[0], "given_name"));
    CHECK(p[0] &&
              json_equal(json_object_get(p[0], "status"),
                         json_object_get(p[1], "status")) &&
              name && strcmp(name, "Conflict") == 0 &&
              json_is_null(json_object_get(p[1], "given_name")),
          "X's name shows on A alone");
    CHECK(m[0] && json_equal(m[0], m[1]) && json_equal(m[0], m[2]) &&
              json_integer_value(json_object_get(m[0], "count")) == 0,
          "S's members are the same on all three: none");
    for (size_t n = 0; n < 3; n++) {
        left[n] = conflicts_for(n, &all[n]);
        CHECK(listed_right(left[n]),
              "%s: /v1/conflicts lists A's and B's leave losing M's left_at "
              "to %s",
              cluster.node[n].name, cluster.node[C].name);
    }
    CHECK(all[0] && json_equal(all[0], all[1]) && json_equal(all[0], all[2]),
          "the three conflict lists are equal");
    for (size_t n = 0; n < 3; n++) {
        json_decref(p[n]);
        json_decref(m[n]);
        json_decref(all[n]);
        json_decref(left[n]);
    }
}

/* A restart checks the store, digest with the list included, and the
 * list is the same after it. */
static void
restart(void) {
    tl_section("a restart: the start-up check covers the list");
    json_t *before = conflicts_for(A, NULL), *after;
    CHECK(cl_stop(&cluster, A) == 0 && cl_start(&cluster, A) == 0,
          "%s restarts (its store passes the start-up check)",
          cluster.node[A].name);
    after = conflicts_for(A, NULL);
    CHECK(json_array_size(before) == 2 && json_equal(before, after),
          "%s lists the same conflicts after it", cluster.node[A].name);
    json_decref(before);
    json_decref(after);
}

/* Personal details of X (home A) are changed only on A: B answers 403
 * and nothing changes anywhere. */
static void
owner_only(void) {
    char before[65], after[65];
    tl_section("personal details are changed only on the home node");
    cl_digest(&cluster.node[A], before, NULL);
    CHECK(patch(B, "{\"email\":\"other@example.org\"}") == 403,
          "PATCH of X's e-mail on %s: 403", cluster.node[B].name);
    CHECK(patch(C, "{\"given_name\":\"Other\"}") == 403,
          "PATCH of X's given name on %s: 403", cluster.node[C].name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "the three still agree");
    cl_digest(&cluster.node[A], after, NULL);
    CHECK(strcmp(before, after) == 0, "nothing changed (digest %.16s)", after);
    CHECK(patch(A, "{\"email\":\"x@example.org\"}") == 200,
          "the same PATCH on the home node %s: 200", cluster.node[A].name);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.conflict", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, 3) == 0 &&
        cl_start_all(&cluster) == 0 && partition() == 0) {
        after_healing();
        restart();
        owner_only();
    }
    cl_destroy(&cluster);
    return tl_summary();
}
