/*
 * state — the replicated state in LMDB: entities, their secondary indexes,
 * the statistics, and the order-independent state digest. mn_state_apply
 * is the one function through which every change, local or replicated,
 * reaches the state.
 *
 *   entities  (type u8, id[16])            -> EntityState bytes
 *   index     (tag, value be32, id)          -> empty  (kind.h indexes)
 *             (tag, referenced id, id)       -> empty  (an index on a REF)
 *
 * Invariants: the digest is the XOR of BLAKE2b-256 over the stored bytes
 * of every entity (so it depends only on the set of final states, not on
 * the order of applies); indexes and statistics are functions of the
 * entities and change in the same transaction.
 */
#ifndef MN_STATE_H
#define MN_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "door/crypto.h"
#include "state/conflicts.h"
#include "state/entity.h"
#include "state/kind.h"
#include "door/store.h"

/*
 * Merge ops, written by the change stamped st, into entity (type, id) inside
 * write transaction t; update indexes, statistics and *digest. scratch is a
 * reusable buffer. Applying the same change twice changes nothing.
 *
 * deps is the change's version vector for a replicated change (NULL for a
 * local one, which has seen everything): it decides which values the
 * change overwrote knowingly and which stay in the conflict list
 * (conflicts.h), which the digest covers too.
 */
int mn_state_apply(mn_txn *t, uint8_t digest[MN_HASH_BYTES], uint32_t type,
                   const uint8_t id[MN_ID_BYTES], const mn_field_op *ops,
                   size_t nops, const mn_stamp *st, const mn_vv *deps,
                   mn_buf *scratch);

/* Store after in place of before (NULL: a new entity; old its stored
 * bytes), updating the digest, statistics and indexes: what an apply does
 * once it has merged, for a change of the state that is not a merge
 * (erase.h). */
int mn_state_replace(mn_txn *t, uint8_t digest[MN_HASH_BYTES],
                     const mn_val *old, const mn_entity *before,
                     const mn_entity *after, mn_buf *scratch) MN_MUST_CHECK;

/* Read entity (type, id) in t into out (mn_entity_release frees).
 * MN_ENOTFOUND if absent. */
int mn_state_get(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                 mn_entity *out);
/* The state digest computed afresh from what t holds: every entity's
 * stored bytes and every conflict entry (what mn_state_apply maintains
 * incrementally). OUT: digest. MN_OK, or a store error. */
int mn_state_digest_recount(mn_txn *t, uint8_t digest[MN_HASH_BYTES]);

/* Has an index database key the shape mn_state_apply gives keys (a known
 * kind's index tag and that index's length)? For the start-up check. */
bool mn_state_index_shape_ok(const void *key, size_t n);

/* MN_OK if the entity exists, MN_ENOTFOUND if not. */
int mn_state_exists(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES]);

/* Filter for listing entities of one kind: want[i] is the value index
 * i of the kind must have (state/kind.h, mn_index_def), or -1 for any. */
typedef struct mn_list_query {
    const mn_kind *kind;
    int64_t want[MN_KIND_MAX_INDEXES];
    /* For an index on a REF field: has_ref[i] asks for entities whose
     * field names the id ref[i]. */
    bool has_ref[MN_KIND_MAX_INDEXES];
    uint8_t ref[MN_KIND_MAX_INDEXES][MN_ID_BYTES];
    const char *q; /* case-insensitive substring of a searched field */
    /* How the caller reads a stored entity, if not as stored: fills out
     * (fresh; the list releases it), which is then matched and handed to
     * fn. The API opens sealed values here (node/seal.h), so q searches
     * clear names on their home node and nothing elsewhere. */
    void (*open)(void *ctx, const mn_entity *stored, mn_entity *out);
    void *open_ctx;
    size_t limit;
    bool has_cursor;
    uint8_t cursor[MN_ID_BYTES]; /* list ids greater than this */
} mn_list_query;

/* Set q to list every entity of kind k (no filter, no cursor, limit 0). */
void mn_list_query_init(mn_list_query *q, const mn_kind *k);

/*
 * Call fn for up to q->limit matching entities in id order. *more is
 * set when more may follow; next is then the cursor to continue from. At
 * most MN_LIST_SCAN_CAP entities are examined per call, so a selective
 * filter may return a short page with more set. O(examined) reads.
 */
#define MN_LIST_SCAN_CAP 20000
int mn_state_list(mn_txn *t, const mn_list_query *q,
                  void (*fn)(void *user, const mn_entity *e), void *user,
                  bool *more, uint8_t next[MN_ID_BYTES]);

#endif
