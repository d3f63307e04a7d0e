/*
 * fuzz_codec — the same bytes through every decoder of codec.h: change
 * header, change body, Change envelope, chain signature, entity state and
 * peer message. Each accepted value is released the way its owner would.
 * Entity states are also rendered as the API would show them (a peer's
 * replicated values end up there).
 *
 * Oracle besides the sanitizers: decode(encode(decode(x))) == decode(x) for
 * every decoder — whatever a decoder accepts, the matching encoder writes
 * back without loss, so a node relays and stores exactly what it verified.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "door/codec.h"
#include "fuzz.h"
#include "api/kind_json.h"
#include "state/participant.h"

static mn_config cfg;

int
LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    for (uint32_t id = 1; id <= 3; id++) {
        cfg.divisions[id - 1].id = id;
        snprintf(cfg.divisions[id - 1].name, MN_NAME_MAX, "node%u", id);
    }
    cfg.ndivisions = 3;
    cfg.self = cfg.divisions[0];
    return 0;
}

static bool
value_equal(const mn_value *a, const mn_value *b) {
    if (a->kind != b->kind)
        return false;
    if (a->kind == MN_V_INT)
        return a->i == b->i;
    if (a->kind == MN_V_STR)
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    return true;
}

static void
fuzz_header(const uint8_t *p, size_t n) {
    mn_change_header h, again;
    mn_buf b;
    if (mn_codec_header_decode(p, n, &h) != MN_OK)
        return;
    mn_buf_init(&b);
    mn_codec_header_encode(&h, &b);
    FUZZ_CHECK(mn_codec_header_decode(b.p, b.len, &again) == MN_OK,
               "an encoded header does not decode");
    FUZZ_CHECK(h.origin == again.origin && h.seq == again.seq &&
                   h.hlc == again.hlc && h.key_id == again.key_id &&
                   memcmp(h.prev_hash, again.prev_hash, MN_HASH_BYTES) == 0 &&
                   mn_vv_equal(&h.deps, &again.deps),
               "a header changes through encode/decode");
    mn_buf_release(&b);
}

static void
fuzz_body(const uint8_t *p, size_t n) {
    uint32_t type, type2;
    uint8_t id[MN_ID_BYTES], id2[MN_ID_BYTES];
    mn_ops ops, again;
    mn_buf b;
    if (mn_codec_body_decode(p, n, &type, id, &ops) != MN_OK)
        return;
    mn_buf_init(&b);
    mn_codec_body_encode(type, id, ops.op, ops.n, &b);
    FUZZ_CHECK(mn_codec_body_decode(b.p, b.len, &type2, id2, &again) == MN_OK,
               "an encoded body does not decode");
    FUZZ_CHECK(type == type2 && memcmp(id, id2, MN_ID_BYTES) == 0 &&
                   ops.n == again.n,
               "a body changes through encode/decode");
    for (size_t i = 0; i < ops.n; i++)
        FUZZ_CHECK(ops.op[i].no == again.op[i].no &&
                       value_equal(&ops.op[i].v, &again.op[i].v),
                   "op %zu changes through encode/decode", i);
    mn_ops_release(&again);
    mn_ops_release(&ops);
    mn_buf_release(&b);
}

static void
fuzz_change(const uint8_t *p, size_t n) {
    mn_change_view v, again;
    mn_buf b;
    if (mn_codec_change_decode(p, n, &v) != MN_OK)
        return;
    mn_buf_init(&b);
    mn_change_view enc = v;
    enc.msg = NULL;
    mn_codec_change_encode(&enc, &b);
    FUZZ_CHECK(mn_codec_change_decode(b.p, b.len, &again) == MN_OK,
               "an encoded change does not decode");
    FUZZ_CHECK(v.header_len == again.header_len &&
                   v.ciphertext_len == again.ciphertext_len &&
                   memcmp(v.header, again.header, v.header_len) == 0 &&
                   memcmp(v.nonce, again.nonce, MN_NONCE_BYTES) == 0 &&
                   memcmp(v.ciphertext, again.ciphertext, v.ciphertext_len) ==
                       0,
               "a change changes through encode/decode");
    mn_codec_change_release(&again);
    mn_codec_change_release(&v);
    mn_buf_release(&b);
}

static bool
sig_equal(const mn_chain_sig *a, const mn_chain_sig *b) {
    return a->origin == b->origin && a->seq == b->seq &&
           memcmp(a->head, b->head, MN_HASH_BYTES) == 0 &&
           memcmp(a->sig, b->sig, MN_SIG_BYTES) == 0;
}

static void
fuzz_sig(const uint8_t *p, size_t n) {
    mn_chain_sig s, again;
    mn_buf b;
    if (mn_codec_sig_decode(p, n, &s) != MN_OK)
        return;
    mn_buf_init(&b);
    mn_codec_sig_encode(&s, &b);
    FUZZ_CHECK(mn_codec_sig_decode(b.p, b.len, &again) == MN_OK &&
                   sig_equal(&s, &again),
               "a signature changes through encode/decode");
    mn_buf_release(&b);
}

static void
fuzz_entity(const uint8_t *p, size_t n) {
    mn_entity e, again;
    mn_buf b;
    if (mn_codec_entity_decode(p, n, &e) != MN_OK)
        return;
    mn_buf_init(&b);
    mn_codec_entity_encode(&e, &b);
    FUZZ_CHECK(mn_codec_entity_decode(b.p, b.len, &again) == MN_OK,
               "an encoded entity does not decode");
    FUZZ_CHECK(e.type == again.type && e.n == again.n &&
                   memcmp(e.id, again.id, MN_ID_BYTES) == 0,
               "an entity changes through encode/decode");
    for (size_t i = 0; i < e.n; i++)
        FUZZ_CHECK(e.f[i].no == again.f[i].no &&
                       mn_stamp_cmp(&e.f[i].stamp, &again.f[i].stamp) == 0 &&
                       e.f[i].stamp.seq == again.f[i].stamp.seq &&
                       value_equal(&e.f[i].v, &again.f[i].v),
                   "field %zu changes through encode/decode", i);
    json_t *j = mn_kind_json_render(&mn_kind_participant, &e, &cfg);
    char *z = json_dumps(j, JSON_COMPACT);
    FUZZ_CHECK(z != NULL, "a rendered entity does not serialise");
    free(z);
    json_decref(j);
    mn_entity_release(&again);
    mn_entity_release(&e);
    mn_buf_release(&b);
}

static void
reencode(const mn_peer_msg *m, mn_buf *b) {
    switch (m->kind) {
    case MN_MSG_HELLO:
        mn_codec_hello_encode(m->node, &m->vv, m->credit, b);
        break;
    case MN_MSG_ACK: mn_codec_ack_encode(&m->vv, m->credit, b); break;
    case MN_MSG_BATCH:
        mn_codec_batch_encode(m->origin, m->changes, m->nchanges, &m->sig, b);
        break;
    }
}

static void
fuzz_peer_msg(const uint8_t *p, size_t n) {
    mn_peer_msg m, again;
    mn_buf b;
    if (mn_codec_peer_decode(p, n, &m) != MN_OK)
        return;
    mn_buf_init(&b);
    reencode(&m, &b);
    FUZZ_CHECK(mn_codec_peer_decode(b.p, b.len, &again) == MN_OK,
               "an encoded peer message does not decode");
    FUZZ_CHECK(m.kind == again.kind && m.node == again.node &&
                   m.credit == again.credit &&
                   memcmp(&m.vv, &again.vv, sizeof m.vv) == 0 &&
                   m.origin == again.origin && m.nchanges == again.nchanges,
               "a peer message changes through encode/decode");
    if (m.kind == MN_MSG_BATCH)
        FUZZ_CHECK(sig_equal(&m.sig, &again.sig),
                   "a batch signature changes through encode/decode");
    for (size_t i = 0; i < m.nchanges; i++)
        FUZZ_CHECK(m.changes[i].n == again.changes[i].n &&
                       (m.changes[i].n == 0 ||
                        memcmp(m.changes[i].p, again.changes[i].p,
                               m.changes[i].n) == 0),
                   "batch change %zu changes through encode/decode", i);
    mn_codec_peer_release(&again);
    mn_codec_peer_release(&m);
    mn_buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    fuzz_header(data, size);
    fuzz_body(data, size);
    fuzz_change(data, size);
    fuzz_sig(data, size);
    fuzz_entity(data, size);
    fuzz_peer_msg(data, size);
    return 0;
}
