/*
 * outcome — the outcome kind's table (see outcome.h and kind.h).
 *
 * An outcome is owned by the division whose node recorded it (its id says
 * which). Every field is written once, at create, by that division: the
 * text and enum fields are MN_WRITE_ONCE, the date MN_WRITE_OWNER (a
 * number, compared by no patch: the API has no patch for outcomes). On the
 * wire every field is therefore owner-only, so every node refuses a change
 * to an outcome from any other division; and the kind is create-only
 * (state/owner.h), so every node refuses any later change of it too, even
 * from its owner (PATCH answers 405). A wrong outcome is corrected by
 * recording the right one; outcome events are only ever added.
 *
 * sector and qualifications_match describe a job: the check hook refuses
 * them on the other kinds. The note is personal; the rest is profile.
 *
 * Pure data and pure functions over base: the CLI links this file too.
 */
#include "state/outcome.h"

#include <string.h>

static const char *const kinds[] = {"job", "education", "danish_improved",
                                    "network_grown", NULL};
static const char *const yes_no[] = {"yes", "no", NULL};

#define PROFILE MN_VIS_PROFILE
#define PERSONAL MN_VIS_PERSONAL
#define LWW MN_MERGE_LWW
#define REQ MN_F_REQUIRED
#define ONCE MN_WRITE_ONCE

/* In the API's order. */
static const mn_field_def fields[] = {
    {MN_O_DIVISION, "division", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "the division that recorded it (set by the node)"},
    {MN_O_PARTICIPANT, "participant_id", NULL, MN_FT_REF, 0, 0, NULL, 0, ONCE,
     PROFILE, LWW, REQ, NULL, "the mentee's participant id"},
    {MN_O_PARTNERSHIP, "partnership_id", NULL, MN_FT_REF, 0, 0, NULL, 0, ONCE,
     PROFILE, LWW, 0, NULL, "the partnership it came from, if any"},
    {MN_O_DATE, "date", NULL, MN_FT_TIME, 0, 0, NULL, 0, MN_WRITE_OWNER,
     PROFILE, LWW, REQ, NULL, "when it happened, RFC 3339 UTC"},
    {MN_O_KIND, "kind", NULL, MN_FT_ENUM, 0, 0, kinds, 0, ONCE, PROFILE, LWW,
     REQ, NULL, "what happened"},
    {MN_O_SECTOR, "sector", NULL, MN_FT_TEXT, 1, 100, NULL, 0, ONCE, PROFILE,
     LWW, 0, NULL, "the job's sector (job only)"},
    {MN_O_QUALIFICATIONS, "qualifications_match", NULL, MN_FT_ENUM, 0, 0,
     yes_no, 0, ONCE, PROFILE, LWW, 0, NULL,
     "does the job match her qualifications (job only)"},
    {MN_O_NOTE, "note", NULL, MN_FT_TEXT, 1, 2000, NULL, 0, ONCE, PERSONAL, LWW,
     MN_F_MULTILINE, NULL, "the coordinator's note"},
};

/* Tags unique across every kind (kind.h). */
static const mn_index_def indexes[] = {
    {'O', MN_O_KIND, "kind"},
};

/* sector and qualifications_match only for a job (ids are checked as
 * MN_FT_REF values). */
static int
check(const mn_kind *k, const mn_kind_input *in, const mn_entity *current,
      mn_problem *p) {
    int ikind = mn_kind_field_pos(k, MN_O_KIND);
    const char *kind =
        current ? mn_entity_str(current, MN_O_KIND) : in->str[ikind];
    static const uint32_t job_only[] = {MN_O_SECTOR, MN_O_QUALIFICATIONS};
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < MN_ARRAY_LEN(job_only); i++) {
        int at = mn_kind_field_pos(k, job_only[i]);
        if (in->given[at] == MN_GIVEN_VALUE && kind && strcmp(kind, "job") != 0)
            rc = mn_problem_set(p, "invalid_field", k->fields[at].name,
                                "%s: only a job has one", k->fields[at].name);
    }
    return rc;
}

/* One in its (recording division, kind, qualifications) cell. */
static size_t
stats(const mn_entity *e, mn_stat_key out[MN_KIND_MAX_STATS]) {
    int kind = mn_kind_enum_of(&mn_kind_outcome, e, MN_O_KIND);
    int qual = mn_kind_enum_of(&mn_kind_outcome, e, MN_O_QUALIFICATIONS);
    int64_t div = mn_entity_int(e, MN_O_DIVISION, 0);
    if (kind < 0 || div < 1 || div > MN_MAX_NODES)
        return 0;
    out[0].len = MN_STAT_OUTCOME_LEN;
    out[0].b[0] = MN_STAT_OUTCOME;
    mn_put_be32(out[0].b + 1, (uint32_t)div);
    out[0].b[5] = (uint8_t)kind;
    out[0].b[6] =
        (uint8_t)(kind == MN_OUTCOME_JOB && qual >= 0 ? qual
                                                      : MN_QUAL_UNSTATED);
    return 1;
}

const mn_kind mn_kind_outcome = {
    .type = MN_ENTITY_OUTCOME,
    .name = "outcome",
    .plural = "outcomes",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = MN_O_DIVISION,
    .create_only = true,
    .indexes = indexes,
    .nindexes = MN_ARRAY_LEN(indexes),
    .check = check,
    .stats = stats,
};
