/*
 * fuzz_peer — a peer's message through the whole receive path of the
 * replication engine: mn_repl_on_message decodes it, checks the origin, the
 * chain links and the origin's signature, decrypts every body, bounds the
 * clock, queues by causal dependency and applies to a real node (LMDB store
 * in a temporary directory, sync off; the harness is the engine's host and
 * does each apply it is handed before the next input); Hellos and Acks open and
 * drive a server session that streams batches back out of the store.
 *
 * Input: byte 0 holds flags (peer_world.h): PW_FLAG_SERVER delivers the rest
 * on MN_CH_SERVER (where Hello and Ack belong) instead of MN_CH_CLIENT
 * (Batches); PW_FLAG_HELLO first opens a server session with a canned Hello,
 * so an Ack meets an active session; PW_FLAG_PENDING first queues a canned
 * batch of origin 2 that waits for origin 3's seq 5; PW_FLAG_TICK lets time
 * pass afterwards (retries, the writable rule). The rest of the input is
 * the message, as if from division 2; or, with PW_FLAG_SEAL, change bodies
 * that the harness encrypts, chains and signs as division 2 (a legitimate
 * but buggy or compromised division), so that arbitrary bodies get past
 * the signature to decoding, the ownership rule and apply. Seeds:
 * gen_corpus writes valid messages against the same deterministic world
 * (peer_world.c).
 *
 * Every input starts from the same state: there is one engine per preload,
 * made anew after every input that may have changed it (anything but a
 * refused message), and when an input changed the node (its vector moved)
 * the store is put back from a snapshot of the baseline taken at start.
 *
 * Oracles besides the sanitizers: every message the engine sends decodes,
 * and every Batch it sends is a chain of one origin's consecutive changes
 * whose last one carries that origin's valid signature; and the ownership
 * rule holds: nothing division 2 sends changes an owner-only field of the
 * participants that division 1 owns (A and C), nor makes a participant's
 * key hold an entity of another type.
 */
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz.h"
#include "base/log.h"
#include "node/node.h"
#include "peer_world.h"
#include "state/participant.h"
#include "repl/repl.h"
#include "repl/replicator.h"
#include "state/state.h"

static char root[256];
static mn_config cfg;
static mn_node *node;
static mn_repl_keys keys;
static mn_vv base_vv;
static uint8_t *snapshot; /* data.mdb of the baseline */
static size_t snapshot_len;
static mn_buf canned_hello, canned_pending;
static mn_buf sealed;  /* PW_FLAG_SEAL: the batch made from the input */
static pw_world world; /* as after the baseline */
static mn_entity base_a, base_c; /* division 1's participants, at baseline */
/* Engines by preload, reused while inputs leave them unchanged. */
static struct cached {
    mn_repl *r;
    uint64_t pending; /* after its preload */
} engines[4];
_Static_assert(PW_FLAG_HELLO == 2 && PW_FLAG_PENDING == 4, "engine index");

static void drop_engines(void);

static void
die(const char *what) {
    fprintf(stderr, "fuzz_peer: %s\n", what);
    abort();
}

static uint64_t
fixed_clock(void *ctx) {
    (void)ctx;
    return PW_NOW_MS;
}

/* ---- the oracle on what the engine sends ------------------------------ */

static void
check_batch(const mn_peer_msg *m) {
    mn_change_header h, prev = {0};
    uint8_t hash[MN_HASH_BYTES], msg[12 + MN_HASH_BYTES];
    for (size_t i = 0; i < m->nchanges; i++) {
        mn_change_view v;
        FUZZ_CHECK(mn_codec_change_decode(m->changes[i].p, m->changes[i].n,
                                          &v) == MN_OK,
                   "sent change %zu does not decode", i);
        FUZZ_CHECK(mn_codec_header_decode(v.header, v.header_len, &h) == MN_OK,
                   "sent header %zu does not decode", i);
        mn_codec_change_release(&v);
        FUZZ_CHECK(h.origin == m->origin, "sent change of another origin");
        FUZZ_CHECK(i == 0 || (h.seq == prev.seq + 1 &&
                              memcmp(h.prev_hash, hash, MN_HASH_BYTES) == 0),
                   "sent changes do not chain at %zu", i);
        mn_crypto_hash2(m->changes[i].p, m->changes[i].n, NULL, 0, hash);
        prev = h;
    }
    FUZZ_CHECK(m->sig.origin == m->origin && m->sig.seq == prev.seq &&
                   memcmp(m->sig.head, hash, MN_HASH_BYTES) == 0,
               "sent signature does not cover the last change");
    mn_put_be32(msg, m->sig.origin);
    mn_put_be64(msg + 4, m->sig.seq);
    memcpy(msg + 12, m->sig.head, MN_HASH_BYTES);
    FUZZ_CHECK(keys.has_key[m->origin] &&
                   mn_crypto_verify(keys.key[m->origin], msg, sizeof msg,
                                    m->sig.sig) == MN_OK,
               "sent signature does not verify");
}

static void
io_send(void *ctx, uint32_t peer, enum mn_channel ch, const uint8_t *p,
        size_t n) {
    mn_peer_msg m;
    (void)ctx;
    FUZZ_CHECK(peer == PW_PEER, "sent to division %u", peer);
    FUZZ_CHECK(mn_codec_peer_decode(p, n, &m) == MN_OK,
               "the engine sent %zu bytes that do not decode", n);
    FUZZ_CHECK((m.kind == MN_MSG_BATCH) == (ch == MN_CH_SERVER),
               "message kind %d sent on channel %d", (int)m.kind, (int)ch);
    if (m.kind == MN_MSG_BATCH)
        check_batch(&m);
    mn_codec_peer_release(&m);
}

/* ---- the engine's host: the node, applying at once --------------------- */

/* The apply an engine asked for, done by finish_apply. */
static struct {
    bool queued;
    uint64_t token;
    mn_remote_change *cs;
    size_t n;
    const mn_chain_sig *sigs;
    size_t nsigs;
} held;

static int
host_read_log(void *ctx, const mn_repl_read *req, mn_repl_range *out) {
    (void)ctx;
    return mn_replicator_read_log(node, req, out);
}

static void
host_state(void *ctx, mn_vv *vv, mn_heads *heads) {
    (void)ctx;
    mn_node_state(node, vv, heads);
}

static int
host_apply(void *ctx, uint64_t token, mn_remote_change *cs, size_t n,
           const mn_chain_sig *sigs, size_t nsigs) {
    (void)ctx;
    FUZZ_CHECK(!held.queued, "a second apply while one is in flight");
    held.queued = true;
    held.token = token;
    held.cs = cs;
    held.n = n;
    held.sigs = sigs;
    held.nsigs = nsigs;
    return MN_OK;
}

/* Do the apply r asked for, and any it asks for next. */
static void
finish_apply(mn_repl *r) {
    while (held.queued) {
        held.queued = false;
        int rc = mn_node_apply(node, held.cs, held.n, held.sigs, held.nsigs);
        mn_repl_on_applied(r, held.token, rc, PW_NOW_MS);
    }
}

/* Deliver a message to r from the peer, as the daemon would. */
static void
deliver(mn_repl *r, enum mn_channel ch, const uint8_t *p, size_t n) {
    mn_repl_on_message(r, PW_PEER, ch, p, n, PW_NOW_MS);
    finish_apply(r);
}

/* ---- the world on disk ------------------------------------------------ */

static void
path_in(char *out, size_t cap, const char *a, const char *b) {
    if ((size_t)snprintf(out, cap, "%s/%s%s%s", root, a, b[0] ? "/" : "", b) >=
        cap)
        die("path too long");
}

/* node<id>'s seal key pair (README "Compartments"); every node's public
 * half must be present, node1's secret half is the one the node opens. */
static void
write_seal_keys(uint32_t id) {
    char path[512], name[32];
    uint8_t pk[MN_KEY_BYTES], sk[MN_KEY_BYTES];
    mn_crypto_curve_keypair(pk, sk);
    snprintf(name, sizeof name, "node%u.seal.secret", id);
    path_in(path, sizeof path, "keys", name);
    if (mn_crypto_key_write(path, sk, sizeof sk, 0600) != MN_OK)
        die("cannot write a seal key");
    snprintf(name, sizeof name, "node%u.seal.pub", id);
    path_in(path, sizeof path, "keys", name);
    if (mn_crypto_key_write(path, pk, sizeof pk, 0644) != MN_OK)
        die("cannot write a seal key");
    mn_crypto_wipe(sk, sizeof sk);
}

static void
write_keys(void) {
    char path[512];
    uint8_t pk[MN_KEY_BYTES], sk[MN_SIGN_SECRET_BYTES], net[MN_KEY_BYTES];
    path_in(path, sizeof path, "keys", "");
    if (mkdir(path, 0700) != 0)
        die("cannot create the key directory");
    for (uint32_t id = 1; id <= PW_NODES; id++) {
        pw_sign_keypair(id, pk, sk);
        keys.has_key[id] = true;
        memcpy(keys.key[id], pk, MN_KEY_BYTES);
    }
    pw_sign_keypair(PW_SELF, pk, sk);
    path_in(path, sizeof path, "keys", "node1.sign.secret");
    if (mn_crypto_key_write(path, sk, sizeof sk, 0600) != MN_OK)
        die("cannot write the signing key");
    for (uint32_t id = 1; id <= PW_NODES; id++)
        write_seal_keys(id);
    pw_network_key(net);
    path_in(path, sizeof path, "keys", "network.key");
    if (mn_crypto_key_write(path, net, sizeof net, 0600) != MN_OK)
        die("cannot write the network key");
    mn_crypto_wipe(sk, sizeof sk);
    mn_crypto_wipe(net, sizeof net);
}

static void
make_config(void) {
    memset(&cfg, 0, sizeof cfg);
    for (uint32_t id = 1; id <= PW_NODES; id++) {
        mn_division *d = &cfg.divisions[id - 1];
        d->id = id;
        snprintf(d->name, sizeof d->name, "node%u", id);
        snprintf(d->display_name, sizeof d->display_name, "Node %u", id);
    }
    cfg.ndivisions = PW_NODES;
    cfg.self = cfg.divisions[PW_SELF - 1];
    path_in(cfg.data_dir, sizeof cfg.data_dir, "data", "");
    path_in(cfg.key_dir, sizeof cfg.key_dir, "keys", "");
    cfg.map_size = 16u << 20;
    cfg.sync = false;
    cfg.max_drift_ms = PW_DRIFT_MS;
}

static void
open_node(void) {
    char err[512];
    if (mn_node_open(&cfg, &node, err, sizeof err) != MN_OK)
        die(err);
    mn_node_set_clock(node, fixed_clock, NULL);
}

static mn_repl *
new_engine(void) {
    mn_repl_host host = {NULL,       host_read_log, host_state,
                         host_apply, io_send,       NULL};
    mn_repl_params params;
    mn_replicator_params(node, &keys, &params);
    mn_repl *r = mn_repl_new(&params, &host, PW_NOW_MS);
    mn_crypto_wipe(&params, sizeof params);
    return r;
}

static int
remove_one(const char *path, const struct stat *st, int flag, struct FTW *f) {
    (void)st, (void)flag, (void)f;
    return remove(path);
}

static void
cleanup(void) {
    drop_engines();
    mn_node_destroy(&node);
    mn_buf_release(&sealed);
    if (root[0])
        nftw(root, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void
save_snapshot(void) {
    char path[512];
    struct stat st;
    path_in(path, sizeof path, "data", "data.mdb");
    FILE *f = fopen(path, "rb");
    if (!f || fstat(fileno(f), &st) != 0)
        die("cannot read the baseline store");
    snapshot_len = (size_t)st.st_size;
    snapshot = mn_malloc(snapshot_len);
    if (fread(snapshot, 1, snapshot_len, f) != snapshot_len)
        die("cannot read the baseline store");
    fclose(f);
}

/* Put the store back to the baseline. */
static void
restore_snapshot(void) {
    char path[512];
    mn_node_destroy(&node);
    path_in(path, sizeof path, "data", "data.mdb");
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(snapshot, 1, snapshot_len, f) != snapshot_len ||
        fclose(f) != 0)
        die("cannot restore the baseline store");
    open_node();
}

static bool
vv_equal(const mn_vv *a, const mn_vv *b) {
    return memcmp(a, b, sizeof *a) == 0;
}

static void
count_one(void *user, const mn_conflict *c) {
    (void)c;
    ++*(size_t *)user;
}

/* Conflicts recorded in the store. */
static size_t
conflicts(void) {
    mn_txn *t;
    size_t n = 0;
    if (mn_store_begin(mn_node_store(node), false, &t) != MN_OK ||
        mn_state_conflicts(t, 100, count_one, &n) != MN_OK)
        die("cannot read the conflicts");
    mn_txn_abort(&t);
    return n;
}

/* Participant id as stored, or false when it is not there. */
static bool
load_participant(const uint8_t id[MN_ID_BYTES], mn_entity *e) {
    mn_txn *t;
    if (mn_store_begin(mn_node_store(node), false, &t) != MN_OK)
        die("cannot read the store");
    int rc = mn_state_get(t, MN_ENTITY_PARTICIPANT, id, e);
    mn_txn_abort(&t);
    FUZZ_CHECK(rc == MN_OK || rc == MN_ENOTFOUND, "reading a participant: %s",
               mn_strerror(rc));
    return rc == MN_OK;
}

static bool
value_equal(const mn_value *a, const mn_value *b) {
    if (a->kind != b->kind)
        return false;
    if (a->kind == MN_V_STR)
        return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
    return a->kind != MN_V_INT || a->i == b->i;
}

/* The ownership rule, after an input applied something. */
static void
check_owners(void) {
    const uint8_t *ids[] = {world.id_a, world.id_b, world.id_c, world.id_d};
    for (size_t i = 0; i < MN_ARRAY_LEN(ids); i++) {
        mn_entity e;
        if (!load_participant(ids[i], &e))
            continue;
        FUZZ_CHECK(e.type == MN_ENTITY_PARTICIPANT,
                   "participant %zu now holds an entity of type %u", i, e.type);
        const mn_entity *was = i == 0 ? &base_a : i == 2 ? &base_c : NULL;
        for (size_t k = 0; was && k < was->n; k++) {
            const mn_field *f = &was->f[k], *now = mn_entity_get(&e, f->no);
            if (mn_kind_owner_only(&mn_kind_participant, f->no))
                FUZZ_CHECK(now && value_equal(&f->v, &now->v),
                           "division 2 changed field %u of a participant "
                           "division 1 owns",
                           f->no);
        }
        mn_entity_release(&e);
    }
}

/* Send origin 3's next change, which the canned pending batch waits for. */
static void
release_pending(pw_world *w, mn_repl *r) {
    pw_batch b;
    pw_spec s;
    mn_buf msg;
    pw_batch_init(&b);
    mn_buf_init(&msg);
    pw_spec_init(&s, PW_HLC(3000), w->id_b);
    s.deps = base_vv;
    mn_ops_add_str(&s.ops, MN_P_STATUS, "matched", 7);
    pw_change(&w->chain[PW_OTHER], &s, &b);
    pw_spec_release(&s);
    pw_batch_encode(&b, &w->chain[PW_OTHER], PW_OTHER, &msg);
    pw_batch_release(&b);
    deliver(r, MN_CH_CLIENT, msg.p, msg.len);
    mn_buf_release(&msg);
}

/* Apply the baseline through the engine itself, check it took, and keep
 * a copy of the store. */
static void
build_baseline(void) {
    pw_world w;
    mn_buf msgs[8];
    bool found;
    mn_vv vv;
    static mn_repl_stats st;
    size_t n = pw_world_baseline(&w, msgs, MN_ARRAY_LEN(msgs));
    open_node();
    mn_repl *r = new_engine();
    for (size_t i = 0; i < n; i++) {
        deliver(r, MN_CH_CLIENT, msgs[i].p, msgs[i].len);
        mn_buf_release(&msgs[i]);
    }
    mn_repl_destroy(&r);
    mn_node_state(node, &vv, NULL);
    if (!vv_equal(&vv, &w.vv))
        die("the baseline did not apply (has the wire format changed? "
            "then regenerate the seeds with gen_corpus)");
    base_vv = vv;
    if (conflicts() != 1)
        die("the baseline should hold one conflict");
    world = w;
    found = load_participant(w.id_a, &base_a);
    if (!found || !load_participant(w.id_c, &base_c))
        die("the baseline lacks participant A or C");
    mn_node_destroy(&node);
    save_snapshot();
    open_node();

    mn_buf_init(&canned_hello);
    mn_buf_init(&canned_pending);
    pw_canned_hello(&canned_hello);
    pw_canned_pending(&w, &canned_pending);
    /* The canned batch must verify and wait: nothing applies until origin
     * 3's seq 5 arrives, and then both origins apply. */
    r = new_engine();
    deliver(r, MN_CH_CLIENT, canned_pending.p, canned_pending.len);
    mn_repl_stats_get(r, &st);
    if (!vv_equal(&st.vv, &base_vv) || st.pending != 2)
        die("the canned pending batch did not stay pending");
    release_pending(&w, r);
    mn_repl_destroy(&r);
    mn_node_state(node, &vv, NULL);
    if (mn_vv_get(&vv, PW_PEER) != 2 ||
        mn_vv_get(&vv, PW_OTHER) != mn_vv_get(&base_vv, PW_OTHER) + 1)
        die("the canned pending batch was not queued");
    restore_snapshot();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv) {
    const char *tmp = getenv("TMPDIR");
    (void)argc, (void)argv;
    if (mn_crypto_init() != MN_OK)
        die("libsodium failed to start");
    if (!getenv("MN_FUZZ_LOG"))
        mn_log_set_level((enum mn_log_level)(MN_LOG_ERROR + 1));
    snprintf(root, sizeof root, "%s/mn-fuzz-peer-XXXXXX",
             tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(root))
        die("cannot create a temporary directory");
    atexit(cleanup);
    write_keys();
    make_config();
    build_baseline();
    return 0;
}

/* Refusals counted so far, over every peer. */
static uint64_t
refusals(const mn_repl_stats *st) {
    uint64_t n = 0;
    for (size_t i = 0; i < st->npeers; i++)
        for (int why = 0; why < MN_REJ_COUNT; why++)
            n += st->peers[i].rejected[why];
    return n;
}

/* The engine for a preload (PW_FLAG_HELLO | PW_FLAG_PENDING), made on first
 * use and fed its canned messages. */
static struct cached *
engine_for(unsigned preload) {
    static mn_repl_stats st;
    struct cached *e = &engines[preload >> 1]; /* HELLO 2, PENDING 4 */
    if (e->r)
        return e;
    e->r = new_engine();
    if (preload & PW_FLAG_HELLO)
        deliver(e->r, MN_CH_SERVER, canned_hello.p, canned_hello.len);
    if (preload & PW_FLAG_PENDING)
        deliver(e->r, MN_CH_CLIENT, canned_pending.p, canned_pending.len);
    mn_repl_stats_get(e->r, &st);
    e->pending = st.pending;
    return e;
}

static void
drop_engines(void) {
    for (size_t i = 0; i < MN_ARRAY_LEN(engines); i++)
        mn_repl_destroy(&engines[i].r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static mn_repl_stats st;
    if (size < 1)
        return 0;
    uint8_t flags = data[0] & PW_FLAG_MASK;
    enum mn_channel ch = flags & PW_FLAG_SERVER ? MN_CH_SERVER : MN_CH_CLIENT;
    struct cached *e = engine_for(flags & (PW_FLAG_HELLO | PW_FLAG_PENDING));
    mn_repl_stats_get(e->r, &st);
    uint64_t refused_before = refusals(&st);
    if (flags & PW_FLAG_SEAL) {
        mn_buf_reset(&sealed);
        if (!pw_seal_batch(data + 1, size - 1, &base_vv, &sealed))
            return 0;
        deliver(e->r, ch, sealed.p, sealed.len);
    } else {
        deliver(e->r, ch, data + 1, size - 1);
    }
    if (flags & PW_FLAG_TICK) {
        mn_repl_on_tick(e->r, PW_NOW_MS + 1000);
        finish_apply(e->r);
    }
    mn_repl_stats_get(e->r, &st);
    /* A refused message leaves the engine as it was; anything else may
     * have moved a session or queued changes: then the next input gets a
     * new engine. (A new one costs ~1 ms under ASan: it allocates its
     * 10 MB ready list; most inputs are refused.) */
    if (!vv_equal(&st.vv, &base_vv)) {
        mn_info("fuzz_peer: applied up to 1:%llu 2:%llu 3:%llu; restoring",
                (unsigned long long)mn_vv_get(&st.vv, 1),
                (unsigned long long)mn_vv_get(&st.vv, 2),
                (unsigned long long)mn_vv_get(&st.vv, 3));
        check_owners();
        drop_engines();
        restore_snapshot();
    } else if ((flags & PW_FLAG_TICK) || st.pending != e->pending ||
               refusals(&st) == refused_before) {
        mn_repl_destroy(&e->r);
    }
    return 0;
}
