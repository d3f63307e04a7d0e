/*
 * entity — see entity.h. Fields are kept sorted by number so a merge is a
 * walk of two short sorted lists and the encoding is canonical (the digest
 * hashes it).
 */
#include "state/entity.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "mentornet/mentornet.h"
#include "base/util.h"

int
mn_stamp_cmp(const mn_stamp *a, const mn_stamp *b) {
    if (a->hlc != b->hlc)
        return a->hlc < b->hlc ? -1 : 1;
    if (a->origin != b->origin)
        return a->origin < b->origin ? -1 : 1;
    return 0;
}

void
mn_entity_init(mn_entity *e, uint32_t type, const uint8_t id[MN_ID_BYTES]) {
    e->type = type;
    memcpy(e->id, id, MN_ID_BYTES);
    e->n = 0;
}

static void
value_release(mn_value *v) {
    free(v->s);
    v->s = NULL;
    v->len = 0;
}

static void
value_copy(mn_value *dst, const mn_value *src) {
    *dst = *src;
    dst->s = src->kind == MN_V_STR ? mn_strndup(src->s, src->len) : NULL;
}

void
mn_entity_release(mn_entity *e) {
    for (size_t i = 0; i < e->n; i++)
        value_release(&e->f[i].v);
    e->n = 0;
}

void
mn_entity_copy(mn_entity *dst, const mn_entity *src) {
    mn_entity_init(dst, src->type, src->id);
    for (size_t i = 0; i < src->n; i++) {
        dst->f[i].no = src->f[i].no;
        dst->f[i].stamp = src->f[i].stamp;
        value_copy(&dst->f[i].v, &src->f[i].v);
    }
    dst->n = src->n;
}

const mn_field *
mn_entity_get(const mn_entity *e, uint32_t no) {
    for (size_t i = 0; i < e->n && e->f[i].no <= no; i++)
        if (e->f[i].no == no)
            return &e->f[i];
    return NULL;
}

int64_t
mn_entity_int(const mn_entity *e, uint32_t no, int64_t def) {
    const mn_field *f = mn_entity_get(e, no);
    return f && f->v.kind == MN_V_INT ? f->v.i : def;
}

const char *
mn_entity_str(const mn_entity *e, uint32_t no) {
    const mn_field *f = mn_entity_get(e, no);
    return f && f->v.kind == MN_V_STR ? f->v.s : NULL;
}

mn_stamp
mn_entity_last_stamp(const mn_entity *e) {
    mn_stamp last = {0, 0, 0};
    for (size_t i = 0; i < e->n; i++)
        if (mn_stamp_cmp(&e->f[i].stamp, &last) > 0)
            last = e->f[i].stamp;
    return last;
}

/* Index where field no is or would be inserted. */
static size_t
field_slot(const mn_entity *e, uint32_t no) {
    size_t i = 0;
    while (i < e->n && e->f[i].no < no)
        i++;
    return i;
}

/* Room is never short: the numbers are unique and 1..MN_FIELD_NO_MAX, so a
 * new one finds e->n < MN_ENTITY_MAX_FIELDS. */
static int
merge_one(mn_entity *e, const mn_field_op *op, const mn_stamp *st) {
    assert(op->no >= 1 && op->no <= MN_FIELD_NO_MAX);
    size_t i = field_slot(e, op->no);
    if (i < e->n && e->f[i].no == op->no) {
        if (mn_stamp_cmp(st, &e->f[i].stamp) <= 0)
            return 0;
        value_release(&e->f[i].v);
    } else {
        assert(e->n < MN_ENTITY_MAX_FIELDS);
        memmove(&e->f[i + 1], &e->f[i], (e->n - i) * sizeof e->f[0]);
        e->n++;
        e->f[i].no = op->no;
    }
    e->f[i].stamp = *st;
    value_copy(&e->f[i].v, &op->v);
    return 1;
}

int
mn_entity_set_derived(mn_entity *e, const mn_field_op *op) {
    mn_stamp last = mn_entity_last_stamp(e);
    size_t i = field_slot(e, op->no);
    if (i < e->n && e->f[i].no == op->no) {
        value_release(&e->f[i].v);
        e->f[i].stamp = last;
        value_copy(&e->f[i].v, &op->v);
        return 1;
    }
    return merge_one(e, op, &last);
}

int
mn_entity_merge(mn_entity *e, const mn_field_op *ops, size_t nops,
                const mn_stamp *st) {
    int changed = 0;
    for (size_t i = 0; i < nops; i++)
        changed += merge_one(e, &ops[i], st);
    return changed;
}

void
mn_ops_init(mn_ops *o) {
    o->n = 0;
}

void
mn_ops_release(mn_ops *o) {
    for (size_t i = 0; i < o->n; i++)
        value_release(&o->op[i].v);
    o->n = 0;
}

static mn_field_op *
ops_push(mn_ops *o, uint32_t no) {
    assert(o->n < MN_ENTITY_MAX_FIELDS);
    mn_field_op *op = &o->op[o->n++];
    memset(op, 0, sizeof *op);
    op->no = no;
    return op;
}

void
mn_ops_add_int(mn_ops *o, uint32_t no, int64_t v) {
    mn_field_op *op = ops_push(o, no);
    op->v.kind = MN_V_INT;
    op->v.i = v;
}

void
mn_ops_add_str(mn_ops *o, uint32_t no, const char *s, size_t len) {
    mn_field_op *op = ops_push(o, no);
    op->v.kind = MN_V_STR;
    op->v.s = mn_strndup(s, len);
    op->v.len = len;
}

void
mn_ops_add_clear(mn_ops *o, uint32_t no) {
    ops_push(o, no)->v.kind = MN_V_NONE;
}
