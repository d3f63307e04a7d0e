/*
 * log — see log.h. Thin over the store: it fixes the key layout (through
 * envelope) and the value encodings, so no caller builds either by hand.
 */
#include "change/log.h"

#include "change/envelope.h"

int
mn_log_append(mn_txn *t, uint32_t origin, uint64_t seq, const void *change,
              size_t n) {
    uint8_t key[MN_LOG_KEY_BYTES];
    mn_envelope_log_key(origin, seq, key);
    return mn_txn_put(t, MN_DB_LOG, key, sizeof key, change, n, MN_PUT_NEW);
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
