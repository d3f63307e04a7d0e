/*
 * envelope — see envelope.h. Everything here is a pure function of its
 * arguments (plus a random nonce when sealing): no store, no clock.
 */
#include "change/envelope.h"

#include <assert.h>
#include <string.h>

int
mn_envelope_key_check(uint32_t key_id) {
    return key_id == MN_NETWORK_KEY_ID ? MN_OK : MN_ECRYPTO;
}

void
mn_envelope_log_key(uint32_t origin, uint64_t seq,
                    uint8_t key[MN_LOG_KEY_BYTES]) {
    mn_put_be32(key, origin);
    mn_put_be64(key + 4, seq);
}

int
mn_envelope_log_key_parse(const void *key, size_t n, uint32_t *origin,
                          uint64_t *seq) {
    if (n != MN_LOG_KEY_BYTES)
        return MN_ECORRUPT;
    *origin = mn_get_be32(key);
    *seq = mn_get_be64((const uint8_t *)key + 4);
    return MN_OK;
}

void
mn_envelope_chain_hash(const void *change, size_t n,
                       uint8_t out[MN_HASH_BYTES]) {
    size_t at;
    mn_bytes part;
    uint8_t field[MN_PRIVATE_HASH_FIELD_BYTES], h[MN_HASH_BYTES];
    if (mn_codec_change_private(change, n, &at, &part) != MN_OK || !part.p) {
        mn_crypto_hash2(change, n, NULL, 0, out);
        return;
    }
    mn_crypto_hash2(part.p, part.n, NULL, 0, h);
    mn_codec_private_hash_field(h, field);
    mn_crypto_hash2(change, at, field, sizeof field, out);
}

int
mn_envelope_erase(const void *c, size_t n, mn_buf *out) {
    size_t at;
    mn_bytes part;
    uint8_t h[MN_HASH_BYTES];
    int rc = mn_codec_change_private(c, n, &at, &part);
    if (rc != MN_OK)
        return rc;
    if (!part.p)
        return MN_ENOTFOUND;
    mn_crypto_hash2(part.p, part.n, NULL, 0, h);
    mn_buf_reset(out);
    mn_buf_reserve(out, at + MN_PRIVATE_HASH_FIELD_BYTES);
    memcpy(out->p, c, at);
    mn_codec_private_hash_field(h, out->p + at);
    out->len = at + MN_PRIVATE_HASH_FIELD_BYTES;
    return MN_OK;
}

int
mn_envelope_header(const void *change, size_t n, mn_change_header *h) {
    mn_bytes header;
    int rc = mn_codec_change_header_bytes(change, n, &header);
    return rc == MN_OK ? mn_codec_header_decode(header.p, header.n, h) : rc;
}

void
mn_sealer_release(mn_sealer *s) {
    mn_buf_release(&s->body);
    mn_buf_release(&s->header);
    mn_buf_release(&s->cipher);
    mn_buf_release(&s->private_part);
    mn_buf_release(&s->change);
}

/* Encode (type, id, ops) into s->body and append nonce, then its AEAD
 * under s->key with the header as associated data, to out. */
static void
seal_part(mn_sealer *s, uint32_t type, const uint8_t id[MN_ID_BYTES],
          const mn_ops *ops, uint8_t *nonce, mn_buf *out) {
    mn_buf_reset(&s->body);
    mn_codec_body_encode(type, id, ops->op, ops->n, &s->body);
    size_t at = out->len;
    mn_buf_reserve(out, at + s->body.len + MN_TAG_BYTES);
    mn_crypto_seal(s->key, s->header.p, s->header.len, s->body.p, s->body.len,
                   nonce, out->p + at);
    out->len = at + s->body.len + MN_TAG_BYTES;
}

void
mn_envelope_seal(mn_sealer *s, const mn_change_header *h, uint32_t type,
                 const uint8_t id[MN_ID_BYTES], const mn_ops *ops,
                 const mn_ops *private_ops) {
    uint8_t nonce[MN_NONCE_BYTES];
    assert(mn_envelope_key_check(h->key_id) == MN_OK);
    mn_buf_reset(&s->header);
    mn_buf_reset(&s->cipher);
    mn_buf_reset(&s->private_part);
    mn_buf_reset(&s->change);
    mn_codec_header_encode(h, &s->header);
    seal_part(s, type, id, ops, nonce, &s->cipher);
    bool priv = private_ops && private_ops->n > 0;
    if (priv) {
        uint8_t pnonce[MN_NONCE_BYTES];
        mn_buf_reserve(&s->private_part, MN_NONCE_BYTES);
        s->private_part.len = MN_NONCE_BYTES;
        seal_part(s, type, id, private_ops, pnonce, &s->private_part);
        memcpy(s->private_part.p, pnonce, MN_NONCE_BYTES); /* moved by then */
    }
    mn_change_view view = {.header = s->header.p,
                           .header_len = s->header.len,
                           .nonce = nonce,
                           .ciphertext = s->cipher.p,
                           .ciphertext_len = s->cipher.len,
                           .private_part = priv ? s->private_part.p : NULL,
                           .private_len = s->private_part.len};
    mn_codec_change_encode(&view, &s->change);
    s->has_private = priv;
    mn_envelope_chain_hash(s->change.p, s->change.len, s->hash);
}

/* Decrypt part (nonce, then ciphertext and tag) into plain and decode it
 * into ops (appended). MN_ECRYPTO or MN_ECORRUPT. */
static int
open_part(const uint8_t key[MN_KEY_BYTES], const mn_change_view *v,
          const uint8_t *nonce, const uint8_t *c, size_t n, mn_buf *plain,
          uint32_t *type, uint8_t id[MN_ID_BYTES], mn_ops *ops) {
    if (n < MN_TAG_BYTES)
        return MN_ECRYPTO;
    size_t plen = n - MN_TAG_BYTES;
    mn_buf_reset(plain);
    mn_buf_reserve(plain, plen + 1); /* + 1: never a NULL buffer */
    if (mn_crypto_open(key, v->header, v->header_len, nonce, c, n, plain->p) !=
        MN_OK)
        return MN_ECRYPTO;
    plain->len = plen;
    return mn_codec_body_decode(plain->p, plen, type, id, ops) == MN_OK
               ? MN_OK
               : MN_ECORRUPT;
}

int
mn_envelope_open(const uint8_t key[MN_KEY_BYTES], const mn_change_view *v,
                 const mn_change_header *h, mn_buf *plain, uint32_t *type,
                 uint8_t id[MN_ID_BYTES], mn_ops *ops) {
    mn_ops_init(ops);
    if (mn_envelope_key_check(h->key_id) != MN_OK)
        return MN_ECRYPTO;
    int rc = open_part(key, v, v->nonce, v->ciphertext, v->ciphertext_len,
                       plain, type, id, ops);
    if (rc == MN_OK && ops->n == 0 && !v->private_part && !v->private_hash)
        rc = MN_ECORRUPT; /* a change writes something */
    if (rc != MN_OK || !v->private_part)
        return rc;
    mn_ops priv;
    mn_ops_init(&priv);
    uint32_t ptype;
    uint8_t pid[MN_ID_BYTES];
    rc = open_part(key, v, v->private_part, v->private_part + MN_NONCE_BYTES,
                   v->private_len - MN_NONCE_BYTES, plain, &ptype, pid, &priv);
    if (rc == MN_OK && (ptype != *type || memcmp(pid, id, MN_ID_BYTES) != 0 ||
                        ops->n + priv.n > MN_ENTITY_MAX_FIELDS))
        rc = MN_ECORRUPT; /* one change writes one entity */
    for (size_t i = 0; rc == MN_OK && i < priv.n; i++)
        ops->op[ops->n++] = priv.op[i]; /* the strings move to ops */
    if (rc == MN_OK)
        priv.n = 0;
    else if (rc != MN_ECRYPTO && rc != MN_ECORRUPT)
        rc = MN_ECORRUPT;
    mn_ops_release(&priv);
    if (rc != MN_OK)
        mn_ops_release(ops);
    return rc;
}

void
mn_envelope_signed_msg(uint32_t origin, uint64_t seq,
                       const uint8_t head[MN_HASH_BYTES],
                       uint8_t msg[MN_SIGNED_MSG_BYTES]) {
    mn_envelope_log_key(origin, seq, msg);
    memcpy(msg + MN_LOG_KEY_BYTES, head, MN_HASH_BYTES);
}

void
mn_envelope_sign_head(const uint8_t sk[MN_SIGN_SECRET_BYTES], uint32_t origin,
                      uint64_t seq, const uint8_t head[MN_HASH_BYTES],
                      mn_chain_sig *sig) {
    uint8_t msg[MN_SIGNED_MSG_BYTES];
    sig->origin = origin;
    sig->seq = seq;
    memcpy(sig->head, head, MN_HASH_BYTES);
    mn_envelope_signed_msg(origin, seq, head, msg);
    mn_crypto_sign(sk, msg, sizeof msg, sig->sig);
}

int
mn_envelope_verify_head(const uint8_t pk[MN_KEY_BYTES],
                        const mn_chain_sig *sig) {
    uint8_t msg[MN_SIGNED_MSG_BYTES];
    mn_envelope_signed_msg(sig->origin, sig->seq, sig->head, msg);
    return mn_crypto_verify(pk, msg, sizeof msg, sig->sig);
}
