/*
 * repl_internal — the engine's state, shared by its two files and no one
 * else: repl.c (sessions, applying, events) and verify.c (the receive path
 * of a Batch, up to the per-origin pending queues). See repl.c for the
 * state diagrams and the invariants.
 */
#ifndef MN_REPL_INTERNAL_H
#define MN_REPL_INTERNAL_H

#include <pthread.h>

#include "base/ratelog.h"
#include "repl/repl.h"

/* Batches a client lets a server send ahead of its acks, and the most a
 * server keeps unacked per peer whatever the peer asks: with batches cut
 * near BATCH_SOFT_BYTES, about 16 MiB queued per peer (the transport's
 * send high-water mark holds no more than MAX_CREDIT messages either). */
#define CLIENT_CREDIT 4
#define MAX_CREDIT 16
/* A server cuts a batch at the first signed change past these. */
#define BATCH_SOFT_CHANGES 512
#define BATCH_SOFT_BYTES (1u << 20)
/* Silence after which a client says HELLO again / a server stops. */
#define CLIENT_RETRY_MS 3000
#define SERVER_IDLE_MS 60000
/* A Hello restarts a server session (its cursor and credit) at most once
 * per HELLO_MIN_MS; one sooner is refused (protocol). Our own client
 * spaces the Hellos a gap asks for by twice that, so network jitter of up
 * to HELLO_MIN_MS never makes an honest client look like a flood. */
#define HELLO_MIN_MS 1000
#define CLIENT_HELLO_MS (2 * HELLO_MIN_MS)
/* Refusals of one kind from one peer: one line, then a count per this. */
#define REFUSAL_LOG_MS 10000
#define TICK_MS 500
/* Verified changes held for missing dependencies, per origin. */
#define PENDING_MAX 8192
/* Changes handed to the host in one apply. */
#define READY_MAX 4096
/* The result of a queued change not yet applied. */
#define NOT_APPLIED 1

enum client_state {
    CLIENT_DOWN,
    CLIENT_HELLO_SENT,
    CLIENT_RECEIVING,
    CLIENT_APPLYING,
    CLIENT_NSTATES
};

enum server_state {
    SERVER_IDLE,
    SERVER_STREAMING,
    SERVER_WAITING_CREDIT,
    SERVER_NSTATES
};

enum apply_state { APPLY_IDLE, APPLY_BUSY, APPLY_NSTATES };

struct pending {
    mn_remote_change *c; /* raw bytes owned: c[i].raw.p is malloc'd */
    uint32_t *from;      /* the peer each change came from */
    size_t n, cap, head; /* live entries are c[head..n) */
    /* Every queued batch's signature, oldest first: once its change is
     * applied the host stores it, so a relay can cut batches there. */
    mn_chain_sig *sigs;
    size_t nsigs, capsigs;
};

struct client {
    enum client_state state;
    mn_vv told;    /* the vector we last sent this server (Hello, Ack) */
    uint32_t owed; /* batches whose Ack waits for the apply in flight */
    bool fresh;    /* changes it sent were applied since its last Ack */
    uint64_t hello_at, heard_at;
    bool said_hello; /* hello_at is set */
    bool hello_due;  /* a Hello was asked for sooner than CLIENT_HELLO_MS */
};

struct server {
    enum server_state state;
    uint64_t heard_at;
    mn_vv acked;          /* what the peer told us it has */
    mn_vv sent;           /* what we have sent it (cursor) */
    uint32_t credit;      /* batches it may still send ... */
    uint32_t unacked;     /* ... beside those sent, not acked: the two add
                             up to at most MAX_CREDIT per session */
    uint64_t restart_at;  /* the last Hello that restarted the session */
    uint64_t sent_at;     /* the last batch sent */
    uint32_t next_origin; /* round robin */
};

struct peer {
    uint32_t id;
    struct client c;
    struct server s;
    bool told_vv; /* it told us its vector at least once */
    uint64_t seen_at;
    mn_repl_peer_stats st;
};

struct mn_repl {
    mn_repl_host host;
    mn_repl_keys keys;
    uint8_t network_key[MN_KEY_BYTES];
    uint32_t self;
    uint64_t max_drift_ms, own_floor;
    uint64_t start, grace_ms;
    bool restored; /* the store came from a backup, not yet confirmed */
    bool writable; /* as last set through the host */
    size_t npeers;
    struct peer peers[MN_MAX_NODES];
    struct pending pending[MN_MAX_NODES + 1];
    /* The committed state, as the host last told it, and the vector as
     * of the previous tick (what relays may send: see pump). */
    mn_vv vv;
    mn_vv tick_vv;
    uint8_t heads[MN_MAX_NODES + 1][MN_HASH_BYTES];
    /* The apply in flight: its token and its changes and signatures,
     * which stay untouched until on_applied. */
    enum apply_state apply;
    uint64_t token;
    mn_remote_change *ready;
    size_t nready;
    mn_chain_sig *allsigs;
    size_t capsigs;
    mn_buf out, plain;
    pthread_mutex_t stats_mu; /* guards every peer's st and the pub_ */
    uint64_t pub_pending;
    mn_vv pub_vv;
    bool pub_writable;
    /* Scratch, allocated once: the batch being checked, one batch being
     * opened, and a range of the log being read. */
    struct checked *checked;
    mn_remote_change *opened;
    mn_repl_range *range;
    mn_ratelog *refusals; /* which refusals are logged (key: peer id) */
    bool equivocated[MN_MAX_NODES + 1]; /* origins caught: logged once */
};

/* Decoded headers and hashes of a batch. */
struct checked {
    mn_change_header h[MN_BATCH_MAX_CHANGES];
    mn_change_view v[MN_BATCH_MAX_CHANGES];
    uint8_t hash[MN_BATCH_MAX_CHANGES][MN_HASH_BYTES];
    size_t n;
};

/* Add n to a peer's counter (stats_mu held inside). */
void mn_repl_count(mn_repl *r, uint64_t *field, uint64_t n);

/*
 * The receive path of Batch m from p (verify.c): origin known, decode,
 * duplicates (checked for equivocation against the log and the pending
 * queue), gap, chain links,
 * the origin's signature, then open each new change (drift bound, decrypt,
 * decode) and queue the batch whole in its origin's pending queue. Returns
 * -1 when accepted (even if nothing was new), else the enum mn_reject.
 */
int mn_repl_verify_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
                         uint64_t now);
/* Free a queued change's bytes and ops. */
void mn_repl_free_change(mn_remote_change *rc);
/* Drop applied (or refused) changes from the front of queue q. */
void mn_repl_pending_clear_front(struct pending *q);

#endif
