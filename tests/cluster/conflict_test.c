/*
 * conflict_test — concurrent edits made during a partition resolve to the
 * same winner everywhere, and the conflict list is the same on every node.
 *
 * Three nodes A (copenhagen), B (aarhus), C (esbjerg). A creates X; all
 * converge. Then a partition by stopping nodes (SIGTERM), so that each
 * node writes alone:
 *
 *   stop C and B; on A: X.notes = "from A", X.profession = ...; stop A;
 *   start B alone;  on B: X.notes = "from B", X.sector = ...;  stop B;
 *   start C alone;  on C: X.notes = "from C";
 *   start A and B: the partition heals.
 *
 * No write saw another, so the three are concurrent. After healing: all
 * three converge; X is the same on all three; notes holds C's value (the
 * latest hybrid clock wins: C wrote last), profession and sector
 * (different fields) both survive; GET /v1/conflicts on every node lists
 * "from A" and "from B" for X's notes, in that order, each losing to C,
 * and the three conflict lists are equal whatever order each node received
 * the writes in. "original", which every writer saw, is not listed, nor is
 * anything for profession or sector. (Only fields any division may edit
 * are used: personal details are changed only on the participant's home
 * node.) A restart of A passes the start-up check (the digest covers the
 * list) and lists the same. Then a write on B that has seen all three
 * clears X's notes list everywhere. Last, a PATCH of X's personal details on B
 * or C is refused with 403 and changes nothing, while the same PATCH on A is
 * taken.
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
static char x[33];

static long
patch(size_t n, const char *json) {
    return cl_patch_participant(&cluster.node[n], x, json);
}

static json_t *
participant(size_t n) {
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", x);
    json_t *p = cl_get_json(&cluster.node[n], path);
    json_object_del(p, "updated_at"); /* compare what was written */
    return p;
}

/* The conflicts listed for X's field on node n. */
static json_t *
conflicts_for(size_t n, const char *field, json_t **all) {
    json_t *list = cl_get_json(&cluster.node[n], "/v1/conflicts?limit=500");
    json_t *items = json_object_get(list, "items");
    json_t *mine = json_array();
    size_t k;
    json_t *c;
    json_array_foreach(items, k, c) {
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *f = json_string_value(json_object_get(c, "field"));
        if (id && f && strcmp(id, x) == 0 && strcmp(f, field) == 0)
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

static int
partition(void) {
    tl_section("A creates X; all three converge");
    if (!CHECK(cl_create_participant(&cluster.node[A],
                                     "{\"role\":\"mentee\",\"given_name\":"
                                     "\"Conflict\",\"family_name\":\"X\","
                                     "\"notes\":\"original\"}",
                                     x) == 201,
               "X created on %s", cluster.node[A].name) ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return -1;

    tl_section("partition: only A runs, then only B, then only C");
    CHECK(cl_stop(&cluster, C) == 0 && cl_stop(&cluster, B) == 0,
          "C and B stop");
    CHECK(patch(A, "{\"notes\":\"from A\",\"profession\":\"nurse\"}") == 200,
          "on A alone: notes = \"from A\", profession set");
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    if (cl_start(&cluster, B) != 0)
        return -1;
    /* Its peers are all down: writes open after its start-up grace. */
    long st = patch(B, "{\"notes\":\"from B\",\"sector\":\"health\"}");
    CHECK(st == 200, "on B alone: notes = \"from B\", sector set (%ld)", st);
    json_t *p = participant(B);
    const char *notes = json_string_value(json_object_get(p, "notes"));
    CHECK(notes && strcmp(notes, "from B") == 0 &&
              json_is_null(json_object_get(p, "profession")),
          "B has not seen A's write");
    json_decref(p);
    CHECK(cl_stop(&cluster, B) == 0, "B stops");
    if (cl_start(&cluster, C) != 0)
        return -1;
    st = patch(C, "{\"notes\":\"from C\"}");
    CHECK(st == 200, "on C alone: notes = \"from C\" (%ld)", st);

    tl_section("the partition heals");
    return cl_start(&cluster, A) == 0 && cl_start(&cluster, B) == 0 ? 0 : -1;
}

/* X's notes conflicts on node n are "from A", "from B", each losing to C. */
static bool
notes_listed_right(json_t *notes) {
    static const size_t losers[] = {A, B};
    if (json_array_size(notes) != 2)
        return false;
    for (size_t i = 0; i < 2; i++) {
        json_t *c = json_array_get(notes, i);
        const char *want = losers[i] == A ? "from A" : "from B";
        if (strcmp(path_str(c, "loser", "value"), want) != 0 ||
            strcmp(path_str(c, "loser", "division"),
                   cluster.node[losers[i]].name) != 0 ||
            strcmp(path_str(c, "winner", "division"), cluster.node[C].name))
            return false;
    }
    return true;
}

static void
after_healing(void) {
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all three: equal digest, version vector and /v1/stats");
    json_t *p[3], *all[3], *notes[3];
    for (size_t n = 0; n < 3; n++)
        p[n] = participant(n);
    CHECK(p[0] && json_equal(p[0], p[1]) && json_equal(p[0], p[2]),
          "X is the same on all three");
    const char *winner = json_string_value(json_object_get(p[0], "notes"));
    CHECK(winner && strcmp(winner, "from C") == 0,
          "notes: the latest write wins everywhere (\"%s\")",
          winner ? winner : "(none)");
    CHECK(json_is_string(json_object_get(p[0], "profession")) &&
              json_is_string(json_object_get(p[0], "sector")),
          "profession (from A) and sector (from B) both survive");
    for (size_t n = 0; n < 3; n++) {
        notes[n] = conflicts_for(n, "notes", &all[n]);
        CHECK(notes_listed_right(notes[n]),
              "%s: /v1/conflicts lists \"from A\" and \"from B\" losing "
              "X's notes to %s",
              cluster.node[n].name, cluster.node[C].name);
        json_t *other = conflicts_for(n, "profession", NULL);
        json_t *other2 = conflicts_for(n, "sector", NULL);
        CHECK(json_array_size(other) == 0 && json_array_size(other2) == 0,
              "%s: nothing listed for profession or sector",
              cluster.node[n].name);
        json_decref(other);
        json_decref(other2);
    }
    CHECK(all[0] && json_equal(all[0], all[1]) && json_equal(all[0], all[2]),
          "the three conflict lists are equal");
    for (size_t n = 0; n < 3; n++) {
        json_decref(p[n]);
        json_decref(all[n]);
        json_decref(notes[n]);
    }
}

/* A restart checks the store, digest with the list included, and the
 * list is the same after it. */
static void
restart(void) {
    tl_section("a restart: the start-up check covers the list");
    json_t *before = conflicts_for(A, "notes", NULL), *after;
    CHECK(cl_stop(&cluster, A) == 0 && cl_start(&cluster, A) == 0,
          "%s restarts (its store passes the start-up check)",
          cluster.node[A].name);
    after = conflicts_for(A, "notes", NULL);
    CHECK(json_array_size(before) == 2 && json_equal(before, after),
          "%s lists the same conflicts after it", cluster.node[A].name);
    json_decref(before);
    json_decref(after);
}

/* A write on B, which has seen all three values, settles X's notes: the
 * list empties on every node. */
static void
settled(void) {
    tl_section("a write that saw every value clears the list");
    CHECK(patch(B, "{\"notes\":\"settled\"}") == 200,
          "on %s: notes = \"settled\"", cluster.node[B].name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "the three agree");
    for (size_t n = 0; n < 3; n++) {
        json_t *notes = conflicts_for(n, "notes", NULL);
        CHECK(json_array_size(notes) == 0, "%s: nothing listed for notes",
              cluster.node[n].name);
        json_decref(notes);
    }
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
        settled();
        owner_only();
    }
    cl_destroy(&cluster);
    return tl_summary();
}
