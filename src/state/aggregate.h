/*
 * aggregate — the aggregate kind: what a home division publishes about
 * its own participants for the national statistics, where every other
 * node cannot count them itself. Country of origin is a special field,
 * sealed to her home (README "Compartments"), so only the home can count
 * its mentees by country; it publishes the counts, never who they are.
 *
 * One aggregate per division, under an id that names it
 * (mn_aggregate_id), owned and written by that division's node only
 * (every field MN_WRITE_NODE: every node refuses a write from any other
 * division). The statistics (state/stats.h) add up the divisions'
 * aggregates when they are read.
 *
 * A count by country is text: "IR=3,SY=12", ISO 3166-1 alpha-2 codes in
 * ascending order, each once, only counts above zero; no field (cleared)
 * when there is none. Its table (aggregate.c) is the one place its fields
 * are declared; the numbers below are on the wire and on disk, never
 * renumbered.
 */
#ifndef MN_AGGREGATE_H
#define MN_AGGREGATE_H

#include "state/kind.h"

enum mn_agfield {
    MN_AG_DIVISION = 1,
    MN_AG_MENTEES = 2, /* mentees by country of origin */
    MN_AG_MENTORS = 3, /* mentors by country of origin */
};

/* Countries by code: (c0 - 'A') * 26 + (c1 - 'A') for "AA".."ZZ". */
#define MN_AGG_COUNTRIES (26 * 26)
/* The longest count text a field holds (its table's limit; under
 * MN_MAX_VALUE_BYTES): 249 ISO codes of "SY=" and 10 digits and a comma
 * each would need 3,486 characters. */
#define MN_AGG_TEXT_MAX 4000
/* A count above this in a published text is not counted (no division
 * holds a million participants; sums of MN_MAX_NODES of them never
 * overflow). */
#define MN_AGG_COUNT_MAX 1000000000u

extern const mn_kind mn_kind_aggregate;

/* The id of division's aggregate: version 7 and the variant like every
 * id (base/id.h), time 0, the division in its byte, every other bit 0.
 * OUT: id. */
void mn_aggregate_id(uint32_t division, uint8_t id[MN_ID_BYTES]);
/* Is id the aggregate id of the division it names? Only those count:
 * any other aggregate a division makes is stored and ignored. */
bool mn_aggregate_id_ok(const uint8_t id[MN_ID_BYTES]);

/* The index of country code z ("SY": two capital letters, then the
 * end), or -1. */
int mn_aggregate_country(const char *z);

/* counts as a count text (above) into out (cap bytes, NUL-terminated).
 * Returns its length (0: no country counts anything), or -1 when it
 * would not fit in cap or MN_AGG_TEXT_MAX. */
int mn_aggregate_format(const uint64_t counts[MN_AGG_COUNTRIES], char *out,
                        size_t cap);
/* Add the counts of text z into counts. An item that is not "XX=n" (n a
 * decimal from 1 to MN_AGG_COUNT_MAX), or whose code comes again or out
 * of order, is skipped: a text comes from another division, and reading
 * it must be the same everywhere whatever it holds. Returns the number
 * of items skipped. z may be NULL (no counts). */
size_t mn_aggregate_parse(const char *z, uint64_t counts[MN_AGG_COUNTRIES]);

#endif
