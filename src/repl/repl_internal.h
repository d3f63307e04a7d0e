/*
 * repl_internal — the engine's state, shared by its two files and no one
 * else: repl.c (sessions, applying, events) and verify.c (the receive path
 * of a Batch, up to the per-origin pending queues) and clock.c (the drift
 * bound and the clock alarm). See repl.c for the
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
    uint32_t origin;
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
    uint32_t self;   /* our division */
    uint32_t origin; /* the origin our node writes as (vv.h) */
    uint64_t max_drift_ms;
    uint64_t start;
    size_t npeers;
    struct peer peers[MN_MAX_NODES];
    /* One queue per origin with changes waiting, in no order. */
    struct pending pending[MN_VV_MAX];
    uint32_t npending;
    /* The committed state, as the host last told it, and the vector as
     * of the previous tick (what relays may send: see pump). */
    mn_vv vv;
    mn_vv tick_vv;
    mn_heads heads;
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
    bool forked; /* under stats_mu: another store wrote as our origin */
    /* The later of the wall clock and our HLC when the engine started, and
     * (under stats_mu) another incarnation of our division that wrote
     * after that: a second node running as this division (0: none). */
    uint64_t start_ms;
    uint32_t twin;
    mn_vv pub_vv;
    /* Scratch, allocated once: the batch being checked, one batch being
     * opened, and a range of the log being read. */
    struct checked *checked;
    mn_remote_change *opened;
    mn_repl_range *range;
    mn_ratelog *refusals; /* which refusals are logged (key: peer id) */
    /* The clocks (clock.c): the host's last now, and the engine's own
     * time, which is that plus skew and never goes back. The clock alarm;
     * pub_ copies under stats_mu. */
    uint64_t host_now, now, skew;
    uint64_t hlc_lead_ms, clock_logged_at, pub_hlc_lead_ms;
    bool clock_alarm, pub_clock_alarm;
    mn_vv equivocated; /* origins caught (seq 1): logged once */
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
/* The engine's time for an event at the host's now (clock.c): now, moved
 * on by how far the host's clock has ever stepped back, so that a step
 * counts as no time passed and every timer stays sane. Call it first in
 * every event that reads now. */
uint64_t mn_repl_steady(mn_repl *r, uint64_t now);
/* The host's clocks; with no clocks callback, the host's last now is the
 * wall clock and the HLC 0. OUT: out. */
void mn_repl_clocks_read(mn_repl *r, mn_repl_clocks *out);
/* The greatest ms a peer's change may carry now (mn_hlc_bound_ms). */
uint64_t mn_repl_drift_bound(mn_repl *r);
/* Measure our HLC's lead over the wall clock; raise, log or end the clock
 * alarm (on every tick). */
void mn_repl_clock_tick(mn_repl *r, uint64_t now);
/* Free a queued change's bytes and ops. */
void mn_repl_free_change(mn_remote_change *rc);
/* Origin o's pending queue; with create, a new empty one when there is
 * none (NULL when MN_VV_MAX queues exist). */
struct pending *mn_repl_pending_of(mn_repl *r, uint32_t o, bool create);
/* Drop applied (or refused) changes from the front of queue q. */
void mn_repl_pending_clear_front(struct pending *q);

#endif
