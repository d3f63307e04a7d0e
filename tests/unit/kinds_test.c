/*
 * kinds_test — unit tests for the sub-network, membership and outcome
 * kinds (their tables in state/, read by api/kind_json.c): wire numbers
 * and visibility classes pinned, create bodies accepted and refused
 * (ids of 32 lower-case hex, a job's fields only on a job, write-once
 * fields), the ownership rule of each table on replicated ops, the
 * add-wins membership set, and the outcome's statistics key.
 *
 * JSON in this file is written with single quotes for readability; q()
 * turns them into double quotes (no test value contains a quote).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "api/kind_json.h"
#include "state/membership.h"
#include "state/outcome.h"
#include "state/subnetwork.h"
#include "unit_helpers.h"

#define HOME 2
#define OTHER 4
#define SUB "01a23f261a83775bb9019518137581c0"
#define WHO "01a23f261a8b7e97a20190acd67173a9"

/* text with each ' made a ", parsed (it must be valid JSON). */
static json_t *
q(const char *text) {
    char *z = strdup(text);
    for (char *c = z; *c; c++)
        *c = *c == '\'' ? '"' : *c;
    json_t *v = json_loads(z, 0, NULL);
    free(z);
    assert_non_null(v);
    return v;
}

/* Parse text as a create (current NULL) or patch of k. OUT: ops, p. */
static int
parse(const mn_kind *k, const char *text, const mn_entity *current, mn_ops *ops,
      mn_problem *p) {
    json_t *body = q(text);
    mn_ops_init(ops);
    memset(p, 0, sizeof *p);
    int rc = mn_kind_json_parse(k, body, current, HOME, ops, p);
    json_decref(body);
    return rc;
}

static void
expect_ok(const mn_kind *k, const char *text) {
    mn_ops ops;
    mn_problem p;
    if (parse(k, text, NULL, &ops, &p) != MN_OK)
        fail_msg("%s: refused: %s", text, p.message);
    mn_ops_release(&ops);
}

static void
expect_refused(const mn_kind *k, const char *text, const mn_entity *current,
               const char *code, const char *field) {
    mn_ops ops;
    mn_problem p;
    if (parse(k, text, current, &ops, &p) != MN_EINVAL)
        fail_msg("%s: accepted", text);
    if (strcmp(p.code, code) != 0 || strcmp(p.field, field) != 0)
        fail_msg("%s: %s/%s, want %s/%s", text, p.code, p.field, code, field);
    assert_int_equal(ops.n, 0);
    mn_ops_release(&ops);
}

/* ---- the tables ------------------------------------------------------- */

struct pin {
    uint32_t no;
    const char *key;
    enum mn_fvis vis;
};

static void
check_pins(const mn_kind *k, uint32_t type, const struct pin *pins, size_t n) {
    assert_int_equal(k->type, type);
    assert_ptr_equal(mn_kind_find(type), k);
    assert_int_equal(k->nfields, n);
    for (size_t i = 0; i < n; i++) {
        const mn_field_def *f = mn_kind_field(k, pins[i].no);
        assert_non_null(f);
        assert_string_equal(f->name, pins[i].key);
        assert_int_equal(f->vis, pins[i].vis);
    }
    assert_int_equal(k->owner_field, 1); /* the division, in every one */
}

/* Numbers are on the wire and on disk; classes decide who reads. Only the
 * facilitator's name and the outcome's note are personal. */
static void
test_numbers_and_classes(void **state) {
    static const struct pin sub[] = {
        {1, "division", MN_VIS_PROFILE},     {2, "name", MN_VIS_PROFILE},
        {3, "scope", MN_VIS_PROFILE},        {4, "theme", MN_VIS_PROFILE},
        {5, "facilitator", MN_VIS_PERSONAL}, {6, "description", MN_VIS_PROFILE},
    };
    static const struct pin member[] = {
        {1, "division", MN_VIS_PROFILE},
        {2, "subnetwork_id", MN_VIS_PROFILE},
        {3, "participant_id", MN_VIS_PROFILE},
        {4, "joined_at", MN_VIS_PROFILE},
        {5, "left_at", MN_VIS_PROFILE},
    };
    static const struct pin outcome[] = {
        {1, "division", MN_VIS_PROFILE},
        {2, "participant_id", MN_VIS_PROFILE},
        {3, "partnership_id", MN_VIS_PROFILE},
        {4, "date", MN_VIS_PROFILE},
        {5, "kind", MN_VIS_PROFILE},
        {6, "sector", MN_VIS_PROFILE},
        {7, "qualifications_match", MN_VIS_PROFILE},
        {8, "note", MN_VIS_PERSONAL},
    };
    (void)state;
    check_pins(&mn_kind_subnetwork, MN_ENTITY_SUBNETWORK, sub,
               MN_ARRAY_LEN(sub));
    check_pins(&mn_kind_membership, MN_ENTITY_MEMBERSHIP, member,
               MN_ARRAY_LEN(member));
    check_pins(&mn_kind_outcome, MN_ENTITY_OUTCOME, outcome,
               MN_ARRAY_LEN(outcome));
}

/* ---- bodies ----------------------------------------------------------- */

static void
test_subnetwork_bodies(void **state) {
    const mn_kind *k = &mn_kind_subnetwork;
    mn_ops ops;
    mn_problem p;
    (void)state;
    assert_int_equal(parse(k, "{'name':'Literary circle'}", NULL, &ops, &p),
                     MN_OK);
    assert_int_equal(ops.n, 3); /* name, the owner, scope by default */
    mn_ops_release(&ops);
    expect_ok(k, "{'name':'DJØF','scope':'national','theme':'law',"
                 "'facilitator':'Inge','description':'a\\nb'}");
    expect_refused(k, "{'theme':'x'}", NULL, "missing_field", "name");
    expect_refused(k, "{'name':'x','scope':'city'}", NULL, "invalid_field",
                   "scope");
    expect_refused(k, "{'name':'x','division':'aarhus'}", NULL, "invalid_field",
                   "division");
    expect_refused(k, "{'name':'x','facilitator':'a\\nb'}", NULL,
                   "invalid_field", "facilitator");
}

static void
test_membership_bodies(void **state) {
    const mn_kind *k = &mn_kind_membership;
    (void)state;
    expect_ok(k, "{'subnetwork_id':'" SUB "','participant_id':'" WHO
                 "','joined_at':'2026-01-01T00:00:00Z'}");
    expect_refused(k,
                   "{'subnetwork_id':'" SUB "','participant_id':'" SUB
                   "X','joined_at':'2026-01-01T00:00:00Z'}",
                   NULL, "invalid_field", "participant_id");
    expect_refused(k,
                   "{'subnetwork_id':'01A23F261A83775BB9019518137581C0',"
                   "'participant_id':'" WHO
                   "','joined_at':'2026-01-01T00:00:00Z'}",
                   NULL, "invalid_field", "subnetwork_id");
    expect_refused(k, "{'subnetwork_id':'" SUB "','participant_id':'" WHO "'}",
                   NULL, "missing_field", "joined_at");
    uint8_t id[MN_ID_BYTES];
    assert_int_equal(mn_id_parse(SUB, id), MN_OK);
    assert_int_equal(mn_id_parse(NULL, id), MN_EINVAL);
    assert_int_equal(mn_id_parse(SUB "0", id), MN_EINVAL);
}

static void
test_outcome_bodies(void **state) {
    const mn_kind *k = &mn_kind_outcome;
    mn_ops ops;
    mn_problem p;
    (void)state;
    expect_ok(k, "{'participant_id':'" WHO "','date':'2026-01-01T00:00:00Z',"
                 "'kind':'job','sector':'finance','qualifications_match':'no',"
                 "'note':'x'}");
    expect_ok(k, "{'participant_id':'" WHO "','partnership_id':'" SUB
                 "','date':'2026-01-01T00:00:00Z','kind':'network_grown'}");
    expect_refused(k,
                   "{'participant_id':'" WHO "','date':'2026-01-01T00:00:00Z',"
                   "'kind':'education','qualifications_match':'yes'}",
                   NULL, "invalid_field", "qualifications_match");
    expect_refused(k,
                   "{'participant_id':'" WHO "','date':'2026-01-01T00:00:00Z',"
                   "'kind':'job','partnership_id':'nope'}",
                   NULL, "invalid_field", "partnership_id");
    expect_refused(k, "{'participant_id':'" WHO "','kind':'job'}", NULL,
                   "missing_field", "date");
    /* A stored outcome: every write-once field refuses a new value. */
    assert_int_equal(parse(k,
                           "{'participant_id':'" WHO "','kind':'job',"
                           "'date':'2026-01-01T00:00:00Z','sector':'law'}",
                           NULL, &ops, &p),
                     MN_OK);
    mn_entity e;
    uint8_t id[MN_ID_BYTES];
    mn_stamp st = {1, 1, 1};
    mn_id_new(1700000000000ull, HOME, id);
    mn_entity_init(&e, MN_ENTITY_OUTCOME, id);
    mn_entity_merge(&e, ops.op, ops.n, &st);
    mn_ops_release(&ops);
    expect_refused(k, "{'sector':'health'}", &e, "invalid_field", "sector");
    expect_refused(k, "{'kind':'education'}", &e, "invalid_field", "kind");
    expect_refused(k, "{'note':'later'}", &e, "invalid_field", "note");
    mn_entity_release(&e);
}

/* ---- ownership on the wire -------------------------------------------- */

static bool
allows(const mn_kind *k, uint32_t no, uint32_t origin_division) {
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    mn_id_new(1700000000000ull, HOME, id);
    mn_ops_init(&ops);
    if (mn_kind_field(k, no)->type == MN_FT_TIME)
        mn_ops_add_int(&ops, no, 1);
    else
        mn_ops_add_str(&ops, no, WHO, strlen(WHO));
    bool ok = mn_kind_owner_allows(k, mn_kind_owner(k, id), ops.op, ops.n,
                                   mn_origin_make(origin_division, 1));
    mn_ops_release(&ops);
    return ok;
}

/* Every outcome field, a sub-network's every field and a membership's
 * pair and join date are written only by the division that made the
 * entity; a membership's left_at by any division. */
static void
test_owner_rules(void **state) {
    (void)state;
    for (size_t i = 1; i < mn_kind_outcome.nfields; i++) {
        uint32_t no = mn_kind_outcome.fields[i].no;
        assert_true(allows(&mn_kind_outcome, no, HOME));
        assert_false(allows(&mn_kind_outcome, no, OTHER));
    }
    for (size_t i = 1; i < mn_kind_subnetwork.nfields; i++)
        assert_false(allows(&mn_kind_subnetwork,
                            mn_kind_subnetwork.fields[i].no, OTHER));
    assert_false(allows(&mn_kind_membership, MN_M_PARTICIPANT, OTHER));
    assert_false(allows(&mn_kind_membership, MN_M_SUBNETWORK, OTHER));
    assert_false(allows(&mn_kind_membership, MN_M_JOINED_AT, OTHER));
    assert_true(allows(&mn_kind_membership, MN_M_LEFT_AT, OTHER));
    assert_true(allows(&mn_kind_membership, MN_M_LEFT_AT, HOME));
}

/* A replicated id of another length breaks the table everywhere. */
static void
test_replicated_ids(void **state) {
    mn_ops ops;
    uint32_t field = 0;
    (void)state;
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_M_PARTICIPANT, WHO, 31);
    assert_int_equal(
        mn_kind_check_ops(&mn_kind_membership, ops.op, ops.n, &field),
        MN_FAULT_LIMITS);
    assert_int_equal(field, MN_M_PARTICIPANT);
    mn_ops_release(&ops);
}

/* ---- the membership set ----------------------------------------------- */

/* A membership of (sub, who) made by the change stamped at hlc; left at
 * left (0: never). */
static void
tag(mn_entity *e, const char *sub, const char *who, uint64_t hlc,
    uint64_t left) {
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    mn_stamp st = {hlc, 1, hlc};
    mn_id_new(hlc, HOME, id);
    mn_entity_init(e, MN_ENTITY_MEMBERSHIP, id);
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_M_SUBNETWORK, sub, strlen(sub));
    mn_ops_add_str(&ops, MN_M_PARTICIPANT, who, strlen(who));
    mn_ops_add_int(&ops, MN_M_JOINED_AT, (int64_t)hlc);
    mn_entity_merge(e, ops.op, ops.n, &st);
    mn_ops_release(&ops);
    if (!left)
        return;
    mn_stamp later = {left, 2, 1};
    mn_ops_init(&ops);
    mn_ops_add_int(&ops, MN_M_LEFT_AT, (int64_t)left);
    mn_entity_merge(e, ops.op, ops.n, &later);
    mn_ops_release(&ops);
}

static bool
member(const mn_entity *tags, size_t n, const char *sub, const char *who) {
    for (size_t i = 0; i < n; i++)
        if (mn_membership_live(&tags[i], sub, who))
            return true;
    return false;
}

/* A leave removes the tags it saw; a tag it did not see (a concurrent
 * join) keeps her a member: add wins. */
static void
test_add_wins(void **state) {
    mn_entity t[3];
    (void)state;
    tag(&t[0], SUB, WHO, 10, 30); /* joined, then left */
    tag(&t[1], SUB, WHO, 20, 0);  /* a join the leave did not see */
    tag(&t[2], WHO, SUB, 25, 0);  /* another pair */
    assert_true(member(t, 2, SUB, WHO));
    assert_false(member(t, 1, SUB, WHO));
    assert_false(mn_membership_live(&t[2], SUB, NULL));
    assert_true(mn_membership_live(&t[1], SUB, NULL));
    assert_false(mn_membership_live(&t[1], SUB, SUB));
    for (size_t i = 0; i < 3; i++)
        mn_entity_release(&t[i]);
}

/* ---- statistics ------------------------------------------------------- */

static void
test_outcome_stats(void **state) {
    mn_entity e;
    mn_ops ops;
    mn_problem p;
    mn_stat_key keys[MN_KIND_MAX_STATS];
    uint8_t id[MN_ID_BYTES];
    mn_stamp st = {1, 1, 1};
    (void)state;
    mn_id_new(1700000000000ull, HOME, id);
    mn_entity_init(&e, MN_ENTITY_OUTCOME, id);
    assert_int_equal(mn_kind_outcome.stats(&e, keys), 0); /* nothing yet */
    assert_int_equal(parse(&mn_kind_outcome,
                           "{'participant_id':'" WHO "','kind':'education',"
                           "'date':'2026-01-01T00:00:00Z'}",
                           NULL, &ops, &p),
                     MN_OK);
    mn_entity_merge(&e, ops.op, ops.n, &st);
    mn_ops_release(&ops);
    assert_int_equal(mn_kind_outcome.stats(&e, keys), 1);
    assert_int_equal(keys[0].len, MN_STAT_OUTCOME_LEN);
    assert_int_equal(keys[0].b[0], MN_STAT_OUTCOME);
    assert_int_equal(mn_get_be32(keys[0].b + 1), HOME);
    assert_int_equal(keys[0].b[5], MN_OUTCOME_EDUCATION);
    assert_int_equal(keys[0].b[6], MN_QUAL_UNSTATED);
    mn_entity_release(&e);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers_and_classes),
        cmocka_unit_test(test_subnetwork_bodies),
        cmocka_unit_test(test_membership_bodies),
        cmocka_unit_test(test_outcome_bodies),
        cmocka_unit_test(test_owner_rules),
        cmocka_unit_test(test_replicated_ids),
        cmocka_unit_test(test_add_wins),
        cmocka_unit_test(test_outcome_stats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
