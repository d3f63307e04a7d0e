/*
 * stats_test — the published statistics on the demo data of five nodes.
 *
 * Each node imports its own division's demo participants
 * (mentornet-demo-data); tools/demo_partnerships.py then pairs mentees
 * with mentors across the five, ends most pairs with an outcome and moves
 * a few mentors; node 1 runs two sub-networks with members of every
 * division. Each node publishes its division's counts by country every
 * second ([stats] aggregate_interval = 1); once every division's
 * aggregate counts every mentee (the demo gives each one a country) and
 * the nodes converge:
 * - GET /v1/stats?suppress=true is the same on all five (same vector,
 *   same digest, same tables and the same suppression), and
 *   ?verify=true verifies on all five;
 * - no published cell is a count from 1 to 4;
 * - the suppression audit (tests/stats/suppress_audit.py, /usr/bin/python3
 *   with scipy) finds no hidden cell it can pin down; the same audit of
 *   primary suppression alone is printed beside it;
 * - ?format=csv is UTF-8 with a byte-order mark, CRLF lines, one section
 *   per table.
 *
 * Usage: cluster_stats MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cluster.h"

#define WATCHDOG_S 280
#define NNODES 5
#define PER_DIVISION 400
#define PAIRS "300"
#define MOVERS "10"
#define CONVERGE_MS 60000
#define MEMBERS 30
#define AGGREGATE_S 1
#define AGGREGATES_MS 30000

static cl_cluster cluster;
static const char pairs_tool[] = MN_SOURCE_DIR "/tools/demo_partnerships.py";
static const char audit_tool[] = MN_SOURCE_DIR "/tests/stats/suppress_audit.py";

static void
import_demo(void) {
    for (size_t i = 0; i < NNODES; i++) {
        size_t len;
        char *nd = cl_demo_data(&cluster, cluster.node[i].name, PER_DIVISION,
                                2003, &len);
        CHECK(nd && cl_import(&cluster.node[i], nd, len) == PER_DIVISION,
              "%s: %d demo participants imported", cluster.node[i].name,
              PER_DIVISION);
        free(nd);
    }
}

static void
pair_demo(void) {
    char spec[NNODES][PATH_MAX * 2];
    const char *argv[8 + NNODES] = {
        "/usr/bin/python3", pairs_tool, "--count", PAIRS, "--movers", MOVERS};
    size_t n = 6;
    for (size_t i = 0; i < NNODES; i++) {
        const cl_node *node = &cluster.node[i];
        snprintf(spec[i], sizeof spec[i], "%s=%s=%s/admin.token", node->name,
                 node->url, node->data_dir);
        argv[n++] = spec[i];
    }
    argv[n] = NULL;
    int rc = tl_run(argv, NULL, 180, NULL, NULL, NULL);
    CHECK(rc == 0, "demo_partnerships.py: exit %d", rc);
}

/* POST body to path on node 0; the new entity's id (33 bytes) on 201. */
static bool
post_id(const char *path, const char *body, char *id) {
    tl_resp r = {0};
    long st = cl_write(&cluster.node[0], "POST", path, "application/json", body,
                       strlen(body), CL_503_RETRY_MS, &r);
    const char *z = json_string_value(json_object_get(r.json, "id"));
    bool ok = st == 201 && z && strlen(z) == 32;
    if (ok)
        memcpy(id, z, 33);
    tl_resp_release(&r);
    return ok;
}

/* Two sub-networks on node 0; members from every division. */
static void
subnetworks(void) {
    static const char *const bodies[] = {
        "{\"name\": \"Literary circle\", \"scope\": \"division\"}",
        "{\"name\": \"Diversity network\", \"scope\": \"national\"}"};
    json_t *all = cl_list_all(&cluster.node[0]);
    char sub[2][33], path[128], body[128];
    size_t ok = 0;
    for (size_t s = 0; s < 2; s++)
        CHECK(post_id("/v1/subnetworks", bodies[s], sub[s]),
              "sub-network %zu created", s);
    for (size_t i = 0; i < MEMBERS && i * 37 < json_array_size(all); i++) {
        json_t *p = json_array_get(all, i * 37);
        snprintf(path, sizeof path, "/v1/subnetworks/%s/members", sub[i % 2]);
        snprintf(body, sizeof body, "{\"participant_id\": \"%s\"}",
                 json_string_value(json_object_get(p, "id")));
        char id[33];
        ok += post_id(path, body, id);
    }
    CHECK(ok > MEMBERS / 2, "%zu memberships made", ok);
    json_decref(all);
}

/* The mentees the published tables count: in the roles table, and in the
 * country table by country ("not recorded" apart). */
static void
mentees_of(const json_t *stats, json_int_t *by_role, json_int_t *by_country,
           json_int_t *unrecorded) {
    size_t i, r;
    json_t *t, *row;
    *by_role = *by_country = *unrecorded = 0;
    json_array_foreach(json_object_get(stats, "tables"), i, t) {
        const char *id = json_string_value(json_object_get(t, "id"));
        json_t *rows = json_object_get(t, "rows");
        json_array_foreach(json_object_get(t, "cells"), r, row) {
            if (strcmp(id, "participants_division_role") == 0)
                *by_role += json_integer_value(json_array_get(row, 1));
            else if (strcmp(id, "mentees_country") != 0)
                continue;
            else if (strcmp(json_string_value(json_array_get(rows, r)),
                            "not recorded") == 0)
                *unrecorded += json_integer_value(json_array_get(row, 0));
            else
                *by_country += json_integer_value(json_array_get(row, 0));
        }
    }
}

/* Wait until node 0's statistics count every mentee by country: every
 * division has published its aggregate and node 0 holds them all. */
static bool
wait_aggregates(void) {
    uint64_t deadline = tl_now_ms() + AGGREGATES_MS;
    json_int_t by_role = 0, by_country = 0, unrecorded = 0;
    while (tl_now_ms() < deadline) {
        json_t *j = cl_get_json(&cluster.node[0], "/v1/stats");
        mentees_of(j, &by_role, &by_country, &unrecorded);
        json_decref(j);
        if (by_role > 0 && by_country == by_role && unrecorded == 0)
            return true;
        tl_sleep_ms(250);
    }
    tl_note("mentees %lld, by country %lld, not recorded %lld",
            (long long)by_role, (long long)by_country, (long long)unrecorded);
    return false;
}

/* Wait until node 0's digest stays the same for longer than two publish
 * intervals: every node has published what the last changes moved (a
 * publish that changes no count writes nothing). */
static bool
wait_quiet(void) {
    uint64_t deadline = tl_now_ms() + AGGREGATES_MS;
    json_t *before = cl_get_json(&cluster.node[0], "/v1/digest");
    bool quiet = false;
    while (!quiet && tl_now_ms() < deadline) {
        tl_sleep_ms(2 * AGGREGATE_S * 1000 + 500);
        json_t *now = cl_get_json(&cluster.node[0], "/v1/digest");
        quiet = before && now && json_equal(before, now);
        json_decref(before);
        before = now;
    }
    json_decref(before);
    return quiet;
}

/* Is any cell of any table a count from 1 to 4? */
static bool
shows_small(const json_t *stats) {
    size_t i, r, k;
    json_t *t, *row, *v;
    json_array_foreach(json_object_get(stats, "tables"), i, t) {
        json_array_foreach(json_object_get(t, "cells"), r, row) {
            json_array_foreach(row, k, v) {
                if (json_is_integer(v) && json_integer_value(v) >= 1 &&
                    json_integer_value(v) <= 4)
                    return true;
            }
        }
    }
    return false;
}

static void
same_everywhere(json_t **views) {
    for (size_t i = 0; i < NNODES; i++) {
        uint64_t t0 = tl_now_ms();
        views[i] = cl_get_json(&cluster.node[i], "/v1/stats?suppress=true");
        tl_note("%s: GET /v1/stats?suppress=true in %llu ms",
                cluster.node[i].name, (unsigned long long)(tl_now_ms() - t0));
        CHECK(views[i] && json_equal(views[i], views[0]),
              "%s: the suppressed statistics equal %s's", cluster.node[i].name,
              cluster.node[0].name);
        json_t *v = cl_get_json(&cluster.node[i], "/v1/stats?verify=true");
        CHECK(json_is_true(json_object_get(v, "verified")),
              "%s: stats?verify=true verified", cluster.node[i].name);
        json_decref(v);
    }
    CHECK(!shows_small(views[0]), "no published cell is 1 to 4");
    CHECK(json_is_true(json_object_get(views[0], "suppressed")),
          "the answer says it is suppressed");
}

/* Write j to dir/name and run the audit on it with flag (or none). */
static int
audit(const json_t *j, const char *name, const char *flag) {
    char file[PATH_MAX + 64];
    snprintf(file, sizeof file, "%s/%s", cluster.dir, name);
    if (json_dump_file(j, file, JSON_INDENT(1)) != 0)
        return -1;
    const char *argv[] = {"/usr/bin/python3", audit_tool, flag ? flag : file,
                          flag ? file : NULL, NULL};
    return tl_run(argv, NULL, 120, NULL, NULL, NULL);
}

static void
check_csv(void) {
    tl_resp r = {0};
    long st = cl_http(&cluster.node[0], "GET", "/v1/stats?format=csv", NULL,
                      NULL, 0, &r);
    CHECK(st == 200 && strstr(r.ctype, "text/csv"), "csv: 200 text/csv");
    CHECK(r.body && strncmp(r.body, "\xEF\xBB\xBF", 3) == 0,
          "csv: starts with the UTF-8 byte-order mark");
    CHECK(r.body && strstr(r.body, "\r\nParticipants by division and role\r\n"),
          "csv: a section per table, CRLF lines");
    tl_resp_release(&r);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    json_t *views[NNODES] = {0};
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.stats", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, NNODES) != 0)
        goto out;
    cluster.aggregate_interval = AGGREGATE_S;
    if (cl_write_confs(&cluster) != 0 || cl_start_all(&cluster) != 0)
        goto out;
    for (size_t i = 0; i < NNODES; i++)
        CHECK(cl_wait_writable(&cluster.node[i], 20000), "%s writable",
              cluster.node[i].name);
    tl_section("demo data: %d participants per division", PER_DIVISION);
    import_demo();
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged after import");
    tl_section("partnerships, outcomes, moves, sub-networks");
    pair_demo();
    subnetworks();
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged");
    CHECK(wait_aggregates(),
          "every division's aggregate counts its mentees by country");
    CHECK(wait_quiet(), "no more aggregates published");
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "converged with the aggregates");
    tl_section("the suppressed statistics");
    same_everywhere(views);
    CHECK(audit(views[0], "suppressed.json", NULL) == 0,
          "the audit pins down no hidden cell");
    json_t *full = cl_get_json(&cluster.node[0], "/v1/stats");
    tl_note("primary suppression alone: the audit %s",
            audit(full, "full.json", "--naive") == 0 ? "passes" : "fails");
    json_decref(full);
    check_csv();
out:
    for (size_t i = 0; i < NNODES; i++)
        json_decref(views[i]);
    cl_destroy(&cluster);
    return tl_summary();
}
