/*
 * state — see state.h. Entities are decoded, merged and re-encoded whole:
 * they are small (a few hundred bytes) and the canonical encoding is what
 * the digest hashes.
 */
#include "state/state.h"

#include <string.h>

#include "door/codec.h"
#include "state/conflicts.h"
#include "state/kind.h"
#include "state/owner.h"
#include "state/stats.h"

static void
entity_key(uint32_t type, const uint8_t id[MN_ID_BYTES], uint8_t key[17]) {
    key[0] = (uint8_t)type;
    memcpy(key + 1, id, MN_ID_BYTES);
}

int
mn_state_get(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
             mn_entity *out) {
    uint8_t key[17];
    mn_val v;
    entity_key(type, id, key);
    int rc = mn_txn_get(t, MN_DB_ENTITIES, key, sizeof key, &v);
    if (rc != MN_OK)
        return rc;
    return mn_codec_entity_decode(v.p, v.n, out);
}

static void
xor_hash(uint8_t digest[MN_HASH_BYTES], const uint8_t *p, size_t n) {
    uint8_t h[MN_HASH_BYTES];
    mn_crypto_hash2(p, n, NULL, 0, h);
    for (size_t i = 0; i < MN_HASH_BYTES; i++)
        digest[i] ^= h[i];
}

int
mn_state_digest_recount(mn_txn *t, uint8_t digest[MN_HASH_BYTES]) {
    mn_cursor *cur = NULL;
    mn_val k, v;
    memset(digest, 0, MN_HASH_BYTES);
    int rc = mn_cursor_open(t, MN_DB_ENTITIES, &cur);
    for (rc = rc ? rc : mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v))
        xor_hash(digest, v.p, v.n);
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? mn_conflicts_digest(t, digest) : rc;
}

/* The value e has for index ix, or -1 when it has none to index: an
 * enum's name index, or an in-range number. */
static int64_t
index_value(const mn_kind *k, const mn_index_def *ix, const mn_entity *e) {
    const mn_field_def *f = mn_kind_field(k, ix->field);
    if (f->type == MN_FT_ENUM)
        return mn_field_enum_index(f, mn_entity_str(e, f->no));
    int64_t v = mn_entity_int(e, f->no, -1);
    return v >= f->min && v <= f->max ? v : -1;
}

/* Bytes of an index key: tag, value (be32, or a referenced id), id. */
#define INDEX_KEY_MAX (1 + MN_ID_BYTES + MN_ID_BYTES)

/* The value bytes of e for index ix: 4 (be32 of index_value), 16 (the id a
 * REF field names), or 0 when e has none to index. */
static size_t
index_bytes(const mn_kind *k, const mn_index_def *ix, const mn_entity *e,
            uint8_t out[MN_ID_BYTES]) {
    if (mn_kind_field(k, ix->field)->type == MN_FT_REF) {
        const char *z = mn_entity_str(e, ix->field);
        return z && mn_id_parse(z, out) == MN_OK ? MN_ID_BYTES : 0;
    }
    int64_t v = index_value(k, ix, e);
    if (v < 0)
        return 0;
    mn_put_be32(out, (uint32_t)v);
    return 4;
}

/* Index keys of e: for each index of its kind, the tag, the value bytes,
 * then the id. OUT: len[i] each key's length. */
static size_t
index_keys(const mn_entity *e, uint8_t keys[MN_KIND_MAX_INDEXES][INDEX_KEY_MAX],
           size_t len[MN_KIND_MAX_INDEXES]) {
    const mn_kind *k = mn_kind_find(e->type);
    size_t n = 0;
    for (size_t i = 0; k && i < k->nindexes; i++) {
        size_t nv = index_bytes(k, &k->indexes[i], e, keys[n] + 1);
        if (nv == 0)
            continue;
        keys[n][0] = k->indexes[i].tag;
        memcpy(keys[n] + 1 + nv, e->id, MN_ID_BYTES);
        len[n++] = 1 + nv + MN_ID_BYTES;
    }
    return n;
}

static bool
has_key(uint8_t keys[MN_KIND_MAX_INDEXES][INDEX_KEY_MAX], const size_t *len,
        size_t n, const uint8_t *key, size_t klen) {
    for (size_t i = 0; i < n; i++)
        if (len[i] == klen && memcmp(keys[i], key, klen) == 0)
            return true;
    return false;
}

static int
update_index(mn_txn *t, const mn_entity *before, const mn_entity *after) {
    uint8_t old_keys[MN_KIND_MAX_INDEXES][INDEX_KEY_MAX],
        new_keys[MN_KIND_MAX_INDEXES][INDEX_KEY_MAX];
    size_t old_len[MN_KIND_MAX_INDEXES], new_len[MN_KIND_MAX_INDEXES];
    size_t nold = before ? index_keys(before, old_keys, old_len) : 0;
    size_t nnew = index_keys(after, new_keys, new_len);
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < nold; i++)
        if (!has_key(new_keys, new_len, nnew, old_keys[i], old_len[i]))
            rc = mn_txn_del(t, MN_DB_INDEX, old_keys[i], old_len[i]);
    for (size_t i = 0; rc == MN_OK && i < nnew; i++)
        if (!has_key(old_keys, old_len, nold, new_keys[i], new_len[i]))
            rc = mn_txn_put(t, MN_DB_INDEX, new_keys[i], new_len[i], "", 0, 0);
    return rc;
}

bool
mn_state_index_shape_ok(const void *key, size_t n) {
    const uint8_t *p = key;
    for (size_t i = 0; n > 0 && i < mn_kind_count(); i++) {
        const mn_kind *k = mn_kind_at(i);
        for (size_t j = 0; j < k->nindexes; j++) {
            bool ref = mn_kind_field(k, k->indexes[j].field)->type == MN_FT_REF;
            if (k->indexes[j].tag == p[0])
                return n == 1 + (ref ? MN_ID_BYTES : 4) + MN_ID_BYTES;
        }
    }
    return false;
}

int
mn_state_exists(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES]) {
    uint8_t key[17];
    mn_val v;
    entity_key(type, id, key);
    return mn_txn_get(t, MN_DB_ENTITIES, key, sizeof key, &v);
}

/* ---- apply ------------------------------------------------------------ */

int
mn_state_replace(mn_txn *t, uint8_t digest[MN_HASH_BYTES], const mn_val *old,
                 const mn_entity *before, const mn_entity *after,
                 mn_buf *scratch) {
    uint8_t key[17];
    entity_key(after->type, after->id, key);
    if (old)
        xor_hash(digest, old->p, old->n); /* before the put moves it */
    mn_buf_reset(scratch);
    mn_codec_entity_encode(after, scratch);
    xor_hash(digest, scratch->p, scratch->len);
    int rc = mn_txn_put(t, MN_DB_ENTITIES, key, sizeof key, scratch->p,
                        scratch->len, 0);
    if (rc == MN_OK)
        rc = mn_stats_update(t, before, after);
    if (rc == MN_OK)
        rc = update_index(t, before, after);
    return rc;
}

int
mn_state_apply(mn_txn *t, uint8_t digest[MN_HASH_BYTES], uint32_t type,
               const uint8_t id[MN_ID_BYTES], const mn_field_op *ops,
               size_t nops, const mn_stamp *st, const mn_vv *deps,
               mn_buf *scratch) {
    mn_entity before, after;
    uint8_t key[17];
    mn_val old;
    entity_key(type, id, key);
    int rc = mn_txn_get(t, MN_DB_ENTITIES, key, sizeof key, &old);
    bool existed = rc == MN_OK;
    if (existed)
        rc = mn_codec_entity_decode(old.p, old.n, &before);
    else if (rc == MN_ENOTFOUND)
        mn_entity_init(&before, type, id), rc = MN_OK;
    if (rc == MN_OK)
        rc = mn_conflicts_apply(t, digest, &before, ops, nops, st, deps);
    if (rc != MN_OK) {
        mn_entity_release(&before);
        return rc;
    }
    mn_entity_copy(&after, &before);
    rc = mn_entity_merge(&after, ops, nops, st);
    const mn_kind *k = mn_kind_find(type);
    if (rc > 0 && k && k->derive)
        k->derive(&after);
    if (rc > 0)
        rc = mn_state_replace(t, digest, existed ? &old : NULL,
                              existed ? &before : NULL, &after, scratch);
    if (rc >= 0)
        rc = mn_owner_note(t, type, id, ops, nops, st);
    mn_entity_release(&before);
    mn_entity_release(&after);
    return rc < 0 ? rc : MN_OK;
}

/* ---- listing ---------------------------------------------------------- */

/* Lower-case one UTF-8 character at *z for matching: ASCII, Latin-1
 * (U+00C0-U+00DE) and Latin Extended-A (U+0100-U+017F, pairs); returns the
 * code point and advances *z. Enough for the names this network holds. */
static uint32_t
fold_next(const char **z) {
    const unsigned char *p = (const unsigned char *)*z;
    uint32_t c = p[0];
    size_t n = 1;
    if (c >= 0xc0 && c < 0xe0 && (p[1] & 0xc0) == 0x80) {
        c = (c & 0x1f) << 6 | (p[1] & 0x3f);
        n = 2;
    }
    *z += n;
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xc0 && c <= 0xde && c != 0xd7)
        return c + 32;
    if (c >= 0x100 && c <= 0x17f && !(c & 1))
        return c + 1;
    return c;
}

static bool
starts_with_folded(const char *h, const char *n) {
    while (*n)
        if (!*h || fold_next(&h) != fold_next(&n))
            return false;
    return true;
}

/* Does hay contain needle, ignoring case as fold_next does? */
static bool
contains_folded(const char *hay, const char *needle) {
    for (const char *h = hay;; fold_next(&h)) {
        if (starts_with_folded(h, needle))
            return true;
        if (!*h)
            return false;
    }
}

static bool
matches(const mn_entity *e, const mn_list_query *q) {
    const mn_kind *k = q->kind;
    uint8_t ref[MN_ID_BYTES];
    for (size_t i = 0; i < k->nindexes; i++) {
        if (q->has_ref[i] &&
            (index_bytes(k, &k->indexes[i], e, ref) != MN_ID_BYTES ||
             memcmp(ref, q->ref[i], MN_ID_BYTES) != 0))
            return false;
        if (q->want[i] >= 0 && index_value(k, &k->indexes[i], e) != q->want[i])
            return false;
    }
    if (!q->q || !q->q[0])
        return true;
    for (size_t i = 0; i < k->nsearch; i++) {
        const char *z = mn_entity_str(e, k->search[i]);
        if (z && contains_folded(z, q->q))
            return true;
    }
    return false;
}

/* The index prefix to walk for q: (tag, value) of the first index it
 * filters on, in the kind's order of preference; or the kind's type byte
 * in the entities database. */
static size_t
list_prefix(const mn_list_query *q, uint8_t prefix[1 + MN_ID_BYTES]) {
    const mn_kind *k = q->kind;
    for (size_t i = 0; i < k->nindexes; i++)
        if (q->has_ref[i]) {
            prefix[0] = k->indexes[i].tag;
            memcpy(prefix + 1, q->ref[i], MN_ID_BYTES);
            return 1 + MN_ID_BYTES;
        }
    for (size_t i = 0; i < k->nindexes; i++)
        if (q->want[i] >= 0) {
            prefix[0] = k->indexes[i].tag;
            mn_put_be32(prefix + 1, (uint32_t)q->want[i]);
            return 5;
        }
    prefix[0] = (uint8_t)k->type;
    return 1;
}

void
mn_list_query_init(mn_list_query *q, const mn_kind *k) {
    memset(q, 0, sizeof *q);
    q->kind = k;
    for (size_t i = 0; i < MN_KIND_MAX_INDEXES; i++)
        q->want[i] = -1;
}

/* Read entity id, as q->open reads it, and hand it to fn if it matches
 * q. */
static int
list_one(mn_txn *t, const mn_list_query *q, const uint8_t id[MN_ID_BYTES],
         void (*fn)(void *user, const mn_entity *e), void *user,
         size_t *found) {
    mn_entity stored, opened, *e = &stored;
    int rc = mn_state_get(t, q->kind->type, id, &stored);
    if (rc != MN_OK)
        return rc;
    if (q->open) {
        q->open(q->open_ctx, &stored, &opened);
        mn_entity_release(&stored);
        e = &opened;
    }
    if (matches(e, q)) {
        fn(user, e);
        (*found)++;
    }
    mn_entity_release(e);
    return MN_OK;
}

int
mn_state_list(mn_txn *t, const mn_list_query *q,
              void (*fn)(void *user, const mn_entity *e), void *user,
              bool *more, uint8_t next[MN_ID_BYTES]) {
    uint8_t prefix[1 + MN_ID_BYTES], start[INDEX_KEY_MAX];
    size_t np = list_prefix(q, prefix), found = 0, scanned = 0;
    enum mn_db db = np == 1 ? MN_DB_ENTITIES : MN_DB_INDEX;
    mn_cursor *cur;
    mn_val k, v;
    memcpy(start, prefix, np);
    memset(start + np, 0, MN_ID_BYTES);
    if (q->has_cursor)
        memcpy(start + np, q->cursor, MN_ID_BYTES);
    *more = false;
    int rc = mn_cursor_open(t, db, &cur);
    if (rc != MN_OK)
        return rc;
    rc = mn_cursor_seek(cur, start, np + MN_ID_BYTES, &k, &v);
    if (rc == MN_OK && q->has_cursor && k.n == np + MN_ID_BYTES &&
        memcmp(k.p, start, k.n) == 0)
        rc = mn_cursor_next(cur, &k, &v);
    for (; rc == MN_OK; rc = mn_cursor_next(cur, &k, &v)) {
        if (k.n != np + MN_ID_BYTES || memcmp(k.p, prefix, np) != 0)
            break;
        const uint8_t *id = (const uint8_t *)k.p + np;
        if (found == q->limit || scanned == MN_LIST_SCAN_CAP) {
            *more = true;
            break;
        }
        scanned++;
        memcpy(next, id, MN_ID_BYTES);
        rc = list_one(t, q, id, fn, user, &found);
        if (rc != MN_OK)
            break;
    }
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}
