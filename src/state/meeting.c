/*
 * meeting — the meeting kind's table (see meeting.h and kind.h).
 *
 * Pure data over base: the CLI links this file too.
 */
#include "state/meeting.h"

static const char *const topics[] = {
    "job", "education", "language", "network", "wellbeing", "other", NULL};

#define PROFILE MN_VIS_PROFILE
#define PERSONAL MN_VIS_PERSONAL
#define LWW MN_MERGE_LWW
#define REQ MN_F_REQUIRED

/* In the API's order. The recording division writes every field. */
static const mn_field_def fields[] = {
    {MN_MT_DIVISION, "division", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES, NULL, 0,
     MN_WRITE_NODE, PROFILE, LWW, 0, NULL,
     "the division that recorded it (set by the node)"},
    {MN_MT_PARTNERSHIP, "partnership_id", NULL, MN_FT_REF, 0, 0, NULL, 0,
     MN_WRITE_ONCE, PROFILE, LWW, REQ, NULL, "the partnership that met"},
    {MN_MT_DATE, "date", NULL, MN_FT_TIME, 0, 0, NULL, 0, MN_WRITE_OWNER,
     PROFILE, LWW, REQ, NULL, "when they met, RFC 3339 UTC"},
    {MN_MT_MINUTES, "minutes", NULL, MN_FT_TEXT, 1, 4000, NULL, 0,
     MN_WRITE_OWNER, PERSONAL, LWW, MN_F_MULTILINE, NULL,
     "what was said and agreed"},
    {MN_MT_TOPICS, "topics", NULL, MN_FT_LIST, 0, 6, topics, 0, MN_WRITE_OWNER,
     PROFILE, LWW, 0, NULL, "what they talked about"},
    {MN_MT_DURATION, "duration_minutes", NULL, MN_FT_INT, 1, 600, NULL, 0,
     MN_WRITE_OWNER, PROFILE, LWW, 0, NULL, "how long they met, in minutes"},
};

/* A partnership's meetings: a handful each. */
static const mn_index_def indexes[] = {
    {'G', MN_MT_PARTNERSHIP, "partnership"},
};

const mn_kind mn_kind_meeting = {
    .type = MN_ENTITY_MEETING,
    .name = "meeting",
    .plural = "meetings",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = MN_MT_DIVISION,
    .indexes = indexes,
    .nindexes = MN_ARRAY_LEN(indexes),
};
