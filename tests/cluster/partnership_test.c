/*
 * partnership_test — conflicting proposals made on two sides of a
 * partition never both become active (DESIGN §9), on three real nodes.
 *
 * A (copenhagen) is home of mentee M, B (aarhus) of mentor R (capacity 1),
 * C (esbjerg) of mentee M2. Partition {A} | {B, C} (each side's configs
 * give the other side's replication ports as closed ones):
 *   - on A: P1 = (M, R) proposed; A reserves M's side; A may not reserve
 *     R's (403), nor move R (403);
 *   - on B: P2 = (M, R) proposed; B reserves R's side;
 *   - on C: P3 = (M2, R) proposed; C reserves M2's side; on B, R's side
 *     of P3 is refused: R's one slot is P2's (409).
 * Heal. P1 and P2 each hold one side; neither can complete: A may not
 * reserve M for P2 (her slot is P1's) and B may not reserve R for P1 (hers
 * is P2's), both 409. A declines P2, which frees R; B reserves P1: active.
 * Then M2 moves to B: C may no longer answer for her (403), and her slot
 * (P3's reservation) moved with her: B may not reserve her with another
 * mentor R3 (409; the same pair again is refused at once, 409). On every node:
 * the same digest, P1 active, P2 declined, and at most one reserved or active
 * partnership per mentee, none over capacity.
 *
 * Usage: cluster_partnership MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 120
#define A 0
#define B 1
#define C 2
#define CONVERGE_MS 30000

static cl_cluster cluster;
static char M[33], R[33], M2[33], R3[33];

/* POST path with body (may be NULL) on node n; status, and the JSON's
 * string at key (if out). */
static long
post(size_t n, const char *path, const char *body, const char *key, char *out,
     size_t cap) {
    tl_resp r;
    char full[256];
    snprintf(full, sizeof full, "/v1%s", path);
    long st = cl_write(&cluster.node[n], "POST", full,
                       body ? "application/json" : NULL, body,
                       body ? strlen(body) : 0, CL_503_RETRY_MS, &r);
    const char *z = json_string_value(json_object_get(r.json, key ? key : ""));
    if (out)
        snprintf(out, cap, "%s", z ? z : "");
    tl_resp_release(&r);
    return st;
}

/* Propose (mentee, mentor) on node n; OUT: id. The status. */
static long
propose(size_t n, const char *mentee, const char *mentor, char id[33]) {
    char body[128];
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             mentee, mentor);
    return post(n, "/partnerships", body, "id", id, 33);
}

/* POST /partnerships/id/action on n; the status, and the error code or
 * the new state in what. */
static long
action(size_t n, const char *id, const char *verb, const char *body,
       char what[64]) {
    char path[128];
    tl_resp r;
    snprintf(path, sizeof path, "/v1/partnerships/%s/%s", id, verb);
    long st = cl_write(&cluster.node[n], "POST", path,
                       body ? "application/json" : NULL, body,
                       body ? strlen(body) : 0, CL_503_RETRY_MS, &r);
    json_t *err = json_object_get(r.json, "error");
    const char *z = json_string_value(err ? json_object_get(err, "code")
                                          : json_object_get(r.json, "state"));
    snprintf(what, 64, "%s", z ? z : "");
    tl_resp_release(&r);
    return st;
}

static void
expect(size_t n, const char *id, const char *verb, long want_status,
       const char *want) {
    char what[64];
    long st = action(n, id, verb, NULL, what);
    CHECK(st == want_status && strcmp(what, want) == 0,
          "%s on %s: %ld %s (want %ld %s)", verb, cluster.node[n].name, st,
          what, want_status, want);
}

static const char *
state_on(size_t n, const char *id, char out[32]) {
    char path[128];
    snprintf(path, sizeof path, "/v1/partnerships/%s", id);
    json_t *p = cl_get_json(&cluster.node[n], path);
    const char *z = json_string_value(json_object_get(p, "state"));
    snprintf(out, 32, "%s", z ? z : "(none)");
    json_decref(p);
    return out;
}

/* Cut {A} from {B, C} (cut) or heal: restart every node with configs
 * that give the other side's ports as closed ones, or the real ones. */
static bool
set_partition(bool cut) {
    for (size_t i = 0; i < 3; i++)
        cl_stop(&cluster, i);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            cluster.node[i].view_port[j] =
                cut && (i == A) != (j == A)
                    ? CL_SPARE_PORT(&cluster, (int)(3 * i + j))
                    : 0;
    return cl_write_confs(&cluster) == 0 && cl_start_all(&cluster) == 0;
}

/* Slots on node n: each mentee in at most one reserved or active
 * partnership with her side reserved, each mentor within capacity 1. */
static void
check_slots(size_t n) {
    json_t *page = cl_get_json(&cluster.node[n], "/v1/partnerships?limit=500");
    json_t *items = json_object_get(page, "items");
    const char *who[3] = {M, M2, R};
    const char *side[3] = {"mentee_side", "mentee_side", "mentor_side"};
    const char *ref[3] = {"mentee_id", "mentee_id", "mentor_id"};
    for (int w = 0; w < 3; w++) {
        int held = 0;
        size_t k;
        json_t *p;
        json_array_foreach(items, k, p) {
            const char *st = json_string_value(json_object_get(p, "state"));
            const char *id = json_string_value(json_object_get(p, ref[w]));
            const char *ans = json_string_value(
                json_object_get(json_object_get(p, side[w]), "answer"));
            held += st && id && ans && strcmp(id, who[w]) == 0 &&
                    strcmp(ans, "reserved") == 0 &&
                    (strcmp(st, "reserved") == 0 || strcmp(st, "active") == 0);
        }
        CHECK(held <= 1, "%s: participant %d holds %d slots (at most 1)",
              cluster.node[n].name, w, held);
    }
    json_decref(page);
}

static int
setup_people(void) {
    tl_section("homes: M on A, R (capacity 1) on B, M2 on C");
    if (!CHECK(
            cl_create_participant(&cluster.node[A],
                                  "{\"role\":\"mentee\",\"given_name\":\"M\","
                                  "\"family_name\":\"One\"}",
                                  M) == 201 &&
                cl_create_participant(
                    &cluster.node[B],
                    "{\"role\":\"mentor\",\"given_name\":\"R\","
                    "\"family_name\":\"Two\",\"capacity\":1}",
                    R) == 201 &&
                cl_create_participant(&cluster.node[C],
                                      "{\"role\":\"mentee\",\"given_name\":"
                                      "\"M2\",\"family_name\":\"Three\"}",
                                      M2) == 201,
            "created") ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return -1;
    return 0;
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    char p1[33], p2[33], p3[33], p4[33], s[32], what[64];
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.partnership", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, 3) != 0 ||
        cl_start_all(&cluster) != 0 || setup_people() != 0)
        goto out;

    tl_section("partition {A} | {B, C}: proposals on both sides");
    if (!CHECK(set_partition(true), "restarted partitioned"))
        goto out;
    CHECK(propose(A, M, R, p1) == 201, "P1 (M, R) proposed on A");
    expect(A, p1, "reserve", 200, "reserved");
    char path[128];
    snprintf(path, sizeof path, "/participants/%s/transfer", R);
    CHECK(post(A, path, "{\"to\":\"copenhagen\"}", NULL, NULL, 0) == 403,
          "A may not move B's mentor: 403");
    CHECK(propose(B, M, R, p2) == 201, "P2 (M, R) proposed on B");
    expect(B, p2, "reserve", 200, "reserved");
    CHECK(propose(C, M2, R, p3) == 201, "P3 (M2, R) proposed on C");
    expect(C, p3, "reserve", 200, "reserved");
    /* B learns P3 from C (same side of the partition). */
    for (int i = 0; i < 100 && strcmp(state_on(B, p3, s), "reserved"); i++)
        tl_sleep_ms(100);
    expect(B, p3, "reserve", 409, "capacity_full");
    CHECK(action(A, p2, "reserve", NULL, what) == 404,
          "A has not seen P2 yet: 404 (%s)", what);

    tl_section("heal: neither P1 nor P2 can become active");
    if (!CHECK(set_partition(false), "restarted whole") ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        goto out;
    expect(A, p2, "reserve", 409, "slot_taken");
    expect(B, p1, "reserve", 409, "capacity_full");
    expect(A, p1, "decline", 409, "illegal_transition");
    expect(A, p2, "decline", 200, "declined");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    expect(B, p1, "reserve", 200, "active");

    tl_section("M2 moves to B: her slot moves with her");
    snprintf(path, sizeof path, "/participants/%s/transfer", M2);
    CHECK(post(B, path, "{\"to\":\"aarhus\"}", NULL, NULL, 0) == 403,
          "B may not move C's mentee: 403");
    CHECK(post(C, path, "{\"to\":\"aarhus\"}", "home_division", s, sizeof s) ==
                  200 &&
              strcmp(s, "aarhus") == 0,
          "C moves M2 to aarhus");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    CHECK(propose(C, M2, R, p4) == 409, "(M2, R) again: P3 is open, 409");
    CHECK(cl_create_participant(&cluster.node[B],
                                "{\"role\":\"mentor\",\"given_name\":\"R3\","
                                "\"family_name\":\"Four\",\"capacity\":1}",
                                R3) == 201,
          "R3 created on B");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    CHECK(propose(C, M2, R3, p4) == 201, "P4 (M2, R3) proposed on C");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    expect(C, p4, "reserve", 403, "not_home");
    expect(B, p4, "reserve", 409, "slot_taken");

    tl_section("every node: the same state, slots within bounds");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    for (size_t n = 0; n < 3; n++) {
        CHECK(strcmp(state_on(n, p1, s), "active") == 0, "%s: P1 %s",
              cluster.node[n].name, s);
        CHECK(strcmp(state_on(n, p2, s), "declined") == 0, "%s: P2 %s",
              cluster.node[n].name, s);
        CHECK(strcmp(state_on(n, p3, s), "reserved") == 0, "%s: P3 %s",
              cluster.node[n].name, s);
        check_slots(n);
    }
out:
    cl_destroy(&cluster);
    return tl_summary();
}
