/*
 * membership — the membership kind's table (see membership.h and kind.h).
 *
 * A membership entity is owned by the division whose node recorded the
 * join (its id says which): the pair and the join date are written once,
 * by that division. left_at is written by any division, since a
 * sub-network's coordinator or the member's home coordinator may record
 * the leave; the API writes it only on a tag that has none, and never
 * clears it, so once set a tag stays removed (its value may move to a
 * concurrent leave's time: both remove it).
 *
 * Pure data and pure functions over base: the CLI links this file too.
 */
#include "state/membership.h"

#include <string.h>

#define PROFILE MN_VIS_PROFILE
#define LWW MN_MERGE_LWW
#define REQ MN_F_REQUIRED

/* In the API's order. */
static const mn_field_def fields[] = {
    {MN_M_DIVISION, "division", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "the division that recorded the join (set by the node)"},
    {MN_M_SUBNETWORK, "subnetwork_id", NULL, MN_FT_REF, 0, 0, NULL, 0,
     MN_WRITE_ONCE, PROFILE, LWW, REQ, NULL, "the sub-network's id"},
    {MN_M_PARTICIPANT, "participant_id", NULL, MN_FT_REF, 0, 0, NULL, 0,
     MN_WRITE_ONCE, PROFILE, LWW, REQ, NULL, "the member's participant id"},
    {MN_M_JOINED_AT, "joined_at", NULL, MN_FT_TIME, 0, 0, NULL, 0,
     MN_WRITE_OWNER, PROFILE, LWW, REQ, NULL, "when she joined, RFC 3339 UTC"},
    {MN_M_LEFT_AT, "left_at", NULL, MN_FT_TIME, 0, 0, NULL, 0, MN_WRITE_ANY,
     PROFILE, LWW, 0, NULL, "when she left (this join), RFC 3339 UTC"},
};

/* A sub-network's memberships (its members, and the tags a leave ends)
 * are found by this index, not by a scan of every membership. */
static const mn_index_def indexes[] = {
    {'B', MN_M_SUBNETWORK, "subnetwork"},
};

/* The division that made the entity whose id is the text z; 0 if none. */
static uint32_t
id_division(const char *z) {
    uint8_t id[MN_ID_BYTES];
    if (!z || mn_id_parse(z, id) != MN_OK || mn_id_division(id) > MN_MAX_NODES)
        return 0;
    return mn_id_division(id);
}

/* One in (sub-network's division, member's division) while the tag is
 * live (no left_at). */
static size_t
stats(const mn_entity *e, mn_stat_key out[MN_KIND_MAX_STATS]) {
    const mn_field *left = mn_entity_get(e, MN_M_LEFT_AT);
    const char *sub = mn_entity_str(e, MN_M_SUBNETWORK);
    const char *who = mn_entity_str(e, MN_M_PARTICIPANT);
    if (!sub || !who || (left && left->v.kind != MN_V_NONE))
        return 0;
    out[0].len = MN_STAT_MEMBER_LEN;
    out[0].b[0] = MN_STAT_MEMBER;
    mn_put_be32(out[0].b + 1, id_division(sub));
    mn_put_be32(out[0].b + 5, id_division(who));
    return 1;
}

const mn_kind mn_kind_membership = {
    .type = MN_ENTITY_MEMBERSHIP,
    .name = "membership",
    .plural = "memberships",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = MN_M_DIVISION,
    .indexes = indexes,
    .nindexes = MN_ARRAY_LEN(indexes),
    .stats = stats,
};

bool
mn_membership_live(const mn_entity *e, const char *subnetwork,
                   const char *participant) {
    const char *sub = mn_entity_str(e, MN_M_SUBNETWORK);
    const char *who = mn_entity_str(e, MN_M_PARTICIPANT);
    const mn_field *left = mn_entity_get(e, MN_M_LEFT_AT);
    if (e->type != MN_ENTITY_MEMBERSHIP || !sub || !who ||
        strcmp(sub, subnetwork) != 0)
        return false;
    if (participant && strcmp(who, participant) != 0)
        return false;
    return !left || left->v.kind == MN_V_NONE;
}
