/*
 * repl — see repl.h. The receive path of a Batch is in verify.c; the state
 * both files share is in repl_internal.h.
 *
 * Client session (we pull from peer P), one per peer. Every transition
 * goes through client_enter(), which checks it against client_legal[]:
 *
 *             on_link(up): ask_hello()
 *   DOWN -----------------------------------> HELLO_SENT
 *                                                  |
 *                   client_on_batch(): ack_now(), or defer_ack() when an
 *                   apply is in flight (then straight to APPLYING)
 *                                                  v
 *                    defer_ack()
 *   APPLYING <------------------------------- RECEIVING <--+
 *      |     (Acks owed: its credit waits)      ^   |      | ack_now()
 *      |                                        |   +------+
 *      +------ on_applied(): flush_acks() ------+
 *
 *   From any state: on_link(down) -> DOWN (mn_repl_on_link); a gap
 *   (client_on_batch) or CLIENT_RETRY_MS of silence (client_tick; not in
 *   APPLYING, where the server waits for our credit) -> HELLO_SENT, by
 *   send_hello(). A link or a gap asks by ask_hello(), which says Hello at
 *   most once per CLIENT_HELLO_MS and leaves one asked sooner to the tick
 *   (hello_due). A Batch arriving while DOWN (late, on a link that fell)
 *   is still checked, queued and acked; it stays DOWN.
 *
 * Server session (peer P pulls from us), one per peer; server_enter()
 * checks each transition against server_legal[]:
 *
 *          Hello: server_on_hello()
 *          (cursor := its vector)
 *   IDLE ---------------------------> STREAMING <--+ pump(): a Batch per
 *    ^                                  |  ^   |   | credit while it lacks
 *    |                   pump(): credit |  |   +---+ something we can sign
 *    |                          used up v  | Ack: server_on_ack() (credit
 *    |                       WAITING_CREDIT  back); Hello: server_on_hello()
 *    |                                  |
 *    +----------------------------------+ silence > SERVER_IDLE_MS:
 *      server_expire() (on tick), from STREAMING or WAITING_CREDIT
 *
 *   An Ack or a Hello in STREAMING stays in STREAMING; an Ack in IDLE is
 *   stale and ignored (the client will say HELLO again). A Hello restarts
 *   the session at most once per HELLO_MIN_MS (sooner: refused, counted
 *   as protocol), and credit is per session: what the peer may still be
 *   sent plus what it has not acked stays within MAX_CREDIT batches,
 *   however many Hellos and Acks it sends (add_credit).
 *
 * The apply pipeline, one per engine; apply_enter(), apply_legal[]:
 *
 *          drain(): host apply() of every ready change
 *   IDLE ---------------------------------------------> BUSY
 *    ^                                                   |
 *    +---- on_applied(): settle(), then drain() again ---+
 *
 *   A failed apply leaves its changes queued for the next tick's drain().
 *
 * Receive path of a Batch (client_on_batch, then verify.c), in order: size cap,
 * decode, origin known, duplicates dropped (and checked for equivocation
 * against our log and our pending queues: verify.c, refuse_fork), gap ->
 * HELLO (the range request), chain links, the
 * origin's signature over the last change, decrypt, drift bound, then into
 * the per-origin pending queue. drain() hands the host whatever has its
 * causal dependencies, in causal order; while that apply is in flight the
 * next batches are verified and queued behind it (pipelining), and their
 * Acks — which give the server its credit back — wait for the apply, so
 * a server never runs more than its credit ahead of what we applied.
 */
#include "repl/repl_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "base/log.h"

/* legal[from][to]: the arrows of the diagrams above. */
static const bool client_legal[CLIENT_NSTATES][CLIENT_NSTATES] = {
    [CLIENT_DOWN] = {[CLIENT_DOWN] = true, [CLIENT_HELLO_SENT] = true},
    [CLIENT_HELLO_SENT] = {[CLIENT_DOWN] = true,
                           [CLIENT_HELLO_SENT] = true,
                           [CLIENT_RECEIVING] = true,
                           [CLIENT_APPLYING] = true},
    [CLIENT_RECEIVING] = {[CLIENT_DOWN] = true,
                          [CLIENT_HELLO_SENT] = true,
                          [CLIENT_RECEIVING] = true,
                          [CLIENT_APPLYING] = true},
    [CLIENT_APPLYING] = {[CLIENT_DOWN] = true,
                         [CLIENT_HELLO_SENT] = true,
                         [CLIENT_RECEIVING] = true,
                         [CLIENT_APPLYING] = true},
};

static const bool server_legal[SERVER_NSTATES][SERVER_NSTATES] = {
    [SERVER_IDLE] = {[SERVER_STREAMING] = true},
    [SERVER_STREAMING] = {[SERVER_IDLE] = true,
                          [SERVER_STREAMING] = true,
                          [SERVER_WAITING_CREDIT] = true},
    [SERVER_WAITING_CREDIT] = {[SERVER_IDLE] = true, [SERVER_STREAMING] = true},
};

static const bool apply_legal[APPLY_NSTATES][APPLY_NSTATES] = {
    [APPLY_IDLE] = {[APPLY_BUSY] = true},
    [APPLY_BUSY] = {[APPLY_IDLE] = true},
};

static const char *const reject_names[MN_REJ_COUNT] = {
    "size",    "decode", "unknown_origin", "signature", "chain",
    "decrypt", "drift",  "equivocation",   "gap",       "protocol",
};

const char *
mn_reject_name(enum mn_reject r) {
    return r < MN_REJ_COUNT ? reject_names[r] : "unknown";
}

/* ---- transitions -------------------------------------------------------- */

/* A transition not in the diagram is a bug in this file: stop, in every
 * build (the simulator runs optimised). */
static void
check_legal(bool legal, const char *machine, int from, int to) {
    if (legal)
        return;
    mn_error("repl: illegal %s transition %d -> %d", machine, from, to);
    abort();
}

static void
client_enter(struct peer *p, enum client_state to) {
    check_legal(client_legal[p->c.state][to], "client", (int)p->c.state,
                (int)to);
    p->c.state = to;
}

static void
server_enter(struct peer *p, enum server_state to) {
    check_legal(server_legal[p->s.state][to], "server", (int)p->s.state,
                (int)to);
    p->s.state = to;
}

static void
apply_enter(mn_repl *r, enum apply_state to) {
    check_legal(apply_legal[r->apply][to], "apply", (int)r->apply, (int)to);
    r->apply = to;
}

/* ---- stats -------------------------------------------------------------- */

static struct peer *
find_peer(mn_repl *r, uint32_t id) {
    for (size_t i = 0; i < r->npeers; i++)
        if (r->peers[i].id == id)
            return &r->peers[i];
    return NULL;
}

static void
log_held(const mn_ratelog_summary *s) {
    if (s->peer == MN_RATELOG_OTHERS)
        mn_warn("repl: refused %llu more messages in the last %llu s",
                (unsigned long long)s->count,
                (unsigned long long)(s->window / 1000));
    else
        mn_warn("repl: refused %llu more messages from division %llu in the "
                "last %llu s: %s",
                (unsigned long long)s->count, (unsigned long long)s->peer,
                (unsigned long long)(s->window / 1000),
                mn_reject_name((enum mn_reject)s->reason));
}

/* Count a refusal; log it unless this peer's refusals of this kind were
 * logged less than REFUSAL_LOG_MS ago (then the tick logs a count). */
static void
count_reject(mn_repl *r, struct peer *p, enum mn_reject why, uint64_t now) {
    mn_ratelog_summary late;
    pthread_mutex_lock(&r->stats_mu);
    p->st.rejected[why]++;
    pthread_mutex_unlock(&r->stats_mu);
    bool log = mn_ratelog_hit(r->refusals, p->id, why, now, &late);
    if (late.count)
        log_held(&late);
    if (log)
        mn_warn("repl: refused a message from division %u: %s", p->id,
                reject_names[why]);
}

/* Log the counts of refusals held back over an interval that is over. */
static void
log_refusals_due(mn_repl *r, uint64_t now) {
    mn_ratelog_summary due[8];
    size_t n;
    do {
        n = mn_ratelog_due(r->refusals, now, due, 8);
        for (size_t i = 0; i < n; i++)
            log_held(&due[i]);
    } while (n == 8);
}

/* Copy what the engine thread owns into the stats readers see. */
static void
publish(mn_repl *r, struct peer *p) {
    pthread_mutex_lock(&r->stats_mu);
    p->st.connected = p->c.state != CLIENT_DOWN;
    p->st.serving = p->s.state != SERVER_IDLE;
    p->st.vv = p->s.acked;
    p->st.told = p->told_vv;
    p->st.last_seen_ms = p->seen_at;
    pthread_mutex_unlock(&r->stats_mu);
}

void
mn_repl_count(mn_repl *r, uint64_t *field, uint64_t n) {
    pthread_mutex_lock(&r->stats_mu);
    *field += n;
    pthread_mutex_unlock(&r->stats_mu);
}

/* Ask the host for the committed vector and heads; readers see it too. */
static void
load_state(mn_repl *r) {
    r->host.state(r->host.ctx, &r->vv, &r->heads);
    pthread_mutex_lock(&r->stats_mu);
    r->pub_vv = r->vv;
    pthread_mutex_unlock(&r->stats_mu);
}

/* The wall clock, for what people read. */
static uint64_t
wall_ms(mn_repl *r) {
    mn_repl_clocks c;
    mn_repl_clocks_read(r, &c);
    return c.wall_ms;
}

/* ---- sending ------------------------------------------------------------ */

static void
send_hello(mn_repl *r, struct peer *p, uint64_t now) {
    mn_buf_reset(&r->out);
    mn_codec_hello_encode(r->self, &r->vv, CLIENT_CREDIT, &r->out);
    p->c.told = r->vv;
    r->host.send(r->host.ctx, p->id, MN_CH_CLIENT, r->out.p, r->out.len);
    p->c.hello_at = now;
    p->c.said_hello = true;
    p->c.hello_due = false;
    p->c.owed = 0; /* a Hello gives the server its whole credit again */
    client_enter(p, CLIENT_HELLO_SENT);
}

/* A new link or a gap asks for a Hello: now, or, sooner than
 * CLIENT_HELLO_MS after the last one (the batches behind a lost one are
 * gaps too; a link may drop and come back at once), on a tick once that
 * has passed — the server refuses Hellos that come faster
 * (server_on_hello). */
static void
ask_hello(mn_repl *r, struct peer *p, uint64_t now) {
    if (!p->c.said_hello || now - p->c.hello_at >= CLIENT_HELLO_MS) {
        send_hello(r, p, now);
        return;
    }
    p->c.hello_due = true;
    if (p->c.state == CLIENT_DOWN)
        client_enter(p, CLIENT_HELLO_SENT); /* the tick says it */
}

static void
send_ack(mn_repl *r, struct peer *p, uint32_t credit) {
    p->c.fresh = false;
    p->c.told = r->vv;
    mn_buf_reset(&r->out);
    mn_codec_ack_encode(&r->vv, credit, &r->out);
    r->host.send(r->host.ctx, p->id, MN_CH_CLIENT, r->out.p, r->out.len);
}

/* Ack a batch now: nothing of ours is in flight to wait for. */
static void
ack_now(mn_repl *r, struct peer *p) {
    send_ack(r, p, 1);
    if (p->c.state != CLIENT_DOWN)
        client_enter(p, CLIENT_RECEIVING);
}

/* Ack a batch when the apply in flight ends (late messages on a link that
 * is down are acked at once: there is no session to hold). */
static void
defer_ack(mn_repl *r, struct peer *p) {
    if (r->apply == APPLY_IDLE || p->c.state == CLIENT_DOWN) {
        ack_now(r, p);
        return;
    }
    p->c.owed++;
    client_enter(p, CLIENT_APPLYING);
}

/* The apply ended: give every waiting server its credit back, and tell
 * every server whose changes were applied our new vector. One Ack each. */
static void
flush_acks(mn_repl *r) {
    for (size_t i = 0; i < r->npeers; i++) {
        struct peer *p = &r->peers[i];
        if (p->c.state == CLIENT_DOWN ||
            (p->c.state != CLIENT_APPLYING && !p->c.fresh))
            continue;
        send_ack(r, p, p->c.owed);
        p->c.owed = 0;
        client_enter(p, CLIENT_RECEIVING);
    }
}

/* ---- server: streaming batches from the log ----------------------------- */

/* Send one batch of origin o to p if it lacks any; true if sent. */
static bool
send_batch(mn_repl *r, struct peer *p, uint32_t o, uint64_t upto,
           uint64_t now) {
    mn_repl_range *b = r->range;
    mn_repl_read req = {.origin = o,
                        .from = mn_vv_get(&p->s.sent, o) + 1,
                        .upto = upto,
                        .max_changes = MN_BATCH_MAX_CHANGES,
                        .soft_changes = BATCH_SOFT_CHANGES,
                        .soft_bytes = BATCH_SOFT_BYTES};
    mn_buf_reset(&b->data);
    b->n = b->nsigned = 0;
    if (r->host.read_log(r->host.ctx, &req, b) != MN_OK || b->nsigned == 0)
        return false;
    mn_buf_reset(&r->out);
    mn_codec_batch_encode(o, b->changes, b->nsigned, &b->sig, &r->out);
    r->host.send(r->host.ctx, p->id, MN_CH_SERVER, r->out.p, r->out.len);
    if (!mn_vv_raise(&p->s.sent, o, b->sig.seq))
        mn_warn("repl: a peer's cursor has no room for another origin");
    p->s.credit--;
    p->s.unacked++;
    p->s.sent_at = now;
    return true;
}

/* What pump() may send: a commit pushes our own changes alone; an Ack or a
 * tick also relays other origins' changes, but only those we held at the
 * previous tick; a Hello (a client starting over) gets everything. */
enum pump_mode { PUMP_OWN, PUMP_SETTLED, PUMP_ALL };

/* How far pump() may send origin o's changes in mode. */
static uint64_t
pump_upto(const mn_repl *r, uint32_t o, enum pump_mode mode) {
    uint64_t now = mn_vv_get(&r->vv, o), settled = mn_vv_get(&r->tick_vv, o);
    if (o == r->origin || mode == PUMP_ALL)
        return now;
    if (mode == PUMP_OWN)
        return 0;
    return now < settled ? now : settled;
}

/*
 * Stream to p while it has credit and lacks something we can sign for, as
 * far as mode allows. Other origins' changes are relayed only once they
 * are a tick old: by then the peer has them from their origin when the
 * link between them is up, and its vector (Acks, and the one it announces
 * each tick) says so — relaying is for links that are down, not a second
 * copy of every change.
 */
static void
pump(mn_repl *r, struct peer *p, enum pump_mode mode, uint64_t now) {
    uint32_t idle = 0;
    if (p->s.state != SERVER_STREAMING)
        return;
    while (p->s.credit > 0 && idle < r->vv.n) {
        uint32_t o = r->vv.e[p->s.next_origin++ % r->vv.n].origin;
        uint64_t upto = pump_upto(r, o, mode);
        if (upto > mn_vv_get(&p->s.sent, o) && send_batch(r, p, o, upto, now))
            idle = 0;
        else
            idle++;
    }
    if (p->s.credit == 0)
        server_enter(p, SERVER_WAITING_CREDIT);
}

/* Credit an Ack or Hello gives, kept within MAX_CREDIT with what is
 * unacked: credit is per session, not per message. */
static void
add_credit(struct peer *p, uint32_t credit) {
    uint32_t cap = MAX_CREDIT - p->s.unacked;
    uint32_t room = cap > p->s.credit ? cap - p->s.credit : 0;
    p->s.credit += credit < room ? credit : room;
}

/*
 * A Hello restarts the session: the cursor goes back to the client's
 * vector and it gets the credit it asks for. Batches sent before it and
 * still unacked keep counting against MAX_CREDIT, unless the last was
 * sent CLIENT_RETRY_MS ago (they were lost, or the client dropped them).
 * A Hello sooner than HELLO_MIN_MS after the last restart is refused: a
 * peer that says only Hello would otherwise get a credit's worth of
 * batches per Hello. True if it restarted.
 */
static bool
server_on_hello(mn_repl *r, struct peer *p, const mn_peer_msg *m,
                uint64_t now) {
    if (p->s.state != SERVER_IDLE && now - p->s.restart_at < HELLO_MIN_MS)
        return false;
    if (p->s.state == SERVER_IDLE || now - p->s.sent_at >= CLIENT_RETRY_MS)
        p->s.unacked = 0;
    server_enter(p, SERVER_STREAMING);
    p->s.heard_at = p->s.restart_at = now;
    p->s.acked = m->vv;
    p->s.sent = m->vv;
    p->s.credit = 0;
    add_credit(p, m->credit);
    p->told_vv = true;
    pump(r, p, PUMP_ALL, now);
    return true;
}

static void
server_on_ack(mn_repl *r, struct peer *p, const mn_peer_msg *m, uint64_t now) {
    if (p->s.state == SERVER_IDLE)
        return; /* a stale ack; the client will say HELLO again */
    server_enter(p, SERVER_STREAMING);
    p->s.heard_at = now;
    p->s.acked = m->vv;
    /* What it got from anyone need not be sent again. */
    for (uint32_t i = 0; i < m->vv.n; i++)
        (void)mn_vv_raise(&p->s.sent, m->vv.e[i].origin, m->vv.e[i].seq);
    p->s.unacked -= m->credit < p->s.unacked ? m->credit : p->s.unacked;
    add_credit(p, m->credit);
    pump(r, p, PUMP_SETTLED, now);
}

/* A server whose client went quiet stops streaming. */
static void
server_expire(struct peer *p, uint64_t now) {
    if (p->s.state != SERVER_IDLE && now - p->s.heard_at > SERVER_IDLE_MS)
        server_enter(p, SERVER_IDLE);
}

/* ---- client: applying, one batch in flight ------------------------------ */

/* Has every change c depends on (other than its own origin's) been
 * applied, counting what is about to be? */
static bool
deps_met(const mn_repl *r, const mn_remote_change *c, const mn_vv *vv) {
    const mn_vv *deps = &c->h.deps;
    for (uint32_t i = 0; i < deps->n; i++) {
        uint32_t o = deps->e[i].origin;
        /* An origin caught signing two histories: its changes past the
         * fork never come here, so changes that saw them do not wait for
         * them (the honest origins go on; what the forks wrote stays
         * split, counted as equivocation). */
        if (o != c->h.origin && deps->e[i].seq > mn_vv_get(vv, o) &&
            !mn_vv_get(&r->equivocated, o))
            return false;
    }
    return true;
}

/* Pick pending changes whose dependencies are met, in causal order, and
 * of queue k none past seq limit[k]. OUT: vv raised by what was picked,
 * last[k] the last seq picked from queue k (0: none). */
static size_t
pick(const mn_repl *r, mn_remote_change *out, size_t cap, mn_vv *vv,
     const uint64_t *limit, uint64_t *last) {
    size_t n = 0;
    bool progress = true;
    size_t cursor[MN_VV_MAX];
    for (uint32_t k = 0; k < r->npending; k++) {
        cursor[k] = r->pending[k].head;
        last[k] = 0;
    }
    while (progress && n < cap) {
        progress = false;
        for (uint32_t k = 0; k < r->npending && n < cap; k++) {
            const struct pending *q = &r->pending[k];
            while (cursor[k] < q->n && n < cap &&
                   q->c[cursor[k]].h.seq <= limit[k] &&
                   deps_met(r, &q->c[cursor[k]], vv) &&
                   mn_vv_raise(vv, q->origin, q->c[cursor[k]].h.seq)) {
                last[k] = q->c[cursor[k]].h.seq;
                out[n++] = q->c[cursor[k]++];
                progress = true;
            }
        }
    }
    return n;
}

/* The highest seq of q's queued signatures at or below seq (0: none). */
static uint64_t
signed_upto(const struct pending *q, uint64_t seq) {
    uint64_t best = 0;
    for (size_t i = 0; i < q->nsigs; i++)
        if (q->sigs[i].seq <= seq && q->sigs[i].seq > best)
            best = q->sigs[i].seq;
    return best;
}

/*
 * The changes to apply next: what pick() finds ready, cut back so that
 * every origin's part ends at a signature. A batch is applied whole, never
 * a prefix of it, so the log of every origin ends at a signed change and a
 * relay can serve all it applied (a prefix whose signature waits on a
 * change that never comes — its dependency lost with a disk — would be
 * applied here and nowhere else, for good). Cutting one origin back may
 * unready changes of others that depended on what was cut: repeat until
 * nothing is cut (each round lowers a limit, so it ends). Only a single
 * batch longer than cap is applied in parts, so nothing waits for ever.
 */
static size_t
ready_list(mn_repl *r, mn_remote_change *out, size_t cap, const mn_vv *vv) {
    uint64_t limit[MN_VV_MAX], last[MN_VV_MAX];
    for (uint32_t k = 0; k < r->npending; k++)
        limit[k] = UINT64_MAX;
    mn_vv v = *vv;
    size_t n = pick(r, out, cap, &v, limit, last);
    bool full = n == cap;
    for (bool cut = true; cut && n > 0;) {
        cut = false;
        for (uint32_t k = 0; k < r->npending; k++) {
            uint64_t end = last[k] ? signed_upto(&r->pending[k], last[k]) : 0;
            if (last[k] && end != last[k]) {
                limit[k] = end;
                cut = true;
            }
        }
        if (cut) {
            v = *vv;
            n = pick(r, out, cap, &v, limit, last);
        }
    }
    if (n == 0 && full) {
        for (uint32_t k = 0; k < r->npending; k++)
            limit[k] = UINT64_MAX;
        v = *vv;
        n = pick(r, out, cap, &v, limit, last);
    }
    return n;
}

/* Mark the applied changes done in their queues, counting each applied
 * one for the peer that sent it. */
static void
settle(mn_repl *r, const mn_remote_change *done, size_t n) {
    for (size_t i = 0; i < n; i++) {
        struct pending *q = mn_repl_pending_of(r, done[i].h.origin, false);
        /* A queue holds consecutive seqs, so the index is arithmetic. */
        size_t j = q->head + (size_t)(done[i].h.seq - q->c[q->head].h.seq);
        assert(q && j < q->n && q->c[j].h.seq == done[i].h.seq);
        q->c[j].result = done[i].result;
        struct peer *p = find_peer(r, q->from[j]);
        if (p && done[i].result == MN_OK) {
            mn_repl_count(r, &p->st.applied, 1);
            p->c.fresh = true;
        }
    }
    for (uint32_t k = 0; k < r->npending; k++)
        mn_repl_pending_clear_front(&r->pending[k]);
}

/* Publish how many verified changes wait for their dependencies. */
static void
publish_pending(mn_repl *r) {
    uint64_t left = 0;
    for (uint32_t k = 0; k < r->npending; k++)
        left += r->pending[k].n - r->pending[k].head;
    pthread_mutex_lock(&r->stats_mu);
    r->pub_pending = left;
    pthread_mutex_unlock(&r->stats_mu);
}

/* Drop the signatures the host has now stored (their change applied). */
static void
forget_stored_sigs(mn_repl *r) {
    for (uint32_t i = 0; i < r->npending; i++) {
        struct pending *q = &r->pending[i];
        uint64_t held = mn_vv_get(&r->vv, q->origin);
        size_t keep = 0;
        for (size_t k = 0; k < q->nsigs; k++)
            if (q->sigs[k].seq > held)
                q->sigs[keep++] = q->sigs[k];
        q->nsigs = keep;
    }
}

/* Every queued signature, for one apply. */
static size_t
gather_sigs(mn_repl *r) {
    size_t nsigs = 0;
    for (uint32_t o = 0; o < r->npending; o++)
        for (size_t k = 0; k < r->pending[o].nsigs; k++) {
            if (nsigs == r->capsigs) {
                r->capsigs = r->capsigs ? 2 * r->capsigs : 64;
                r->allsigs =
                    mn_realloc(r->allsigs, r->capsigs * sizeof *r->allsigs);
            }
            r->allsigs[nsigs++] = r->pending[o].sigs[k];
        }
    return nsigs;
}

/* Hand the host everything pending whose dependencies are met, unless an
 * apply is in flight already (it comes next, from on_applied). */
static void
drain(mn_repl *r) {
    publish_pending(r);
    if (r->apply == APPLY_BUSY)
        return;
    size_t n = ready_list(r, r->ready, READY_MAX, &r->vv);
    if (n == 0)
        return;
    size_t nsigs = gather_sigs(r);
    int rc = r->host.apply(r->host.ctx, r->token + 1, r->ready, n, r->allsigs,
                           nsigs);
    if (rc != MN_OK) {
        mn_warn("repl: applying %zu changes failed: %s", n, mn_strerror(rc));
        return; /* they stay pending; tried again on the next tick */
    }
    r->token++;
    r->nready = n;
    apply_enter(r, APPLY_BUSY);
}

void
mn_repl_on_applied(mn_repl *r, uint64_t token, int rc, uint64_t now) {
    (void)now;
    if (r->apply != APPLY_BUSY || token != r->token) {
        mn_warn("repl: the end of an apply that is not in flight");
        return;
    }
    apply_enter(r, APPLY_IDLE);
    load_state(r);
    if (rc == MN_OK) {
        settle(r, r->ready, r->nready);
        forget_stored_sigs(r);
        r->nready = 0;
        drain(r); /* the next batch, verified meanwhile */
    } else {
        /* They stay pending; tried again on the next tick, not at once
         * (a full map would otherwise spin). */
        mn_warn("repl: applying %zu changes failed: %s", r->nready,
                mn_strerror(rc));
        r->nready = 0;
        publish_pending(r);
    }
    flush_acks(r);
    for (size_t i = 0; i < r->npeers; i++)
        publish(r, &r->peers[i]);
}

static void
client_on_batch(mn_repl *r, struct peer *p, const mn_peer_msg *m,
                uint64_t now) {
    p->c.heard_at = now;
    mn_repl_count(r, &p->st.received, m->nchanges);
    int why = mn_repl_verify_batch(r, p, m, now);
    drain(r);
    if (why == MN_REJ_GAP) {
        pthread_mutex_lock(&r->stats_mu);
        p->st.rejected[why]++;
        pthread_mutex_unlock(&r->stats_mu);
        ask_hello(r, p, now); /* the range request: resend from here */
        return;
    }
    if (why >= 0)
        count_reject(r, p, (enum mn_reject)why, now);
    defer_ack(r, p);
}

/* ---- events ------------------------------------------------------------- */

void
mn_repl_on_message(mn_repl *r, uint32_t peer, enum mn_channel ch,
                   const uint8_t *bytes, size_t n, uint64_t now) {
    struct peer *p = find_peer(r, peer);
    mn_peer_msg m;
    if (!p)
        return; /* the transport admits configured peers only */
    now = mn_repl_steady(r, now);
    p->seen_at = wall_ms(r); /* shown to people: wall time */
    if (n > MN_MAX_PEER_MSG) {
        count_reject(r, p, MN_REJ_SIZE, now);
        return;
    }
    if (mn_codec_peer_decode(bytes, n, &m) != MN_OK) {
        count_reject(r, p, MN_REJ_DECODE, now);
        return;
    }
    load_state(r);
    bool to_server = m.kind == MN_MSG_HELLO || m.kind == MN_MSG_ACK;
    if (to_server != (ch == MN_CH_SERVER) ||
        (m.kind == MN_MSG_HELLO && m.node != peer))
        count_reject(r, p, MN_REJ_PROTOCOL, now);
    else if (m.kind == MN_MSG_HELLO) {
        if (!server_on_hello(r, p, &m, now))
            count_reject(r, p, MN_REJ_PROTOCOL, now);
    } else if (m.kind == MN_MSG_ACK)
        server_on_ack(r, p, &m, now);
    else
        client_on_batch(r, p, &m, now);
    mn_codec_peer_release(&m);
    publish(r, p);
}

void
mn_repl_on_refused(mn_repl *r, uint32_t peer, enum mn_reject why,
                   uint64_t now) {
    struct peer *p = find_peer(r, peer);
    now = mn_repl_steady(r, now);
    if (p && why < MN_REJ_COUNT)
        count_reject(r, p, why, now);
}

void
mn_repl_on_link(mn_repl *r, uint32_t peer, bool up, uint64_t now) {
    struct peer *p = find_peer(r, peer);
    now = mn_repl_steady(r, now);
    if (!p)
        return;
    load_state(r);
    if (up) {
        ask_hello(r, p, now);
    } else {
        p->c.owed = 0;
        client_enter(p, CLIENT_DOWN);
    }
    publish(r, p);
}

void
mn_repl_on_commit(mn_repl *r, uint64_t now) {
    load_state(r);
    for (size_t i = 0; i < r->npeers; i++)
        pump(r, &r->peers[i], PUMP_OWN, now);
}

static void
client_tick(mn_repl *r, struct peer *p, uint64_t now) {
    uint64_t quiet =
        now - (p->c.heard_at > p->c.hello_at ? p->c.heard_at : p->c.hello_at);
    /* In APPLYING the server is silent because it waits for our credit:
     * our apply is slow, not the link. */
    if (p->c.state != CLIENT_DOWN && p->c.state != CLIENT_APPLYING &&
        (quiet >= CLIENT_RETRY_MS ||
         (p->c.hello_due && now - p->c.hello_at >= CLIENT_HELLO_MS)))
        send_hello(r, p, now);
    else if (p->c.state != CLIENT_DOWN && !mn_vv_equal(&p->c.told, &r->vv))
        send_ack(r, p, 0); /* our vector, so its relays skip what we have */
}

uint64_t
mn_repl_on_tick(mn_repl *r, uint64_t now) {
    uint64_t next = now + TICK_MS; /* on the host's clock */
    now = mn_repl_steady(r, now);
    load_state(r);
    for (size_t i = 0; i < r->npeers; i++) {
        struct peer *p = &r->peers[i];
        client_tick(r, p, now);
        server_expire(p, now);
        pump(r, p, PUMP_SETTLED, now);
        publish(r, p);
    }
    r->tick_vv = r->vv;
    drain(r);
    log_refusals_due(r, now);
    mn_repl_clock_tick(r, now);
    return next;
}

/* ---- lifecycle and stats ------------------------------------------------ */

mn_repl *
mn_repl_new(const mn_repl_params *params, const mn_repl_host *host,
            uint64_t now) {
    mn_repl *r = mn_calloc(1, sizeof *r);
    now = mn_repl_steady(r, now);
    r->host = *host;
    r->keys = params->keys;
    memcpy(r->network_key, params->network_key, MN_KEY_BYTES);
    r->self = params->self;
    r->origin = params->origin;
    r->max_drift_ms = params->max_drift_ms;
    r->start = now;
    mn_buf_init(&r->out);
    mn_buf_init(&r->plain);
    r->checked = mn_malloc(sizeof *r->checked);
    r->checked->n = 0;
    r->ready = mn_malloc(READY_MAX * sizeof *r->ready);
    r->opened = mn_malloc(MN_BATCH_MAX_CHANGES * sizeof *r->opened);
    r->range = mn_calloc(1, sizeof *r->range);
    mn_buf_init(&r->range->data);
    r->refusals = mn_ratelog_new(REFUSAL_LOG_MS);
    pthread_mutex_init(&r->stats_mu, NULL);
    for (size_t i = 0; i < params->npeers && i < MN_MAX_NODES; i++) {
        struct peer *p = &r->peers[r->npeers++];
        p->id = params->peers[i];
        p->st.id = p->id;
    }
    load_state(r);
    mn_repl_clocks c;
    mn_repl_clocks_read(r, &c);
    r->start_ms = MN_HLC_MS(c.hlc) > c.wall_ms ? MN_HLC_MS(c.hlc) : c.wall_ms;
    return r;
}

void
mn_repl_destroy(mn_repl **self_p) {
    mn_repl *r = *self_p;
    if (!r)
        return;
    for (uint32_t k = 0; k < r->npending; k++) {
        struct pending *q = &r->pending[k];
        for (size_t i = q->head; i < q->n; i++)
            mn_repl_free_change(&q->c[i]);
        free(q->c);
        free(q->from);
        free(q->sigs);
    }
    mn_buf_release(&r->out);
    mn_buf_release(&r->plain);
    mn_buf_release(&r->range->data);
    mn_crypto_wipe(r->network_key, sizeof r->network_key);
    free(r->range);
    free(r->checked);
    free(r->ready);
    free(r->opened);
    free(r->allsigs);
    mn_ratelog_destroy(&r->refusals);
    pthread_mutex_destroy(&r->stats_mu);
    free(r);
    *self_p = NULL;
}

bool
mn_repl_forked(mn_repl *r) {
    pthread_mutex_lock(&r->stats_mu);
    bool f = r->forked;
    pthread_mutex_unlock(&r->stats_mu);
    return f;
}

void
mn_repl_stats_get(mn_repl *r, mn_repl_stats *out) {
    pthread_mutex_lock(&r->stats_mu);
    out->vv = r->pub_vv;
    out->npeers = r->npeers;
    for (size_t i = 0; i < r->npeers; i++) {
        const struct peer *p = &r->peers[i];
        out->peers[i] = p->st;
        out->peers[i].lag = mn_vv_ahead(&out->vv, &p->st.vv);
    }
    out->pending = r->pub_pending;
    out->forked = r->forked;
    out->twin = r->twin;
    out->hlc_lead_ms = r->pub_hlc_lead_ms;
    out->clock_alarm = r->pub_clock_alarm;
    pthread_mutex_unlock(&r->stats_mu);
}
