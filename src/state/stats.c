/*
 * stats — see stats.h. An entity contributes one to each key its kind's
 * stats hook names (a participant: her (division, role, status, year)
 * cell, her move); a change moves it between keys: out of each key it no
 * longer names, into each new one. Loading folds the keys into mn_counts'
 * arrays; a key of a known tag with a value out of range (a division past
 * MN_MAX_NODES) is kept but not counted.
 *
 * Countries of origin are the exception: they are sealed to each
 * participant's home (state/aggregate.h), so they are no longer counted
 * from the entities but read from the divisions' aggregates when the
 * counts are loaded, the same way by mn_stats_load and mn_stats_recount.
 * No kind's hook names a country key ('C') any more.
 */
#include "state/stats.h"

#include <string.h>

#include "door/codec.h"
#include "state/aggregate.h"
#include "state/kind.h"

static int
adjust(mn_txn *t, const uint8_t *key, size_t kn, int delta) {
    mn_val v;
    uint64_t count = 0;
    uint8_t buf[8];
    int rc = mn_txn_get(t, MN_DB_STATS, key, kn, &v);
    if (rc == MN_OK && v.n == 8)
        count = mn_get_be64(v.p);
    else if (rc != MN_ENOTFOUND && rc != MN_OK)
        return rc;
    count = delta > 0 ? count + 1 : (count ? count - 1 : 0);
    if (count == 0)
        return rc == MN_OK ? mn_txn_del(t, MN_DB_STATS, key, kn) : MN_OK;
    mn_put_be64(buf, count);
    return mn_txn_put(t, MN_DB_STATS, key, kn, buf, 8, 0);
}

/* The keys e adds one to (its kind's hook, less any country key: see
 * above); 0 for an unknown kind. */
static size_t
keys_of(const mn_entity *e, mn_stat_key keys[MN_KIND_MAX_STATS]) {
    const mn_kind *k = e ? mn_kind_find(e->type) : NULL;
    size_t n = k && k->stats ? k->stats(e, keys) : 0, kept = 0;
    for (size_t i = 0; i < n; i++)
        if (keys[i].len > 0 && keys[i].b[0] != MN_STAT_COUNTRY)
            keys[kept++] = keys[i];
    return kept;
}

static bool
has_key(const mn_stat_key *keys, size_t n, const mn_stat_key *key) {
    for (size_t i = 0; i < n; i++)
        if (keys[i].len == key->len && memcmp(keys[i].b, key->b, key->len) == 0)
            return true;
    return false;
}

int
mn_stats_update(mn_txn *t, const mn_entity *before, const mn_entity *after) {
    mn_stat_key old_keys[MN_KIND_MAX_STATS], new_keys[MN_KIND_MAX_STATS];
    size_t nold = keys_of(before, old_keys), nnew = keys_of(after, new_keys);
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < nold; i++)
        if (!has_key(new_keys, nnew, &old_keys[i]))
            rc = adjust(t, old_keys[i].b, old_keys[i].len, -1);
    for (size_t i = 0; rc == MN_OK && i < nnew; i++)
        if (!has_key(old_keys, nold, &new_keys[i]))
            rc = adjust(t, new_keys[i].b, new_keys[i].len, +1);
    return rc;
}

/* A division number of a key, or -1 when out of range. */
static int
div_at(const uint8_t *p) {
    uint32_t div = mn_get_be32(p);
    return div <= MN_MAX_NODES ? (int)div : -1;
}

static void
count_participant(mn_counts *c, const uint8_t *key, uint64_t n) {
    int div = div_at(key + 1), year = (key[7] << 8 | key[8]);
    year -= MN_STAT_YEAR_FIRST;
    if (div < 0 || key[5] >= MN_ROLE_COUNT || key[6] >= MN_STATUS_COUNT ||
        year < 0 || year >= MN_STAT_YEARS)
        return;
    c->p[div][key[5]][key[6]] += n;
    c->year[div][year] += n;
}

static void
count_pair(uint64_t (*cells)[MN_STATS_DIVS], uint64_t *col_sums,
           const uint8_t *key, uint64_t n) {
    int a = div_at(key + 1), b = div_at(key + 5);
    if (a < 0 || b < 0)
        return;
    cells[a][b] += n;
    if (col_sums)
        col_sums[b] += n;
}

static void
count_partnership(mn_counts *c, const uint8_t *key, uint64_t n) {
    int div = div_at(key + 1), mentor = div_at(key + 5);
    if (div < 0 || mentor < 0 || key[9] >= MN_PSTATE_COUNT)
        return;
    c->partnerships[div][key[9]] += n;
    c->pairs[div][mentor] += n;
}

static void
count_outcome(mn_counts *c, const uint8_t *key, uint64_t n) {
    int div = div_at(key + 1);
    if (div < 0 || key[5] >= MN_OUTCOME_COUNT || key[6] >= MN_QUAL_COUNT)
        return;
    c->outcomes[div][key[5]] += n;
    if (key[5] == MN_OUTCOME_JOB)
        c->jobs[div][key[6]] += n;
}

/* The length of a key with tag, or 0 for a tag this version never
 * writes. */
static size_t
key_len(uint8_t tag) {
    switch (tag) {
    case MN_STAT_CELL: return MN_STAT_CELL_LEN;
    case MN_STAT_COUNTRY: return MN_STAT_COUNTRY_LEN;
    case MN_STAT_MOVED: return MN_STAT_MOVED_LEN;
    case MN_STAT_PARTNERSHIP: return MN_STAT_PARTNERSHIP_LEN;
    case MN_STAT_OUTCOME: return MN_STAT_OUTCOME_LEN;
    case MN_STAT_MEMBER: return MN_STAT_MEMBER_LEN;
    default: return 0;
    }
}

static void
count_key(mn_counts *c, const uint8_t *key, size_t kn, uint64_t n) {
    if (kn == 0 || kn != key_len(key[0]))
        return;
    switch (key[0]) {
    case MN_STAT_CELL: count_participant(c, key, n); break;
    case MN_STAT_MOVED: count_pair(c->moves, c->moved_in, key, n); break;
    case MN_STAT_PARTNERSHIP: count_partnership(c, key, n); break;
    case MN_STAT_OUTCOME: count_outcome(c, key, n); break;
    case MN_STAT_MEMBER: count_pair(c->members, NULL, key, n); break;
    default: break;
    }
}

bool
mn_stats_key_ok(const uint8_t *key, size_t kn) {
    return kn > 0 && kn == key_len(key[0]);
}

/* Add one aggregate's counts into c: mentees and mentors by country. */
static void
count_aggregate(mn_counts *c, const mn_entity *e) {
    uint64_t mentees[MN_AGG_COUNTRIES] = {0}, mentors[MN_AGG_COUNTRIES] = {0};
    mn_aggregate_parse(mn_entity_str(e, MN_AG_MENTEES), mentees);
    mn_aggregate_parse(mn_entity_str(e, MN_AG_MENTORS), mentors);
    for (size_t i = 0; i < MN_AGG_COUNTRIES; i++) {
        c->mentees[i] += mentees[i];
        c->country[i] += mentees[i] + mentors[i];
    }
}

/* Add division's aggregate, if stored, into c. */
static int
load_aggregate(mn_txn *t, uint32_t division, mn_counts *c) {
    uint8_t key[1 + MN_ID_BYTES];
    mn_val v;
    mn_entity e;
    key[0] = MN_ENTITY_AGGREGATE; /* the entities' key (state.h) */
    mn_aggregate_id(division, key + 1);
    int rc = mn_txn_get(t, MN_DB_ENTITIES, key, sizeof key, &v);
    if (rc != MN_OK)
        return rc == MN_ENOTFOUND ? MN_OK : rc;
    if (mn_codec_entity_decode(v.p, v.n, &e) != MN_OK)
        return MN_ECORRUPT;
    count_aggregate(c, &e);
    mn_entity_release(&e);
    return MN_OK;
}

/* Add every division's aggregate into c: a lookup by id for each
 * division there could be (MN_MAX_NODES), so any other aggregate a
 * division made is never read, and the cost is bounded whatever the
 * store holds. */
static int
load_aggregates(mn_txn *t, mn_counts *c) {
    int rc = MN_OK;
    for (uint32_t d = 1; rc == MN_OK && d <= MN_MAX_NODES; d++)
        rc = load_aggregate(t, d, c);
    return rc;
}

int
mn_stats_load(mn_txn *t, mn_counts *out) {
    mn_cursor *cur;
    mn_val k, v;
    memset(out, 0, sizeof *out);
    int rc = mn_cursor_open(t, MN_DB_STATS, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v))
        if (v.n == 8)
            count_key(out, k.p, k.n, mn_get_be64(v.p));
    mn_cursor_close(&cur);
    if (rc == MN_ENOTFOUND)
        rc = load_aggregates(t, out);
    return rc;
}

int
mn_stats_recount(mn_txn *t, mn_counts *out) {
    mn_cursor *cur;
    mn_val k, v;
    mn_stat_key keys[MN_KIND_MAX_STATS];
    memset(out, 0, sizeof *out);
    int rc = mn_cursor_open(t, MN_DB_ENTITIES, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        mn_entity e;
        if (mn_codec_entity_decode(v.p, v.n, &e) != MN_OK) {
            rc = MN_ECORRUPT;
            break;
        }
        size_t n = keys_of(&e, keys);
        for (size_t i = 0; i < n; i++)
            count_key(out, keys[i].b, keys[i].len, 1);
        mn_entity_release(&e);
    }
    mn_cursor_close(&cur);
    if (rc == MN_ENOTFOUND)
        rc = load_aggregates(t, out);
    return rc;
}
