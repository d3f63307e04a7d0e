/*
 * stats — see stats.h. An entity contributes one to each key its kind's
 * stats hook names (a participant: her (division, role, status) cell and
 * her country); a change moves it between keys: out of each key it no
 * longer names, into each new one.
 */
#include "state/stats.h"

#include <string.h>

#include "door/codec.h"
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

/* The keys e adds one to (its kind's hook); 0 for an unknown kind. */
static size_t
keys_of(const mn_entity *e, mn_stat_key keys[MN_KIND_MAX_STATS]) {
    const mn_kind *k = e ? mn_kind_find(e->type) : NULL;
    return k && k->stats ? k->stats(e, keys) : 0;
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

static void
count_key(mn_counts *c, const uint8_t *key, size_t kn, uint64_t n) {
    if (kn == 7 && key[0] == MN_STAT_CELL) {
        uint32_t div = mn_get_be32(key + 1);
        if (div <= MN_MAX_NODES && key[5] < MN_ROLE_COUNT &&
            key[6] < MN_STATUS_COUNT)
            c->p[div][key[5]][key[6]] += n;
    } else if (kn == 3 && key[0] == MN_STAT_COUNTRY && key[1] >= 'A' &&
               key[1] <= 'Z' && key[2] >= 'A' && key[2] <= 'Z') {
        c->country[(key[1] - 'A') * 26 + (key[2] - 'A')] += n;
    } else if (kn == 5 && key[0] == MN_STAT_MOVED) {
        uint32_t div = mn_get_be32(key + 1);
        if (div <= MN_MAX_NODES)
            c->moved_in[div] += n;
    } else if (kn == 6 && key[0] == MN_STAT_PARTNERSHIP) {
        uint32_t div = mn_get_be32(key + 1);
        if (div <= MN_MAX_NODES && key[5] < MN_PSTATE_COUNT)
            c->partnerships[div][key[5]] += n;
    } else if (kn == 6 && key[0] == MN_STAT_OUTCOME) {
        uint32_t div = mn_get_be32(key + 1);
        if (div <= MN_MAX_NODES && key[5] < MN_OUTCOME_COUNT)
            c->outcomes[div][key[5]] += n;
    }
}

bool
mn_stats_key_ok(const uint8_t *key, size_t kn) {
    return (kn == 7 && key[0] == MN_STAT_CELL) ||
           (kn == 3 && key[0] == MN_STAT_COUNTRY) ||
           (kn == 5 && key[0] == MN_STAT_MOVED) ||
           (kn == 6 && key[0] == MN_STAT_PARTNERSHIP) ||
           (kn == 6 && key[0] == MN_STAT_OUTCOME);
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
    return rc == MN_ENOTFOUND ? MN_OK : rc;
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
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}
