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
 * - a consent withdrawal (consent.given_at cleared) erases the private
 *   parts of her changes it saw (its deps: never a concurrent one, which
 *   a node that has not seen the withdrawal yet still applies in full);
 *   the withdrawal itself carries what is kept (mn_node_erase_snapshot,
 *   on her home).
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
            rc = mn_log_erase_private(t, fam[i].id, NULL, &node->erase_buf,
                                      NULL);
    }
    free(fam);
    return rc;
}

int
mn_node_erase_after(mn_node *node, mn_txn *t, uint32_t type,
                    const uint8_t id[MN_ID_BYTES], const mn_field_op *ops,
                    size_t nops, uint32_t origin, uint64_t seq,
                    const mn_vv *deps, bool has_private) {
    int rc = MN_OK;
    if (has_private)
        rc = mn_log_private_note(t, id, origin, seq);
    if (rc != MN_OK || type != MN_ENTITY_PARTICIPANT || !nops)
        goto related;
    const mn_field_op *erased = op_of(ops, nops, MN_P_ERASED_AT);
    if (erased && erased->v.kind != MN_V_NONE)
        return erase_family(node, t, id);
    const mn_field_op *consent = op_of(ops, nops, MN_P_CONSENT_AT);
    if (consent && consent->v.kind == MN_V_NONE)
        rc = mn_log_erase_private(t, id, deps, &node->erase_buf, NULL);
related:
    if (rc != MN_OK || !writes_private(type, ops, nops))
        return rc;
    bool related = false;
    rc = mn_erase_related(t, type, id, &related);
    if (rc == MN_OK && related)
        rc = mn_erase_strip(t, node->ws.digest, type, id, &node->entity_buf);
    if (rc == MN_OK && related)
        rc = mn_log_erase_private(t, id, NULL, &node->erase_buf, NULL);
    return rc;
}

int
mn_node_erase_admit(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                    const mn_ops *ops) {
    bool related = false;
    int rc = MN_OK;
    if (type == MN_ENTITY_PARTICIPANT || writes_private(type, ops->op, ops->n))
        rc = mn_erase_related(t, type, id, &related);
    return rc == MN_OK && related ? MN_ECONFLICT : rc;
}

int
mn_node_erase_snapshot(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                       mn_ops *ops) {
    const mn_field_op *consent = op_of(ops->op, ops->n, MN_P_CONSENT_AT);
    if (type != MN_ENTITY_PARTICIPANT || !consent ||
        consent->v.kind != MN_V_NONE)
        return MN_OK;
    mn_entity e;
    int rc = mn_state_get(t, type, id, &e);
    if (rc != MN_OK)
        return rc == MN_ENOTFOUND ? MN_OK : rc;
    for (size_t i = 0; i < e.n; i++) {
        const mn_field *f = &e.f[i];
        if (!mn_erase_private_field(type, f->no) ||
            op_of(ops->op, ops->n, f->no))
            continue;
        if (f->v.kind == MN_V_INT)
            mn_ops_add_int(ops, f->no, f->v.i);
        else if (f->v.kind == MN_V_STR)
            mn_ops_add_str(ops, f->no, f->v.s, f->v.len);
        else
            mn_ops_add_clear(ops, f->no);
    }
    mn_entity_release(&e);
    return MN_OK;
}
