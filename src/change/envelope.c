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
    mn_crypto_hash2(change, n, NULL, 0, out);
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
    mn_buf_release(&s->change);
}

void
mn_envelope_seal(mn_sealer *s, const mn_change_header *h, uint32_t type,
                 const uint8_t id[MN_ID_BYTES], const mn_ops *ops) {
    uint8_t nonce[MN_NONCE_BYTES];
    assert(mn_envelope_key_check(h->key_id) == MN_OK);
    mn_buf_reset(&s->body);
    mn_buf_reset(&s->header);
    mn_buf_reset(&s->cipher);
    mn_buf_reset(&s->change);
    mn_codec_body_encode(type, id, ops->op, ops->n, &s->body);
    mn_codec_header_encode(h, &s->header);
    mn_buf_reserve(&s->cipher, s->body.len + MN_TAG_BYTES);
    mn_crypto_seal(s->key, s->header.p, s->header.len, s->body.p, s->body.len,
                   nonce, s->cipher.p);
    s->cipher.len = s->body.len + MN_TAG_BYTES;
    mn_change_view view = {NULL,  s->header.p, s->header.len,
                           nonce, s->cipher.p, s->cipher.len};
    mn_codec_change_encode(&view, &s->change);
    mn_envelope_chain_hash(s->change.p, s->change.len, s->hash);
}

int
mn_envelope_open(const uint8_t key[MN_KEY_BYTES], const mn_change_view *v,
                 const mn_change_header *h, mn_buf *plain, uint32_t *type,
                 uint8_t id[MN_ID_BYTES], mn_ops *ops) {
    mn_ops_init(ops);
    if (mn_envelope_key_check(h->key_id) != MN_OK ||
        v->ciphertext_len < MN_TAG_BYTES)
        return MN_ECRYPTO;
    size_t plen = v->ciphertext_len - MN_TAG_BYTES;
    mn_buf_reset(plain);
    mn_buf_reserve(plain, plen + 1); /* + 1: never a NULL buffer */
    if (mn_crypto_open(key, v->header, v->header_len, v->nonce, v->ciphertext,
                       v->ciphertext_len, plain->p) != MN_OK)
        return MN_ECRYPTO;
    plain->len = plen;
    return mn_codec_body_decode(plain->p, plen, type, id, ops) == MN_OK
               ? MN_OK
               : MN_ECORRUPT;
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
