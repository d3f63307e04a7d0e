/*
 * envelope — a change as it travels and is logged: the one place that
 * seals, opens, chains and signs changes, and that lays out the log key
 * and the signed message. Both the writer (seal, sign) and the engine
 * (open, verify) call it, so the two sides cannot drift apart.
 *
 *   Change  = header, nonce, ciphertext, [private part | private hash]
 *   header  = origin, seq, HLC, key id, prev hash, deps  (associated data)
 *   ciphertext = XChaCha20-Poly1305(network key[key id], nonce,
 *                                   body = type, id, public ops; ad = header)
 *   private part = nonce', XChaCha20-Poly1305(network key, nonce',
 *                                   body = type, id, private ops; ad = header)
 *   chain hash = BLAKE2b-256(the Change's erased form: its bytes with the
 *                private part replaced by private hash = BLAKE2b-256(part));
 *                each header names the chain hash of its origin's previous
 *                change
 *
 * Erasing a change (README "Erasure") swaps its private part for its hash:
 * the chain hash, so every chain and signature, stays the same.
 *   log key = origin be32, seq be64  (12 bytes; sorts by origin, then seq)
 *   signed  = log key of (origin, seq), then the chain head at seq
 *
 * Invariants: the body is encoded once, by its origin; relays keep the
 * Change bytes exactly as sealed, so the chain hash and signature verify
 * anywhere without re-encoding. A key id is checked by
 * mn_envelope_key_check on both sides: sealing with an unknown id is a
 * programmer error, opening one is refused.
 */
#ifndef MN_ENVELOPE_H
#define MN_ENVELOPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "door/codec.h"
#include "door/crypto.h"
#include "state/entity.h"

/* The id of the network key every change is sealed under today. A key
 * rotation adds an id here and teaches mn_envelope_key_check about it. */
#define MN_NETWORK_KEY_ID 1u

/* Bytes of a log key: origin be32, seq be64. */
#define MN_LOG_KEY_BYTES 12
/* Bytes an origin signs: a log key, then a chain hash. */
#define MN_SIGNED_MSG_BYTES (MN_LOG_KEY_BYTES + MN_HASH_BYTES)

/* MN_OK if key_id names a network key this node holds, else MN_ECRYPTO. */
int mn_envelope_key_check(uint32_t key_id) MN_MUST_CHECK;

/* The log (and signature) key of (origin, seq). */
void mn_envelope_log_key(uint32_t origin, uint64_t seq,
                         uint8_t key[MN_LOG_KEY_BYTES]);
/* Split a log key read from the store. OUT: origin, seq. MN_ECORRUPT when
 * it is not MN_LOG_KEY_BYTES long. */
int mn_envelope_log_key_parse(const void *key, size_t n, uint32_t *origin,
                              uint64_t *seq) MN_MUST_CHECK;

/* The chain hash of a Change's bytes (what the next header's prev hash and
 * a signature's head name), whether its private part is there or erased. */
void mn_envelope_chain_hash(const void *change, size_t n,
                            uint8_t out[MN_HASH_BYTES]);

/* The header of logged or received Change bytes, without decoding or
 * copying the rest. OUT: h. MN_ECORRUPT when malformed. */
int mn_envelope_header(const void *change, size_t n,
                       mn_change_header *h) MN_MUST_CHECK;

/*
 * A sealer: the network key (borrowed: its owner keeps it alive and wipes
 * it) and buffers reused from one change to the next. Zero-initialise,
 * set key, and release with mn_sealer_release.
 */
typedef struct mn_sealer {
    const uint8_t *key;          /* MN_KEY_BYTES, key id MN_NETWORK_KEY_ID */
    mn_buf body, header, cipher; /* scratch */
    mn_buf private_part;         /* scratch */
    mn_buf change;               /* OUT of the last seal: the Change bytes */
    bool has_private;            /* OUT of the last seal: a private part */
    uint8_t hash[MN_HASH_BYTES]; /* OUT of the last seal: its chain hash */
} mn_sealer;

void mn_sealer_release(mn_sealer *s);

/*
 * Seal one change: encode the body (type, id, ops) once, encrypt it under
 * s->key with the encoded header h as associated data and a fresh random
 * nonce, the same for private_ops (if any) as the private part, and encode
 * the Change. OUT: s->change (valid until the next seal)
 * and s->hash. h->key_id must pass mn_envelope_key_check (asserted).
 */
void mn_envelope_seal(mn_sealer *s, const mn_change_header *h, uint32_t type,
                      const uint8_t id[MN_ID_BYTES], const mn_ops *ops,
                      const mn_ops *private_ops);

/* The erased form of Change bytes c: its private part replaced by that
 * part's hash. OUT: out (reset). MN_ENOTFOUND when c holds no private part
 * (public only, or erased already); MN_ECORRUPT when malformed. */
int mn_envelope_erase(const void *c, size_t n, mn_buf *out) MN_MUST_CHECK;

/*
 * Open a received or logged change: check its key id, decrypt v's
 * ciphertext under key with v's header bytes as associated data (h is
 * those bytes decoded), and decode the body, then the private part's, if
 * it is there (of the same entity). plain is scratch (reset here). OUT:
 * type, id, ops: the public ops, then the private ones (owned by the
 * caller: mn_ops_release; left empty on failure). Returns MN_OK; MN_ECRYPTO
 * when the key id is unknown or the header, nonce, ciphertext or key do not
 * match; MN_ECORRUPT when the body does not decode.
 */
int mn_envelope_open(const uint8_t key[MN_KEY_BYTES], const mn_change_view *v,
                     const mn_change_header *h, mn_buf *plain, uint32_t *type,
                     uint8_t id[MN_ID_BYTES], mn_ops *ops) MN_MUST_CHECK;

/* The message an origin signs for its chain head at (origin, seq). */
void mn_envelope_signed_msg(uint32_t origin, uint64_t seq,
                            const uint8_t head[MN_HASH_BYTES],
                            uint8_t msg[MN_SIGNED_MSG_BYTES]);

/* Sign origin's chain head at seq with its secret key sk. OUT: sig, all
 * fields set. */
void mn_envelope_sign_head(const uint8_t sk[MN_SIGN_SECRET_BYTES],
                           uint32_t origin, uint64_t seq,
                           const uint8_t head[MN_HASH_BYTES],
                           mn_chain_sig *sig);

/* MN_OK if sig is the signature of its (origin, seq, head) by the holder
 * of pk, else MN_ECRYPTO. The caller checks that head is the chain hash it
 * expects and that pk is sig->origin's key. */
int mn_envelope_verify_head(const uint8_t pk[MN_KEY_BYTES],
                            const mn_chain_sig *sig) MN_MUST_CHECK;

#endif
