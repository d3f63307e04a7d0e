/*
 * aggregate — the aggregate kind's table and its count texts (see
 * aggregate.h and kind.h). Reading a text never trusts it: it comes from
 * another division's node, and every node must read the same counts from
 * the same bytes.
 *
 * Pure data and pure functions over base: the CLI links this file too.
 */
#include "state/aggregate.h"

#include <stdio.h>
#include <string.h>

#define PROFILE MN_VIS_PROFILE
#define LWW MN_MERGE_LWW
#define NODE MN_WRITE_NODE

/* In the API's order. The counts are profile: how many, never who. */
static const mn_field_def fields[] = {
    {MN_AG_DIVISION, "division", NULL, MN_FT_DIVISION, 1, MN_MAX_NODES, NULL, 0,
     NODE, PROFILE, LWW, MN_F_REQUIRED, NULL,
     "the division whose participants it counts (set by the node)"},
    {MN_AG_MENTEES, "mentees_by_country", NULL, MN_FT_TEXT, 1, MN_AGG_TEXT_MAX,
     NULL, 0, NODE, PROFILE, LWW, 0, NULL,
     "its mentees by country of origin: \"IR=3,SY=12\" (set by the node)"},
    {MN_AG_MENTORS, "mentors_by_country", NULL, MN_FT_TEXT, 1, MN_AGG_TEXT_MAX,
     NULL, 0, NODE, PROFILE, LWW, 0, NULL,
     "its mentors by country of origin, the same way (set by the node)"},
};

const mn_kind mn_kind_aggregate = {
    .type = MN_ENTITY_AGGREGATE,
    .name = "aggregate",
    .plural = "aggregates",
    .fields = fields,
    .nfields = MN_ARRAY_LEN(fields),
    .owner_field = MN_AG_DIVISION,
};

void
mn_aggregate_id(uint32_t division, uint8_t id[MN_ID_BYTES]) {
    memset(id, 0, MN_ID_BYTES);
    id[6] = 0x70; /* version 7 */
    id[8] = 0x80; /* variant 10 */
    id[MN_ID_DIVISION_BYTE] = (uint8_t)division;
}

bool
mn_aggregate_id_ok(const uint8_t id[MN_ID_BYTES]) {
    uint8_t want[MN_ID_BYTES];
    uint32_t division = mn_id_division(id);
    mn_aggregate_id(division, want);
    return division != 0 && memcmp(id, want, MN_ID_BYTES) == 0;
}

static bool
capital(char c) {
    return c >= 'A' && c <= 'Z';
}

int
mn_aggregate_country(const char *z) {
    if (!z || !capital(z[0]) || !capital(z[1]) || z[2] != '\0')
        return -1;
    return (z[0] - 'A') * 26 + (z[1] - 'A');
}

int
mn_aggregate_format(const uint64_t counts[MN_AGG_COUNTRIES], char *out,
                    size_t cap) {
    size_t len = 0;
    if (cap > MN_AGG_TEXT_MAX + 1)
        cap = MN_AGG_TEXT_MAX + 1;
    if (cap == 0)
        return -1;
    out[0] = '\0';
    for (size_t i = 0; i < MN_AGG_COUNTRIES; i++) {
        if (!counts[i])
            continue;
        int n = snprintf(out + len, cap - len, "%s%c%c=%llu", len ? "," : "",
                         (int)('A' + i / 26), (int)('A' + i % 26),
                         (unsigned long long)counts[i]);
        if (n < 0 || (size_t)n >= cap - len)
            return -1;
        len += (size_t)n;
    }
    return (int)len;
}

/* One item "XX=n" of z at *pos, up to the next comma or the end. OUT:
 * *country, *count. Moves *pos past the item and its comma. */
static bool
parse_item(const char *z, size_t *pos, int *country, uint64_t *count) {
    const char *p = z + *pos;
    size_t n = strcspn(p, ",");
    *pos += n + (p[n] == ',');
    if (n < 4 || !capital(p[0]) || !capital(p[1]) || p[2] != '=' || p[3] == '0')
        return false;
    uint64_t v = 0;
    for (size_t i = 3; i < n; i++) {
        if (p[i] < '0' || p[i] > '9' || v > MN_AGG_COUNT_MAX)
            return false;
        v = v * 10 + (uint64_t)(p[i] - '0');
    }
    *country = (p[0] - 'A') * 26 + (p[1] - 'A');
    *count = v;
    return v >= 1 && v <= MN_AGG_COUNT_MAX;
}

size_t
mn_aggregate_parse(const char *z, uint64_t counts[MN_AGG_COUNTRIES]) {
    size_t pos = 0, skipped = 0;
    int last = -1, country;
    uint64_t count;
    while (z && z[pos]) {
        if (parse_item(z, &pos, &country, &count) && country > last) {
            counts[country] += count;
            last = country;
        } else {
            skipped++;
        }
    }
    return skipped;
}
