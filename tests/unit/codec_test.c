/*
 * codec_test — unit tests for codec.c. Round trips for every message, and
 * rejection of every malformed input with MN_ECORRUPT. Malformed messages
 * are built here with a small protobuf writer of our own (the wire format
 * is simple), so the tests do not depend on the generated code and can
 * say things the project's encoders never would: wrong lengths, node 0,
 * field 0, too many ops, unsorted fields, entity types and field numbers
 * no kind declares. A fixed-seed random-bytes and mutation loop drives
 * every decoder; run under ASan or valgrind it also
 * shows that nothing leaks or reads out of bounds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "door/codec.h"
#include "state/participant.h"
#include "state/entity.h"
#include "mentornet/mentornet.h"
#include "base/util.h"
#include "unit_helpers.h"

/* ---- a protobuf writer and walker ------------------------------------- */

enum { WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5 };

static void
pb_varint(mn_buf *o, uint64_t v) {
    uint8_t b[10];
    size_t n = 0;
    do {
        b[n] = (uint8_t)(v & 0x7f);
        v >>= 7;
        if (v)
            b[n] |= 0x80;
        n++;
    } while (v);
    mn_buf_append(o, b, n);
}

static void
pb_key(mn_buf *o, uint32_t field, int wt) {
    pb_varint(o, (uint64_t)field << 3 | (uint64_t)wt);
}

/* Proto3 leaves zero scalars out; so do we, to match protobuf-c. */
static void
pb_uint(mn_buf *o, uint32_t field, uint64_t v) {
    if (!v)
        return;
    pb_key(o, field, WT_VARINT);
    pb_varint(o, v);
}

static void
pb_sint_always(mn_buf *o, uint32_t field, int64_t v) {
    uint64_t u = (uint64_t)v;
    pb_key(o, field, WT_VARINT);
    pb_varint(o, (u << 1) ^ (v < 0 ? UINT64_MAX : 0));
}

static void
pb_bytes(mn_buf *o, uint32_t field, const void *p, size_t n) {
    pb_key(o, field, WT_LEN);
    pb_varint(o, n);
    if (n)
        mn_buf_append(o, p, n);
}

static void
pb_msg(mn_buf *o, uint32_t field, const mn_buf *m) {
    pb_bytes(o, field, m->p, m->len);
}

/* Top-level field ends of a well-formed message: ends[i] is the offset
 * just past field i. Returns the number of fields. */
static size_t
pb_field_ends(const uint8_t *p, size_t n, size_t *ends, size_t cap) {
    size_t off = 0, count = 0;
    while (off < n) {
        uint64_t key = 0, len = 0;
        for (int shift = 0;; shift += 7) {
            key |= (uint64_t)(p[off] & 0x7f) << shift;
            if (!(p[off++] & 0x80))
                break;
        }
        switch (key & 7) {
        case WT_VARINT:
            while (p[off++] & 0x80)
                ;
            break;
        case WT_I64: off += 8; break;
        case WT_I32: off += 4; break;
        case WT_LEN:
            for (int shift = 0;; shift += 7) {
                len |= (uint64_t)(p[off] & 0x7f) << shift;
                if (!(p[off++] & 0x80))
                    break;
            }
            off += len;
            break;
        default: fail_msg("the test wrote wire type %d", (int)(key & 7));
        }
        assert_true(count < cap);
        ends[count++] = off;
    }
    assert_int_equal(off, n);
    return count;
}

/* ---- message builders with every knob --------------------------------- */

#define MAX_DEPS 80
struct hdr_spec {
    uint32_t origin;
    uint64_t seq, hlc;
    uint32_t key_id;
    size_t hash_len;
    uint8_t hash[40];
    size_t ndeps;
    uint32_t dep_origin[MAX_DEPS];
    uint64_t dep_seq[MAX_DEPS];
};

static void
build_header(const struct hdr_spec *h, mn_buf *out) {
    mn_buf e;
    mn_buf_init(&e);
    pb_uint(out, 1, h->origin);
    pb_uint(out, 2, h->seq);
    pb_uint(out, 3, h->hlc);
    pb_uint(out, 4, h->key_id);
    pb_bytes(out, 5, h->hash, h->hash_len);
    for (size_t i = 0; i < h->ndeps; i++) {
        mn_buf_reset(&e);
        pb_uint(&e, 1, h->dep_origin[i]);
        pb_uint(&e, 2, h->dep_seq[i]);
        pb_msg(out, 6, &e);
    }
    mn_buf_release(&e);
}

static void
good_header_spec(struct hdr_spec *h, test_rng *r) {
    memset(h, 0, sizeof *h);
    h->origin = 3;
    h->seq = 42;
    h->hlc = UINT64_C(1700000000000) << 16 | 7;
    h->key_id = 2;
    h->hash_len = MN_HASH_BYTES;
    rng_fill(r, h->hash, sizeof h->hash);
    h->ndeps = 3;
    h->dep_origin[0] = 1, h->dep_seq[0] = 10;
    h->dep_origin[1] = 2, h->dep_seq[1] = 20;
    h->dep_origin[2] = 5, h->dep_seq[2] = 50;
}

enum op_kind { OP_INT, OP_STR, OP_CLEARED, OP_NOVALUE };

struct op_spec {
    uint32_t field;
    enum op_kind kind;
    int64_t i;
    const char *s;
    size_t slen;
    /* FieldState only: */
    uint64_t hlc;
    uint32_t origin;
    uint64_t seq;
};

#define MAX_OPS (MN_ENTITY_MAX_FIELDS + 2)
struct body_spec {
    uint32_t type;
    size_t id_len;
    uint8_t id[20];
    size_t nops;
    struct op_spec op[MAX_OPS];
};

static void
build_op(const struct op_spec *o, bool state, mn_buf *out) {
    /* FieldOp: field 1, int 2, str 3, cleared 4; FieldState: field 1,
     * hlc 2, origin 3, seq 4, int 5, str 6, cleared 7. */
    uint32_t base = state ? 5 : 2;
    pb_uint(out, 1, o->field);
    if (state) {
        pb_uint(out, 2, o->hlc);
        pb_uint(out, 3, o->origin);
        pb_uint(out, 4, o->seq);
    }
    switch (o->kind) {
    case OP_INT: pb_sint_always(out, base, o->i); break;
    case OP_STR: pb_bytes(out, base + 1, o->s, o->slen); break;
    case OP_CLEARED:
        pb_key(out, base + 2, WT_VARINT);
        pb_varint(out, 1);
        break;
    case OP_NOVALUE: break;
    }
}

/* A ChangeBody (state false) or an EntityState (state true). */
static void
build_body(const struct body_spec *b, bool state, mn_buf *out) {
    mn_buf m;
    mn_buf_init(&m);
    pb_uint(out, 1, b->type);
    pb_bytes(out, 2, b->id, b->id_len);
    for (size_t i = 0; i < b->nops; i++) {
        mn_buf_reset(&m);
        build_op(&b->op[i], state, &m);
        pb_msg(out, 3, &m);
    }
    mn_buf_release(&m);
}

/* The i-th known field number of a participant, cycling: numbers are
 * dense from 1. */
static uint32_t
known_field(size_t i) {
    return (uint32_t)(1 + i % mn_kind_participant.nfields);
}

static void
good_body_spec(struct body_spec *b, test_rng *r, size_t nops) {
    memset(b, 0, sizeof *b);
    b->type = MN_ENTITY_PARTICIPANT;
    b->id_len = MN_ID_BYTES;
    rng_fill(r, b->id, sizeof b->id);
    b->nops = nops;
    for (size_t i = 0; i < nops; i++) {
        struct op_spec *o = &b->op[i];
        o->field = known_field(i);
        o->kind = (enum op_kind)(i % 3);
        o->i = (int64_t)(i * 1000) - 7;
        o->s = "value";
        o->slen = 5;
        o->hlc = 1000 + i;
        o->origin = 1 + (uint32_t)(i % MN_MAX_NODES);
        o->seq = 1 + i;
    }
}

struct sig_spec {
    uint32_t origin;
    uint64_t seq;
    size_t head_len, sig_len;
    uint8_t head[40], sig[80];
};

static void
build_sig(const struct sig_spec *s, mn_buf *out) {
    pb_uint(out, 1, s->origin);
    pb_uint(out, 2, s->seq);
    pb_bytes(out, 3, s->head, s->head_len);
    pb_bytes(out, 4, s->sig, s->sig_len);
}

static void
good_sig_spec(struct sig_spec *s, test_rng *r) {
    memset(s, 0, sizeof *s);
    s->origin = 64;
    s->seq = 123456789;
    s->head_len = MN_HASH_BYTES;
    s->sig_len = MN_SIG_BYTES;
    rng_fill(r, s->head, sizeof s->head);
    rng_fill(r, s->sig, sizeof s->sig);
}

struct change_spec {
    size_t header_len, nonce_len, ct_len;
    uint8_t header[64], nonce[40], ct[200];
};

static void
build_change(const struct change_spec *c, mn_buf *out) {
    pb_bytes(out, 1, c->header, c->header_len);
    pb_bytes(out, 2, c->nonce, c->nonce_len);
    pb_bytes(out, 3, c->ct, c->ct_len);
}

static void
good_change_spec(struct change_spec *c, test_rng *r) {
    memset(c, 0, sizeof *c);
    c->header_len = 50;
    c->nonce_len = MN_NONCE_BYTES;
    c->ct_len = 100;
    rng_fill(r, c->header, sizeof c->header);
    rng_fill(r, c->nonce, sizeof c->nonce);
    rng_fill(r, c->ct, sizeof c->ct);
}

/* ---- decode wrappers that also check invariants and free -------------- */

static int
try_header(const uint8_t *p, size_t n) {
    mn_change_header h;
    int rc = mn_codec_header_decode(p, n, &h);
    if (rc == MN_OK) {
        assert_true(mn_origin_valid(h.origin));
        assert_true(h.seq > 0);
    }
    return rc;
}

static int
try_body(const uint8_t *p, size_t n) {
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    mn_ops_init(&ops);
    int rc = mn_codec_body_decode(p, n, &type, id, &ops);
    if (rc == MN_OK) {
        assert_true(ops.n <= MN_ENTITY_MAX_FIELDS);
        for (size_t i = 0; i < ops.n; i++) {
            assert_true(ops.op[i].no >= 1 && ops.op[i].no <= MN_FIELD_NO_MAX);
            if (ops.op[i].v.kind == MN_V_STR) {
                assert_true(ops.op[i].v.len <= MN_MAX_VALUE_BYTES);
                assert_int_equal(strlen(ops.op[i].v.s), ops.op[i].v.len);
            }
        }
    }
    mn_ops_release(&ops);
    return rc;
}

static int
try_change(const uint8_t *p, size_t n) {
    mn_change_view v = {0};
    int rc = mn_codec_change_decode(p, n, &v);
    if (rc == MN_OK) {
        assert_non_null(v.msg);
        assert_true(v.header_len > 0);
        assert_true(v.ciphertext_len >= MN_TAG_BYTES);
        /* The views point inside the decoded message: touch them all. */
        volatile uint8_t sum = 0;
        for (size_t i = 0; i < v.header_len; i++)
            sum ^= v.header[i];
        for (size_t i = 0; i < MN_NONCE_BYTES; i++)
            sum ^= v.nonce[i];
        for (size_t i = 0; i < v.ciphertext_len; i++)
            sum ^= v.ciphertext[i];
        (void)sum;
    }
    mn_codec_change_release(&v);
    assert_null(v.msg);
    return rc;
}

static int
try_sig(const uint8_t *p, size_t n) {
    mn_chain_sig s;
    int rc = mn_codec_sig_decode(p, n, &s);
    if (rc == MN_OK) {
        assert_true(mn_origin_valid(s.origin));
        assert_true(s.seq > 0);
    }
    return rc;
}

static int
try_entity(const uint8_t *p, size_t n) {
    mn_entity e;
    int rc = mn_codec_entity_decode(p, n, &e);
    if (rc == MN_OK) {
        assert_true(e.n <= MN_ENTITY_MAX_FIELDS);
        for (size_t i = 0; i < e.n; i++) {
            assert_true(e.f[i].no >= 1 && e.f[i].no <= MN_FIELD_NO_MAX);
            assert_true(i == 0 || e.f[i].no > e.f[i - 1].no);
            assert_true(mn_origin_valid(e.f[i].stamp.origin));
            if (e.f[i].v.kind == MN_V_STR)
                assert_true(e.f[i].v.len <= MN_MAX_VALUE_BYTES);
        }
    } else {
        assert_int_equal(e.n, 0); /* nothing left to free */
    }
    mn_entity_release(&e);
    return rc;
}

typedef int (*try_fn)(const uint8_t *p, size_t n);

static const struct {
    const char *name;
    try_fn fn;
} decoders[] = {
    {"header", try_header}, {"body", try_body},     {"change", try_change},
    {"sig", try_sig},       {"entity", try_entity},
};

/* ---- round trips ------------------------------------------------------- */

static void
test_header_round_trip_full_vector(void **state) {
    mn_change_header h, back;
    test_rng r = {1};
    mn_buf b;

    (void)state;
    memset(&h, 0, sizeof h);
    h.origin = 64;
    h.seq = UINT64_MAX;
    h.hlc = UINT64_MAX - 1;
    h.key_id = 0xffffffffu;
    rng_fill(&r, h.prev_hash, sizeof h.prev_hash);
    for (uint32_t id = 1; id <= MN_MAX_NODES; id++)
        mn_vv_set(&h.deps, id, id == 7 ? UINT64_MAX : rng_next(&r) | 1);
    mn_buf_init(&b);
    mn_codec_header_encode(&h, &b);
    memset(&back, 0xee, sizeof back);
    assert_int_equal(mn_codec_header_decode(b.p, b.len, &back), MN_OK);
    assert_int_equal(back.origin, h.origin);
    assert_true(back.seq == h.seq);
    assert_true(back.hlc == h.hlc);
    assert_int_equal(back.key_id, h.key_id);
    assert_memory_equal(back.prev_hash, h.prev_hash, MN_HASH_BYTES);
    assert_true(mn_vv_equal(&back.deps, &h.deps));
    mn_buf_release(&b);
}

static void
test_header_round_trip_sparse(void **state) {
    mn_change_header h, back;
    mn_buf b;

    (void)state;
    memset(&h, 0, sizeof h);
    h.origin = 1;
    h.seq = 1;
    memset(h.prev_hash, 0xab, sizeof h.prev_hash);
    mn_vv_set(&h.deps, 64, 5);
    mn_buf_init(&b);
    /* encode appends: a prefix stays in front. */
    mn_buf_append(&b, "pre", 3);
    mn_codec_header_encode(&h, &b);
    assert_memory_equal(b.p, "pre", 3);
    memset(&back, 0xee, sizeof back);
    assert_int_equal(mn_codec_header_decode(b.p + 3, b.len - 3, &back), MN_OK);
    assert_int_equal(back.origin, 1);
    assert_true(back.seq == 1);
    assert_true(back.hlc == 0);
    assert_memory_equal(back.prev_hash, h.prev_hash, MN_HASH_BYTES);
    assert_true(mn_vv_equal(&back.deps, &h.deps));
    mn_buf_release(&b);
}

/* Our writer and the project's encoder agree byte for byte, so the
 * malformed messages below differ from real ones only where intended. */
static void
test_writer_matches_encoder(void **state) {
    struct hdr_spec hs;
    mn_change_header h;
    test_rng r = {2};
    mn_buf ours, theirs;

    (void)state;
    good_header_spec(&hs, &r);
    memset(&h, 0, sizeof h);
    h.origin = hs.origin;
    h.seq = hs.seq;
    h.hlc = hs.hlc;
    h.key_id = hs.key_id;
    memcpy(h.prev_hash, hs.hash, MN_HASH_BYTES);
    for (size_t i = 0; i < hs.ndeps; i++)
        mn_vv_set(&h.deps, hs.dep_origin[i], hs.dep_seq[i]);
    mn_buf_init(&ours);
    mn_buf_init(&theirs);
    build_header(&hs, &ours);
    mn_codec_header_encode(&h, &theirs);
    assert_int_equal(ours.len, theirs.len);
    assert_memory_equal(ours.p, theirs.p, ours.len);

    struct sig_spec ss;
    mn_chain_sig s;
    good_sig_spec(&ss, &r);
    s.origin = ss.origin;
    s.seq = ss.seq;
    memcpy(s.head, ss.head, MN_HASH_BYTES);
    memcpy(s.sig, ss.sig, MN_SIG_BYTES);
    mn_buf_reset(&ours);
    mn_buf_reset(&theirs);
    build_sig(&ss, &ours);
    mn_codec_sig_encode(&s, &theirs);
    assert_int_equal(ours.len, theirs.len);
    assert_memory_equal(ours.p, theirs.p, ours.len);
    mn_buf_release(&ours);
    mn_buf_release(&theirs);
}

static void
assert_value_equal(const mn_value *a, const mn_value *b) {
    assert_int_equal(a->kind, b->kind);
    if (a->kind == MN_V_INT)
        assert_true(a->i == b->i);
    if (a->kind == MN_V_STR) {
        assert_int_equal(a->len, b->len);
        assert_memory_equal(a->s, b->s, a->len);
        assert_int_equal(b->s[b->len], '\0');
    }
}

/* Every value kind, the extreme integers and string lengths. */
static void
fill_all_kinds(mn_ops *ops, char *big) {
    memset(big, 'x', MN_MAX_VALUE_BYTES);
    big[MN_MAX_VALUE_BYTES] = '\0';
    mn_ops_init(ops);
    mn_ops_add_int(ops, 1, 0);
    mn_ops_add_int(ops, 2, -1);
    mn_ops_add_int(ops, 3, INT64_MIN);
    mn_ops_add_int(ops, 4, INT64_MAX);
    mn_ops_add_str(ops, 5, "", 0);
    mn_ops_add_str(ops, 6, "Amina \xc3\xb8", 8);
    mn_ops_add_str(ops, 7, big, MN_MAX_VALUE_BYTES);
    mn_ops_add_clear(ops, 8);
    mn_ops_add_int(ops, MN_P_NOTES, 5); /* the largest field number */
}

static void
test_body_round_trip_all_kinds(void **state) {
    static char big[MN_MAX_VALUE_BYTES + 1];
    uint8_t id[MN_ID_BYTES], id_back[MN_ID_BYTES];
    uint32_t type = 0;
    mn_ops ops, back;
    test_rng r = {3};
    mn_buf b;

    (void)state;
    fill_all_kinds(&ops, big);
    rng_fill(&r, id, sizeof id);
    mn_buf_init(&b);
    mn_codec_body_encode(MN_ENTITY_PARTICIPANT, id, ops.op, ops.n, &b);
    mn_ops_init(&back);
    assert_int_equal(mn_codec_body_decode(b.p, b.len, &type, id_back, &back),
                     MN_OK);
    assert_int_equal(type, MN_ENTITY_PARTICIPANT);
    assert_memory_equal(id_back, id, MN_ID_BYTES);
    assert_int_equal(back.n, ops.n);
    for (size_t i = 0; i < ops.n; i++) {
        assert_int_equal(back.op[i].no, ops.op[i].no);
        assert_value_equal(&ops.op[i].v, &back.op[i].v);
    }
    mn_ops_release(&back);
    mn_ops_release(&ops);
    mn_buf_release(&b);
}

static void
test_body_round_trip_max_ops(void **state) {
    uint8_t id[MN_ID_BYTES] = {1}, id_back[MN_ID_BYTES];
    uint32_t type;
    mn_ops ops, back;
    mn_buf b;

    (void)state;
    mn_ops_init(&ops);
    for (uint32_t i = 0; i < MN_ENTITY_MAX_FIELDS; i++)
        mn_ops_add_int(&ops, known_field(47 - i), i); /* any order */
    mn_buf_init(&b);
    mn_codec_body_encode(1, id, ops.op, ops.n, &b);
    assert_int_equal(mn_codec_body_decode(b.p, b.len, &type, id_back, &back),
                     MN_OK);
    assert_int_equal(back.n, MN_ENTITY_MAX_FIELDS);
    for (size_t i = 0; i < back.n; i++) {
        assert_int_equal(back.op[i].no, ops.op[i].no);
        assert_true(back.op[i].v.i == ops.op[i].v.i);
    }
    mn_ops_release(&back);
    mn_ops_release(&ops);
    mn_buf_release(&b);
}

static void
test_change_round_trip(void **state) {
    uint8_t header[70], nonce[MN_NONCE_BYTES], ct[MN_TAG_BYTES + 33];
    test_rng r = {4};
    mn_change_view c = {0}, back = {0};
    mn_buf b;

    (void)state;
    rng_fill(&r, header, sizeof header);
    rng_fill(&r, nonce, sizeof nonce);
    rng_fill(&r, ct, sizeof ct);
    c.header = header;
    c.header_len = sizeof header;
    c.nonce = nonce;
    c.ciphertext = ct;
    c.ciphertext_len = sizeof ct;
    mn_buf_init(&b);
    mn_codec_change_encode(&c, &b);
    assert_int_equal(mn_codec_change_decode(b.p, b.len, &back), MN_OK);
    assert_non_null(back.msg);
    assert_int_equal(back.header_len, sizeof header);
    assert_memory_equal(back.header, header, sizeof header);
    assert_memory_equal(back.nonce, nonce, sizeof nonce);
    assert_int_equal(back.ciphertext_len, sizeof ct);
    assert_memory_equal(back.ciphertext, ct, sizeof ct);
    /* The view does not point into the input buffer: it owns its copy. */
    memset(b.p, 0, b.len);
    assert_memory_equal(back.header, header, sizeof header);
    mn_codec_change_release(&back);
    assert_null(back.msg);
    mn_codec_change_release(&back); /* twice is harmless */

    /* The shortest ciphertext: a bare tag. */
    c.ciphertext_len = MN_TAG_BYTES;
    mn_buf_reset(&b);
    mn_codec_change_encode(&c, &b);
    assert_int_equal(mn_codec_change_decode(b.p, b.len, &back), MN_OK);
    assert_int_equal(back.ciphertext_len, MN_TAG_BYTES);
    mn_codec_change_release(&back);
    mn_buf_release(&b);
}

/* The header found without decoding equals the decoder's; every cut or
 * flipped length is refused rather than read past the end. */
static void
test_change_header_bytes(void **state) {
    uint8_t header[70], nonce[MN_NONCE_BYTES], ct[MN_TAG_BYTES + 33];
    test_rng r = {9};
    mn_change_view c = {0};
    mn_bytes h;
    mn_buf b;

    (void)state;
    rng_fill(&r, header, sizeof header);
    rng_fill(&r, nonce, sizeof nonce);
    rng_fill(&r, ct, sizeof ct);
    c = (mn_change_view){.header = header,
                         .header_len = sizeof header,
                         .nonce = nonce,
                         .ciphertext = ct,
                         .ciphertext_len = sizeof ct};
    mn_buf_init(&b);
    mn_codec_change_encode(&c, &b);
    assert_int_equal(mn_codec_change_header_bytes(b.p, b.len, &h), MN_OK);
    assert_int_equal(h.n, sizeof header);
    assert_memory_equal(h.p, header, sizeof header);
    assert_true(h.p >= b.p && h.p + h.n <= b.p + b.len);
    for (size_t cut = 0; cut < b.len; cut++) {
        int rc = mn_codec_change_header_bytes(b.p, cut, &h);
        /* A prefix that still holds the whole header field may pass. */
        if (rc == MN_OK)
            assert_true(h.p + h.n <= b.p + cut && h.n == sizeof header);
    }
    b.p[1] = 0xff; /* the header's length (16383) runs past the end */
    b.p[2] = 0x7f;
    assert_int_equal(mn_codec_change_header_bytes(b.p, b.len, &h), MN_ECORRUPT);
    b.p[0] = 0x08; /* a varint field: not a Change */
    assert_int_equal(mn_codec_change_header_bytes(b.p, b.len, &h), MN_ECORRUPT);
    mn_buf_release(&b);
}

static void
test_sig_round_trip(void **state) {
    mn_chain_sig s, back;
    test_rng r = {5};
    mn_buf b;

    (void)state;
    s.origin = 1;
    s.seq = UINT64_MAX;
    rng_fill(&r, s.head, sizeof s.head);
    rng_fill(&r, s.sig, sizeof s.sig);
    mn_buf_init(&b);
    mn_codec_sig_encode(&s, &b);
    memset(&back, 0, sizeof back);
    assert_int_equal(mn_codec_sig_decode(b.p, b.len, &back), MN_OK);
    assert_int_equal(back.origin, 1);
    assert_true(back.seq == UINT64_MAX);
    assert_memory_equal(back.head, s.head, MN_HASH_BYTES);
    assert_memory_equal(back.sig, s.sig, MN_SIG_BYTES);
    mn_buf_release(&b);
}

static void
assert_entity_equal(const mn_entity *a, const mn_entity *b) {
    assert_int_equal(a->type, b->type);
    assert_memory_equal(a->id, b->id, MN_ID_BYTES);
    assert_int_equal(a->n, b->n);
    for (size_t i = 0; i < a->n; i++) {
        assert_int_equal(a->f[i].no, b->f[i].no);
        assert_true(a->f[i].stamp.hlc == b->f[i].stamp.hlc);
        assert_int_equal(a->f[i].stamp.origin, b->f[i].stamp.origin);
        assert_true(a->f[i].stamp.seq == b->f[i].stamp.seq);
        assert_value_equal(&a->f[i].v, &b->f[i].v);
    }
}

/* Encode, decode, compare, and re-encode to the same bytes. */
static void
entity_round_trip(const mn_entity *e) {
    mn_entity back;
    mn_buf b, again;
    mn_buf_init(&b);
    mn_buf_init(&again);
    mn_codec_entity_encode(e, &b);
    assert_int_equal(mn_codec_entity_decode(b.p, b.len, &back), MN_OK);
    assert_entity_equal(e, &back);
    mn_codec_entity_encode(&back, &again);
    assert_int_equal(again.len, b.len);
    assert_memory_equal(again.p, b.p, b.len);
    mn_entity_release(&back);
    mn_buf_release(&b);
    mn_buf_release(&again);
}

static void
test_entity_round_trip(void **state) {
    static char big[MN_MAX_VALUE_BYTES + 1];
    uint8_t id[MN_ID_BYTES];
    test_rng r = {6};
    mn_entity e;
    mn_ops ops;

    (void)state;
    rng_fill(&r, id, sizeof id);
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, id);
    entity_round_trip(&e); /* no fields at all */

    fill_all_kinds(&ops, big);
    /* Each op under its own stamp, from the extremes of the ranges. */
    for (size_t i = 0; i < ops.n; i++) {
        mn_stamp st = {i == 0 ? UINT64_MAX : rng_next(&r),
                       i == 1 ? 1 : (i == 2 ? MN_MAX_NODES : 5),
                       i == 3 ? UINT64_MAX : i};
        assert_int_equal(mn_entity_merge(&e, &ops.op[i], 1, &st), 1);
    }
    entity_round_trip(&e);
    mn_entity_release(&e);
    mn_ops_release(&ops);

    /* A full participant: every field of its table. */
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, id);
    for (uint32_t i = 0; i < mn_kind_participant.nfields; i++) {
        uint32_t no = mn_kind_participant.fields[i].no;
        mn_field_op op = {.no = no, .v = {.kind = MN_V_INT, .i = no}};
        mn_stamp st = {no, 1 + no % MN_MAX_NODES, no};
        assert_int_equal(mn_entity_merge(&e, &op, 1, &st), 1);
    }
    entity_round_trip(&e);
    mn_entity_release(&e);
}

/* ---- rejections -------------------------------------------------------- */

static void
expect_corrupt(try_fn fn, const mn_buf *b, const char *what) {
    int rc = fn(b->p, b->len);
    if (rc != MN_ECORRUPT)
        fail_msg("%s: expected MN_ECORRUPT, got %d", what, rc);
}

static void
test_garbage_rejected(void **state) {
    static const uint8_t wt7[] = {0x0f, 0x01};       /* wire type 7 */
    static const uint8_t wt3[] = {0x0b, 0x08, 0x01}; /* start group */
    static const uint8_t bad_varint[] = {0x08, 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff, 0xff, 0xff, 0xff, 0xff, 0x01};
    static const uint8_t huge_len[] = {0x12, 0xff, 0xff, 0xff, 0xff, 0x0f};
    uint8_t ones[64];

    (void)state;
    memset(ones, 0xff, sizeof ones);
    const struct {
        const uint8_t *p;
        size_t n;
    } inputs[] = {{wt7, sizeof wt7},
                  {wt3, sizeof wt3},
                  {bad_varint, sizeof bad_varint},
                  {huge_len, sizeof huge_len},
                  {ones, sizeof ones},
                  {(const uint8_t *)"this is not protobuf", 20},
                  {ones, 0}}; /* nothing at all lacks the required fields */
    for (size_t d = 0; d < MN_ARRAY_LEN(decoders); d++)
        for (size_t i = 0; i < MN_ARRAY_LEN(inputs); i++)
            if (decoders[d].fn(inputs[i].p, inputs[i].n) != MN_ECORRUPT)
                fail_msg("%s decoder accepted garbage input %zu",
                         decoders[d].name, i);
}

/*
 * Every proper prefix of a valid message. A cut inside a field is always
 * rejected. A cut between top-level fields leaves a shorter but
 * well-formed message: it must be rejected exactly when it lacks something
 * required, and otherwise decode to the fields it kept. `needed` is the
 * number of leading fields that must be present (0: all of them).
 */
static void
check_prefixes(const mn_buf *b, try_fn fn, size_t needed, const char *name) {
    size_t ends[MN_ENTITY_MAX_FIELDS + MN_MAX_NODES + 8];
    size_t nf = pb_field_ends(b->p, b->len, ends, MN_ARRAY_LEN(ends));
    size_t at_boundary_ok = 0;
    assert_int_equal(fn(b->p, b->len), MN_OK);
    for (size_t len = 0; len < b->len; len++) {
        size_t kept = 0;
        bool boundary = len == 0;
        for (size_t i = 0; i < nf; i++) {
            if (ends[i] <= len)
                kept = i + 1;
            if (ends[i] == len)
                boundary = true;
        }
        int rc = fn(b->p, len);
        bool complete = needed && kept >= needed;
        if (boundary && complete) {
            if (rc != MN_OK)
                fail_msg("%s: prefix of %zu fields rejected", name, kept);
            at_boundary_ok++;
        } else if (rc != MN_ECORRUPT) {
            fail_msg("%s: truncated to %zu of %zu bytes, got %d", name, len,
                     b->len, rc);
        }
    }
    if (needed)
        assert_int_equal(at_boundary_ok, nf - needed);
}

static void
test_truncated_rejected(void **state) {
    struct hdr_spec hs;
    struct body_spec bs;
    struct sig_spec ss;
    struct change_spec cs;
    test_rng r = {7};
    mn_buf b;

    (void)state;
    mn_buf_init(&b);
    good_header_spec(&hs, &r);
    build_header(&hs, &b);
    /* origin, seq, hlc, key_id, prev_hash are needed; deps may be cut. */
    check_prefixes(&b, try_header, 5, "header");

    mn_buf_reset(&b);
    good_body_spec(&bs, &r, 6);
    build_body(&bs, false, &b);
    /* type and id; the ops may all be in the private part (the envelope
     * refuses a change that writes nothing). */
    check_prefixes(&b, try_body, 2, "body");

    mn_buf_reset(&b);
    build_body(&bs, true, &b);
    /* type and id; an entity may have no fields. */
    check_prefixes(&b, try_entity, 2, "entity");

    mn_buf_reset(&b);
    good_sig_spec(&ss, &r);
    build_sig(&ss, &b);
    check_prefixes(&b, try_sig, 0, "sig");

    mn_buf_reset(&b);
    good_change_spec(&cs, &r);
    build_change(&cs, &b);
    check_prefixes(&b, try_change, 0, "change");
    mn_buf_release(&b);
}

/* The prefix of a body that keeps k ops decodes to exactly those ops. */
static void
test_body_prefix_keeps_ops(void **state) {
    struct body_spec bs;
    test_rng r = {8};
    mn_buf b;
    size_t ends[16];

    (void)state;
    good_body_spec(&bs, &r, 5);
    mn_buf_init(&b);
    build_body(&bs, false, &b);
    size_t nf = pb_field_ends(b.p, b.len, ends, MN_ARRAY_LEN(ends));
    assert_int_equal(nf, 7);
    for (size_t k = 1; k <= 5; k++) {
        uint32_t type;
        uint8_t id[MN_ID_BYTES];
        mn_ops ops;
        assert_int_equal(
            mn_codec_body_decode(b.p, ends[k + 1], &type, id, &ops), MN_OK);
        assert_int_equal(ops.n, k);
        assert_int_equal(ops.op[k - 1].no, bs.op[k - 1].field);
        mn_ops_release(&ops);
    }
    mn_buf_release(&b);
}

static void
test_header_rejections(void **state) {
    struct hdr_spec hs;
    test_rng r = {9};
    mn_buf b;

    (void)state;
    mn_buf_init(&b);
#define HDR_CASE(what, change)                                                 \
    do {                                                                       \
        good_header_spec(&hs, &r);                                             \
        change;                                                                \
        mn_buf_reset(&b);                                                      \
        build_header(&hs, &b);                                                 \
        expect_corrupt(try_header, &b, what);                                  \
    } while (0)
    HDR_CASE("origin 0", hs.origin = 0);
    HDR_CASE("origin 65", hs.origin = 65);
    HDR_CASE("origin 2^32-1", hs.origin = 0xffffffffu);
    HDR_CASE("seq 0", hs.seq = 0);
    HDR_CASE("hash 31 bytes", hs.hash_len = 31);
    HDR_CASE("hash 33 bytes", hs.hash_len = 33);
    HDR_CASE("hash empty", hs.hash_len = 0);
    HDR_CASE("dep origin 0", hs.dep_origin[1] = 0);
    HDR_CASE("dep origin 65", hs.dep_origin[2] = 65);
    HDR_CASE("65 deps", {
        hs.ndeps = 65;
        for (size_t i = 0; i < 65; i++) {
            hs.dep_origin[i] = 1 + (uint32_t)(i % 64);
            hs.dep_seq[i] = i + 1;
        }
    });
#undef HDR_CASE
    /* Boundaries that must still pass: origin 1 and 64, 64 deps. */
    good_header_spec(&hs, &r);
    hs.origin = 64;
    hs.ndeps = 64;
    for (size_t i = 0; i < 64; i++) {
        hs.dep_origin[i] = 64 - (uint32_t)i;
        hs.dep_seq[i] = i + 1;
    }
    mn_buf_reset(&b);
    build_header(&hs, &b);
    mn_change_header h;
    assert_int_equal(mn_codec_header_decode(b.p, b.len, &h), MN_OK);
    for (size_t i = 0; i < 64; i++)
        assert_true(mn_vv_get(&h.deps, 64 - i) == i + 1);
    /* An unknown field from a newer node is skipped, not fatal. */
    pb_uint(&b, 15, 99);
    assert_int_equal(mn_codec_header_decode(b.p, b.len, &h), MN_OK);
    assert_int_equal(h.origin, 64);
    mn_buf_release(&b);
}

static void
test_body_rejections(void **state) {
    static char big[MN_MAX_VALUE_BYTES + 2];
    struct body_spec bs;
    test_rng r = {10};
    mn_buf b;

    (void)state;
    memset(big, 'y', sizeof big - 1);
    mn_buf_init(&b);
#define BODY_CASE(what, nops, change)                                          \
    do {                                                                       \
        good_body_spec(&bs, &r, nops);                                         \
        change;                                                                \
        mn_buf_reset(&b);                                                      \
        build_body(&bs, false, &b);                                            \
        expect_corrupt(try_body, &b, what);                                    \
    } while (0)
    BODY_CASE("id 15 bytes", 3, bs.id_len = 15);
    BODY_CASE("id 17 bytes", 3, bs.id_len = 17);
    BODY_CASE("id empty", 3, bs.id_len = 0);
    BODY_CASE("field 0", 3, bs.op[1].field = 0);
    BODY_CASE("field past the range", 3, bs.op[2].field = MN_FIELD_NO_MAX + 1);
    BODY_CASE("field 1000", 3, bs.op[2].field = 1000);
    BODY_CASE("field 2^32-1", 3, bs.op[0].field = 0xffffffffu);
    BODY_CASE("type 0", 3, bs.type = 0);
    BODY_CASE("a type no kind has", 3, bs.type = 200);
    BODY_CASE("type 257", 3, bs.type = 257);
    BODY_CASE("op without a value", 3, bs.op[0].kind = OP_NOVALUE);
    BODY_CASE("one op too many", MN_ENTITY_MAX_FIELDS + 1, (void)0);
    BODY_CASE("string over the limit", 2, {
        bs.op[1].kind = OP_STR;
        bs.op[1].s = big;
        bs.op[1].slen = MN_MAX_VALUE_BYTES + 1;
    });
#undef BODY_CASE
    /* The limits themselves pass: MN_ENTITY_MAX_FIELDS ops, a 4096-byte
     * string. */
    good_body_spec(&bs, &r, MN_ENTITY_MAX_FIELDS);
    bs.op[0].kind = OP_STR;
    bs.op[0].s = big;
    bs.op[0].slen = MN_MAX_VALUE_BYTES;
    mn_buf_reset(&b);
    build_body(&bs, false, &b);
    assert_int_equal(try_body(b.p, b.len), MN_OK);

    /* The project's own encoder cannot smuggle an oversized string. */
    mn_field_op op = {
        .no = 4,
        .v = {.kind = MN_V_STR, .s = big, .len = MN_MAX_VALUE_BYTES + 1}};
    mn_buf_reset(&b);
    mn_codec_body_encode(1, bs.id, &op, 1, &b);
    expect_corrupt(try_body, &b, "encoded oversized string");
    mn_buf_release(&b);
}

/* Every field number 1..MN_FIELD_NO_MAX decodes, known to the participant's
 * table or not (a newer version's field, kept as it is); the numbers just
 * outside are refused, in a change body and in a stored entity alike. */
static void
test_field_number_range(void **state) {
    uint8_t id[MN_ID_BYTES] = {7}, id_back[MN_ID_BYTES];
    uint32_t type;
    mn_ops ops, back;
    mn_entity e;
    mn_buf b;

    (void)state;
    assert_null(mn_kind_field(&mn_kind_participant, MN_FIELD_NO_MAX));
    mn_ops_init(&ops);
    mn_entity_init(&e, MN_ENTITY_PARTICIPANT, id);
    for (uint32_t no = 1; no <= MN_FIELD_NO_MAX; no++) {
        mn_stamp st = {no, 1, no};
        mn_ops_add_int(&ops, no, no);
        assert_int_equal(mn_entity_merge(&e, &ops.op[no - 1], 1, &st), 1);
    }
    mn_buf_init(&b);
    mn_codec_body_encode(MN_ENTITY_PARTICIPANT, id, ops.op, ops.n, &b);
    assert_int_equal(mn_codec_body_decode(b.p, b.len, &type, id_back, &back),
                     MN_OK);
    assert_int_equal(back.n, MN_FIELD_NO_MAX);
    for (size_t i = 0; i < back.n; i++)
        assert_int_equal(back.op[i].no, i + 1);
    mn_ops_release(&back);
    entity_round_trip(&e);

    /* One past the range: refused by both decoders. */
    ops.op[ops.n - 1].no = MN_FIELD_NO_MAX + 1;
    mn_buf_reset(&b);
    mn_codec_body_encode(MN_ENTITY_PARTICIPANT, id, ops.op, ops.n, &b);
    expect_corrupt(try_body, &b, "field MN_FIELD_NO_MAX + 1");
    e.f[e.n - 1].no = MN_FIELD_NO_MAX + 1;
    mn_buf_reset(&b);
    mn_codec_entity_encode(&e, &b);
    expect_corrupt(try_entity, &b, "stored field MN_FIELD_NO_MAX + 1");
    mn_entity_release(&e);
    mn_ops_release(&ops);
    mn_buf_release(&b);
}

static void
test_entity_rejections(void **state) {
    static char big[MN_MAX_VALUE_BYTES + 2];
    struct body_spec bs;
    test_rng r = {11};
    mn_buf b;

    (void)state;
    memset(big, 'z', sizeof big - 1);
    mn_buf_init(&b);
#define ENT_CASE(what, nops, change)                                           \
    do {                                                                       \
        good_body_spec(&bs, &r, nops);                                         \
        change;                                                                \
        mn_buf_reset(&b);                                                      \
        build_body(&bs, true, &b);                                             \
        expect_corrupt(try_entity, &b, what);                                  \
    } while (0)
    ENT_CASE("id 15 bytes", 3, bs.id_len = 15);
    ENT_CASE("id 17 bytes", 3, bs.id_len = 17);
    ENT_CASE("field 0", 3, bs.op[0].field = 0);
    ENT_CASE("field past the range", 3, bs.op[2].field = MN_FIELD_NO_MAX + 1);
    ENT_CASE("field 1000", 3, bs.op[2].field = 1000);
    ENT_CASE("type 0", 3, bs.type = 0);
    ENT_CASE("a type no kind has", 3, bs.type = 200);
    ENT_CASE("unsorted fields", 3, {
        bs.op[1].field = 3;
        bs.op[2].field = 2;
    });
    ENT_CASE("duplicate field", 3, bs.op[2].field = 2);
    ENT_CASE("origin 0", 3, bs.op[1].origin = 0);
    ENT_CASE("origin 65", 3, bs.op[2].origin = 65);
    ENT_CASE("field without a value", 3, bs.op[1].kind = OP_NOVALUE);
    ENT_CASE("one field too many", MN_ENTITY_MAX_FIELDS + 1, (void)0);
    ENT_CASE("string over the limit", 3, {
        bs.op[2].kind = OP_STR;
        bs.op[2].s = big;
        bs.op[2].slen = MN_MAX_VALUE_BYTES + 1;
    });
    /* A failure after a string field has been copied must not leak it. */
    ENT_CASE("bad field after strings", 6, bs.op[5].origin = 0);
#undef ENT_CASE
    /* Every field of a participant, one a 4096-byte string, passes. */
    good_body_spec(&bs, &r, mn_kind_participant.nfields);
    bs.op[bs.nops - 1].kind = OP_STR;
    bs.op[bs.nops - 1].s = big;
    bs.op[bs.nops - 1].slen = MN_MAX_VALUE_BYTES;
    mn_buf_reset(&b);
    build_body(&bs, true, &b);
    assert_int_equal(try_entity(b.p, b.len), MN_OK);
    mn_buf_release(&b);
}

static void
test_sig_and_change_rejections(void **state) {
    struct sig_spec ss;
    struct change_spec cs;
    test_rng r = {12};
    mn_buf b;

    (void)state;
    mn_buf_init(&b);
#define SIG_CASE(what, change)                                                 \
    do {                                                                       \
        good_sig_spec(&ss, &r);                                                \
        change;                                                                \
        mn_buf_reset(&b);                                                      \
        build_sig(&ss, &b);                                                    \
        expect_corrupt(try_sig, &b, what);                                     \
    } while (0)
    SIG_CASE("origin 0", ss.origin = 0);
    SIG_CASE("origin 65", ss.origin = 65);
    SIG_CASE("seq 0", ss.seq = 0);
    SIG_CASE("head 31", ss.head_len = 31);
    SIG_CASE("head 33", ss.head_len = 33);
    SIG_CASE("sig 63", ss.sig_len = 63);
    SIG_CASE("sig 65", ss.sig_len = 65);
    SIG_CASE("sig empty", ss.sig_len = 0);
#undef SIG_CASE
#define CHANGE_CASE(what, change)                                              \
    do {                                                                       \
        good_change_spec(&cs, &r);                                             \
        change;                                                                \
        mn_buf_reset(&b);                                                      \
        build_change(&cs, &b);                                                 \
        expect_corrupt(try_change, &b, what);                                  \
    } while (0)
    CHANGE_CASE("nonce 23", cs.nonce_len = 23);
    CHANGE_CASE("nonce 25", cs.nonce_len = 25);
    CHANGE_CASE("nonce empty", cs.nonce_len = 0);
    CHANGE_CASE("ciphertext shorter than a tag", cs.ct_len = 15);
    CHANGE_CASE("no ciphertext", cs.ct_len = 0);
    CHANGE_CASE("empty header", cs.header_len = 0);
#undef CHANGE_CASE
    mn_buf_release(&b);
}

/* ---- bounded fuzzing --------------------------------------------------- */

/* 20,000 random buffers through every decoder. */
static void
test_random_bytes(void **state) {
    static uint8_t buf[512];
    test_rng r = {0x5eed};
    size_t accepted[MN_ARRAY_LEN(decoders)] = {0};

    (void)state;
    for (int i = 0; i < 20000; i++) {
        size_t n = (size_t)rng_below(&r, sizeof buf + 1);
        rng_fill(&r, buf, n);
        for (size_t d = 0; d < MN_ARRAY_LEN(decoders); d++) {
            int rc = decoders[d].fn(buf, n);
            assert_true(rc == MN_OK || rc == MN_ECORRUPT);
            accepted[d] += rc == MN_OK;
        }
    }
    print_message("random bytes accepted: header %zu body %zu change %zu "
                  "sig %zu entity %zu\n",
                  accepted[0], accepted[1], accepted[2], accepted[3],
                  accepted[4]);
}

/* 20,000 mutations (bit flips, cuts, insertions, splices) of valid
 * encodings, which reach deeper than random bytes do. */
static void
test_mutations(void **state) {
    static uint8_t buf[8192];
    test_rng r = {0xfeed};
    mn_buf seeds[MN_ARRAY_LEN(decoders)];
    struct hdr_spec hs;
    struct body_spec bs;
    struct sig_spec ss;
    struct change_spec cs;
    size_t accepted = 0;

    (void)state;
    for (size_t d = 0; d < MN_ARRAY_LEN(decoders); d++)
        mn_buf_init(&seeds[d]);
    good_header_spec(&hs, &r);
    build_header(&hs, &seeds[0]);
    good_body_spec(&bs, &r, 6);
    build_body(&bs, false, &seeds[1]);
    good_change_spec(&cs, &r);
    build_change(&cs, &seeds[2]);
    good_sig_spec(&ss, &r);
    build_sig(&ss, &seeds[3]);
    build_body(&bs, true, &seeds[4]);

    for (int i = 0; i < 20000; i++) {
        size_t d = (size_t)rng_below(&r, MN_ARRAY_LEN(decoders));
        const mn_buf *seed = &seeds[d];
        size_t n = seed->len;
        memcpy(buf, seed->p, n);
        int edits = 1 + (int)rng_below(&r, 4);
        for (int k = 0; k < edits && n > 0; k++) {
            size_t at = (size_t)rng_below(&r, n);
            switch (rng_below(&r, 4)) {
            case 0: buf[at] ^= (uint8_t)(1u << rng_below(&r, 8)); break;
            case 1: buf[at] = (uint8_t)rng_next(&r); break;
            case 2: n = at; break; /* cut */
            default:               /* insert a random byte */
                if (n + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, n - at);
                    buf[at] = (uint8_t)rng_next(&r);
                    n++;
                }
                break;
            }
        }
        /* Every decoder sees every mutant, not only its own. */
        for (size_t e = 0; e < MN_ARRAY_LEN(decoders); e++) {
            int rc = decoders[e].fn(buf, n);
            assert_true(rc == MN_OK || rc == MN_ECORRUPT);
            accepted += rc == MN_OK && e == d;
        }
    }
    print_message("mutants accepted by their own decoder: %zu\n", accepted);
    for (size_t d = 0; d < MN_ARRAY_LEN(decoders); d++)
        mn_buf_release(&seeds[d]);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_round_trip_full_vector),
        cmocka_unit_test(test_header_round_trip_sparse),
        cmocka_unit_test(test_writer_matches_encoder),
        cmocka_unit_test(test_body_round_trip_all_kinds),
        cmocka_unit_test(test_body_round_trip_max_ops),
        cmocka_unit_test(test_change_round_trip),
        cmocka_unit_test(test_change_header_bytes),
        cmocka_unit_test(test_sig_round_trip),
        cmocka_unit_test(test_entity_round_trip),
        cmocka_unit_test(test_garbage_rejected),
        cmocka_unit_test(test_truncated_rejected),
        cmocka_unit_test(test_body_prefix_keeps_ops),
        cmocka_unit_test(test_header_rejections),
        cmocka_unit_test(test_body_rejections),
        cmocka_unit_test(test_entity_rejections),
        cmocka_unit_test(test_field_number_range),
        cmocka_unit_test(test_sig_and_change_rejections),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
