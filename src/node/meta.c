/*
 * meta — the node's own records in the store's meta database:
 *
 *   node_id  be32   the division the store belongs to (claimed at first
 *                   open; a store of another division is refused)
 *   schema   be32   MN_NODE_SCHEMA_VERSION
 *   origin   be32   the origin this store writes as: its division and
 *                   incarnation (incarnation.c)
 *   running  "1"    while a node has the store open (incarnation.c)
 *   vv       (be32 origin, be64 seq) per origin: the version vector as
 *                   of the last commit
 *   hlc      be64   the last HLC issued or received
 *   heads    (be32 origin, 32-byte hash) per origin: each chain head
 *   digest   XOR of BLAKE2b(entity bytes) over all entities
 *   restored "1" in a store written by mn_node_backup (incarnation.c)
 *
 * The writer saves vv, hlc, heads and digest in every group's transaction,
 * so they always describe exactly the committed log and state.
 */
#include <stdio.h>
#include <string.h>

#include "node/node_internal.h"

int
mn_node_meta_get(mn_txn *t, const char *key, void *out, size_t n) {
    mn_val v;
    int rc = mn_txn_get(t, MN_DB_META, key, strlen(key), &v);
    if (rc != MN_OK)
        return rc;
    if (v.n != n)
        return MN_ECORRUPT;
    memcpy(out, v.p, n);
    return MN_OK;
}

int
mn_node_meta_put(mn_txn *t, const char *key, const void *v, size_t n) {
    return mn_txn_put(t, MN_DB_META, key, strlen(key), v, n, 0);
}

/* ---- vectors and heads, as (origin, value) records ---- */

#define VV_REC 12
#define HEAD_REC (4 + MN_HASH_BYTES)

/* The meta record key as n records of rec bytes each, at most one per
 * origin. OUT: v, n. MN_ECORRUPT when its length does not fit. */
static int
records(mn_txn *t, const char *key, size_t rec, mn_val *v, size_t *n) {
    int rc = mn_txn_get(t, MN_DB_META, key, strlen(key), v);
    if (rc != MN_OK)
        return rc;
    *n = v->n / rec;
    return v->n % rec || *n > MN_VV_MAX ? MN_ECORRUPT : MN_OK;
}

static int
vv_get(mn_txn *t, mn_vv *vv) {
    mn_val v;
    size_t n;
    memset(vv, 0, sizeof *vv);
    int rc = records(t, "vv", VV_REC, &v, &n);
    for (size_t i = 0; rc == MN_OK && i < n; i++) {
        const uint8_t *p = (const uint8_t *)v.p + i * VV_REC;
        rc = mn_vv_set(vv, mn_get_be32(p), mn_get_be64(p + 4));
    }
    return rc == MN_ETOOBIG ? MN_ECORRUPT : rc;
}

static int
vv_put(mn_txn *t, const mn_vv *vv) {
    uint8_t rec[MN_VV_MAX * VV_REC];
    for (uint32_t i = 0; i < vv->n; i++) {
        mn_put_be32(rec + i * VV_REC, vv->e[i].origin);
        mn_put_be64(rec + i * VV_REC + 4, vv->e[i].seq);
    }
    return mn_node_meta_put(t, "vv", rec, vv->n * VV_REC);
}

static int
heads_get(mn_txn *t, mn_heads *hs) {
    mn_val v;
    size_t n;
    memset(hs, 0, sizeof *hs);
    int rc = records(t, "heads", HEAD_REC, &v, &n);
    for (size_t i = 0; rc == MN_OK && i < n; i++) {
        const uint8_t *p = (const uint8_t *)v.p + i * HEAD_REC;
        rc = mn_heads_set(hs, mn_get_be32(p), p + 4);
    }
    return rc == MN_ETOOBIG ? MN_ECORRUPT : rc;
}

static int
heads_put(mn_txn *t, const mn_heads *hs) {
    uint8_t rec[MN_VV_MAX * HEAD_REC];
    for (uint32_t i = 0; i < hs->n; i++) {
        mn_put_be32(rec + i * HEAD_REC, hs->origin[i]);
        memcpy(rec + i * HEAD_REC + 4, hs->h[i], MN_HASH_BYTES);
    }
    return mn_node_meta_put(t, "heads", rec, hs->n * HEAD_REC);
}

static int
claim(mn_txn *t, const mn_config *cfg) {
    uint8_t id[4], schema[4];
    mn_put_be32(id, cfg->self.id);
    mn_put_be32(schema, MN_NODE_SCHEMA_VERSION);
    int rc = mn_node_meta_put(t, "node_id", id, 4);
    return rc == MN_OK ? mn_node_meta_put(t, "schema", schema, 4) : rc;
}

int
mn_node_identity_check(mn_txn *t, const mn_config *cfg, bool claim_new,
                       char *err, size_t errlen) {
    uint8_t id[4], schema[4];
    int rc = mn_node_meta_get(t, "node_id", id, 4);
    if (rc == MN_ENOTFOUND)
        return claim_new ? claim(t, cfg) : MN_OK;
    if (rc == MN_OK && mn_get_be32(id) != cfg->self.id) {
        snprintf(err, errlen,
                 "%s: holds the data of division %u, not of "
                 "division %u (%s)",
                 cfg->data_dir, mn_get_be32(id), cfg->self.id, cfg->self.name);
        return MN_ECONFIG;
    }
    if (rc == MN_OK && mn_node_meta_get(t, "schema", schema, 4) != MN_OK) {
        snprintf(err, errlen, "%s: no schema version", cfg->data_dir);
        return MN_ECORRUPT;
    }
    if (rc == MN_OK && mn_get_be32(schema) != MN_NODE_SCHEMA_VERSION) {
        snprintf(err, errlen,
                 "%s: made with store schema %u, this version reads %u; "
                 "move the directory away and start again to rebuild it "
                 "from the peers",
                 cfg->data_dir, mn_get_be32(schema), MN_NODE_SCHEMA_VERSION);
        return MN_ECONFIG;
    }
    return rc;
}

int
mn_node_state_load(mn_txn *t, struct writer_state *ws) {
    uint8_t hlc[8];
    memset(ws, 0, sizeof *ws);
    int rc = vv_get(t, &ws->vv);
    if (rc == MN_ENOTFOUND)
        return MN_OK; /* a new store */
    if (rc == MN_OK)
        rc = mn_node_meta_get(t, "hlc", hlc, 8);
    if (rc == MN_OK)
        rc = heads_get(t, &ws->heads);
    if (rc == MN_OK)
        rc = mn_node_meta_get(t, "digest", ws->digest, MN_HASH_BYTES);
    mn_hlc_init(&ws->hlc, rc == MN_OK ? mn_get_be64(hlc) : 0);
    return rc;
}

int
mn_node_state_save(mn_txn *t, const struct writer_state *ws) {
    uint8_t hlc[8];
    mn_put_be64(hlc, ws->hlc.last);
    int rc = vv_put(t, &ws->vv);
    if (rc == MN_OK)
        rc = mn_node_meta_put(t, "hlc", hlc, 8);
    if (rc == MN_OK)
        rc = heads_put(t, &ws->heads);
    if (rc == MN_OK)
        rc = mn_node_meta_put(t, "digest", ws->digest, MN_HASH_BYTES);
    return rc;
}

int
mn_node_digest(mn_txn *t, uint8_t digest[MN_HASH_BYTES], mn_vv *vv) {
    int rc = mn_node_meta_get(t, "digest", digest, MN_HASH_BYTES);
    if (rc == MN_OK)
        rc = vv_get(t, vv);
    if (rc == MN_ENOTFOUND) {
        memset(digest, 0, MN_HASH_BYTES);
        memset(vv, 0, sizeof *vv);
        rc = MN_OK;
    }
    return rc;
}
