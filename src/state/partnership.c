/*
 * partnership — the partnership kind's table (see partnership.h and
 * kind.h), the derived state and the statistics cells.
 *
 * Pure data and pure functions over base: the CLI and the demo data
 * generator link this file too.
 */
#include "state/partnership.h"

#include <string.h>

static const char *const sides[] = {"reserved", "declined", "expired", NULL};
static const char *const endings[] = {"completed", "cancelled", NULL};
static const char *const states[] = {"proposed",  "reserved",  "active",
                                     "completed", "cancelled", "declined",
                                     "expired",   NULL};

#define PROFILE MN_VIS_PROFILE
#define PERSONAL MN_VIS_PERSONAL
#define LWW MN_MERGE_LWW
#define REQ MN_F_REQUIRED
#define SIDE MN_WRITE_REF_OWNER

/* In the API's order. The sides are written only by each participant's
 * home, by its actions (reserve, decline, expire); the end only by the
 * mentee's home, so two ends are never concurrent. */
static const mn_field_def fields[] = {
    {MN_PS_STATE, "state", NULL, MN_FT_ENUM, 0, 0, states, 0, MN_WRITE_NODE,
     PROFILE, LWW, MN_F_DERIVED, NULL,
     "where the partnership is: proposed, reserved, active, completed, "
     "cancelled, declined or expired"},
    {MN_PS_MENTEE, "mentee_id", NULL, MN_FT_REF, 0, 0, NULL, 0, MN_WRITE_ONCE,
     PROFILE, LWW, REQ, NULL, "the mentee's id"},
    {MN_PS_MENTOR, "mentor_id", NULL, MN_FT_REF, 0, 0, NULL, 0, MN_WRITE_ONCE,
     PROFILE, LWW, REQ, NULL, "the mentor's id"},
    {MN_PS_PROPOSED_BY, "proposed_by", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES,
     NULL, 0, MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "the division that proposed it"},
    {MN_PS_PROPOSED_AT, "proposed_at", NULL, MN_FT_TIME, 0, 0, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL, "when it was proposed"},
    {MN_PS_MENTEE_SIDE, "answer", "mentee_side", MN_FT_ENUM, 0, 0, sides, 0,
     SIDE, PROFILE, LWW, 0, NULL,
     "the mentee's home: reserved, declined or expired"},
    {MN_PS_MENTEE_SIDE_AT, "at", "mentee_side", MN_FT_TIME, 0, 0, NULL, 0, SIDE,
     PROFILE, LWW, 0, NULL, "when the mentee's home answered"},
    {MN_PS_MENTEE_HOME, "division", "mentee_side", MN_FT_DIVISION, 1,
     MN_MAX_NODES, NULL, 0, SIDE, PROFILE, LWW, 0, NULL,
     "the mentee's home when it last wrote"},
    {MN_PS_MENTOR_SIDE, "answer", "mentor_side", MN_FT_ENUM, 0, 0, sides, 0,
     SIDE, PROFILE, LWW, 0, NULL,
     "the mentor's home: reserved, declined or expired"},
    {MN_PS_MENTOR_SIDE_AT, "at", "mentor_side", MN_FT_TIME, 0, 0, NULL, 0, SIDE,
     PROFILE, LWW, 0, NULL, "when the mentor's home answered"},
    {MN_PS_MENTOR_HOME, "division", "mentor_side", MN_FT_DIVISION, 1,
     MN_MAX_NODES, NULL, 0, SIDE, PROFILE, LWW, 0, NULL,
     "the mentor's home when it last wrote"},
    {MN_PS_ENDED, "state", "end", MN_FT_ENUM, 0, 0, endings, 0, SIDE, PROFILE,
     LWW, 0, NULL, "completed or cancelled (by the mentee's home)"},
    {MN_PS_END_DATE, "date", "end", MN_FT_TIME, 0, 0, NULL, 0, SIDE, PROFILE,
     LWW, 0, NULL, "when it ended"},
    {MN_PS_END_REASON, "reason", "end", MN_FT_TEXT, 1, 500, NULL, 0, SIDE,
     PERSONAL, LWW, MN_F_MULTILINE, NULL, "why it ended"},
};

static const mn_ref_owner ref_owners[] = {
    {MN_PS_MENTEE_SIDE, MN_PS_MENTEE},    {MN_PS_MENTEE_SIDE_AT, MN_PS_MENTEE},
    {MN_PS_MENTEE_HOME, MN_PS_MENTEE},    {MN_PS_MENTOR_SIDE, MN_PS_MENTOR},
    {MN_PS_MENTOR_SIDE_AT, MN_PS_MENTOR}, {MN_PS_MENTOR_HOME, MN_PS_MENTOR},
    {MN_PS_ENDED, MN_PS_MENTEE},          {MN_PS_END_DATE, MN_PS_MENTEE},
    {MN_PS_END_REASON, MN_PS_MENTEE},
};

/* Preferred first: a participant's partnerships are a handful. */
static const mn_index_def indexes[] = {
    {'M', MN_PS_MENTEE, "mentee"},
    {'N', MN_PS_MENTOR, "mentor"},
    {'a', MN_PS_STATE, "state"},
    {'h', MN_PS_MENTEE_HOME, "division"},
};

int
mn_partnership_state(const mn_entity *e) {
    const mn_kind *k = &mn_kind_partnership;
    int ended = mn_kind_enum_of(k, e, MN_PS_ENDED);
    int mentee = mn_kind_enum_of(k, e, MN_PS_MENTEE_SIDE);
    int mentor = mn_kind_enum_of(k, e, MN_PS_MENTOR_SIDE);
    if (ended >= 0)
        return ended == MN_ENDED_COMPLETED ? MN_PSTATE_COMPLETED
                                           : MN_PSTATE_CANCELLED;
    if (mentee == MN_SIDE_DECLINED || mentor == MN_SIDE_DECLINED)
        return MN_PSTATE_DECLINED;
    if (mentee == MN_SIDE_EXPIRED || mentor == MN_SIDE_EXPIRED)
        return MN_PSTATE_EXPIRED;
    if (mentee == MN_SIDE_RESERVED && mentor == MN_SIDE_RESERVED)
        return MN_PSTATE_ACTIVE;
    if (mentee == MN_SIDE_RESERVED || mentor == MN_SIDE_RESERVED)
        return MN_PSTATE_RESERVED;
    return MN_PSTATE_PROPOSED;
}

bool
mn_partnership_holds(int s) {
    return s == MN_PSTATE_RESERVED || s == MN_PSTATE_ACTIVE;
}

bool
mn_partnership_over(int s) {
    return s >= MN_PSTATE_COMPLETED;
}

static void
derive(mn_entity *e) {
    int s = mn_partnership_state(e);
    mn_field_op op = {.no = MN_PS_STATE,
                      .v = {.kind = MN_V_STR,
                            .s = (char *)states[s],
                            .len = strlen(states[s])}};
    (void)mn_entity_set_derived(e, &op);
}

/* The mentor's division: her home as her home last wrote it, else the
 * division that made her id; 0 when neither is a division. */
static uint32_t
mentor_division(const mn_entity *e) {
    int64_t div = mn_entity_int(e, MN_PS_MENTOR_HOME, 0);
    uint8_t id[MN_ID_BYTES];
    const char *mentor = mn_entity_str(e, MN_PS_MENTOR);
    if (div >= 1 && div <= MN_MAX_NODES)
        return (uint32_t)div;
    if (!mentor || mn_id_parse(mentor, id) != MN_OK)
        return 0;
    div = mn_id_division(id);
    return div <= MN_MAX_NODES ? (uint32_t)div : 0;
}

/* One in its (mentee's division, mentor's division, state) cell. */
static size_t
stats(const mn_entity *e, mn_stat_key out[MN_KIND_MAX_STATS]) {
    int64_t div = mn_entity_int(e, MN_PS_MENTEE_HOME, 0);
    if (div < 1 || div > MN_MAX_NODES)
        div = mn_entity_int(e, MN_PS_PROPOSED_BY, 0);
    if (div < 1 || div > MN_MAX_NODES || !mn_entity_str(e, MN_PS_MENTEE))
        return 0;
    out[0].len = MN_STAT_PARTNERSHIP_LEN;
    out[0].b[0] = MN_STAT_PARTNERSHIP;
    mn_put_be32(out[0].b + 1, (uint32_t)div);
    mn_put_be32(out[0].b + 5, mentor_division(e));
    out[0].b[9] = (uint8_t)mn_partnership_state(e);
    return 1;
}

const mn_kind mn_kind_partnership = {
    .type = MN_ENTITY_PARTNERSHIP,
    .name = "partnership",
    .plural = "partnerships",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = 0,
    .indexes = indexes,
    .nindexes = MN_ARRAY_LEN(indexes),
    .ref_owners = ref_owners,
    .nref_owners = MN_ARRAY_LEN(ref_owners),
    .stats = stats,
    .derive = derive,
};
