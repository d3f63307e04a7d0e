/*
 * participant — the participant kind: a mentor or a mentee, owned by
 * her home division. Its table (participant.c) is the one place the
 * participant's fields are declared; the numbers below are those fields'
 * numbers, on the wire and on disk, so never renumbered.
 */
#ifndef MN_PARTICIPANT_H
#define MN_PARTICIPANT_H

#include "state/kind.h"

enum mn_pfield {
    MN_P_ROLE = 1,
    MN_P_HOME = 2,
    MN_P_STATUS = 3,
    MN_P_GIVEN_NAME = 4,
    MN_P_FAMILY_NAME = 5,
    MN_P_EMAIL = 6,
    MN_P_PHONE = 7,
    MN_P_BIRTH_YEAR = 8,
    MN_P_COUNTRY = 9,
    MN_P_BACKGROUND = 10,
    MN_P_LANGUAGES = 11,
    MN_P_DANISH_LEVEL = 12,
    MN_P_EDUCATION = 13,
    MN_P_PROFESSION = 14,
    MN_P_SECTOR = 15,
    MN_P_YEARS_IN_DK = 16,
    MN_P_GOALS = 17,
    MN_P_CAPACITY = 18,
    MN_P_AVAILABILITY = 19,
    MN_P_CONSENT_PURPOSES = 20,
    MN_P_CONSENT_AT = 21,
    MN_P_NOTES = 22,
    MN_P_JOINED_YEAR = 23,
    MN_P_ERASED_AT = 24,
};

/* Name indexes of the role and status fields, in the table's order. */
enum mn_role { MN_ROLE_MENTOR, MN_ROLE_MENTEE, MN_ROLE_COUNT };
enum mn_status {
    MN_STATUS_APPLICANT,
    MN_STATUS_WAITING,
    MN_STATUS_MATCHED,
    MN_STATUS_ALUMNI,
    MN_STATUS_WITHDRAWN,
    MN_STATUS_COUNT
};

/* Statistics keys (stats.h). The tags of schema 3 ('p', 'c', 'm') are
 * retired: a store that holds them is rebuilt (node_internal.h).
 *   'P' div be32 role u8 status u8 year be16   her cell
 *   'C' role u8 country[2]                     her country of origin
 *   'M' from be32 to be32                      her move: the division
 *                                              that made her id, her home
 */
#define MN_STAT_CELL 'P'
#define MN_STAT_COUNTRY 'C'
#define MN_STAT_MOVED 'M'
#define MN_STAT_CELL_LEN 9
#define MN_STAT_COUNTRY_LEN 4
#define MN_STAT_MOVED_LEN 9

/* The years a participant's year joined is counted in (the network began
 * in 2003; the field's limits): earlier or later years count as the
 * first or the last. */
#define MN_STAT_YEAR_FIRST 2000
#define MN_STAT_YEARS 100

/* The year participant e joined, as counted: her joined_year when set,
 * else the UTC year of her id's time (when her record was made), within
 * MN_STAT_YEAR_FIRST .. MN_STAT_YEAR_FIRST + MN_STAT_YEARS - 1. A
 * function of the replicated entity alone. */
int mn_participant_year_joined(const mn_entity *e);

extern const mn_kind mn_kind_participant;

#endif
