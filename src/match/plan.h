/*
 * plan — the assignment of waiting mentees to mentors' free slots with the
 * largest total score (README "Matching"), solved exactly (lap.h) on the
 * capacity-expanded matrix: a row per mentee, a column per free slot, in
 * id order; a pair that breaks a hard constraint, was excluded or scores
 * 0 weighs 0 and is never planned. Pinned pairs are taken first and the
 * rest is optimal around them.
 *
 * A function of the pool and the request alone, so two nodes at the same
 * version vector (and with the same weights) compute the same plan.
 * Nothing is proposed: the coordinator reviews the plan and proposes the
 * pairs she chooses (POST /v1/partnerships).
 */
#ifndef MN_MATCH_PLAN_H
#define MN_MATCH_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "match/pool.h"

/* The largest matrix a plan builds (rows x columns): 400 MB of weights. A
 * national plan at ten times the demo data is far below it. */
#define MN_MATCH_MAX_CELLS 100000000ULL
/* Pins and exclusions a request may carry. */
#define MN_MATCH_MAX_PAIRS 1000

typedef struct mn_match_idpair {
    uint8_t mentee[MN_ID_BYTES], mentor[MN_ID_BYTES];
} mn_match_idpair;

typedef struct mn_match_plan_req {
    uint32_t division; /* only this division's mentees and mentors; 0: all */
    const uint32_t *weights; /* [MN_MC_COUNT] */
    const mn_match_idpair *pins;
    size_t npins;
    const mn_match_idpair *excludes;
    size_t nexcludes;
} mn_match_plan_req;

/* One planned pair: indexes into the pool. */
typedef struct mn_match_pair {
    size_t mentee, mentor;
    int32_t score;
    bool pinned;
    mn_match_reasons why;
} mn_match_pair;

typedef struct mn_match_plan {
    mn_match_pair *pairs; /* by mentee id */
    size_t npairs;
    int64_t total;         /* the sum of the pairs' scores */
    size_t mentees, slots; /* in scope: the matrix's rows and columns */
} mn_match_plan;

/*
 * Compute the plan for req over pool into *out (mn_match_plan_release
 * frees it). MN_OK; MN_EINVAL with p set for a pin that breaks a rule
 * (field "pins[i]"); MN_ETOOBIG with p set when the matrix would be over
 * MN_MATCH_MAX_CELLS.
 */
int mn_match_plan_solve(const mn_match_pool *pool, const mn_match_plan_req *req,
                        mn_match_plan *out, mn_problem *p);

void mn_match_plan_release(mn_match_plan *plan);

#endif
