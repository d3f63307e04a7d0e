/*
 * ownseq — how a node notices that its store is older than what it has
 * already sent: own.seq, and the backup mark.
 *
 * A store restored from a backup lacks the newest own changes, which peers
 * may already hold. own.seq, written beside data.mdb (never inside it, so
 * a backup does not carry it), records the last own seq known to be
 * committed; a store behind it holds local writes until peers have given
 * its own log back (the engine checks mn_node_own_floor). A backup made by
 * mn_node_backup carries a "restored" mark in its meta database, so a
 * node started on it knows even without own.seq.
 *
 * Invariant: own.seq only grows, and is replaced atomically (write a
 * temporary file, fsync, rename).
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/log.h"
#include "node/node_internal.h"

static void
own_path(const mn_node *node, char *out, size_t cap, const char *suffix) {
    snprintf(out, cap, "%s/own.seq%s", node->cfg.data_dir, suffix);
}

static uint64_t
read_own_seq(const mn_node *node) {
    char path[PATH_MAX + 16], text[32] = {0};
    own_path(node, path, sizeof path, "");
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = '\0';
    return strtoull(text, NULL, 10);
}

void
mn_node_ownseq_load(mn_node *node) {
    node->own_floor = read_own_seq(node);
    node->own_saved = node->ws.vv.seq[node->cfg.self.id];
    if (node->own_floor > node->own_saved)
        mn_warn("store holds own changes up to %llu, but this node made "
                "%llu: restored from a backup? Local writes wait until "
                "peers return the rest",
                (unsigned long long)node->own_saved,
                (unsigned long long)node->own_floor);
}

/* Write seq to path atomically: a temporary file, fsync, rename. */
static int
write_seq_file(const char *path, const char *tmp, uint64_t seq) {
    char text[32];
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return MN_EIO;
    int len = snprintf(text, sizeof text, "%llu\n", (unsigned long long)seq);
    bool ok = write(fd, text, (size_t)len) == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    return ok ? MN_OK : MN_EIO;
}

int
mn_node_save_own_seq(mn_node *node) {
    char path[PATH_MAX + 16], tmp[PATH_MAX + 16];
    mn_vv vv;
    mn_node_state(node, &vv, NULL);
    uint64_t seq = vv.seq[node->cfg.self.id];
    if (seq <= node->own_saved)
        return MN_OK;
    own_path(node, path, sizeof path, "");
    own_path(node, tmp, sizeof tmp, ".tmp");
    int rc = write_seq_file(path, tmp, seq);
    if (rc == MN_OK)
        node->own_saved = seq;
    return rc;
}

uint64_t
mn_node_own_floor(const mn_node *node) {
    return node->own_floor;
}

int
mn_node_backup(mn_node *node, const char *path) {
    return mn_store_backup_marked(node->store, path, "restored");
}

int
mn_node_restored_load(mn_node *node, mn_txn *t) {
    char flag;
    int rc = mn_node_meta_get(t, "restored", &flag, 1);
    atomic_store(&node->restored, rc == MN_OK);
    return rc == MN_ENOTFOUND ? MN_OK : rc;
}

bool
mn_node_restored(mn_node *node) {
    return atomic_load(&node->restored);
}

int
mn_node_confirm_restored(mn_node *node) {
    mn_txn *t;
    int rc = mn_store_begin(node->store, true, &t);
    if (rc != MN_OK)
        return rc;
    rc = mn_txn_del(t, MN_DB_META, "restored", 8);
    if (rc == MN_OK || rc == MN_ENOTFOUND)
        rc = mn_txn_commit(&t);
    else
        mn_txn_abort(&t);
    if (rc == MN_OK)
        atomic_store(&node->restored, false);
    return rc;
}
