/*
 * incarnation — which origin this store writes as (DESIGN.md, 11).
 *
 * A store cannot know which of its own changes the network already holds:
 * its newest ones may have gone out just before the disk was lost, the
 * backup was taken, or the machine crashed. So a store never resumes an
 * origin it cannot prove it alone has written: a store created empty,
 * opened from a backup (mn_node_backup marks the copy "restored"), or
 * opened after an unclean stop (the "running" mark set at open is still
 * there: a crash, a kill, a snapshot of a running machine) starts a new
 * incarnation of its division, a fresh origin (vv.h) with seqs from 1.
 * The old incarnation's changes keep flowing from the peers like any
 * other origin's; whatever the peers know, and whichever of them is up,
 * no (origin, seq) is issued twice. Chain signatures cover the whole
 * origin, so only the holder of the division's key can start one.
 *
 * Incarnations are drawn at random (24 bits), never one the store already
 * holds changes of. Two stores of one division that cannot see each other
 * (a lost disk and an old backup, both started) pick different ones but
 * for a 2^-24 chance; that would show as equivocation, which every node
 * detects and refuses.
 *
 * Invariant: "origin" and "running" are committed in the first group the
 * writer commits, with its changes (so opening writes nothing, and a full
 * store still opens); "running" is removed only after the writer stopped.
 * A store that committed nothing since it was opened keeps its marks.
 */
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "node/node_internal.h"

static const char *const why_text[] = {
    [MN_INC_RESUMED] = "resumed",
    [MN_INC_NEW_STORE] = "a new store",
    [MN_INC_RESTORED] = "a store restored from a backup",
    [MN_INC_UNCLEAN] = "a store that was not closed cleanly",
};

static uint32_t (*draw_fn)(void *ctx);
static void *draw_ctx;

void
mn_node_set_incarnation_source(uint32_t (*fn)(void *ctx), void *ctx) {
    draw_fn = fn;
    draw_ctx = ctx;
}

/* A random incarnation of div not yet held in vv. */
static uint32_t
draw(uint32_t div, const mn_vv *vv) {
    for (;;) {
        uint32_t inc;
        if (draw_fn)
            inc = draw_fn(draw_ctx);
        else
            mn_crypto_random(&inc, sizeof inc);
        inc &= MN_INCARNATION_MAX;
        uint32_t o = mn_origin_make(div, inc);
        if (inc && !mn_vv_get(vv, o))
            return o;
    }
}

static bool
has_mark(mn_txn *t, const char *key) {
    char flag;
    return mn_node_meta_get(t, key, &flag, 1) == MN_OK;
}

int
mn_node_incarnation_open(mn_node *node, mn_txn *t) {
    uint8_t be[4];
    int rc = mn_node_meta_get(t, "origin", be, 4);
    if (rc != MN_OK && rc != MN_ENOTFOUND)
        return rc;
    enum mn_incarnation_why why = MN_INC_RESUMED;
    if (rc == MN_ENOTFOUND)
        why = MN_INC_NEW_STORE;
    else if (has_mark(t, "restored"))
        why = MN_INC_RESTORED;
    else if (has_mark(t, "running"))
        why = MN_INC_UNCLEAN;
    node->origin = why == MN_INC_RESUMED
                       ? mn_get_be32(be)
                       : draw(node->cfg.self.id, &node->ws.vv);
    node->incarnation_why = why;
    if (!mn_origin_valid(node->origin) ||
        mn_origin_division(node->origin) != node->cfg.self.id)
        return MN_ECORRUPT;
    return why != MN_INC_RESUMED && node->ws.vv.n == MN_VV_MAX ? MN_ETOOBIG
                                                               : MN_OK;
}

int
mn_node_incarnation_mark(mn_node *node, mn_txn *t) {
    uint8_t be[4];
    mn_put_be32(be, node->origin);
    int rc = mn_node_meta_put(t, "origin", be, 4);
    if (rc == MN_OK)
        rc = mn_node_meta_put(t, "running", "1", 1);
    int del = mn_txn_del(t, MN_DB_META, "restored", 8);
    if (rc == MN_OK && del != MN_ENOTFOUND)
        rc = del;
    if (rc == MN_OK)
        node->ws.marked = true;
    return rc;
}

void
mn_node_incarnation_log(const mn_node *node) {
    uint32_t inc = mn_origin_incarnation(node->origin);
    if (node->incarnation_why == MN_INC_RESUMED)
        mn_info("writing as incarnation %06x of division %u", inc,
                node->cfg.self.id);
    else
        mn_info("%s: starting incarnation %06x of division %u; earlier "
                "incarnations' changes come back from the peers",
                why_text[node->incarnation_why], inc, node->cfg.self.id);
}

int
mn_node_incarnation_close(mn_node *node) {
    mn_txn *t;
    if (!node->ws.marked && !node->forked)
        return MN_OK; /* nothing was committed: the marks are as they were */
    int rc = mn_store_begin(node->store, true, &t);
    if (rc != MN_OK)
        return rc;
    /* A forked origin must not be resumed: leave the store as if it had
     * stopped uncleanly. */
    if (node->forked)
        rc = mn_node_meta_put(t, "running", "1", 1);
    else
        rc = mn_txn_del(t, MN_DB_META, "running", 7);
    if (rc == MN_OK || rc == MN_ENOTFOUND)
        return mn_txn_commit(&t);
    mn_txn_abort(&t);
    return rc;
}

uint32_t
mn_node_origin(const mn_node *node) {
    return node->origin;
}

enum mn_incarnation_why
mn_node_incarnation_why(const mn_node *node) {
    return node->incarnation_why;
}

int
mn_node_backup(mn_node *node, const char *path) {
    return mn_store_backup_marked(node->store, path, "restored");
}
