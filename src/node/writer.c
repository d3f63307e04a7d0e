/*
 * writer — the node's write pipeline (see node.h): one writer thread that
 * owns the write transaction and the writer state (clock, vector, chain
 * heads, digest).
 *
 * Callers of mn_node_write and mn_node_apply enqueue a submission and wait
 * on its own condition variable; the writer takes every queued submission
 * (up to MAX_GROUP changes), commits them as one group, and wakes them
 * all. Each own change is sealed and chained through change/envelope and
 * appended through change/log; the chain head is signed at least every
 * SIGN_EVERY own changes and at the end of every group that made one.
 *
 * If a group fails (map full, I/O error), its transaction is aborted and the
 * writer state is restored from the copy taken when the group began, so the
 * next group reuses the seqs that never became durable.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/id.h"
#include "base/log.h"
#include "change/log.h"
#include "node/node_internal.h"
#include "state/state.h"

/* Changes per group commit: large enough to amortise the fsync, small
 * enough that a group's transaction stays well inside the map. A single
 * submission over this (a bulk import) is a group of its own, whole. */
#define MAX_GROUP 4096

/* Sign the chain head at least every this many own changes, so a relay can
 * always cut a batch at a signed change within MN_BATCH_MAX_CHANGES. */
#define SIGN_EVERY 256

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
    struct submission *next;
};

/* ---- own changes -------------------------------------------------------- */

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

/* Seal w as this origin's next change, log it and apply it. */
static int
write_one(mn_node *node, mn_txn *t, mn_write *w) {
    uint64_t now = node_now(node);
    uint32_t self = node->cfg.self.id;
    int rc = admit_local(node, t, w, now);
    if (rc != MN_OK)
        return rc;
    mn_change_header h = {.origin = self,
                          .seq = node->ws.vv.seq[self] + 1,
                          .hlc = mn_hlc_now(&node->ws.hlc, now),
                          .key_id = MN_NETWORK_KEY_ID,
                          .deps = node->ws.vv};
    memcpy(h.prev_hash, node->ws.heads[self], MN_HASH_BYTES);
    mn_envelope_seal(&node->sealer, &h, w->type, w->id, &w->ops);
    rc = mn_log_append(t, self, h.seq, node->sealer.change.p,
                       node->sealer.change.len);
    if (rc != MN_OK)
        return rc;
    memcpy(node->ws.heads[self], node->sealer.hash, MN_HASH_BYTES);
    mn_stamp st = {h.hlc, self, h.seq};
    rc = mn_state_apply(t, node->ws.digest, w->type, w->id, w->ops.op, w->ops.n,
                        &st, NULL, &node->entity_buf);
    if (rc == MN_OK) {
        node->ws.vv.seq[self] = h.seq;
        node->ws.unsigned_own++;
    }
    return rc;
}

/* Sign this origin's chain head (once for many changes). */
static int
sign_head(mn_node *node, mn_txn *t) {
    uint32_t self = node->cfg.self.id;
    mn_chain_sig s;
    node->ws.unsigned_own = 0;
    mn_envelope_sign_head(node->sign_sk, self, node->ws.vv.seq[self],
                          node->ws.heads[self], &s);
    return mn_log_sig_put(t, &s, &node->sig_buf);
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

/* ---- remote changes ------------------------------------------------------ */

/* Apply one verified remote change; a change that is not the next of its
 * origin is skipped (MN_EEXIST: already applied; MN_EGAP: too early). */
static int
apply_remote_one(mn_node *node, mn_txn *t, mn_remote_change *c) {
    uint32_t o = c->h.origin;
    if (c->h.seq <= node->ws.vv.seq[o])
        return MN_EEXIST;
    if (c->h.seq != node->ws.vv.seq[o] + 1 ||
        memcmp(c->h.prev_hash, node->ws.heads[o], MN_HASH_BYTES) != 0)
        return MN_EGAP;
    int rc = mn_log_append(t, o, c->h.seq, c->raw.p, c->raw.n);
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
    int rc = MN_OK;
    for (size_t i = 0; rc == MN_OK && i < n; i++) {
        if (sigs[i].seq > node->ws.vv.seq[sigs[i].origin])
            continue; /* its change was not applied: nothing to vouch for */
        rc = mn_log_sig_put(t, &sigs[i], &node->sig_buf);
    }
    return rc;
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

/* ---- the stream of local writes (deprecated) ------------------------------
 *
 * Deprecated: the HTTP import now validates first and then calls
 * mn_node_write in batches; this API goes once nothing uses it.
 */

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

/* ---- group commit ---------------------------------------------------------
 */

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
        rc = mn_node_state_save(t, &node->ws);
    if (rc == MN_OK)
        rc = mn_txn_commit(&t);
    else
        mn_txn_abort(&t);
    if (rc != MN_OK)
        node->ws = saved;
    return rc;
}

/* Wake the group's callers with rc; publish the new state (mu held). */
static void
finish_locked(mn_node *node, struct submission *group, int rc, size_t nok) {
    for (struct submission *s = group; s; s = s->next) {
        s->result = rc;
        for (size_t i = 0; rc != MN_OK && !s->stream && i < s->n; i++) {
            if (s->ws)
                s->ws[i].result = rc;
            else
                s->rcs[i].result = rc;
        }
        s->done = true;
        pthread_cond_signal(&s->cv);
    }
    if (rc != MN_OK) {
        node->counters.write_errors++;
        return;
    }
    node->counters.commits++;
    node->counters.changes += nok;
    node->counters.refused_owner = node->ws.refused_owner;
    node->published_vv = node->ws.vv;
    memcpy(node->published_heads, node->ws.heads, sizeof node->ws.heads);
}

static void
finish_group(mn_node *node, struct submission *group, int rc, size_t nok) {
    pthread_mutex_lock(&node->mu);
    finish_locked(node, group, rc, nok);
    pthread_mutex_unlock(&node->mu);
    if (rc == MN_OK && nok > 0 && node->on_commit)
        node->on_commit(node->on_commit_ctx);
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

int
mn_node_writer_start(mn_node *node) {
    if (pthread_create(&node->writer, NULL, writer_main, node) != 0)
        return MN_EIO;
    node->writer_started = true;
    return MN_OK;
}

void
mn_node_writer_stop(mn_node *node) {
    if (!node->writer_started)
        return;
    pthread_mutex_lock(&node->mu);
    node->stopping = true;
    pthread_cond_signal(&node->work);
    pthread_mutex_unlock(&node->mu);
    pthread_join(node->writer, NULL);
    node->writer_started = false;
}

/* ---- submitting ------------------------------------------------------------
 */

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

/* Queue s for the writer and wait until its group is done. */
static int
submit(mn_node *node, struct submission *s, bool local) {
    pthread_cond_init(&s->cv, NULL);
    pthread_mutex_lock(&node->mu);
    int rc = enqueue(node, s, local);
    if (rc == MN_OK)
        rc = wait_done(node, s);
    pthread_mutex_unlock(&node->mu);
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
