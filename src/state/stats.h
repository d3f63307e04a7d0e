/*
 * stats — national and division totals, kept in the stats database and
 * updated in the same transaction as every apply, so they are always a
 * function of the replicated state. No names: counts only. What an entity
 * contributes is its kind's stats hook (state/kind.h); the keys below are
 * the participant's (state/participant.c) and the outcome's
 * (state/outcome.c). api/stats_json.c renders them.
 *
 *   'p' div be32 role u8 status u8 -> be64   participants
 *   'c' country[2]                 -> be64   participants per country
 *   'm' div be32                   -> be64   participants moved into div
 *   'q' div be32 state u8          -> be64   partnerships (partnership.h)
 *   'o' div be32 kind u8           -> be64   outcomes (outcome.h)
 *
 * Invariant: the stored counts equal mn_stats_recount over the entities;
 * GET /v1/stats?verify=true checks it.
 */
#ifndef MN_STATS_H
#define MN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/entity.h"
#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "door/store.h"

typedef struct mn_counts {
    uint64_t p[MN_MAX_NODES + 1][MN_ROLE_COUNT][MN_STATUS_COUNT];
    uint64_t country[26 * 26];
    uint64_t partnerships[MN_MAX_NODES + 1][MN_PSTATE_COUNT];
    uint64_t moved_in[MN_MAX_NODES + 1];
    uint64_t outcomes[MN_MAX_NODES + 1][MN_OUTCOME_COUNT];
} mn_counts;

/* Has a stats database key the shape of one above? For the start-up
 * check. */
bool mn_stats_key_ok(const uint8_t *key, size_t kn);

/* Move e's contribution (its kind's stats keys) out of the counts (before)
 * and into them (after); either may be NULL, not both. */
int mn_stats_update(mn_txn *t, const mn_entity *before, const mn_entity *after);

/* Read the maintained counts. */
int mn_stats_load(mn_txn *t, mn_counts *out);
/* Count again from the stored entities. */
int mn_stats_recount(mn_txn *t, mn_counts *out);

#endif
