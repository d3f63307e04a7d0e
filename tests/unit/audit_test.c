/*
 * audit_test — unit tests for audit.c: an entry is one JSON line with who,
 * what, when, where and the status, in the file of its UTC day, mode
 * 0600; reads filter by participant, token, since and until, and stop at
 * the limit saying there is more; the entries about one participant;
 * retention deletes whole day files older than it and nothing else; a
 * line that does not parse (half written) is skipped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api/audit.h"
#include "base/log.h"
#include "base/util.h"
#include "state/kind.h"
#include "unit_helpers.h"

#define DAY_MS 86400000ull
/* 2026-12-04T10:00:00Z */
#define NOW 1796378400000ull
#define HER "0190a1b2c3d47e8f9a0b1c2d3e4f5a6b"
#define OTHER "0190a1b2c3d47e8f9a0b1c2d3e4f5a6c"

struct fixture {
    char dir[256];
    mn_audit *a;
};

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    tmpdir_make(fx->dir, sizeof fx->dir, "audit");
    assert_int_equal(mn_audit_open(fx->dir, 30, &fx->a), MN_OK);
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    mn_audit_close(&fx->a);
    assert_null(fx->a);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static const mn_api_caller coord = {.role = MN_API_COORDINATOR,
                                    .division = 1,
                                    .token_id = "3f9c2a7b1d0e4c55",
                                    .name = "Coordinator CPH"};
static const mn_api_caller admin = {.role = MN_API_ADMIN,
                                    .name = "admin.token"};

/* One entry about participant id, by who, at ms. */
static void
put(struct fixture *fx, const mn_api_caller *who, const char *id, bool write,
    uint64_t ms) {
    mn_buf b;
    mn_audit_entry e = {.who = who,
                        .write = write,
                        .endpoint = write ? "PATCH /v1/participants/{id}"
                                          : "GET /v1/participants/{id}",
                        .kind = "participant",
                        .id = id,
                        .classes = write
                                       ? 0
                                       : MN_KIND_JSON_CLASS(MN_VIS_PERSONAL) |
                                             MN_KIND_JSON_CLASS(MN_VIS_SPECIAL),
                        .status = 200};
    mn_buf_init(&b);
    mn_audit_format(&b, ms, &e);
    assert_int_equal(mn_audit_write(fx->a, ms, b.p, b.len), MN_OK);
    mn_buf_release(&b);
}

struct got {
    size_t n;
    json_t *last;
};

static void
collect(void *user, json_t *entry) {
    struct got *g = user;
    g->n++;
    json_decref(g->last);
    g->last = json_incref(entry);
}

static size_t
count(struct fixture *fx, const mn_audit_filter *f, bool *more) {
    struct got g = {0};
    assert_int_equal(mn_audit_read(fx->a, f, collect, &g, more), MN_OK);
    json_decref(g.last);
    return g.n;
}

static void
test_line_and_file(void **state) {
    struct fixture *fx = *state;
    char path[400], text[2048];
    struct stat st;
    put(fx, &coord, HER, false, NOW);
    mn_audit_sync(fx->a); /* gathered until written */
    snprintf(path, sizeof path, "%s/audit/2026-12-04.jsonl", fx->dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    size_t n = read_file(path, text, sizeof text - 1);
    text[n] = '\0';
    assert_int_equal(text[n - 1], '\n');
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "at")),
                        "2026-12-04T10:00:00.000Z");
    assert_string_equal(json_string_value(json_object_get(j, "action")),
                        "read");
    assert_string_equal(json_string_value(json_object_get(j, "token")),
                        coord.token_id);
    assert_string_equal(json_string_value(json_object_get(j, "name")),
                        coord.name);
    assert_string_equal(json_string_value(json_object_get(j, "role")),
                        "coordinator");
    assert_string_equal(json_string_value(json_object_get(j, "id")), HER);
    assert_int_equal(json_array_size(json_object_get(j, "classes")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "status")), 200);
    json_decref(j);
    /* The admin file's token is "admin"; an entry without an entity has
     * null kind and id. */
    mn_buf b;
    mn_audit_entry e = {.who = &admin,
                        .write = true,
                        .endpoint = "POST /v1/import",
                        .status = 400};
    mn_buf_init(&b);
    mn_audit_format(&b, NOW, &e);
    j = json_loadb((const char *)b.p, b.len, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(j, "token")),
                        "admin");
    assert_true(json_is_null(json_object_get(j, "id")));
    assert_int_equal(json_array_size(json_object_get(j, "classes")), 0);
    json_decref(j);
    mn_buf_release(&b);
}

static void
test_filters(void **state) {
    struct fixture *fx = *state;
    bool more;
    put(fx, &coord, HER, false, NOW - DAY_MS);
    put(fx, &admin, HER, true, NOW);
    put(fx, &coord, OTHER, false, NOW + 1000);
    put(fx, &coord, HER, false, NOW + 2000);
    mn_audit_filter all = {0};
    assert_int_equal(count(fx, &all, &more), 4);
    assert_false(more);
    mn_audit_filter her = {.participant = HER};
    assert_int_equal(count(fx, &her, NULL), 3);
    mn_audit_filter by_admin = {.token = "admin"};
    assert_int_equal(count(fx, &by_admin, NULL), 1);
    mn_audit_filter by_coord = {.token = coord.token_id, .participant = HER};
    assert_int_equal(count(fx, &by_coord, NULL), 2);
    mn_audit_filter window = {.since = NOW, .until = NOW + 2000};
    assert_int_equal(count(fx, &window, NULL), 2);
    mn_audit_filter limited = {.limit = 3};
    assert_int_equal(count(fx, &limited, &more), 3);
    assert_true(more);
    struct got g = {0};
    assert_int_equal(mn_audit_participant(fx->a, OTHER, collect, &g), MN_OK);
    assert_int_equal(g.n, 1);
    json_decref(g.last);
}

/* Oldest first, across day files. */
static void
test_order(void **state) {
    struct fixture *fx = *state;
    put(fx, &coord, HER, false, NOW + 5 * DAY_MS);
    put(fx, &coord, OTHER, false, NOW);
    mn_audit_filter one = {.limit = 1};
    struct got g = {0};
    assert_int_equal(mn_audit_read(fx->a, &one, collect, &g, NULL), MN_OK);
    assert_string_equal(json_string_value(json_object_get(g.last, "id")),
                        OTHER);
    json_decref(g.last);
}

static void
test_retention(void **state) {
    struct fixture *fx = *state;
    char path[400];
    size_t deleted;
    put(fx, &coord, HER, false, NOW - 31 * DAY_MS);
    put(fx, &coord, HER, false, NOW - 29 * DAY_MS);
    put(fx, &coord, HER, false, NOW);
    snprintf(path, sizeof path, "%s/audit/notes.txt", fx->dir);
    write_file(path, "x", 1, 0600);
    assert_int_equal(mn_audit_prune(fx->a, NOW, &deleted), MN_OK);
    assert_int_equal(deleted, 1);
    assert_int_equal(access(path, F_OK), 0);
    mn_audit_filter all = {0};
    assert_int_equal(count(fx, &all, NULL), 2);
}

static void
test_half_line_skipped(void **state) {
    struct fixture *fx = *state;
    static const char half[] = "{\"at\":\"2026-12-04T10:00:01.000Z\",\"act";
    put(fx, &coord, HER, false, NOW);
    assert_int_equal(mn_audit_write(fx->a, NOW, half, sizeof half - 1), MN_OK);
    mn_audit_sync(fx->a);
    mn_audit_filter all = {0};
    assert_int_equal(count(fx, &all, NULL), 1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void) {
    mn_log_set_level(MN_LOG_ERROR);
    const struct CMUnitTest tests[] = {
        T(test_line_and_file), T(test_filters),           T(test_order),
        T(test_retention),     T(test_half_line_skipped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
