/*
 * participant — the participant schema: field numbers (stored and sent on
 * the wire, so never renumbered), JSON validation into ops, and rendering
 * of a stored entity as JSON.
 *
 * Every JSON value is checked here before it can become a change: type,
 * length (in characters), codes (ISO 3166-1, ISO 639-1, the enums), ranges
 * and cross-field rules (capacity only for mentors; role never changes).
 */
#ifndef MN_PARTICIPANT_H
#define MN_PARTICIPANT_H

#include <jansson.h>
#include <stdint.h>

#include "base/config.h"
#include "base/id.h"
#include "state/entity.h"
#include "base/util.h"

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
};

enum mn_role { MN_ROLE_MENTOR, MN_ROLE_MENTEE, MN_ROLE_COUNT };
enum mn_status {
    MN_STATUS_APPLICANT,
    MN_STATUS_WAITING,
    MN_STATUS_MATCHED,
    MN_STATUS_ALUMNI,
    MN_STATUS_WITHDRAWN,
    MN_STATUS_COUNT
};

/*
 * Validate a create (current NULL) or patch body and append its ops to out.
 * A create also gets the node-assigned fields: home (the node's division)
 * and status "applicant" when absent. On a bad body returns MN_EINVAL with
 * p filled and out untouched.
 */
int mn_participant_parse(const json_t *body, const mn_entity *current,
                         uint32_t home, mn_ops *out, mn_problem *p);

/* Render e as the API's JSON object (new reference). Division names come
 * from cfg; an unknown division renders as its number. */
json_t *mn_participant_json(const mn_entity *e, const mn_config *cfg);

/* Role and status indexes of e, or -1 when unset/unknown. */
int mn_participant_role(const mn_entity *e);
int mn_participant_status(const mn_entity *e);
const char *mn_participant_role_name(int role);
const char *mn_participant_status_name(int status);
/* Index for a role or status name, or -1. */
int mn_participant_role_index(const char *z);
int mn_participant_status_index(const char *z);

/* Is field no a personal detail that only the home division writes? */
bool mn_participant_owner_only(uint32_t no);

/* The API name of field number no ("given_name"), or NULL. */
const char *mn_participant_field_name(uint32_t no);

#endif
