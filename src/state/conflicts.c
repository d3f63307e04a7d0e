/*
 * conflicts — see conflicts.h.
 */
#include "state/conflicts.h"

#include <stdbool.h>
#include <string.h>

#include "door/codec.h"

/* The version vector the change stamped st was made with (from the log). */
static int
logged_deps(mn_txn *t, const mn_stamp *st, mn_vv *deps) {
    uint8_t key[12];
    mn_val v;
    mn_change_view view;
    mn_change_header h;
    mn_put_be32(key, st->origin);
    mn_put_be64(key + 4, st->seq);
    int rc = mn_txn_get(t, MN_DB_LOG, key, sizeof key, &v);
    if (rc == MN_OK)
        rc = mn_codec_change_decode(v.p, v.n, &view);
    if (rc != MN_OK)
        return rc;
    rc = mn_codec_header_decode(view.header, view.header_len, &h);
    mn_codec_change_release(&view);
    if (rc == MN_OK)
        *deps = h.deps;
    return rc;
}

/* Did the change with deps see the change stamped seen? */
static bool
saw(const mn_vv *deps, const mn_stamp *seen) {
    return deps->seq[seen->origin] >= seen->seq;
}

static int
put_conflict(mn_txn *t, const uint8_t id[MN_ID_BYTES], uint32_t field,
             const mn_stamp *loser, const mn_value *value,
             const mn_stamp *winner) {
    uint8_t key[32], head[13];
    mn_buf val;
    memcpy(key, id, MN_ID_BYTES);
    mn_put_be32(key + 16, field);
    mn_put_be64(key + 20, loser->hlc);
    mn_put_be32(key + 28, loser->origin);
    mn_put_be64(head, winner->hlc);
    mn_put_be32(head + 8, winner->origin);
    head[12] = (uint8_t)value->kind;
    mn_buf_init(&val);
    mn_buf_append(&val, head, sizeof head);
    if (value->kind == MN_V_INT) {
        uint8_t i[8];
        mn_put_be64(i, (uint64_t)value->i);
        mn_buf_append(&val, i, 8);
    } else if (value->kind == MN_V_STR) {
        mn_buf_append(&val, value->s, value->len);
    }
    int rc = mn_txn_put(t, MN_DB_CONFLICTS, key, sizeof key, val.p, val.len, 0);
    mn_buf_release(&val);
    return rc;
}

/* Record every concurrent value the ops of a replicated change beat or
 * lose to. Same-origin writes are never concurrent (an origin sees its own
 * past). */
int
mn_conflicts_record(mn_txn *t, const mn_entity *before,
                    const mn_field_op *ops, size_t nops, const mn_stamp *st,
                    const mn_vv *deps) {
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < nops; i++) {
        const mn_field *f = mn_entity_get(before, ops[i].no);
        if (!f || f->stamp.origin == st->origin)
            continue;
        int cmp = mn_stamp_cmp(st, &f->stamp);
        mn_vv stored;
        if (cmp > 0 && !saw(deps, &f->stamp))
            rc = put_conflict(t, before->id, f->no, &f->stamp, &f->v, st);
        else if (cmp < 0 && logged_deps(t, &f->stamp, &stored) == MN_OK &&
                 !saw(&stored, st))
            rc = put_conflict(t, before->id, f->no, st, &ops[i].v, &f->stamp);
    }
    return rc;
}

static int
conflict_from(const mn_val *k, const mn_val *v, mn_conflict *c) {
    const uint8_t *kp = k->p, *vp = v->p;
    if (k->n != 32 || v->n < 13)
        return MN_ECORRUPT;
    memcpy(c->id, kp, MN_ID_BYTES);
    c->field = mn_get_be32(kp + 16);
    c->loser = (mn_stamp){mn_get_be64(kp + 20), mn_get_be32(kp + 28), 0};
    c->winner = (mn_stamp){mn_get_be64(vp), mn_get_be32(vp + 8), 0};
    memset(&c->value, 0, sizeof c->value);
    c->value.kind = (enum mn_vkind)vp[12];
    if (c->value.kind == MN_V_INT && v->n == 21)
        c->value.i = (int64_t)mn_get_be64(vp + 13);
    else if (c->value.kind == MN_V_STR) {
        c->value.s = (char *)vp + 13;
        c->value.len = v->n - 13;
    } else if (c->value.kind != MN_V_NONE)
        return MN_ECORRUPT;
    return MN_OK;
}

int
mn_state_conflicts(mn_txn *t, size_t limit,
                   void (*fn)(void *user, const mn_conflict *c), void *user) {
    mn_cursor *cur;
    mn_val k, v;
    size_t n = 0;
    int rc = mn_cursor_open(t, MN_DB_CONFLICTS, &cur);
    if (rc != MN_OK)
        return rc;
    for (rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK && n < limit;
         rc = mn_cursor_next(cur, &k, &v), n++) {
        mn_conflict c;
        if ((rc = conflict_from(&k, &v, &c)) != MN_OK)
            break;
        fn(user, &c);
    }
    mn_cursor_close(&cur);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

