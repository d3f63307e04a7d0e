/*
 * erase — which fields are private, and what erasing a participant does to
 * the state (README "Erasure"; DESIGN "Changes" 13).
 *
 * A field is private when erasure removes it: of a participant, every
 * field but the stub (home, role, status, joined_year, capacity,
 * erased_at: what statistics, matching's constraints and the partnership
 * rules read); of any other kind, its personal and special fields. The
 * writer puts the ops of private fields in a change's private part, which
 * a node drops from its log when it erases her.
 *
 * An entity is *erased-related* when it is an erased participant, or
 * names one in a REF field, or names an entity that does (her
 * partnerships, their meetings, her outcomes). Every node keeps the
 * private fields of such an entity removed: after the erase change and
 * after any later change to it. The state is then the same whether a node
 * applied a private part before the erasure or received it erased, in
 * any order.
 */
#ifndef MN_STATE_ERASE_H
#define MN_STATE_ERASE_H

#include <stdbool.h>
#include <stdint.h>

#include "door/store.h"
#include "state/entity.h"

/* Is field no of kind type private? False for a field this version does
 * not know (it stays public: an older node could not tell). */
bool mn_erase_private_field(uint32_t type, uint32_t no);

/* Split ops into the public ones and the private ones. Both borrow ops'
 * strings: never release them. */
void mn_erase_split(uint32_t type, const mn_ops *ops, mn_ops *pub,
                    mn_ops *priv);

/* Is (type, id) erased-related? OUT: yes. */
int mn_erase_related(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                     bool *yes) MN_MUST_CHECK;

/* An entity, by type and id. */
typedef struct mn_entity_ref {
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
} mn_entity_ref;

/* The participant pid and every entity that names her, or names one that
 * does, through an index on a REF field. OUT: *out (mn_free), *n. */
int mn_erase_family(mn_txn *t, const uint8_t pid[MN_ID_BYTES],
                    mn_entity_ref **out, size_t *n) MN_MUST_CHECK;

/* Remove the private fields of (type, id), and their conflict entries,
 * keeping digest, statistics and indexes. MN_OK also when there is no
 * such entity or nothing to remove. */
int mn_erase_strip(mn_txn *t, uint8_t digest[MN_HASH_BYTES], uint32_t type,
                   const uint8_t id[MN_ID_BYTES],
                   mn_buf *scratch) MN_MUST_CHECK;

#endif
