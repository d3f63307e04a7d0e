/*
 * owner — who may write what, decided from a change and its causal past
 * alone (DESIGN §9), so every node refuses the same changes whatever else
 * it has applied.
 *
 * An entity of a kind with an owner field (a participant) is owned by her
 * home division. Her home changes only by a transfer: an owner-only
 * change of the owner field, valid only from the owner as of its own
 * causal past. Every applied change that writes the owner field is
 * recorded:
 *
 *   index  ('T', id, hlc be64, origin be32) -> seq be64, division be32
 *
 * A change is judged against the owner named by the newest such record
 * (by HLC, then origin: causal order implies HLC order) among those in
 * its causal past — the (origin, seq) its deps cover — or, with none,
 * the division that made the id (base/id.h). Changes are applied in
 * causal order, so every node has applied that causal past before the
 * change, and looks at nothing outside it: a write concurrent with a
 * transfer is judged by the owner it saw, the same way everywhere. A
 * reservation by the old home causally after a transfer is refused by
 * all; one causally before it stands.
 *
 * Which fields need whom (kind.h, mn_fwrite): MN_WRITE_ANY anyone;
 * OWNER, ONCE and NODE the entity's owner (kinds without an owner field:
 * anyone); REF_OWNER the owner of the participant that the REF field
 * paired with it in the kind's ref_owners names (a partnership's side: only the
 * mentee's home reserves the mentee's slot). Clearing the owner field is never
 * allowed. Nobody changes an entity of a create-only kind (an outcome) once
 * it exists.
 */
#ifndef MN_OWNER_H
#define MN_OWNER_H

#include <stdbool.h>
#include <stdint.h>

#include "door/store.h"
#include "state/entity.h"
#include "state/kind.h"

/* Bytes of a transfer record's key and value (above). */
#define MN_OWNER_KEY_BYTES (1 + MN_ID_BYTES + 8 + 4)
#define MN_OWNER_VAL_BYTES (8 + 4)

/*
 * The owner of entity id of kind k as of the causal past deps (NULL: all
 * that t holds, for a local write, which has seen everything). 0 when k
 * has no owner field. OUT: *owner. MN_OK or a store error.
 */
int mn_owner_at(mn_txn *t, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
                const mn_vv *deps, uint32_t *owner);

/*
 * May origin make the change ops (nops) to entity (type, id), whose
 * causal past is deps (NULL: a local write)? MN_OK; MN_EAUTH when a rule
 * above refuses it (also for a type this version does not know); or a
 * store error.
 */
int mn_owner_check(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                   const mn_field_op *ops, size_t nops, uint32_t origin,
                   const mn_vv *deps);

/* Record the transfer (or the first home) that ops write, if any: call
 * after the change stamped st was applied. MN_OK or a store error. */
int mn_owner_note(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                  const mn_field_op *ops, size_t nops, const mn_stamp *st);

/* Has an index database entry the shape of a transfer record? */
bool mn_owner_record_shape_ok(const void *key, size_t kn, size_t vn);

#endif
