/*
 * conflicts — the conflict list: for each field, the values concurrent
 * with its current winner, kept in the conflicts database (see store.h).
 *
 * Invariants: an entry is written only in the transaction that applies the
 * change it comes from.
 */
#ifndef MN_CONFLICTS_H
#define MN_CONFLICTS_H

#include <stddef.h>
#include <stdint.h>

#include "door/store.h"
#include "state/entity.h"

/* One recorded conflict: the losing value and the stamps of both. */
typedef struct mn_conflict {
    uint8_t id[MN_ID_BYTES];
    uint32_t field;
    mn_stamp loser, winner;
    mn_value value; /* the losing value; string points into the map */
} mn_conflict;

/*
 * Record, inside write transaction t, every concurrent value that the ops
 * of the replicated change stamped st (with version vector deps) beat or
 * lose to in entity before (its state before the change). MN_OK or a
 * store error.
 */
int mn_conflicts_record(mn_txn *t, const mn_entity *before,
                        const mn_field_op *ops, size_t nops, const mn_stamp *st,
                        const mn_vv *deps);

/* Call fn for up to limit recorded conflicts, in (entity, field) order.
 * Values are valid only during the call. */
int mn_state_conflicts(mn_txn *t, size_t limit,
                       void (*fn)(void *user, const mn_conflict *c),
                       void *user);

#endif
