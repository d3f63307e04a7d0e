/*
 * pool — who can be matched now, read from the replicated state in one
 * read transaction: the waiting mentees, the mentors with a free slot,
 * and the pairs that may not be made again. Suggestions and the plan
 * (plan.h) work on a pool only, after its transaction has ended.
 *
 * The hard constraints (README "Matching") that are not a score's:
 * - a mentee is in the pool when her status is waiting and no proposed,
 *   reserved or active partnership names her;
 * - a mentor is in the pool when her status is waiting or matched and her
 *   capacity is more than the proposed, reserved and active partnerships
 *   that name her (a proposal counts: the plan never proposes more than
 *   she can take);
 * - a pair that was declined or cancelled before is never made again.
 *
 * Invariant: every array is sorted by id (the history by mentee, then
 * mentor), so a pool, and all computed from it, is a function of the
 * replicated state alone.
 */
#ifndef MN_MATCH_POOL_H
#define MN_MATCH_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "door/store.h"
#include "match/score.h"

typedef struct mn_match_pool {
    mn_match_profile *mentees;
    size_t nmentees;
    mn_match_profile *mentors;
    int *free; /* free[i]: mentors[i]'s free slots, >= 1 */
    size_t nmentors;
    uint8_t (*history)[2 * MN_ID_BYTES]; /* mentee id, mentor id */
    size_t nhistory;
    uint8_t (*busy)[MN_ID_BYTES]; /* mentees with an open partnership */
    size_t nbusy;
} mn_match_pool;

/* Fill *out from what t holds (mn_match_pool_release frees it). MN_OK,
 * or a store error (nothing to release then). O(participants +
 * partnerships) reads. */
int mn_match_pool_load(mn_txn *t, mn_match_pool *out);

void mn_match_pool_release(mn_match_pool *pool);

/* Was the pair declined or cancelled before? O(log history). */
bool mn_match_pool_declined(const mn_match_pool *pool,
                            const uint8_t mentee[MN_ID_BYTES],
                            const uint8_t mentor[MN_ID_BYTES]);

/* Does a proposed, reserved or active partnership name this mentee? */
bool mn_match_pool_busy(const mn_match_pool *pool,
                        const uint8_t mentee[MN_ID_BYTES]);

/* The index of the mentee (or mentor) with this id, or -1. */
long mn_match_pool_mentee(const mn_match_pool *pool,
                          const uint8_t id[MN_ID_BYTES]);
long mn_match_pool_mentor(const mn_match_pool *pool,
                          const uint8_t id[MN_ID_BYTES]);

/* The first history entry of this mentee (entries of hers follow it in
 * mentor order), or nhistory when she has none. */
size_t mn_match_pool_history_of(const mn_match_pool *pool,
                                const uint8_t mentee[MN_ID_BYTES]);

#endif
