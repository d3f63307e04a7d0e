/*
 * participant — the participant kind's table (see participant.h and
 * kind.h): every field once, with its number, API name, type, limits,
 * write rule, visibility class, merge rule and help; then its owner, its
 * indexes, what the list's q searches, and two hooks: the rule across
 * fields (only mentors have a capacity) and the statistics cells.
 *
 * Pure data and pure functions over base: the CLI and the demo data
 * generator link this file too. The README's field list is this table.
 */
#include "state/participant.h"

#include <string.h>

static const char *const roles[] = {"mentor", "mentee", NULL};
static const char *const statuses[] = {"applicant", "waiting",   "matched",
                                       "alumni",    "withdrawn", NULL};
static const char *const backgrounds[] = {"refugee",
                                          "family_reunification",
                                          "labour_migrant",
                                          "student",
                                          "other",
                                          "unknown",
                                          NULL};
static const char *const danish_levels[] = {"none", "A1", "A2", "B1",
                                            "B2",   "C1", "C2", NULL};
static const char *const educations[] = {"none",       "primary",  "secondary",
                                         "vocational", "bachelor", "master",
                                         "phd",        NULL};
static const char *const goals[] = {"job", "education", "network", "language",
                                    NULL};
static const char *const purposes[] = {"matching", "statistics", "contact",
                                       "sub_networks", NULL};

#define PROFILE MN_VIS_PROFILE
#define PERSONAL MN_VIS_PERSONAL
#define SPECIAL MN_VIS_SPECIAL
#define LWW MN_MERGE_LWW
#define REQ MN_F_REQUIRED

/* In the API's order (how a participant renders). Birth years from 1900,
 * a sanity floor. Every field is her home's to write (README
 * "Compartments"): her personal and special values are sealed to it, so
 * only it can keep them; the others follow, so one division answers for
 * her whole record. */
static const mn_field_def fields[] = {
    {MN_P_HOME, "home_division", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "home division (set by the node; changed only by a transfer)"},
    {MN_P_ROLE, "role", NULL, MN_FT_ENUM, 0, 0, roles, 0, MN_WRITE_ONCE,
     PROFILE, LWW, REQ, NULL, "mentor or mentee; never changes"},
    {MN_P_STATUS, "status", NULL, MN_FT_ENUM, 0, 0, statuses, 0, MN_WRITE_OWNER,
     PROFILE, LWW, REQ, "applicant", "where she is in the programme"},
    {MN_P_GIVEN_NAME, "given_name", NULL, MN_FT_TEXT, 1, 100, NULL, 0,
     MN_WRITE_OWNER, PERSONAL, LWW, REQ, NULL, "given name"},
    {MN_P_FAMILY_NAME, "family_name", NULL, MN_FT_TEXT, 1, 100, NULL, 0,
     MN_WRITE_OWNER, PERSONAL, LWW, REQ, NULL, "family name"},
    {MN_P_EMAIL, "email", NULL, MN_FT_EMAIL, 3, 254, NULL, 0, MN_WRITE_OWNER,
     PERSONAL, LWW, 0, NULL, "e-mail address"},
    {MN_P_PHONE, "phone", NULL, MN_FT_PHONE, 3, 32, NULL, 0, MN_WRITE_OWNER,
     PERSONAL, LWW, 0, NULL, "phone number: digits, spaces and + - ( )"},
    {MN_P_BIRTH_YEAR, "birth_year", NULL, MN_FT_INT, 1900, 2020, NULL, 0,
     MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "year of birth"},
    {MN_P_COUNTRY, "country_of_origin", NULL, MN_FT_ENUM, 0, 0, NULL,
     MN_CODES_ISO3166, MN_WRITE_OWNER, SPECIAL, LWW, 0, NULL,
     "country of origin, ISO 3166-1 alpha-2 (SY)"},
    {MN_P_BACKGROUND, "background", NULL, MN_FT_ENUM, 0, 0, backgrounds, 0,
     MN_WRITE_OWNER, SPECIAL, LWW, 0, NULL, "migration background"},
    {MN_P_LANGUAGES, "languages", NULL, MN_FT_LIST, 0, 16, NULL,
     MN_CODES_ISO639, MN_WRITE_OWNER, PROFILE, LWW, 0, NULL,
     "languages spoken, ISO 639-1 (ar,da)"},
    {MN_P_DANISH_LEVEL, "danish_level", NULL, MN_FT_ENUM, 0, 0, danish_levels,
     0, MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "Danish level (CEFR)"},
    {MN_P_EDUCATION, "education_level", NULL, MN_FT_ENUM, 0, 0, educations, 0,
     MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "highest education"},
    {MN_P_PROFESSION, "profession", NULL, MN_FT_TEXT, 1, 100, NULL, 0,
     MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "profession"},
    {MN_P_SECTOR, "sector", NULL, MN_FT_TEXT, 1, 100, NULL, 0, MN_WRITE_OWNER,
     PROFILE, LWW, 0, NULL, "sector of work"},
    {MN_P_YEARS_IN_DK, "years_in_denmark", NULL, MN_FT_INT, 0, 100, NULL, 0,
     MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "years lived in Denmark"},
    {MN_P_GOALS, "goals", NULL, MN_FT_LIST, 0, 4, goals, 0, MN_WRITE_OWNER,
     PROFILE, LWW, 0, NULL,
     "what she wants from the programme (a mentor: what she offers)"},
    {MN_P_CAPACITY, "capacity", NULL, MN_FT_INT, 1, 5, NULL, 0, MN_WRITE_OWNER,
     PROFILE, LWW, 0, NULL, "mentees a mentor can take at once (mentors)"},
    {MN_P_AVAILABILITY, "availability", NULL, MN_FT_TEXT, 1, 200, NULL, 0,
     MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "when she can meet"},
    {MN_P_CONSENT_PURPOSES, "purposes", "consent", MN_FT_LIST, 0, 4, purposes,
     0, MN_WRITE_OWNER, SPECIAL, LWW, 0, NULL,
     "what she consented to her data being used for"},
    {MN_P_CONSENT_AT, "given_at", "consent", MN_FT_TIME, 0, 0, NULL, 0,
     MN_WRITE_OWNER, SPECIAL, LWW, 0, NULL,
     "when she gave that consent, RFC 3339 UTC"},
    {MN_P_NOTES, "notes", NULL, MN_FT_TEXT, 1, 2000, NULL, 0, MN_WRITE_OWNER,
     PERSONAL, LWW, MN_F_MULTILINE, NULL, "the coordinator's notes"},
    {MN_P_JOINED_YEAR, "joined_year", NULL, MN_FT_INT, 2003,
     MN_STAT_YEAR_FIRST + MN_STAT_YEARS - 1, NULL, 0, MN_WRITE_OWNER, PROFILE,
     LWW, 0, NULL,
     "year she joined the programme (unset: the year her record was made)"},
    {MN_P_ERASED_AT, "erased_at", NULL, MN_FT_TIME, 0, 0, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "when her record was erased (set by DELETE; only a stub remains)"},
};

/* Preferred first: a division holds a fifth of everyone, a status less. */
static const mn_index_def indexes[] = {
    {'d', MN_P_HOME, "division"},
    {'s', MN_P_STATUS, "status"},
    {'r', MN_P_ROLE, "role"},
};

static const uint32_t searched[] = {MN_P_GIVEN_NAME, MN_P_FAMILY_NAME,
                                    MN_P_EMAIL};

/* Is field no held in current? Presence only: a stored personal or
 * special value is sealed, so its value is never read here. */
static bool
held(const mn_entity *current, uint32_t no) {
    const mn_field *f = current ? mn_entity_get(current, no) : NULL;
    return f && f->v.kind != MN_V_NONE;
}

/* What the request does to field no: gives a value, clears it, or leaves
 * the stored one (then: is one stored?). */
static bool
will_hold(const mn_kind *k, const mn_kind_input *in, const mn_entity *current,
          uint32_t no) {
    int i = mn_kind_field_pos(k, no);
    if (in->given[i] == MN_GIVEN_NO)
        return held(current, no);
    return in->given[i] == MN_GIVEN_VALUE;
}

/* Her consent after the request: purposes (at least one, when given now)
 * and a date, given now or already stored. A consent to no purpose may be
 * recorded, but permits no special field. */
static bool
consented(const mn_kind *k, const mn_kind_input *in, const mn_entity *current) {
    int ip = mn_kind_field_pos(k, MN_P_CONSENT_PURPOSES);
    if (in->given[ip] == MN_GIVEN_VALUE && in->items[ip] == 0)
        return false;
    return will_hold(k, in, current, MN_P_CONSENT_PURPOSES) &&
           will_hold(k, in, current, MN_P_CONSENT_AT);
}

/* GDPR art. 9: a special field (country of origin, background) is given
 * a value only with her recorded consent, in the same request or stored.
 * (Withdrawal, DELETE /v1/participants/{id}/consent, clears her consent
 * and both special fields in one change.) */
static int
check_consent(const mn_kind *k, const mn_kind_input *in,
              const mn_entity *current, mn_problem *p) {
    static const uint32_t special[] = {MN_P_COUNTRY, MN_P_BACKGROUND};
    if (consented(k, in, current))
        return MN_OK;
    for (size_t i = 0; i < MN_ARRAY_LEN(special); i++) {
        const mn_field_def *f = mn_kind_field(k, special[i]);
        int pos = mn_kind_field_pos(k, special[i]);
        /* A value the field refuses anyway is the validation's to name. */
        if (in->given[pos] == MN_GIVEN_VALUE && in->str[pos] &&
            mn_field_code_valid(f, in->str[pos]))
            return mn_problem_set(p, "consent_required", f->name,
                                  "%s: needs her consent first (consent with "
                                  "at least one purpose and given_at)",
                                  f->name);
    }
    return MN_OK;
}

/* Only mentors have a capacity; the role is the request's or the stored
 * one (role itself never changes: MN_WRITE_ONCE). Special fields need her
 * consent (check_consent). */
static int
check(const mn_kind *k, const mn_kind_input *in, const mn_entity *current,
      mn_problem *p) {
    int irole = mn_kind_field_pos(k, MN_P_ROLE);
    int icap = mn_kind_field_pos(k, MN_P_CAPACITY);
    const char *role =
        current ? mn_entity_str(current, MN_P_ROLE) : in->str[irole];
    if (in->given[icap] == MN_GIVEN_VALUE && role &&
        strcmp(role, "mentor") != 0)
        return mn_problem_set(p, "invalid_field", "capacity",
                              "capacity: only mentors have a capacity");
    return check_consent(k, in, current, p);
}

/* The UTC year of ms since the epoch (Hinnant's civil_from_days). */
static int
utc_year(uint64_t ms) {
    int64_t z = (int64_t)(ms / 86400000u) + 719468;
    int64_t era = z / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    return (int)(yoe + era * 400 + (mp >= 10));
}

int
mn_participant_year_joined(const mn_entity *e) {
    int64_t year = mn_entity_int(e, MN_P_JOINED_YEAR, 0);
    if (year == 0)
        year = utc_year(mn_id_time_ms(e->id));
    if (year < MN_STAT_YEAR_FIRST)
        return MN_STAT_YEAR_FIRST;
    if (year >= MN_STAT_YEAR_FIRST + MN_STAT_YEARS)
        return MN_STAT_YEAR_FIRST + MN_STAT_YEARS - 1;
    return (int)year;
}

/* Her (division, role, status, year joined) cell. */
static void
cell_key(const mn_entity *e, uint32_t div, int role, int status,
         mn_stat_key *out) {
    out->len = MN_STAT_CELL_LEN;
    out->b[0] = MN_STAT_CELL;
    mn_put_be32(out->b + 1, div);
    out->b[5] = (uint8_t)role;
    out->b[6] = (uint8_t)status;
    int year = mn_participant_year_joined(e);
    out->b[7] = (uint8_t)(year >> 8);
    out->b[8] = (uint8_t)year;
}

/* One in her (division, role, status, year) cell, and one in (the
 * division that made her id, her home) if those differ: she moved.
 * Nothing for a participant without a valid cell (possible
 * mid-replication of a partial entity). Her country of origin is sealed
 * to her home: it is counted by her home's aggregate (state/aggregate.h),
 * never here. */
static size_t
stats(const mn_entity *e, mn_stat_key out[MN_KIND_MAX_STATS]) {
    const mn_kind *k = &mn_kind_participant;
    int role = mn_kind_enum_of(k, e, MN_P_ROLE);
    int status = mn_kind_enum_of(k, e, MN_P_STATUS);
    int64_t div = mn_entity_int(e, MN_P_HOME, 0);
    if (role < 0 || status < 0 || div < 1 || div > MN_MAX_NODES)
        return 0;
    cell_key(e, (uint32_t)div, role, status, &out[0]);
    size_t n = 1;
    if (mn_id_division(e->id) != (uint32_t)div) {
        out[n].len = MN_STAT_MOVED_LEN;
        out[n].b[0] = MN_STAT_MOVED;
        mn_put_be32(out[n].b + 1, mn_id_division(e->id));
        mn_put_be32(out[n++].b + 5, (uint32_t)div);
    }
    return n;
}

const mn_kind mn_kind_participant = {
    .type = MN_ENTITY_PARTICIPANT,
    .name = "participant",
    .plural = "participants",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = MN_P_HOME,
    .indexes = indexes,
    .nindexes = MN_ARRAY_LEN(indexes),
    .search = searched,
    .nsearch = MN_ARRAY_LEN(searched),
    .check = check,
    .stats = stats,
};
