/*
 * rogue — hostile peers for the cluster tests, built from the project's
 * own transport, codec and crypto (this module links the library):
 *
 * - an impostor: a transport with a fresh, unknown CURVE key pair that
 *   connects to a victim's ROUTER (the victim's ZAP handler must refuse it);
 * - a rogue server: a transport bound on a configured peer's replication
 *   address with that peer's own CURVE keys from the shared keys dir (the
 *   peer's real node stopped first). The victim's DEALER connects to it as
 *   to the real peer and says Hello; the rogue answers with whatever Batch
 *   bytes a test crafts;
 * - a forge for Change bytes, chain signatures and Batches, following
 *   src/node.c (seal_change, sign_head) step by step, so that a test can
 *   make a change that is valid in every respect but one;
 * - a reader for an origin's chain (its logged Change bytes and its stored
 *   signatures) from a copy of a node's store (GET /v1/backup).
 *
 * One thread owns a rogue (the transport is not thread-safe).
 */
#ifndef MN_CLUSTER_ROGUE_H
#define MN_CLUSTER_ROGUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cluster.h"
#include "door/codec.h"
#include "door/crypto.h"
#include "state/entity.h"
#include "base/util.h"

/* Initialise libsodium in the test process; 0 on success. */
int cl_crypto_init(void);

/* ---- keys ------------------------------------------------------------- */

typedef struct cl_keys {
    uint8_t sign_pk[MN_KEY_BYTES];
    uint8_t sign_sk[MN_SIGN_SECRET_BYTES];
    uint8_t curve_pk[MN_KEY_BYTES];
    uint8_t curve_sk[MN_KEY_BYTES];
    uint8_t network[MN_KEY_BYTES];
} cl_keys;

/* Node i's keys (and the network key) from the cluster's keys dir. */
int cl_keys_read(const cl_cluster *c, size_t i, cl_keys *out);
void cl_keys_wipe(cl_keys *k);

/* ---- a chain read from a store copy ----------------------------------- */

typedef struct cl_chain {
    uint32_t origin;
    size_t n;                    /* changes of seq 1..n */
    mn_buf *change;              /* change[k]: the bytes of seq k+1 */
    uint8_t head[MN_HASH_BYTES]; /* hash of change n (zeros when n == 0) */
    bool has_sig;                /* a signature stored at seq n */
    mn_chain_sig sig;
} cl_chain;

/* Read origin's chain from the LMDB store in dir (holding data.mdb). */
int cl_chain_read(const char *dir, uint32_t origin, cl_chain *out);
void cl_chain_release(cl_chain *ch);
/* The hash of change bytes, as chains and signatures use it. */
void cl_change_hash(const mn_buf *change, uint8_t out[MN_HASH_BYTES]);

/* ---- forging ---------------------------------------------------------- */

typedef struct cl_forge {
    uint32_t origin;
    uint64_t seq;
    uint64_t hlc; /* 48-bit ms << 16 | counter */
    uint8_t prev_hash[MN_HASH_BYTES];
    mn_vv deps;
    const uint8_t *network_key;
    const char *family_name; /* what the body's participant is called */
    bool tamper;             /* flip a ciphertext byte after sealing */
} cl_forge;

/* A participant-create Change as the origin's node would make it (body
 * encrypted under the network key with the header as associated data),
 * appended to out. */
void cl_forge_change(const cl_forge *f, mn_buf *out);
/* The origin's signature of its chain head at (origin, seq), where head
 * is the hash of the change at seq; signed with sk (the real key or not). */
void cl_sign_head(const uint8_t sk[MN_SIGN_SECRET_BYTES], uint32_t origin,
                  uint64_t seq, const uint8_t head[MN_HASH_BYTES],
                  mn_chain_sig *out);
/* A Batch PeerMessage of n changes, appended to out. */
void cl_batch(uint32_t origin, const mn_buf *changes, size_t n,
              const mn_chain_sig *sig, mn_buf *out);

/* ---- the rogue server ------------------------------------------------- */

typedef struct cl_rogue cl_rogue;

/*
 * Bind node `as`'s replication address with its CURVE keys, admitting
 * node `victim` (whose DEALER will connect). The real node `as` must be
 * stopped. 0 on success.
 */
int cl_rogue_new(const cl_cluster *c, size_t as, size_t victim, cl_rogue **out);
void cl_rogue_destroy(cl_rogue **self_p);
/* Deliver what arrives for ms milliseconds. */
void cl_rogue_poll(cl_rogue *r, unsigned ms);
/* Wait until the victim has said Hello at least `count` times in all;
 * false on timeout. */
bool cl_rogue_wait_hello(cl_rogue *r, unsigned count, unsigned timeout_ms);
/* Wait until the victim has sent at least `count` Acks in all. */
bool cl_rogue_wait_ack(cl_rogue *r, unsigned count, unsigned timeout_ms);
unsigned cl_rogue_hellos(const cl_rogue *r);
unsigned cl_rogue_acks(const cl_rogue *r);
/* The victim's vector from its last Hello or Ack. */
const mn_vv *cl_rogue_victim_vv(const cl_rogue *r);
/* Send bytes to the victim's DEALER (through our ROUTER). */
int cl_rogue_send(cl_rogue *r, const void *p, size_t n);

/* ---- the impostor ----------------------------------------------------- */

/*
 * Connect to node victim's ROUTER with a fresh CURVE key pair no node
 * knows, listening itself on 127.0.0.1:listen_port, for up to ms or until
 * done(ctx) says so (polled every 100 ms; may be NULL). OUT: *link_up
 * whether a handshake ever succeeded, *received the messages it got.
 */
int cl_impostor_run(const cl_cluster *c, size_t victim, int listen_port,
                    unsigned ms, bool (*done)(void *ctx), void *ctx,
                    bool *link_up, unsigned *received);

#endif
