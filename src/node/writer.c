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
 * next group reuses the seqs that never became durable. A replicated change
 * the state cannot take never fails a group: it is refused alone
 * (apply_remote_state); a local write that breaks its kind's table or the
 * ownership rule, or whose entity is missing, fails alone (apply_local).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/id.h"
#include "base/log.h"
#include "change/log.h"
#include "node/node_internal.h"
#include "state/erase.h"
#include "state/owner.h"
#include "state/partnership_rules.h"
#include "state/state.h"

/* Changes per group commit: large enough to amortise the fsync, small
 * enough that a group's transaction stays well inside the map. A single
 * submission over this (a bulk import) is a group of its own, whole. */
#define MAX_GROUP 4096

/* Sign the chain head at least every this many own changes, so a relay can
 * always cut a batch at a signed change within MN_BATCH_MAX_CHANGES. */
#define SIGN_EVERY 256

/* A submission is local writes or verified remote changes. Its caller
 * either waits on cv, or (mn_node_apply_async) is called back. */
struct submission {
    mn_write *ws;
    mn_remote_change *rcs;
    const mn_chain_sig *sigs;
    size_t nsigs;
    size_t n;
    int result;
    bool done;
    pthread_cond_t cv; /* its caller waits here; only it is woken */
    void (*done_fn)(void *ctx, int rc); /* instead of cv, when set */
    void *done_ctx;
    struct submission *next;
};

/* ---- own changes -------------------------------------------------------- */

static uint64_t
node_now(mn_node *node) {
    return node->clock ? node->clock(node->clock_ctx) : mn_wall_ms();
}

/* May this node make w (its values in clear)? Assigns a create's id. A
 * change that breaks its kind's table is refused here as every other node
 * would refuse it. */
static int
admit_local(mn_node *node, mn_txn *t, mn_write *w, uint64_t now) {
    const mn_kind *k = mn_kind_find(w->type);
    if (w->prepare) {
        int rc = w->prepare(t, w->type, w->id, &w->ops, w->prepare_ctx);
        if (rc != MN_OK)
            return rc;
    }
    if (w->ops.n == 0)
        return MN_EINVAL; /* callers write nothing rather than no ops */
    if (k &&
        mn_kind_check_clear_ops(k, w->ops.op, w->ops.n, NULL) != MN_FAULT_NONE)
        return MN_EINVAL;
    if (w->create && w->given_id) {
        if (mn_id_division(w->id) != node->cfg.self.id)
            return MN_EINVAL;
        int rc = mn_state_exists(t, w->type, w->id);
        if (rc != MN_ENOTFOUND)
            return rc == MN_OK ? MN_EEXIST : rc;
    } else if (w->create) {
        mn_id_new(now, node->cfg.self.id, w->id);
    } else {
        int rc = mn_state_exists(t, w->type, w->id);
        if (rc != MN_OK)
            return rc;
    }
    int rc =
        w->create ? MN_OK : mn_node_erase_admit(t, w->type, w->id, &w->ops);
    if (rc != MN_OK)
        return rc;
    rc = mn_owner_check(t, w->type, w->id, w->ops.op, w->ops.n, node->origin,
                        NULL);
    if (rc == MN_OK && w->type == MN_ENTITY_PARTICIPANT && !w->create)
        rc = mn_pship_check_capacity(t, w->id, w->ops.op, w->ops.n);
    return rc;
}

/* Seal ops, w's with its personal and special values sealed, as this
 * origin's next change, log it and apply it. */
static int
append_own(mn_node *node, mn_txn *t, const mn_write *w, const mn_ops *ops,
           uint64_t now) {
    uint32_t self = node->origin;
    int rc;
    mn_change_header h = {.origin = self,
                          .seq = mn_vv_get(&node->ws.vv, self) + 1,
                          .hlc = mn_hlc_now(&node->ws.hlc, now),
                          .key_id = MN_NETWORK_KEY_ID,
                          .deps = node->ws.vv};
    mn_heads_get(&node->ws.heads, self, h.prev_hash);
    mn_ops pub, priv;
    mn_erase_split(w->type, ops, &pub, &priv);
    mn_envelope_seal(&node->sealer, &h, w->type, w->id, &pub, &priv);
    rc = mn_log_append(t, self, h.seq, node->sealer.change.p,
                       node->sealer.change.len);
    if (rc != MN_OK)
        return rc;
    rc = mn_heads_set(&node->ws.heads, self, node->sealer.hash);
    if (rc != MN_OK)
        return rc;
    mn_stamp st = {h.hlc, self, h.seq};
    rc = mn_state_apply(t, node->ws.digest, w->type, w->id, ops->op, ops->n,
                        &st, NULL, &node->entity_buf);
    if (rc == MN_OK)
        rc = mn_node_erase_after(node, t, w->type, w->id, ops->op, ops->n, self,
                                 h.seq, node->sealer.has_private);
    if (rc == MN_OK)
        rc = mn_vv_set(&node->ws.vv, self, h.seq);
    if (rc == MN_OK)
        node->ws.unsigned_own++;
    return rc;
}

/* Admit w, seal its personal and special values (compartments: every
 * node, this one too, refuses them in clear) and append it. */
static int
write_one(mn_node *node, mn_txn *t, mn_write *w) {
    uint64_t now = node_now(node);
    int rc = admit_local(node, t, w, now);
    if (rc == MN_OK)
        rc = mn_node_seal_ops(node, t, w->type, w->id, &w->ops, &node->sealed);
    if (rc == MN_OK)
        rc = append_own(node, t, w, &node->sealed.ops, now);
    mn_node_sealed_release(&node->sealed);
    return rc;
}

/* Sign this origin's chain head (once for many changes). */
static int
sign_head(mn_node *node, mn_txn *t) {
    uint32_t self = node->origin;
    uint8_t head[MN_HASH_BYTES];
    mn_chain_sig s;
    node->ws.unsigned_own = 0;
    mn_heads_get(&node->ws.heads, self, head);
    mn_envelope_sign_head(node->sign_sk, self, mn_vv_get(&node->ws.vv, self),
                          head, &s);
    return mn_log_sig_put(t, &s, &node->sig_buf);
}

static int
apply_local(mn_node *node, mn_txn *t, struct submission *s, size_t *nok) {
    for (size_t i = 0; i < s->n; i++) {
        int rc = write_one(node, t, &s->ws[i]);
        s->ws[i].result = rc;
        if (rc == MN_OK)
            (*nok)++;
        else if (rc != MN_ENOTFOUND && rc != MN_EAUTH && rc != MN_EINVAL &&
                 rc != MN_ECONFLICT && rc != MN_EEXIST && rc != MN_EERASED)
            return rc;
        if (node->ws.unsigned_own >= SIGN_EVERY &&
            (rc = sign_head(node, t)) != MN_OK)
            return rc;
    }
    return MN_OK;
}

/* ---- remote changes ------------------------------------------------------ */

/* Refusals of replicated changes are logged per (origin, reason) at most
 * once per interval; the counters count every one. */
#define REFUSAL_LOG_MS 10000
/* The ratelog reason of an apply error (the faults use their own). */
#define REFUSED_APPLY MN_FAULT_COUNT

/* Errors of the store itself: they fail the group (retried whole), where
 * any other error is the change's own and refuses it alone. */
static bool
storage_error(int rc) {
    return rc == MN_EIO || rc == MN_EFULL || rc == MN_ENOMEM;
}

/* Log that c was refused (rate-limited per origin and reason), naming its
 * origin, seq and why: never a value. */
static void
log_refused(mn_node *node, const mn_remote_change *c, unsigned reason,
            const char *why) {
    mn_ratelog_summary late;
    uint64_t now = mn_mono_ns() / 1000000;
    if (!node->refusals)
        node->refusals = mn_ratelog_new(REFUSAL_LOG_MS);
    if (mn_ratelog_hit(node->refusals, c->h.origin, reason, now, &late))
        mn_warn("refused replicated change %u/%llu: %s; it stays in the log, "
                "the state ignores it",
                c->h.origin, (unsigned long long)c->h.seq, why);
    if (late.count)
        mn_warn("refused %llu more replicated changes of origin %u in the "
                "last %llu s",
                (unsigned long long)late.count, (unsigned)late.peer,
                (unsigned long long)(late.window / 1000));
}

/* Refuse c, which breaks its kind's table at field no, as every node
 * does. */
static void
refuse_fault(mn_node *node, const mn_remote_change *c, enum mn_op_fault fault,
             uint32_t no) {
    char why[96];
    node->ws.refused_fault[fault]++;
    snprintf(why, sizeof why, "field %u breaks its kind's table (%s)",
             (unsigned)no, mn_op_fault_name(fault));
    log_refused(node, c, fault, why);
}

/* Merge c into the state, or refuse it the same way on every node: a
 * change that breaks its kind's table, or that the ownership rule refuses,
 * is counted and skipped (it stays in the log, its seq counts as applied,
 * so its origin's later changes are not held up). A change that fails to
 * apply for another reason than storage is refused alike, so it never
 * fails the changes grouped with it. MN_OK, or a storage error. */
static int
apply_remote_state(mn_node *node, mn_txn *t, const mn_remote_change *c,
                   bool *applied) {
    uint32_t o = c->h.origin;
    const mn_kind *k = mn_kind_find(c->type);
    uint32_t no = 0;
    enum mn_op_fault fault =
        k ? mn_kind_check_ops(k, c->ops.op, c->ops.n, &no) : MN_FAULT_NONE;
    *applied = false;
    if (fault != MN_FAULT_NONE) {
        refuse_fault(node, c, fault, no);
        return MN_OK;
    }
    mn_stamp st = {c->h.hlc, o, c->h.seq};
    int rc =
        mn_owner_check(t, c->type, c->id, c->ops.op, c->ops.n, o, &c->h.deps);
    if (rc == MN_OK) {
        rc = mn_state_apply(t, node->ws.digest, c->type, c->id, c->ops.op,
                            c->ops.n, &st, &c->h.deps, &node->entity_buf);
        *applied = rc == MN_OK;
    } else if (rc == MN_EAUTH) {
        /* Logged (the origin's chain stays whole) but refused by the
         * ownership rule, as on every node. */
        node->ws.refused_owner++;
        rc = MN_OK;
    }
    if (rc == MN_OK || storage_error(rc))
        return rc;
    node->ws.refused_apply++;
    log_refused(node, c, REFUSED_APPLY, mn_strerror(rc));
    return MN_OK;
}

/* Apply one verified remote change; a change that is not the next of its
 * origin is skipped (MN_EEXIST: already applied; MN_EGAP: too early). */
static int
apply_remote_one(mn_node *node, mn_txn *t, mn_remote_change *c) {
    uint32_t o = c->h.origin;
    uint64_t held = mn_vv_get(&node->ws.vv, o);
    uint8_t head[MN_HASH_BYTES];
    mn_heads_get(&node->ws.heads, o, head);
    if (c->h.seq <= held)
        return MN_EEXIST;
    if (c->h.seq != held + 1 ||
        memcmp(c->h.prev_hash, head, MN_HASH_BYTES) != 0)
        return MN_EGAP;
    /* A new origin when the vector is full waits, alone (vv.h). */
    if (!held && node->ws.vv.n == MN_VV_MAX)
        return MN_EGAP;
    bool applied = false;
    int rc = mn_log_append(t, o, c->h.seq, c->raw.p, c->raw.n);
    if (rc == MN_OK)
        rc = apply_remote_state(node, t, c, &applied);
    if (rc == MN_OK)
        rc = mn_node_erase_after(node, t, c->type, c->id, c->ops.op,
                                 applied ? c->ops.n : 0, o, c->h.seq,
                                 c->has_private);
    if (rc != MN_OK)
        return rc;
    if ((rc = mn_heads_set(&node->ws.heads, o, c->hash)) != MN_OK ||
        (rc = mn_vv_set(&node->ws.vv, o, c->h.seq)) != MN_OK)
        return rc;
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
        if (sigs[i].seq > mn_vv_get(&node->ws.vv, sigs[i].origin))
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

/* ---- group commit ---------------------------------------------------------
 */

/* Apply every submission of the group; a missing entity or an out-of-order
 * remote change fails alone, a storage error fails the group. */
static int
apply_group(mn_node *node, mn_txn *t, struct submission *group, size_t *nok) {
    *nok = 0;
    for (struct submission *s = group; s; s = s->next) {
        int rc = s->ws ? apply_local(node, t, s, nok)
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
    if (!node->ws.marked)
        rc = mn_node_incarnation_mark(node, t);
    if (rc == MN_OK)
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

/* Count the group and publish the state it committed (mu held). */
static void
publish_locked(mn_node *node, int rc, size_t nok) {
    if (rc != MN_OK) {
        node->counters.write_errors++;
        return;
    }
    node->counters.commits++;
    node->counters.changes += nok;
    node->counters.refused_owner = node->ws.refused_owner;
    memcpy(node->counters.refused_fault, node->ws.refused_fault,
           sizeof node->counters.refused_fault);
    node->counters.refused_apply = node->ws.refused_apply;
    node->published_vv = node->ws.vv;
    node->published_hlc = node->ws.hlc.last;
    node->published_heads = node->ws.heads;
}

/* Wake the group's waiting callers with rc and publish the new state (mu
 * held). Returns the asynchronous submissions, in queue order, for
 * finish_async; *waiters says whether anyone was woken. */
static struct submission *
finish_locked(mn_node *node, struct submission *group, int rc, size_t nok,
              bool *waiters) {
    struct submission *async = NULL, **tail = &async, *next;
    *waiters = false;
    for (struct submission *s = group; s; s = next) {
        next = s->next;
        s->result = rc;
        for (size_t i = 0; rc != MN_OK && i < s->n; i++) {
            if (s->ws)
                s->ws[i].result = rc;
            else
                s->rcs[i].result = rc;
        }
        if (s->done_fn) {
            s->next = NULL;
            *tail = s;
            tail = &s->next;
            continue;
        }
        *waiters = true;
        s->done = true;
        pthread_cond_signal(&s->cv);
    }
    publish_locked(node, rc, nok);
    return async;
}

/* Report the end of asynchronous applies, in queue order, and free them. */
static void
finish_async(struct submission *async, int rc) {
    for (struct submission *s = async, *next; s; s = next) {
        next = s->next;
        s->done_fn(s->done_ctx, rc);
        free(s);
    }
}

static void
finish_group(mn_node *node, struct submission *group, int rc, size_t nok) {
    bool waiters;
    pthread_mutex_lock(&node->mu);
    struct submission *async = finish_locked(node, group, rc, nok, &waiters);
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
    while (last->next && n + last->next->n <= MAX_GROUP) {
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
    mn_ratelog_destroy(&node->refusals);
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
