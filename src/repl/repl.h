/*
 * repl — the replication engine, sans-IO. It never reads a clock or a
 * socket: the daemon (or the simulator) feeds it events — a link to a peer
 * went up or down, bytes arrived from a peer, the node committed, time
 * passed — and it answers with actions through the io callbacks (send these
 * bytes to that peer on that channel). Storage is the node's.
 *
 * Each pair of nodes runs two sessions, one per direction. On the client
 * channel we pull from a peer (our DEALER to its ROUTER); on the server
 * channel a peer pulls from us (its DEALER to our ROUTER). A server streams
 * every origin's changes the client lacks, in Batches that end at a signed
 * chain head, under credit-based flow control.
 *
 * Invariants: a change is applied only after its batch's chain and the
 * origin's signature verify, its body decrypts, its clock is within the
 * drift bound, and every change it depends on is applied; a change is
 * applied at most once; a bad message is counted by reason and the
 * session goes on.
 */
#ifndef MN_REPL_H
#define MN_REPL_H

#include <stdbool.h>
#include <stdint.h>

#include "node/node.h"

enum mn_channel {
    MN_CH_CLIENT, /* we pull from the peer (our DEALER) */
    MN_CH_SERVER, /* the peer pulls from us (our ROUTER) */
};

typedef struct mn_repl_io {
    void *ctx;
    /* Send n bytes to peer on channel. The engine keeps ownership of p. */
    void (*send)(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
                 size_t n);
} mn_repl_io;

/* Why a message or change was refused (stable: used in metrics). */
enum mn_reject {
    MN_REJ_SIZE,
    MN_REJ_DECODE,
    MN_REJ_UNKNOWN_ORIGIN,
    MN_REJ_SIGNATURE,
    MN_REJ_CHAIN,
    MN_REJ_DECRYPT,
    MN_REJ_DRIFT,
    MN_REJ_EQUIVOCATION,
    MN_REJ_GAP,
    MN_REJ_PROTOCOL,
    MN_REJ_COUNT
};
const char *mn_reject_name(enum mn_reject r);

typedef struct mn_repl mn_repl;

/* keys[id] holds origin id's Ed25519 public key when has_key[id]. */
typedef struct mn_repl_keys {
    bool has_key[MN_MAX_NODES + 1];
    uint8_t key[MN_MAX_NODES + 1][MN_KEY_BYTES];
} mn_repl_keys;

/*
 * Create an engine for node, replicating with the other divisions of its
 * config. Until every peer has told us its version vector (or grace_ms
 * passed), and while a peer holds more of our own log than we do, the node
 * is kept read-only so it never reuses a sequence number.
 */
mn_repl *mn_repl_new(mn_node *node, const mn_repl_keys *keys,
                     const mn_repl_io *io, uint64_t now, uint64_t grace_ms);
void mn_repl_destroy(mn_repl **self_p);

/* Our client link to peer went up (we say HELLO) or down. */
void mn_repl_on_link(mn_repl *r, uint32_t peer, bool up, uint64_t now);
/* Bytes from peer, received on channel ch. */
void mn_repl_on_message(mn_repl *r, uint32_t peer, enum mn_channel ch,
                        const uint8_t *bytes, size_t n, uint64_t now);
/* The node committed changes: push them to the peers that lack them. */
void mn_repl_on_commit(mn_repl *r, uint64_t now);
/* Time passed; returns when the engine next wants a tick. */
uint64_t mn_repl_on_tick(mn_repl *r, uint64_t now);

/* A consistent copy of what the engine knows, for /v1/replication. */
typedef struct mn_repl_peer_stats {
    uint32_t id;
    bool connected;        /* our client link is up */
    bool serving;          /* the peer is pulling from us */
    uint64_t last_seen_ms; /* 0: never */
    bool told;             /* the peer has told us its vector */
    mn_vv vv;              /* the peer's vector, as last told */
    uint64_t lag;          /* changes we have that the peer lacks (told) */
    uint64_t received, applied, duplicate;
    uint64_t rejected[MN_REJ_COUNT];
} mn_repl_peer_stats;

typedef struct mn_repl_stats {
    mn_vv vv; /* ours */
    bool writable;
    size_t npeers;
    mn_repl_peer_stats peers[MN_MAX_NODES];
    uint64_t pending; /* verified changes waiting for dependencies */
} mn_repl_stats;

/* Thread-safe: may be called from any thread. */
void mn_repl_stats_get(mn_repl *r, mn_repl_stats *out);

#endif
