/*
 * fulldisk_test — a full LMDB map refuses writes with 507 storage_full and
 * changes nothing; reads keep working; a bigger map_size_mb after a restart
 * brings writes back with every acknowledged participant intact.
 *
 * Usage: it_fulldisk MENTORNETD PORT MENTORNET
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define WATCHDOG_S 100
/* A 1 MiB map fills after a few hundred participants with long notes. */
#define SMALL_MAP_MB 1
#define BIG_MAP_MB 64
/* More writes than a 1 MiB map can hold: if none is refused, fail. */
#define MAX_FILL 5000
#define NOTES_CHARS 2000
#define WRITES_AFTER 50

static it_node node;
static const char *cli;
static char (*acked)[33];
static size_t nacked;
static char *notes;

static char *
participant_body(size_t i) {
    json_t *j =
        json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", "mentee", "given_name",
                  "Full", "family_name", "Disk", "country_of_origin",
                  i % 2 ? "SY" : "IR", "notes", notes);
    json_object_set_new(j, "consent",
                        json_pack("{s:[s], s:s}", "purposes", "statistics",
                                  "given_at", "2026-11-26T10:00:00Z"));
    char *z = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!z)
        abort();
    return z;
}

static json_t *
snapshot(void) {
    return json_pack("{s:o*, s:o*}", "digest", it_get_json(&node, "/v1/digest"),
                     "stats", it_get_json(&node, "/v1/stats?verify=true"));
}

static void refuse_full(const char *label, const tl_request *rq);

/* An import bigger than the whole map is refused as a whole. */
static void
test_import_over_map(void) {
    tl_section("an import bigger than the map");
    size_t nlines = 600, len = 0, cap = 0;
    char *ndjson = NULL;
    for (size_t i = 0; i < nlines; i++) {
        char *line = participant_body(i);
        size_t n = strlen(line);
        if (len + n + 2 > cap) {
            ndjson = realloc(ndjson, cap = 2 * (len + n + 2));
            if (!ndjson)
                abort();
        }
        memcpy(ndjson + len, line, n);
        ndjson[len + n] = '\n';
        len += n + 1;
        free(line);
    }
    tl_request rq = {.method = "POST",
                     .path = "/v1/import",
                     .ctype = "application/x-ndjson",
                     .body = ndjson,
                     .len = len};
    refuse_full("import of 600 participants into a 1 MiB map", &rq);
    json_t *s = it_get_json(&node, "/v1/stats");
    CHECK(json_integer_value(json_object_get(s, "total")) == 0,
          "none of the import is stored");
    json_decref(s);
    free(ndjson);
}

/* POST until 507; returns true if the map filled up. */
static bool
fill(void) {
    tl_section("fill a 1 MiB map");
    acked = calloc(MAX_FILL + WRITES_AFTER + 8, sizeof *acked);
    if (!acked)
        abort();
    for (size_t i = 0; i < MAX_FILL; i++) {
        char *body = participant_body(i);
        tl_resp r;
        it_send_json(&node, "POST", "/v1/participants", body, &r);
        free(body);
        if (r.status == 201) {
            snprintf(acked[nacked++], 33, "%s", tl_str(r.json, "id"));
            tl_resp_release(&r);
            continue;
        }
        CHECK(r.status == 507, "a write that fails is 507 (got %ld %s)",
              r.status, r.body ? r.body : "");
        CHECK(strcmp(it_error_code(&r), "storage_full") == 0,
              "507 has code storage_full (got '%s')", it_error_code(&r));
        CHECK(it_error_message(&r)[0] != '\0', "507 has a message");
        printf("the map is full after %zu participants\n", nacked);
        long status = r.status;
        tl_resp_release(&r);
        return status == 507;
    }
    CHECK(false, "%d writes did not fill a %d MiB map", MAX_FILL, SMALL_MAP_MB);
    return false;
}

static void
check_all_readable(const char *when) {
    size_t missing = 0;
    char path[128];
    for (size_t i = 0; i < nacked; i++) {
        tl_resp r;
        snprintf(path, sizeof path, "/v1/participants/%s", acked[i]);
        missing += it_get(&node, path, &r) != 200;
        tl_resp_release(&r);
    }
    CHECK(missing == 0,
          "%s: every acknowledged participant is readable "
          "(%zu of %zu missing)",
          when, missing, nacked);
    json_t *s = it_get_json(&node, "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")),
          "%s: stats?verify=true is verified:true", when);
    CHECK(json_integer_value(json_object_get(s, "total")) == (json_int_t)nacked,
          "%s: total is exactly the acknowledged creates (%lld, %zu)", when,
          (long long)json_integer_value(json_object_get(s, "total")), nacked);
    json_decref(s);
}

static void
refuse_full(const char *label, const tl_request *rq) {
    json_t *before = snapshot();
    tl_resp r;
    it_http(&node, rq, &r);
    CHECK(r.status == 507 && strcmp(it_error_code(&r), "storage_full") == 0,
          "%s: 507 storage_full (got %ld %s)", label, r.status,
          r.body ? r.body : "");
    tl_resp_release(&r);
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "%s: the store is unchanged", label);
    json_decref(before);
    json_decref(after);
}

static void
test_when_full(void) {
    tl_section("when full: writes refused, reads work");
    char *body = participant_body(0);
    tl_request rq = {.method = "POST",
                     .path = "/v1/participants",
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};
    refuse_full("another create", &rq);
    refuse_full("the same create again", &rq);

    size_t cap = 20 * (strlen(body) + 1) + 1, len = 0;
    char *ndjson = malloc(cap);
    if (!ndjson)
        abort();
    for (int i = 0; i < 20; i++)
        len += (size_t)snprintf(ndjson + len, cap - len, "%s\n", body);
    tl_request imp = {.method = "POST",
                      .path = "/v1/import",
                      .ctype = "application/x-ndjson",
                      .body = ndjson,
                      .len = len};
    refuse_full("an import of 20", &imp);
    free(ndjson);
    free(body);

    tl_request health = {.path = "/v1/health", .auth = TL_NO_AUTH};
    tl_resp r;
    CHECK(it_http(&node, &health, &r) == 200, "health still answers 200");
    tl_resp_release(&r);
    it_get(&node, "/metrics", &r);
    CHECK(r.status == 200 && r.body &&
              !strstr(r.body, "\nmentornet_write_errors_total 0\n"),
          "/metrics counts the failed writes");
    tl_resp_release(&r);
    check_all_readable("full");
    json_t *list = it_get_json(&node, "/v1/participants?limit=500");
    CHECK(list && json_array_size(json_object_get(list, "items")) ==
                      (nacked < 500 ? nacked : 500),
          "listing works when full");
    json_decref(list);

    if (cli) {
        char token_arg[160];
        snprintf(token_arg, sizeof token_arg, "--token=%s", node.token);
        const char *const argv[] = {cli,       "--node",        node.url,
                                    token_arg, "participant",   "add",
                                    "--role",  "mentee",        "--given-name",
                                    "Cli",     "--family-name", "Full",
                                    "--notes", notes,           NULL};
        char *err = NULL;
        int rc = tl_run(argv, NULL, 30, NULL, NULL, &err);
        CHECK(rc == 5,
              "the CLI exits 5 when the node answers 507 (rc %d, "
              "%s)",
              rc, err ? err : "");
        free(err);
    }
}

static json_int_t
vv_self(void) {
    json_t *d = it_get_json(&node, "/v1/digest");
    json_int_t v = json_integer_value(
        json_object_get(json_object_get(d, "version_vector"), node.name));
    json_decref(d);
    return v;
}

/* A full node must still start (with the same map) and serve reads. */
static void
test_restart_full(void) {
    tl_section("restart while full, same map size");
    json_t *before = snapshot();
    CHECK(it_node_stop(&node) == 0, "SIGTERM: the full node exits 0");
    if (it_node_start(&node) != 0) {
        json_decref(before);
        return;
    }
    json_t *after = snapshot();
    CHECK(json_equal(before, after), "the full node restarts unchanged");
    json_decref(before);
    json_decref(after);
    check_all_readable("full, restarted");
    /* Recording the clean stop frees a page or two: a create may still
     * fit, a handful at most; then the map is full again. */
    size_t fitted = 0;
    for (tl_resp r; fitted < 8; fitted++) {
        char *more = participant_body(1000 + fitted);
        long st = it_send_json(&node, "POST", "/v1/participants", more, &r);
        if (st == 201)
            snprintf(acked[nacked++], 33, "%s", tl_str(r.json, "id"));
        tl_resp_release(&r);
        free(more);
        if (st != 201)
            break;
    }
    CHECK(fitted < 8, "the restarted full node fills again (%zu fitted)",
          fitted);
    char *body = participant_body(1);
    tl_request rq = {.method = "POST",
                     .path = "/v1/participants",
                     .ctype = "application/json",
                     .body = body,
                     .len = strlen(body)};
    refuse_full("a create after the restart", &rq);
    free(body);
}

static void
test_grow(void) {
    tl_section("restart with a bigger map");
    json_t *before = snapshot();
    CHECK(it_node_stop(&node) == 0, "SIGTERM: the full node exits 0");
    node.map_mb = BIG_MAP_MB;
    CHECK(it_node_write_config(&node) == 0, "raise map_size_mb to %d",
          BIG_MAP_MB);
    if (it_node_start(&node) != 0) {
        json_decref(before);
        return;
    }
    json_t *after = snapshot();
    CHECK(json_equal(before, after),
          "digest, version vector and stats are unchanged by the restart");
    json_decref(before);
    json_decref(after);
    check_all_readable("after growing");

    size_t ok = 0;
    json_int_t seq = vv_self();
    for (size_t i = 0; i < WRITES_AFTER; i++) {
        char *body = participant_body(i);
        tl_resp r;
        if (it_send_json(&node, "POST", "/v1/participants", body, &r) == 201)
            snprintf(acked[nacked++], 33, "%s", tl_str(r.json, "id"));
        ok += r.status == 201;
        tl_resp_release(&r);
        free(body);
    }
    CHECK(ok == WRITES_AFTER, "writes succeed again (%zu of %d)", ok,
          WRITES_AFTER);
    CHECK(vv_self() == seq + WRITES_AFTER,
          "the refused writes used no seqs: the vector grew by %d",
          WRITES_AFTER);
    check_all_readable("after more writes");

    before = snapshot();
    CHECK(it_node_stop(&node) == 0, "SIGTERM: the node exits 0");
    if (it_node_start(&node) == 0) {
        after = snapshot();
        CHECK(json_equal(before, after),
              "digest and stats are the same after a clean restart");
        json_decref(after);
    }
    json_decref(before);
}

int
main(int argc, char **argv) {
    const char *daemon;
    int port;
    it_args(argc, argv, true, &daemon, &port, &cli);
    tl_begin("integration.fulldisk", WATCHDOG_S);
    notes = malloc(NOTES_CHARS + 1);
    if (!notes)
        abort();
    for (size_t i = 0; i < NOTES_CHARS; i++)
        notes[i] = (char)('a' + i % 26);
    notes[NOTES_CHARS] = '\0';
    if (it_node_create(&node, daemon, port, SMALL_MAP_MB) == 0 &&
        it_node_start(&node) == 0) {
        test_import_over_map();
        if (fill()) {
            test_when_full();
            test_restart_full();
            test_grow();
        }
    }
    it_node_destroy(&node);
    free(acked);
    free(notes);
    return tl_summary();
}
