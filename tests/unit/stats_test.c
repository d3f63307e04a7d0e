/*
 * stats_test — unit tests for stats.c against a real store: participants
 * are written with mn_state_apply (the one path every change takes), and
 * after every step the maintained counts (mn_stats_load) must equal a
 * recount from the stored entities (mn_stats_recount) and the cells the
 * test expects. A fixed-seed random walk of creates, changes, stale
 * replays and removals checks the same invariant at scale. Also the shape
 * of mn_stats_json.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/kind_json.h"
#include "api/stats_csv.h"
#include "api/stats_json.h"
#include "api/stats_tables.h"
#include "state/aggregate.h"
#include "state/entity.h"
#include "mentornet/mentornet.h"
#include "state/membership.h"
#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "state/suppress.h"
#include "state/state.h"
#include "state/stats.h"
#include "door/store.h"
#include "base/util.h"
#include "unit_helpers.h"

#define MENTOR MN_ROLE_MENTOR
#define MENTEE MN_ROLE_MENTEE

struct fixture {
    char dir[256];
    mn_store *s;
    mn_txn *t;
    uint8_t digest[MN_HASH_BYTES];
    mn_buf scratch;
    uint64_t hlc; /* the next stamp's hlc */
    uint64_t seq;
};

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    char err[512], db[300];
    tmpdir_make(fx->dir, sizeof fx->dir, "stats");
    snprintf(db, sizeof db, "%s/db", fx->dir);
    if (mn_store_open(db, 64 << 20, false, &fx->s, err, sizeof err) != MN_OK)
        fail_msg("open: %s", err);
    mn_buf_init(&fx->scratch);
    fx->hlc = UINT64_C(1700000000000) << 16;
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    mn_txn_abort(&fx->t);
    mn_store_destroy(&fx->s);
    mn_buf_release(&fx->scratch);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static void
begin(struct fixture *fx) {
    assert_null(fx->t);
    assert_int_equal(mn_store_begin(fx->s, true, &fx->t), MN_OK);
}

static void
commit(struct fixture *fx) {
    assert_int_equal(mn_txn_commit(&fx->t), MN_OK);
}

static void
make_id(uint32_t n, uint8_t id[MN_ID_BYTES]) {
    memset(id, 0, MN_ID_BYTES);
    mn_put_be32(id, n + 1);
}

/* Apply ops to participant n under a fresh (greater) stamp. */
static void
apply_ops(struct fixture *fx, uint32_t n, const mn_ops *ops, uint32_t origin) {
    uint8_t id[MN_ID_BYTES];
    mn_stamp st = {fx->hlc++, origin, ++fx->seq};
    make_id(n, id);
    assert_int_equal(mn_state_apply(fx->t, fx->digest, MN_ENTITY_PARTICIPANT,
                                    id, ops->op, ops->n, &st, NULL,
                                    &fx->scratch),
                     MN_OK);
}

/* Validate body with the API's own parser (create when !patch), apply. */
static void
apply_json(struct fixture *fx, uint32_t n, const char *body, uint32_t home,
           bool patch) {
    char buf[1024];
    json_error_t jerr;
    mn_ops ops;
    mn_problem p;
    mn_entity current;
    uint8_t id[MN_ID_BYTES];
    size_t len = strlen(body);

    assert_true(len < sizeof buf);
    for (size_t i = 0; i <= len; i++)
        buf[i] = body[i] == '\'' ? '"' : body[i];
    json_t *j = json_loads(buf, 0, &jerr);
    assert_non_null(j);
    /* Her consent, which a country of origin needs (README "Consent"). */
    if (!patch && !json_object_get(j, "consent"))
        json_object_set_new(j, "consent",
                            json_pack("{s:[s], s:s}", "purposes", "statistics",
                                      "given_at", "2026-11-26T10:00:00Z"));
    make_id(n, id);
    if (patch)
        assert_int_equal(
            mn_state_get(fx->t, MN_ENTITY_PARTICIPANT, id, &current), MN_OK);
    mn_ops_init(&ops);
    int rc = mn_kind_json_parse(&mn_kind_participant, j,
                                patch ? &current : NULL, home, &ops, &p);
    if (rc != MN_OK)
        fail_msg("%s: %s", buf, p.message);
    json_decref(j);
    if (patch)
        mn_entity_release(&current);
    apply_ops(fx, n, &ops, home ? home : 1);
    mn_ops_release(&ops);
}

/* Write one raw op (as replication may deliver any field). */
static void
apply_str(struct fixture *fx, uint32_t n, uint32_t no, const char *z) {
    mn_ops ops;
    mn_ops_init(&ops);
    if (z)
        mn_ops_add_str(&ops, no, z, strlen(z));
    else
        mn_ops_add_clear(&ops, no);
    apply_ops(fx, n, &ops, 2);
    mn_ops_release(&ops);
}

static void
apply_int(struct fixture *fx, uint32_t n, uint32_t no, int64_t v) {
    mn_ops ops;
    mn_ops_init(&ops);
    mn_ops_add_int(&ops, no, v);
    apply_ops(fx, n, &ops, 2);
    mn_ops_release(&ops);
}

/* Remove participant n: its counts go, then the entity itself. */
static void
remove_entity(struct fixture *fx, uint32_t n) {
    uint8_t id[MN_ID_BYTES], key[1 + MN_ID_BYTES];
    mn_entity e;
    make_id(n, id);
    assert_int_equal(mn_state_get(fx->t, MN_ENTITY_PARTICIPANT, id, &e), MN_OK);
    assert_int_equal(mn_stats_update(fx->t, &e, NULL), MN_OK);
    mn_entity_release(&e);
    key[0] = MN_ENTITY_PARTICIPANT;
    memcpy(key + 1, id, MN_ID_BYTES);
    assert_int_equal(mn_txn_del(fx->t, MN_DB_ENTITIES, key, sizeof key), MN_OK);
}

/* Write division's aggregate (NULL: clear that text), as its node
 * would. */
static void
apply_aggregate(struct fixture *fx, uint32_t division, const char *mentees,
                const char *mentors) {
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    mn_stamp st = {fx->hlc++, division, ++fx->seq};
    const char *texts[2] = {mentees, mentors};
    const uint32_t nos[2] = {MN_AG_MENTEES, MN_AG_MENTORS};
    mn_aggregate_id(division, id);
    mn_ops_init(&ops);
    mn_ops_add_int(&ops, MN_AG_DIVISION, division);
    for (size_t i = 0; i < 2; i++) {
        if (texts[i])
            mn_ops_add_str(&ops, nos[i], texts[i], strlen(texts[i]));
        else
            mn_ops_add_clear(&ops, nos[i]);
    }
    assert_int_equal(mn_state_apply(fx->t, fx->digest, MN_ENTITY_AGGREGATE, id,
                                    ops.op, ops.n, &st, NULL, &fx->scratch),
                     MN_OK);
    mn_ops_release(&ops);
}

static uint64_t
country(const mn_counts *c, const char *cc) {
    return c->country[(cc[0] - 'A') * 26 + (cc[1] - 'A')];
}

static uint64_t
total(const mn_counts *c) {
    uint64_t sum = 0;
    for (int d = 0; d <= MN_MAX_NODES; d++)
        for (int r = 0; r < MN_ROLE_COUNT; r++)
            for (int s = 0; s < MN_STATUS_COUNT; s++)
                sum += c->p[d][r][s];
    return sum;
}

static size_t
countries(const mn_counts *c) {
    size_t n = 0;
    for (size_t i = 0; i < MN_ARRAY_LEN(c->country); i++)
        n += c->country[i] != 0;
    return n;
}

/* The invariant: maintained counts equal a recount. Returns the counts
 * (read in t, or in a fresh read txn when t is NULL). */
static void
check(struct fixture *fx, mn_counts *out) {
    static mn_counts recount;
    mn_txn *t = fx->t;
    if (!t)
        assert_int_equal(mn_store_begin(fx->s, false, &t), MN_OK);
    assert_int_equal(mn_stats_load(t, out), MN_OK);
    assert_int_equal(mn_stats_recount(t, &recount), MN_OK);
    if (memcmp(out, &recount, sizeof recount) != 0) {
        for (int d = 0; d <= MN_MAX_NODES; d++)
            for (int r = 0; r < MN_ROLE_COUNT; r++)
                for (int s = 0; s < MN_STATUS_COUNT; s++)
                    if (out->p[d][r][s] != recount.p[d][r][s])
                        print_error("div %d role %d status %d: kept %llu, "
                                    "recount %llu\n",
                                    d, r, s,
                                    (unsigned long long)out->p[d][r][s],
                                    (unsigned long long)recount.p[d][r][s]);
        fail_msg("maintained stats differ from a recount");
    }
    if (t != fx->t)
        mn_txn_abort(&t);
}

static void
test_stats_follow_changes(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;

    begin(fx);
    check(fx, &c);
    assert_true(total(&c) == 0);

    /* Creates. */
    apply_json(fx, 0,
               "{'role':'mentee','given_name':'A','family_name':'A',"
               "'country_of_origin':'SY'}",
               1, false);
    apply_json(fx, 1,
               "{'role':'mentor','given_name':'B','family_name':'B',"
               "'country_of_origin':'SY','status':'waiting'}",
               1, false);
    apply_json(fx, 2, "{'role':'mentee','given_name':'C','family_name':'C'}", 2,
               false);
    check(fx, &c);
    assert_true(c.p[1][MENTEE][MN_STATUS_APPLICANT] == 1);
    assert_true(c.p[1][MENTOR][MN_STATUS_WAITING] == 1);
    assert_true(c.p[2][MENTEE][MN_STATUS_APPLICANT] == 1);
    assert_true(total(&c) == 3);
    /* The field counts nothing: countries come from the aggregates. */
    assert_int_equal(countries(&c), 0);
    commit(fx);
    check(fx, &c); /* committed: the same from a reader */
    assert_true(total(&c) == 3);

    /* A status change moves A between cells. */
    begin(fx);
    apply_json(fx, 0, "{'status':'matched'}", 0, true);
    check(fx, &c);
    assert_true(c.p[1][MENTEE][MN_STATUS_APPLICANT] == 0);
    assert_true(c.p[1][MENTEE][MN_STATUS_MATCHED] == 1);
    assert_true(total(&c) == 3);

    /* A role change (replication can carry one) moves C. */
    apply_str(fx, 2, MN_P_ROLE, "mentor");
    check(fx, &c);
    assert_true(c.p[2][MENTEE][MN_STATUS_APPLICANT] == 0);
    assert_true(c.p[2][MENTOR][MN_STATUS_APPLICANT] == 1);

    /* A country change or clear counts nothing either. */
    apply_json(fx, 1, "{'country_of_origin':'AF'}", 0, true);
    check(fx, &c);
    apply_json(fx, 0, "{'country_of_origin':null}", 0, true);
    check(fx, &c);
    assert_int_equal(countries(&c), 0);

    /* A stale change (older stamp) loses the merge and counts nothing. */
    uint64_t now = fx->hlc;
    fx->hlc = UINT64_C(1600000000000) << 16;
    apply_str(fx, 1, MN_P_STATUS, "withdrawn");
    fx->hlc = now;
    check(fx, &c);
    assert_true(c.p[1][MENTOR][MN_STATUS_WAITING] == 1);
    assert_true(c.p[1][MENTOR][MN_STATUS_WITHDRAWN] == 0);

    /* A transfer moves B to division 3. */
    apply_int(fx, 1, MN_P_HOME, 3);
    check(fx, &c);
    assert_true(c.p[1][MENTOR][MN_STATUS_WAITING] == 0);
    assert_true(c.p[3][MENTOR][MN_STATUS_WAITING] == 1);
    commit(fx);
    check(fx, &c);

    /* Removal: C's contribution goes (after NULL). */
    begin(fx);
    remove_entity(fx, 2);
    check(fx, &c);
    for (int r = 0; r < MN_ROLE_COUNT; r++)
        for (int s = 0; s < MN_STATUS_COUNT; s++)
            assert_true(c.p[2][r][s] == 0);
    assert_true(total(&c) == 2);
    commit(fx);
    check(fx, &c);
    assert_true(total(&c) == 2);
}

/* Half-written participants (no role, status or home yet) are not
 * counted until the missing fields arrive. */
static void
test_partial_entities(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;

    begin(fx);
    apply_str(fx, 7, MN_P_GIVEN_NAME, "Partial");
    apply_str(fx, 7, MN_P_COUNTRY, "IQ");
    check(fx, &c);
    assert_true(total(&c) == 0);
    apply_str(fx, 7, MN_P_ROLE, "mentee");
    apply_str(fx, 7, MN_P_STATUS, "waiting");
    check(fx, &c);
    assert_true(total(&c) == 0);     /* still no home */
    apply_int(fx, 7, MN_P_HOME, 65); /* out of range: not counted */
    check(fx, &c);
    assert_true(total(&c) == 0);
    apply_int(fx, 7, MN_P_HOME, 5);
    check(fx, &c);
    assert_true(c.p[5][MENTEE][MN_STATUS_WAITING] == 1);
    assert_true(country(&c, "IQ") == 0); /* aggregates count countries */
    /* An unknown status takes it out again. */
    apply_str(fx, 7, MN_P_STATUS, "paused");
    check(fx, &c);
    assert_true(total(&c) == 0);
    commit(fx);
}

/* A participant that is not counted does not count its country either. */
static void
test_partial_entity_country(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;

    begin(fx);
    apply_str(fx, 7, MN_P_GIVEN_NAME, "Partial");
    apply_str(fx, 7, MN_P_COUNTRY, "IQ");
    check(fx, &c);
    assert_true(total(&c) == 0);
    assert_true(country(&c, "IQ") == 0);
    commit(fx);
}

/* mn_stats_update on its own: in, no-op, out, and never below zero. */
static void
test_update_direct(void **state) {
    struct fixture *fx = *state;
    static const uint8_t id[MN_ID_BYTES] = {1};
    static mn_counts c;
    mn_entity e, moved;
    mn_cursor *cur;
    mn_val k, v;
    mn_ops ops;

    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, id);
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_P_ROLE, "mentor", 6);
    mn_ops_add_str(&ops, MN_P_STATUS, "alumni", 6);
    mn_ops_add_int(&ops, MN_P_HOME, 4);
    mn_ops_add_str(&ops, MN_P_COUNTRY, "ER", 2);
    mn_stamp st = {1, 1, 1};
    assert_int_equal(mn_entity_merge(&e, ops.op, ops.n, &st), 4);
    mn_ops_release(&ops);

    begin(fx);
    assert_int_equal(mn_stats_update(fx->t, NULL, &e), MN_OK);
    assert_int_equal(mn_stats_update(fx->t, NULL, &e), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.p[4][MENTOR][MN_STATUS_ALUMNI] == 2);
    assert_true(country(&c, "ER") == 0); /* aggregates count countries */
    assert_int_equal(mn_stats_update(fx->t, &e, &e), MN_OK); /* no move */
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.p[4][MENTOR][MN_STATUS_ALUMNI] == 2);

    /* Move one of them to another status and country. */
    mn_entity_copy(&moved, &e);
    mn_field_op ch[2] = {
        {.no = MN_P_STATUS,
         .v = {.kind = MN_V_STR, .s = (char *)"matched", .len = 7}},
        {.no = MN_P_COUNTRY,
         .v = {.kind = MN_V_STR, .s = (char *)"SO", .len = 2}}};
    mn_stamp st2 = {2, 1, 2};
    assert_int_equal(mn_entity_merge(&moved, ch, 2, &st2), 2);
    assert_int_equal(mn_stats_update(fx->t, &e, &moved), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.p[4][MENTOR][MN_STATUS_ALUMNI] == 1);
    assert_true(c.p[4][MENTOR][MN_STATUS_MATCHED] == 1);
    assert_true(country(&c, "SO") == 0);

    /* Remove both; removing again does not go below zero. */
    assert_int_equal(mn_stats_update(fx->t, &e, NULL), MN_OK);
    assert_int_equal(mn_stats_update(fx->t, &moved, NULL), MN_OK);
    assert_int_equal(mn_stats_update(fx->t, &moved, NULL), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(total(&c) == 0);
    assert_int_equal(countries(&c), 0);
    /* Zero counts are deleted, not kept as zeros. */
    assert_int_equal(mn_cursor_open(fx->t, MN_DB_STATS, &cur), MN_OK);
    assert_int_equal(mn_cursor_seek(cur, NULL, 0, &k, &v), MN_ENOTFOUND);
    mn_cursor_close(&cur);
    /* And a later add starts again from one. */
    assert_int_equal(mn_stats_update(fx->t, NULL, &moved), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.p[4][MENTOR][MN_STATUS_MATCHED] == 1);
    assert_true(total(&c) == 1);
    commit(fx);
    mn_entity_release(&e);
    mn_entity_release(&moved);
}

/* A fixed-seed random walk over 24 participants. */
static void
test_random_walk(void **state) {
    static const char *const roles[] = {"mentor", "mentee", "boss"};
    static const char *const statuses[] = {"applicant", "waiting", "matched",
                                           "alumni", "withdrawn"};
    static const char *const codes[] = {"SY", "AF", "IR", "SO",
                                        "ER", "UA", "DK", NULL};
    struct fixture *fx = *state;
    static mn_counts c;
    bool exists[24] = {false};
    test_rng r = {0x57a75};
    size_t steps = 0, removed = 0;

    for (int batch = 0; batch < 40; batch++) {
        begin(fx);
        for (int k = 0; k < 10; k++, steps++) {
            uint32_t n = (uint32_t)rng_below(&r, MN_ARRAY_LEN(exists));
            uint64_t now = fx->hlc;
            if (rng_below(&r, 8) == 0) /* a stale replay from the past */
                fx->hlc = now - (rng_below(&r, 1000) + 1);
            switch (exists[n] ? rng_below(&r, 6) : 6) {
            case 0:
                apply_str(fx, n, MN_P_STATUS,
                          statuses[rng_below(&r, MN_ARRAY_LEN(statuses))]);
                break;
            case 1:
                apply_str(fx, n, MN_P_ROLE,
                          roles[rng_below(&r, MN_ARRAY_LEN(roles))]);
                break;
            case 2:
                apply_str(fx, n, MN_P_COUNTRY,
                          codes[rng_below(&r, MN_ARRAY_LEN(codes))]);
                break;
            case 3:
                apply_int(fx, n, MN_P_HOME, 1 + (int64_t)rng_below(&r, 5));
                break;
            case 4: apply_str(fx, n, MN_P_GIVEN_NAME, "Renamed"); break;
            case 5:
                remove_entity(fx, n);
                exists[n] = false;
                removed++;
                break;
            default: { /* create, through the API's parser */
                char body[256];
                const char *cc = codes[rng_below(&r, MN_ARRAY_LEN(codes))];
                snprintf(body, sizeof body,
                         "{'role':'%s','given_name':'N','family_name':'M'%s%s"
                         "%s}",
                         roles[rng_below(&r, 2)],
                         cc ? ",'country_of_origin':'" : "", cc ? cc : "",
                         cc ? "'" : "");
                apply_json(fx, n, body, 1 + (uint32_t)rng_below(&r, 5), false);
                exists[n] = true;
                break;
            }
            }
            if (fx->hlc < now)
                fx->hlc = now + 1;
            check(fx, &c);
        }
        commit(fx);
        check(fx, &c);
    }
    assert_true(removed > 0);
    print_message("random walk: %zu steps, %zu removals, %llu counted at "
                  "the end\n",
                  steps, removed, (unsigned long long)total(&c));
}

/* ---- mn_stats_json ----------------------------------------------------- */

static void
config_two_divisions(mn_config *cfg) {
    memset(cfg, 0, sizeof *cfg);
    cfg->ndivisions = 2;
    cfg->divisions[0].id = 1;
    strcpy(cfg->divisions[0].name, "copenhagen");
    cfg->divisions[1].id = 2;
    strcpy(cfg->divisions[1].name, "aarhus");
    cfg->self = cfg->divisions[0];
}

static json_int_t
cell(const json_t *divisions, const char *div, const char *role,
     const char *status) {
    json_t *v = json_object_get(
        json_object_get(json_object_get(divisions, div), role), status);
    if (!json_is_integer(v))
        fail_msg("divisions.%s.%s.%s is not an integer", div, role, status);
    return json_integer_value(v);
}

static void
check_division_shape(const json_t *d) {
    static const char *const statuses[] = {"applicant", "waiting", "matched",
                                           "alumni", "withdrawn"};
    json_int_t sum = 0;
    assert_true(json_is_object(d));
    /* mentor, mentee, total, partnerships, moved_in */
    assert_int_equal(json_object_size(d), 5);
    assert_int_equal(json_object_size(json_object_get(d, "partnerships")),
                     MN_PSTATE_COUNT);
    for (int r = 0; r < MN_ROLE_COUNT; r++) {
        json_t *by = json_object_get(
            d, mn_field_enum_name(
                   mn_kind_field(&mn_kind_participant, MN_P_ROLE), r));
        assert_true(json_is_object(by));
        assert_int_equal(json_object_size(by), MN_STATUS_COUNT);
        for (size_t s = 0; s < MN_ARRAY_LEN(statuses); s++) {
            json_t *v = json_object_get(by, statuses[s]);
            assert_true(json_is_integer(v));
            sum += json_integer_value(v);
        }
    }
    assert_true(json_is_integer(json_object_get(d, "total")));
    assert_int_equal(json_integer_value(json_object_get(d, "total")), sum);
}

/* The count at o.key.kind (an integer). */
static json_int_t
outcome_at(const json_t *o, const char *key, const char *kind) {
    json_t *v = json_object_get(json_object_get(o, key), kind);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

/* Outcomes by division (configured, or counting some) and kind, and
 * their national total. */
static void
check_outcomes(const json_t *o) {
    static const struct {
        const char *div, *kind;
        json_int_t n;
    } want[] = {{"copenhagen", "job", 6},
                {"aarhus", "job", 0},
                {"9", "danish_improved", 1}};
    json_t *divs = json_object_get(o, "divisions");
    assert_int_equal(json_object_size(divs), 3);
    assert_int_equal(json_object_size(json_object_get(o, "total")),
                     MN_OUTCOME_COUNT);
    for (size_t i = 0; i < MN_ARRAY_LEN(want); i++)
        assert_int_equal(outcome_at(divs, want[i].div, want[i].kind),
                         want[i].n);
    assert_int_equal(outcome_at(o, "total", "job"), 6);
    assert_int_equal(outcome_at(o, "total", "danish_improved"), 1);
    assert_int_equal(outcome_at(o, "total", "education"), 0);
}

static void
test_stats_json_shape(void **state) {
    static mn_counts c;
    static mn_config cfg;

    (void)state;
    memset(&c, 0, sizeof c);
    config_two_divisions(&cfg);
    c.p[1][MENTEE][MN_STATUS_APPLICANT] = 3;
    c.p[1][MENTOR][MN_STATUS_MATCHED] = 2;
    c.p[7][MENTEE][MN_STATUS_WAITING] = 4; /* a division not configured */
    c.country[('S' - 'A') * 26 + ('Y' - 'A')] = 5;
    c.country[('A' - 'A') * 26 + ('F' - 'A')] = 1;
    c.partnerships[1][MN_PSTATE_ACTIVE] = 2;
    c.partnerships[2][MN_PSTATE_ACTIVE] = 1;
    c.partnerships[2][MN_PSTATE_COMPLETED] = 6;
    c.moved_in[2] = 3;
    c.outcomes[1][MN_OUTCOME_JOB] = 6;
    c.outcomes[9][MN_OUTCOME_DANISH] = 1; /* a division not configured */

    json_t *j = mn_stats_json(&c, &cfg);
    assert_non_null(j);
    assert_int_equal(json_object_size(j), 6);
    check_outcomes(json_object_get(j, "outcomes"));
    /* Partnerships by state, per division and national. */
    json_t *nat = json_object_get(j, "partnerships");
    assert_int_equal(json_integer_value(json_object_get(nat, "active")), 3);
    assert_int_equal(json_integer_value(json_object_get(nat, "completed")), 6);
    assert_int_equal(json_integer_value(json_object_get(nat, "proposed")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "moves")), 3);
    json_t *divs = json_object_get(j, "divisions");
    assert_true(json_is_object(divs));
    /* Configured divisions always; others only when they count someone. */
    assert_int_equal(json_object_size(divs), 3);
    check_division_shape(json_object_get(divs, "copenhagen"));
    check_division_shape(json_object_get(divs, "aarhus"));
    check_division_shape(json_object_get(divs, "7"));
    assert_null(json_object_get(divs, "3"));
    assert_int_equal(cell(divs, "copenhagen", "mentee", "applicant"), 3);
    assert_int_equal(cell(divs, "copenhagen", "mentor", "matched"), 2);
    assert_int_equal(cell(divs, "copenhagen", "mentor", "applicant"), 0);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(divs, "copenhagen"), "total")),
                     5);
    assert_int_equal(json_integer_value(json_object_get(
                         json_object_get(divs, "aarhus"), "total")),
                     0);
    assert_int_equal(cell(divs, "7", "mentee", "waiting"), 4);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 9);
    assert_int_equal(json_integer_value(json_object_get(j, "countries")), 2);
    /* No names anywhere: the output has only counts. */
    char *text = json_dumps(j, JSON_COMPACT);
    assert_null(strstr(text, "given_name"));
    free(text);
    json_decref(j);

    /* Empty counts: the configured divisions at zero. */
    memset(&c, 0, sizeof c);
    j = mn_stats_json(&c, &cfg);
    divs = json_object_get(j, "divisions");
    assert_int_equal(json_object_size(divs), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 0);
    assert_int_equal(json_integer_value(json_object_get(j, "countries")), 0);
    json_decref(j);
}

/* From a real store to JSON. */
static void
test_stats_json_from_store(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;
    static mn_config cfg;

    config_two_divisions(&cfg);
    begin(fx);
    apply_json(fx, 0,
               "{'role':'mentee','given_name':'A','family_name':'A',"
               "'country_of_origin':'SY'}",
               1, false);
    apply_json(fx, 1,
               "{'role':'mentor','given_name':'B','family_name':'B',"
               "'country_of_origin':'UA'}",
               2, false);
    apply_json(fx, 2,
               "{'role':'mentee','given_name':'C','family_name':'C',"
               "'country_of_origin':'SY','status':'alumni'}",
               2, false);
    /* Each home's aggregate says what it counted. */
    apply_aggregate(fx, 1, "SY=1", NULL);
    apply_aggregate(fx, 2, "SY=1", "UA=1");
    commit(fx);
    check(fx, &c);
    json_t *j = mn_stats_json(&c, &cfg);
    json_t *divs = json_object_get(j, "divisions");
    assert_int_equal(cell(divs, "copenhagen", "mentee", "applicant"), 1);
    assert_int_equal(cell(divs, "aarhus", "mentor", "applicant"), 1);
    assert_int_equal(cell(divs, "aarhus", "mentee", "alumni"), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "total")), 3);
    assert_int_equal(json_integer_value(json_object_get(j, "countries")), 2);
    json_decref(j);
}

/* The mentees_country table of s: its rows and cells as "IR=2,SY=2,not
 * recorded=1" into out. */
static void
country_rows(const mn_stables *s, char *out, size_t cap) {
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < s->n; i++) {
        const mn_stable *t = &s->t[i];
        if (strcmp(t->id, "mentees_country") != 0)
            continue;
        for (size_t r = 0; r < t->nrows; r++)
            len += (size_t)snprintf(out + len, cap - len, "%s%s=%llu",
                                    r ? "," : "", t->rows[r],
                                    (unsigned long long)t->cells[r]);
    }
}

/* Countries come from the divisions' aggregates, summed when the counts
 * are read; a mentee no aggregate counts is "not recorded". */
static void
test_countries_from_aggregates(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;
    static mn_config cfg;
    mn_stables s;
    char rows[256];

    config_two_divisions(&cfg);
    begin(fx);
    for (uint32_t n = 0; n < 5; n++)
        apply_json(fx, n,
                   "{'role':'mentee','given_name':'A','family_name':'A',"
                   "'country_of_origin':'SY'}",
                   n < 3 ? 1 : 2, false);
    apply_aggregate(fx, 1, "IR=2,SY=1", "SY=4");
    apply_aggregate(fx, 2, "SY=1", NULL);
    /* An aggregate under any other id is stored and not counted. */
    uint8_t other[MN_ID_BYTES];
    mn_ops ops;
    mn_stamp st = {fx->hlc++, 3, ++fx->seq};
    mn_id_new(UINT64_C(1700000000000), 3, other);
    mn_ops_init(&ops);
    mn_ops_add_int(&ops, MN_AG_DIVISION, 3);
    mn_ops_add_str(&ops, MN_AG_MENTEES, "SY=99", 5);
    assert_int_equal(mn_state_apply(fx->t, fx->digest, MN_ENTITY_AGGREGATE,
                                    other, ops.op, ops.n, &st, NULL,
                                    &fx->scratch),
                     MN_OK);
    mn_ops_release(&ops);
    commit(fx);
    check(fx, &c); /* kept and recounted agree */
    assert_true(c.mentees[('I' - 'A') * 26 + ('R' - 'A')] == 2);
    assert_true(country(&c, "SY") == 6); /* mentors too */
    assert_int_equal(countries(&c), 2);
    mn_stables_build(&s, &c, &cfg);
    assert_int_equal(s.mentee_countries, 2);
    country_rows(&s, rows, sizeof rows);
    assert_string_equal(rows, "IR=2,SY=2,not recorded=1");
    mn_stables_release(&s);

    /* A new publish replaces the division's counts. */
    begin(fx);
    apply_aggregate(fx, 2, NULL, NULL);
    commit(fx);
    check(fx, &c);
    mn_stables_build(&s, &c, &cfg);
    country_rows(&s, rows, sizeof rows);
    assert_string_equal(rows, "IR=2,SY=1,not recorded=2");
    mn_stables_release(&s);
}

/* ---- the keys of every kind ---------------------------------------------- */

/* An entity of type with ops, made by division div at ms. */
static void
entity_of(mn_entity *e, uint32_t type, uint32_t div, const mn_ops *ops) {
    uint8_t id[MN_ID_BYTES];
    mn_stamp st = {1, div, 1};
    mn_id_new(UINT64_C(1700000000000), div, id); /* 2023-11-14 */
    mn_entity_init(e, type, id);
    mn_entity_merge(e, ops->op, ops->n, &st);
}

/* Year joined: joined_year, else the id's year; a move: the id's
 * division and the home. */
static void
test_year_and_move(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;
    mn_entity e, later;
    mn_ops ops;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(&ops, MN_P_STATUS, "waiting", 7);
    mn_ops_add_int(&ops, MN_P_HOME, 3);
    mn_ops_add_str(&ops, MN_P_COUNTRY, "SY", 2);
    entity_of(&e, MN_ENTITY_PARTICIPANT, 2, &ops);
    mn_ops_release(&ops);
    begin(fx);
    assert_int_equal(mn_stats_update(fx->t, NULL, &e), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.year[3][2023 - MN_STAT_YEAR_FIRST] == 1);
    assert_true(c.moves[2][3] == 1 && c.moved_in[3] == 1);
    assert_true(c.mentees[('S' - 'A') * 26 + ('Y' - 'A')] == 0);
    /* A joined_year moves her to that year. */
    mn_entity_copy(&later, &e);
    mn_field_op op = {.no = MN_P_JOINED_YEAR,
                      .v = {.kind = MN_V_INT, .i = 2009}};
    mn_stamp st = {2, 2, 2};
    assert_int_equal(mn_entity_merge(&later, &op, 1, &st), 1);
    assert_int_equal(mn_participant_year_joined(&later), 2009);
    assert_int_equal(mn_stats_update(fx->t, &e, &later), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.year[3][2023 - MN_STAT_YEAR_FIRST] == 0);
    assert_true(c.year[3][2009 - MN_STAT_YEAR_FIRST] == 1);
    assert_true(c.p[3][MENTEE][MN_STATUS_WAITING] == 1);
    commit(fx);
    mn_entity_release(&e);
    mn_entity_release(&later);
}

/* A partnership by the mentee's and the mentor's division; a job by its
 * qualifications; a live membership by both ids' divisions. */
static void
test_other_kinds(void **state) {
    struct fixture *fx = *state;
    static mn_counts c;
    static const char mentor[] = "0000000000000000000400000000000a";
    static const char mentee[] = "0000000000000000000200000000000b";
    mn_entity ps, job, member;
    mn_ops ops;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_PS_MENTEE, mentee, 32);
    mn_ops_add_str(&ops, MN_PS_MENTOR, mentor, 32);
    mn_ops_add_int(&ops, MN_PS_PROPOSED_BY, 2);
    entity_of(&ps, MN_ENTITY_PARTNERSHIP, 2, &ops);
    mn_ops_release(&ops);
    mn_ops_init(&ops);
    mn_ops_add_int(&ops, MN_O_DIVISION, 2);
    mn_ops_add_str(&ops, MN_O_KIND, "job", 3);
    mn_ops_add_str(&ops, MN_O_QUALIFICATIONS, "no", 2);
    entity_of(&job, MN_ENTITY_OUTCOME, 2, &ops);
    mn_ops_release(&ops);
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_M_SUBNETWORK, mentor, 32); /* an id of div 4 */
    mn_ops_add_str(&ops, MN_M_PARTICIPANT, mentee, 32);
    entity_of(&member, MN_ENTITY_MEMBERSHIP, 2, &ops);
    mn_ops_release(&ops);
    begin(fx);
    assert_int_equal(mn_stats_update(fx->t, NULL, &ps), MN_OK);
    assert_int_equal(mn_stats_update(fx->t, NULL, &job), MN_OK);
    assert_int_equal(mn_stats_update(fx->t, NULL, &member), MN_OK);
    assert_int_equal(mn_stats_load(fx->t, &c), MN_OK);
    assert_true(c.pairs[2][4] == 1);
    assert_true(c.partnerships[2][MN_PSTATE_PROPOSED] == 1);
    assert_true(c.jobs[2][MN_QUAL_NO] == 1 &&
                c.outcomes[2][MN_OUTCOME_JOB] == 1);
    assert_true(c.members[4][2] == 1);
    commit(fx);
    mn_entity_release(&ps);
    mn_entity_release(&job);
    mn_entity_release(&member);
}

/* ---- the published tables ----------------------------------------------- */

static const mn_stable *
table_named(const mn_stables *s, const char *id) {
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->t[i].id, id) == 0)
            return &s->t[i];
    fail_msg("no table %s", id);
    return NULL;
}

/* Suppressed: small cells read "<5" in the JSON and the CSV, the totals
 * are real, no hidden cell is fixed; the CSV is UTF-8 with a BOM and the
 * divisions' display names. */
static void
test_tables_suppressed(void **state) {
    static mn_counts c;
    static mn_config cfg;
    mn_stables s;
    (void)state;
    memset(&c, 0, sizeof c);
    config_two_divisions(&cfg);
    strcpy(cfg.divisions[0].display_name, "K\xc3\xb8"
                                          "benhavn");
    strcpy(cfg.divisions[1].display_name, "\xc3\x85rhus");
    c.p[1][MENTEE][MN_STATUS_WAITING] = 40;
    c.p[1][MENTOR][MN_STATUS_WAITING] = 30;
    c.p[2][MENTEE][MN_STATUS_WAITING] = 20;
    c.p[2][MENTOR][MN_STATUS_ALUMNI] = 3;
    c.p[2][MENTOR][MN_STATUS_WAITING] = 25;
    c.year[1][10] = 70;
    c.year[2][10] = 48;
    mn_stables_build(&s, &c, &cfg);
    mn_stables_suppress(&s);
    assert_int_equal(s.fixed, 0);
    const mn_stable *t = table_named(&s, "participants_division_status");
    mn_count_table ct = {t->nrows, t->ncols, t->cells, t->row_totals,
                         t->col_totals};
    assert_int_equal(t->flags[1 * MN_STATUS_COUNT + MN_STATUS_ALUMNI],
                     MN_CELL_SMALL);
    assert_int_equal(mn_suppress_count_fixed(&ct, t->flags), 0);
    json_t *j = json_object();
    mn_stables_json_set(&s, j);
    char *text = json_dumps(j, JSON_COMPACT);
    assert_non_null(strstr(text, "\"<5\""));
    assert_null(strstr(text, ",3,")); /* the 3 is nowhere */
    free(text);
    char *csv = mn_stats_csv(&s, j);
    assert_memory_equal(csv, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(csv, "\r\nK\xc3\xb8"
                                "benhavn,"));
    assert_non_null(strstr(csv, "\r\n\xc3\x85rhus,"));
    assert_non_null(strstr(csv, ",<5,"));
    free(csv);
    json_decref(j);
    mn_stables_release(&s);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void) {
    const struct CMUnitTest tests[] = {
        T(test_stats_follow_changes),
        T(test_partial_entities),
        T(test_partial_entity_country),
        T(test_update_direct),
        T(test_random_walk),
        cmocka_unit_test(test_stats_json_shape),
        T(test_stats_json_from_store),
        T(test_countries_from_aggregates),
        T(test_year_and_move),
        T(test_other_kinds),
        cmocka_unit_test(test_tables_suppressed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
