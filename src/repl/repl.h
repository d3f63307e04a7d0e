/*
 * repl — the replication engine, sans-IO. It never reads a clock, a socket
 * or a store: the host (the daemon's replicator, the simulator, a test)
 * feeds it events — a link to a peer went up or down, bytes arrived from a
 * peer, the node committed, an apply it asked for finished, time passed —
 * and it answers through the host's callbacks: read this range of an
 * origin's log, what is the current vector, apply this batch, send these
 * bytes to that peer on that channel, open or hold local writes.
 *
 * Each pair of nodes runs two sessions, one per direction. On the client
 * channel we pull from a peer (our DEALER to its ROUTER); on the server
 * channel a peer pulls from us (its DEALER to our ROUTER). A server streams
 * every origin's changes the client lacks, in Batches that end at a signed
 * chain head, under credit-based flow control.
 *
 * Time: every timer (retries, idle sessions, grace, log rate limits) runs
 * on the monotonic `now` the host passes, so a wall-clock step cannot
 * fire or stall one. Only the drift bound and the clock alarm read the
 * wall clock and the node's HLC, through the host's clocks callback.
 *
 * Invariants: a change is applied only after its batch's chain and the
 * origin's signature verify, its body decrypts, its clock is within the
 * drift bound, and every change it depends on is applied; a change is
 * applied at most once; at most one apply is in flight, and batches are
 * handed to the host in the order they may be applied; a bad message is
 * counted by reason and the session goes on.
 */
#ifndef MN_REPL_H
#define MN_REPL_H

#include <stdbool.h>
#include <stdint.h>

#include "door/codec.h"

enum mn_channel {
    MN_CH_CLIENT, /* we pull from the peer (our DEALER) */
    MN_CH_SERVER, /* the peer pulls from us (our ROUTER) */
};

/* What the engine asks of the log: origin's changes from seq `from` to
 * `upto`, at most max_changes of them, stopping after the first signed
 * change once soft_changes or soft_bytes are reached. */
typedef struct mn_repl_read {
    uint32_t origin;
    uint64_t from, upto;
    size_t max_changes, soft_changes, soft_bytes;
} mn_repl_read;

/* What the host read. The host appends the change bytes to data (the
 * engine's buffer) and points changes[] into it. */
typedef struct mn_repl_range {
    size_t n;                               /* changes read, consecutive */
    mn_bytes changes[MN_BATCH_MAX_CHANGES]; /* valid until data changes */
    mn_buf data;
    size_t nsigned;   /* changes up to the last signed one (0: none) */
    mn_chain_sig sig; /* the signature over change nsigned - 1 */
} mn_repl_range;

/* The clocks the engine cannot do without: the wall clock, in ms since the
 * epoch, and the node's HLC as of its last commit (0: none yet). */
typedef struct mn_repl_clocks {
    uint64_t wall_ms;
    uint64_t hlc;
} mn_repl_clocks;

/*
 * The host: everything the engine needs from the world. Callbacks are
 * called only from inside an engine event, on the engine's thread, and
 * must not call back into the engine.
 */
typedef struct mn_repl_host {
    void *ctx;
    /* Read a range of an origin's log into out (the engine resets
     * out->data and zeroes n and nsigned first). Returns 0, or a negative
     * MN_E* (then nothing is sent). */
    int (*read_log)(void *ctx, const mn_repl_read *req, mn_repl_range *out);
    /* The version vector and chain heads as of the last commit. */
    void (*state)(void *ctx, mn_vv *vv, mn_heads *heads);
    /* Apply n verified changes in order, in one commit, storing the sigs
     * that cover applied ones; each change's result is set (MN_OK,
     * MN_EEXIST, MN_EGAP). Returns at once: 0 once queued, after which the
     * host reports the end with mn_repl_on_applied(token) from outside any
     * callback; the engine keeps cs and sigs alive until then. A negative
     * MN_E* means it was not queued (no event follows). */
    int (*apply)(void *ctx, uint64_t token, mn_remote_change *cs, size_t n,
                 const mn_chain_sig *sigs, size_t nsigs);
    /* Send n bytes to peer on channel. The engine keeps ownership of p. */
    void (*send)(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
                 size_t n);
    /* Read the clocks (OUT: out). Every `now` the engine is given is a
     * monotonic clock in ms, which drives its timers alone; these two
     * measure a peer's clock against the drift bound and ours against the
     * wall clock (see mn_repl_stats.clock_alarm). NULL: a host with one
     * clock, which is then `now` as the wall clock and an HLC of 0. */
    void (*clocks)(void *ctx, mn_repl_clocks *out);
} mn_repl_host;

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

/* What the engine knows of its node and the network, fixed at start. */
typedef struct mn_repl_params {
    uint32_t self;   /* our division */
    uint32_t origin; /* the origin our node writes as (division, incarnation) */
    size_t npeers;
    uint32_t peers[MN_MAX_NODES]; /* the other divisions */
    uint64_t max_drift_ms;        /* changes further ahead than this past the
                                   * later of our wall clock and our HLC are
                                   * quarantined; our HLC further ahead of the
                                   * wall clock raises the clock alarm */
    mn_repl_keys keys;
    uint8_t network_key[MN_KEY_BYTES]; /* copied; wiped on destroy */
} mn_repl_params;

/*
 * Create an engine. It never holds local writes: the node writes as an
 * incarnation no other store has issued seqs of (node/incarnation.c).
 * host is copied.
 */
mn_repl *mn_repl_new(const mn_repl_params *params, const mn_repl_host *host,
                     uint64_t now);
/* Free the engine. The host must have no apply in flight for it. Safe on
 * NULL. */
void mn_repl_destroy(mn_repl **self_p);

/* Our client link to peer went up (we say HELLO) or down. */
void mn_repl_on_link(mn_repl *r, uint32_t peer, bool up, uint64_t now);
/* Bytes from peer, received on channel ch. */
void mn_repl_on_message(mn_repl *r, uint32_t peer, enum mn_channel ch,
                        const uint8_t *bytes, size_t n, uint64_t now);
/* The transport refused something of peer's before it reached the engine
 * (a message over MN_MAX_PEER_MSG: why is MN_REJ_SIZE); counted and
 * logged like the engine's own refusals. */
void mn_repl_on_refused(mn_repl *r, uint32_t peer, enum mn_reject why,
                        uint64_t now);
/* The node committed changes: push them to the peers that lack them. */
void mn_repl_on_commit(mn_repl *r, uint64_t now);
/* The apply with this token finished: rc is MN_OK when it committed (each
 * change's result says more), else why it failed (the changes stay queued
 * and are tried again). */
void mn_repl_on_applied(mn_repl *r, uint64_t token, int rc, uint64_t now);
/* Time passed; returns when the engine next wants a tick (on the same
 * monotonic clock as now). A `now` that goes back counts as no time
 * passed. */
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
    size_t npeers;
    mn_repl_peer_stats peers[MN_MAX_NODES];
    uint64_t pending;     /* verified changes not applied yet (waiting for
                           * dependencies, or in flight) */
    uint64_t hlc_lead_ms; /* how far our HLC is ahead of the wall clock */
    bool clock_alarm;     /* hlc_lead_ms is past max_drift_ms: peers whose
                           * clocks are behind ours quarantine our new
                           * changes until their clocks catch up */
    bool forked;          /* a peer sent changes of our own origin that we
                           * did not make: a copy of our store ran elsewhere */
    uint32_t twin;        /* another incarnation of our division that wrote
                           * after we started: a second node runs as our
                           * division (0: none seen) */
} mn_repl_stats;

/* Has a peer sent changes of our own origin that we did not make (a copy of
 * our store ran elsewhere)? Thread-safe and cheap. */
bool mn_repl_forked(mn_repl *r);

/* Thread-safe: may be called from any thread. The vector is the one the
 * engine last saw (it asks the host on every event). */
void mn_repl_stats_get(mn_repl *r, mn_repl_stats *out);

#endif
