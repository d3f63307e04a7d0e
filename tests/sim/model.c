/*
 * model — what the nodes must hold after healing, from the writes alone.
 *
 * Every write a node acknowledged is recorded with its stamp as the node
 * assigned it (HLC, origin, seq: read back from the node's log), one entry
 * per op, patches and clears included. A write is definite (it must
 * survive) or maybe (the rogue's, which honest nodes may refuse; or one
 * whose only copy was on a store that was lost or replaced by an older
 * one).
 *
 * The check, per entity and field, on every node: the field holds exactly
 * one recorded write (same stamp and value: never a value nobody wrote),
 * that write's stamp is not below any definite write's by (HLC, origin)
 * (last writer wins, and no acknowledged write is lost), and a field with
 * a definite write is present. So a build that drops a kind of patch, or
 * lets the first writer win, fails here even when every node agrees.
 *
 * Erasure: a participant with a definite erase write (erased_at) must hold
 * no private field on any node, nor may an entity that names her; and no
 * node's log may still hold the private part of a change to any of them
 * (model_check_erased). With only a maybe erase, either is right.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"
#include "change/envelope.h"
#include "change/log.h"
#include "state/erase.h"
#include "state/participant.h"
#include "state/state.h"

/* key: the entity's type byte, then its id (the entities database's key
 * order, which model_check walks in step with). */
struct mwrite {
    uint8_t key[1 + MN_ID_BYTES];
    uint32_t no;
    mn_stamp st;
    mn_value v; /* owned */
    bool maybe;
};

#define KEY_BYTES (1 + MN_ID_BYTES)

struct ment {
    uint8_t id[MN_ID_BYTES];
    int home;
};

struct model {
    struct mwrite *w;
    size_t n, cap, definite;
    bool sorted;
    struct ment *e;
    size_t ne, cape;
};

struct model *
model_new(void) {
    return mn_calloc(1, sizeof(struct model));
}

void
model_destroy(struct model **mp) {
    struct model *m = *mp;
    if (!m)
        return;
    for (size_t k = 0; k < m->n; k++)
        free(m->w[k].v.s);
    free(m->w);
    free(m->e);
    free(m);
    *mp = NULL;
}

void
model_record(struct model *m, uint32_t type, const uint8_t id[MN_ID_BYTES],
             const mn_ops *ops, const mn_stamp *st, bool maybe) {
    for (size_t k = 0; k < ops->n; k++) {
        if (m->n == m->cap) {
            m->cap = m->cap ? 2 * m->cap : 1024;
            m->w = mn_realloc(m->w, m->cap * sizeof *m->w);
        }
        struct mwrite *w = &m->w[m->n++];
        w->key[0] = (uint8_t)type;
        memcpy(w->key + 1, id, MN_ID_BYTES);
        w->no = ops->op[k].no;
        w->st = *st;
        w->v = ops->op[k].v;
        w->v.s = w->v.s ? mn_strndup(w->v.s, w->v.len) : NULL;
        w->maybe = maybe;
    }
    m->definite += !maybe;
    m->sorted = false;
}

size_t
model_count(const struct model *m) {
    return m ? m->definite : 0;
}

void
model_add_entity(struct model *m, const uint8_t id[MN_ID_BYTES], int home) {
    if (m->ne == m->cape) {
        m->cape = m->cape ? 2 * m->cape : 256;
        m->e = mn_realloc(m->e, m->cape * sizeof *m->e);
    }
    memcpy(m->e[m->ne].id, id, MN_ID_BYTES);
    m->e[m->ne++].home = home;
}

void
model_set_home(struct model *m, const uint8_t id[MN_ID_BYTES], int home) {
    for (size_t k = 0; k < m->ne; k++)
        if (memcmp(m->e[k].id, id, MN_ID_BYTES) == 0)
            m->e[k].home = home;
}

/* Mostly one of the last HOT entities, so that writes meet. */
bool
model_pick(struct model *m, uint8_t id[MN_ID_BYTES], int *home) {
    if (m->ne == 0)
        return false;
    size_t k =
        chance(75) && m->ne > HOT ? m->ne - 1 - below(HOT) : below(m->ne);
    memcpy(id, m->e[k].id, MN_ID_BYTES);
    *home = m->e[k].home;
    return true;
}

/* Does any store hold origin o's change seq? */
static bool
held(const struct sim *s, uint32_t o, uint64_t seq) {
    for (int j = 0; j < NODES; j++)
        if (vv_get(&s->durable[j], o) >= seq)
            return true;
    return false;
}

void
model_store_lost(struct sim *s, int lost) {
    struct model *m = s->model;
    size_t demoted = 0;
    s->store_lost = true;
    for (size_t k = 0; k < m->n; k++) {
        struct mwrite *w = &m->w[k];
        if (!w->maybe && !held(s, w->st.origin, w->st.seq)) {
            w->maybe = true;
            demoted++;
        }
    }
    trace(s, "node%d store lost: %zu ops no store holds", lost + 1, demoted);
}

/* ---- the check -------------------------------------------------------- */

static int
cmp_write(const void *pa, const void *pb) {
    const struct mwrite *a = pa, *b = pb;
    int c = memcmp(a->key, b->key, sizeof a->key);
    if (c)
        return c;
    if (a->no != b->no)
        return a->no < b->no ? -1 : 1;
    c = mn_stamp_cmp(&a->st, &b->st);
    if (c)
        return c;
    return a->st.seq < b->st.seq ? -1 : a->st.seq > b->st.seq;
}

static bool
same_value(const mn_value *a, const mn_value *b) {
    if (a->kind != b->kind)
        return false;
    if (a->kind == MN_V_INT)
        return a->i == b->i;
    if (a->kind == MN_V_STR)
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    return true;
}

static bool
same_write(const struct mwrite *w, const mn_field *f) {
    return w->st.hlc == f->stamp.hlc && w->st.origin == f->stamp.origin &&
           w->st.seq == f->stamp.seq && same_value(&w->v, &f->v);
}

static void
id_hex(const uint8_t id[MN_ID_BYTES], char out[9]) {
    for (int k = 0; k < 4; k++)
        snprintf(out + 2 * k, 3, "%02x", id[k]);
}

/* The writes w[0..n) to one field (sorted by stamp) against f (NULL: the
 * node lacks the field). */
static bool
check_field(struct sim *s, int i, const struct mwrite *w, size_t n,
            const mn_field *f) {
    const struct mwrite *winner = NULL, *held_w = NULL;
    char id[9];
    id_hex(w[0].key + 1, id);
    for (size_t k = 0; k < n; k++) {
        if (!w[k].maybe)
            winner = &w[k];
        if (f && same_write(&w[k], f))
            held_w = &w[k];
    }
    if (!f)
        return !winner || fail(s,
                               "node%d lost an acknowledged write: entity "
                               "%s field %u (origin %u seq %llu)",
                               i + 1, id, w[0].no, winner->st.origin,
                               (unsigned long long)winner->st.seq);
    if (!held_w)
        return fail(s,
                    "node%d holds a value nobody wrote: entity %s field %u "
                    "(origin %u seq %llu)",
                    i + 1, id, f->no, f->stamp.origin,
                    (unsigned long long)f->stamp.seq);
    if (winner && mn_stamp_cmp(&held_w->st, &winner->st) < 0)
        return fail(s,
                    "node%d: entity %s field %u holds origin %u seq %llu, "
                    "not the last writer, origin %u seq %llu",
                    i + 1, id, f->no, held_w->st.origin,
                    (unsigned long long)held_w->st.seq, winner->st.origin,
                    (unsigned long long)winner->st.seq);
    return true;
}

/* Is participant id erased by the model: 0 no, 1 maybe, 2 for sure. */
static int
erased_in(const struct model *m, const uint8_t id[MN_ID_BYTES]) {
    uint8_t key[KEY_BYTES] = {MN_ENTITY_PARTICIPANT};
    size_t lo = 0, hi = m->n;
    int how = 0;
    memcpy(key + 1, id, MN_ID_BYTES);
    while (lo < hi) { /* the first write of key (m->w is sorted) */
        size_t mid = lo + (hi - lo) / 2;
        if (memcmp(m->w[mid].key, key, KEY_BYTES) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < m->n && memcmp(m->w[lo].key, key, KEY_BYTES) == 0; lo++)
        if (m->w[lo].no == MN_P_ERASED_AT && m->w[lo].v.kind == MN_V_INT)
            how =
                how > (m->w[lo].maybe ? 1 : 2) ? how : (m->w[lo].maybe ? 1 : 2);
    return how;
}

/* How erased the writes w[0..n) of one entity are: its own erase, or that
 * of a participant one of its REF writes names. */
static int
erased_of(const struct model *m, const struct mwrite *w, size_t n) {
    int how = 0;
    for (size_t k = 0; k < n; k++) {
        const mn_kind *kind = mn_kind_find(w[k].key[0]);
        const mn_field_def *d = kind ? mn_kind_field(kind, w[k].no) : NULL;
        uint8_t ref[MN_ID_BYTES];
        int h = 0;
        if (w[k].key[0] == MN_ENTITY_PARTICIPANT && k == 0)
            h = erased_in(m, w[k].key + 1);
        else if (d && d->type == MN_FT_REF && w[k].v.kind == MN_V_STR &&
                 mn_id_parse(w[k].v.s, ref) == MN_OK)
            h = erased_in(m, ref);
        how = h > how ? h : how;
    }
    return how;
}

/* Entity e (NULL: missing on the node) against its writes w[0..n). */
static bool
check_entity(struct sim *s, int i, const struct mwrite *w, size_t n,
             const mn_entity *e) {
    size_t k = 0;
    int erased = erased_of(s->model, w, n);
    while (k < n) {
        size_t end = k;
        while (end < n && w[end].no == w[k].no)
            end++;
        const mn_field *f = e ? mn_entity_get(e, w[k].no) : NULL;
        bool priv = mn_erase_private_field(w[k].key[0], w[k].no);
        if (priv && erased == 2 && f) {
            char id[9];
            id_hex(w[k].key + 1, id);
            return fail(s,
                        "node%d holds field %u of entity %s, which erasure "
                        "removes",
                        i + 1, w[k].no, id);
        }
        if (!(priv && erased) && !check_field(s, i, w + k, end - k, f))
            return false;
        k = end;
    }
    const mn_kind *kind = e ? mn_kind_find(e->type) : NULL;
    for (size_t f = 0; e && f < e->n; f++) {
        const mn_field_def *d = kind ? mn_kind_field(kind, e->f[f].no) : NULL;
        if (d && (d->flags & MN_F_DERIVED))
            continue; /* computed from the fields written */
        size_t j = 0;
        while (j < n && w[j].no != e->f[f].no)
            j++;
        if (j == n) {
            char id[9];
            id_hex(e->id, id);
            return fail(s, "node%d: entity %s field %u was never written",
                        i + 1, id, e->f[f].no);
        }
    }
    return true;
}

/* Writes to keys before `upto` (type byte, id; NULL: all the rest) that
 * the node lacks. */
static bool
check_missing(struct sim *s, int i, size_t *k, const uint8_t *upto) {
    struct model *m = s->model;
    while (*k < m->n && (!upto || memcmp(m->w[*k].key, upto, KEY_BYTES) < 0)) {
        size_t end = *k;
        while (end < m->n &&
               memcmp(m->w[end].key, m->w[*k].key, KEY_BYTES) == 0)
            end++;
        if (!check_entity(s, i, m->w + *k, end - *k, NULL))
            return false;
        *k = end;
    }
    return true;
}

/* One stored entity, and the model's writes up to and including its id. */
static bool
check_stored(struct sim *s, int i, size_t *k, const mn_entity *e) {
    struct model *m = s->model;
    uint8_t key[KEY_BYTES] = {(uint8_t)e->type};
    memcpy(key + 1, e->id, MN_ID_BYTES);
    if (!check_missing(s, i, k, key))
        return false;
    size_t end = *k;
    while (end < m->n && memcmp(m->w[end].key, key, KEY_BYTES) == 0)
        end++;
    if (end == *k) {
        char id[9];
        id_hex(e->id, id);
        return fail(s, "node%d holds entity %s that nobody wrote", i + 1, id);
    }
    bool ok = check_entity(s, i, m->w + *k, end - *k, e);
    *k = end;
    return ok;
}

bool
model_check(struct sim *s, int i) {
    struct model *m = s->model;
    mn_txn *t;
    mn_cursor *cur;
    mn_val key, v;
    size_t k = 0;
    bool ok = true;
    if (!m->sorted && m->n > 1) /* (qsort takes no NULL, even for 0) */
        qsort(m->w, m->n, sizeof *m->w, cmp_write);
    m->sorted = true;
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK ||
        mn_cursor_open(t, MN_DB_ENTITIES, &cur) != MN_OK)
        abort();
    for (int rc = mn_cursor_seek(cur, NULL, 0, &key, &v); ok && rc == MN_OK;
         rc = mn_cursor_next(cur, &key, &v)) {
        mn_entity e;
        if (mn_codec_entity_decode(v.p, v.n, &e) != MN_OK)
            abort();
        ok = check_stored(s, i, &k, &e);
        mn_entity_release(&e);
    }
    mn_cursor_close(&cur);
    mn_txn_abort(&t);
    return ok && check_missing(s, i, &k, NULL);
}

/* The ids of every entity erasure reaches on node i (t): each erased
 * participant's family. OUT: *ids (free), *n. */
static void
erased_family(struct sim *s, mn_txn *t, mn_entity_ref **ids, size_t *n) {
    struct model *m = s->model;
    *ids = NULL;
    *n = 0;
    for (size_t k = 0; k < m->ne; k++) {
        mn_entity_ref *fam;
        size_t nf;
        if (erased_in(m, m->e[k].id) != 2)
            continue;
        if (mn_erase_family(t, m->e[k].id, &fam, &nf) != MN_OK)
            abort();
        *ids = mn_realloc(*ids, (*n + nf) * sizeof **ids);
        memcpy(*ids + *n, fam, nf * sizeof *fam);
        *n += nf;
        free(fam);
    }
}

bool
model_check_erased(struct sim *s, int i) {
    mn_txn *t;
    mn_cursor *cur;
    mn_val key, v;
    mn_entity_ref *ids;
    size_t n;
    bool ok = true;
    mn_buf plain = {0};
    if (mn_store_begin(mn_node_store(s->node[i]), false, &t) != MN_OK)
        abort();
    erased_family(s, t, &ids, &n);
    if (n && mn_cursor_open(t, MN_DB_LOG, &cur) != MN_OK)
        abort();
    /* Every change of the log, not the private index: the index must not
     * be what hides one. */
    for (int rc = n ? mn_cursor_seek(cur, NULL, 0, &key, &v) : MN_ENOTFOUND;
         ok && rc == MN_OK; rc = mn_cursor_next(cur, &key, &v)) {
        mn_change_view cv;
        mn_change_header h;
        mn_ops ops;
        uint32_t type;
        uint8_t id[MN_ID_BYTES];
        if (mn_codec_change_decode(v.p, v.n, &cv) != MN_OK)
            abort();
        if (cv.private_part &&
            mn_codec_header_decode(cv.header, cv.header_len, &h) == MN_OK &&
            mn_envelope_open(mn_node_network_key(s->node[i]), &cv, &h, &plain,
                             &type, id, &ops) == MN_OK) {
            mn_ops_release(&ops);
            for (size_t k = 0; ok && k < n; k++)
                if (memcmp(ids[k].id, id, MN_ID_BYTES) == 0)
                    ok = fail(s,
                              "node%d still holds the private part of change "
                              "%u/%llu of an erased participant's record",
                              i + 1, h.origin, (unsigned long long)h.seq);
        }
        mn_codec_change_release(&cv);
    }
    if (n)
        mn_cursor_close(&cur);
    mn_txn_abort(&t);
    mn_buf_release(&plain);
    free(ids);
    return ok;
}
