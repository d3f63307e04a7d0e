/*
 * repl_test — the replication engine through its sans-IO interface alone.
 * Two engines run on fake hosts that keep each origin's log in memory:
 * "applying" a change appends it when it is the next of its origin and
 * chains to its head, as the node would; the apply an engine hands its
 * host stays in flight until the test ends it, so the test decides when
 * on_applied arrives. The network is the list of messages each engine
 * asked to send. A real node of division 1, in a temp dir, only makes the
 * sealed and signed changes, which are copied into side a's memory.
 *
 * It checks the session protocol step by step: HELLO on link up, a Batch
 * answering it, the Ack after the apply, live pushes, a batch verified and
 * queued while the one before is applied (its Ack waits, then returns the
 * credit), no HELLO while only our own apply is slow, a gap answered by
 * a new HELLO, a tampered signature refused
 * with nothing applied, and a failed apply tried again on the next tick.
 *
 * Then the clocks (issue finding 3), with each host's one clock set by
 * hand (the engine's now and its wall clock read the same, as the daemon's
 * did) and the maker's clock skewed: a clock stepped back an hour, a
 * fast/slow pair, a clock corrected after running 2 h fast, and the
 * timers across a backward step. Then the hostile side: a flood of 1,000
 * Hellos (and of Acks) gets a bounded number of batches, while an honest
 * client's link that flaps never trips that limit; and two signed forks
 * of one (origin, seq) arriving while the first is still pending: the
 * second is equivocation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "base/log.h"
#include "change/envelope.h"
#include "door/codec.h"
#include "node/node.h"
#include "repl/repl.h"
#include "repl/replicator.h"
#include "state/participant.h"
#include "unit_helpers.h"

#define MAX_SENT 64
#define MAX_LOG 64
#define ORIGINS 2
#define MIN_MS (60 * 1000ULL)
#define HOUR_MS (60 * MIN_MS)
#define DRIFT_MS (5 * MIN_MS)
#define TICK_MS_TEST 500 /* the engine's tick */

struct sent {
    uint32_t to;
    enum mn_channel ch;
    mn_buf bytes;
};

/* One origin's log, in memory. */
struct fake_log {
    size_t n;
    mn_buf change[MAX_LOG];
    bool has_sig[MAX_LOG];
    mn_chain_sig sig[MAX_LOG];
    uint8_t head[MN_HASH_BYTES];
};

struct side {
    uint32_t id;
    uint64_t now; /* the host's clock: the engine's now and the wall clock */
    uint64_t hlc; /* the greatest clock applied, as a node's HLC */
    mn_repl *eng;
    struct fake_log log[ORIGINS + 1];
    struct sent out[MAX_SENT];
    size_t nout;
    /* The apply in flight, as the engine handed it over. */
    bool held;
    uint64_t token;
    mn_remote_change *cs;
    size_t ncs;
    const mn_chain_sig *sigs;
    size_t nsigs;
    /* When set, what it sends is only counted (a flood), not kept. */
    bool discard;
    size_t nsent, bytes_sent;
};

/* Division 2's signing key: the tests sign its changes themselves. */
static uint8_t sign_sk2[MN_SIGN_SECRET_BYTES];

static char root[] = "/tmp/mn-repl-XXXXXX";
static mn_config maker_cfg;
static mn_node *maker; /* division 1's node: makes sealed changes */
static struct side a, b;

/* Move s's clock on by ms; its new time. */
static uint64_t
advance(struct side *s, uint64_t ms) {
    s->now += ms;
    return s->now;
}

/* Move both clocks on by ms (time passes for everyone); b's new time. */
static uint64_t
advance_both(uint64_t ms) {
    advance(&a, ms);
    return advance(&b, ms);
}
static mn_repl_keys keys;
static uint8_t network_key[MN_KEY_BYTES];
/* The engines get time from the test; the maker stamps changes with the
 * wall clock, so the test starts from it (the drift bound is real). */
static uint64_t t0;
/* How far the maker's clock is off. */
static int64_t maker_skew;

/* ---- the fake host ------------------------------------------------------ */

/* Division d's origin: the maker's incarnation for division 1. */
static uint32_t
origin_of(uint32_t d) {
    return d == 1 ? mn_node_origin(maker) : d;
}

static void
host_state(void *ctx, mn_vv *vv, mn_heads *heads) {
    struct side *s = ctx;
    memset(vv, 0, sizeof *vv);
    memset(heads, 0, sizeof *heads);
    for (uint32_t d = 1; d <= ORIGINS; d++) {
        if (!s->log[d].n)
            continue;
        mn_vv_set(vv, origin_of(d), s->log[d].n);
        assert_int_equal(mn_heads_set(heads, origin_of(d), s->log[d].head),
                         MN_OK);
    }
}

static int
host_read_log(void *ctx, const mn_repl_read *req, mn_repl_range *out) {
    struct side *s = ctx;
    const struct fake_log *l = &s->log[mn_origin_division(req->origin)];
    size_t bytes = 0, off = 0;
    for (uint64_t seq = req->from;
         seq <= req->upto && seq <= l->n && out->n < req->max_changes; seq++) {
        const mn_buf *c = &l->change[seq - 1];
        mn_buf_append(&out->data, c->p, c->len);
        out->changes[out->n++].n = c->len;
        bytes += c->len;
        if (l->has_sig[seq - 1]) {
            out->nsigned = out->n;
            out->sig = l->sig[seq - 1];
            if (out->n >= req->soft_changes || bytes >= req->soft_bytes)
                break;
        }
    }
    for (size_t i = 0; i < out->n; i++) {
        out->changes[i].p = out->data.p + off;
        off += out->changes[i].n;
    }
    return MN_OK;
}

static int
host_apply(void *ctx, uint64_t token, mn_remote_change *cs, size_t n,
           const mn_chain_sig *sigs, size_t nsigs) {
    struct side *s = ctx;
    assert_false(s->held); /* one apply in flight at most */
    s->held = true;
    s->token = token;
    s->cs = cs;
    s->ncs = n;
    s->sigs = sigs;
    s->nsigs = nsigs;
    return MN_OK;
}

static void
host_send(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
          size_t n) {
    struct side *s = ctx;
    s->nsent++;
    s->bytes_sent += n;
    if (s->discard)
        return;
    assert_true(s->nout < MAX_SENT);
    struct sent *m = &s->out[s->nout++];
    m->to = peer;
    m->ch = ch;
    mn_buf_init(&m->bytes);
    mn_buf_append(&m->bytes, p, n);
}

/* Side a stands for the maker's division: its HLC is the maker's own. */
static void
host_clocks(void *ctx, mn_repl_clocks *out) {
    struct side *s = ctx;
    mn_replicator_clocks(maker, out);
    out->wall_ms = s->now;
    if (s->id != 1)
        out->hlc = s->hlc;
}

static uint64_t
maker_clock(void *ctx) {
    (void)ctx;
    return mn_wall_ms() + (uint64_t)maker_skew;
}

/* Append raw as origin's next change when it is (as the node would). */
static int
log_append(struct fake_log *l, const mn_change_header *h, const mn_bytes *raw,
           const uint8_t hash[MN_HASH_BYTES]) {
    if (h->seq <= l->n)
        return MN_EEXIST;
    if (h->seq != l->n + 1 || memcmp(h->prev_hash, l->head, MN_HASH_BYTES))
        return MN_EGAP;
    assert_true(l->n < MAX_LOG);
    mn_buf_init(&l->change[l->n]);
    mn_buf_append(&l->change[l->n++], raw->p, raw->n);
    memcpy(l->head, hash, MN_HASH_BYTES);
    return MN_OK;
}

/* End the apply in flight with rc, doing it first when rc is MN_OK. */
static void
complete(struct side *s, int rc) {
    assert_true(s->held);
    s->held = false;
    for (size_t i = 0; rc == MN_OK && i < s->ncs; i++) {
        mn_remote_change *c = &s->cs[i];
        c->result = log_append(&s->log[mn_origin_division(c->h.origin)], &c->h,
                               &c->raw, c->hash);
        if (c->result == MN_OK && c->h.hlc > s->hlc)
            s->hlc = c->h.hlc;
    }
    for (size_t k = 0; rc == MN_OK && k < s->nsigs; k++) {
        struct fake_log *l = &s->log[mn_origin_division(s->sigs[k].origin)];
        if (s->sigs[k].seq <= l->n) {
            l->has_sig[s->sigs[k].seq - 1] = true;
            l->sig[s->sigs[k].seq - 1] = s->sigs[k];
        }
    }
    mn_repl_on_applied(s->eng, s->token, rc, s->now);
}

/* ---- the network -------------------------------------------------------- */

static void
drop_sent(struct side *s) {
    for (size_t i = 0; i < s->nout; i++)
        mn_buf_release(&s->out[i].bytes);
    s->nout = 0;
}

/* Deliver everything `from` sent to `to`, as the network would. */
static void
deliver(struct side *from, struct side *to) {
    size_t n = from->nout;
    struct sent copy[MAX_SENT];
    memcpy(copy, from->out, n * sizeof copy[0]);
    from->nout = 0;
    for (size_t i = 0; i < n; i++) {
        enum mn_channel at =
            copy[i].ch == MN_CH_CLIENT ? MN_CH_SERVER : MN_CH_CLIENT;
        mn_repl_on_message(to->eng, from->id, at, copy[i].bytes.p,
                           copy[i].bytes.len, to->now);
        mn_buf_release(&copy[i].bytes);
    }
}

static void
decode_sent(const struct sent *m, mn_peer_msg *pm) {
    assert_int_equal(mn_codec_peer_decode(m->bytes.p, m->bytes.len, pm), MN_OK);
}

static enum mn_msg_kind
kind_of(const struct sent *m) {
    mn_peer_msg pm;
    decode_sent(m, &pm);
    enum mn_msg_kind k = pm.kind;
    mn_codec_peer_release(&pm);
    return k;
}

/* The credit an Ack gives back, and the seq of origin 1 it says we have. */
static void
ack_of(const struct sent *m, uint32_t *credit, uint64_t *seq) {
    mn_peer_msg pm;
    decode_sent(m, &pm);
    assert_int_equal(pm.kind, MN_MSG_ACK);
    *credit = pm.credit;
    *seq = mn_vv_get(&pm.vv, origin_of(1));
    mn_codec_peer_release(&pm);
}

/* ---- the sides ---------------------------------------------------------- */

/* Make a change on the maker and copy what a lacks of its log into a's
 * memory, with every signature. */
static void
write_change(const char *name) {
    mn_write w = {.type = MN_ENTITY_PARTICIPANT, .create = true};
    mn_repl_range *range = calloc(1, sizeof *range);
    mn_vv vv;
    mn_ops_init(&w.ops);
    mn_ops_add_str(&w.ops, MN_P_ROLE, "mentee", 6);
    mn_ops_add_str(&w.ops, MN_P_STATUS, "applicant", 9);
    mn_ops_add_str(&w.ops, MN_P_GIVEN_NAME, name, strlen(name));
    mn_ops_add_int(&w.ops, MN_P_HOME, 1);
    assert_int_equal(mn_node_write(maker, &w, 1), MN_OK);
    assert_int_equal(w.result, MN_OK);
    mn_ops_release(&w.ops);
    mn_node_state(maker, &vv, NULL);
    mn_repl_read req = {origin_of(1),
                        a.log[1].n + 1,
                        mn_vv_get(&vv, origin_of(1)),
                        MN_BATCH_MAX_CHANGES,
                        MN_BATCH_MAX_CHANGES,
                        SIZE_MAX};
    mn_buf_init(&range->data);
    assert_int_equal(mn_replicator_read_log(maker, &req, range), MN_OK);
    assert_int_equal(range->nsigned, range->n); /* a commit signs its head */
    for (size_t i = 0; i < range->n; i++) {
        struct fake_log *l = &a.log[1];
        mn_buf_init(&l->change[l->n]);
        mn_buf_append(&l->change[l->n++], range->changes[i].p,
                      range->changes[i].n);
        mn_crypto_hash2(range->changes[i].p, range->changes[i].n, NULL, 0,
                        l->head);
    }
    a.log[1].has_sig[a.log[1].n - 1] = true;
    a.log[1].sig[a.log[1].n - 1] = range->sig;
    mn_buf_release(&range->data);
    free(range);
}

static void
make_side(struct side *s, uint32_t id) {
    mn_repl_host host = {s,          host_read_log, host_state,
                         host_apply, host_send,     host_clocks};
    mn_repl_params params = {.self = id,
                             .origin = origin_of(id),
                             .npeers = 1,
                             .peers = {id == 1 ? 2 : 1},
                             .max_drift_ms = DRIFT_MS,
                             .keys = keys};
    memcpy(params.network_key, network_key, MN_KEY_BYTES);
    memset(s, 0, sizeof *s);
    s->id = id;
    s->now = t0;
    s->eng = mn_repl_new(&params, &host, t0);
    assert_int_equal(s->nout, 0); /* no link is up: nothing to say yet */
}

static void
make_maker(void) {
    char err[256];
    memset(&maker_cfg, 0, sizeof maker_cfg);
    for (uint32_t k = 0; k < ORIGINS; k++) {
        maker_cfg.divisions[k].id = k + 1;
        snprintf(maker_cfg.divisions[k].name, MN_NAME_MAX, "d%u", k + 1);
    }
    maker_cfg.ndivisions = ORIGINS;
    maker_cfg.self = maker_cfg.divisions[0];
    snprintf(maker_cfg.data_dir, sizeof maker_cfg.data_dir, "%s/d1", root);
    snprintf(maker_cfg.key_dir, sizeof maker_cfg.key_dir, "%s", root);
    maker_cfg.map_size = 16 << 20;
    maker_cfg.sync = false;
    maker_cfg.max_drift_ms = 300000;
    if (mn_node_open(&maker_cfg, &maker, err, sizeof err) != MN_OK)
        fail_msg("open: %s", err);
    mn_node_set_clock(maker, maker_clock, NULL);
}

static int
setup(void **state) {
    char path[PATH_MAX + 64];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES];
    (void)state;
    t0 = mn_wall_ms();
    assert_int_equal(mn_crypto_init(), MN_OK);
    assert_non_null(mkdtemp(root));
    mn_crypto_random(network_key, sizeof network_key);
    snprintf(path, sizeof path, "%s/network.key", root);
    assert_int_equal(
        mn_crypto_key_write(path, network_key, sizeof network_key, 0600),
        MN_OK);
    for (uint32_t id = 1; id <= ORIGINS; id++) {
        mn_crypto_sign_keypair(pk, sk);
        snprintf(path, sizeof path, "%s/d%u.sign.secret", root, id);
        assert_int_equal(mn_crypto_key_write(path, sk, sizeof sk, 0600), MN_OK);
        char name[16];
        snprintf(name, sizeof name, "d%u", id);
        unit_seal_keys(root, name);
        keys.has_key[id] = true;
        memcpy(keys.key[id], pk, MN_KEY_BYTES);
        if (id == 2)
            memcpy(sign_sk2, sk, sizeof sk);
    }
    make_maker();
    make_side(&a, 1);
    make_side(&b, 2);
    return 0;
}

static void
release_side(struct side *s) {
    drop_sent(s);
    mn_repl_destroy(&s->eng);
    for (uint32_t o = 1; o <= ORIGINS; o++)
        for (size_t i = 0; i < s->log[o].n; i++)
            mn_buf_release(&s->log[o].change[i]);
}

static int
teardown(void **state) {
    char cmd[PATH_MAX + 16];
    (void)state;
    release_side(&a);
    release_side(&b);
    mn_node_destroy(&maker);
    snprintf(cmd, sizeof cmd, "rm -rf %s", root);
    return system(cmd) == 0 ? 0 : -1;
}

static mn_repl_stats *
stats_of(struct side *s) {
    static mn_repl_stats st;
    mn_repl_stats_get(s->eng, &st);
    return &st;
}

static uint64_t
rejected(struct side *s, enum mn_reject why) {
    return stats_of(s)->peers[0].rejected[why];
}

/* ---- the tests ---------------------------------------------------------- */

/* Link up: the client says HELLO; the server answers with a Batch of what
 * the client lacks; the client hands it to its host and acks once the
 * apply ended. */
static void
test_hello_batch_ack(void **state) {
    (void)state;
    write_change("Amina");
    write_change("Sara");
    mn_repl_on_link(b.eng, 1, true, t0);
    assert_int_equal(b.nout, 1);
    assert_int_equal(b.out[0].ch, MN_CH_CLIENT);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_HELLO);
    deliver(&b, &a); /* a serves b */
    assert_int_equal(a.nout, 1);
    assert_int_equal(a.out[0].ch, MN_CH_SERVER);
    assert_int_equal(kind_of(&a.out[0]), MN_MSG_BATCH);
    deliver(&a, &b);
    assert_true(b.held);
    assert_int_equal(b.ncs, 2);
    assert_int_equal(b.log[1].n, 0); /* nothing applied yet */
    assert_int_equal(b.nout, 0);     /* so nothing acked yet */
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 2);
    assert_int_equal(stats_of(&b)->peers[0].applied, 2);
    assert_int_equal(mn_vv_get(&stats_of(&b)->vv, origin_of(1)), 2);
    assert_int_equal(b.nout, 1);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_ACK);
    deliver(&b, &a); /* nothing more to send */
    assert_int_equal(a.nout, 0);
    assert_false(b.held);
}

/* A commit on the server is pushed to the client at once. */
static void
test_live_push(void **state) {
    (void)state;
    write_change("Hodan");
    mn_repl_on_commit(a.eng, t0);
    assert_int_equal(a.nout, 1);
    assert_int_equal(kind_of(&a.out[0]), MN_MSG_BATCH);
    deliver(&a, &b);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 3);
    deliver(&b, &a);
}

/* A second batch arriving while the first is applied is verified and
 * queued, not handed over; when the first ends the second goes at once,
 * and one Ack gives back the credit of both. */
static void
test_pipelined_batches(void **state) {
    uint32_t credit;
    uint64_t seq;
    (void)state;
    write_change("Leyla");
    mn_repl_on_commit(a.eng, t0);
    write_change("Mette");
    mn_repl_on_commit(a.eng, t0);
    assert_int_equal(a.nout, 2);
    deliver(&a, &b);
    assert_true(b.held);
    assert_int_equal(b.ncs, 1); /* the first batch only */
    assert_int_equal(stats_of(&b)->pending, 2);
    assert_int_equal(b.nout, 0);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 4);
    assert_true(b.held); /* the second, handed over at once */
    assert_int_equal(b.ncs, 1);
    assert_int_equal(b.cs[0].h.seq, 5);
    assert_int_equal(b.nout, 1);
    ack_of(&b.out[0], &credit, &seq);
    assert_int_equal(credit, 2);
    assert_int_equal(seq, 4);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 5);
    assert_int_equal(b.nout, 2); /* the new vector, no credit owed */
    ack_of(&b.out[1], &credit, &seq);
    assert_int_equal(credit, 0);
    assert_int_equal(seq, 5);
    deliver(&b, &a);
    assert_int_equal(a.nout, 0);
}

/* While the client's own apply is slow, the server is silent because it
 * waits for the client's credit: that silence is no reason to say HELLO
 * again. */
static void
test_slow_apply_no_retry(void **state) {
    uint32_t credit;
    uint64_t seq;
    (void)state;
    write_change("Ayan");
    mn_repl_on_commit(a.eng, a.now);
    deliver(&a, &b);
    assert_true(b.held);
    mn_repl_on_tick(b.eng, advance_both(20000));
    assert_int_equal(b.nout, 0);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 6);
    assert_int_equal(b.nout, 1);
    ack_of(&b.out[0], &credit, &seq);
    assert_int_equal(credit, 1);
    assert_int_equal(seq, 6);
    deliver(&b, &a);
}

/* A Batch lost on the way leaves a gap: the next is refused as a gap and
 * the client says HELLO again, which resends from where it is. */
static void
test_gap_asks_again(void **state) {
    (void)state;
    uint64_t gaps = rejected(&b, MN_REJ_GAP);
    advance_both(5000); /* its last Hello is long past */
    write_change("Karen");
    mn_repl_on_commit(a.eng, a.now);
    drop_sent(&a); /* the network loses it */
    write_change("Nadia");
    mn_repl_on_commit(a.eng, a.now);
    deliver(&a, &b);
    assert_false(b.held);
    assert_int_equal(b.log[1].n, 6);
    assert_int_equal(rejected(&b, MN_REJ_GAP), gaps + 1);
    assert_int_equal(b.nout, 1);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_HELLO);
    deliver(&b, &a);
    deliver(&a, &b);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 8);
    deliver(&b, &a);
}

/* A Batch whose signature was tampered with is refused and counted, and
 * nothing of it is handed to the host. */
static void
test_bad_signature_refused(void **state) {
    (void)state;
    uint64_t before = rejected(&b, MN_REJ_SIGNATURE);
    write_change("Farah");
    mn_repl_on_commit(a.eng, a.now);
    assert_int_equal(a.nout, 1);
    /* The signature is the Batch's last bytes. */
    a.out[0].bytes.p[a.out[0].bytes.len - 1] ^= 1;
    deliver(&a, &b);
    assert_false(b.held);
    assert_int_equal(b.log[1].n, 8);
    assert_int_equal(rejected(&b, MN_REJ_SIGNATURE), before + 1);
    drop_sent(&b);
    /* The client asks again after silence and gets it whole. */
    mn_repl_on_tick(b.eng, advance_both(10000));
    deliver(&b, &a);
    deliver(&a, &b);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 9);
    drop_sent(&b);
}

/* A failed apply leaves its changes queued; the next tick hands them over
 * again. The end of an apply not in flight changes nothing. */
static void
test_failed_apply_retried(void **state) {
    (void)state;
    write_change("Zeynep");
    mn_repl_on_commit(a.eng, a.now);
    deliver(&a, &b);
    uint64_t token = b.token;
    complete(&b, MN_EIO);
    assert_int_equal(b.log[1].n, 9);
    assert_int_equal(stats_of(&b)->pending, 1);
    assert_false(b.held); /* not at once: a full disk would spin */
    mn_repl_on_applied(b.eng, token, MN_OK, b.now); /* stale: ignored */
    assert_false(b.held);
    mn_repl_on_tick(b.eng, advance_both(10000));
    assert_true(b.held);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, 10);
    assert_int_equal(stats_of(&b)->pending, 0);
    drop_sent(&b);
    drop_sent(&a);
}

/* ---- the clocks (finding 3) -------------------------------------------- */

/* How many messages of kind s sent since its list was last emptied. */
static size_t
count_sent(const struct side *s, enum mn_msg_kind kind) {
    size_t n = 0;
    for (size_t i = 0; i < s->nout; i++)
        n += kind_of(&s->out[i]) == kind;
    return n;
}

/* Division 1 commits one change, pushed to b, which applies it. */
static void
push_applied(const char *name) {
    size_t n = b.log[1].n;
    write_change(name);
    mn_repl_on_commit(a.eng, a.now);
    deliver(&a, &b);
    assert_true(b.held); /* verified within the bound, handed over */
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, n + 1);
    deliver(&b, &a);
}

/* b's clock steps back an hour after its HLC took in correct changes. The
 * next change of a peer with a correct clock is an hour ahead of b's wall
 * clock but not of b's HLC: applied, where the raw wall clock quarantined
 * every peer for the whole hour. */
static void
test_clock_stepped_back_hour(void **state) {
    uint64_t drift = rejected(&b, MN_REJ_DRIFT);
    (void)state;
    assert_true(MN_HLC_MS(b.hlc) >= t0); /* took in changes stamped now */
    b.now = t0 - HOUR_MS;
    push_applied("Ilhan");
    push_applied("Asha");
    assert_int_equal(rejected(&b, MN_REJ_DRIFT), drift);
    b.now = t0; /* put right */
}

/* Division 1 runs 4 min fast and b 2 min slow, both within the 5 min
 * bound; b has taken in a correct clock's changes. Division 1's next
 * change is 6 min ahead of b's wall clock: applied, and it moves b's HLC,
 * so the next one, after 3 quiet minutes, is within the bound too. (With
 * the raw wall clock b refused it, and every change that depends on it.)
 * A change past the bound from b's HLC is still quarantined. */
static void
test_clock_fast_slow_pair(void **state) {
    uint64_t drift = rejected(&b, MN_REJ_DRIFT);
    (void)state;
    maker_skew = (int64_t)(4 * MIN_MS);
    b.now = t0 - 2 * MIN_MS;
    push_applied("Bisrat");
    assert_true(MN_HLC_MS(b.hlc) > b.now + DRIFT_MS);
    maker_skew += (int64_t)(3 * MIN_MS);
    b.now += 3 * MIN_MS;
    push_applied("Ebla");
    assert_int_equal(rejected(&b, MN_REJ_DRIFT), drift);
    maker_skew = 0;
    b.now = t0;
}

/* Division 1 ran 2 h fast, then its clock was put right. Its HLC cannot
 * go back (last writer wins needs stamps that only grow), so its next
 * change still carries +2 h. The test checks that a raises the clock
 * alarm with the lead (instead of stamping ahead without a word), that b
 * quarantines those changes (a wrong clock holds back its own changes
 * only) and applies nothing, and that once a's wall clock has caught up
 * the alarm ends and b applies both. */
static void
test_clock_corrected_after_fast(void **state) {
    uint64_t drift = rejected(&b, MN_REJ_DRIFT);
    size_t n = b.log[1].n;
    (void)state;
    /* Ten minutes on: the 7 min the maker ran ahead above are behind us. */
    a.now = b.now = t0 + 10 * MIN_MS;
    mn_repl_on_tick(a.eng, a.now);
    assert_false(stats_of(&a)->clock_alarm);
    maker_skew = (int64_t)(2 * HOUR_MS);
    write_change("Hanna");
    maker_skew = 0;
    write_change("Lula");
    mn_repl_on_tick(a.eng, a.now);
    assert_true(stats_of(&a)->clock_alarm);
    assert_true(stats_of(&a)->hlc_lead_ms >= t0 + 2 * HOUR_MS - a.now);
    mn_repl_on_tick(b.eng, b.now); /* quiet for minutes: b asks again */
    assert_int_equal(count_sent(&b, MN_MSG_HELLO), 1);
    deliver(&b, &a);
    deliver(&a, &b);
    assert_false(b.held);
    assert_int_equal(b.log[1].n, n);
    assert_true(rejected(&b, MN_REJ_DRIFT) > drift);
    assert_false(stats_of(&b)->clock_alarm); /* b's own clock is right */
    drop_sent(&b);
    /* Two hours on, the wall clocks have caught up. */
    a.now = b.now = t0 + 2 * HOUR_MS + MIN_MS;
    mn_repl_on_tick(a.eng, a.now);
    assert_false(stats_of(&a)->clock_alarm);
    mn_repl_on_tick(b.eng, b.now); /* silence: b says HELLO again */
    assert_int_equal(count_sent(&b, MN_MSG_HELLO), 1);
    deliver(&b, &a);
    deliver(&a, &b);
    complete(&b, MN_OK);
    assert_int_equal(b.log[1].n, n + 2);
    deliver(&b, &a);
    drop_sent(&a);
}

/* The host's clock steps back an hour (the daemon fed its engine the wall
 * clock). b's client does not say HELLO on every tick, a keeps serving b,
 * and a retry still comes CLIENT_RETRY_MS after the step, not an hour
 * later. */
static void
test_clock_timers_step_back(void **state) {
    uint64_t step = a.now - HOUR_MS;
    (void)state;
    mn_repl_on_link(b.eng, 1, false, b.now);
    mn_repl_on_link(b.eng, 1, true, b.now);
    deliver(&b, &a);
    drop_sent(&a);
    assert_true(stats_of(&a)->peers[0].serving);
    a.now = b.now = step;
    for (uint64_t t = step; t < step + 4 * TICK_MS_TEST; t += TICK_MS_TEST) {
        mn_repl_on_tick(a.eng, t);
        mn_repl_on_tick(b.eng, t);
    }
    assert_int_equal(count_sent(&b, MN_MSG_HELLO), 0);
    assert_true(stats_of(&a)->peers[0].serving);
    mn_repl_on_tick(b.eng, step + 3000);
    assert_int_equal(count_sent(&b, MN_MSG_HELLO), 1);
    drop_sent(&b);
    drop_sent(&a);
}

/* A peer that says only Hello, 1,000 times over 10 s, asking for all
 * credit each time, gets about one batch per HELLO_MIN_MS (1 s), not one
 * per Hello; every Hello sooner than that is refused as protocol. A peer
 * that then asks for credit by Acks alone gets none it has not earned. */
static void
test_hello_flood_bounded(void **state) {
    mn_buf hello, ack;
    mn_vv none;
    (void)state;
    memset(&none, 0, sizeof none);
    mn_buf_init(&hello);
    mn_buf_init(&ack);
    mn_codec_hello_encode(2, &none, 1000, &hello);
    mn_codec_ack_encode(&none, 1000, &ack);
    uint64_t refused = rejected(&a, MN_REJ_PROTOCOL);
    advance(&a, 10000);
    a.discard = true;
    a.nsent = a.bytes_sent = 0;
    for (int i = 0; i < 1000; i++)
        mn_repl_on_message(a.eng, 2, MN_CH_SERVER, hello.p, hello.len,
                           advance(&a, 10));
    /* b lacks nothing but what a resends from seq 1 each restart: one
     * batch each, at most one restart a second. */
    assert_in_range(a.nsent, 1, 11);
    assert_true(rejected(&a, MN_REJ_PROTOCOL) >= refused + 989);
    size_t batches = a.nsent, bytes = a.bytes_sent;
    for (int i = 0; i < 1000; i++)
        mn_repl_on_message(a.eng, 2, MN_CH_SERVER, ack.p, ack.len,
                           advance(&a, 1));
    assert_int_equal(a.nsent, batches); /* nothing new to send */
    assert_int_equal(a.bytes_sent, bytes);
    a.discard = false;
    mn_buf_release(&hello);
    mn_buf_release(&ack);
}

/* An honest client never trips that limit: a link that drops and comes
 * back at once asks for its Hello on a later tick, two seconds after the
 * last, and the server takes it. */
static void
test_link_flap_spaced(void **state) {
    (void)state;
    uint64_t refused = rejected(&a, MN_REJ_PROTOCOL);
    drop_sent(&a);
    mn_repl_on_link(b.eng, 1, true, advance_both(5000));
    assert_int_equal(b.nout, 1);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_HELLO);
    deliver(&b, &a);
    mn_repl_on_link(b.eng, 1, false, advance_both(100));
    mn_repl_on_link(b.eng, 1, true, advance_both(100));
    assert_int_equal(b.nout, 0);
    mn_repl_on_tick(b.eng, advance_both(500));
    assert_int_equal(b.nout, 0);
    mn_repl_on_tick(b.eng, advance_both(1500));
    assert_int_equal(b.nout, 1);
    assert_int_equal(kind_of(&b.out[0]), MN_MSG_HELLO);
    deliver(&b, &a);
    assert_int_equal(rejected(&a, MN_REJ_PROTOCOL), refused);
    deliver(&a, &b);
    drop_sent(&b);
}

/* An earlier incarnation of division 2 (b writes as a newer one), and
 * one that a second node running as division 2 writes as. */
#define OLD2 mn_origin_make(2, 7)
#define TWIN2 mn_origin_make(2, 9)

/* A Batch of one change of origin o (division 2) at seq 1 stamped at_ms,
 * sealed and signed as its node would, depending on origin 1's seq dep1;
 * family makes forks differ. OUT: batch. */
static void
origin2_batch(uint32_t o, uint64_t at_ms, uint64_t dep1, const char *family,
              mn_buf *batch) {
    mn_sealer sealer = {.key = network_key};
    mn_change_header h = {
        .origin = o, .seq = 1, .hlc = at_ms << 16, .key_id = MN_NETWORK_KEY_ID};
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    mn_chain_sig sig;
    mn_vv_set(&h.deps, origin_of(1), dep1);
    mn_id_new(at_ms, 2, id);
    mn_ops_init(&ops);
    mn_ops_add_str(&ops, MN_P_ROLE, "mentor", 6);
    mn_ops_add_str(&ops, MN_P_FAMILY_NAME, family, strlen(family));
    mn_ops_add_int(&ops, MN_P_HOME, 2);
    mn_envelope_seal(&sealer, &h, MN_ENTITY_PARTICIPANT, id, &ops, NULL);
    mn_envelope_sign_head(sign_sk2, o, 1, sealer.hash, &sig);
    mn_bytes change = {sealer.change.p, sealer.change.len};
    mn_buf_init(batch);
    mn_codec_batch_encode(o, &change, 1, &sig, batch);
    mn_ops_release(&ops);
    mn_sealer_release(&sealer);
}

/* Two forks of origin 2's seq 1, both validly signed, relayed by a while
 * the first waits for a dependency b lacks: the second is equivocation,
 * counted and not queued; the first stays the only one pending; a replay
 * of the first is a plain duplicate. */
static void
test_equivocation_against_pending(void **state) {
    mn_buf fork_a, fork_b;
    (void)state;
    uint64_t before = rejected(&b, MN_REJ_EQUIVOCATION);
    uint64_t dups = stats_of(&b)->peers[0].duplicate;
    /* Made before b started: an old incarnation's, not a twin's. */
    uint64_t at = t0 - MIN_MS;
    origin2_batch(OLD2, at, b.log[1].n + 5, "ForkA", &fork_a);
    origin2_batch(OLD2, at, b.log[1].n + 5, "ForkB", &fork_b);
    mn_repl_on_message(b.eng, 1, MN_CH_CLIENT, fork_a.p, fork_a.len, b.now);
    assert_false(b.held); /* waits for origin 1's changes */
    assert_int_equal(stats_of(&b)->pending, 1);
    assert_int_equal(rejected(&b, MN_REJ_EQUIVOCATION), before);
    mn_repl_on_message(b.eng, 1, MN_CH_CLIENT, fork_b.p, fork_b.len, b.now);
    assert_int_equal(rejected(&b, MN_REJ_EQUIVOCATION), before + 1);
    assert_int_equal(stats_of(&b)->pending, 1);
    assert_int_equal(stats_of(&b)->peers[0].duplicate, dups);
    mn_repl_on_message(b.eng, 1, MN_CH_CLIENT, fork_a.p, fork_a.len, b.now);
    assert_int_equal(stats_of(&b)->peers[0].duplicate, dups + 1);
    assert_int_equal(rejected(&b, MN_REJ_EQUIVOCATION), before + 1);
    assert_false(b.held);
    assert_int_equal(b.log[2].n, 0);
    assert_int_equal(stats_of(&b)->twin, 0);
    drop_sent(&b);
    mn_buf_release(&fork_a);
    mn_buf_release(&fork_b);
}

/* A change of another incarnation of b's own division, made after b
 * started, means a second node runs as division 2 (a copy of its data dir
 * taken while it ran): b names that origin, and still takes the change. */
static void
test_twin_named(void **state) {
    mn_buf batch;
    (void)state;
    assert_int_equal(stats_of(&b)->twin, 0);
    uint64_t was = b.now;
    /* Past b's start by more than the drift bound an old incarnation's
     * clock may have run ahead. */
    b.now += DRIFT_MS + MIN_MS;
    origin2_batch(TWIN2, b.now, 0, "Twin", &batch);
    mn_repl_on_message(b.eng, 1, MN_CH_CLIENT, batch.p, batch.len, b.now);
    assert_int_equal(stats_of(&b)->twin, TWIN2);
    assert_true(b.held); /* sound: applied like any other change */
    complete(&b, MN_OK);
    assert_int_equal(b.log[2].n, 1);
    b.now = was;
    drop_sent(&b);
    mn_buf_release(&batch);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hello_batch_ack),
        cmocka_unit_test(test_live_push),
        cmocka_unit_test(test_pipelined_batches),
        cmocka_unit_test(test_slow_apply_no_retry),
        cmocka_unit_test(test_gap_asks_again),
        cmocka_unit_test(test_bad_signature_refused),
        cmocka_unit_test(test_failed_apply_retried),
        cmocka_unit_test(test_hello_flood_bounded),
        cmocka_unit_test(test_link_flap_spaced),
        cmocka_unit_test(test_equivocation_against_pending),
        cmocka_unit_test(test_twin_named),
        cmocka_unit_test(test_clock_stepped_back_hour),
        cmocka_unit_test(test_clock_fast_slow_pair),
        cmocka_unit_test(test_clock_corrected_after_fast),
        cmocka_unit_test(test_clock_timers_step_back),
    };
    mn_log_set_level(MN_LOG_ERROR);
    return cmocka_run_group_tests(tests, setup, teardown);
}
