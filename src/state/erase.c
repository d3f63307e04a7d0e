/*
 * erase — see erase.h.
 */
#include "state/erase.h"

#include <stdlib.h>
#include <string.h>

#include "base/id.h"
#include "door/codec.h"
#include "state/conflicts.h"
#include "state/kind.h"
#include "state/participant.h"
#include "state/state.h"

/* What erasure leaves of a participant. */
static const uint32_t stub[] = {MN_P_HOME,     MN_P_ROLE,
                                MN_P_STATUS,   MN_P_JOINED_YEAR,
                                MN_P_CAPACITY, MN_P_ERASED_AT};

bool
mn_erase_private_field(uint32_t type, uint32_t no) {
    const mn_kind *k = mn_kind_find(type);
    const mn_field_def *f = k ? mn_kind_field(k, no) : NULL;
    if (!f)
        return false;
    if (type != MN_ENTITY_PARTICIPANT)
        return f->vis != MN_VIS_PROFILE;
    for (size_t i = 0; i < MN_ARRAY_LEN(stub); i++)
        if (stub[i] == no)
            return false;
    return true;
}

void
mn_erase_split(uint32_t type, const mn_ops *ops, mn_ops *pub, mn_ops *priv) {
    pub->n = priv->n = 0;
    for (size_t i = 0; i < ops->n; i++) {
        mn_ops *to = mn_erase_private_field(type, ops->op[i].no) ? priv : pub;
        to->op[to->n++] = ops->op[i];
    }
}

static bool
is_erased(const mn_entity *e) {
    const mn_field *f = mn_entity_get(e, MN_P_ERASED_AT);
    return e->type == MN_ENTITY_PARTICIPANT && f && f->v.kind != MN_V_NONE;
}

/* Does a REF field of e name an erased participant (depth 0), or an
 * entity that does (depth 1)? */
static int
names_erased(mn_txn *t, const mn_entity *e, int depth, bool *yes) {
    const mn_kind *k = mn_kind_find(e->type);
    int rc = MN_OK;
    for (size_t i = 0; k && rc == MN_OK && !*yes && i < k->nfields; i++) {
        const mn_field_def *f = &k->fields[i];
        const char *hex = f->type == MN_FT_REF ? mn_entity_str(e, f->no) : NULL;
        uint8_t ref[MN_ID_BYTES];
        if (!hex || mn_id_parse(hex, ref) != MN_OK)
            continue;
        for (size_t j = 0; rc == MN_OK && !*yes && j < mn_kind_count(); j++) {
            mn_entity r;
            rc = mn_state_get(t, mn_kind_at(j)->type, ref, &r);
            if (rc == MN_ENOTFOUND) {
                rc = MN_OK;
                continue;
            }
            if (rc != MN_OK)
                break;
            *yes = is_erased(&r);
            if (!*yes && depth == 0)
                rc = names_erased(t, &r, 1, yes);
            mn_entity_release(&r);
        }
    }
    return rc;
}

int
mn_erase_related(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                 bool *yes) {
    mn_entity e;
    *yes = false;
    int rc = mn_state_get(t, type, id, &e);
    if (rc == MN_ENOTFOUND)
        return MN_OK;
    if (rc != MN_OK)
        return rc;
    *yes = is_erased(&e);
    if (!*yes)
        rc = names_erased(t, &e, 0, yes);
    mn_entity_release(&e);
    return rc;
}

struct family {
    mn_entity_ref *v;
    size_t n, cap;
};

static void
family_push(struct family *f, uint32_t type, const uint8_t id[MN_ID_BYTES]) {
    if (f->n == f->cap) {
        f->cap = f->cap ? 2 * f->cap : 16;
        f->v = mn_realloc(f->v, f->cap * sizeof *f->v);
    }
    f->v[f->n].type = type;
    memcpy(f->v[f->n].id, id, MN_ID_BYTES);
    f->n++;
}

static void
family_add(void *user, const mn_entity *e) {
    family_push(user, e->type, e->id);
}

/* Add every entity that names id in an indexed REF field. */
static int
named_by(mn_txn *t, const uint8_t id[MN_ID_BYTES], struct family *f) {
    int rc = MN_OK;
    for (size_t j = 0; rc == MN_OK && j < mn_kind_count(); j++) {
        const mn_kind *k = mn_kind_at(j);
        for (size_t ix = 0; rc == MN_OK && ix < k->nindexes; ix++) {
            const mn_field_def *d = mn_kind_field(k, k->indexes[ix].field);
            if (!d || d->type != MN_FT_REF)
                continue;
            mn_list_query q;
            uint8_t next[MN_ID_BYTES];
            bool more = true;
            mn_list_query_init(&q, k);
            q.has_ref[ix] = true;
            memcpy(q.ref[ix], id, MN_ID_BYTES);
            q.limit = SIZE_MAX;
            while (rc == MN_OK && more) {
                rc = mn_state_list(t, &q, family_add, f, &more, next);
                q.has_cursor = true;
                memcpy(q.cursor, next, MN_ID_BYTES);
            }
        }
    }
    return rc;
}

int
mn_erase_family(mn_txn *t, const uint8_t pid[MN_ID_BYTES], mn_entity_ref **out,
                size_t *n) {
    struct family f = {NULL, 0, 0};
    family_push(&f, MN_ENTITY_PARTICIPANT, pid);
    int rc = named_by(t, pid, &f);
    for (size_t i = 1, direct = f.n; rc == MN_OK && i < direct; i++)
        rc = named_by(t, f.v[i].id, &f);
    if (rc != MN_OK) {
        free(f.v);
        f.v = NULL, f.n = 0;
    }
    *out = f.v;
    *n = f.n;
    return rc;
}

int
mn_erase_strip(mn_txn *t, uint8_t digest[MN_HASH_BYTES], uint32_t type,
               const uint8_t id[MN_ID_BYTES], mn_buf *scratch) {
    uint8_t key[1 + MN_ID_BYTES];
    mn_val old;
    mn_entity before, after;
    key[0] = (uint8_t)type;
    memcpy(key + 1, id, MN_ID_BYTES);
    int rc = mn_txn_get(t, MN_DB_ENTITIES, key, sizeof key, &old);
    if (rc == MN_ENOTFOUND)
        return MN_OK;
    if (rc != MN_OK || (rc = mn_codec_entity_decode(old.p, old.n, &before)))
        return rc;
    mn_entity_init(&after, type, id);
    for (size_t i = 0; rc == MN_OK && i < before.n; i++) {
        const mn_field *f = &before.f[i];
        if (mn_erase_private_field(type, f->no))
            rc = mn_conflicts_drop(t, digest, type, id, f->no);
        else
            after.f[after.n++] = *f; /* borrowed: after is not released */
    }
    if (rc == MN_OK && after.n != before.n)
        rc = mn_state_replace(t, digest, &old, &before, &after, scratch);
    mn_entity_release(&before);
    return rc;
}
