/*
 * outcome — the outcome kind: an event in a mentee's path (a job, an
 * education, better Danish, a grown network), recorded once and never
 * edited (DESIGN "Changes" 4: outcome events are a grow-only set). Its
 * table (outcome.c) is the one place its fields are declared; the numbers
 * below are on the wire and on disk, never renumbered.
 */
#ifndef MN_OUTCOME_H
#define MN_OUTCOME_H

#include "state/kind.h"

enum mn_ofield {
    MN_O_DIVISION = 1,
    MN_O_PARTICIPANT = 2,
    MN_O_PARTNERSHIP = 3,
    MN_O_DATE = 4,
    MN_O_KIND = 5,
    MN_O_SECTOR = 6,
    MN_O_QUALIFICATIONS = 7,
    MN_O_NOTE = 8,
};

/* Name indexes of the kind field, in the table's order. */
enum mn_outcome_kind {
    MN_OUTCOME_JOB,
    MN_OUTCOME_EDUCATION,
    MN_OUTCOME_DANISH,
    MN_OUTCOME_NETWORK,
    MN_OUTCOME_COUNT
};

/* Whether a job matches her qualifications: the field's names, then
 * not stated. */
enum mn_outcome_qual {
    MN_QUAL_YES,
    MN_QUAL_NO,
    MN_QUAL_UNSTATED,
    MN_QUAL_COUNT
};

/* Statistics key (stats.h): 'O' div be32 kind u8 qual u8, the outcomes
 * the division recorded (qual: MN_QUAL_*, unstated but for a job). The
 * tag 'o' of schema 3 is retired. */
#define MN_STAT_OUTCOME 'O'
#define MN_STAT_OUTCOME_LEN 7

extern const mn_kind mn_kind_outcome;

#endif
