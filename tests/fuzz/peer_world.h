/*
 * peer_world — a small, fully deterministic replication world shared by
 * fuzz_peer (which builds it in the node under test) and gen_corpus (which
 * writes valid messages against it as seeds).
 *
 * Three divisions: 1 is the node under test, 2 is the peer whose messages
 * the fuzzer forges, 3 is a third origin that 2 relays. Keys come from fixed
 * seeds and change nonces from a hash of the change, so the same code builds
 * byte-identical chains in every process: a seed written today still chains,
 * decrypts and verifies against the world fuzz_peer builds tomorrow.
 *
 * The baseline the node holds before every input: origin 1 seq 1..3 (signed
 * at 3), origin 3 seq 1..4 (signed at 2 and 4), with one recorded conflict
 * on membership X of participant A (origins 1 and 3 wrote its left_at, a
 * field any division writes, concurrently).
 */
#ifndef MN_PEER_WORLD_H
#define MN_PEER_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "door/codec.h"
#include "state/entity.h"
#include "base/hlc.h"
#include "base/util.h"

/* The fixed clock of the world: 2026-01-01T00:00:00Z. */
#define PW_NOW_MS UINT64_C(1767225600000)
#define PW_SELF 1
#define PW_PEER 2
#define PW_OTHER 3
#define PW_NODES 3
/* A change made ms milliseconds before PW_NOW_MS. */
#define PW_HLC(ms_before) MN_HLC_MAKE(PW_NOW_MS - (ms_before), 0)
#define PW_BATCH_MAX 16
#define PW_DRIFT_MS 300000

/* The first input byte of fuzz_peer. */
#define PW_FLAG_SERVER 0x01  /* deliver on MN_CH_SERVER (else CLIENT) */
#define PW_FLAG_HELLO 0x02   /* first open a server session (canned Hello) */
#define PW_FLAG_PENDING 0x04 /* first queue the canned pending batch */
#define PW_FLAG_TICK 0x08    /* afterwards let time pass (mn_repl_on_tick) */
#define PW_FLAG_SEAL 0x10    /* the rest is sealed records (pw_seal_batch) */
#define PW_FLAG_MASK 0x1f    /* the other bits are ignored */

void pw_sign_keypair(uint32_t node, uint8_t pk[MN_KEY_BYTES],
                     uint8_t sk[MN_SIGN_SECRET_BYTES]);
void pw_network_key(uint8_t key[MN_KEY_BYTES]);

/* One origin's hash chain as made so far. */
typedef struct pw_chain {
    uint32_t origin;
    uint64_t seq;                /* of the last change made; 0: none */
    uint8_t head[MN_HASH_BYTES]; /* BLAKE2b of the last change */
} pw_chain;

/* Changes of one origin, as their Change bytes, for one Batch. */
typedef struct pw_batch {
    size_t n;
    mn_buf change[PW_BATCH_MAX];
} pw_batch;

typedef struct pw_world {
    pw_chain chain[PW_NODES + 1]; /* [origin] */
    mn_vv vv;                     /* the node's vector after the baseline */
    uint8_t id_a[MN_ID_BYTES];    /* mentor, made by 1 */
    uint8_t id_b[MN_ID_BYTES];    /* mentee, made by 3 */
    uint8_t id_c[MN_ID_BYTES];    /* mentee, made by 1 */
    uint8_t id_d[MN_ID_BYTES];    /* not in the baseline */
    uint8_t id_x[MN_ID_BYTES];    /* A's membership, made by 1 */
} pw_world;

/* A change spec. deps[origin] is set to seq - 1 by pw_change. */
typedef struct pw_spec {
    uint64_t hlc;
    uint32_t key_id; /* 0 means the network key's id, 1 */
    mn_vv deps;
    uint32_t type; /* 0 means participant */
    const uint8_t *id;
    mn_ops ops;
} pw_spec;

void pw_spec_init(pw_spec *s, uint64_t hlc, const uint8_t id[MN_ID_BYTES]);
void pw_spec_release(pw_spec *s);
/* Append op no = z as a division's change carries a personal or special
 * value, sealed to its home (README "Compartments"). The node under test
 * checks only the form of a value sealed to another division, so a fixed
 * stand-in of that form ("~1", then z in hex, padded) keeps the world
 * deterministic. */
void pw_add_sealed(mn_ops *ops, uint32_t no, const char *z);
/* Ops of a participant create (role "mentor"/"mentee", home division),
 * her names sealed. */
void pw_spec_create(pw_spec *s, const char *role, uint32_t home,
                    const char *given, const char *family);

/* Make c's next change from s (encode, encrypt, chain) into b. */
void pw_change(pw_chain *c, const pw_spec *s, pw_batch *b);
/* The same from an already encoded ChangeBody (which may be anything). */
void pw_change_raw(pw_chain *c, uint64_t hlc, uint32_t key_id,
                   const mn_vv *deps, const uint8_t *body, size_t body_len,
                   pw_batch *b);
void pw_batch_init(pw_batch *b);
void pw_batch_release(pw_batch *b);
/* Encode b as a PeerMessage Batch signed at c's head by signer's key
 * (normally c->origin). */
void pw_batch_encode(const pw_batch *b, const pw_chain *c, uint32_t signer,
                     mn_buf *out);

/*
 * PW_FLAG_SEAL inputs: records of [selector u8][length be16][ChangeBody
 * bytes], each made origin 2's next change from seq 1 (encrypted, chained,
 * signed by 2) as a legitimate but buggy or compromised division would, so
 * arbitrary bodies reach decoding and apply. The selector sets the clock and
 * whether the change waits for a dependency. false: no record.
 */
bool pw_seal_batch(const uint8_t *p, size_t n, const mn_vv *base, mn_buf *out);
/* Append one such record to out. */
void pw_seal_record(uint8_t sel, const uint8_t *body, size_t len, mn_buf *out);

/* Build the baseline world; appends its Batch messages to msgs (each
 * mn_buf initialised here; the caller releases). Returns their count. */
size_t pw_world_baseline(pw_world *w, mn_buf *msgs, size_t cap);

/* The canned messages of PW_FLAG_HELLO and PW_FLAG_PENDING. The pending
 * batch is origin 2 seq 1..2, depending on origin 3 seq 5: it advances
 * w->chain[2]. */
void pw_canned_hello(mn_buf *out);
void pw_canned_pending(pw_world *w, mn_buf *out);

#endif
