/*
 * node — one division's node: its store, keys and clock, and the write
 * pipeline every change goes through.
 *
 * Writes are submitted from any thread and applied by one writer thread in
 * group commits: each group is one LMDB transaction that, for every change,
 * assigns the next seq and an HLC, encodes the body once, encrypts it under
 * the network key with the header as associated data, appends it to the log
 * chained to the previous change's hash, and applies it to the state,
 * statistics, indexes and digest; then signs the chain head once and
 * commits. Either the whole group is durable or none of it is.
 *
 * Invariants: log seqs of this origin are contiguous from 1; vv[self] is the
 * last one; every change's prev_hash is the hash of the one before; the
 * digest is the XOR of BLAKE2b(entity bytes) over all entities; the stats
 * and indexes are a function of the entities.
 */
#ifndef MN_NODE_H
#define MN_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "door/codec.h"
#include "base/config.h"
#include "door/crypto.h"
#include "state/entity.h"
#include "state/kind.h"
#include "door/store.h"

typedef struct mn_node mn_node;

/* One change to submit. The caller owns ops and keeps w alive until
 * mn_node_write returns. For a create the node assigns w->id. */
typedef struct mn_write {
    uint32_t type;
    uint8_t id[MN_ID_BYTES];
    bool create;
    /* A create whose id the client made (id set by the caller): refused
     * (MN_EINVAL) unless the id names this node's division, and MN_EEXIST
     * when an entity of that id exists already, in the same transaction as
     * the create. */
    bool given_id;
    mn_ops ops;
    /* If set, called by the writer inside its group transaction before
     * the write: it may check the state and fill ops (a check and the
     * write it allows are then one atomic step). Anything but MN_OK
     * refuses this write alone, as its result. */
    int (*prepare)(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                   mn_ops *ops, void *ctx);
    void *prepare_ctx;
    int result; /* OUT: MN_OK, MN_ENOTFOUND, MN_EINVAL, MN_EFULL, ... */
} mn_write;

/*
 * Open the node described by cfg: keys from cfg->key_dir; the start-up
 * check of the store in cfg->data_dir, in a child process (so call this
 * before starting other threads where possible, and never with a SIGCHLD
 * disposition of SIG_IGN); the store; then start the writer thread. On failure
 * err says why (naming the file or the data dir): a damaged store is
 * MN_ECORRUPT.
 */
int mn_node_open(const mn_config *cfg, mn_node **out, char *err, size_t errlen);
/* Stop the writer (pending writes fail with MN_ESHUTDOWN) and close. */
void mn_node_destroy(mn_node **self_p);

/*
 * Submit n writes and block until they are committed together or failed
 * together (a write to a missing entity fails alone with MN_ENOTFOUND; one
 * whose ops break its kind's table, as every other node would refuse it,
 * with MN_EINVAL). Returns MN_OK if the group committed; each write's
 * result says more.
 */
int mn_node_write(mn_node *node, mn_write *ws, size_t n);

/*
 * Apply remote changes in order, in one group commit with any local writes
 * queued at the same time, and store the origins' signatures in sigs that
 * cover applied changes. Each change must be the next of its origin and
 * chain to its head, or it is skipped (see result). A change that breaks
 * its kind's table or the ownership rule, or fails to apply for any reason
 * but storage, is logged and counted (mn_node_counters) and leaves the
 * state alone (result MN_OK): it never fails the group. Returns MN_OK if
 * the group committed.
 */
int mn_node_apply(mn_node *node, mn_remote_change *cs, size_t n,
                  const mn_chain_sig *sigs, size_t nsigs);

/*
 * The same, without waiting: queue the group for the writer and return.
 * done(ctx, rc) is called from the writer thread after the group committed
 * (rc MN_OK; each change's result says more) or failed, after the state
 * that mn_node_state reports has moved; the node's on_commit hook is not
 * called for it. The caller keeps cs and sigs alive until then. Returns
 * MN_OK once queued, or MN_ESHUTDOWN (then done is never called).
 */
int mn_node_apply_async(mn_node *node, mn_remote_change *cs, size_t n,
                        const mn_chain_sig *sigs, size_t nsigs,
                        void (*done)(void *ctx, int rc), void *ctx);

/* The version vector and chain heads as of the last commit. heads may be
 * NULL. */
void mn_node_state(mn_node *node, mn_vv *vv, mn_heads *heads);

/* While not writable, local writes fail with MN_EAGAIN. Nodes open
 * writable. */
void mn_node_set_writable(mn_node *node, bool writable);
bool mn_node_writable(mn_node *node);

/* fn is called (from the writer thread, after waking the writers) after
 * every commit that changed something, unless the group held only
 * mn_node_apply_async submissions (their callbacks report it). Set before
 * writes start. */
void mn_node_on_commit(mn_node *node, void (*fn)(void *ctx), void *ctx);
/* The wall clock the node stamps changes with (ms since the epoch) and its
 * HLC as of the last commit. OUT: wall_ms, hlc. */
void mn_node_clocks(mn_node *node, uint64_t *wall_ms, uint64_t *hlc);
/* Replace the wall clock (ms) the node stamps changes with (simulator). */
void mn_node_set_clock(mn_node *node, uint64_t (*now_ms)(void *ctx), void *ctx);

/* Why the node writes as the incarnation it does (incarnation.c). */
enum mn_incarnation_why {
    MN_INC_RESUMED,   /* its own store, closed cleanly */
    MN_INC_NEW_STORE, /* created empty */
    MN_INC_RESTORED,  /* a backup made by mn_node_backup */
    MN_INC_UNCLEAN,   /* not closed cleanly: crash, kill, snapshot */
};

/* Another copy of this store wrote as its origin (the engine saw changes
 * of it this node did not make): local writes stop (MN_EAGAIN), and the
 * store is left marked running, so the next start begins a new
 * incarnation. */
void mn_node_set_forked(mn_node *node);
bool mn_node_forked(mn_node *node);

/* Where new incarnations' random bits come from, for every node opened
 * after the call (NULL: the kernel's randomness, as always outside the
 * simulator, which needs runs it can replay). Not thread-safe. */
void mn_node_set_incarnation_source(uint32_t (*fn)(void *ctx), void *ctx);

/* The origin (vv.h) this node's changes carry. */
uint32_t mn_node_origin(const mn_node *node);
enum mn_incarnation_why mn_node_incarnation_why(const mn_node *node);

/* Expire this division's unanswered sides of proposals older than the
 * config's expire_days as of now (ms; node/expire.c). OUT: *expired, the
 * partnerships answered. MN_OK, or why the write failed. */
int mn_node_expire_proposals(mn_node *node, uint64_t now, size_t *expired);

/* Write a compact copy of the store to path, marked so that a node started
 * on it starts a new incarnation. */
int mn_node_backup(mn_node *node, const char *path);

const mn_config *mn_node_config(const mn_node *node);
/* The network key (owned by the node, wiped when it is destroyed). */
const uint8_t *mn_node_network_key(const mn_node *node);
mn_store *mn_node_store(mn_node *node);

/* The committed digest and version vector as seen by t. */
int mn_node_digest(mn_txn *t, uint8_t digest[MN_HASH_BYTES], mn_vv *vv);

/* Counters for metrics. */
typedef struct mn_node_counters {
    uint64_t commits;
    uint64_t changes;
    uint64_t write_errors;
    uint64_t refused_owner; /* replicated changes refused by ownership */
    /* ... refused as breaking their kind's table, by fault (kind.h; [0],
     * MN_FAULT_NONE, stays 0) */
    uint64_t refused_fault[MN_FAULT_COUNT];
    uint64_t refused_apply; /* ... refused as failing to apply (not for
                               lack of storage) */
} mn_node_counters;
void mn_node_get_counters(mn_node *node, mn_node_counters *out);

#endif
