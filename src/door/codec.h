/*
 * codec — the project's only door to the generated protobuf-c code. It
 * turns the project's own structs into the bytes of proto/mentornet.proto
 * and back.
 *
 * Every decoder takes bytes from outside (a peer, the disk) and validates
 * them completely: lengths of ids, hashes, nonces and signatures, node ids in
 * range, field counts bounded, entity types known to the kind registry
 * (state/kind.h: an unknown one is MN_ECORRUPT) and field numbers
 * 1..MN_FIELD_NO_MAX (one this version's table lacks is kept: entity.h). A
 * decoder never asserts on its input; it returns MN_ECORRUPT.
 */
#ifndef MN_CODEC_H
#define MN_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "door/crypto.h"
#include "state/entity.h"
#include "base/util.h"

typedef struct mn_change_header {
    uint32_t origin;
    uint64_t seq;
    uint64_t hlc;
    uint32_t key_id;
    uint8_t prev_hash[MN_HASH_BYTES];
    mn_vv deps;
} mn_change_header;

/* A Change envelope. From mn_codec_change_decode, the pointers point into
 * the decoded message, owned by the view: mn_codec_change_release frees it.
 * To encode, set the pointers and leave msg NULL. */
typedef struct mn_change_view {
    void *msg;
    const uint8_t *header;
    size_t header_len;
    const uint8_t *nonce; /* MN_NONCE_BYTES */
    const uint8_t *ciphertext;
    size_t ciphertext_len;
    /* The private part (nonce, ciphertext and tag), or NULL; or, once it
     * is erased, its hash (MN_HASH_BYTES), or NULL. Never both. */
    const uint8_t *private_part;
    size_t private_len;
    const uint8_t *private_hash;
} mn_change_view;

typedef struct mn_chain_sig {
    uint32_t origin;
    uint64_t seq;
    uint8_t head[MN_HASH_BYTES];
    uint8_t sig[MN_SIG_BYTES];
} mn_chain_sig;

/* A verified, decrypted change from a peer, ready to apply (the node
 * applies it; the replication engine builds it). */
typedef struct mn_remote_change {
    mn_change_header h;
    mn_bytes raw;                /* the Change bytes, logged as-is */
    uint8_t hash[MN_HASH_BYTES]; /* BLAKE2b of raw */
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;       /* public ops, then the private part's */
    bool has_private; /* raw holds a private part (not erased) */
    int result;       /* OUT: MN_OK, MN_EEXIST (had it), MN_EGAP (too early) */
} mn_remote_change;

/* Appends to out (not reset). */
void mn_codec_header_encode(const mn_change_header *h, mn_buf *out);
int mn_codec_header_decode(const uint8_t *p, size_t n,
                           mn_change_header *out) MN_MUST_CHECK;

/* ChangeBody: the entity and its ops. Decoded ops are owned by out (an
 * mn_ops, released with mn_ops_release). */
void mn_codec_body_encode(uint32_t type, const uint8_t id[MN_ID_BYTES],
                          const mn_field_op *ops, size_t nops, mn_buf *out);
int mn_codec_body_decode(const uint8_t *p, size_t n, uint32_t *type,
                         uint8_t id[MN_ID_BYTES], mn_ops *out) MN_MUST_CHECK;

/* Change envelope. encode appends header, nonce and ciphertext as given. */
void mn_codec_change_encode(const mn_change_view *c, mn_buf *out);
int mn_codec_change_decode(const uint8_t *p, size_t n,
                           mn_change_view *out) MN_MUST_CHECK;
void mn_codec_change_release(mn_change_view *c);
/* Where an encoded Change's private part is, without decoding it: OUT:
 * at, the offset of its field (n when there is none, for an erased or
 * public-only change), and part, its bytes (NULL when none). The part is
 * always the last field (fields are encoded in number order). MN_ECORRUPT
 * when malformed. */
int mn_codec_change_private(const uint8_t *p, size_t n, size_t *at,
                            mn_bytes *part) MN_MUST_CHECK;
/* The field that stands for an erased private part: its hash. OUT: out,
 * MN_PRIVATE_HASH_FIELD_BYTES. */
#define MN_PRIVATE_HASH_FIELD_BYTES (2 + MN_HASH_BYTES)
void mn_codec_private_hash_field(const uint8_t hash[MN_HASH_BYTES],
                                 uint8_t out[MN_PRIVATE_HASH_FIELD_BYTES]);
/* The header bytes of an encoded Change, without decoding the rest (no
 * copy: header points into p). MN_ECORRUPT when malformed. */
int mn_codec_change_header_bytes(const uint8_t *p, size_t n,
                                 mn_bytes *header) MN_MUST_CHECK;

void mn_codec_sig_encode(const mn_chain_sig *s, mn_buf *out);
int mn_codec_sig_decode(const uint8_t *p, size_t n,
                        mn_chain_sig *out) MN_MUST_CHECK;

/* EntityState; decode fills *out (mn_entity_release frees). */
void mn_codec_entity_encode(const mn_entity *e, mn_buf *out);
int mn_codec_entity_decode(const uint8_t *p, size_t n,
                           mn_entity *out) MN_MUST_CHECK;

/* ---- replication messages ---- */

enum mn_msg_kind { MN_MSG_HELLO = 1, MN_MSG_BATCH, MN_MSG_ACK };

/* The most changes one Batch may carry (the decoder refuses more). */
#define MN_BATCH_MAX_CHANGES 1024

/* A decoded PeerMessage. Batch change bytes point into the decoded message,
 * owned by this struct: mn_codec_peer_release frees it. */
typedef struct mn_peer_msg {
    enum mn_msg_kind kind;
    uint32_t node;     /* hello */
    mn_vv vv;          /* hello, ack */
    uint32_t credit;   /* hello, ack */
    uint32_t origin;   /* batch */
    size_t nchanges;   /* batch */
    mn_bytes *changes; /* batch */
    mn_chain_sig sig;  /* batch */
    void *msg;
} mn_peer_msg;

void mn_codec_hello_encode(uint32_t node, const mn_vv *vv, uint32_t credit,
                           mn_buf *out);
void mn_codec_ack_encode(const mn_vv *vv, uint32_t credit, mn_buf *out);
void mn_codec_batch_encode(uint32_t origin, const mn_bytes *changes, size_t n,
                           const mn_chain_sig *sig, mn_buf *out);
int mn_codec_peer_decode(const uint8_t *p, size_t n,
                         mn_peer_msg *out) MN_MUST_CHECK;
void mn_codec_peer_release(mn_peer_msg *m);

#endif
