/*
 * codec — see codec.h. protobuf-c does the wire format; this file maps it to
 * the project's structs and validates what protobuf-c cannot know (lengths,
 * ranges, counts, the entity kinds this version knows: state/kind.h, and
 * field numbers 1..MN_FIELD_NO_MAX). A field number in that range that this
 * version's table lacks is decoded like any other: a newer version added it
 * (README "Schema changes"). Encoders pack into an mn_buf in one pass, sized
 * first.
 */
#include "door/codec.h"

#include <stdlib.h>
#include <stddef.h>
#include <string.h>

#include "mentornet.pb-c.h"
#include "state/kind.h"

static void
pack_into(const ProtobufCMessage *m, mn_buf *out) {
    size_t n = protobuf_c_message_get_packed_size(m);
    mn_buf_reserve(out, n);
    out->len += protobuf_c_message_pack(m, out->p + out->len);
}

/* Fill entries/ptrs (MN_VV_MAX each) from vv; returns the count. */
static size_t
vv_to_pb(const mn_vv *vv, Mentornet__VersionEntry *entries,
         Mentornet__VersionEntry **ptrs) {
    for (uint32_t i = 0; i < vv->n; i++) {
        mentornet__version_entry__init(&entries[i]);
        entries[i].origin = vv->e[i].origin;
        entries[i].seq = vv->e[i].seq;
        ptrs[i] = &entries[i];
    }
    return vv->n;
}

static int
valid_node(uint32_t id) {
    return id >= 1 && id <= MN_MAX_NODES;
}

static int
valid_origin(uint32_t origin) {
    return mn_origin_valid(origin);
}

/* A vector from the wire: at most MN_VV_MAX entries, each a valid origin
 * held once with seq > 0. */
static int
vv_from_pb(Mentornet__VersionEntry **entries, size_t n, mn_vv *vv) {
    memset(vv, 0, offsetof(mn_vv, e));
    if (n > MN_VV_MAX)
        return MN_ECORRUPT;
    for (size_t i = 0; i < n; i++) {
        uint32_t o = entries[i]->origin;
        if (!valid_origin(o) || entries[i]->seq == 0 || mn_vv_get(vv, o) ||
            mn_vv_set(vv, o, entries[i]->seq) != MN_OK)
            return MN_ECORRUPT;
    }
    return MN_OK;
}

void
mn_codec_header_encode(const mn_change_header *h, mn_buf *out) {
    Mentornet__ChangeHeader m = MENTORNET__CHANGE_HEADER__INIT;
    Mentornet__VersionEntry entries[MN_VV_MAX];
    Mentornet__VersionEntry *ptrs[MN_VV_MAX];
    m.origin = h->origin;
    m.seq = h->seq;
    m.hlc = h->hlc;
    m.key_id = h->key_id;
    m.prev_hash.data = (uint8_t *)h->prev_hash;
    m.prev_hash.len = MN_HASH_BYTES;
    m.n_deps = vv_to_pb(&h->deps, entries, ptrs);
    m.deps = ptrs;
    pack_into(&m.base, out);
}

static int
header_from(const Mentornet__ChangeHeader *m, mn_change_header *out) {
    if (!valid_origin(m->origin) || m->seq == 0 ||
        m->prev_hash.len != MN_HASH_BYTES)
        return MN_ECORRUPT;
    out->origin = m->origin;
    out->seq = m->seq;
    out->hlc = m->hlc;
    out->key_id = m->key_id;
    memcpy(out->prev_hash, m->prev_hash.data, MN_HASH_BYTES);
    return vv_from_pb(m->deps, m->n_deps, &out->deps);
}

int
mn_codec_header_decode(const uint8_t *p, size_t n, mn_change_header *out) {
    Mentornet__ChangeHeader *m = mentornet__change_header__unpack(NULL, n, p);
    if (!m)
        return MN_ECORRUPT;
    int rc = header_from(m, out);
    mentornet__change_header__free_unpacked(m, NULL);
    return rc;
}

/* Fill a FieldOp from an op; strings are borrowed, not copied. */
static void
op_to_pb(const mn_field_op *op, Mentornet__FieldOp *pb) {
    mentornet__field_op__init(pb);
    pb->field = op->no;
    switch (op->v.kind) {
    case MN_V_INT:
        pb->value_case = MENTORNET__FIELD_OP__VALUE_INT_VALUE;
        pb->int_value = op->v.i;
        break;
    case MN_V_STR:
        pb->value_case = MENTORNET__FIELD_OP__VALUE_STR_VALUE;
        pb->str_value = op->v.s;
        break;
    case MN_V_NONE:
        pb->value_case = MENTORNET__FIELD_OP__VALUE_CLEARED;
        pb->cleared = 1;
        break;
    }
}

void
mn_codec_body_encode(uint32_t type, const uint8_t id[MN_ID_BYTES],
                     const mn_field_op *ops, size_t nops, mn_buf *out) {
    Mentornet__ChangeBody m = MENTORNET__CHANGE_BODY__INIT;
    Mentornet__FieldOp pbs[MN_ENTITY_MAX_FIELDS];
    Mentornet__FieldOp *ptrs[MN_ENTITY_MAX_FIELDS];
    for (size_t i = 0; i < nops; i++) {
        op_to_pb(&ops[i], &pbs[i]);
        ptrs[i] = &pbs[i];
    }
    m.entity_type = type;
    m.entity_id.data = (uint8_t *)id;
    m.entity_id.len = MN_ID_BYTES;
    m.n_ops = nops;
    m.ops = ptrs;
    pack_into(&m.base, out);
}

static int
value_from(int vcase, int64_t i, const char *s, mn_value *v) {
    memset(v, 0, sizeof *v);
    if (vcase == MENTORNET__FIELD_OP__VALUE_INT_VALUE) {
        v->kind = MN_V_INT;
        v->i = i;
    } else if (vcase == MENTORNET__FIELD_OP__VALUE_STR_VALUE) {
        size_t len = strlen(s);
        if (len > MN_MAX_VALUE_BYTES)
            return MN_ECORRUPT;
        v->kind = MN_V_STR;
        v->s = mn_strndup(s, len);
        v->len = len;
    } else if (vcase == MENTORNET__FIELD_OP__VALUE_CLEARED) {
        v->kind = MN_V_NONE;
    } else {
        return MN_ECORRUPT;
    }
    return MN_OK;
}

/* Is no a field number any kind may use (known to this version or not)? */
static bool
valid_field_no(uint32_t no) {
    return no >= 1 && no <= MN_FIELD_NO_MAX;
}

static int
body_from(const Mentornet__ChangeBody *m, uint32_t *type,
          uint8_t id[MN_ID_BYTES], mn_ops *out) {
    const mn_kind *k = mn_kind_find(m->entity_type);
    /* No ops is a change whose ops are all in its private part (the
     * envelope refuses one that has no private part either). */
    if (!k || m->entity_id.len != MN_ID_BYTES ||
        m->n_ops > MN_ENTITY_MAX_FIELDS)
        return MN_ECORRUPT;
    *type = m->entity_type;
    memcpy(id, m->entity_id.data, MN_ID_BYTES);
    for (size_t i = 0; i < m->n_ops; i++) {
        const Mentornet__FieldOp *pb = m->ops[i];
        if (!valid_field_no(pb->field))
            return MN_ECORRUPT;
        mn_field_op *op = &out->op[out->n];
        op->no = pb->field;
        /* The oneof cases of FieldOp and FieldState are numbered alike
         * for int and string; cleared maps explicitly. */
        if (value_from((int)pb->value_case, pb->int_value, pb->str_value,
                       &op->v) != MN_OK)
            return MN_ECORRUPT;
        out->n++;
    }
    return MN_OK;
}

int
mn_codec_body_decode(const uint8_t *p, size_t n, uint32_t *type,
                     uint8_t id[MN_ID_BYTES], mn_ops *out) {
    Mentornet__ChangeBody *m = mentornet__change_body__unpack(NULL, n, p);
    if (!m)
        return MN_ECORRUPT;
    mn_ops_init(out);
    int rc = body_from(m, type, id, out);
    mentornet__change_body__free_unpacked(m, NULL);
    if (rc != MN_OK)
        mn_ops_release(out);
    return rc;
}

void
mn_codec_change_encode(const mn_change_view *c, mn_buf *out) {
    Mentornet__Change m = MENTORNET__CHANGE__INIT;
    m.header.data = (uint8_t *)c->header;
    m.header.len = c->header_len;
    m.nonce.data = (uint8_t *)c->nonce;
    m.nonce.len = MN_NONCE_BYTES;
    m.ciphertext.data = (uint8_t *)c->ciphertext;
    m.ciphertext.len = c->ciphertext_len;
    if (c->private_part) {
        m.private_part.data = (uint8_t *)c->private_part;
        m.private_part.len = c->private_len;
    } else if (c->private_hash) {
        m.private_hash.data = (uint8_t *)c->private_hash;
        m.private_hash.len = MN_HASH_BYTES;
    }
    pack_into(&m.base, out);
}

int
mn_codec_change_decode(const uint8_t *p, size_t n, mn_change_view *out) {
    Mentornet__Change *m = mentornet__change__unpack(NULL, n, p);
    if (!m)
        return MN_ECORRUPT;
    bool priv = m->private_part.len > 0, erased = m->private_hash.len > 0;
    if (m->nonce.len != MN_NONCE_BYTES || m->ciphertext.len < MN_TAG_BYTES ||
        m->header.len == 0 || (priv && erased) ||
        (priv && m->private_part.len < MN_NONCE_BYTES + MN_TAG_BYTES) ||
        (erased && m->private_hash.len != MN_HASH_BYTES)) {
        mentornet__change__free_unpacked(m, NULL);
        return MN_ECORRUPT;
    }
    out->msg = m;
    out->header = m->header.data;
    out->header_len = m->header.len;
    out->nonce = m->nonce.data;
    out->ciphertext = m->ciphertext.data;
    out->ciphertext_len = m->ciphertext.len;
    out->private_part = priv ? m->private_part.data : NULL;
    out->private_len = m->private_part.len;
    out->private_hash = erased ? m->private_hash.data : NULL;
    return MN_OK;
}

/* A protobuf varint at *p (before end); false when malformed. */
static bool
read_varint(const uint8_t **p, const uint8_t *end, uint64_t *v) {
    *v = 0;
    for (int shift = 0; *p < end && shift < 64; shift += 7) {
        uint8_t b = *(*p)++;
        *v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

int
mn_codec_change_header_bytes(const uint8_t *p, size_t n, mn_bytes *header) {
    const uint8_t *end = p + n;
    header->p = NULL;
    while (p < end) {
        uint64_t tag, len;
        if (!read_varint(&p, end, &tag) || (tag & 7) != 2 ||
            !read_varint(&p, end, &len) || len > (uint64_t)(end - p))
            return MN_ECORRUPT; /* Change has only length-delimited fields */
        if (tag >> 3 == 1)
            *header = (mn_bytes){p, (size_t)len};
        p += len;
    }
    return header->p ? MN_OK : MN_ECORRUPT;
}

int
mn_codec_change_private(const uint8_t *p, size_t n, size_t *at,
                        mn_bytes *part) {
    const uint8_t *start = p, *end = p + n;
    *at = n;
    *part = (mn_bytes){NULL, 0};
    while (p < end) {
        const uint8_t *field = p;
        uint64_t tag, len;
        if (!read_varint(&p, end, &tag) || (tag & 7) != 2 ||
            !read_varint(&p, end, &len) || len > (uint64_t)(end - p))
            return MN_ECORRUPT;
        if (tag >> 3 == 4) {
            if (p + len != end)
                return MN_ECORRUPT; /* the private part is the last field */
            *at = (size_t)(field - start);
            *part = (mn_bytes){p, (size_t)len};
        }
        p += len;
    }
    return MN_OK;
}

void
mn_codec_private_hash_field(const uint8_t hash[MN_HASH_BYTES],
                            uint8_t out[MN_PRIVATE_HASH_FIELD_BYTES]) {
    out[0] = 5 << 3 | 2; /* Change.private_hash, length-delimited */
    out[1] = MN_HASH_BYTES;
    memcpy(out + 2, hash, MN_HASH_BYTES);
}

void
mn_codec_change_release(mn_change_view *c) {
    if (c->msg)
        mentornet__change__free_unpacked(c->msg, NULL);
    c->msg = NULL;
}

void
mn_codec_sig_encode(const mn_chain_sig *s, mn_buf *out) {
    Mentornet__ChainSignature m = MENTORNET__CHAIN_SIGNATURE__INIT;
    m.origin = s->origin;
    m.seq = s->seq;
    m.head.data = (uint8_t *)s->head;
    m.head.len = MN_HASH_BYTES;
    m.sig.data = (uint8_t *)s->sig;
    m.sig.len = MN_SIG_BYTES;
    pack_into(&m.base, out);
}

int
mn_codec_sig_decode(const uint8_t *p, size_t n, mn_chain_sig *out) {
    Mentornet__ChainSignature *m =
        mentornet__chain_signature__unpack(NULL, n, p);
    if (!m)
        return MN_ECORRUPT;
    int rc = MN_ECORRUPT;
    if (valid_origin(m->origin) && m->seq > 0 && m->head.len == MN_HASH_BYTES &&
        m->sig.len == MN_SIG_BYTES) {
        out->origin = m->origin;
        out->seq = m->seq;
        memcpy(out->head, m->head.data, MN_HASH_BYTES);
        memcpy(out->sig, m->sig.data, MN_SIG_BYTES);
        rc = MN_OK;
    }
    mentornet__chain_signature__free_unpacked(m, NULL);
    return rc;
}

static void
field_to_pb(const mn_field *f, Mentornet__FieldState *pb) {
    mentornet__field_state__init(pb);
    pb->field = f->no;
    pb->hlc = f->stamp.hlc;
    pb->origin = f->stamp.origin;
    pb->seq = f->stamp.seq;
    switch (f->v.kind) {
    case MN_V_INT:
        pb->value_case = MENTORNET__FIELD_STATE__VALUE_INT_VALUE;
        pb->int_value = f->v.i;
        break;
    case MN_V_STR:
        pb->value_case = MENTORNET__FIELD_STATE__VALUE_STR_VALUE;
        pb->str_value = f->v.s;
        break;
    case MN_V_NONE:
        pb->value_case = MENTORNET__FIELD_STATE__VALUE_CLEARED;
        pb->cleared = 1;
        break;
    }
}

void
mn_codec_entity_encode(const mn_entity *e, mn_buf *out) {
    Mentornet__EntityState m = MENTORNET__ENTITY_STATE__INIT;
    Mentornet__FieldState pbs[MN_ENTITY_MAX_FIELDS];
    Mentornet__FieldState *ptrs[MN_ENTITY_MAX_FIELDS];
    for (size_t i = 0; i < e->n; i++) {
        field_to_pb(&e->f[i], &pbs[i]);
        ptrs[i] = &pbs[i];
    }
    m.entity_type = e->type;
    m.entity_id.data = (uint8_t *)e->id;
    m.entity_id.len = MN_ID_BYTES;
    m.n_fields = e->n;
    m.fields = ptrs;
    pack_into(&m.base, out);
}

static int
state_value_case(int c) {
    switch (c) {
    case MENTORNET__FIELD_STATE__VALUE_INT_VALUE:
        return MENTORNET__FIELD_OP__VALUE_INT_VALUE;
    case MENTORNET__FIELD_STATE__VALUE_STR_VALUE:
        return MENTORNET__FIELD_OP__VALUE_STR_VALUE;
    case MENTORNET__FIELD_STATE__VALUE_CLEARED:
        return MENTORNET__FIELD_OP__VALUE_CLEARED;
    default: return -1;
    }
}

static int
entity_from(const Mentornet__EntityState *m, mn_entity *out) {
    const mn_kind *k = mn_kind_find(m->entity_type);
    if (!k || m->entity_id.len != MN_ID_BYTES ||
        m->n_fields > MN_ENTITY_MAX_FIELDS)
        return MN_ECORRUPT;
    mn_entity_init(out, m->entity_type, m->entity_id.data);
    for (size_t i = 0; i < m->n_fields; i++) {
        const Mentornet__FieldState *pb = m->fields[i];
        mn_field *f = &out->f[out->n];
        if (!valid_field_no(pb->field) ||
            (i > 0 && pb->field <= out->f[i - 1].no) ||
            !valid_origin(pb->origin))
            return MN_ECORRUPT;
        f->no = pb->field;
        f->stamp = (mn_stamp){pb->hlc, pb->origin, pb->seq};
        if (value_from(state_value_case((int)pb->value_case), pb->int_value,
                       pb->str_value, &f->v) != MN_OK)
            return MN_ECORRUPT;
        out->n++;
    }
    return MN_OK;
}

int
mn_codec_entity_decode(const uint8_t *p, size_t n, mn_entity *out) {
    static const uint8_t no_id[MN_ID_BYTES];
    mn_entity_init(out, 0, no_id);
    Mentornet__EntityState *m = mentornet__entity_state__unpack(NULL, n, p);
    if (!m)
        return MN_ECORRUPT;
    int rc = entity_from(m, out);
    mentornet__entity_state__free_unpacked(m, NULL);
    if (rc != MN_OK)
        mn_entity_release(out);
    return rc;
}

/* ---- replication messages --------------------------------------------- */

static void
pack_peer(Mentornet__PeerMessage *m, mn_buf *out) {
    pack_into(&m->base, out);
}

void
mn_codec_hello_encode(uint32_t node, const mn_vv *vv, uint32_t credit,
                      mn_buf *out) {
    Mentornet__PeerMessage m = MENTORNET__PEER_MESSAGE__INIT;
    Mentornet__Hello h = MENTORNET__HELLO__INIT;
    Mentornet__VersionEntry entries[MN_VV_MAX];
    Mentornet__VersionEntry *ptrs[MN_VV_MAX];
    h.node = node;
    h.n_vv = vv_to_pb(vv, entries, ptrs);
    h.vv = ptrs;
    h.credit = credit;
    m.msg_case = MENTORNET__PEER_MESSAGE__MSG_HELLO;
    m.hello = &h;
    pack_peer(&m, out);
}

void
mn_codec_ack_encode(const mn_vv *vv, uint32_t credit, mn_buf *out) {
    Mentornet__PeerMessage m = MENTORNET__PEER_MESSAGE__INIT;
    Mentornet__Ack a = MENTORNET__ACK__INIT;
    Mentornet__VersionEntry entries[MN_VV_MAX];
    Mentornet__VersionEntry *ptrs[MN_VV_MAX];
    a.n_vv = vv_to_pb(vv, entries, ptrs);
    a.vv = ptrs;
    a.credit = credit;
    m.msg_case = MENTORNET__PEER_MESSAGE__MSG_ACK;
    m.ack = &a;
    pack_peer(&m, out);
}

void
mn_codec_batch_encode(uint32_t origin, const mn_bytes *changes, size_t n,
                      const mn_chain_sig *sig, mn_buf *out) {
    Mentornet__PeerMessage m = MENTORNET__PEER_MESSAGE__INIT;
    Mentornet__Batch b = MENTORNET__BATCH__INIT;
    Mentornet__ChainSignature s = MENTORNET__CHAIN_SIGNATURE__INIT;
    ProtobufCBinaryData *bins = mn_malloc(n * sizeof *bins);
    for (size_t i = 0; i < n; i++) {
        bins[i].data = (uint8_t *)changes[i].p;
        bins[i].len = changes[i].n;
    }
    s.origin = sig->origin;
    s.seq = sig->seq;
    s.head.data = (uint8_t *)sig->head;
    s.head.len = MN_HASH_BYTES;
    s.sig.data = (uint8_t *)sig->sig;
    s.sig.len = MN_SIG_BYTES;
    b.origin = origin;
    b.n_changes = n;
    b.changes = bins;
    b.sig = &s;
    m.msg_case = MENTORNET__PEER_MESSAGE__MSG_BATCH;
    m.batch = &b;
    pack_peer(&m, out);
    free(bins);
}

static int
sig_from_pb(const Mentornet__ChainSignature *s, mn_chain_sig *out) {
    if (!s || !valid_origin(s->origin) || s->seq == 0 ||
        s->head.len != MN_HASH_BYTES || s->sig.len != MN_SIG_BYTES)
        return MN_ECORRUPT;
    out->origin = s->origin;
    out->seq = s->seq;
    memcpy(out->head, s->head.data, MN_HASH_BYTES);
    memcpy(out->sig, s->sig.data, MN_SIG_BYTES);
    return MN_OK;
}

static int
batch_from_pb(const Mentornet__Batch *b, mn_peer_msg *out) {
    if (!valid_origin(b->origin) || b->n_changes == 0 ||
        b->n_changes > MN_BATCH_MAX_CHANGES)
        return MN_ECORRUPT;
    int rc = sig_from_pb(b->sig, &out->sig);
    if (rc != MN_OK)
        return rc;
    out->origin = b->origin;
    out->nchanges = b->n_changes;
    out->changes = mn_malloc(b->n_changes * sizeof *out->changes);
    for (size_t i = 0; i < b->n_changes; i++)
        out->changes[i] = (mn_bytes){b->changes[i].data, b->changes[i].len};
    return MN_OK;
}

static int
peer_from_pb(const Mentornet__PeerMessage *m, mn_peer_msg *out) {
    switch (m->msg_case) {
    case MENTORNET__PEER_MESSAGE__MSG_HELLO:
        out->kind = MN_MSG_HELLO;
        if (!valid_node(m->hello->node))
            return MN_ECORRUPT;
        out->node = m->hello->node;
        out->credit = m->hello->credit;
        return vv_from_pb(m->hello->vv, m->hello->n_vv, &out->vv);
    case MENTORNET__PEER_MESSAGE__MSG_ACK:
        out->kind = MN_MSG_ACK;
        out->credit = m->ack->credit;
        return vv_from_pb(m->ack->vv, m->ack->n_vv, &out->vv);
    case MENTORNET__PEER_MESSAGE__MSG_BATCH:
        out->kind = MN_MSG_BATCH;
        return batch_from_pb(m->batch, out);
    default: return MN_ECORRUPT;
    }
}

int
mn_codec_peer_decode(const uint8_t *p, size_t n, mn_peer_msg *out) {
    memset(out, 0, sizeof *out);
    Mentornet__PeerMessage *m = mentornet__peer_message__unpack(NULL, n, p);
    if (!m)
        return MN_ECORRUPT;
    out->msg = m;
    int rc = peer_from_pb(m, out);
    if (rc != MN_OK)
        mn_codec_peer_release(out);
    return rc;
}

void
mn_codec_peer_release(mn_peer_msg *m) {
    free(m->changes);
    m->changes = NULL;
    if (m->msg)
        mentornet__peer_message__free_unpacked(m->msg, NULL);
    m->msg = NULL;
}
