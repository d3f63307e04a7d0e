/*
 * match_test — matching's score (match/score.h) and plan (match/plan.h):
 * each criterion and hard constraint on participants built field by
 * field, and plans on small random pools against a brute force over every
 * assignment, with pins, exclusions, scopes and the history of declined
 * pairs. The solver's own tests are lap_test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "match/plan.h"
#include "state/participant.h"
#include "unit_helpers.h"

static const uint32_t W[MN_MC_COUNT] = {30, 15, 15, 10, 15, 5, 10};

/* A participant: id byte idb, division, then (field no, value) string
 * pairs ending in 0; integer fields are given as decimal text. */
static void
person(mn_match_profile *out, uint8_t idb, uint32_t division, ...) {
    mn_entity e;
    uint8_t id[MN_ID_BYTES] = {0};
    mn_field_op ops[MN_ENTITY_MAX_FIELDS];
    size_t n = 0;
    va_list ap;
    id[0] = idb;
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, id);
    ops[n].no = MN_P_HOME;
    ops[n++].v = (mn_value){MN_V_INT, division, NULL, 0};
    va_start(ap, division);
    for (uint32_t no; (no = va_arg(ap, uint32_t)) != 0;) {
        char *z = va_arg(ap, char *);
        const mn_field_def *f = mn_kind_field(&mn_kind_participant, no);
        ops[n].no = no;
        if (f->type == MN_FT_INT || f->type == MN_FT_DIVISION)
            ops[n++].v = (mn_value){MN_V_INT, atoll(z), NULL, 0};
        else
            ops[n++].v = (mn_value){MN_V_STR, 0, z, strlen(z)};
    }
    va_end(ap);
    mn_stamp st = {1, 1, 1};
    mn_entity_merge(&e, ops, n, &st);
    mn_match_profile_of(&e, out);
    mn_entity_release(&e);
}

#define MENTEE MN_P_ROLE, "mentee", MN_P_STATUS, "waiting"
#define MENTOR MN_P_ROLE, "mentor", MN_P_STATUS, "waiting"

static void
test_languages(void **state) {
    (void)state;
    mn_match_profile a, b;
    mn_match_reasons why;
    person(&b, 2, 1, MENTOR, MN_P_LANGUAGES, "da,en,ar", 0);
    person(&a, 1, 1, MENTEE, MN_P_LANGUAGES, "ar,da", MN_P_DANISH_LEVEL, "A1",
           0);
    assert_true(mn_match_score(W, &a, &b, &why) >= 0);
    assert_int_equal(why.points[MN_MC_LANGUAGE], 10); /* Arabic */
    person(&a, 1, 1, MENTEE, MN_P_LANGUAGES, "so,da", MN_P_DANISH_LEVEL, "A1",
           0);
    assert_int_equal(mn_match_score(W, &a, &b, NULL), -1); /* Danish A1 */
    assert_false(mn_match_shares_language(&a, &b));
    person(&a, 1, 1, MENTEE, MN_P_LANGUAGES, "so,da", MN_P_DANISH_LEVEL, "B1",
           0);
    mn_match_score(W, &a, &b, &why);
    assert_int_equal(why.points[MN_MC_LANGUAGE], 5); /* B1: 6 of 12 */
    person(&a, 1, 1, MENTEE, MN_P_LANGUAGES, "so,da", 0);
    mn_match_score(W, &a, &b, &why);
    assert_int_equal(why.points[MN_MC_LANGUAGE], 5); /* level not given */
    person(&a, 1, 1, MENTEE, MN_P_LANGUAGES, "so,ti", 0);
    assert_int_equal(mn_match_score(W, &a, &b, NULL), -1);
    person(&a, 1, 1, MENTEE, 0);
    assert_int_equal(mn_match_score(W, &a, &b, NULL), -1); /* none given */
}

static void
test_criteria(void **state) {
    (void)state;
    mn_match_profile a, b;
    mn_match_reasons why;
    person(&a, 1, 2, MENTEE, MN_P_LANGUAGES, "en", MN_P_PROFESSION, "Nurse ",
           MN_P_SECTOR, "health", MN_P_EDUCATION, "bachelor", MN_P_GOALS,
           "job,network", MN_P_AVAILABILITY, "Weekday evenings", 0);
    person(&b, 2, 2, MENTOR, MN_P_LANGUAGES, "en", MN_P_PROFESSION, "nurse",
           MN_P_SECTOR, "Health", MN_P_EDUCATION, "master", MN_P_GOALS,
           "network", MN_P_AVAILABILITY, "Tuesday evenings", 0);
    int32_t s = mn_match_score(W, &a, &b, &why);
    assert_int_equal(why.points[MN_MC_PROFESSION], 30); /* case, spaces */
    assert_int_equal(why.points[MN_MC_SECTOR], 15);
    assert_int_equal(why.points[MN_MC_EDUCATION], 11); /* one above: 3/4 */
    assert_int_equal(why.points[MN_MC_LANGUAGE], 10);
    assert_int_equal(why.points[MN_MC_GOALS], 7);        /* one of two */
    assert_int_equal(why.points[MN_MC_AVAILABILITY], 5); /* Tuesday evenings */
    assert_int_equal(why.points[MN_MC_SAME_DIVISION], 10);
    assert_int_equal(s, 30 + 15 + 11 + 10 + 7 + 5 + 10);

    person(&b, 2, 3, MENTOR, MN_P_LANGUAGES, "en", MN_P_PROFESSION, "teacher",
           MN_P_EDUCATION, "secondary", MN_P_AVAILABILITY, "Weekends", 0);
    s = mn_match_score(W, &a, &b, &why);
    assert_int_equal(why.points[MN_MC_PROFESSION], 0);
    assert_int_equal(why.points[MN_MC_SECTOR], 0);
    assert_int_equal(why.points[MN_MC_EDUCATION], 3); /* one below: half */
    assert_int_equal(why.points[MN_MC_GOALS], 0);
    assert_int_equal(why.points[MN_MC_AVAILABILITY], 0); /* apart */
    assert_int_equal(why.points[MN_MC_SAME_DIVISION], 0);
    assert_int_equal(s, 3 + 10);

    person(&b, 2, 3, MENTOR, MN_P_LANGUAGES, "en", 0);
    mn_match_score(W, &a, &b, &why);
    assert_int_equal(why.points[MN_MC_AVAILABILITY], 2); /* unknown: half */
    assert_int_equal(why.points[MN_MC_EDUCATION], 0);    /* not given */

    static const uint32_t zero[MN_MC_COUNT] = {0};
    assert_int_equal(mn_match_score(zero, &a, &b, &why), 0);
}

/* ---- plans on random pools ---------------------------------------------- */

#define MAX_MENTEES 6
#define MAX_MENTORS 4

typedef struct rpool {
    mn_match_pool pool;
    mn_match_profile mentees[MAX_MENTEES], mentors[MAX_MENTORS];
    int free[MAX_MENTORS];
    uint8_t history[MAX_MENTEES * MAX_MENTORS][2 * MN_ID_BYTES];
} rpool;

static void
random_profile(test_rng *r, mn_match_profile *p, uint8_t idb, bool mentor) {
    static const char *const langs[] = {"ar", "en", "so", "fa"};
    static const char *const jobs[] = {"nurse", "teacher", "cook"};
    static const char *const edus[] = {"primary", "bachelor", "master"};
    static const char *const goals[] = {"job", "network", "job,education"};
    static const char *const times[] = {"weekends", "weekday evenings",
                                        "mornings"};
    uint32_t div = 1 + (uint32_t)rng_below(r, 2);
    person(p, idb, div, mentor ? MN_P_ROLE : MN_P_ROLE,
           mentor ? "mentor" : "mentee", MN_P_STATUS, "waiting", MN_P_LANGUAGES,
           langs[rng_below(r, 4)], MN_P_PROFESSION, jobs[rng_below(r, 3)],
           MN_P_EDUCATION, edus[rng_below(r, 3)], MN_P_GOALS,
           goals[rng_below(r, 3)], MN_P_AVAILABILITY, times[rng_below(r, 3)],
           0);
}

static void
random_pool(test_rng *r, rpool *rp) {
    memset(rp, 0, sizeof *rp);
    size_t na = rng_below(r, MAX_MENTEES + 1);
    size_t nm = rng_below(r, MAX_MENTORS + 1);
    for (size_t i = 0; i < na; i++)
        random_profile(r, &rp->mentees[i], (uint8_t)(1 + i), false);
    for (size_t j = 0; j < nm; j++) {
        random_profile(r, &rp->mentors[j], (uint8_t)(100 + j), true);
        rp->free[j] = 1 + (int)rng_below(r, 2);
    }
    size_t nh = 0;
    for (size_t i = 0; i < na; i++) /* in mentee, then mentor order */
        for (size_t j = 0; j < nm; j++)
            if (rng_below(r, 6) == 0) {
                memcpy(rp->history[nh], rp->mentees[i].id, MN_ID_BYTES);
                memcpy(rp->history[nh++] + MN_ID_BYTES, rp->mentors[j].id,
                       MN_ID_BYTES);
            }
    rp->pool = (mn_match_pool){rp->mentees, na, rp->mentors, rp->free, nm,
                               rp->history, nh, NULL,        0};
}

/* The weight of planning mentee i with mentor j: 0 when not allowed. */
static int32_t
allowed(const mn_match_pool *p, uint32_t division, size_t i, size_t j) {
    const mn_match_profile *a = &p->mentees[i], *b = &p->mentors[j];
    if (division && (a->division != division || b->division != division))
        return 0;
    if (mn_match_pool_declined(p, a->id, b->id))
        return 0;
    int32_t s = mn_match_score(W, a, b, NULL);
    return s > 0 ? s : 0;
}

/* The best total of any assignment of mentees i.. within capacities. */
static int64_t
brute(const mn_match_pool *p, uint32_t division, size_t i, int *left) {
    if (i == p->nmentees)
        return 0;
    int64_t best = brute(p, division, i + 1, left); /* unmatched */
    for (size_t j = 0; j < p->nmentors; j++) {
        int32_t w = allowed(p, division, i, j);
        if (w == 0 || left[j] == 0)
            continue;
        left[j]--;
        int64_t t = w + brute(p, division, i + 1, left);
        left[j]++;
        best = t > best ? t : best;
    }
    return best;
}

/* Every pair is allowed, every capacity kept, the total adds up. */
static void
check_valid(const mn_match_pool *p, uint32_t division,
            const mn_match_plan *plan) {
    int used[MAX_MENTORS] = {0};
    bool seen[MAX_MENTEES] = {0};
    int64_t total = 0;
    for (size_t k = 0; k < plan->npairs; k++) {
        const mn_match_pair *pr = &plan->pairs[k];
        assert_false(seen[pr->mentee]);
        seen[pr->mentee] = true;
        assert_true(++used[pr->mentor] <= p->free[pr->mentor]);
        assert_int_equal(pr->score,
                         allowed(p, division, pr->mentee, pr->mentor));
        assert_true(pr->score > 0);
        total += pr->score;
        if (k > 0)
            assert_true(plan->pairs[k - 1].mentee < pr->mentee);
    }
    assert_int_equal(total, plan->total);
}

static void
test_plan_brute_force(void **state) {
    (void)state;
    test_rng r = {0x6d61746368};
    rpool rp;
    for (int round = 0; round < 600; round++) {
        random_pool(&r, &rp);
        uint32_t division = round % 3 == 0 ? 1 + (uint32_t)(round % 2) : 0;
        mn_match_plan_req req = {division, W, NULL, 0, NULL, 0};
        mn_match_plan plan, again;
        mn_problem p;
        assert_int_equal(mn_match_plan_solve(&rp.pool, &req, &plan, &p), MN_OK);
        int left[MAX_MENTORS];
        memcpy(left, rp.free, sizeof left);
        assert_int_equal(plan.total, brute(&rp.pool, division, 0, left));
        check_valid(&rp.pool, division, &plan);
        assert_int_equal(mn_match_plan_solve(&rp.pool, &req, &again, &p),
                         MN_OK);
        assert_int_equal(again.npairs, plan.npairs); /* deterministic */
        for (size_t k = 0; k < plan.npairs; k++) {
            assert_int_equal(again.pairs[k].mentee, plan.pairs[k].mentee);
            assert_int_equal(again.pairs[k].mentor, plan.pairs[k].mentor);
        }
        mn_match_plan_release(&plan);
        mn_match_plan_release(&again);
    }
}

/* ---- pins, exclusions, scope, more mentees than slots -------------------- */

typedef struct fixed {
    mn_match_profile mentees[3], mentors[2];
    int free[2];
    uint8_t history[1][2 * MN_ID_BYTES];
    mn_match_pool pool;
} fixed;

/* Mentees A (nurse), B (nurse), C (speaks only Somali); mentors X (nurse,
 * one slot) and Y (cook, one slot), all in division 1 but Y in 2. */
static void
fixed_pool(fixed *f) {
    memset(f, 0, sizeof *f);
    person(&f->mentees[0], 1, 1, MENTEE, MN_P_LANGUAGES, "en", MN_P_PROFESSION,
           "nurse", 0);
    person(&f->mentees[1], 2, 1, MENTEE, MN_P_LANGUAGES, "en", MN_P_PROFESSION,
           "nurse", MN_P_SECTOR, "health", 0);
    person(&f->mentees[2], 3, 1, MENTEE, MN_P_LANGUAGES, "so", 0);
    person(&f->mentors[0], 100, 1, MENTOR, MN_P_LANGUAGES, "en",
           MN_P_PROFESSION, "nurse", MN_P_SECTOR, "health", 0);
    person(&f->mentors[1], 101, 2, MENTOR, MN_P_LANGUAGES, "en",
           MN_P_PROFESSION, "cook", 0);
    f->free[0] = f->free[1] = 1;
    f->pool = (mn_match_pool){f->mentees, 3, f->mentors, f->free, 2,
                              f->history, 0, NULL,       0};
}

static mn_match_idpair
idpair(uint8_t mentee, uint8_t mentor) {
    mn_match_idpair p;
    memset(&p, 0, sizeof p);
    p.mentee[0] = mentee;
    p.mentor[0] = mentor;
    return p;
}

static void
expect_pairs(const mn_match_plan *plan, const char *want) {
    char got[64] = "";
    for (size_t k = 0; k < plan->npairs; k++) {
        size_t n = strlen(got);
        snprintf(got + n, sizeof got - n, "%s%c%c", k ? " " : "",
                 (char)('A' + plan->pairs[k].mentee),
                 (char)('X' + plan->pairs[k].mentor));
    }
    assert_string_equal(got, want);
}

static void
test_plan_pins_and_excludes(void **state) {
    (void)state;
    fixed f;
    mn_match_plan plan;
    mn_problem p;
    fixed_pool(&f);
    mn_match_plan_req req = {0, W, NULL, 0, NULL, 0};
    assert_int_equal(mn_match_plan_solve(&f.pool, &req, &plan, &p), MN_OK);
    expect_pairs(&plan, "AY BX"); /* B fits X best; C shares no language */
    assert_int_equal(plan.mentees, 3);
    assert_int_equal(plan.slots, 2);
    mn_match_plan_release(&plan);

    mn_match_idpair pin = idpair(1, 100);
    req.pins = &pin, req.npins = 1;
    assert_int_equal(mn_match_plan_solve(&f.pool, &req, &plan, &p), MN_OK);
    expect_pairs(&plan, "AX BY");
    assert_true(plan.pairs[0].pinned);
    assert_false(plan.pairs[1].pinned);
    mn_match_plan_release(&plan);

    mn_match_idpair ex = idpair(2, 100);
    req.pins = NULL, req.npins = 0, req.excludes = &ex, req.nexcludes = 1;
    assert_int_equal(mn_match_plan_solve(&f.pool, &req, &plan, &p), MN_OK);
    expect_pairs(&plan, "AX BY");
    mn_match_plan_release(&plan);

    /* The history works as an exclusion. */
    memcpy(f.history[0], ex.mentee, MN_ID_BYTES);
    memcpy(f.history[0] + MN_ID_BYTES, ex.mentor, MN_ID_BYTES);
    f.pool.nhistory = 1;
    req.excludes = NULL, req.nexcludes = 0;
    assert_int_equal(mn_match_plan_solve(&f.pool, &req, &plan, &p), MN_OK);
    expect_pairs(&plan, "AX BY");
    mn_match_plan_release(&plan);

    /* Only division 1: Y is out of scope. */
    f.pool.nhistory = 0;
    req.division = 1;
    assert_int_equal(mn_match_plan_solve(&f.pool, &req, &plan, &p), MN_OK);
    expect_pairs(&plan, "BX");
    assert_int_equal(plan.slots, 1);
    mn_match_plan_release(&plan);
}

/* A pin that breaks a rule is refused, naming it. */
static void
expect_bad_pin(const mn_match_pool *pool, const mn_match_idpair *pins, size_t n,
               const char *field, const char *words) {
    mn_match_plan_req req = {0, W, pins, n, NULL, 0};
    mn_match_plan plan;
    mn_problem p = {0};
    assert_int_equal(mn_match_plan_solve(pool, &req, &plan, &p), MN_EINVAL);
    assert_string_equal(p.code, "pin_invalid");
    assert_string_equal(p.field, field);
    assert_non_null(strstr(p.message, words));
    assert_null(plan.pairs);
}

static void
test_plan_bad_pins(void **state) {
    (void)state;
    fixed f;
    fixed_pool(&f);
    mn_match_idpair pins[2] = {idpair(9, 100), idpair(1, 100)};
    expect_bad_pin(&f.pool, pins, 1, "pins[0]", "not waiting");
    pins[0] = idpair(1, 100), pins[1] = idpair(2, 100);
    expect_bad_pin(&f.pool, pins, 2, "pins[1]", "no free slot");
    pins[1] = idpair(1, 101);
    expect_bad_pin(&f.pool, pins, 2, "pins[1]", "pinned twice");
    pins[0] = idpair(3, 100);
    expect_bad_pin(&f.pool, pins, 1, "pins[0]", "no language");
    memcpy(f.history[0], pins[1].mentee, MN_ID_BYTES);
    memcpy(f.history[0] + MN_ID_BYTES, pins[1].mentor, MN_ID_BYTES);
    f.pool.nhistory = 1;
    expect_bad_pin(&f.pool, &pins[1], 1, "pins[0]", "declined");
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_languages),
        cmocka_unit_test(test_criteria),
        cmocka_unit_test(test_plan_brute_force),
        cmocka_unit_test(test_plan_pins_and_excludes),
        cmocka_unit_test(test_plan_bad_pins),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
