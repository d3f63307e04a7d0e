/*
 * log — see log.h. Thin over the store: it fixes the key layout (through
 * envelope) and the value encodings, so no caller builds either by hand.
 */
#include "change/log.h"

#include "change/envelope.h"

#include <stdlib.h>
#include <string.h>

int
mn_log_append(mn_txn *t, uint32_t origin, uint64_t seq, const void *change,
              size_t n) {
    uint8_t key[MN_LOG_KEY_BYTES];
    mn_envelope_log_key(origin, seq, key);
    return mn_txn_put(t, MN_DB_LOG, key, sizeof key, change, n, MN_PUT_NEW);
}

#define PRIVATE_KEY_BYTES (MN_ID_BYTES + MN_LOG_KEY_BYTES)

int
mn_log_private_note(mn_txn *t, const uint8_t id[MN_ID_BYTES], uint32_t origin,
                    uint64_t seq) {
    uint8_t key[PRIVATE_KEY_BYTES];
    memcpy(key, id, MN_ID_BYTES);
    mn_envelope_log_key(origin, seq, key + MN_ID_BYTES);
    return mn_txn_put(t, MN_DB_PRIVATE, key, sizeof key, "", 0, 0);
}

/* The changes of entity id the index names, collected first: the log and
 * the index are then written without a cursor open on either. */
static int
private_of(mn_txn *t, const uint8_t id[MN_ID_BYTES],
           uint8_t (**keys)[PRIVATE_KEY_BYTES], size_t *n) {
    mn_cursor *cur;
    mn_val k, v;
    size_t cap = 0;
    *keys = NULL;
    *n = 0;
    int rc = mn_cursor_open(t, MN_DB_PRIVATE, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, id, MN_ID_BYTES, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        if (k.n != PRIVATE_KEY_BYTES || memcmp(k.p, id, MN_ID_BYTES) != 0)
            break;
        if (*n == cap) {
            cap = cap ? 2 * cap : 8;
            *keys = mn_realloc(*keys, cap * sizeof **keys);
        }
        memcpy((*keys)[(*n)++], k.p, PRIVATE_KEY_BYTES);
    }
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

/* Replace the log entry at key (a log key) by its erased form. */
static int
erase_one(mn_txn *t, const uint8_t key[MN_LOG_KEY_BYTES], mn_buf *scratch) {
    mn_val v;
    int rc = mn_txn_get(t, MN_DB_LOG, key, MN_LOG_KEY_BYTES, &v);
    if (rc == MN_OK)
        rc = mn_envelope_erase(v.p, v.n, scratch);
    if (rc == MN_OK)
        rc = mn_txn_put(t, MN_DB_LOG, key, MN_LOG_KEY_BYTES, scratch->p,
                        scratch->len, 0);
    return rc == MN_ENOTFOUND ? MN_OK : rc; /* erased already */
}

int
mn_log_erase_private(mn_txn *t, const uint8_t id[MN_ID_BYTES], mn_buf *scratch,
                     size_t *erased) {
    uint8_t(*keys)[PRIVATE_KEY_BYTES];
    size_t n, done = 0;
    int rc = private_of(t, id, &keys, &n);
    for (size_t i = 0; rc == MN_OK && i < n; i++) {
        rc = erase_one(t, keys[i] + MN_ID_BYTES, scratch);
        if (rc == MN_OK)
            rc = mn_txn_del(t, MN_DB_PRIVATE, keys[i], PRIVATE_KEY_BYTES);
        done++;
    }
    free(keys);
    if (erased)
        *erased = done;
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

/* The entry of db (log or sigs) at (origin, seq). */
static int
get_at(mn_txn *t, enum mn_db db, uint32_t origin, uint64_t seq, mn_val *v) {
    uint8_t key[MN_LOG_KEY_BYTES];
    mn_envelope_log_key(origin, seq, key);
    return mn_txn_get(t, db, key, sizeof key, v);
}

int
mn_log_get(mn_txn *t, uint32_t origin, uint64_t seq, mn_bytes *change) {
    mn_val v;
    int rc = get_at(t, MN_DB_LOG, origin, seq, &v);
    if (rc == MN_OK)
        *change = (mn_bytes){v.p, v.n};
    return rc;
}

int
mn_log_range_open(mn_txn *t, uint32_t origin, uint64_t first, uint64_t last,
                  mn_log_range *r) {
    *r = (mn_log_range){
        .origin = origin, .next = first ? first : 1, .last = last};
    return mn_cursor_open(t, MN_DB_LOG, &r->cur);
}

/* Position on the range's next key: a seek for the first, a step after. */
static int
range_step(mn_log_range *r, mn_val *k, mn_val *v) {
    uint8_t key[MN_LOG_KEY_BYTES];
    if (r->started)
        return mn_cursor_next(r->cur, k, v);
    r->started = true;
    mn_envelope_log_key(r->origin, r->next, key);
    return mn_cursor_seek(r->cur, key, sizeof key, k, v);
}

bool
mn_log_range_next(mn_log_range *r, uint64_t *seq, mn_bytes *change) {
    mn_val k, v;
    uint32_t origin;
    uint64_t at;
    if (!r->cur || r->ended || r->next > r->last)
        return false;
    if (range_step(r, &k, &v) != MN_OK ||
        mn_envelope_log_key_parse(k.p, k.n, &origin, &at) != MN_OK ||
        origin != r->origin || at != r->next) {
        r->ended = true;
        return false;
    }
    *seq = r->next++;
    *change = (mn_bytes){v.p, v.n};
    return true;
}

void
mn_log_range_close(mn_log_range *r) {
    mn_cursor_close(&r->cur);
}

int
mn_log_sig_put(mn_txn *t, const mn_chain_sig *sig, mn_buf *scratch) {
    uint8_t key[MN_LOG_KEY_BYTES];
    mn_envelope_log_key(sig->origin, sig->seq, key);
    mn_buf_reset(scratch);
    mn_codec_sig_encode(sig, scratch);
    return mn_txn_put(t, MN_DB_SIGS, key, sizeof key, scratch->p, scratch->len,
                      0);
}

int
mn_log_sig_get(mn_txn *t, uint32_t origin, uint64_t seq, mn_chain_sig *sig) {
    mn_val v;
    int rc = get_at(t, MN_DB_SIGS, origin, seq, &v);
    if (rc == MN_OK && (mn_codec_sig_decode(v.p, v.n, sig) != MN_OK ||
                        sig->origin != origin || sig->seq != seq))
        rc = MN_ECORRUPT;
    return rc;
}
