/*
 * repl — see repl.h.
 *
 * Client session (we pull from peer P), one per peer:
 *
 *        on_link(up)                 batch ok: apply, ack
 *   DOWN ----------> HELLO_SENT ------------------------> STREAMING
 *    ^   send_hello()    |  ^  gap or silence: send_hello()   |  |
 *    |                   |  +---------------------------------+  |
 *    +-------------------+-------------------------------------+
 *              on_link(down)            (client_on_batch keeps STREAMING)
 *
 * Server session (peer P pulls from us), one per peer:
 *
 *          Hello: server_on_hello()        Ack: server_on_ack()
 *   IDLE ----------------------------> SERVING <--------------+
 *    ^     (cursor := its vector)       |  pump(): Batch while |
 *    |                                  |  credit and it lacks |
 *    +---- silence > SERVER_IDLE_MS ----+----------------------+
 *          (server_expire(), on tick)
 *
 * Receive path of a Batch (client_on_batch), in order: size cap, decode,
 * origin known, duplicates dropped (and checked against our log for
 * equivocation), gap -> HELLO (the range request), chain links, the
 * origin's signature over the last change, decrypt, drift bound, then into
 * the per-origin pending queue; drain() applies whatever has its causal
 * dependencies, commits, and the Ack carries our new vector.
 */
#include "repl/repl.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "base/log.h"
#include "change/envelope.h"
#include "change/log.h"

/* Batches a client lets a server send ahead of its acks. */
#define CLIENT_CREDIT 4
#define MAX_CREDIT 16
/* A server cuts a batch at the first signed change past these. */
#define BATCH_SOFT_CHANGES 512
#define BATCH_SOFT_BYTES (1u << 20)
/* Silence after which a client says HELLO again / a server stops. */
#define CLIENT_RETRY_MS 3000
#define SERVER_IDLE_MS 60000
#define TICK_MS 500
/* Verified changes held for missing dependencies, per origin. */
#define PENDING_MAX 8192
/* Changes handed to the node in one apply. */
#define READY_MAX 4096
/* The result of a queued change not yet handed to the node. */
#define NOT_APPLIED 1

struct pending {
    mn_remote_change *c; /* raw bytes owned: c[i].raw.p is malloc'd */
    size_t n, cap, head; /* live entries are c[head..n) */
    /* Every queued batch's signature, oldest first: once its change is
     * applied the node stores it, so a relay can cut batches there. */
    mn_chain_sig *sigs;
    size_t nsigs, capsigs;
};

struct client {
    bool up;
    uint64_t hello_at, heard_at;
};

struct server {
    bool active;
    uint64_t heard_at;
    mn_vv acked; /* what the peer told us it has */
    mn_vv sent;  /* what we have sent it (cursor) */
    uint32_t credit;
    uint32_t next_origin; /* round robin */
};

struct peer {
    uint32_t id;
    struct client c;
    struct server s;
    bool told_vv; /* it told us its vector at least once */
    uint64_t seen_at;
    mn_repl_peer_stats st;
};

struct mn_repl {
    mn_node *node;
    mn_repl_keys keys;
    mn_repl_io io;
    uint32_t self;
    uint64_t max_drift_ms;
    uint64_t start, grace_ms;
    size_t npeers;
    struct peer peers[MN_MAX_NODES];
    struct pending pending[MN_MAX_NODES + 1];
    mn_buf out, plain;
    pthread_mutex_t stats_mu; /* guards every peer's st and npending */
    uint64_t npending;
    /* Scratch, allocated once: the batch being checked, the changes being
     * applied, and the node's chain heads. */
    struct checked *checked;
    mn_remote_change *ready;
    mn_remote_change *opened; /* one batch being opened */
    mn_chain_sig *allsigs;    /* every queued signature, for one apply */
    size_t capsigs;
    uint8_t heads[MN_MAX_NODES + 1][MN_HASH_BYTES];
};

static const char *const reject_names[MN_REJ_COUNT] = {
    "size",    "decode", "unknown_origin", "signature", "chain",
    "decrypt", "drift",  "equivocation",   "gap",       "protocol",
};

const char *
mn_reject_name(enum mn_reject r) {
    return r < MN_REJ_COUNT ? reject_names[r] : "unknown";
}

static struct peer *
find_peer(mn_repl *r, uint32_t id) {
    for (size_t i = 0; i < r->npeers; i++)
        if (r->peers[i].id == id)
            return &r->peers[i];
    return NULL;
}

static void
count_reject(mn_repl *r, struct peer *p, enum mn_reject why) {
    pthread_mutex_lock(&r->stats_mu);
    p->st.rejected[why]++;
    pthread_mutex_unlock(&r->stats_mu);
    mn_warn("repl: refused a message from division %u: %s", p->id,
            reject_names[why]);
}

/* Copy what the engine thread owns into the stats readers see. */
static void
publish(mn_repl *r, struct peer *p) {
    pthread_mutex_lock(&r->stats_mu);
    p->st.connected = p->c.up;
    p->st.serving = p->s.active;
    p->st.vv = p->s.acked;
    p->st.told = p->told_vv;
    p->st.last_seen_ms = p->seen_at;
    pthread_mutex_unlock(&r->stats_mu);
}

static void
count(mn_repl *r, uint64_t *field, uint64_t n) {
    pthread_mutex_lock(&r->stats_mu);
    *field += n;
    pthread_mutex_unlock(&r->stats_mu);
}

/* ---- sending ---------------------------------------------------------- */

static void
send_hello(mn_repl *r, struct peer *p, uint64_t now) {
    mn_vv vv;
    mn_node_state(r->node, &vv, NULL);
    mn_buf_reset(&r->out);
    mn_codec_hello_encode(r->self, &vv, CLIENT_CREDIT, &r->out);
    r->io.send(r->io.ctx, p->id, MN_CH_CLIENT, r->out.p, r->out.len);
    p->c.hello_at = now;
}

static void
send_ack(mn_repl *r, struct peer *p) {
    mn_vv vv;
    mn_node_state(r->node, &vv, NULL);
    mn_buf_reset(&r->out);
    mn_codec_ack_encode(&vv, 1, &r->out);
    r->io.send(r->io.ctx, p->id, MN_CH_CLIENT, r->out.p, r->out.len);
}

/* ---- server: building batches from the log ---------------------------- */

struct batch {
    mn_bytes changes[MN_BATCH_MAX_CHANGES];
    size_t n, bytes;
    size_t signed_n; /* changes up to the last signed one */
    mn_chain_sig sig;
};

static bool
read_sig(mn_txn *t, uint32_t origin, uint64_t seq, mn_chain_sig *sig) {
    return mn_log_sig_get(t, origin, seq, sig) == MN_OK;
}

/* Collect origin's changes after seq `from`, cut at a signed one. The
 * change bytes point into t's snapshot. */
static void
collect(mn_txn *t, uint32_t origin, uint64_t from, uint64_t upto,
        struct batch *b) {
    mn_cursor *cur;
    mn_val k, v;
    uint8_t key[MN_LOG_KEY_BYTES];
    uint32_t ko;
    uint64_t kseq;
    b->n = b->bytes = b->signed_n = 0;
    mn_envelope_log_key(origin, from + 1, key);
    if (mn_cursor_open(t, MN_DB_LOG, &cur) != MN_OK)
        return;
    int rc = mn_cursor_seek(cur, key, sizeof key, &k, &v);
    for (uint64_t seq = from + 1;
         rc == MN_OK && seq <= upto && b->n < MN_BATCH_MAX_CHANGES;
         seq++, rc = mn_cursor_next(cur, &k, &v)) {
        if (mn_envelope_log_key_parse(k.p, k.n, &ko, &kseq) != MN_OK ||
            ko != origin || kseq != seq)
            break;
        b->changes[b->n++] = (mn_bytes){v.p, v.n};
        b->bytes += v.n;
        if (read_sig(t, origin, seq, &b->sig)) {
            b->signed_n = b->n;
            if (b->n >= BATCH_SOFT_CHANGES || b->bytes >= BATCH_SOFT_BYTES)
                break;
        }
    }
    mn_cursor_close(&cur);
}

/* Send one batch of origin o to p if it lacks any; true if sent. */
static bool
send_batch(mn_repl *r, struct peer *p, mn_txn *t, uint32_t o,
           const mn_vv *ours) {
    struct batch *b = malloc(sizeof *b);
    bool sent = false;
    if (!b)
        abort();
    collect(t, o, p->s.sent.seq[o], ours->seq[o], b);
    if (b->signed_n > 0) {
        mn_buf_reset(&r->out);
        mn_codec_batch_encode(o, b->changes, b->signed_n, &b->sig, &r->out);
        r->io.send(r->io.ctx, p->id, MN_CH_SERVER, r->out.p, r->out.len);
        p->s.sent.seq[o] = b->sig.seq;
        p->s.credit--;
        sent = true;
    }
    free(b);
    return sent;
}

/*
 * Stream to p while it has credit and lacks something we can sign for:
 * every origin's changes, or with own_only just ours. A commit pushes only
 * our own changes at once; other origins' changes are relayed when the
 * peer asks (Hello, Ack) or on the next tick, by when its acks usually
 * show it has them from their origin already — relaying is for links that
 * are down, not a second copy of every change.
 */
static void
pump(mn_repl *r, struct peer *p, bool own_only) {
    mn_vv ours;
    mn_txn *t;
    if (!p->s.active || p->s.credit == 0)
        return;
    mn_node_state(r->node, &ours, NULL);
    if (mn_store_begin(mn_node_store(r->node), false, &t) != MN_OK)
        return;
    if (own_only) {
        while (p->s.credit > 0 && ours.seq[r->self] > p->s.sent.seq[r->self] &&
               send_batch(r, p, t, r->self, &ours))
            ;
        mn_txn_abort(&t);
        return;
    }
    uint32_t idle = 0;
    while (p->s.credit > 0 && idle < MN_MAX_NODES) {
        uint32_t o = p->s.next_origin % MN_MAX_NODES + 1;
        p->s.next_origin = o;
        if (ours.seq[o] > p->s.sent.seq[o] && send_batch(r, p, t, o, &ours))
            idle = 0;
        else
            idle++;
    }
    mn_txn_abort(&t);
}

static void
server_on_hello(mn_repl *r, struct peer *p, const mn_peer_msg *m,
                uint64_t now) {
    p->s.active = true;
    p->s.heard_at = now;
    p->s.acked = m->vv;
    p->s.sent = m->vv;
    p->s.credit = m->credit > MAX_CREDIT ? MAX_CREDIT : m->credit;
    p->told_vv = true;
    pump(r, p, false);
}

static void
server_on_ack(mn_repl *r, struct peer *p, const mn_peer_msg *m, uint64_t now) {
    if (!p->s.active)
        return; /* a stale ack; the client will say HELLO again */
    p->s.heard_at = now;
    p->s.acked = m->vv;
    /* What it got from anyone need not be sent again. */
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        if (m->vv.seq[o] > p->s.sent.seq[o])
            p->s.sent.seq[o] = m->vv.seq[o];
    p->s.credit += m->credit;
    if (p->s.credit > MAX_CREDIT)
        p->s.credit = MAX_CREDIT;
    pump(r, p, false);
}

/* ---- client: verifying and applying batches ---------------------------- */

static void
free_change(mn_remote_change *rc) {
    free((void *)rc->raw.p);
    mn_ops_release(&rc->ops);
}

static void
pending_clear_front(struct pending *q) {
    while (q->head < q->n && q->c[q->head].result != NOT_APPLIED) {
        free_change(&q->c[q->head++]);
    }
    if (q->head == q->n)
        q->head = q->n = 0;
}

/* The next seq and chain head expected from origin o. */
static uint64_t
expected(mn_repl *r, uint32_t o, const mn_vv *vv,
         uint8_t heads[][MN_HASH_BYTES], const uint8_t **head) {
    struct pending *q = &r->pending[o];
    if (q->head < q->n) {
        *head = q->c[q->n - 1].hash;
        return q->c[q->n - 1].h.seq + 1;
    }
    *head = heads[o];
    return vv->seq[o] + 1;
}

/* Is the logged change (o, seq) the same as bytes with this hash? */
static bool
same_as_logged(mn_repl *r, uint32_t o, uint64_t seq, const uint8_t *hash) {
    uint8_t h[MN_HASH_BYTES];
    mn_bytes v;
    mn_txn *t;
    bool same = true;
    if (mn_store_begin(mn_node_store(r->node), false, &t) != MN_OK)
        return true; /* cannot tell; it is a duplicate either way */
    if (mn_log_get(t, o, seq, &v) == MN_OK) {
        mn_envelope_chain_hash(v.p, v.n, h);
        same = memcmp(h, hash, MN_HASH_BYTES) == 0;
    }
    mn_txn_abort(&t);
    return same;
}

/* Decoded headers and hashes of a batch. */
struct checked {
    mn_change_header h[MN_BATCH_MAX_CHANGES];
    mn_change_view v[MN_BATCH_MAX_CHANGES];
    uint8_t hash[MN_BATCH_MAX_CHANGES][MN_HASH_BYTES];
    size_t n;
};

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
    return mn_envelope_verify_head(r->keys.key[m->origin], &m->sig) == MN_OK;
}

/* Decrypt and decode change i into rc (raw bytes copied). */
static int
open_change(mn_repl *r, const mn_peer_msg *m, const struct checked *c, size_t i,
            mn_remote_change *rc) {
    memset(rc, 0, sizeof *rc);
    int orc = mn_envelope_open(mn_node_network_key(r->node), &c->v[i], &c->h[i],
                               &r->plain, &rc->type, rc->id, &rc->ops);
    if (orc != MN_OK)
        return orc == MN_ECRYPTO ? MN_REJ_DECRYPT : MN_REJ_DECODE;
    rc->h = c->h[i];
    memcpy(rc->hash, c->hash[i], MN_HASH_BYTES);
    uint8_t *raw = mn_malloc(m->changes[i].n);
    memcpy(raw, m->changes[i].p, m->changes[i].n);
    rc->raw = (mn_bytes){raw, m->changes[i].n};
    rc->result = NOT_APPLIED;
    return -1;
}

static void
pending_push(struct pending *q, const mn_remote_change *c) {
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 64;
        q->c = mn_realloc(q->c, q->cap * sizeof *q->c);
    }
    q->c[q->n++] = *c;
}

/*
 * Open (drift bound, decrypt, decode) changes first.. of a verified batch
 * and queue them all with the batch's signature — or none: a batch is
 * applied whole, so the signature at its end is always storable and a
 * relay can serve what it applied. A refused batch comes again later (a
 * clock within bound, a fixed origin). -1, or the reason to refuse.
 */
static int
queue_batch(mn_repl *r, const mn_peer_msg *m, const struct checked *c,
            size_t first, uint64_t now) {
    struct pending *q = &r->pending[m->origin];
    size_t n = 0;
    int why = -1;
    if (q->n - q->head + (c->n - first) > PENDING_MAX)
        return -1; /* full: it is sent again once the queue drains */
    for (size_t i = first; i < c->n && why < 0; i++) {
        if (MN_HLC_MS(c->h[i].hlc) > now + r->max_drift_ms) {
            mn_warn("repl: quarantined a batch of division %u: a clock is "
                    "%llu ms ahead",
                    m->origin,
                    (unsigned long long)(MN_HLC_MS(c->h[i].hlc) - now));
            why = MN_REJ_DRIFT;
        } else if ((why = open_change(r, m, c, i, &r->opened[n])) < 0) {
            n++;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (why < 0)
            pending_push(q, &r->opened[i]);
        else
            free_change(&r->opened[i]);
    }
    if (why < 0) {
        if (q->nsigs == q->capsigs) {
            q->capsigs = q->capsigs ? 2 * q->capsigs : 16;
            q->sigs = mn_realloc(q->sigs, q->capsigs * sizeof *q->sigs);
        }
        q->sigs[q->nsigs++] = m->sig;
    }
    return why;
}

/*
 * Skip what we have, refuse gaps, verify the rest and queue it. Returns -1
 * on success (even if nothing new), else the reason to refuse.
 */
static int
accept_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
             struct checked *c, uint64_t now) {
    uint32_t o = m->origin;
    mn_vv vv;
    const uint8_t *head;
    mn_node_state(r->node, &vv, r->heads);
    uint64_t next = expected(r, o, &vv, r->heads, &head);
    size_t first = 0;
    while (first < c->n && c->h[first].seq < next) {
        if (c->h[first].seq <= vv.seq[o] &&
            !same_as_logged(r, o, c->h[first].seq, c->hash[first]))
            return MN_REJ_EQUIVOCATION;
        first++;
    }
    count(r, &p->st.duplicate, first);
    if (first == c->n)
        return -1;
    if (c->h[first].seq != next)
        return MN_REJ_GAP;
    for (size_t i = first; i < c->n; i++) {
        const uint8_t *prev = i == first ? head : c->hash[i - 1];
        if (memcmp(c->h[i].prev_hash, prev, MN_HASH_BYTES) != 0)
            return MN_REJ_CHAIN;
    }
    if (!signature_ok(r, m, c))
        return MN_REJ_SIGNATURE;
    return queue_batch(r, m, c, first, now);
}

/* Has every change c depends on (other than its own origin's) been
 * applied, counting what is about to be? */
static bool
deps_met(const mn_remote_change *c, const mn_vv *vv) {
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        if (o != c->h.origin && c->h.deps.seq[o] > vv->seq[o])
            return false;
    return true;
}

/* Pick pending changes whose dependencies are met, in causal order. */
static size_t
ready_list(mn_repl *r, mn_remote_change *out, size_t cap, mn_vv *vv) {
    size_t n = 0;
    bool progress = true;
    size_t cursor[MN_MAX_NODES + 1];
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        cursor[o] = r->pending[o].head;
    while (progress && n < cap) {
        progress = false;
        for (uint32_t o = 1; o <= MN_MAX_NODES && n < cap; o++) {
            struct pending *q = &r->pending[o];
            while (cursor[o] < q->n && n < cap &&
                   deps_met(&q->c[cursor[o]], vv)) {
                out[n++] = q->c[cursor[o]];
                vv->seq[o] = q->c[cursor[o]++].h.seq;
                progress = true;
            }
        }
    }
    return n;
}

/* Mark the applied changes done in their queues. */
static void
settle(mn_repl *r, const mn_remote_change *done, size_t n) {
    for (size_t i = 0; i < n; i++) {
        struct pending *q = &r->pending[done[i].h.origin];
        /* A queue holds consecutive seqs, so the index is arithmetic. */
        size_t j = q->head + (size_t)(done[i].h.seq - q->c[q->head].h.seq);
        assert(j < q->n && q->c[j].h.seq == done[i].h.seq);
        q->c[j].result = done[i].result;
    }
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        pending_clear_front(&r->pending[o]);
}

/* Publish how many verified changes wait for their dependencies. */
static void
publish_pending(mn_repl *r) {
    uint64_t left = 0;
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        left += r->pending[o].n - r->pending[o].head;
    pthread_mutex_lock(&r->stats_mu);
    r->npending = left;
    pthread_mutex_unlock(&r->stats_mu);
}

/* Drop the signatures the node has now stored (their change applied). */
static void
forget_stored_sigs(mn_repl *r) {
    mn_vv vv;
    mn_node_state(r->node, &vv, NULL);
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++) {
        struct pending *q = &r->pending[o];
        size_t keep = 0;
        for (size_t k = 0; k < q->nsigs; k++)
            if (q->sigs[k].seq > vv.seq[o])
                q->sigs[keep++] = q->sigs[k];
        q->nsigs = keep;
    }
}

/* Apply everything pending whose dependencies are met. */
static size_t
drain(mn_repl *r) {
    mn_remote_change *list = r->ready;
    size_t nsigs = 0, applied = 0;
    mn_vv vv;
    mn_node_state(r->node, &vv, NULL);
    size_t n = ready_list(r, list, READY_MAX, &vv);
    if (n == 0) {
        publish_pending(r); /* what was just queued may all be waiting */
        return 0;
    }
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        for (size_t k = 0; k < r->pending[o].nsigs; k++) {
            if (nsigs == r->capsigs) {
                r->capsigs = r->capsigs ? 2 * r->capsigs : 64;
                r->allsigs =
                    mn_realloc(r->allsigs, r->capsigs * sizeof *r->allsigs);
            }
            r->allsigs[nsigs++] = r->pending[o].sigs[k];
        }
    int rc = mn_node_apply(r->node, list, n, r->allsigs, nsigs);
    if (rc != MN_OK) {
        mn_warn("repl: applying %zu changes failed: %s", n, mn_strerror(rc));
        publish_pending(r);
        return 0; /* they stay pending; retried on the next batch or tick */
    }
    for (size_t i = 0; i < n; i++)
        applied += list[i].result == MN_OK;
    settle(r, list, n);
    forget_stored_sigs(r);
    publish_pending(r);
    return applied;
}

static void
client_on_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
                uint64_t now) {
    struct checked *c = r->checked;
    int why = MN_REJ_UNKNOWN_ORIGIN;
    p->c.heard_at = now;
    count(r, &p->st.received, m->nchanges);
    if (r->keys.has_key[m->origin]) {
        why = decode_batch(m, c);
        if (why < 0)
            why = accept_batch(r, p, m, c, now);
        checked_release(c);
    }
    size_t applied = drain(r);
    count(r, &p->st.applied, applied);
    if (why == MN_REJ_GAP) {
        pthread_mutex_lock(&r->stats_mu);
        p->st.rejected[why]++;
        pthread_mutex_unlock(&r->stats_mu);
        send_hello(r, p, now); /* the range request: resend from here */
        return;
    }
    if (why >= 0)
        count_reject(r, p, (enum mn_reject)why);
    send_ack(r, p);
    if (applied)
        mn_repl_on_commit(r, now);
}

/* ---- events ----------------------------------------------------------- */

void
mn_repl_on_message(mn_repl *r, uint32_t peer, enum mn_channel ch,
                   const uint8_t *bytes, size_t n, uint64_t now) {
    struct peer *p = find_peer(r, peer);
    mn_peer_msg m;
    if (!p)
        return; /* the transport admits configured peers only */
    p->seen_at = now;
    if (n > MN_MAX_PEER_MSG) {
        count_reject(r, p, MN_REJ_SIZE);
        return;
    }
    if (mn_codec_peer_decode(bytes, n, &m) != MN_OK) {
        count_reject(r, p, MN_REJ_DECODE);
        return;
    }
    bool to_server = m.kind == MN_MSG_HELLO || m.kind == MN_MSG_ACK;
    if (to_server != (ch == MN_CH_SERVER) ||
        (m.kind == MN_MSG_HELLO && m.node != peer))
        count_reject(r, p, MN_REJ_PROTOCOL);
    else if (m.kind == MN_MSG_HELLO)
        server_on_hello(r, p, &m, now);
    else if (m.kind == MN_MSG_ACK)
        server_on_ack(r, p, &m, now);
    else
        client_on_batch(r, p, &m, now);
    mn_codec_peer_release(&m);
    publish(r, p);
}

void
mn_repl_on_link(mn_repl *r, uint32_t peer, bool up, uint64_t now) {
    struct peer *p = find_peer(r, peer);
    if (!p)
        return;
    p->c.up = up;
    if (up)
        send_hello(r, p, now);
    publish(r, p);
}

void
mn_repl_on_commit(mn_repl *r, uint64_t now) {
    (void)now;
    for (size_t i = 0; i < r->npeers; i++)
        pump(r, &r->peers[i], true);
}

/* Writable once no peer is known to hold more of our own log than we do,
 * and every peer has told us its vector or the grace period is over. */
static void
update_writable(mn_repl *r, uint64_t now) {
    mn_vv vv;
    bool all_told = true, any_told = false, behind = false;
    mn_node_state(r->node, &vv, NULL);
    for (size_t i = 0; i < r->npeers; i++) {
        const struct peer *p = &r->peers[i];
        all_told &= p->told_vv;
        any_told |= p->told_vv;
        behind |= p->told_vv && p->s.acked.seq[r->self] > vv.seq[r->self];
    }
    /* A store restored from a backup waits for a peer, however long. */
    bool restored = mn_node_restored(r->node);
    behind |= restored && !any_told;
    /* A store behind its own.seq record was restored: wait for peers. */
    behind |= vv.seq[r->self] < mn_node_own_floor(r->node);
    bool writable = !behind && (all_told || now >= r->start + r->grace_ms);
    if (writable && restored && mn_node_confirm_restored(r->node) != MN_OK)
        writable = false; /* try again on the next tick */
    if (writable != mn_node_writable(r->node)) {
        mn_info("repl: local writes %s",
                writable ? "open"
                         : "held: "
                           "catching up on this node's own log");
        mn_node_set_writable(r->node, writable);
    }
}

uint64_t
mn_repl_on_tick(mn_repl *r, uint64_t now) {
    for (size_t i = 0; i < r->npeers; i++) {
        struct peer *p = &r->peers[i];
        uint64_t quiet = now - (p->c.heard_at > p->c.hello_at ? p->c.heard_at
                                                              : p->c.hello_at);
        if (p->c.up && quiet >= CLIENT_RETRY_MS)
            send_hello(r, p, now);
        if (p->s.active && now - p->s.heard_at > SERVER_IDLE_MS)
            p->s.active = false;
        pump(r, p, false);
        publish(r, p);
    }
    if (drain(r))
        mn_repl_on_commit(r, now);
    update_writable(r, now);
    return now + TICK_MS;
}

/* ---- lifecycle and stats ---------------------------------------------- */

mn_repl *
mn_repl_new(mn_node *node, const mn_repl_keys *keys, const mn_repl_io *io,
            uint64_t now, uint64_t grace_ms) {
    const mn_config *cfg = mn_node_config(node);
    mn_repl *r = mn_calloc(1, sizeof *r);
    r->node = node;
    r->keys = *keys;
    r->io = *io;
    r->self = cfg->self.id;
    r->max_drift_ms = cfg->max_drift_ms;
    r->start = now;
    r->grace_ms = grace_ms;
    mn_buf_init(&r->out);
    mn_buf_init(&r->plain);
    r->checked = mn_malloc(sizeof *r->checked);
    r->checked->n = 0;
    r->ready = mn_malloc(READY_MAX * sizeof *r->ready);
    r->opened = mn_malloc(MN_BATCH_MAX_CHANGES * sizeof *r->opened);
    pthread_mutex_init(&r->stats_mu, NULL);
    for (size_t i = 0; i < cfg->ndivisions; i++) {
        if (cfg->divisions[i].id == r->self)
            continue;
        struct peer *p = &r->peers[r->npeers++];
        p->id = cfg->divisions[i].id;
        p->st.id = p->id;
    }
    mn_node_set_writable(node, false);
    update_writable(r, now);
    return r;
}

void
mn_repl_destroy(mn_repl **self_p) {
    mn_repl *r = *self_p;
    if (!r)
        return;
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++) {
        struct pending *q = &r->pending[o];
        for (size_t i = q->head; i < q->n; i++)
            free_change(&q->c[i]);
        free(q->c);
        free(q->sigs);
    }
    mn_buf_release(&r->out);
    mn_buf_release(&r->plain);
    free(r->checked);
    free(r->ready);
    free(r->opened);
    free(r->allsigs);
    pthread_mutex_destroy(&r->stats_mu);
    free(r);
    *self_p = NULL;
}

static uint64_t
lag(const mn_vv *ours, const mn_vv *theirs) {
    uint64_t n = 0;
    for (uint32_t o = 1; o <= MN_MAX_NODES; o++)
        if (ours->seq[o] > theirs->seq[o])
            n += ours->seq[o] - theirs->seq[o];
    return n;
}

void
mn_repl_stats_get(mn_repl *r, mn_repl_stats *out) {
    mn_node_state(r->node, &out->vv, NULL);
    out->writable = mn_node_writable(r->node);
    pthread_mutex_lock(&r->stats_mu);
    out->npeers = r->npeers;
    for (size_t i = 0; i < r->npeers; i++) {
        const struct peer *p = &r->peers[i];
        out->peers[i] = p->st;
        out->peers[i].lag = lag(&out->vv, &p->st.vv);
    }
    out->pending = r->npending;
    pthread_mutex_unlock(&r->stats_mu);
}
