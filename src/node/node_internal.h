/*
 * node_internal — the node's struct and the functions its files share;
 * private to src/node/ (node.h is the interface).
 *
 *   node.c    open and close, accessors
 *   meta.c    the node's records in the meta database: identity, schema,
 *             writer state (vector, HLC, chain heads, digest)
 *   keys.c    loading and wiping the signing, network and seal keys
 *   seal.c    sealing personal and special values to their division
 *   incarnation.c  which origin the store writes as; backup marks
 *   writer.c  the writer thread: group commit of local writes and remote
 *             changes, sealing and signing through change/envelope
 *   check.c   the start-up check, run in a child process
 *
 * Locking: mu guards the queue, stopping, counters, published_*, writable.
 * The writer thread alone touches ws and the writer scratch; before the
 * thread starts and after it stops, the opening/closing thread does.
 */
#ifndef MN_NODE_INTERNAL_H
#define MN_NODE_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/hlc.h"
#include "base/ratelog.h"
#include "change/envelope.h"
#include "node/node.h"

/* Stored schema version; bump with a migration, or with a message (as 2,
 * whose conflicts database is keyed by the whole stamp, 3, whose origins
 * are division and incarnation, and 4, whose statistics keys hold the year
 * joined, the mentor's division, moves, qualifications and memberships:
 * state/stats.h, and 5, whose changes have a private part hashed into the
 * chain and an index of them: change/log.h) that tells the operator to
 * rebuild the store from its peers. */
#define MN_NODE_SCHEMA_VERSION 5

/* The ops the writer writes for a local write: its sealed values owned
 * here, the others borrowed from the write's own ops. */
typedef struct mn_sealed_ops {
    mn_ops ops;
    bool owned[MN_ENTITY_MAX_FIELDS];
} mn_sealed_ops;

/* State only the writer thread touches (and restores on a failed group). */
struct writer_state {
    mn_hlc hlc;
    mn_vv vv;
    mn_heads heads; /* chain head per origin */
    uint8_t digest[MN_HASH_BYTES];
    uint64_t unsigned_own;  /* own changes since the last signature */
    uint64_t refused_owner; /* replicated changes the ownership rule refused */
    uint64_t refused_fault[MN_FAULT_COUNT]; /* ... that break the kind's
                                               table, by fault */
    uint64_t refused_apply; /* ... that failed to apply (not storage) */
    bool marked;            /* the store's incarnation marks are committed */
};

struct submission; /* writer.c */

struct mn_node {
    mn_config cfg;
    mn_store *store;
    uint8_t sign_sk[MN_SIGN_SECRET_BYTES];
    uint8_t network_key[MN_KEY_BYTES];
    /* Pair keys of sealed values (seal.h), derived at open for every
     * configured division d and read-only after: seal_to[d] seals from
     * this division to d, seal_from[d] opens what d sealed to it. */
    uint8_t seal_to[MN_MAX_NODES + 1][MN_KEY_BYTES];
    uint8_t seal_from[MN_MAX_NODES + 1][MN_KEY_BYTES];
    bool has_seal[MN_MAX_NODES + 1];
    struct writer_state ws;
    mn_sealer sealer; /* writer scratch; key = network_key */
    mn_buf sig_buf, entity_buf, erase_buf; /* writer scratch */
    mn_sealed_ops sealed; /* writer scratch: the write's sealed ops */

    pthread_mutex_t mu;
    pthread_cond_t work; /* writer waits: queue non-empty or stopping */
    struct submission *head_q, *tail_q;
    bool stopping;
    bool writer_started;
    pthread_t writer;
    mn_node_counters counters; /* under mu */
    mn_vv published_vv;        /* under mu: as of the last commit */
    uint64_t published_hlc;    /* under mu: ws.hlc as of the last commit */
    mn_heads published_heads;
    bool writable; /* under mu: local writes allowed */
    void (*on_commit)(void *ctx);
    void *on_commit_ctx;
    uint64_t (*clock)(void *ctx);
    void *clock_ctx;
    uint32_t origin; /* this store's division and incarnation */
    enum mn_incarnation_why incarnation_why;
    bool forked;          /* under mu: see mn_node_set_forked */
    mn_ratelog *refusals; /* writer thread: logs of refused changes */
};

/* ---- meta.c ---- */

/* Read meta key into out, which must be exactly n bytes long in the store
 * (MN_ECORRUPT otherwise); MN_ENOTFOUND when absent. */
int mn_node_meta_get(mn_txn *t, const char *key, void *out, size_t n);
int mn_node_meta_put(mn_txn *t, const char *key, const void *v, size_t n);

/*
 * Check that the store in t belongs to cfg's division and has this schema.
 * A store with no identity is claimed for it when claim_new is true (t must be
 * a write transaction) and accepted unclaimed otherwise. MN_ECONFIG (other
 * division) or MN_ECORRUPT (schema) with err naming the data dir.
 */
int mn_node_identity_check(mn_txn *t, const mn_config *cfg, bool claim_new,
                           char *err, size_t errlen);

/* The writer state as of the last commit (all zero for a new store). */
int mn_node_state_load(mn_txn *t, struct writer_state *ws);
/* Record ws in t (with the group it describes). */
int mn_node_state_save(mn_txn *t, const struct writer_state *ws);

/* ---- keys.c ---- */

/* Read the signing and network keys and the division's seal secret from
 * cfg.key_dir, and derive the pair keys with every configured division's
 * seal public key; on failure err names the file and what to do.
 * MN_ECONFIG. */
int mn_node_keys_load(mn_node *node, char *err, size_t errlen);
void mn_node_keys_wipe(mn_node *node);

/* ---- seal.c ---- */

/*
 * out = clear, a local write to (type, id) that the writer has admitted,
 * with its personal and special values sealed to the division that owns
 * the entity after it (the new home of a transfer, else this one). A
 * transfer also gets every stored personal and special value of the entity
 * that clear does not write, opened here and sealed for the new home.
 * clear is not changed; out borrows its strings, so it must not outlive
 * it. MN_OK; MN_EINVAL when the owner is not a configured division or the
 * result breaks the kind's table; or a store error. Release out with
 * mn_node_sealed_release (also on failure).
 */
int mn_node_seal_ops(mn_node *node, mn_txn *t, uint32_t type,
                     const uint8_t id[MN_ID_BYTES], const mn_ops *clear,
                     mn_sealed_ops *out);
void mn_node_sealed_release(mn_sealed_ops *s);

/* ---- incarnation.c ---- */

/* Decide the origin the store writes as: a new incarnation unless the
 * store is its own, closed cleanly. Reads t only; ws must be loaded.
 * MN_ETOOBIG when no vector has room for another origin. */
int mn_node_incarnation_open(mn_node *node, mn_txn *t);
/* In the writer's group transaction t: record the origin and the running
 * mark, drop a backup mark, and set ws.marked. */
int mn_node_incarnation_mark(mn_node *node, mn_txn *t);
/* Log which incarnation the node writes as, and why. */
void mn_node_incarnation_log(const mn_node *node);
/* Remove the running mark (the store was closed cleanly), or set it when
 * the origin was forked (the next start must begin a new incarnation). */
int mn_node_incarnation_close(mn_node *node);

/* ---- writer.c ---- */

/* Start the writer thread; MN_EIO if it cannot be. */
int mn_node_writer_start(mn_node *node);
/* Refuse new submissions (MN_ESHUTDOWN), let the writer finish the queued
 * ones, and join it. Safe when it never started. */
void mn_node_writer_stop(mn_node *node);

/* ---- check.c ---- */

/*
 * The start-up check: in a child process, open the store in cfg's data
 * dir, check it (see check.c) and report back. MN_OK when it is sound;
 * otherwise the child's code and message, or MN_ECORRUPT and a message
 * naming the data dir when the child died reading a damaged page (MN_EIO
 * when it was killed from outside). A data dir without data.mdb needs no
 * check. Call before the node opens the store itself.
 */
int mn_node_check_store(const mn_config *cfg, char *err, size_t errlen);

/* A check run in the child: MN_OK, or an MN_E* code and a message in err. */
typedef int (*mn_node_check_fn)(const mn_config *cfg, char *err, size_t errlen);
/* Run fn in a child process and return its verdict, as
 * mn_node_check_store does with the store check (which it is, with the
 * check given; tests give others). */
int mn_node_check_in_child(const mn_config *cfg, mn_node_check_fn fn, char *err,
                           size_t errlen);

/* ---- erase.c: erasure and consent around an apply (README "Erasure") */

/* Refuse (MN_EERASED) a local write to an erased participant, or of a
 * private field of an entity that names one. */
int mn_node_erase_admit(mn_txn *t, uint32_t type, const uint8_t id[MN_ID_BYTES],
                        const mn_ops *ops) MN_MUST_CHECK;
/* After change (origin, seq) to (type, id) was logged, and applied with
 * ops (nops 0 when it was refused): note its private part, and erase what
 * it erases. */
int mn_node_erase_after(mn_node *node, mn_txn *t, uint32_t type,
                        const uint8_t id[MN_ID_BYTES], const mn_field_op *ops,
                        size_t nops, uint32_t origin, uint64_t seq,
                        bool has_private) MN_MUST_CHECK;

#endif
