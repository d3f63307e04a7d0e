/*
 * matching_test — two nodes at the same version vector compute the same
 * plan (match/plan.h): a plan and suggestions are functions of the
 * replicated state alone, on five real nodes.
 *
 * Each division's demo data is imported on its own node. Once all five
 * have converged:
 * - POST /v1/matching/plan {"scope":"national"} on every node answers the
 *   same pairs (compared as sorted, compact JSON), total score, version
 *   vector and digest; the plan pairs across divisions, each mentee at
 *   most once, each mentor within her capacity, only waiting mentees and
 *   waiting or matched mentors, and its total is the sum of its pairs;
 * - the suggestions for one mentee are the same list on every node;
 * - {"scope":"division"} on node k plans only k's division, and node 0
 *   asked for k's division by name answers the same pairs.
 * Then one planned pair is proposed on another division's node; once
 * converged again every node's plan is again the same, without that
 * mentee, and every node refuses her suggestions (409 has_partnership).
 *
 * Usage: cluster_matching MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 130
#define NNODES 5
#define NIMPORT 300 /* per division: about 40 waiting mentees each */
#define CONVERGE_MS 60000
#define PLAN "/v1/matching/plan"
#define JSON_CTYPE "application/json"

static cl_cluster cluster;

/* ---- requests --------------------------------------------------------- */

/* POST body to the plan on node n: the answer if 200 (new reference). */
static json_t *
plan_on(size_t n, const char *body) {
    tl_resp r;
    long st = cl_http(&cluster.node[n], "POST", PLAN, JSON_CTYPE, body,
                      strlen(body), &r);
    json_t *j = st == 200 && r.json ? json_incref(r.json) : NULL;
    CHECK(j != NULL, "%s: POST %s %s: 200 (%ld)", cluster.node[n].name, PLAN,
          body, st);
    tl_resp_release(&r);
    return j;
}

/* j[key] as sorted, compact JSON (caller frees; "" when absent). */
static char *
dump(const json_t *j, const char *key) {
    const json_t *v = json_object_get(j, key);
    char *z = v ? json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT | JSON_ENCODE_ANY)
                : NULL;
    return z ? z : strdup("");
}

/* Do a and b hold the same keys[]? Each difference is a failed check. */
static bool
same(const json_t *a, const json_t *b, const char *const *keys,
     const char *what) {
    bool all = true;
    for (size_t i = 0; keys[i]; i++) {
        char *x = dump(a, keys[i]), *y = dump(b, keys[i]);
        all &=
            CHECK(x[0] && strcmp(x, y) == 0, "%s: the same %s", what, keys[i]);
        free(x);
        free(y);
    }
    return all;
}

/* ---- the participants, to check a plan against ------------------------- */

static json_t *everyone; /* node 0's participants, by id */

static int
load_everyone(void) {
    json_t *all = cl_list_all(&cluster.node[0]), *p;
    size_t k;
    everyone = json_object();
    json_array_foreach(all, k, p) {
        json_object_set(everyone, tl_str(p, "id"), p);
    }
    json_decref(all);
    return CHECK(json_object_size(everyone) == NNODES * NIMPORT,
                 "node 0 lists all %d participants", NNODES * NIMPORT)
               ? 0
               : -1;
}

static bool
is(const char *id, const char *role, const char *status) {
    const json_t *p = json_object_get(everyone, id);
    return p && strcmp(tl_str(p, "role"), role) == 0 &&
           strcmp(tl_str(p, "status"), status) == 0;
}

/* A plan's pairs: a waiting mentee once, a waiting or matched mentor within
 * her capacity (held: the slots proposals took, by mentor id), and a total
 * that is their sum. */
static void
check_plan(const json_t *j, const json_t *held, const char *what) {
    const json_t *pairs = json_object_get(j, "pairs"), *pair;
    json_t *mentees = json_object(), *taken = json_deep_copy(held);
    json_int_t total = 0;
    bool ok = true;
    size_t k;
    json_array_foreach(pairs, k, pair) {
        const char *a = tl_str(pair, "mentee_id");
        const char *b = tl_str(pair, "mentor_id");
        json_int_t n = json_integer_value(json_object_get(taken, b)) + 1;
        json_int_t cap = json_integer_value(
            json_object_get(json_object_get(everyone, b), "capacity"));
        ok &= is(a, "mentee", "waiting") && !json_object_get(mentees, a) &&
              (is(b, "mentor", "waiting") || is(b, "mentor", "matched")) &&
              n <= (cap ? cap : 1);
        json_object_set_new(mentees, a, json_true());
        json_object_set_new(taken, b, json_integer(n));
        total += json_integer_value(json_object_get(pair, "score"));
    }
    CHECK(ok,
          "%s: each mentee waiting and once, each mentor within her "
          "capacity",
          what);
    CHECK(total == json_integer_value(json_object_get(j, "total_score")) &&
              json_array_size(pairs) ==
                  (size_t)json_integer_value(json_object_get(j, "matched")),
          "%s: total_score and matched agree with the pairs", what);
    json_decref(mentees);
    json_decref(taken);
}

/* ---- the checks ------------------------------------------------------- */

static int
import_all(void) {
    tl_section("five divisions import %d demo participants each", NIMPORT);
    return cl_import_demo_each(&cluster, NNODES, NIMPORT, 90) == 0 &&
                   CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
                         "the five converge")
               ? 0
               : -1;
}

/* The national plan on every node, each the same as node 0's (new
 * reference to node 0's; NULL if node 0 did not answer). */
static json_t *
national_everywhere(const json_t *held, const char *what) {
    static const char *const keys[] = {
        "pairs", "total_score", "matched", "version_vector", "digest", NULL};
    json_t *first = plan_on(0, "{\"scope\":\"national\"}");
    if (!first)
        return NULL;
    uint64_t t0 = tl_now_ms();
    for (size_t n = 1; n < NNODES; n++) {
        json_t *j = plan_on(n, "{\"scope\":\"national\"}");
        char label[96];
        snprintf(label, sizeof label, "%s: %s's plan and %s's", what,
                 cluster.node[n].name, cluster.node[0].name);
        same(first, j, keys, label);
        json_decref(j);
    }
    tl_note(
        "%s: %lld pairs of %lld waiting mentees, total %lld, %lld "
        "across divisions; four more plans in %llu ms",
        what, (long long)json_integer_value(json_object_get(first, "matched")),
        (long long)json_integer_value(
            json_object_get(first, "mentees_waiting")),
        (long long)json_integer_value(json_object_get(first, "total_score")),
        (long long)json_integer_value(json_object_get(first, "cross_division")),
        (unsigned long long)(tl_now_ms() - t0));
    check_plan(first, held, what);
    return first;
}

/* GET the suggestions for mentee on every node: the same list, vector and
 * digest as node 0's. */
static void
suggestions_everywhere(const char *mentee) {
    static const char *const keys[] = {"suggestions", "candidates",
                                       "version_vector", "digest", NULL};
    char path[128], label[96];
    snprintf(path, sizeof path, "/v1/matching/suggestions?mentee=%s&limit=100",
             mentee);
    json_t *first = cl_get_json(&cluster.node[0], path);
    CHECK(json_array_size(json_object_get(first, "suggestions")) > 0,
          "%s: suggestions for a planned mentee", cluster.node[0].name);
    for (size_t n = 1; n < NNODES; n++) {
        json_t *j = cl_get_json(&cluster.node[n], path);
        snprintf(label, sizeof label, "suggestions on %s and %s",
                 cluster.node[n].name, cluster.node[0].name);
        same(first, j, keys, label);
        json_decref(j);
    }
    json_decref(first);
}

/* Node k's division plan holds k's division only, and is the plan node 0
 * makes for that division by name. */
static void
division_plans(void) {
    static const char *const keys[] = {"pairs", "total_score", "division",
                                       NULL};
    tl_section("each node's division plan: its own division only");
    for (size_t k = 0; k < NNODES; k++) {
        const char *name = cluster.node[k].name;
        char body[96];
        json_t *j = plan_on(k, "{\"scope\":\"division\"}"), *pair;
        bool own = strcmp(tl_str(j, "division"), name) == 0;
        size_t i;
        json_array_foreach(json_object_get(j, "pairs"), i, pair) {
            own &= strcmp(tl_str(pair, "mentee_division"), name) == 0 &&
                   strcmp(tl_str(pair, "mentor_division"), name) == 0;
        }
        CHECK(own && json_array_size(json_object_get(j, "pairs")) > 0,
              "%s: %zu pairs, all its own", name,
              json_array_size(json_object_get(j, "pairs")));
        snprintf(body, sizeof body,
                 "{\"scope\":\"division\",\"division\":\"%s\"}", name);
        json_t *asked = plan_on(0, body);
        same(j, asked, keys, name);
        json_decref(asked);
        json_decref(j);
    }
}

/* Propose the plan's first pair on a node that is home of neither side;
 * OUT: mentee (33 bytes). The mentor's slot goes into held. */
static int
propose_first(const json_t *plan, json_t *held, char *mentee) {
    const json_t *pair = json_array_get(json_object_get(plan, "pairs"), 0);
    const char *mentor = tl_str(pair, "mentor_id");
    char body[128];
    size_t n = 0;
    while (
        n < NNODES - 1 &&
        (strcmp(tl_str(pair, "mentee_division"), cluster.node[n].name) == 0 ||
         strcmp(tl_str(pair, "mentor_division"), cluster.node[n].name) == 0))
        n++;
    snprintf(mentee, 33, "%s", tl_str(pair, "mentee_id"));
    snprintf(body, sizeof body, "{\"mentee_id\":\"%s\",\"mentor_id\":\"%s\"}",
             mentee, mentor);
    tl_resp r;
    long st = cl_write(&cluster.node[n], "POST", "/v1/partnerships", JSON_CTYPE,
                       body, strlen(body), CL_503_RETRY_MS, &r);
    tl_resp_release(&r);
    json_object_set_new(held, mentor, json_integer(1));
    if (!CHECK(st == 201, "the first planned pair proposed on %s (%ld)",
               cluster.node[n].name, st))
        return -1;
    return CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged again")
               ? 0
               : -1;
}

/* Every node refuses the suggestions of a mentee with a proposal. */
static void
refused_everywhere(const char *mentee) {
    char path[128];
    snprintf(path, sizeof path, "/v1/matching/suggestions?mentee=%s", mentee);
    for (size_t n = 0; n < NNODES; n++) {
        tl_resp r;
        long st = cl_http(&cluster.node[n], "GET", path, NULL, NULL, 0, &r);
        const char *code = json_string_value(
            json_object_get(json_object_get(r.json, "error"), "code"));
        CHECK(st == 409 && code && strcmp(code, "has_partnership") == 0,
              "%s: her suggestions, 409 has_partnership (%ld %s)",
              cluster.node[n].name, st, code ? code : "");
        tl_resp_release(&r);
    }
}

/* One planned pair proposed, converged again: every node plans the same
 * again, at a later vector and without her, and refuses her suggestions. */
static void
after_proposal(const json_t *before, json_t *held) {
    char mentee[33];
    tl_section("one planned pair proposed; converged again");
    if (propose_first(before, held, mentee) != 0)
        return;
    json_t *after = national_everywhere(held, "after"), *pair;
    size_t k;
    bool gone = after != NULL;
    json_array_foreach(json_object_get(after, "pairs"), k, pair) {
        gone &= strcmp(tl_str(pair, "mentee_id"), mentee) != 0;
    }
    CHECK(gone, "no node plans the proposed mentee");
    CHECK(after && !json_equal(json_object_get(before, "version_vector"),
                               json_object_get(after, "version_vector")),
          "at a later vector");
    refused_everywhere(mentee);
    json_decref(after);
}

static void
run(void) {
    json_t *held = json_object();
    tl_section("the national plan on every node");
    json_t *before = national_everywhere(held, "before");
    if (before) {
        CHECK(json_integer_value(json_object_get(before, "cross_division")) > 0,
              "the national plan pairs across divisions");
        const json_t *first =
            json_array_get(json_object_get(before, "pairs"), 0);
        tl_section("the suggestions for one mentee on every node");
        suggestions_everywhere(tl_str(first, "mentee_id"));
        division_plans();
        after_proposal(before, held);
    }
    json_decref(before);
    json_decref(held);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.matching", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NNODES) == 0 &&
        cl_start_all(&cluster) == 0 && import_all() == 0 &&
        load_everyone() == 0)
        run();
    json_decref(everyone);
    cl_destroy(&cluster);
    return tl_summary();
}
