/*
 * hostile — the sixth division, an insider with its real signing key and
 * the network key, at endpoint ROGUE. It answers the honest nodes' HELLOs
 * with its own chain (so that its valid changes replicate like anyone's)
 * and, now and then, attacks one node directly:
 *
 *   forged signature   its next change signed with a key nobody has
 *   tampered           its next change with a flipped ciphertext byte,
 *                      chained and signed as if whole
 *   wrong origin       a change of an honest origin signed with its key
 *   replay             an old batch of its own chain again
 *   unknown fields     (switch unknown-fields) a valid change of its chain
 *                      with a field number the kind does not have (the
 *                      rest of its chain must still arrive)
 *   forged create      (switch forged-create) its chain "creates" an
 *                      honest division's participant, homed with itself,
 *                      claiming no dependencies (so it may come first)
 *   lying vector       (switch lying-vv) a HELLO claiming huge seqs of
 *                      the victim's own log
 *   HELLO flood        (switch hello-flood) 50 HELLOs in a row: the victim
 *                      must not queue more than one HELLO's credit
 *   equivocation       (switch equivocate) two different changes with one
 *                      seq, to two nodes
 *   early patch        (switch early-patch) its patches claim only the
 *                      dependencies some node last told it, so a patch
 *                      of a new participant may arrive before her create
 *
 * Every attack is delivered at once (not through the weather) and must
 * raise the victim's refusal count for the rogue, unless it is valid
 * (its own chain, a replay). Its valid changes are maybe-writes in the
 * model: honest nodes may refuse them (ownership), but never differently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hlc.h"
#include "change/envelope.h"
#include "repl/repl.h"
#include "sim.h"
#include "state/participant.h"

#define CHAIN_MAX 1000 /* fits one batch */
#define FLOOD 50
#define ROGUE_DIV ((uint32_t)DIVISIONS)

struct hostile {
    bool keyed;
    uint8_t sk[MN_SIGN_SECRET_BYTES];
    uint8_t net[MN_KEY_BYTES];
    mn_sealer sealer;
    mn_buf chain[CHAIN_MAX]; /* its change k + 1 */
    uint8_t hash[CHAIN_MAX][MN_HASH_BYTES];
    size_t n;
    uint64_t hlc;
    mn_vv heard[NODES]; /* each node's vector, from its HELLO or Ack */
    bool forging;       /* the change being sealed is a forged create */
    unsigned attacks;   /* attacks delivered */
};

struct hostile *
hostile_new(void) {
    return mn_calloc(1, sizeof(struct hostile));
}

void
hostile_destroy(struct hostile **hp) {
    struct hostile *h = *hp;
    if (!h)
        return;
    for (size_t k = 0; k < h->n; k++)
        mn_buf_release(&h->chain[k]);
    mn_sealer_release(&h->sealer);
    mn_crypto_wipe(h, sizeof *h);
    free(h);
    *hp = NULL;
}

static void
load_keys(struct hostile *h) {
    char path[160];
    if (h->keyed)
        return;
    snprintf(path, sizeof path, "%s/node%u.sign.secret", sim_keys_dir,
             ROGUE_DIV);
    if (mn_crypto_key_read(path, h->sk, sizeof h->sk, 1) != MN_OK)
        abort();
    snprintf(path, sizeof path, "%s/network.key", sim_keys_dir);
    if (mn_crypto_key_read(path, h->net, sizeof h->net, 1) != MN_OK)
        abort();
    h->sealer.key = h->net;
    h->keyed = true;
}

/* ---- building changes ------------------------------------------------- */

/* What a change of the rogue's claims to follow: everything the stores
 * hold (so a patch follows its entity's create), or (switch early-patch) what
 * some node last told it, which a patch of a newer entity outruns. */
static void
deps(struct sim *s, mn_vv *out) {
    memset(out, 0, sizeof *out);
    if (s->rogue->forging)
        return; /* it claims to have seen nothing: may come first */
    if (s->faults & F_EARLY_PATCH) {
        *out = s->rogue->heard[below(NODES)];
        return;
    }
    for (int j = 0; j < NODES; j++) /* what the stores hold now */
        for (uint32_t k = 0; k < s->durable[j].n; k++)
            if (mn_origin_division(s->durable[j].e[k].origin) <= NODES)
                (void)mn_vv_raise(out, s->durable[j].e[k].origin,
                                  s->durable[j].e[k].seq);
}

/* Seal a change of origin at seq after prev, into out (its hash too). */
static void
seal(struct sim *s, uint32_t origin, uint64_t seq, const uint8_t *prev,
     const uint8_t id[MN_ID_BYTES], const mn_ops *ops, mn_buf *out,
     uint8_t hash[MN_HASH_BYTES]) {
    struct hostile *h = s->rogue;
    uint64_t t = MN_HLC_MAKE(s->now, 0);
    h->hlc = t > h->hlc ? t : h->hlc + 1;
    mn_change_header hd = {.origin = origin,
                           .seq = seq,
                           .hlc = h->hlc,
                           .key_id = MN_NETWORK_KEY_ID};
    deps(s, &hd.deps);
    memcpy(hd.prev_hash, prev, MN_HASH_BYTES);
    mn_envelope_seal(&h->sealer, &hd, MN_ENTITY_PARTICIPANT, id, ops, NULL);
    mn_buf_init(out);
    mn_buf_append(out, h->sealer.change.p, h->sealer.change.len);
    memcpy(hash, h->sealer.hash, MN_HASH_BYTES);
}

static const uint8_t *
head(const struct hostile *h) {
    static const uint8_t zero[MN_HASH_BYTES];
    return h->n ? h->hash[h->n - 1] : zero;
}

/* Its personal and special values in the sealed form every node requires
 * (README "Compartments"): "~1", the value's bytes in hex, padded. Nobody
 * opens them; every node stores them as they are. */
static void
sealed_form(mn_ops *ops) {
    for (size_t i = 0; i < ops->n; i++) {
        mn_field_op *op = &ops->op[i];
        const mn_field_def *f = mn_kind_field(&mn_kind_participant, op->no);
        char z[2 + 2 * 16 + MN_SEALED_MIN_CHARS + 4];
        uint8_t raw[16] = {0};
        if (!f || !mn_field_sealed(f) || op->v.kind == MN_V_NONE)
            continue;
        if (op->v.kind == MN_V_STR)
            memcpy(raw, op->v.s, op->v.len < 16 ? op->v.len : 16);
        else
            memcpy(raw, &op->v.i, sizeof op->v.i);
        memcpy(z, "~1", 2);
        mn_hex_encode(raw, sizeof raw, z + 2);
        size_t len = 2 + 2 * sizeof raw;
        while (len < MN_SEALED_MIN_CHARS || (len - 2) % 4 != 0)
            z[len++] = 'A';
        free(op->v.s);
        op->v =
            (mn_value){.kind = MN_V_STR, .s = mn_malloc(len + 1), .len = len};
        memcpy(op->v.s, z, len);
        op->v.s[len] = '\0';
    }
}

/* Ops of a valid change: a create of its own participant, or a patch of
 * anyone's (owner-only fields included: refused by every node). */
static bool
valid_ops(struct sim *s, mn_ops *ops, uint8_t id[MN_ID_BYTES]) {
    int home;
    bool create = chance(50) || !model_pick(s->model, id, &home);
    mn_ops_init(ops);
    if (create) {
        mn_id_new(s->now, ROGUE_DIV, id);
        random_ops(ops, true, (int)ROGUE_DIV, (int)ROGUE_DIV);
    } else {
        random_ops(ops, false, (int)ROGUE_DIV,
                   chance(20) ? (int)ROGUE_DIV : home);
    }
    sealed_form(ops);
    return create;
}

/* Append a change with ops to its own chain; recorded as a maybe-write. */
static void
append(struct sim *s, const uint8_t id[MN_ID_BYTES], const mn_ops *ops) {
    struct hostile *h = s->rogue;
    size_t k = h->n;
    seal(s, ROGUE_DIV, k + 1, head(h), id, ops, &h->chain[k], h->hash[k]);
    h->n++;
    (void)mn_vv_raise(&s->made, ROGUE_DIV, h->n);
    mn_stamp st = {h->hlc, ROGUE_DIV, h->n};
    model_record(s->model, MN_ENTITY_PARTICIPANT, id, ops, &st, true);
}

/* A batch of changes[0..n) of origin, signed with sk at the last one. */
static void
batch(uint32_t origin, const mn_buf *changes, size_t n, uint64_t last_seq,
      const uint8_t last_hash[MN_HASH_BYTES], const uint8_t *sk, mn_buf *out) {
    mn_bytes b[CHAIN_MAX];
    mn_chain_sig sig;
    for (size_t k = 0; k < n; k++)
        b[k] = (mn_bytes){changes[k].p, changes[k].len};
    mn_envelope_sign_head(sk, origin, last_seq, last_hash, &sig);
    mn_buf_init(out);
    mn_codec_batch_encode(origin, b, n, &sig, out);
}

/* Its chain from seq from on (nothing when the node has it all). */
static bool
chain_batch(struct hostile *h, uint64_t from, mn_buf *out) {
    if (from > h->n || from == 0)
        return false;
    batch(ROGUE_DIV, &h->chain[from - 1], h->n - from + 1, h->n,
          h->hash[h->n - 1], h->sk, out);
    return true;
}

/* ---- delivery --------------------------------------------------------- */

static uint64_t
refusals(struct sim *s, int i) {
    mn_repl_stats st;
    uint64_t n = 0;
    mn_repl_stats_get(s->eng[i], &st);
    for (size_t k = 0; k < st.npeers; k++)
        if (st.peers[k].id == ROGUE_DIV)
            for (int r = 0; r < MN_REJ_COUNT; r++)
                n += st.peers[k].rejected[r];
    return n;
}

/* Hand bytes to node i now, as the rogue's (ch: the channel at i). */
static void
deliver(struct sim *s, int i, enum mn_channel ch, const mn_buf *b) {
    mn_repl_on_message(s->eng[i], ROGUE_DIV, ch, b->p, b->len,
                       engine_now(s, i));
}

/* Bring node i up to date with the chain (it may still refuse it, e.g. a
 * clock behind), then deliver an attack that it must refuse. */
static void
attack(struct sim *s, int i, const mn_buf *b, const char *what) {
    mn_buf up;
    if (chain_batch(s->rogue, vv_get(&s->rogue->heard[i], ROGUE_DIV) + 1,
                    &up)) {
        deliver(s, i, MN_CH_CLIENT, &up);
        mn_buf_release(&up);
    }
    uint64_t before = refusals(s, i);
    deliver(s, i, MN_CH_CLIENT, b);
    s->rogue->attacks++;
    trace(s, "rogue: %s to node%d", what, i + 1);
    if (refusals(s, i) == before && !s->failure[0])
        fail(s, "node%d took a %s from the rogue without a refusal", i + 1,
             what);
}

/* A change at its next seq, forged one way or another, to node i. */
static void
forged(struct sim *s, int i) {
    struct hostile *h = s->rogue;
    uint8_t id[MN_ID_BYTES], hash[MN_HASH_BYTES];
    uint8_t pk[MN_KEY_BYTES], other[MN_SIGN_SECRET_BYTES];
    mn_ops ops;
    mn_buf c, b;
    uint64_t how = below(3);
    uint32_t origin = how == 2 ? (uint32_t)i % NODES + 1 : ROGUE_DIV;
    valid_ops(s, &ops, id);
    seal(s, origin, h->n + 1, head(h), id, &ops, &c, hash);
    mn_ops_release(&ops);
    if (how == 1) { /* tampered, then chained and signed as if whole */
        c.p[c.len - 1] ^= 0x01;
        mn_envelope_chain_hash(c.p, c.len, hash);
    }
    mn_crypto_sign_keypair(pk, other);
    batch(origin, &c, 1, h->n + 1, hash, how == 0 ? other : h->sk, &b);
    attack(s, i, &b,
           how == 0   ? "forged signature"
           : how == 1 ? "tampered change"
                      : "change of another origin");
    mn_crypto_wipe(other, sizeof other);
    mn_buf_release(&c);
    mn_buf_release(&b);
}

/* A HELLO of the rogue's to node i (its server side). */
static void
hello(struct sim *s, int i, const mn_vv *vv, uint32_t credit) {
    mn_buf b;
    mn_buf_init(&b);
    mn_codec_hello_encode(ROGUE_DIV, vv, credit, &b);
    deliver(s, i, MN_CH_SERVER, &b);
    mn_buf_release(&b);
}

static size_t
batches_to_rogue(const struct sim *s, int from) {
    size_t n = 0;
    for (size_t k = 0; k < s->nmsgs; k++)
        n += s->msgs[k].from == from && s->msgs[k].to == ROGUE &&
             s->msgs[k].ch == MN_CH_CLIENT;
    return n;
}

/* Many HELLOs: what i queues for the rogue must stay within one HELLO's
 * credit. */
static void
flood(struct sim *s, int i) {
    static const mn_vv zero;
    size_t before = batches_to_rogue(s, i);
    for (int k = 0; k < FLOOD; k++)
        hello(s, i, &zero, 16);
    size_t queued = batches_to_rogue(s, i) - before;
    trace(s, "rogue: %d HELLOs to node%d: %zu batches queued", FLOOD, i + 1,
          queued);
    if (queued > 16 && !s->failure[0])
        fail(s, "node%d queued %zu batches for a flood of %d HELLOs", i + 1,
             queued, FLOOD);
}

/* A HELLO claiming far more of node i's own log than i made. */
static void
lie(struct sim *s, int i) {
    mn_vv vv;
    memset(&vv, 0, sizeof vv);
    uint32_t o = sim_origin(s, i);
    (void)mn_vv_set(&vv, o, vv_get(&s->made, o) + 1000);
    hello(s, i, &vv, 1);
    trace(s, "rogue: claims seq %llu of node%d",
          (unsigned long long)vv_get(&vv, o), i + 1);
}

/* Its next change twice, differently: to node i and to another. */
static void
equivocate(struct sim *s, int i) {
    struct hostile *h = s->rogue;
    uint8_t id[MN_ID_BYTES], hash[MN_HASH_BYTES];
    mn_ops ops;
    mn_buf c, b;
    int j = (i + 1 + (int)below(NODES - 1)) % NODES;
    valid_ops(s, &ops, id);
    seal(s, ROGUE_DIV, h->n + 1, head(h), id, &ops, &c, hash);
    mn_stamp st = {h->hlc, ROGUE_DIV, h->n + 1};
    model_record(s->model, MN_ENTITY_PARTICIPANT, id, &ops, &st, true);
    mn_ops_release(&ops);
    batch(ROGUE_DIV, &c, 1, h->n + 1, hash, h->sk, &b);
    if (s->up[j] && !s->cut[ROGUE][j])
        deliver(s, j, MN_CH_CLIENT, &b);
    mn_buf_release(&c);
    mn_buf_release(&b);
    valid_ops(s, &ops, id);
    append(s, id, &ops);
    mn_ops_release(&ops);
    s->equivocated = true;
    trace(s, "rogue: two forks of seq %zu to node%d and node%d", h->n, j + 1,
          i + 1);
}

/* Valid in every way, but for what it says: its chain grows. */
static void
grow(struct sim *s, uint64_t how) {
    struct hostile *h = s->rogue;
    uint8_t id[MN_ID_BYTES];
    mn_ops ops;
    int home;
    valid_ops(s, &ops, id);
    if (how == 1 && model_pick(s->model, id, &home)) {
        mn_ops_release(&ops); /* a create of someone else's participant */
        random_ops(&ops, true, (int)ROGUE_DIV, (int)ROGUE_DIV);
        sealed_form(&ops);
        h->forging = true;
        trace(s, "rogue: creates node%d's participant", home);
    } else if (how == 2) {
        /* A field a newer version added: kept opaquely by every node. */
        mn_ops_add_int(&ops, 23 + (uint32_t)below(MN_FIELD_NO_MAX - 22), 7);
        trace(s, "rogue: writes an unknown field");
    }
    append(s, id, &ops);
    h->forging = false;
    mn_ops_release(&ops);
}

void
hostile_act(struct sim *s) {
    struct hostile *h = s->rogue;
    int i = (int)below(NODES);
    load_keys(h);
    if (h->n + 2 >= CHAIN_MAX || !s->up[i] || s->cut[ROGUE][i])
        return;
    uint64_t r = below(100);
    if (r < 25)
        grow(s, 0);
    else if (r < 36 && (s->faults & F_FORGED_CREATE))
        grow(s, 1);
    else if (r < 40 && (s->faults & F_UNKNOWN_FIELDS))
        grow(s, 2);
    else if (r < 46 && (s->faults & F_HELLO_FLOOD))
        flood(s, i);
    else if (r < 52 && (s->faults & F_LYING_VV))
        lie(s, i);
    else if (r < 58 && (s->faults & F_EQUIVOCATE))
        equivocate(s, i);
    else if (r < 64 && h->n > 0) {
        mn_buf b; /* a replay: valid, duplicates at most */
        if (chain_batch(h, 1 + below(h->n), &b)) {
            deliver(s, i, MN_CH_CLIENT, &b);
            mn_buf_release(&b);
        }
    } else {
        forged(s, i);
    }
}

/* ---- what the honest nodes send it ------------------------------------ */

/* A node pulls from the rogue (HELLO, Ack): its chain from where the node
 * is, and a HELLO back so the node knows the rogue's vector. */
void
hostile_receive(struct sim *s, const struct msg *m) {
    struct hostile *h = s->rogue;
    mn_peer_msg pm;
    mn_buf b;
    load_keys(h);
    if (m->ch != MN_CH_SERVER || m->from >= NODES ||
        mn_codec_peer_decode(m->p, m->n, &pm) != MN_OK)
        return;
    h->heard[m->from] = pm.vv;
    if (chain_batch(h, vv_get(&pm.vv, ROGUE_DIV) + 1, &b)) {
        enqueue(s, ROGUE, m->from, MN_CH_CLIENT, b.p, b.len);
        mn_buf_release(&b);
    }
    if (pm.kind == MN_MSG_HELLO) {
        mn_vv vv; /* nothing of theirs; or, lying, far more */
        memset(&vv, 0, sizeof vv);
        if (s->faults & F_LYING_VV)
            (void)mn_vv_set(&vv, sim_origin(s, m->from),
                            vv_get(&s->made, sim_origin(s, m->from)) + 1000);
        mn_buf_init(&b);
        mn_codec_hello_encode(ROGUE_DIV, &vv, 1, &b);
        enqueue(s, ROGUE, m->from, MN_CH_SERVER, b.p, b.len);
        mn_buf_release(&b);
    }
    mn_codec_peer_release(&pm);
}

/* After healing: the rogue's chain reached every node whole (a change
 * that cannot be merged, such as one with an unknown field, must be
 * skipped alike everywhere, not stop the chain behind it). */
bool
hostile_check(struct sim *s) {
    struct hostile *h = s->rogue;
    mn_vv vv;
    /* Its changes claim every change a store held, even ones only their
     * origin had: once such a store is lost, they wait forever. */
    for (int i = 0; i < NODES && !s->store_lost; i++) {
        mn_node_state(s->node[i], &vv, NULL);
        if (vv_get(&vv, ROGUE_DIV) != h->n)
            return fail(s, "node%d holds %llu of the rogue's %zu changes",
                        i + 1, (unsigned long long)vv_get(&vv, ROGUE_DIV),
                        h->n);
    }
    return true;
}
