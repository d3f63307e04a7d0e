/*
 * owner — see owner.h: the ownership rule in causal order, and the
 * transfer records it reads.
 */
#include "state/owner.h"

#include <string.h>

#include "state/participant.h"
#include "state/state.h"
#include "state/vv.h"

#define TRANSFER_TAG 'T'

static void
record_key(const uint8_t id[MN_ID_BYTES], uint64_t hlc, uint32_t origin,
           uint8_t key[MN_OWNER_KEY_BYTES]) {
    key[0] = TRANSFER_TAG;
    memcpy(key + 1, id, MN_ID_BYTES);
    mn_put_be64(key + 1 + MN_ID_BYTES, hlc);
    mn_put_be32(key + 1 + MN_ID_BYTES + 8, origin);
}

bool
mn_owner_record_shape_ok(const void *key, size_t kn, size_t vn) {
    return kn == MN_OWNER_KEY_BYTES &&
           ((const uint8_t *)key)[0] == TRANSFER_TAG &&
           vn == MN_OWNER_VAL_BYTES;
}

/* Is (origin, seq) in the causal past deps (NULL: everything)? */
static bool
covered(const mn_vv *deps, uint32_t origin, uint64_t seq) {
    return !deps || mn_vv_get(deps, origin) >= seq;
}

int
mn_owner_at(mn_txn *t, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
            const mn_vv *deps, uint32_t *owner) {
    uint8_t start[MN_OWNER_KEY_BYTES];
    mn_cursor *cur;
    mn_val key, val;
    *owner = mn_kind_owner(k, id);
    if (!k->owner_field)
        return MN_OK;
    record_key(id, 0, 0, start);
    int rc = mn_cursor_open(t, MN_DB_INDEX, &cur);
    if (rc != MN_OK)
        return rc;
    /* Records sort by HLC, then origin: the last one covered wins. A
     * handful per participant, so a forward walk is enough. */
    for (rc = mn_cursor_seek(cur, start, sizeof start, &key, &val); rc == MN_OK;
         rc = mn_cursor_next(cur, &key, &val)) {
        const uint8_t *kp = key.p, *vp = val.p;
        if (!mn_owner_record_shape_ok(key.p, key.n, val.n) ||
            memcmp(kp + 1, id, MN_ID_BYTES) != 0)
            break;
        uint32_t origin = mn_get_be32(kp + 1 + MN_ID_BYTES + 8);
        if (covered(deps, origin, mn_get_be64(vp)))
            *owner = mn_get_be32(vp + 8);
    }
    mn_cursor_close(&cur);
    return rc == MN_OK || rc == MN_ENOTFOUND ? MN_OK : rc;
}

/* The participant that REF field no names: in the change's own ops (a
 * create), else in the stored entity. OUT: pid. false when neither
 * names one. */
static bool
referenced(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
           const mn_field_op *ops, size_t nops, uint32_t no,
           uint8_t pid[MN_ID_BYTES]) {
    for (size_t i = 0; i < nops; i++)
        if (ops[i].no == no)
            return ops[i].v.kind == MN_V_STR &&
                   mn_id_parse(ops[i].v.s, pid) == MN_OK;
    mn_entity e;
    if (mn_state_get(t, type, id, &e) != MN_OK)
        return false;
    const char *z = mn_entity_str(&e, no);
    bool ok = z && mn_id_parse(z, pid) == MN_OK;
    mn_entity_release(&e);
    return ok;
}

/* The REF field naming whose home writes REF_OWNER field no (0: none). */
static uint32_t
ref_of(const mn_kind *k, uint32_t no) {
    for (size_t i = 0; i < k->nref_owners; i++)
        if (k->ref_owners[i].field == no)
            return k->ref_owners[i].ref;
    return 0;
}

/* May division div write REF_OWNER field f of (type, id): is it the home
 * of the participant that f's REF field names, as of deps? OUT: *ok. */
static int
side_allowed(mn_txn *t, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
             const mn_field_def *f, const mn_field_op *ops, size_t nops,
             uint32_t div, const mn_vv *deps, bool *ok) {
    uint8_t pid[MN_ID_BYTES];
    uint32_t owner = 0;
    *ok = false; /* a side of nobody */
    if (!referenced(t, k->type, id, ops, nops, ref_of(k, f->no), pid))
        return MN_OK;
    int rc = mn_owner_at(t, &mn_kind_participant, pid, deps, &owner);
    *ok = owner == div;
    return rc;
}

/* Does any op write a field of the entity's own owner? (Most changes to a
 * participant do not: no transfer records are read for them.) */
static bool
needs_owner(const mn_kind *k, const mn_field_op *ops, size_t nops) {
    for (size_t i = 0; k->owner_field && i < nops; i++) {
        const mn_field_def *f = mn_kind_field(k, ops[i].no);
        if (f && f->write != MN_WRITE_ANY && f->write != MN_WRITE_REF_OWNER)
            return true;
    }
    return false;
}

int
mn_owner_check(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
               const mn_field_op *ops, size_t nops, uint32_t origin,
               const mn_vv *deps) {
    /* The key holds the type in one byte: a larger type would alias
     * another's entities (257 writes participants) past this rule. */
    const mn_kind *k = type <= UINT8_MAX ? mn_kind_find(type) : NULL;
    uint32_t owner = 0;
    if (!k)
        return MN_EAUTH;
    /* Its create is in the causal past of any later change of its owner
     * (the same origin), so every node finds it there alike. */
    int rc = k->create_only ? mn_state_exists(t, type, id) : MN_ENOTFOUND;
    if (rc != MN_ENOTFOUND)
        return rc == MN_OK ? MN_EAUTH : rc;
    if (needs_owner(k, ops, nops) &&
        (rc = mn_owner_at(t, k, id, deps, &owner)) != MN_OK)
        return rc;
    if (!mn_kind_owner_allows(k, owner, ops, nops, origin))
        return MN_EAUTH;
    for (size_t i = 0; i < nops; i++) {
        const mn_field_def *f = mn_kind_field(k, ops[i].no);
        bool ok = true;
        if (!f || f->write != MN_WRITE_REF_OWNER)
            continue;
        rc = side_allowed(t, k, id, f, ops, nops, mn_origin_division(origin),
                          deps, &ok);
        if (rc != MN_OK)
            return rc;
        if (!ok)
            return MN_EAUTH;
    }
    return MN_OK;
}

int
mn_owner_note(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
              const mn_field_op *ops, size_t nops, const mn_stamp *st) {
    const mn_kind *k = mn_kind_find(type);
    uint8_t key[MN_OWNER_KEY_BYTES], val[MN_OWNER_VAL_BYTES];
    for (size_t i = 0; k && k->owner_field && i < nops; i++) {
        if (ops[i].no != k->owner_field || ops[i].v.kind != MN_V_INT)
            continue;
        record_key(id, st->hlc, st->origin, key);
        mn_put_be64(val, st->seq);
        mn_put_be32(val + 8, (uint32_t)ops[i].v.i);
        return mn_txn_put(t, MN_DB_INDEX, key, sizeof key, val, sizeof val, 0);
    }
    return MN_OK;
}
