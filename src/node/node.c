/*
 * node — see node.h.
 *
 * Threads: any number of callers of mn_node_write; one writer thread that
 * owns the write transaction and the writer state (clock, vector, chain
 * head, digest). Callers enqueue a submission and wait on a condition
 * variable; the writer takes every queued submission (up to MAX_GROUP
 * changes), commits them as one group, and wakes them all.
 *
 * If a group fails (map full, I/O error), its transaction is aborted and the
 * writer state is restored from the copy taken when the group began, so the
 * next group reuses the seqs that never became durable.
 */
#include "node/node.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "door/codec.h"
#include "base/hlc.h"
#include "base/log.h"
#include "state/participant.h"
#include "state/state.h"
#include "state/stats.h"

/* Changes per group commit: large enough to amortise the fsync, small
 * enough that a group's transaction stays well inside the map. A single
 * submission over this (a bulk import) is a group of its own, whole. */
#define MAX_GROUP 4096
/* Stored schema version; bump with a migration. */
#define SCHEMA_VERSION 1
#define NETWORK_KEY_ID 1

/* Sign the chain head at least every this many own changes, so a relay can
 * always cut a batch at a signed change within MN_BATCH_MAX_CHANGES. */
#define SIGN_EVERY 256

/* A submission is either local writes or verified remote changes. */
/* A submission is local writes, verified remote changes, or a stream of
 * local writes that arrive while the writer already applies them. */
struct submission {
    mn_write *ws;
    mn_remote_change *rcs;
    mn_stream *stream;
    const mn_chain_sig *sigs;
    size_t nsigs;
    size_t n;
    int result;
    bool done;
    pthread_cond_t cv; /* its caller waits here; only it is woken */
    /* mn_node_apply_async: called instead of waking a caller. */
    void (*done_fn)(void *ctx, int rc);
    void *done_ctx;
    struct submission *next;
};

/* State only the writer thread touches (and restores on a failed group). */
struct writer_state {
    mn_hlc hlc;
    mn_vv vv;
    uint8_t heads[MN_MAX_NODES + 1][MN_HASH_BYTES]; /* chain head per origin */
    uint8_t digest[MN_HASH_BYTES];
    uint64_t unsigned_own;  /* own changes since the last signature */
    uint64_t refused_owner; /* replicated changes the ownership rule refused */
};

struct mn_node {
    mn_config cfg;
    mn_store *store;
    uint8_t sign_sk[MN_SIGN_SECRET_BYTES];
    uint8_t network_key[MN_KEY_BYTES];
    struct writer_state ws;
    mn_buf body, header, cipher, change, entity_buf; /* writer scratch */

    pthread_mutex_t mu;
    pthread_cond_t work; /* writer waits: queue non-empty or stopping */
    struct submission *head_q, *tail_q;
    bool stopping;
    pthread_t writer;
    mn_node_counters counters; /* under mu */
    mn_vv published_vv;        /* under mu: as of the last commit */
    uint8_t published_heads[MN_MAX_NODES + 1][MN_HASH_BYTES];
    bool writable; /* under mu: local writes allowed */
    void (*on_commit)(void *ctx);
    void *on_commit_ctx;
    uint64_t (*clock)(void *ctx);
    void *clock_ctx;
    uint64_t own_floor;   /* own seq recorded outside the store */
    atomic_bool restored; /* the store came from a backup, not yet confirmed */
    uint64_t own_saved;   /* last value written to own.seq */
};

/* ---- keys ------------------------------------------------------------- */

static int
key_path(char *out, size_t cap, const mn_config *cfg, const char *suffix) {
    int n = snprintf(out, cap, "%s/%s%s", cfg->key_dir,
                     suffix[0] == '.' ? cfg->self.name : "", suffix);
    return n > 0 && (size_t)n < cap ? MN_OK : MN_EINVAL;
}

static int
load_keys(mn_node *node, char *err, size_t errlen) {
    char path[PATH_MAX + 64];
    static const char *const hint = "(run ops/keys, or mentornetd --keygen)";
    key_path(path, sizeof path, &node->cfg, ".sign.secret");
    int rc = mn_crypto_key_read(path, node->sign_sk, MN_SIGN_SECRET_BYTES, 1);
    if (rc == MN_OK) {
        key_path(path, sizeof path, &node->cfg, "network.key");
        rc = mn_crypto_key_read(path, node->network_key, MN_KEY_BYTES, 1);
    }
    if (rc != MN_OK)
        snprintf(err, errlen, "%s: %s %s", path,
                 rc == MN_EAUTH    ? "secret key is readable by others (chmod "
                                     "600)"
                 : rc == MN_EINVAL ? "not a valid key file"
                                   : "cannot read key",
                 hint);
    return rc == MN_OK ? MN_OK : MN_ECONFIG;
}

/* ---- meta ------------------------------------------------------------- */

static int
meta_get(mn_txn *t, const char *key, void *out, size_t n) {
    mn_val v;
    int rc = mn_txn_get(t, MN_DB_META, key, strlen(key), &v);
    if (rc != MN_OK)
        return rc;
    if (v.n != n)
        return MN_ECORRUPT;
    memcpy(out, v.p, n);
    return MN_OK;
}

static int
meta_put(mn_txn *t, const char *key, const void *v, size_t n) {
    return mn_txn_put(t, MN_DB_META, key, strlen(key), v, n, 0);
}

static int
save_writer_state(mn_txn *t, const struct writer_state *ws) {
    uint8_t hlc[8];
    mn_put_be64(hlc, ws->hlc.last);
    int rc = meta_put(t, "vv", &ws->vv, sizeof ws->vv);
    if (rc == MN_OK)
        rc = meta_put(t, "hlc", hlc, 8);
    if (rc == MN_OK)
        rc = meta_put(t, "heads", ws->heads, sizeof ws->heads);
    if (rc == MN_OK)
        rc = meta_put(t, "digest", ws->digest, MN_HASH_BYTES);
    return rc;
}

/* Claim a fresh store for this node, or check it belongs to this node. */
static int
check_identity(mn_txn *t, const mn_config *cfg, char *err, size_t errlen) {
    uint8_t id[4], schema[4];
    int rc = meta_get(t, "node_id", id, 4);
    if (rc == MN_ENOTFOUND) {
        mn_put_be32(id, cfg->self.id);
        mn_put_be32(schema, SCHEMA_VERSION);
        rc = meta_put(t, "node_id", id, 4);
        return rc == MN_OK ? meta_put(t, "schema", schema, 4) : rc;
    }
    if (rc == MN_OK && mn_get_be32(id) != cfg->self.id) {
        snprintf(err, errlen,
                 "%s: holds the data of division %u, not of "
                 "division %u (%s)",
                 cfg->data_dir, mn_get_be32(id), cfg->self.id, cfg->self.name);
        return MN_ECONFIG;
    }
    if (rc == MN_OK && (meta_get(t, "schema", schema, 4) != MN_OK ||
                        mn_get_be32(schema) != SCHEMA_VERSION)) {
        snprintf(err, errlen, "%s: unknown schema version", cfg->data_dir);
        return MN_ECORRUPT;
    }
    return rc;
}

static int
load_writer_state(mn_txn *t, struct writer_state *ws) {
    uint8_t hlc[8];
    memset(ws, 0, sizeof *ws);
    int rc = meta_get(t, "vv", &ws->vv, sizeof ws->vv);
    if (rc == MN_ENOTFOUND)
        return MN_OK; /* a new store */
    if (rc == MN_OK)
        rc = meta_get(t, "hlc", hlc, 8);
    if (rc == MN_OK)
        rc = meta_get(t, "heads", ws->heads, sizeof ws->heads);
    if (rc == MN_OK)
        rc = meta_get(t, "digest", ws->digest, MN_HASH_BYTES);
    mn_hlc_init(&ws->hlc, mn_get_be64(hlc));
    return rc;
}

/* ---- checking the store at start ----------------------------------------
 *
 * LMDB has no page checksums: a damaged page reads as other data. So a
 * node checks, before it serves, what it can recompute: every origin's
 * log decodes, runs from seq 1 without a gap, each change links to the one
 * before, and it ends at the stored vector and chain heads; the digest
 * equals the XOR over the stored entities; every other database is walked
 * and each entry has its expected shape. O(store) hashing and reading,
 * once per start; no body is decoded. (The statistics are checked on
 * demand: GET /v1/stats?verify=true.)
 */

struct log_walk {
    uint32_t origin;
    uint64_t seq;
    uint8_t head[MN_HASH_BYTES];
};

/* The origin's walk is done: it must end where the writer state says. */
static bool
walk_ends_right(const struct log_walk *w, const struct writer_state *ws) {
    return w->origin == 0 ||
           (w->seq == ws->vv.seq[w->origin] &&
            memcmp(w->head, ws->heads[w->origin], MN_HASH_BYTES) == 0);
}

static bool
change_links(const mn_val *v, uint32_t origin, uint64_t seq,
             struct log_walk *w) {
    mn_bytes header;
    mn_change_header h;
    bool ok = mn_codec_change_header_bytes(v->p, v->n, &header) == MN_OK &&
              mn_codec_header_decode(header.p, header.n, &h) == MN_OK &&
              h.origin == origin && h.seq == seq &&
              memcmp(h.prev_hash, w->head, MN_HASH_BYTES) == 0;
    mn_crypto_hash2(v->p, v->n, NULL, 0, w->head);
    return ok;
}

static int
check_log(mn_txn *t, const struct writer_state *ws, char *err, size_t errlen,
          const char *dir) {
    mn_cursor *cur = NULL;
    mn_val k, v;
    struct log_walk w = {0};
    uint64_t seen = 0, want = 0;
    int rc = mn_cursor_open(t, MN_DB_LOG, &cur);
    for (rc = rc ? rc : mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v), seen++) {
        uint32_t origin = k.n == 12 ? mn_get_be32(k.p) : 0;
        uint64_t seq = k.n == 12 ? mn_get_be64((const uint8_t *)k.p + 4) : 0;
        if (origin != w.origin) {
            if (!walk_ends_right(&w, ws) || origin == 0 ||
                origin > MN_MAX_NODES)
                break;
            w = (struct log_walk){origin, 0, {0}};
        }
        if (seq != w.seq + 1 || !change_links(&v, origin, seq, &w))
            break;
        w.seq = seq;
    }
    mn_cursor_close(&cur);
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        want += ws->vv.seq[o];
    if (rc == MN_ENOTFOUND && walk_ends_right(&w, ws) && seen == want)
        return MN_OK;
    snprintf(err, errlen,
             "%s: the store is damaged: the change log of "
             "division %u breaks after seq %llu (restore a backup or rebuild "
             "this node from its peers: move the data dir away and start)",
             dir, w.origin, (unsigned long long)w.seq);
    return MN_ECORRUPT;
}

static int
check_state(mn_txn *t, const struct writer_state *ws, char *err, size_t errlen,
            const char *dir) {
    mn_cursor *cur = NULL;
    mn_val k, v;
    uint8_t digest[MN_HASH_BYTES] = {0}, h[MN_HASH_BYTES];
    int rc = mn_cursor_open(t, MN_DB_ENTITIES, &cur);
    for (rc = rc ? rc : mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        mn_crypto_hash2(v.p, v.n, NULL, 0, h);
        for (int i = 0; i < MN_HASH_BYTES; i++)
            digest[i] ^= h[i];
    }
    mn_cursor_close(&cur);
    if (rc == MN_ENOTFOUND) /* the conflict list is in the digest too */
        rc = mn_conflicts_digest(t, digest);
    if (rc == MN_OK && memcmp(digest, ws->digest, MN_HASH_BYTES) == 0)
        return MN_OK;
    snprintf(err, errlen,
             "%s: the store is damaged: its entities do not "
             "match its digest (restore a backup or rebuild "
             "this node from its peers: move the data dir away and start)",
             dir);
    return MN_ECORRUPT;
}

static int
open_state(mn_node *node, char *err, size_t errlen) {
    mn_txn *t;
    int rc = mn_store_begin(node->store, true, &t);
    if (rc != MN_OK) {
        snprintf(err, errlen, "%s: %s", node->cfg.data_dir, mn_strerror(rc));
        return rc;
    }
    rc = check_identity(t, &node->cfg, err, errlen);
    if (rc == MN_OK)
        rc = load_writer_state(t, &node->ws);
    if (rc == MN_OK) {
        char flag;
        int frc = meta_get(t, "restored", &flag, 1);
        atomic_store(&node->restored, frc == MN_OK);
        if (frc != MN_OK && frc != MN_ENOTFOUND)
            rc = frc;
    }
    if (rc == MN_OK)
        return mn_txn_commit(&t);
    if (!err[0])
        snprintf(err, errlen, "%s: cannot load node state: %s",
                 node->cfg.data_dir, mn_strerror(rc));
    mn_txn_abort(&t);
    return rc;
}

/* Does an entry of db have the shape that db's writers give it? */
static bool
entry_shape_ok(enum mn_db db, const mn_val *k, const mn_val *v) {
    mn_chain_sig sig;
    const uint8_t *kp = k->p;
    switch (db) {
    case MN_DB_SIGS:
        return k->n == 12 && mn_codec_sig_decode(v->p, v->n, &sig) == MN_OK &&
               sig.origin == mn_get_be32(kp) && sig.seq == mn_get_be64(kp + 4);
    case MN_DB_INDEX:
        return k->n == 21 && (kp[0] == 'd' || kp[0] == 'r' || kp[0] == 's') &&
               v->n == 0;
    case MN_DB_STATS:
        return (k->n == 7 && kp[0] == 'p') || (k->n == 3 && kp[0] == 'c');
    case MN_DB_CONFLICTS: return mn_conflicts_shape_ok(k, v);
    default: return k->n > 0;
    }
}

/* Walk every page of the databases the log and digest checks do not read,
 * checking each entry's shape. */
static int
check_other_dbs(mn_txn *t, char *err, size_t errlen, const char *dir) {
    static const enum mn_db dbs[] = {MN_DB_SIGS, MN_DB_INDEX, MN_DB_STATS,
                                     MN_DB_META, MN_DB_CONFLICTS};
    for (size_t i = 0; i < MN_ARRAY_LEN(dbs); i++) {
        mn_cursor *cur = NULL;
        mn_val k, v;
        int rc = mn_cursor_open(t, dbs[i], &cur);
        for (rc = rc ? rc : mn_cursor_seek(cur, NULL, 0, &k, &v);
             rc == MN_OK && entry_shape_ok(dbs[i], &k, &v);
             rc = mn_cursor_next(cur, &k, &v))
            ;
        mn_cursor_close(&cur);
        if (rc != MN_ENOTFOUND) {
            snprintf(err, errlen,
                     "%s: the store is damaged: a malformed entry in its "
                     "indexes or metadata (restore a backup or rebuild this "
                     "node from its peers: move the data dir away and start)",
                     dir);
            return MN_ECORRUPT;
        }
    }
    return MN_OK;
}

/*
 * LMDB trusts its pages: a garbage page number can send a read outside the
 * map (SIGSEGV or SIGBUS), and a page of the wrong kind trips one of its
 * assertions (SIGABRT). The check runs at start, on the opening thread,
 * before anything else uses the store, so such a fault is caught here and
 * reported as a damaged store instead of killing the process silently.
 */
static sigjmp_buf check_fault;

static void
on_check_fault(int sig) {
    siglongjmp(check_fault, sig);
}

/* Load the node's state from the store and check the store. */
static int
open_checked(mn_node *node, char *err, size_t errlen) {
    struct sigaction sa = {.sa_handler = on_check_fault}, old_segv, old_bus,
                     old_abrt;
    mn_txn *t = NULL;
    int rc;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, &old_segv);
    sigaction(SIGBUS, &sa, &old_bus);
    sigaction(SIGABRT, &sa, &old_abrt);
    if (sigsetjmp(check_fault, 1) == 0) {
        rc = open_state(node, err, errlen);
        if (rc == MN_OK)
            rc = mn_store_begin(node->store, false, &t);
        if (rc == MN_OK)
            rc = check_log(t, &node->ws, err, errlen, node->cfg.data_dir);
        if (rc == MN_OK)
            rc = check_state(t, &node->ws, err, errlen, node->cfg.data_dir);
        if (rc == MN_OK)
            rc = check_other_dbs(t, err, errlen, node->cfg.data_dir);
        mn_txn_abort(&t);
    } else {
        /* The faulting read's transaction is abandoned, not touched. */
        snprintf(err, errlen,
                 "%s: the store is damaged: reading it faults "
                 "(restore a backup or rebuild this node from its peers: "
                 "move the data dir away and start)",
                 node->cfg.data_dir);
        rc = MN_ECORRUPT;
    }
    sigaction(SIGSEGV, &old_segv, NULL);
    sigaction(SIGBUS, &old_bus, NULL);
    sigaction(SIGABRT, &old_abrt, NULL);
    return rc;
}

/* ---- local writes ----------------------------------------------------- */

static void
log_key(uint32_t origin, uint64_t seq, uint8_t key[12]) {
    mn_put_be32(key, origin);
    mn_put_be64(key + 4, seq);
}

/* Encode, encrypt and chain one change; leaves its bytes in node->change. */
static void
seal_change(mn_node *node, const mn_change_header *h, const mn_write *w) {
    mn_buf_reset(&node->body);
    mn_buf_reset(&node->header);
    mn_buf_reset(&node->cipher);
    mn_buf_reset(&node->change);
    mn_codec_body_encode(w->type, w->id, w->ops.op, w->ops.n, &node->body);
    mn_codec_header_encode(h, &node->header);
    mn_buf_reserve(&node->cipher, node->body.len + MN_TAG_BYTES);
    uint8_t nonce[MN_NONCE_BYTES];
    mn_crypto_seal(node->network_key, node->header.p, node->header.len,
                   node->body.p, node->body.len, nonce, node->cipher.p);
    mn_change_view view = {
        NULL,  node->header.p, node->header.len,
        nonce, node->cipher.p, node->body.len + MN_TAG_BYTES};
    mn_codec_change_encode(&view, &node->change);
}

static uint64_t
node_now(mn_node *node) {
    return node->clock ? node->clock(node->clock_ctx) : mn_wall_ms();
}

/* May this node make w? Assigns a create's id. */
static int
admit_local(mn_node *node, mn_txn *t, mn_write *w, uint64_t now) {
    if (w->ops.n == 0)
        return MN_EINVAL; /* callers write nothing rather than no ops */
    if (w->create) {
        mn_id_new(now, w->id);
    } else {
        int rc = mn_state_exists(t, w->type, w->id);
        if (rc != MN_OK)
            return rc;
    }
    return mn_state_check_owner(t, w->type, w->id, w->ops.op, w->ops.n,
                                node->cfg.self.id);
}

static int
write_one(mn_node *node, mn_txn *t, mn_write *w) {
    uint64_t now = node_now(node);
    uint32_t self = node->cfg.self.id;
    uint8_t key[12];
    int rc = admit_local(node, t, w, now);
    if (rc != MN_OK)
        return rc;
    mn_change_header h = {.origin = self,
                          .seq = node->ws.vv.seq[self] + 1,
                          .hlc = mn_hlc_now(&node->ws.hlc, now),
                          .key_id = NETWORK_KEY_ID,
                          .deps = node->ws.vv};
    memcpy(h.prev_hash, node->ws.heads[self], MN_HASH_BYTES);
    seal_change(node, &h, w);
    log_key(self, h.seq, key);
    rc = mn_txn_put(t, MN_DB_LOG, key, sizeof key, node->change.p,
                    node->change.len, MN_PUT_NEW);
    if (rc != MN_OK)
        return rc;
    mn_crypto_hash2(node->change.p, node->change.len, NULL, 0,
                    node->ws.heads[self]);
    mn_stamp st = {h.hlc, self, h.seq};
    rc = mn_state_apply(t, node->ws.digest, w->type, w->id, w->ops.op, w->ops.n,
                        &st, NULL, &node->entity_buf);
    if (rc == MN_OK) {
        node->ws.vv.seq[self] = h.seq;
        node->ws.unsigned_own++;
    }
    return rc;
}

/* Apply one verified remote change; a change that is not the next of its
 * origin is skipped (MN_EEXIST: already applied; MN_EGAP: too early). */
static int
apply_remote_one(mn_node *node, mn_txn *t, mn_remote_change *c) {
    uint32_t o = c->h.origin;
    uint8_t key[12];
    if (c->h.seq <= node->ws.vv.seq[o])
        return MN_EEXIST;
    if (c->h.seq != node->ws.vv.seq[o] + 1 ||
        memcmp(c->h.prev_hash, node->ws.heads[o], MN_HASH_BYTES) != 0)
        return MN_EGAP;
    log_key(o, c->h.seq, key);
    int rc = mn_txn_put(t, MN_DB_LOG, key, sizeof key, c->raw.p, c->raw.n,
                        MN_PUT_NEW);
    if (rc != MN_OK)
        return rc;
    mn_stamp st = {c->h.hlc, o, c->h.seq};
    rc = mn_state_check_owner(t, c->type, c->id, c->ops.op, c->ops.n, o);
    if (rc == MN_OK)
        rc = mn_state_apply(t, node->ws.digest, c->type, c->id, c->ops.op,
                            c->ops.n, &st, &c->h.deps, &node->entity_buf);
    else if (rc == MN_EAUTH) {
        /* Logged (the origin's chain stays whole) but refused by the
         * ownership rule, as on every node. */
        node->ws.refused_owner++;
        rc = MN_OK;
    }
    if (rc != MN_OK)
        return rc;
    memcpy(node->ws.heads[o], c->hash, MN_HASH_BYTES);
    node->ws.vv.seq[o] = c->h.seq;
    /* The engine has already refused clocks beyond the drift bound. */
    if (mn_hlc_recv(&node->ws.hlc, c->h.hlc, node_now(node), UINT64_MAX))
        return MN_EDRIFT;
    return MN_OK;
}

/* Store the origins' signatures that cover what was applied. */
static int
store_sigs(mn_node *node, mn_txn *t, const mn_chain_sig *sigs, size_t n) {
    uint8_t key[12];
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < n; i++) {
        if (sigs[i].seq > node->ws.vv.seq[sigs[i].origin])
            continue; /* its change was not applied: nothing to vouch for */
        log_key(sigs[i].origin, sigs[i].seq, key);
        mn_buf_reset(&node->change);
        mn_codec_sig_encode(&sigs[i], &node->change);
        rc = mn_txn_put(t, MN_DB_SIGS, key, sizeof key, node->change.p,
                        node->change.len, 0);
    }
    return rc;
}

/* Sign the chain head once for the whole group. */
static int
sign_head(mn_node *node, mn_txn *t) {
    uint32_t self = node->cfg.self.id;
    mn_chain_sig s = {.origin = self, .seq = node->ws.vv.seq[self]};
    uint8_t msg[12 + MN_HASH_BYTES], key[12];
    node->ws.unsigned_own = 0;
    memcpy(s.head, node->ws.heads[self], MN_HASH_BYTES);
    log_key(self, s.seq, msg);
    memcpy(msg + 12, s.head, MN_HASH_BYTES);
    mn_crypto_sign(node->sign_sk, msg, sizeof msg, s.sig);
    mn_buf_reset(&node->change);
    mn_codec_sig_encode(&s, &node->change);
    log_key(self, s.seq, key);
    return mn_txn_put(t, MN_DB_SIGS, key, sizeof key, node->change.p,
                      node->change.len, 0);
}

static int
apply_local(mn_node *node, mn_txn *t, struct submission *s, size_t *nok) {
    for (size_t i = 0; i < s->n; i++) {
        int rc = write_one(node, t, &s->ws[i]);
        s->ws[i].result = rc;
        if (rc == MN_OK)
            (*nok)++;
        else if (rc != MN_ENOTFOUND && rc != MN_EAUTH)
            return rc;
        if (node->ws.unsigned_own >= SIGN_EVERY &&
            (rc = sign_head(node, t)) != MN_OK)
            return rc;
    }
    return MN_OK;
}

static int
apply_remote(mn_node *node, mn_txn *t, struct submission *s, size_t *nok) {
    for (size_t i = 0; i < s->n; i++) {
        int rc = apply_remote_one(node, t, &s->rcs[i]);
        s->rcs[i].result = rc;
        if (rc == MN_OK)
            (*nok)++;
        else if (rc != MN_EEXIST && rc != MN_EGAP)
            return rc;
    }
    return store_sigs(node, t, s->sigs, s->nsigs);
}

/* A stream's chunks, pushed by its caller while the writer applies them. */
struct chunk {
    mn_write *ws;
    size_t n;
};

struct mn_stream {
    mn_node *node;
    struct submission sub;
    struct chunk *chunks; /* under node->mu */
    size_t nchunks, cap, taken;
    bool ended, commit;
    pthread_cond_t more; /* the writer waits here for chunks or the end */
};

/*
 * Apply a stream's chunks as they arrive, inside the group's transaction,
 * until its caller ends it. The transaction commits only when the caller
 * ends with commit; otherwise MN_EINVAL aborts it (nothing was written).
 */
static int
apply_stream(mn_node *node, mn_txn *t, mn_stream *st, size_t *nok) {
    int rc = MN_OK;
    pthread_mutex_lock(&node->mu);
    for (;;) {
        while (st->taken == st->nchunks && !st->ended)
            pthread_cond_wait(&st->more, &node->mu);
        if (st->taken == st->nchunks)
            break;
        struct chunk c = st->chunks[st->taken++];
        pthread_mutex_unlock(&node->mu);
        struct submission part = {.ws = c.ws, .n = c.n};
        if (rc == MN_OK)
            rc = apply_local(node, t, &part, nok);
        pthread_mutex_lock(&node->mu);
    }
    bool commit = st->commit;
    pthread_mutex_unlock(&node->mu);
    return rc == MN_OK && !commit ? MN_EINVAL : rc;
}

/* Apply every submission of the group; a missing entity or an out-of-order
 * remote change fails alone, a storage error fails the group. */
static int
apply_group(mn_node *node, mn_txn *t, struct submission *group, size_t *nok) {
    *nok = 0;
    for (struct submission *s = group; s; s = s->next) {
        int rc = s->stream ? apply_stream(node, t, s->stream, nok)
                 : s->ws   ? apply_local(node, t, s, nok)
                           : apply_remote(node, t, s, nok);
        if (rc != MN_OK)
            return rc;
    }
    return MN_OK;
}

static int
commit_group(mn_node *node, struct submission *group, size_t *nok) {
    mn_txn *t;
    struct writer_state saved = node->ws;
    int rc = mn_store_begin(node->store, true, &t);
    if (rc != MN_OK)
        return rc;
    rc = apply_group(node, t, group, nok);
    if (rc == MN_OK && node->ws.unsigned_own > 0)
        rc = sign_head(node, t);
    if (rc == MN_OK)
        rc = save_writer_state(t, &node->ws);
    if (rc == MN_OK)
        rc = mn_txn_commit(&t);
    else
        mn_txn_abort(&t);
    if (rc != MN_OK)
        node->ws = saved;
    return rc;
}

static void finish_async(struct submission *async, int rc);

static void
finish_group(mn_node *node, struct submission *group, int rc, size_t nok) {
    struct submission *async = NULL, *next;
    bool waiters = false;
    pthread_mutex_lock(&node->mu);
    for (struct submission *s = group; s; s = next) {
        next = s->next;
        s->result = rc;
        for (size_t i = 0; rc != MN_OK && !s->stream && i < s->n; i++) {
            if (s->ws)
                s->ws[i].result = rc;
            else
                s->rcs[i].result = rc;
        }
        if (s->done_fn) { /* reported below, once the lock is released */
            s->next = async;
            async = s;
            continue;
        }
        waiters = true;
        s->done = true;
        pthread_cond_signal(&s->cv);
    }
    if (rc == MN_OK) {
        node->counters.commits++;
        node->counters.changes += nok;
        node->counters.refused_owner = node->ws.refused_owner;
        node->published_vv = node->ws.vv;
        memcpy(node->published_heads, node->ws.heads, sizeof node->ws.heads);
    } else {
        node->counters.write_errors++;
    }
    pthread_mutex_unlock(&node->mu);
    /* An asynchronous apply is reported by its own callback alone, so its
     * caller is woken once, not twice. */
    if (rc == MN_OK && nok > 0 && waiters && node->on_commit)
        node->on_commit(node->on_commit_ctx);
    finish_async(async, rc);
}

/* Detach a group of whole submissions from the queue (mu held). */
static struct submission *
take_group(mn_node *node) {
    struct submission *group = node->head_q, *last = group;
    size_t n = group->n;
    /* A stream is a group of its own: its size is not known in advance. */
    while (!group->stream && last->next && !last->next->stream &&
           n + last->next->n <= MAX_GROUP) {
        last = last->next;
        n += last->n;
    }
    node->head_q = last->next;
    if (!node->head_q)
        node->tail_q = NULL;
    last->next = NULL;
    return group;
}

static void *
writer_main(void *arg) {
    mn_node *node = arg;
    pthread_mutex_lock(&node->mu);
    for (;;) {
        while (!node->head_q && !node->stopping)
            pthread_cond_wait(&node->work, &node->mu);
        if (!node->head_q)
            break;
        struct submission *group = take_group(node);
        pthread_mutex_unlock(&node->mu);
        size_t nok = 0;
        int rc = commit_group(node, group, &nok);
        if (rc != MN_OK)
            mn_warn("write group failed: %s", mn_strerror(rc));
        finish_group(node, group, rc, nok);
        pthread_mutex_lock(&node->mu);
    }
    pthread_mutex_unlock(&node->mu);
    return NULL;
}

/* Queue s for the writer and wait until its group is done. */
/* Queue s for the writer (mu held); MN_OK or why not. */
static int
enqueue(mn_node *node, struct submission *s, bool local) {
    if (node->stopping || (local && !node->writable))
        return node->stopping ? MN_ESHUTDOWN : MN_EAGAIN;
    if (node->tail_q)
        node->tail_q->next = s;
    else
        node->head_q = s;
    node->tail_q = s;
    pthread_cond_signal(&node->work);
    return MN_OK;
}

/* Wait until the writer is done with s (mu held). */
static int
wait_done(mn_node *node, struct submission *s) {
    while (!s->done)
        pthread_cond_wait(&s->cv, &node->mu);
    return s->result;
}

static int
enqueue_and_wait(mn_node *node, struct submission *s, bool local) {
    pthread_mutex_lock(&node->mu);
    int rc = enqueue(node, s, local);
    if (rc == MN_OK)
        rc = wait_done(node, s);
    pthread_mutex_unlock(&node->mu);
    return rc;
}

static int
submit(mn_node *node, struct submission *s, bool local) {
    pthread_cond_init(&s->cv, NULL);
    int rc = enqueue_and_wait(node, s, local);
    pthread_cond_destroy(&s->cv);
    return rc;
}

int
mn_node_write(mn_node *node, mn_write *ws, size_t n) {
    struct submission s = {.ws = ws, .n = n};
    return submit(node, &s, true);
}

int
mn_node_apply(mn_node *node, mn_remote_change *cs, size_t n,
              const mn_chain_sig *sigs, size_t nsigs) {
    struct submission s = {.rcs = cs, .n = n, .sigs = sigs, .nsigs = nsigs};
    return submit(node, &s, false);
}

/* Report the end of asynchronous applies (listed newest first) in the
 * order they were queued, and free them. */
static void
finish_async(struct submission *async, int rc) {
    struct submission *order = NULL, *next;
    for (struct submission *s = async; s; s = next) {
        next = s->next;
        s->next = order;
        order = s;
    }
    for (struct submission *s = order; s; s = next) {
        next = s->next;
        s->done_fn(s->done_ctx, rc);
        free(s);
    }
}

int
mn_node_apply_async(mn_node *node, mn_remote_change *cs, size_t n,
                    const mn_chain_sig *sigs, size_t nsigs,
                    void (*done)(void *ctx, int rc), void *ctx) {
    struct submission *s = mn_malloc(sizeof *s);
    *s = (struct submission){.rcs = cs,
                             .n = n,
                             .sigs = sigs,
                             .nsigs = nsigs,
                             .done_fn = done,
                             .done_ctx = ctx};
    pthread_mutex_lock(&node->mu);
    int rc = enqueue(node, s, false);
    pthread_mutex_unlock(&node->mu);
    if (rc != MN_OK)
        free(s);
    return rc;
}

int
mn_node_stream_begin(mn_node *node, mn_stream **out) {
    mn_stream *st = mn_calloc(1, sizeof *st);
    st->node = node;
    st->sub.stream = st;
    pthread_cond_init(&st->sub.cv, NULL);
    pthread_cond_init(&st->more, NULL);
    pthread_mutex_lock(&node->mu);
    int rc = enqueue(node, &st->sub, true);
    pthread_mutex_unlock(&node->mu);
    if (rc != MN_OK) {
        pthread_cond_destroy(&st->sub.cv);
        pthread_cond_destroy(&st->more);
        free(st);
        return rc;
    }
    *out = st;
    return MN_OK;
}

void
mn_node_stream_push(mn_stream *st, mn_write *ws, size_t n) {
    pthread_mutex_lock(&st->node->mu);
    if (st->nchunks == st->cap) {
        st->cap = st->cap ? 2 * st->cap : 64;
        st->chunks = mn_realloc(st->chunks, st->cap * sizeof *st->chunks);
    }
    st->chunks[st->nchunks++] = (struct chunk){ws, n};
    pthread_cond_signal(&st->more);
    pthread_mutex_unlock(&st->node->mu);
}

int
mn_node_stream_end(mn_stream *st, bool commit) {
    mn_node *node = st->node;
    pthread_mutex_lock(&node->mu);
    st->ended = true;
    st->commit = commit;
    pthread_cond_signal(&st->more);
    int rc = wait_done(node, &st->sub);
    pthread_mutex_unlock(&node->mu);
    pthread_cond_destroy(&st->sub.cv);
    pthread_cond_destroy(&st->more);
    free(st->chunks);
    free(st);
    return rc;
}

void
mn_node_state(mn_node *node, mn_vv *vv,
              uint8_t heads[MN_MAX_NODES + 1][MN_HASH_BYTES]) {
    pthread_mutex_lock(&node->mu);
    *vv = node->published_vv;
    if (heads)
        memcpy(heads, node->published_heads, sizeof node->published_heads);
    pthread_mutex_unlock(&node->mu);
}

void
mn_node_set_writable(mn_node *node, bool writable) {
    pthread_mutex_lock(&node->mu);
    node->writable = writable;
    pthread_mutex_unlock(&node->mu);
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

/* ---- own.seq: the store's own high-water mark, kept beside it ----------- */

/*
 * A store restored from a backup is behind what this node already sent.
 * own.seq, written beside data.mdb (never inside it, so a backup does not
 * carry it), records the last own seq known to be committed. At start a
 * store behind it holds local writes until peers have given its own log
 * back (the engine checks mn_node_own_floor).
 */
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

int
mn_node_save_own_seq(mn_node *node) {
    char path[PATH_MAX + 16], tmp[PATH_MAX + 16], text[32];
    mn_vv vv;
    mn_node_state(node, &vv, NULL);
    uint64_t seq = vv.seq[node->cfg.self.id];
    if (seq <= node->own_saved)
        return MN_OK;
    own_path(node, path, sizeof path, "");
    own_path(node, tmp, sizeof tmp, ".tmp");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return MN_EIO;
    int len = snprintf(text, sizeof text, "%llu\n", (unsigned long long)seq);
    bool ok = write(fd, text, (size_t)len) == len && fsync(fd) == 0;
    ok = close(fd) == 0 && ok && rename(tmp, path) == 0;
    if (ok)
        node->own_saved = seq;
    return ok ? MN_OK : MN_EIO;
}

uint64_t
mn_node_own_floor(const mn_node *node) {
    return node->own_floor;
}

int
mn_node_backup(mn_node *node, const char *path) {
    return mn_store_backup_marked(node->store, path, "restored");
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

/* ---- lifecycle -------------------------------------------------------- */

static void
node_free(mn_node *node) {
    mn_store_destroy(&node->store);
    mn_buf_release(&node->body);
    mn_buf_release(&node->header);
    mn_buf_release(&node->cipher);
    mn_buf_release(&node->change);
    mn_buf_release(&node->entity_buf);
    mn_crypto_wipe(node->sign_sk, sizeof node->sign_sk);
    mn_crypto_wipe(node->network_key, sizeof node->network_key);
    pthread_mutex_destroy(&node->mu);
    pthread_cond_destroy(&node->work);
    free(node);
}

int
mn_node_open(const mn_config *cfg, mn_node **out, char *err, size_t errlen) {
    mn_node *node = mn_calloc(1, sizeof *node);
    node->cfg = *cfg;
    pthread_mutex_init(&node->mu, NULL);
    pthread_cond_init(&node->work, NULL);
    err[0] = '\0';
    int rc = load_keys(node, err, errlen);
    if (rc == MN_OK && mn_mkdir_p(cfg->data_dir, 0700) != MN_OK) {
        snprintf(err, errlen, "%s: cannot create: %s", cfg->data_dir,
                 strerror(errno));
        rc = MN_EIO;
    }
    if (rc == MN_OK)
        rc = mn_store_open(cfg->data_dir, cfg->map_size, cfg->sync,
                           &node->store, err, errlen);
    if (rc == MN_OK)
        rc = open_checked(node, err, errlen);
    node->published_vv = node->ws.vv;
    memcpy(node->published_heads, node->ws.heads, sizeof node->ws.heads);
    node->writable = true;
    node->own_floor = read_own_seq(node);
    node->own_saved = node->ws.vv.seq[cfg->self.id];
    if (rc == MN_OK && node->own_floor > node->own_saved)
        mn_warn("store holds own changes up to %llu, but this node made "
                "%llu: restored from a backup? Local writes wait until "
                "peers return the rest",
                (unsigned long long)node->own_saved,
                (unsigned long long)node->own_floor);
    if (rc == MN_OK &&
        pthread_create(&node->writer, NULL, writer_main, node) != 0) {
        snprintf(err, errlen, "cannot start the writer thread");
        rc = MN_EIO;
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
    pthread_mutex_lock(&node->mu);
    node->stopping = true;
    pthread_cond_signal(&node->work);
    pthread_mutex_unlock(&node->mu);
    pthread_join(node->writer, NULL);
    if (mn_node_save_own_seq(node) != MN_OK)
        mn_warn("cannot write %s/own.seq", node->cfg.data_dir);
    node_free(node);
    *self_p = NULL;
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

int
mn_node_digest(mn_txn *t, uint8_t digest[MN_HASH_BYTES], mn_vv *vv) {
    int rc = meta_get(t, "digest", digest, MN_HASH_BYTES);
    if (rc == MN_OK)
        rc = meta_get(t, "vv", vv, sizeof *vv);
    if (rc == MN_ENOTFOUND) {
        memset(digest, 0, MN_HASH_BYTES);
        memset(vv, 0, sizeof *vv);
        rc = MN_OK;
    }
    return rc;
}
