/*
 * node — see node.h. Opening and closing, and the accessors; the rest of
 * the node is in the files node_internal.h lists.
 *
 * Opening, in order: the keys; the data dir; the start-up check (in a
 * child process, before this process opens the store); the store; the
 * node's state from it (claiming a new store, choosing the incarnation);
 * then the writer thread. Closing stops the writer first, so every queued group
 * is committed or failed before the store closes.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "node/node_internal.h"

/* Load the node's state from the store (claiming a new one), in one write
 * transaction. */
static int
open_state(mn_node *node, char *err, size_t errlen) {
    mn_txn *t;
    int rc = mn_store_begin(node->store, true, &t);
    if (rc != MN_OK) {
        snprintf(err, errlen, "%s: %s", node->cfg.data_dir, mn_strerror(rc));
        return rc;
    }
    rc = mn_node_identity_check(t, &node->cfg, true, err, errlen);
    if (rc == MN_OK)
        rc = mn_node_state_load(t, &node->ws);
    if (rc == MN_OK)
        rc = mn_node_incarnation_open(node, t);
    if (rc == MN_OK)
        return mn_txn_commit(&t);
    if (!err[0])
        snprintf(err, errlen, "%s: cannot load node state: %s",
                 node->cfg.data_dir, mn_strerror(rc));
    mn_txn_abort(&t);
    return rc;
}

static int
make_data_dir(const mn_config *cfg, char *err, size_t errlen) {
    if (mn_mkdir_p(cfg->data_dir, 0700) == MN_OK)
        return MN_OK;
    snprintf(err, errlen, "%s: cannot create: %s", cfg->data_dir,
             strerror(errno));
    return MN_EIO;
}

static void
node_free(mn_node *node) {
    mn_store_destroy(&node->store);
    mn_sealer_release(&node->sealer);
    mn_buf_release(&node->sig_buf);
    mn_buf_release(&node->entity_buf);
    mn_buf_release(&node->erase_buf);
    mn_node_keys_wipe(node);
    pthread_mutex_destroy(&node->mu);
    pthread_cond_destroy(&node->work);
    free(node);
}

/* Everything up to a loaded, checked store, before any thread starts. */
static int
open_store(mn_node *node, char *err, size_t errlen) {
    const mn_config *cfg = &node->cfg;
    int rc = mn_node_keys_load(node, err, errlen);
    if (rc == MN_OK)
        rc = make_data_dir(cfg, err, errlen);
    if (rc == MN_OK)
        rc = mn_node_check_store(cfg, err, errlen);
    if (rc == MN_OK)
        rc = mn_store_open(cfg->data_dir, cfg->map_size, cfg->sync,
                           &node->store, err, errlen);
    if (rc == MN_OK)
        rc = open_state(node, err, errlen);
    return rc;
}

int
mn_node_open(const mn_config *cfg, mn_node **out, char *err, size_t errlen) {
    mn_node *node = mn_calloc(1, sizeof *node);
    node->cfg = *cfg;
    node->sealer.key = node->network_key;
    node->writable = true;
    pthread_mutex_init(&node->mu, NULL);
    pthread_cond_init(&node->work, NULL);
    err[0] = '\0';
    int rc = open_store(node, err, errlen);
    if (rc == MN_OK) {
        node->published_vv = node->ws.vv;
        node->published_hlc = node->ws.hlc.last;
        node->published_heads = node->ws.heads;
        mn_node_incarnation_log(node);
        rc = mn_node_writer_start(node);
        if (rc != MN_OK)
            snprintf(err, errlen, "cannot start the writer thread");
    }
    if (rc != MN_OK) {
        node_free(node);
        return rc;
    }
    *out = node;
    return MN_OK;
}

void
mn_node_destroy(mn_node **self_p) {
    mn_node *node = *self_p;
    if (!node)
        return;
    mn_node_writer_stop(node);
    if (node->store && mn_node_incarnation_close(node) != MN_OK)
        mn_warn("%s: cannot record a clean close; the next start begins "
                "a new incarnation",
                node->cfg.data_dir);
    node_free(node);
    *self_p = NULL;
}

/* ---- accessors ------------------------------------------------------------
 */

void
mn_node_state(mn_node *node, mn_vv *vv, mn_heads *heads) {
    pthread_mutex_lock(&node->mu);
    *vv = node->published_vv;
    if (heads)
        *heads = node->published_heads;
    pthread_mutex_unlock(&node->mu);
}

void
mn_node_set_writable(mn_node *node, bool writable) {
    pthread_mutex_lock(&node->mu);
    node->writable = writable;
    pthread_mutex_unlock(&node->mu);
}

void
mn_node_set_forked(mn_node *node) {
    pthread_mutex_lock(&node->mu);
    node->forked = true;
    node->writable = false;
    pthread_mutex_unlock(&node->mu);
}

bool
mn_node_forked(mn_node *node) {
    pthread_mutex_lock(&node->mu);
    bool f = node->forked;
    pthread_mutex_unlock(&node->mu);
    return f;
}

bool
mn_node_writable(mn_node *node) {
    pthread_mutex_lock(&node->mu);
    bool w = node->writable;
    pthread_mutex_unlock(&node->mu);
    return w;
}

void
mn_node_on_commit(mn_node *node, void (*fn)(void *ctx), void *ctx) {
    node->on_commit = fn;
    node->on_commit_ctx = ctx;
}

void
mn_node_set_clock(mn_node *node, uint64_t (*now_ms)(void *ctx), void *ctx) {
    node->clock = now_ms;
    node->clock_ctx = ctx;
}

void
mn_node_clocks(mn_node *node, uint64_t *wall_ms, uint64_t *hlc) {
    *wall_ms = node->clock ? node->clock(node->clock_ctx) : mn_wall_ms();
    pthread_mutex_lock(&node->mu);
    *hlc = node->published_hlc;
    pthread_mutex_unlock(&node->mu);
}

const mn_config *
mn_node_config(const mn_node *node) {
    return &node->cfg;
}

const uint8_t *
mn_node_network_key(const mn_node *node) {
    return node->network_key;
}

mn_store *
mn_node_store(mn_node *node) {
    return node->store;
}

void
mn_node_get_counters(mn_node *node, mn_node_counters *out) {
    pthread_mutex_lock(&node->mu);
    *out = node->counters;
    pthread_mutex_unlock(&node->mu);
}
