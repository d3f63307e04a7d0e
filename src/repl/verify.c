/*
 * verify — the receive path of a Batch (see repl_internal.h and the top of
 * repl.c): every check a peer's bytes pass before their changes may wait
 * in a pending queue. Refusals are returned, never asserted; a refused
 * batch queues nothing.
 */
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "base/log.h"
#include "change/envelope.h"
#include "repl/repl_internal.h"

void
mn_repl_free_change(mn_remote_change *rc) {
    free((void *)rc->raw.p);
    mn_ops_release(&rc->ops);
}

void
mn_repl_pending_clear_front(struct pending *q) {
    while (q->head < q->n && q->c[q->head].result != NOT_APPLIED) {
        mn_repl_free_change(&q->c[q->head++]);
    }
    if (q->head == q->n)
        q->head = q->n = 0;
}

struct pending *
mn_repl_pending_of(mn_repl *r, uint32_t o, bool create) {
    for (uint32_t k = 0; k < r->npending; k++)
        if (r->pending[k].origin == o)
            return &r->pending[k];
    if (!create || r->npending == MN_VV_MAX)
        return NULL;
    struct pending *q = &r->pending[r->npending++];
    memset(q, 0, sizeof *q);
    q->origin = o;
    return q;
}

/* The next seq and chain head expected from origin o: after what is
 * queued (and maybe in flight), else after what is committed. OUT: head. */
static uint64_t
expected(mn_repl *r, uint32_t o, uint8_t head[MN_HASH_BYTES]) {
    struct pending *q = mn_repl_pending_of(r, o, false);
    if (q && q->head < q->n) {
        memcpy(head, q->c[q->n - 1].hash, MN_HASH_BYTES);
        return q->c[q->n - 1].h.seq + 1;
    }
    mn_heads_get(&r->heads, o, head);
    return mn_vv_get(&r->vv, o) + 1;
}

/* Is the logged change (o, seq) the same as bytes with this hash? */
static bool
same_as_logged(mn_repl *r, uint32_t o, uint64_t seq, const uint8_t *hash) {
    uint8_t h[MN_HASH_BYTES];
    mn_repl_range *b = r->range;
    mn_repl_read req = {.origin = o,
                        .from = seq,
                        .upto = seq,
                        .max_changes = 1,
                        .soft_changes = 1};
    mn_buf_reset(&b->data);
    b->n = b->nsigned = 0;
    if (r->host.read_log(r->host.ctx, &req, b) != MN_OK || b->n != 1)
        return true; /* cannot tell; it is a duplicate either way */
    mn_envelope_chain_hash(b->changes[0].p, b->changes[0].n, h);
    return memcmp(h, hash, MN_HASH_BYTES) == 0;
}

/* Is the queued change (o, seq) the same as one with this hash? (true
 * when it is not queued: then it is logged, or was never held). */
static bool
same_as_queued(mn_repl *r, uint32_t o, uint64_t seq, const uint8_t *hash) {
    const struct pending *q = mn_repl_pending_of(r, o, false);
    if (!q || q->head == q->n || seq < q->c[q->head].h.seq ||
        seq > q->c[q->n - 1].h.seq)
        return true;
    /* A queue holds consecutive seqs, so the index is arithmetic. */
    const mn_remote_change *held =
        &q->c[q->head + (size_t)(seq - q->c[q->head].h.seq)];
    return memcmp(held->hash, hash, MN_HASH_BYTES) == 0;
}

/* Do we hold (o, seq), applied or queued, as exactly these bytes? */
static bool
same_as_held(mn_repl *r, uint32_t o, uint64_t seq, const uint8_t *hash) {
    if (seq <= mn_vv_get(&r->vv, o))
        return same_as_logged(r, o, seq, hash);
    return same_as_queued(r, o, seq, hash);
}

static void
checked_release(struct checked *c) {
    for (size_t i = 0; i < c->n; i++)
        mn_codec_change_release(&c->v[i]);
    c->n = 0;
}

/* Decode every change; all must be origin's, with consecutive seqs. */
static int
decode_batch(const mn_peer_msg *m, struct checked *c) {
    c->n = 0;
    for (size_t i = 0; i < m->nchanges; i++) {
        mn_change_view *v = &c->v[c->n];
        if (mn_codec_change_decode(m->changes[i].p, m->changes[i].n, v))
            return MN_REJ_DECODE;
        c->n++;
        if (mn_codec_header_decode(v->header, v->header_len, &c->h[i]) ||
            c->h[i].origin != m->origin ||
            (i > 0 && c->h[i].seq != c->h[i - 1].seq + 1))
            return MN_REJ_DECODE;
        mn_envelope_chain_hash(m->changes[i].p, m->changes[i].n, c->hash[i]);
    }
    return -1;
}

/* The origin's signature over the last change of the batch. */
static bool
signature_ok(mn_repl *r, const mn_peer_msg *m, const struct checked *c) {
    size_t last = c->n - 1;
    if (m->sig.origin != m->origin || m->sig.seq != c->h[last].seq ||
        memcmp(m->sig.head, c->hash[last], MN_HASH_BYTES) != 0)
        return false;
    return mn_envelope_verify_head(r->keys.key[mn_origin_division(m->origin)],
                                   &m->sig) == MN_OK;
}

/*
 * Change i of the batch differs from the one we hold (applied or queued)
 * under the same (origin, seq). It proves that the origin's key signed two
 * histories only if the batch is whole: each change chains to the one
 * before it in the batch and the origin signed the last, so the signature
 * covers change i too. Then it is equivocation: the batch is refused
 * (none of it is queued, and what we hold stays as it is, so the first
 * fork a node verified is the one it applies, as with a logged one) and
 * the origin is named in the log, once per origin (a key holder that
 * makes forks could otherwise fill the log); the count goes on. Without
 * that proof it is a forgery: refused as a broken chain or signature.
 *
 * Why the first fork is kept and the origin not quarantined: a node
 * decides from what it has seen, and most nodes never see the second
 * fork. Dropping the first fork here, or everything later from the
 * origin, would part this node from every node that applied that fork
 * without seeing the other — a split made by our own rule. Keeping the
 * fork verified first is what a node that never saw the second does too;
 * an honest node never forks (incarnations: DESIGN "Changes" 11), so the
 * alarm is for an operator: a key holder made two histories.
 */
static int
refuse_fork(mn_repl *r, const mn_peer_msg *m, const struct checked *c,
            size_t i) {
    for (size_t k = 1; k < c->n; k++)
        if (memcmp(c->h[k].prev_hash, c->hash[k - 1], MN_HASH_BYTES) != 0)
            return MN_REJ_CHAIN;
    if (!signature_ok(r, m, c))
        return MN_REJ_SIGNATURE;
    if (!mn_vv_get(&r->equivocated, m->origin))
        mn_error("repl: division %u (incarnation %06x) signed two different "
                 "changes as its seq %llu (equivocation); the second is "
                 "refused, the first kept; more are counted in "
                 "rejected.equivocation",
                 mn_origin_division(m->origin),
                 mn_origin_incarnation(m->origin),
                 (unsigned long long)c->h[i].seq);
    (void)mn_vv_raise(&r->equivocated, m->origin, 1);
    return MN_REJ_EQUIVOCATION;
}

/* Decrypt and decode change i into rc (raw bytes copied). */
static int
open_change(mn_repl *r, const mn_peer_msg *m, const struct checked *c, size_t i,
            mn_remote_change *rc) {
    memset(rc, 0, sizeof *rc);
    int orc = mn_envelope_open(r->network_key, &c->v[i], &c->h[i], &r->plain,
                               &rc->type, rc->id, &rc->ops);
    if (orc != MN_OK)
        return orc == MN_ECRYPTO ? MN_REJ_DECRYPT : MN_REJ_DECODE;
    rc->h = c->h[i];
    rc->has_private = c->v[i].private_part != NULL;
    memcpy(rc->hash, c->hash[i], MN_HASH_BYTES);
    uint8_t *raw = mn_malloc(m->changes[i].n);
    memcpy(raw, m->changes[i].p, m->changes[i].n);
    rc->raw = (mn_bytes){raw, m->changes[i].n};
    rc->result = NOT_APPLIED;
    return -1;
}

static void
pending_push(struct pending *q, const mn_remote_change *c, uint32_t from) {
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 64;
        q->c = mn_realloc(q->c, q->cap * sizeof *q->c);
        q->from = mn_realloc(q->from, q->cap * sizeof *q->from);
    }
    q->from[q->n] = from;
    q->c[q->n++] = *c;
}

static void
pending_push_sig(struct pending *q, const mn_chain_sig *sig) {
    if (q->nsigs == q->capsigs) {
        q->capsigs = q->capsigs ? 2 * q->capsigs : 16;
        q->sigs = mn_realloc(q->sigs, q->capsigs * sizeof *q->sigs);
    }
    q->sigs[q->nsigs++] = *sig;
}

/*
 * Open (drift bound, decrypt, decode) changes first.. of a verified batch
 * and queue them all with the batch's signature — or none: a batch is
 * applied whole, so the signature at its end is always storable and a
 * relay can serve what it applied. A refused batch comes again later (a
 * clock within bound, a fixed origin). -1, or the reason to refuse.
 */
static int
queue_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
            const struct checked *c, size_t first, uint64_t now) {
    struct pending *q = mn_repl_pending_of(r, m->origin, true);
    size_t n = 0;
    int why = -1;
    if (!q || q->n - q->head + (c->n - first) > PENDING_MAX)
        return -1; /* full: it is sent again once the queue drains */
    /* From the later of our wall clock and our HLC, never the wall clock
     * alone (mn_hlc_bound_ms); now is the timers' clock, not a wall. */
    uint64_t bound = mn_repl_drift_bound(r);
    (void)now;
    for (size_t i = first; i < c->n && why < 0; i++) {
        if (MN_HLC_MS(c->h[i].hlc) > bound) {
            mn_warn("repl: quarantined a batch of division %u "
                    "(incarnation %06x): a clock is %llu ms past the drift "
                    "bound",
                    mn_origin_division(m->origin),
                    mn_origin_incarnation(m->origin),
                    (unsigned long long)(MN_HLC_MS(c->h[i].hlc) - bound));
            why = MN_REJ_DRIFT;
        } else if ((why = open_change(r, m, c, i, &r->opened[n])) < 0) {
            n++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (why < 0)
            pending_push(q, &r->opened[i], p->id);
        else
            mn_repl_free_change(&r->opened[i]);
    }
    if (why < 0)
        pending_push_sig(q, &m->sig);
    return why;
}

/* A peer holds changes of our own origin from seq on that this node did
 * not make: a copy of this store ran elsewhere (mn_repl_forked). */
static void
note_forked(mn_repl *r, const struct peer *p, uint32_t o, uint64_t seq) {
    if (!r->forked)
        mn_error("repl: division %u sent changes of this node's own origin "
                 "(incarnation %06x) from seq %llu that this node did not "
                 "make: a copy of this store has run elsewhere. Local writes "
                 "stop; restart this node to begin a new incarnation",
                 p->id, mn_origin_incarnation(o), (unsigned long long)seq);
    pthread_mutex_lock(&r->stats_mu);
    r->forked = true;
    pthread_mutex_unlock(&r->stats_mu);
}

/* Origin o of our own division, not ours, wrote at hlc after this engine
 * started (past the drift bound, which an older incarnation's clock may
 * have run ahead by): another node runs as this division now (a copy of the
 * data dir taken while it ran, or of its keys). Its changes are sound, so they
 * are applied; the operator is told, once per origin. */
static void
note_twin(mn_repl *r, const struct peer *p, uint32_t o, uint64_t hlc) {
    if (mn_origin_division(o) != r->self || o == r->origin ||
        MN_HLC_MS(hlc) <= r->start_ms + r->max_drift_ms || r->twin == o)
        return;
    mn_error("repl: division %u relayed changes that incarnation %06x of this "
             "node's own division made after this node started: another node "
             "runs as division %u; stop one of them",
             p->id, mn_origin_incarnation(o), r->self);
    pthread_mutex_lock(&r->stats_mu);
    r->twin = o;
    pthread_mutex_unlock(&r->stats_mu);
}

/*
 * A batch of changes we hold queued, signed at one of them: a relay that
 * applied part of a batch we hold whole. Its signature is kept, so that
 * part can be applied on its own (repl.c, ready_list) even if the rest of
 * our batch waits for ever — else we would stay short of what the relay
 * holds. The hashes were compared with the queued changes already.
 */
static void
keep_inner_sig(mn_repl *r, const mn_peer_msg *m, const struct checked *c) {
    uint64_t seq = c->h[c->n - 1].seq;
    struct pending *q = mn_repl_pending_of(r, m->origin, false);
    if (!q || q->head == q->n || seq < q->c[q->head].h.seq)
        return; /* applied already */
    size_t at = q->nsigs;
    for (size_t k = 0; k < q->nsigs; k++) {
        if (q->sigs[k].seq == seq)
            return;
        if (q->sigs[k].seq > seq && at == q->nsigs)
            at = k;
    }
    if (!signature_ok(r, m, c))
        return;
    pending_push_sig(q, &m->sig);
    memmove(&q->sigs[at + 1], &q->sigs[at],
            (q->nsigs - 1 - at) * sizeof *q->sigs);
    q->sigs[at] = m->sig;
}

/*
 * Skip what we have, refuse gaps, verify the rest and queue it. Returns -1
 * on success (even if nothing new), else the reason to refuse.
 */
static int
accept_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
             struct checked *c, uint64_t now) {
    uint32_t o = m->origin;
    uint8_t head[MN_HASH_BYTES];
    uint64_t next = expected(r, o, head);
    size_t first = 0;
    while (first < c->n && c->h[first].seq < next) {
        if (!same_as_held(r, o, c->h[first].seq, c->hash[first])) {
            if (o == r->origin)
                note_forked(r, p, o, c->h[first].seq);
            return refuse_fork(r, m, c, first);
        }
        first++;
    }
    mn_repl_count(r, &p->st.duplicate, first);
    if (first == c->n) {
        keep_inner_sig(r, m, c);
        return -1;
    }
    /* Only this node writes as its origin: a change of it that we did not
     * make comes from a copy of this store running elsewhere. */
    if (o == r->origin) {
        note_forked(r, p, o, c->h[first].seq);
        return MN_REJ_EQUIVOCATION;
    }
    if (c->h[first].seq != next)
        return MN_REJ_GAP;
    /* A batch that does not chain to the change we hold before it, but
     * is whole and signed, proves the origin signed another history. */
    if (memcmp(c->h[first].prev_hash, head, MN_HASH_BYTES) != 0)
        return refuse_fork(r, m, c, first);
    for (size_t i = first + 1; i < c->n; i++)
        if (memcmp(c->h[i].prev_hash, c->hash[i - 1], MN_HASH_BYTES) != 0)
            return MN_REJ_CHAIN;
    if (!signature_ok(r, m, c))
        return MN_REJ_SIGNATURE;
    int why = queue_batch(r, p, m, c, first, now);
    if (why < 0)
        note_twin(r, p, o, c->h[c->n - 1].hlc);
    return why;
}

int
mn_repl_verify_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
                     uint64_t now) {
    struct checked *c = r->checked;
    if (!r->keys.has_key[mn_origin_division(m->origin)])
        return MN_REJ_UNKNOWN_ORIGIN;
    int why = decode_batch(m, c);
    if (why < 0)
        why = accept_batch(r, p, m, c, now);
    checked_release(c);
    return why;
}
