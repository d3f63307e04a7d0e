/*
 * subnetwork — the sub-network kind's table (see subnetwork.h and
 * kind.h). A sub-network is owned by the division whose node created it
 * (its id says which, as every entity's does): only that division changes
 * it. scope says whom it is for: "division" (that division's
 * participants first) or "national" (open to every division; the owning
 * division coordinates it). Members may come from any division either
 * way (state/membership.c).
 *
 * The facilitator is a free-text name, not a participant id: facilitators
 * are often volunteers or staff who are not in the register. A name is a
 * personal detail, so the field is personal; everything else is profile.
 *
 * Pure data and pure functions over base: the CLI links this file too.
 */
#include "state/subnetwork.h"

static const char *const scopes[] = {"division", "national", NULL};

#define PROFILE MN_VIS_PROFILE
#define PERSONAL MN_VIS_PERSONAL
#define LWW MN_MERGE_LWW
#define REQ MN_F_REQUIRED
#define OWNER MN_WRITE_OWNER

/* In the API's order. */
static const mn_field_def fields[] = {
    {MN_S_DIVISION, "division", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "the division that runs it (set by the node)"},
    {MN_S_NAME, "name", NULL, MN_FT_TEXT, 1, 100, NULL, 0, OWNER, PROFILE, LWW,
     REQ, NULL, "its name"},
    {MN_S_SCOPE, "scope", NULL, MN_FT_ENUM, 0, 0, scopes, 0, OWNER, PROFILE,
     LWW, REQ, "division", "for its division, or national"},
    {MN_S_THEME, "theme", NULL, MN_FT_TEXT, 1, 200, NULL, 0, OWNER, PROFILE,
     LWW, 0, NULL, "what it gathers around"},
    {MN_S_FACILITATOR, "facilitator", NULL, MN_FT_TEXT, 1, 100, NULL, 0, OWNER,
     PERSONAL, LWW, 0, NULL, "the name of whoever facilitates it"},
    {MN_S_DESCRIPTION, "description", NULL, MN_FT_TEXT, 1, 2000, NULL, 0, OWNER,
     PROFILE, LWW, MN_F_MULTILINE, NULL, "what it does, for whom"},
};

/* Tags unique across every kind (kind.h). */
static const mn_index_def indexes[] = {
    {'V', MN_S_DIVISION, "division"},
    {'S', MN_S_SCOPE, "scope"},
};

static const uint32_t searched[] = {MN_S_NAME, MN_S_THEME};

const mn_kind mn_kind_subnetwork = {
    .type = MN_ENTITY_SUBNETWORK,
    .name = "sub-network",
    .plural = "subnetworks",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = MN_S_DIVISION,
    .indexes = indexes,
    .nindexes = MN_ARRAY_LEN(indexes),
    .search = searched,
    .nsearch = MN_ARRAY_LEN(searched),
};
