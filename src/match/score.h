/*
 * score — how well a mentor fits a mentee: an integer sum of criteria,
 * each weighted from [matching] in the node's config (base/config.h
 * enum mn_match_criterion), with each criterion's points kept so that a
 * coordinator sees why a pair was suggested (README "Matching").
 *
 * Only `profile` fields are read (languages, Danish level, education,
 * profession, sector, goals, availability, capacity, home division): a
 * score reveals nothing of another division's personal or special fields.
 *
 * Pure functions over a compact profile: no I/O, no clock, no floating
 * point, so the same state and weights give the same scores on every node.
 */
#ifndef MN_MATCH_SCORE_H
#define MN_MATCH_SCORE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/config.h"
#include "state/entity.h"

/* Languages a profile keeps (the participant table's cap). */
#define MN_MATCH_LANGS 16

/* What matching reads of a participant, decoded once. */
typedef struct mn_match_profile {
    uint8_t id[MN_ID_BYTES];
    uint32_t division;
    int role, status; /* MN_ROLE_*, MN_STATUS_*, or -1 */
    int education;    /* name index, or -1 when not given */
    int danish;       /* name index: 0 none .. 6 C2, or -1 */
    uint8_t nlangs;   /* languages, as two letters packed 'a'..'z' */
    uint16_t langs[MN_MATCH_LANGS];
    uint64_t profession; /* case-folded hash, 0 when not given */
    uint64_t sector;     /* likewise */
    uint8_t goals;       /* bit i: goal name i (a mentor: what she offers) */
    uint8_t days, parts; /* availability: weekday bits, part-of-day bits */
    bool has_availability;
    int capacity; /* a mentor's capacity (default 1) */
} mn_match_profile;

/* Why a pair scored what it did: points per criterion. */
typedef struct mn_match_reasons {
    int32_t points[MN_MC_COUNT];
} mn_match_reasons;

/* Decode participant e into *out (every field optional). */
void mn_match_profile_of(const mn_entity *e, mn_match_profile *out);

/* Do they share a language she can be mentored in? Danish counts only
 * from level A2 (or when her level is not given). */
bool mn_match_shares_language(const mn_match_profile *mentee,
                              const mn_match_profile *mentor);

/*
 * The score of mentor for mentee under weights w[MN_MC_COUNT]: the sum of
 * the points in *why (OUT, may be NULL). -1 when they share no language
 * (a hard constraint: never suggested, never planned). The other hard
 * constraints (waiting, free capacity, no earlier declined or cancelled
 * pair) are the pool's (match/pool.h).
 */
int32_t mn_match_score(const uint32_t w[MN_MC_COUNT],
                       const mn_match_profile *mentee,
                       const mn_match_profile *mentor, mn_match_reasons *why);

/* A short English phrase for criterion c scoring points out of weight
 * max, e.g. "same profession" (static storage). */
const char *mn_match_reason_text(int c, int32_t points, uint32_t max);

#endif
