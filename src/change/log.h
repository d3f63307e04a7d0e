/*
 * log — the change log and the chain signatures, as the store keeps them:
 *
 *   log   (origin, seq) -> Change bytes, exactly as sealed by the origin
 *   sigs  (origin, seq) -> ChainSignature: the origin's signature of its
 *                          chain head at seq
 *
 * both keyed by mn_envelope_log_key. The writer appends and stores
 * signatures; the engine's host reads ranges and signatures to serve
 * peers. Every read runs inside the caller's transaction; bytes it returns
 * point into the map and stay valid only until that transaction ends
 * (LMDB's rule, restated from store.h).
 *
 * Invariants kept by the writer, relied on by readers: an origin's seqs
 * are contiguous from 1; an entry is never overwritten (append refuses);
 * a signature is stored only for a change that is in the log.
 */
#ifndef MN_CHANGE_LOG_H
#define MN_CHANGE_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "door/codec.h"
#include "door/store.h"
#include "base/id.h"

/* Append origin's change seq. MN_EEXIST if the log already holds one;
 * other store errors as mn_txn_put. */
int mn_log_append(mn_txn *t, uint32_t origin, uint64_t seq, const void *change,
                  size_t n) MN_MUST_CHECK;

/* The logged change (origin, seq). OUT: change (valid until t ends).
 * MN_ENOTFOUND when absent. */
int mn_log_get(mn_txn *t, uint32_t origin, uint64_t seq,
               mn_bytes *change) MN_MUST_CHECK;

/*
 * A read of origin's changes first..last in order (seqs start at 1, so a
 * first of 0 reads from 1), stopping at the first missing seq. Open it,
 * call next until it returns false, close it before t ends. Fields are
 * private.
 */
typedef struct mn_log_range {
    mn_cursor *cur;
    uint32_t origin;
    uint64_t next, last;
    bool started; /* the cursor has been positioned */
    bool ended;   /* next returned false: it always will */
} mn_log_range;

int mn_log_range_open(mn_txn *t, uint32_t origin, uint64_t first, uint64_t last,
                      mn_log_range *r) MN_MUST_CHECK;
/* The next change of the range. OUT: seq, change (valid until t ends).
 * false at the end of the range, at a gap, or on a store error. */
bool mn_log_range_next(mn_log_range *r, uint64_t *seq, mn_bytes *change);
/* Safe on a range whose open failed. */
void mn_log_range_close(mn_log_range *r);

/*
 * The private index: (entity id[16], origin be32, seq be64) -> nothing, for
 * every logged change that still holds a private part, so erasing an
 * entity's private parts reads only its own changes.
 */
int mn_log_private_note(mn_txn *t, const uint8_t id[MN_ID_BYTES],
                        uint32_t origin, uint64_t seq) MN_MUST_CHECK;

/* Erase the private part of every logged change of entity id, in place:
 * the log keeps the erased form (envelope.h), whose chain hash is the
 * same, and the index forgets them. scratch is reused. OUT: *erased, how
 * many (may be NULL). */
int mn_log_erase_private(mn_txn *t, const uint8_t id[MN_ID_BYTES],
                         mn_buf *scratch, size_t *erased) MN_MUST_CHECK;

/* Store (or replace) the signature sig covers. scratch holds its
 * encoding (reset here). */
int mn_log_sig_put(mn_txn *t, const mn_chain_sig *sig,
                   mn_buf *scratch) MN_MUST_CHECK;

/* The signature stored for (origin, seq). OUT: sig. MN_ENOTFOUND when
 * none; MN_ECORRUPT when the stored one does not decode. */
int mn_log_sig_get(mn_txn *t, uint32_t origin, uint64_t seq,
                   mn_chain_sig *sig) MN_MUST_CHECK;

#endif
