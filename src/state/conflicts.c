/*
 * conflicts — see conflicts.h. A field's set is read whole before it is
 * changed: it holds at most one element per origin, so it is small, and
 * entries are added and removed one key at a time, each folded into the
 * digest exactly once (a put that finds its key, or a delete that does
 * not, changes nothing).
 */
#include "state/conflicts.h"

#include <string.h>

#include "door/codec.h"
#include "state/state.h"

/* type u8, id, field be32 | hlc be64, origin be32, seq be64 */
#define PREFIX_BYTES (1 + MN_ID_BYTES + 4)
#define KEY_BYTES (PREFIX_BYTES + 8 + 4 + 8)
/* Domain tag hashed before each entry, so that no entry's hash can equal
 * an entity's (whose bytes start with a protobuf tag, never 'c'). */
#define DIGEST_TAG "conflict"
#define DIGEST_TAG_BYTES 8

/* The elements of one field's set other than its winner. One per origin
 * at most (an origin's later write saw its earlier ones). */
struct field_set {
    size_t n;
    mn_stamp st[MN_VV_MAX];
};

static void
key_make(uint32_t type, const uint8_t id[MN_ID_BYTES], uint32_t field,
         const mn_stamp *st, uint8_t key[KEY_BYTES]) {
    key[0] = (uint8_t)type;
    memcpy(key + 1, id, MN_ID_BYTES);
    mn_put_be32(key + 1 + MN_ID_BYTES, field);
    mn_put_be64(key + PREFIX_BYTES, st->hlc);
    mn_put_be32(key + PREFIX_BYTES + 8, st->origin);
    mn_put_be64(key + PREFIX_BYTES + 12, st->seq);
}

static mn_stamp
key_stamp(const uint8_t *key) {
    return (mn_stamp){mn_get_be64(key + PREFIX_BYTES),
                      mn_get_be32(key + PREFIX_BYTES + 8),
                      mn_get_be64(key + PREFIX_BYTES + 12)};
}

static void
value_encode(const mn_value *value, mn_buf *out) {
    uint8_t kind = (uint8_t)value->kind, i[8];
    mn_buf_append(out, &kind, 1);
    if (value->kind == MN_V_INT) {
        mn_put_be64(i, (uint64_t)value->i);
        mn_buf_append(out, i, 8);
    } else if (value->kind == MN_V_STR) {
        mn_buf_append(out, value->s, value->len);
    }
}

static int
value_decode(const mn_val *v, mn_value *out) {
    const uint8_t *p = v->p;
    memset(out, 0, sizeof *out);
    if (v->n < 1)
        return MN_ECORRUPT;
    out->kind = (enum mn_vkind)p[0];
    if (out->kind == MN_V_INT && v->n == 9)
        out->i = (int64_t)mn_get_be64(p + 1);
    else if (out->kind == MN_V_STR) {
        out->s = (char *)p + 1;
        out->len = v->n - 1;
    } else if (out->kind != MN_V_NONE || v->n != 1)
        return MN_ECORRUPT;
    return MN_OK;
}

bool
mn_conflicts_shape_ok(const mn_val *k, const mn_val *v) {
    mn_value value;
    if (k->n != KEY_BYTES || value_decode(v, &value) != MN_OK)
        return false;
    mn_stamp st = key_stamp(k->p);
    return mn_origin_valid(st.origin) && st.seq > 0;
}

static void
fold(uint8_t digest[MN_HASH_BYTES], const uint8_t key[KEY_BYTES], const void *v,
     size_t vn) {
    uint8_t tagged[DIGEST_TAG_BYTES + KEY_BYTES], h[MN_HASH_BYTES];
    /* The tag is bytes, not a string: no NUL is wanted. */
    // NOLINTNEXTLINE(bugprone-not-null-terminated-result)
    memcpy(tagged, DIGEST_TAG, DIGEST_TAG_BYTES);
    memcpy(tagged + DIGEST_TAG_BYTES, key, KEY_BYTES);
    mn_crypto_hash2(tagged, sizeof tagged, v, vn, h);
    for (size_t i = 0; i < MN_HASH_BYTES; i++)
        digest[i] ^= h[i];
}

static int
entry_put(mn_txn *t, uint8_t digest[MN_HASH_BYTES],
          const uint8_t key[KEY_BYTES], const mn_value *value) {
    mn_buf val;
    mn_buf_init(&val);
    value_encode(value, &val);
    int rc = mn_txn_put(t, MN_DB_CONFLICTS, key, KEY_BYTES, val.p, val.len,
                        MN_PUT_NEW);
    if (rc == MN_OK)
        fold(digest, key, val.p, val.len);
    mn_buf_release(&val);
    return rc == MN_EEXIST ? MN_OK : rc;
}

static int
entry_del(mn_txn *t, uint8_t digest[MN_HASH_BYTES],
          const uint8_t key[KEY_BYTES]) {
    mn_val v;
    int rc = mn_txn_get(t, MN_DB_CONFLICTS, key, KEY_BYTES, &v);
    if (rc == MN_ENOTFOUND)
        return MN_OK;
    if (rc != MN_OK)
        return rc;
    fold(digest, key, v.p, v.n); /* before the delete frees v */
    return mn_txn_del(t, MN_DB_CONFLICTS, key, KEY_BYTES);
}

/* Read the listed elements of (type, id, field) into set. */
static int
set_load(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
         uint32_t field, struct field_set *set) {
    static const mn_stamp zero = {0, 0, 0};
    uint8_t start[KEY_BYTES];
    mn_cursor *cur;
    mn_val k, v;
    key_make(type, id, field, &zero, start);
    set->n = 0;
    int rc = mn_cursor_open(t, MN_DB_CONFLICTS, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, start, KEY_BYTES, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        if (k.n < PREFIX_BYTES || memcmp(k.p, start, PREFIX_BYTES) != 0)
            break;
        if (!mn_conflicts_shape_ok(&k, &v) || set->n == MN_VV_MAX) {
            rc = MN_ECORRUPT;
            break;
        }
        set->st[set->n++] = key_stamp(k.p);
    }
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND || rc == MN_OK ? MN_OK : rc;
}

int
mn_conflicts_drop(mn_txn *t, uint8_t digest[MN_HASH_BYTES], uint32_t type,
                  const uint8_t id[MN_ID_BYTES], uint32_t field) {
    struct field_set set;
    uint8_t key[KEY_BYTES];
    int rc = set_load(t, type, id, field, &set);
    for (size_t i = 0; rc == MN_OK && i < set.n; i++) {
        key_make(type, id, field, &set.st[i], key);
        rc = entry_del(t, digest, key);
    }
    return rc;
}

static bool
stamp_equal(const mn_stamp *a, const mn_stamp *b) {
    return a->hlc == b->hlc && a->origin == b->origin && a->seq == b->seq;
}

static bool
set_has(const struct field_set *set, const mn_stamp *st) {
    for (size_t i = 0; i < set->n; i++)
        if (stamp_equal(&set->st[i], st))
            return true;
    return false;
}

/* Did the change with deps (NULL: a local write) see the change seen? */
static bool
saw(const mn_vv *deps, const mn_stamp *seen) {
    if (!deps)
        return true;
    return mn_vv_get(deps, seen->origin) >= seen->seq;
}

/* The version vector the change stamped st was made with (from the log's
 * header bytes: the body is not decoded). */
static int
logged_deps(mn_txn *t, const mn_stamp *st, mn_vv *deps) {
    uint8_t key[12];
    mn_val v;
    mn_bytes header;
    mn_change_header h;
    mn_put_be32(key, st->origin);
    mn_put_be64(key + 4, st->seq);
    int rc = mn_txn_get(t, MN_DB_LOG, key, sizeof key, &v);
    if (rc == MN_OK)
        rc = mn_codec_change_header_bytes(v.p, v.n, &header);
    if (rc == MN_OK)
        rc = mn_codec_header_decode(header.p, header.n, &h);
    if (rc == MN_OK)
        *deps = h.deps;
    return rc;
}

/* Has the element later (already applied) seen the change stamped st?
 * Causal delivery means never for a change applied for the first time; a
 * yes marks st as a change applied before and since overwritten. A later
 * element without a log entry (a store built without one, as in the unit
 * tests) counts as not having seen it. */
static int
later_saw(mn_txn *t, const mn_stamp *later, const mn_stamp *st, bool *seen) {
    mn_vv deps;
    if (later->origin == st->origin) {
        *seen = later->seq > st->seq;
        return MN_OK;
    }
    int rc = logged_deps(t, later, &deps);
    *seen = rc == MN_OK && saw(&deps, st);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

/* Is st, losing to winner, a change that a listed element or the winner
 * already overwrote knowingly? */
static int
superseded(mn_txn *t, const mn_field *winner, const struct field_set *set,
           const mn_stamp *st, bool *yes) {
    int rc = later_saw(t, &winner->stamp, st, yes);
    for (size_t i = 0; rc == MN_OK && !*yes && i < set->n; i++)
        if (mn_stamp_cmp(&set->st[i], st) > 0)
            rc = later_saw(t, &set->st[i], st, yes);
    return rc;
}

/* Remove every listed element that the change (st, deps) saw. Only older
 * elements: HLC respects causality, so a newer one cannot have been seen,
 * and keeping that rule explicit keeps the set and the winner consistent
 * whatever the input. */
static int
prune(mn_txn *t, uint8_t digest[MN_HASH_BYTES], const mn_entity *e,
      uint32_t field, const struct field_set *set, const mn_stamp *st,
      const mn_vv *deps) {
    uint8_t key[KEY_BYTES];
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < set->n; i++) {
        if (mn_stamp_cmp(&set->st[i], st) >= 0 || !saw(deps, &set->st[i]))
            continue;
        key_make(e->type, e->id, field, &set->st[i], key);
        rc = entry_del(t, digest, key);
    }
    return rc;
}

/* Add (st, value) to the list of e's field. */
static int
list(mn_txn *t, uint8_t digest[MN_HASH_BYTES], const mn_entity *e,
     uint32_t field, const mn_stamp *st, const mn_value *value) {
    uint8_t key[KEY_BYTES];
    key_make(e->type, e->id, field, st, key);
    return entry_put(t, digest, key, value);
}

/* One op: the field's set loses what the change saw and gains the change
 * (as the new winner, the old one listed unless seen, or as listed). A
 * field never written has nothing listed: entries exist only beside a
 * winner, and fields are never removed. */
static int
apply_op(mn_txn *t, uint8_t digest[MN_HASH_BYTES], const mn_entity *before,
         const mn_field_op *op, const mn_stamp *st, const mn_vv *deps) {
    const mn_field *winner = mn_entity_get(before, op->no);
    struct field_set set;
    bool old = false;
    if (!winner)
        return MN_OK;
    int rc = set_load(t, before->type, before->id, op->no, &set);
    if (rc != MN_OK || stamp_equal(&winner->stamp, st) || set_has(&set, st))
        return rc; /* a duplicate changes nothing */
    bool wins = mn_stamp_cmp(st, &winner->stamp) > 0;
    if (!wins && deps)
        rc = superseded(t, winner, &set, st, &old);
    if (rc == MN_OK && !old)
        rc = prune(t, digest, before, op->no, &set, st, deps);
    if (rc != MN_OK || old)
        return rc;
    if (wins)
        return saw(deps, &winner->stamp) ? MN_OK
                                         : list(t, digest, before, op->no,
                                                &winner->stamp, &winner->v);
    /* A local write has seen everything, so its clock is the latest;
     * one that loses anyway (only a test does that) is not listed. */
    return deps ? list(t, digest, before, op->no, st, &op->v) : MN_OK;
}

int
mn_conflicts_apply(mn_txn *t, uint8_t digest[MN_HASH_BYTES],
                   const mn_entity *before, const mn_field_op *ops, size_t nops,
                   const mn_stamp *st, const mn_vv *deps) {
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < nops; i++)
        rc = apply_op(t, digest, before, &ops[i], st, deps);
    return rc;
}

int
mn_conflicts_digest(mn_txn *t, uint8_t digest[MN_HASH_BYTES]) {
    mn_cursor *cur;
    mn_val k, v;
    int rc = mn_cursor_open(t, MN_DB_CONFLICTS, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        if (!mn_conflicts_shape_ok(&k, &v)) {
            rc = MN_ECORRUPT;
            break;
        }
        fold(digest, k.p, v.p, v.n);
    }
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

/* ---- listing ---------------------------------------------------------- */

/* The entity last read for the listing, kept for its next entries. */
struct winner_cache {
    bool loaded;
    mn_entity e;
};

static int
entry_decode(const mn_val *k, const mn_val *v, mn_conflict *c) {
    const uint8_t *kp = k->p;
    if (!mn_conflicts_shape_ok(k, v))
        return MN_ECORRUPT;
    c->type = kp[0];
    memcpy(c->id, kp + 1, MN_ID_BYTES);
    c->field = mn_get_be32(kp + 1 + MN_ID_BYTES);
    c->loser = key_stamp(kp);
    return value_decode(v, &c->value);
}

/* Fill c->winner from the entity's field. */
static int
winner_of(mn_txn *t, struct winner_cache *cache, mn_conflict *c) {
    if (!cache->loaded || cache->e.type != c->type ||
        memcmp(cache->e.id, c->id, MN_ID_BYTES) != 0) {
        if (cache->loaded)
            mn_entity_release(&cache->e);
        int rc = mn_state_get(t, c->type, c->id, &cache->e);
        cache->loaded = rc == MN_OK;
        if (rc != MN_OK)
            return rc == MN_ENOTFOUND ? MN_ECORRUPT : rc;
    }
    const mn_field *f = mn_entity_get(&cache->e, c->field);
    if (!f)
        return MN_ECORRUPT;
    c->winner = f->stamp;
    return MN_OK;
}

int
mn_state_conflicts(mn_txn *t, size_t limit,
                   void (*fn)(void *user, const mn_conflict *c), void *user) {
    struct winner_cache cache = {.loaded = false};
    mn_cursor *cur;
    mn_val k, v;
    size_t n = 0;
    int rc = mn_cursor_open(t, MN_DB_CONFLICTS, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK && n < limit;
         rc = mn_cursor_next(cur, &k, &v), n++) {
        mn_conflict c;
        rc = entry_decode(&k, &v, &c);
        if (rc == MN_OK)
            rc = winner_of(t, &cache, &c);
        if (rc != MN_OK)
            break;
        fn(user, &c);
    }
    mn_cursor_close(&cur);
    if (cache.loaded)
        mn_entity_release(&cache.e);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}
