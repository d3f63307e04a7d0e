/*
 * seal — see seal.h. The pair keys are derived once at open (keys.c), so
 * sealing and opening read only constant node state and may run on any
 * thread: the writer seals, the API's threads open.
 *
 *   sealed = "~1" base64url-nopad(raw)
 *   raw    = sender u8 | nonce[24] | AEAD(pair key, ad, plaintext)
 *   ad     = type be32 | id[16] | field be32 | recipient be32
 *   plain  = 'i' int64 LE  |  's' bytes
 *
 * Clear plaintexts are wiped before they are freed.
 */
#include "node/seal.h"

#include <stdlib.h>
#include <string.h>

#include "node/node_internal.h"
#include "state/kind.h"
#include "state/state.h"

#define PREFIX "~1"
#define PREFIX_LEN 2
#define HEAD_BYTES (1 + MN_NONCE_BYTES)
#define AD_BYTES (4 + MN_ID_BYTES + 4 + 4)
/* A tag byte and the longest clear value a field takes. */
#define PLAIN_MAX (1 + MN_MAX_CLEAR_BYTES)
#define RAW_MAX (HEAD_BYTES + PLAIN_MAX + MN_TAG_BYTES)

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void
put_be32(uint8_t *p, uint32_t v) {
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static void
make_ad(uint8_t ad[AD_BYTES], uint32_t type, const uint8_t id[MN_ID_BYTES],
        uint32_t no, uint32_t to) {
    put_be32(ad, type);
    memcpy(ad + 4, id, MN_ID_BYTES);
    put_be32(ad + 4 + MN_ID_BYTES, no);
    put_be32(ad + 8 + MN_ID_BYTES, to);
}

/* Unpadded base64url of p[0..n) after PREFIX into a new string. */
static char *
encode(const uint8_t *p, size_t n, size_t *len) {
    size_t out_n = PREFIX_LEN + (n * 4 + 2) / 3;
    char *z = mn_malloc(out_n + 1), *o = z + PREFIX_LEN;
    z[0] = PREFIX[0];
    z[1] = PREFIX[1];
    for (size_t i = 0; i < n; i += 3) {
        uint32_t w = (uint32_t)p[i] << 16;
        size_t left = n - i;
        if (left > 1)
            w |= (uint32_t)p[i + 1] << 8;
        if (left > 2)
            w |= p[i + 2];
        *o++ = b64[(w >> 18) & 63];
        *o++ = b64[(w >> 12) & 63];
        if (left > 1)
            *o++ = b64[(w >> 6) & 63];
        if (left > 2)
            *o++ = b64[w & 63];
    }
    *o = '\0';
    *len = out_n;
    return z;
}

/* The value of base64url character c, or -1 (the inverse of b64). */
static int
sextet(char c) {
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* Decode the base64url of z[0..n) into out (room for cap bytes). MN_EINVAL
 * on a character outside the alphabet or a length no encoding makes. */
static int
decode(const char *z, size_t n, uint8_t *out, size_t cap, size_t *len) {
    size_t o = 0;
    if (n % 4 == 1 || (n / 4) * 3 + (n % 4 ? n % 4 - 1 : 0) > cap)
        return MN_EINVAL;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t w = 0;
        size_t take = n - i < 4 ? n - i : 4;
        for (size_t j = 0; j < 4; j++) {
            int s = j < take ? sextet(z[i + j]) : 0;
            if (s < 0)
                return MN_EINVAL;
            w = (w << 6) | (uint32_t)s;
        }
        for (size_t j = 0; j + 1 < take; j++)
            out[o++] = (uint8_t)(w >> (16 - 8 * j));
    }
    *len = o;
    return MN_OK;
}

/* The plaintext of clear into plain; its length, or 0 when clear is not a
 * value a field holds. */
static size_t
plain_of(const mn_value *clear, uint8_t plain[PLAIN_MAX]) {
    if (clear->kind == MN_V_INT) {
        uint64_t u = (uint64_t)clear->i;
        plain[0] = 'i';
        for (int b = 0; b < 8; b++)
            plain[1 + b] = (uint8_t)(u >> (8 * b));
        return 9;
    }
    if (clear->kind != MN_V_STR || clear->len > MN_MAX_CLEAR_BYTES)
        return 0;
    plain[0] = 's';
    memcpy(plain + 1, clear->s, clear->len);
    return 1 + clear->len;
}

int
mn_node_seal(mn_node *node, uint32_t to, uint32_t type,
             const uint8_t id[MN_ID_BYTES], uint32_t no, const mn_value *clear,
             mn_value *sealed) {
    uint8_t ad[AD_BYTES], plain[PLAIN_MAX], raw[RAW_MAX];
    if (to == 0 || to > MN_MAX_NODES || !node->has_seal[to])
        return MN_ECONFIG; /* not a configured division */
    size_t n = plain_of(clear, plain);
    if (n == 0)
        return MN_EINVAL;
    make_ad(ad, type, id, no, to);
    raw[0] = (uint8_t)node->cfg.self.id;
    mn_crypto_seal(node->seal_to[to], ad, sizeof ad, plain, n, raw + 1,
                   raw + HEAD_BYTES);
    mn_crypto_wipe(plain, n);
    *sealed = (mn_value){.kind = MN_V_STR};
    sealed->s = encode(raw, HEAD_BYTES + n + MN_TAG_BYTES, &sealed->len);
    return MN_OK;
}

/* The clear value of plaintext plain[0..n). */
static int
clear_of(const uint8_t *plain, size_t n, mn_value *clear) {
    *clear = (mn_value){.kind = MN_V_NONE};
    if (n == 9 && plain[0] == 'i') {
        uint64_t u = 0;
        for (int b = 7; b >= 0; b--)
            u = (u << 8) | plain[1 + b];
        *clear = (mn_value){.kind = MN_V_INT, .i = (int64_t)u};
        return MN_OK;
    }
    if (n < 1 || plain[0] != 's')
        return MN_ECORRUPT;
    clear->kind = MN_V_STR;
    clear->len = n - 1;
    clear->s = mn_malloc(n);
    memcpy(clear->s, plain + 1, n - 1);
    clear->s[n - 1] = '\0';
    return MN_OK;
}

int
mn_node_unseal(mn_node *node, uint32_t type, const uint8_t id[MN_ID_BYTES],
               uint32_t no, const mn_value *sealed, mn_value *clear) {
    uint8_t ad[AD_BYTES], plain[PLAIN_MAX], raw[RAW_MAX];
    size_t n;
    uint32_t self = node->cfg.self.id;
    if (!mn_value_sealed(sealed) ||
        decode(sealed->s + PREFIX_LEN, sealed->len - PREFIX_LEN, raw,
               sizeof raw, &n) != MN_OK ||
        n < HEAD_BYTES + 1 + MN_TAG_BYTES)
        return MN_EINVAL;
    uint32_t from = raw[0];
    if (from == 0 || from > MN_MAX_NODES || !node->has_seal[from])
        return MN_EAUTH;
    make_ad(ad, type, id, no, self);
    size_t clen = n - HEAD_BYTES;
    if (mn_crypto_open(node->seal_from[from], ad, sizeof ad, raw + 1,
                       raw + HEAD_BYTES, clen, plain) != MN_OK)
        return MN_EAUTH; /* sealed to another division, or not by from */
    int rc = clear_of(plain, clen - MN_TAG_BYTES, clear);
    mn_crypto_wipe(plain, clen - MN_TAG_BYTES);
    return rc;
}

/* Copy field f of src into dst, opened when it is sealed; a sealed value
 * this node cannot open is left out. */
static void
copy_field(mn_node *node, const mn_kind *k, const mn_entity *src,
           const mn_field *f, mn_entity *dst) {
    const mn_field_def *def = k ? mn_kind_field(k, f->no) : NULL;
    mn_field *out = &dst->f[dst->n];
    out->no = f->no;
    out->stamp = f->stamp;
    if (def && mn_field_sealed(def) && f->v.kind != MN_V_NONE) {
        if (mn_node_unseal(node, src->type, src->id, f->no, &f->v, &out->v) ==
            MN_OK)
            dst->n++;
        return;
    }
    out->v = f->v;
    if (f->v.kind == MN_V_STR) {
        out->v.s = mn_malloc(f->v.len + 1);
        memcpy(out->v.s, f->v.s, f->v.len + 1);
    }
    dst->n++;
}

void
mn_node_unseal_entity(mn_node *node, const mn_entity *src, mn_entity *dst) {
    const mn_kind *k = mn_kind_find(src->type);
    mn_entity_init(dst, src->type, src->id);
    for (size_t i = 0; i < src->n; i++)
        copy_field(node, k, src, &src->f[i], dst);
}

void
mn_value_release(mn_value *v) {
    if (v->kind == MN_V_STR)
        free(v->s);
    v->s = NULL;
    v->kind = MN_V_NONE;
}

/* ---- the writer's side ---------------------------------------------------
 */

/* The division that owns (type, id) once ops apply: the new home when ops
 * move the owner field (a transfer, or a create), else this one, as only
 * the owner writes personal and special fields (owner.h) and the writer
 * has checked it is. */
static uint32_t
recipient(const mn_node *node, const mn_kind *k, const mn_ops *ops,
          bool *moves) {
    *moves = false;
    for (size_t i = 0; k->owner_field && i < ops->n; i++)
        if (ops->op[i].no == k->owner_field && ops->op[i].v.kind == MN_V_INT) {
            *moves = (uint32_t)ops->op[i].v.i != node->cfg.self.id;
            return (uint32_t)ops->op[i].v.i;
        }
    return node->cfg.self.id;
}

static bool
in_ops(const mn_ops *ops, uint32_t no) {
    for (size_t i = 0; i < ops->n; i++)
        if (ops->op[i].no == no)
            return true;
    return false;
}

/* Append op no = clear, sealed to division to, to out (which owns it). */
static int
add_sealed(mn_node *node, const mn_kind *k, const uint8_t id[MN_ID_BYTES],
           uint32_t to, uint32_t no, const mn_value *clear,
           mn_sealed_ops *out) {
    mn_field_op *op = &out->ops.op[out->ops.n];
    int rc = mn_node_seal(node, to, k->type, id, no, clear, &op->v);
    if (rc != MN_OK)
        return rc;
    op->no = no;
    out->owned[out->ops.n++] = true;
    return MN_OK;
}

/* A transfer: add to out every stored sealed value of (k, id) that it
 * does not write yet, opened here and sealed again for to. A value this
 * node cannot open (never sealed to it) is left as it is. */
static int
reseal_stored(mn_node *node, mn_txn *t, const mn_kind *k,
              const uint8_t id[MN_ID_BYTES], uint32_t to, mn_sealed_ops *out) {
    mn_entity e;
    int rc = mn_state_get(t, k->type, id, &e);
    if (rc != MN_OK)
        return rc == MN_ENOTFOUND ? MN_OK : rc;
    for (size_t i = 0; rc == MN_OK && i < e.n; i++) {
        const mn_field_def *f = mn_kind_field(k, e.f[i].no);
        mn_value clear;
        if (!f || !mn_field_sealed(f) || e.f[i].v.kind == MN_V_NONE ||
            in_ops(&out->ops, f->no) ||
            mn_node_unseal(node, k->type, id, f->no, &e.f[i].v, &clear) !=
                MN_OK)
            continue;
        rc = add_sealed(node, k, id, to, f->no, &clear, out);
        if (clear.kind == MN_V_STR)
            mn_crypto_wipe(clear.s, clear.len);
        mn_value_release(&clear);
    }
    mn_entity_release(&e);
    return rc;
}

/* Copy op into out as it is; out borrows its string. */
static void
add_borrowed(const mn_field_op *op, mn_sealed_ops *out) {
    out->ops.op[out->ops.n] = *op;
    out->owned[out->ops.n++] = false;
}

int
mn_node_seal_ops(mn_node *node, mn_txn *t, uint32_t type,
                 const uint8_t id[MN_ID_BYTES], const mn_ops *clear,
                 mn_sealed_ops *out) {
    const mn_kind *k = mn_kind_find(type);
    bool moves = false;
    int rc = MN_OK;
    out->ops.n = 0;
    uint32_t to = k ? recipient(node, k, clear, &moves) : 0;
    if (k && (to == 0 || to > MN_MAX_NODES || !node->has_seal[to]))
        return MN_EINVAL; /* not a configured division */
    for (size_t i = 0; rc == MN_OK && i < clear->n; i++) {
        const mn_field_op *op = &clear->op[i];
        const mn_field_def *f = k ? mn_kind_field(k, op->no) : NULL;
        if (f && mn_field_sealed(f) && op->v.kind != MN_V_NONE)
            rc = add_sealed(node, k, id, to, op->no, &op->v, out);
        else
            add_borrowed(op, out);
    }
    if (rc == MN_OK && moves)
        rc = reseal_stored(node, t, k, id, to, out);
    /* Every node refuses what breaks its kind's table: so does this one. */
    if (rc == MN_OK && k &&
        mn_kind_check_ops(k, out->ops.op, out->ops.n, NULL) != MN_FAULT_NONE)
        rc = MN_EINVAL;
    return rc;
}

void
mn_node_sealed_release(mn_sealed_ops *s) {
    for (size_t i = 0; i < s->ops.n; i++)
        if (s->owned[i])
            mn_value_release(&s->ops.op[i].v);
    s->ops.n = 0;
}
