/*
 * conflicts — the conflict list, a multi-value register per field.
 *
 * For each field of an entity, the values that were written and never
 * knowingly overwritten (no later write saw them) form a set of maximal
 * writes. The one with the greatest stamp is the field's value, kept in
 * the entity (HLC respects causality, so this is last-writer-wins); the
 * others are the field's conflict list, kept in the conflicts database:
 *
 *   (type u8, id[16], field be32, hlc be64, origin be32, seq be64)
 *       -> value kind u8, then int be64 | string bytes | nothing
 *
 * Changes are applied in causal order (a node applies a change only when
 * its vector covers the change's deps), so a change c applied for the
 * first time was never seen by anything applied before it. When c writes
 * field f, every element of f's set that c saw (c.deps[origin] >= seq) is
 * removed and c is added. A local write has seen everything: it clears the
 * field's list. A value that a later write overwrote knowingly is not
 * listed, even if it was concurrent with the final winner: it is not a
 * value nobody chose to replace.
 *
 * Invariants: the list is a function of the set of applied changes, the
 * same on every node whatever the arrival order; a field holds at most one
 * element per origin (an origin sees its own past); applying a change
 * twice changes nothing; the state digest holds the XOR, over every
 * entry, of BLAKE2b("conflict", key, value), updated in the transaction
 * that adds or removes the entry.
 */
#ifndef MN_CONFLICTS_H
#define MN_CONFLICTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "door/crypto.h"
#include "door/store.h"
#include "state/entity.h"

/* One listed conflict: a value concurrent with the field's winner. */
typedef struct mn_conflict {
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    uint32_t field;
    mn_stamp loser, winner;
    mn_value value; /* the listed value; a string points into the map and
                       is not NUL-terminated (use len) */
} mn_conflict;

/*
 * Update, inside write transaction t, the conflict lists of the fields
 * that ops (written by the change stamped st) touch in entity before (its
 * state before the change), and fold every entry added or removed into
 * *digest. deps is the change's version vector, or NULL for a local write
 * (which has seen everything). Call before merging ops into the entity.
 * MN_OK, MN_ECORRUPT for a malformed entry, or a store error.
 */
int mn_conflicts_apply(mn_txn *t, uint8_t digest[MN_HASH_BYTES],
                       const mn_entity *before, const mn_field_op *ops,
                       size_t nops, const mn_stamp *st, const mn_vv *deps);

/* XOR the hash of every entry of the conflicts database into *digest (for
 * a recomputation of the state digest). MN_OK, MN_ECORRUPT for an entry of
 * the wrong shape, or a store error. */
int mn_conflicts_digest(mn_txn *t, uint8_t digest[MN_HASH_BYTES]);

/* Does (k, v) have the shape of a conflicts database entry? */
bool mn_conflicts_shape_ok(const mn_val *k, const mn_val *v);

/* Call fn for up to limit conflicts, in (entity, field, stamp) order, each
 * with its field's current winner. Values are valid only during the call.
 * MN_OK, MN_ECORRUPT (an entry without an entity or winner), or a store
 * error. */
int mn_state_conflicts(mn_txn *t, size_t limit,
                       void (*fn)(void *user, const mn_conflict *c),
                       void *user);

/* Remove every listed value of field of (type, id) (erasure). */
int mn_conflicts_drop(mn_txn *t, uint8_t digest[MN_HASH_BYTES], uint32_t type,
                      const uint8_t id[MN_ID_BYTES],
                      uint32_t field) MN_MUST_CHECK;

#endif
