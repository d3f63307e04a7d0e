/*
 * members_test — sub-network memberships are an add-wins observed-remove
 * set (state/membership.h) on real nodes: a leave and a concurrent join
 * resolve to "member" everywhere, and leave then rejoin works across
 * divisions.
 *
 * Three nodes A (copenhagen), B (aarhus), C (esbjerg). A creates
 * participant P and sub-network S and joins P to S (tag t1); all converge
 * and every node lists P. Then a partition by stopping nodes, so that no
 * write sees the other:
 *
 *   stop C and B; on A: P leaves S (t1 marked left); stop A;
 *   start B alone:  P leaves S (t1, as B holds it) and joins again (t2);
 *   start A and C: the partition heals.
 *
 * A's leave never saw t2, so t2 survives it: after healing every node has
 * the same digest and lists P as a member, once, and the same conflict
 * (the two leaves' values of t1's left_at, by that field's name). Last, P
 * leaves on C (a division that holds neither tag's owner) and every node lists
 * no one; then she rejoins on A (a new tag) and every node lists her again.
 *
 * Usage: cluster_members MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 100
#define A 0
#define B 1
#define C 2
#define CONVERGE_MS 30000

static cl_cluster cluster;
static char p[33], s[33];

/* POST body {"participant_id": P} to /v1/subnetworks/S/<action> on node n;
 * the status. OUT: *answer (new reference) when not NULL. */
static long
member_post(size_t n, const char *action, json_t **answer) {
    char path[128], body[64];
    tl_resp r;
    snprintf(path, sizeof path, "/v1/subnetworks/%s/%s", s, action);
    snprintf(body, sizeof body, "{\"participant_id\":\"%s\"}", p);
    long st = cl_write(&cluster.node[n], "POST", path, "application/json", body,
                       strlen(body), CL_503_RETRY_MS, &r);
    if (answer)
        *answer = r.json ? json_incref(r.json) : NULL;
    tl_resp_release(&r);
    return st;
}

/* Node n's members list of S (new reference, NULL if it did not answer). */
static json_t *
members(size_t n) {
    char path[128];
    snprintf(path, sizeof path, "/v1/subnetworks/%s/members", s);
    return cl_get_json(&cluster.node[n], path);
}

/* Does every node list exactly want members, P among them when want is
 * 1, and the same list? */
static void
check_everywhere(size_t want, const char *what) {
    json_t *first = members(A);
    for (size_t n = 0; n < 3; n++) {
        json_t *m = n == A ? json_incref(first) : members(n);
        json_t *items = json_object_get(m, "items");
        const char *who = json_string_value(
            json_object_get(json_array_get(items, 0), "participant_id"));
        CHECK(json_array_size(items) == want &&
                  (want == 0 || (who && strcmp(who, p) == 0)),
              "%s: %s (%zu listed)", cluster.node[n].name, what,
              json_array_size(items));
        CHECK(m && json_equal(m, first), "%s lists what %s lists",
              cluster.node[n].name, cluster.node[A].name);
        json_decref(m);
    }
    json_decref(first);
}

static int
setup(void) {
    tl_section("A creates P and S, P joins S; all three converge");
    json_t *j = NULL;
    tl_resp r;
    static const char sub[] = "{\"name\":\"Writers' workshop\"}";
    if (!CHECK(cl_create_participant(&cluster.node[A],
                                     "{\"role\":\"mentee\",\"given_name\":"
                                     "\"Member\",\"family_name\":\"P\"}",
                                     p) == 201,
               "P created"))
        return -1;
    long st =
        cl_write(&cluster.node[A], "POST", "/v1/subnetworks",
                 "application/json", sub, strlen(sub), CL_503_RETRY_MS, &r);
    const char *id = json_string_value(json_object_get(r.json, "id"));
    if (id)
        snprintf(s, sizeof s, "%s", id);
    tl_resp_release(&r);
    if (!CHECK(st == 201 && s[0], "S created (%ld)", st))
        return -1;
    CHECK(member_post(A, "members", &j) == 201, "P joins S on A");
    json_decref(j);
    if (!CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return -1;
    check_everywhere(1, "P is a member");
    return 0;
}

static int
partition(void) {
    json_t *j = NULL;
    tl_section("partition: A alone leaves; then B alone leaves and rejoins");
    CHECK(cl_stop(&cluster, C) == 0 && cl_stop(&cluster, B) == 0,
          "C and B stop");
    CHECK(member_post(A, "leave", &j) == 200 &&
              json_integer_value(json_object_get(j, "left")) == 1,
          "on A alone: P leaves (one tag)");
    json_decref(j);
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    if (cl_start(&cluster, B) != 0)
        return -1;
    CHECK(member_post(B, "leave", &j) == 200 &&
              json_integer_value(json_object_get(j, "left")) == 1,
          "on B alone: P leaves (the tag B holds: A's leave is unseen)");
    json_decref(j);
    CHECK(member_post(B, "members", &j) == 201, "on B alone: P joins again");
    json_decref(j);
    tl_section("the partition heals");
    return cl_start(&cluster, A) == 0 && cl_start(&cluster, C) == 0 ? 0 : -1;
}

/* Both leaves wrote t1's left_at, concurrently: one value wins and the
 * other is listed, under the membership's field name, on every node. */
static void
check_left_at_conflict(void) {
    json_t *first = cl_get_json(&cluster.node[A], "/v1/conflicts");
    json_t *item = json_array_get(json_object_get(first, "items"), 0);
    const char *field = json_string_value(json_object_get(item, "field"));
    CHECK(json_array_size(json_object_get(first, "items")) == 1 && field &&
              strcmp(field, "left_at") == 0,
          "one conflict listed: t1's left_at");
    for (size_t n = 1; n < 3; n++) {
        json_t *other = cl_get_json(&cluster.node[n], "/v1/conflicts");
        CHECK(other && json_equal(first, other), "%s lists the same conflict",
              cluster.node[n].name);
        json_decref(other);
    }
    json_decref(first);
}

static void
after_healing(void) {
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all three: equal digest, version vector and /v1/stats");
    check_everywhere(1, "add wins: P is a member, once");
    check_left_at_conflict();
}

static void
leave_then_rejoin(void) {
    json_t *j = NULL;
    tl_section("leave on C, then rejoin on A");
    CHECK(member_post(C, "leave", &j) == 200 &&
              json_integer_value(json_object_get(j, "left")) == 1,
          "on C: P leaves (the one live tag)");
    json_decref(j);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    check_everywhere(0, "no members");
    CHECK(member_post(A, "members", &j) == 201, "on A: P joins again");
    json_decref(j);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    check_everywhere(1, "P is a member again");
}

/* S is changed only on its division's node: B answers 403 and changes
 * nothing; A takes the same PATCH. */
static void
owner_only(void) {
    char path[128], before[65], after[65];
    static const char body[] = "{\"theme\":\"short stories\"}";
    tl_resp r;
    tl_section("a sub-network is changed only on its division's node");
    snprintf(path, sizeof path, "/v1/subnetworks/%s", s);
    cl_digest(&cluster.node[B], before, NULL);
    long st = cl_http(&cluster.node[B], "PATCH", path, "application/json", body,
                      strlen(body), &r);
    const char *code = json_string_value(
        json_object_get(json_object_get(r.json, "error"), "code"));
    CHECK(st == 403 && code && strcmp(code, "not_home") == 0,
          "PATCH of S on %s: 403 not_home (%ld)", cluster.node[B].name, st);
    tl_resp_release(&r);
    cl_digest(&cluster.node[B], after, NULL);
    CHECK(strcmp(before, after) == 0, "nothing changed on %s",
          cluster.node[B].name);
    st = cl_write(&cluster.node[A], "PATCH", path, "application/json", body,
                  strlen(body), CL_503_RETRY_MS, &r);
    tl_resp_release(&r);
    CHECK(st == 200, "the same PATCH on %s: 200", cluster.node[A].name);
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.members", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, 3) == 0 &&
        cl_start_all(&cluster) == 0 && setup() == 0 && partition() == 0) {
        after_healing();
        leave_then_rejoin();
        owner_only();
    }
    cl_destroy(&cluster);
    return tl_summary();
}
