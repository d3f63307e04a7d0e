/*
 * stats — national and division totals, kept in the stats database and
 * updated in the same transaction as every apply, so they are always a
 * function of the replicated state. No names: counts only. What an entity
 * contributes is its kind's stats hook (state/kind.h), each kind's keys
 * declared in its own header:
 *
 *   'P' div role status year  -> be64   participants (participant.h)
 *   'M' from to               -> be64   participants who moved
 *   'Q' mentee_div mentor_div state -> be64   partnerships (partnership.h)
 *   'O' div kind qual         -> be64   outcomes (outcome.h)
 *   'B' sub_div member_div    -> be64   live memberships (membership.h)
 *
 * Participants by country of origin are not kept here: each home
 * division counts its own and publishes them as its aggregate
 * (state/aggregate.h); loading the counts adds up the divisions'
 * aggregates (at most MN_MAX_NODES entities). They are as recent as each
 * home's last publish.
 *
 * mn_counts holds them as arrays, and the views the published tables
 * read (api/stats_tables.c renders them; api/stats_json.c the API's
 * JSON).
 *
 * Invariant: the stored counts equal mn_stats_recount over the entities
 * (both read the same aggregates); GET /v1/stats?verify=true checks it.
 */
#ifndef MN_STATS_H
#define MN_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "state/aggregate.h"
#include "state/entity.h"
#include "state/membership.h"
#include "state/outcome.h"
#include "state/participant.h"
#include "state/partnership.h"
#include "door/store.h"

/* Division indexes 0..MN_MAX_NODES: 0 counts what names no division. */
#define MN_STATS_DIVS (MN_MAX_NODES + 1)
#define MN_STATS_COUNTRIES MN_AGG_COUNTRIES /* "AA".."ZZ" (aggregate.h) */

typedef struct mn_counts {
    uint64_t p[MN_STATS_DIVS][MN_ROLE_COUNT][MN_STATUS_COUNT];
    uint64_t year[MN_STATS_DIVS][MN_STAT_YEARS]; /* from MN_STAT_YEAR_FIRST */
    uint64_t country[MN_STATS_COUNTRIES]; /* every participant: aggregates */
    uint64_t mentees[MN_STATS_COUNTRIES]; /* mentees only: aggregates */
    uint64_t partnerships[MN_STATS_DIVS][MN_PSTATE_COUNT]; /* mentee's div */
    uint64_t pairs[MN_STATS_DIVS][MN_STATS_DIVS]; /* mentee's, mentor's div */
    uint64_t moved_in[MN_STATS_DIVS];
    uint64_t moves[MN_STATS_DIVS][MN_STATS_DIVS]; /* from, to */
    uint64_t outcomes[MN_STATS_DIVS][MN_OUTCOME_COUNT];
    uint64_t jobs[MN_STATS_DIVS][MN_QUAL_COUNT];    /* job outcomes */
    uint64_t members[MN_STATS_DIVS][MN_STATS_DIVS]; /* sub-network's, hers */
} mn_counts;

/* Has a stats database key the shape of one above? For the start-up
 * check. */
bool mn_stats_key_ok(const uint8_t *key, size_t kn);

/* Move e's contribution (its kind's stats keys) out of the counts (before)
 * and into them (after); either may be NULL, not both. */
int mn_stats_update(mn_txn *t, const mn_entity *before, const mn_entity *after);

/* Read the maintained counts, and the countries from the divisions'
 * aggregates. */
int mn_stats_load(mn_txn *t, mn_counts *out);
/* Count again from the stored entities (the countries: from the
 * aggregates, as mn_stats_load). */
int mn_stats_recount(mn_txn *t, mn_counts *out);

#endif
