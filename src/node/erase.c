/*
 * erase — what the writer does around an apply for erasure and consent
 * (README "Erasure"; state/erase.h has the rules of the state, change/log.h
 * those of the log):
 *
 * - every logged change with a private part is noted in the private index;
 * - an erase change (participant, erased_at set) strips the private fields
 *   of her and of every entity that names her, and erases the private
 *   parts of all their logged changes;
 * - a later change that writes a private field of an erased-related entity
 *   is stripped and erased the same way, so arrival order does not matter;
 *
 * Only the erase change drops private parts from logs. A consent
 * withdrawal is ordinary clears (README "Consent"): dropping the private
 * parts of her earlier changes too would lose what they hold beside her
 * special fields wherever the withdrawal itself is lost with its home's
 * disk before it reached a peer, while their dropped forms had.
 */
#include <stdlib.h>

#include "change/log.h"
#include "node/node_internal.h"
#include "state/erase.h"
#include "state/participant.h"
#include "state/state.h"

static const mn_field_op *
op_of(const mn_field_op *ops, size_t n, uint32_t no) {
    for (size_t i = 0; i < n; i++)
        if (ops[i].no == no)
            return &ops[i];
    return NULL;
}

static bool
writes_private(uint32_t type, const mn_field_op *ops, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (mn_erase_private_field(type, ops[i].no))
            return true;
    return false;
}

/* Strip and erase her and every entity that names her. */
static int
erase_family(mn_node *node, mn_txn *t, const uint8_t pid[MN_ID_BYTES]) {
    mn_entity_ref *fam;
    size_t n;
    int rc = mn_erase_family(t, pid, &fam, &n);
    for (size_t i = 0; rc == MN_OK && i < n; i++) {
        rc = mn_erase_strip(t, node->ws.digest, fam[i].type, fam[i].id,
                            &node->entity_buf);
        if (rc == MN_OK)
            rc = mn_log_erase_private(t, fam[i].id, &node->erase_buf, NULL);
    }
    free(fam);
    return rc;
}

int
mn_node_erase_after(mn_node *node, mn_txn *t, uint32_t type,
                    const uint8_t id[MN_ID_BYTES], const mn_field_op *ops,
                    size_t nops, uint32_t origin, uint64_t seq,
                    bool has_private) {
    int rc = MN_OK;
    if (has_private)
        rc = mn_log_private_note(t, id, origin, seq);
    if (rc != MN_OK || type != MN_ENTITY_PARTICIPANT || !nops)
        goto related;
    const mn_field_op *erased = op_of(ops, nops, MN_P_ERASED_AT);
    if (erased && erased->v.kind != MN_V_NONE)
        return erase_family(node, t, id);
related:
    /* A participant takes ops only from her home, which writes nothing
     * after her erasure (mn_node_erase_admit): only the records that name
     * her, written by other divisions too, can be written after it. */
    if (rc != MN_OK || type == MN_ENTITY_PARTICIPANT ||
        !writes_private(type, ops, nops))
        return rc;
    bool related = false;
    rc = mn_erase_related(t, type, id, &related);
    if (rc == MN_OK && related)
        rc = mn_erase_strip(t, node->ws.digest, type, id, &node->entity_buf);
    if (rc == MN_OK && related)
        rc = mn_log_erase_private(t, id, &node->erase_buf, NULL);
    return rc;
}

int
mn_node_erase_admit(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                    const mn_ops *ops) {
    bool related = false;
    int rc = MN_OK;
    if (type == MN_ENTITY_PARTICIPANT || writes_private(type, ops->op, ops->n))
        rc = mn_erase_related(t, type, id, &related);
    return rc == MN_OK && related ? MN_EERASED : rc;
}
