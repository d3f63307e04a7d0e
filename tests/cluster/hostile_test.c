/*
 * hostile_test — hostile replication input is refused, counted, and
 * changes nothing.
 *
 * Two nodes: the victim V (copenhagen) and P (aarhus), which has written
 * a chain of NCHAIN changes that V holds. Then:
 *
 * (a) an impostor with an unknown CURVE key connects to V's ROUTER:
 *     refused_handshakes grows, the impostor never gets a link or a byte;
 *     kept up for a few seconds, its hundreds of refused handshakes cost
 *     V's log a bounded number of lines (one, then a count per 10 s).
 *
 * P's real node is stopped and a rogue takes its place: P's replication
 * address, P's own CURVE keys. V's DEALER connects to it and says Hello;
 * the rogue answers with crafted Batches:
 *
 * (b) a new change signed with a wrong key         -> rejected.signature
 * (c) a new change whose ciphertext was flipped, its chain re-signed with
 *     P's real key (only decryption fails)           -> rejected.decrypt
 * (d) a replay of P's whole chain, exactly as V has it -> duplicate += n
 * (e) two different changes, each validly signed, claiming (P, seq) V
 *     already has                                    -> rejected.equivocation
 * (f) a message over MN_MAX_PEER_MSG (sent last): the transport drops the
 *     connection                                     -> rejected.size;
 *     nothing is applied, V stays healthy, reconnects and says Hello again
 * (g) garbage bytes, and a truncated Batch          -> rejected.decode;
 *     then a flood of them: each counted, a bounded number of log lines
 * (h) a Batch of an origin with no key               -> rejected.unknown_origin
 * (i) a change whose prev_hash is not P's chain head, signed with P's key:
 *     P signed another history                         -> rejected.equivocation
 * (j) a change two past P's head                     -> rejected.gap, and
 *     V asks again (a new Hello: the range request)
 *
 * After each: V's digest and version vector are unchanged, nothing was
 * applied, and V answers /v1/health. Then P's insider (the rogue with P's
 * real keys) extends P's chain, validly signed:
 *
 * (k) a create holding every field number the table lacks (kept opaquely),
 *     a patch with a value out of its field's limits (refused, counted as
 *     refused_changes.limits, its seq applied), a patch that rewrites the
 *     unknown fields and the status -> V applies all three seqs; the
 *     participant renders only her known fields
 *
 * At the end P's real node comes back, takes the insider's changes of its
 * origin from V, and both nodes write: each applies the other's new
 * changes, and the two converge (equal digests: the opaque fields
 * included) with no further refusal.
 *
 * Usage: cluster_hostile MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cluster.h"
#include "base/hlc.h"
#include "base/id.h"
#include "rogue.h"
#include "state/participant.h"

#define WATCHDOG_S 110
#define NCHAIN 12
#define WAIT_MS 10000
#define V 0 /* copenhagen, the victim */
#define P 1 /* aarhus, the peer the rogue plays */
/* How long the impostor keeps trying, and the flood of garbage. */
#define IMPOSTOR_MS 3000
#define FLOOD 200
/* Log lines a refusal of one kind may cost over one 10 s interval: the
 * first, and a count of the rest (maybe one more of an earlier interval). */
#define MAX_LINES 3

static cl_cluster cluster;
/* The origin P writes as (read once its node runs). */
static uint32_t p_origin;
static cl_rogue *rogue;
static cl_keys pkeys;
static cl_chain chain;
static char base_digest[65];
static json_t *base_vv;

/* ---- the victim's counters -------------------------------------------- */

static const char *const reasons[] = {
    "size",    "decode", "unknown_origin", "signature", "chain",
    "decrypt", "drift",  "equivocation",   "gap",       "protocol"};
#define NREASONS (sizeof reasons / sizeof reasons[0])

/* What V says about P, in one /v1/replication answer. */
struct snap {
    bool ok;
    long long rejected[NREASONS];
    long long applied, duplicate, refused;
};

static struct snap
snap_take(void) {
    struct snap s = {0};
    json_t *r = cl_replication(&cluster.node[V]);
    const char *peer = cluster.node[P].name;
    s.ok = r != NULL;
    for (size_t i = 0; i < NREASONS; i++)
        s.rejected[i] = cl_peer_counter(r, peer, "rejected", reasons[i]);
    s.applied = cl_peer_counter(r, peer, "applied", NULL);
    s.duplicate = cl_peer_counter(r, peer, "duplicate", NULL);
    json_t *v = json_object_get(r, "refused_handshakes");
    s.refused = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
    json_decref(r);
    return s;
}

static size_t
reason_index(const char *reason) {
    for (size_t i = 0; i < NREASONS; i++)
        if (strcmp(reasons[i], reason) == 0)
            return i;
    abort(); /* a typo in the test */
}

/* Keep the rogue's transport turning (or just wait) for ms. */
static void
idle(unsigned ms) {
    if (rogue)
        cl_rogue_poll(rogue, ms);
    else
        tl_sleep_ms(ms);
}

/* Wait until rejected.reason (NULL: duplicate) reaches want. */
static struct snap
wait_for(const char *reason, long long want) {
    uint64_t deadline = tl_now_ms() + WAIT_MS;
    for (;;) {
        struct snap s = snap_take();
        long long v = reason ? s.rejected[reason_index(reason)] : s.duplicate;
        if (v >= want || tl_now_ms() >= deadline)
            return s;
        idle(50);
    }
}

/* Exactly `reason` grew by `by` (NULL: none), and unless expect_applied,
 * nothing was applied. */
static void
check_refusals(const char *what, const struct snap *before,
               const struct snap *after, const char *reason, long long by,
               bool expect_applied) {
    for (size_t i = 0; i < NREASONS; i++) {
        long long want = before->rejected[i] +
                         (reason && strcmp(reasons[i], reason) == 0 ? by : 0);
        if (after->rejected[i] != want ||
            (reason && !strcmp(reasons[i], reason)))
            CHECK(after->rejected[i] == want,
                  "%s: rejected.%s %lld -> %lld (want %lld)", what, reasons[i],
                  before->rejected[i], after->rejected[i], want);
    }
    if (!expect_applied)
        CHECK(after->applied == before->applied,
              "%s: nothing applied (applied %lld -> %lld)", what,
              before->applied, after->applied);
}

/* The same, for an attack: nothing may be applied. */
static void
check_counted(const char *what, const struct snap *before,
              const struct snap *after, const char *reason, long long by) {
    check_refusals(what, before, after, reason, by, false);
}

static void
check_untouched(const char *what) {
    char d[65];
    json_t *vv = NULL;
    bool got = cl_digest(&cluster.node[V], d, &vv);
    CHECK(got && strcmp(d, base_digest) == 0 && json_equal(vv, base_vv),
          "%s: the victim's digest and version vector are unchanged", what);
    CHECK(cl_health(&cluster.node[V]), "%s: the victim answers /v1/health",
          what);
    json_decref(vv);
}

/* Lines of V's log holding both needles (the second may be NULL). */
static long
log_lines(const char *a, const char *b) {
    FILE *f = fopen(cluster.node[V].log, "r");
    char line[2048];
    long n = 0;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        n += strstr(line, a) && (!b || strstr(line, b));
    fclose(f);
    return n;
}

/* ---- crafting --------------------------------------------------------- */

/* A change of P at seq, chained to prev, as P's node would make it. */
static void
forge(uint64_t seq, const uint8_t *prev, const char *family, bool tamper,
      mn_buf *out) {
    cl_forge f = {.origin = p_origin,
                  .seq = seq,
                  .hlc = MN_HLC_MAKE(mn_wall_ms(), 0),
                  .deps = *cl_rogue_victim_vv(rogue),
                  .network_key = pkeys.network,
                  .family_name = family,
                  .tamper = tamper};
    mn_vv_set(&f.deps, f.origin, seq - 1);
    memcpy(f.prev_hash, prev, MN_HASH_BYTES);
    mn_buf_init(out);
    cl_forge_change(&f, out);
}

static void
send_raw(const void *p, size_t n) {
    CHECK(cl_rogue_send(rogue, p, n) == MN_OK, "the rogue sends %zu bytes", n);
}

/* Send a Batch of n changes of origin, its head (seq) signed with sk. */
static void
send_batch(uint32_t origin, const mn_buf *changes, size_t n, uint64_t last_seq,
           const uint8_t *sk) {
    mn_chain_sig sig;
    uint8_t head[MN_HASH_BYTES];
    mn_buf msg;
    cl_change_hash(&changes[n - 1], head);
    cl_sign_head(sk, origin, last_seq, head, &sig);
    mn_buf_init(&msg);
    cl_batch(origin, changes, n, &sig, &msg);
    send_raw(msg.p, msg.len);
    mn_buf_release(&msg);
}

/* Send one forged change of P and expect rejected.reason to grow by one. */
static void
attack_one(const char *what, const char *reason, uint64_t seq,
           const uint8_t *prev, bool tamper, const uint8_t *sk) {
    mn_buf change;
    tl_section("%s", what);
    struct snap before = snap_take();
    forge(seq, prev, "Forged", tamper, &change);
    send_batch(p_origin, &change, 1, seq, sk);
    struct snap after =
        wait_for(reason, before.rejected[reason_index(reason)] + 1);
    check_counted(what, &before, &after, reason, 1);
    check_untouched(what);
    mn_buf_release(&change);
}

/* ---- setup ------------------------------------------------------------ */

static int
setup(void) {
    char id[33], body[256], dir[PATH_MAX];
    tl_section("two nodes; %s writes a chain of %d changes",
               cluster.node[P].name, NCHAIN);
    for (int k = 0; k < NCHAIN; k++) {
        snprintf(body, sizeof body,
                 "{\"role\":\"mentor\",\"given_name\":"
                 "\"Chain\",\"family_name\":\"P%d\"}",
                 k);
        if (!CHECK(cl_create_participant(&cluster.node[P], body, id) == 201,
                   "create #%d on %s", k, cluster.node[P].name))
            return -1;
    }
    snprintf(body, sizeof body,
             "{\"role\":\"mentee\",\"given_name\":"
             "\"Victim\",\"family_name\":\"V\"}");
    CHECK(cl_create_participant(&cluster.node[V], body, id) == 201,
          "create one on %s", cluster.node[V].name);
    if (!CHECK(cl_wait_converged(&cluster, 20000), "the two converge"))
        return -1;
    /* P's chain, exactly as V holds it, from a hot backup of P. */
    snprintf(dir, sizeof dir, "%s/p-backup", cluster.dir);
    mkdir(dir, 0700);
    char file[PATH_MAX + 16];
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    CHECK(cl_download(&cluster.node[P], "/v1/backup", file) == 200,
          "GET /v1/backup of %s", cluster.node[P].name);
    if (!CHECK(cl_chain_read(dir, p_origin, &chain) == 0 && chain.n == NCHAIN &&
                   chain.has_sig,
               "the backup holds %s's chain of %d changes and its head's "
               "signature (read %zu)",
               cluster.node[P].name, NCHAIN, chain.n))
        return -1;
    if (cl_keys_read(&cluster, P, &pkeys) != 0 ||
        !cl_digest(&cluster.node[V], base_digest, &base_vv))
        return -1;
    tl_note("victim's digest %.16s..., %s's seq there %lld", base_digest,
            cluster.node[P].name, cl_vv_get(base_vv, cluster.node[P].name));
    return 0;
}

/* ---- (a) the impostor ------------------------------------------------- */

static long long refused_base;

static bool
impostor_refused(void *ctx) {
    (void)ctx;
    return snap_take().refused > refused_base;
}

static void
impostor(void) {
    bool up = true;
    unsigned got = 1;
    tl_section("(a) an impostor with an unknown CURVE key");
    struct snap before = snap_take();
    refused_base = before.refused;
    int rc = cl_impostor_run(&cluster, V, CL_SPARE_PORT(&cluster, 1), WAIT_MS,
                             impostor_refused, NULL, &up, &got);
    struct snap after = snap_take();
    CHECK(rc == 0 && after.refused > before.refused,
          "refused_handshakes grows (%lld -> %lld)", before.refused,
          after.refused);
    CHECK(!up && got == 0,
          "the impostor never got a link (%s) nor a "
          "message (%u)",
          up ? "it did" : "none", got);
    check_counted("impostor", &before, &after, NULL, 0);
    check_untouched("impostor");
}

static bool
never(void *ctx) {
    (void)ctx;
    return false;
}

/* The impostor keeps trying for IMPOSTOR_MS; V logs it a bounded number
 * of times however often it is refused. */
static void
impostor_flood(void) {
    bool up = true;
    unsigned got = 1;
    tl_section("(a) the impostor keeps trying for %d ms", IMPOSTOR_MS);
    struct snap before = snap_take();
    long lines0 = log_lines("refused", "handshake");
    cl_impostor_run(&cluster, V, CL_SPARE_PORT(&cluster, 1), IMPOSTOR_MS, never,
                    NULL, &up, &got);
    tl_sleep_ms(300); /* the last refusals reach the log */
    struct snap after = snap_take();
    long lines = log_lines("refused", "handshake") - lines0;
    long long refused = after.refused - before.refused;
    tl_note("%lld refused handshakes, %ld log lines", refused, lines);
    CHECK(refused > 2 * MAX_LINES,
          "the impostor was refused again and again (%lld times)", refused);
    CHECK(lines0 >= 1 && lines >= 0 && lines <= MAX_LINES,
          "the victim logged them in at most %d lines (%ld, %ld before)",
          MAX_LINES, lines, lines0);
    CHECK(!up && got == 0, "the impostor never got a link nor a message");
}

/* ---- (b)..(j) the rogue ----------------------------------------------- */

static int
rogue_up(void) {
    tl_section("the rogue takes %s's place", cluster.node[P].name);
    CHECK(cl_stop(&cluster, P) == 0, "%s's real node stops on SIGTERM",
          cluster.node[P].name);
    if (cl_rogue_new(&cluster, P, V, &rogue) != 0)
        return -1;
    uint64_t t0 = tl_now_ms();
    if (!CHECK(cl_rogue_wait_hello(rogue, 1, 15000),
               "the victim connects to the rogue and says Hello"))
        return -1;
    tl_note("Hello after %llu ms", (unsigned long long)(tl_now_ms() - t0));
    CHECK(mn_vv_get(cl_rogue_victim_vv(rogue), p_origin) == chain.n,
          "its Hello says it has %s's seq %zu", cluster.node[P].name, chain.n);
    return 0;
}

static void
replay(void) {
    tl_section("(d) a replay of %s's whole chain, exactly as logged",
               cluster.node[P].name);
    struct snap before = snap_take();
    unsigned acks = cl_rogue_acks(rogue);
    mn_buf msg;
    mn_buf_init(&msg);
    cl_batch(p_origin, chain.change, chain.n, &chain.sig, &msg);
    send_raw(msg.p, msg.len);
    mn_buf_release(&msg);
    struct snap after = wait_for(NULL, before.duplicate + (long long)chain.n);
    CHECK(after.duplicate == before.duplicate + (long long)chain.n,
          "counted as %zu duplicates (%lld -> %lld)", chain.n, before.duplicate,
          after.duplicate);
    CHECK(cl_rogue_wait_ack(rogue, acks + 1, WAIT_MS),
          "the victim acknowledges it");
    check_counted("replay", &before, &after, NULL, 0);
    check_untouched("replay");
}

static void
equivocation(void) {
    mn_buf a, b;
    uint8_t before_last[MN_HASH_BYTES];
    tl_section("(e) two different changes claiming %s's seq %zu",
               cluster.node[P].name, chain.n);
    cl_change_hash(&chain.change[chain.n - 2], before_last);
    struct snap before = snap_take();
    forge(chain.n, before_last, "EquivocationA", false, &a);
    forge(chain.n, before_last, "EquivocationB", false, &b);
    send_batch(p_origin, &a, 1, chain.n, pkeys.sign_sk);
    send_batch(p_origin, &b, 1, chain.n, pkeys.sign_sk);
    size_t k = reason_index("equivocation");
    struct snap after = wait_for("equivocation", before.rejected[k] + 2);
    check_counted("equivocation", &before, &after, "equivocation", 2);
    check_untouched("equivocation");
    mn_buf_release(&a);
    mn_buf_release(&b);
}

/* Is V's client link to P up (its DEALER connected)? */
static bool
link_up(void) {
    json_t *r = cl_replication(&cluster.node[V]);
    bool up = cl_peer_counter(r, cluster.node[P].name, "connected", NULL) == 1;
    json_decref(r);
    return up;
}

/* V's /metrics value of the series key (name and labels), or -1. */
static long long
metric_value(const char *key) {
    tl_resp r;
    long long v = -1;
    if (cl_http(&cluster.node[V], "GET", "/metrics", NULL, NULL, 0, &r) ==
            200 &&
        r.body) {
        const char *at = strstr(r.body, key);
        if (at)
            v = strtoll(at + strlen(key), NULL, 10);
    }
    tl_resp_release(&r);
    return v;
}

/* V's /metrics value of mentornet_messages_rejected_total for P and
 * reason, or -1. */
static long long
metric_rejected(const char *reason) {
    char key[160];
    snprintf(key, sizeof key,
             "mentornet_messages_rejected_total{peer=\"%s\",reason=\"%s\"} ",
             cluster.node[P].name, reason);
    return metric_value(key);
}

static void
oversized(void) {
    size_t n = (size_t)MN_MAX_PEER_MSG + 1;
    tl_section("(f) a message of %zu bytes (MN_MAX_PEER_MSG + 1)", n);
    struct snap before = snap_take();
    long long metric_before = metric_rejected("size");
    unsigned hellos = cl_rogue_hellos(rogue);
    uint8_t *big = mn_malloc(n);
    memset(big, 0x0a, n);
    send_raw(big, n);
    free(big);
    /* The transport drops the connection; the link should come back. */
    bool again = cl_rogue_wait_hello(rogue, hellos + 1, 5000);
    CHECK(again,
          "the victim reconnects and says Hello "
          "again (Hellos %u -> %u)",
          hellos, cl_rogue_hellos(rogue));
    struct snap after =
        wait_for("size", before.rejected[reason_index("size")] + 1);
    check_counted("oversized", &before, &after, "size", 1);
    long long metric_after = metric_rejected("size");
    CHECK(metric_before >= 0 && metric_after == metric_before + 1,
          "/metrics counts it under reason=\"size\" (%lld -> %lld)",
          metric_before, metric_after);
    check_untouched("oversized");
}

static void
garbage(void) {
    uint8_t junk[256];
    mn_buf change, msg;
    tl_section("(g) garbage bytes, and a truncated Batch");
    struct snap before = snap_take();
    memset(junk, 0xff, sizeof junk);
    send_raw(junk, sizeof junk);
    forge(chain.n + 1, chain.head, "Truncated", false, &change);
    mn_buf_init(&msg);
    cl_batch(p_origin, &change, 1, &chain.sig, &msg);
    send_raw(msg.p, msg.len / 2);
    size_t k = reason_index("decode");
    struct snap after = wait_for("decode", before.rejected[k] + 2);
    check_counted("garbage", &before, &after, "decode", 2);
    check_untouched("garbage");
    mn_buf_release(&change);
    mn_buf_release(&msg);
}

/* FLOOD garbage messages: each counted, V's log holds a few lines. */
static void
garbage_flood(void) {
    uint8_t junk[64];
    char needle[64];
    tl_section("(g) a flood of %d garbage messages", FLOOD);
    snprintf(needle, sizeof needle, "from division %u", cluster.node[P].id);
    struct snap before = snap_take();
    long lines0 = log_lines(needle, "decode");
    memset(junk, 0xfe, sizeof junk);
    /* In runs the rogue's own transport queues (it keeps at most 16
     * messages per peer, as every node does: the rest would be dropped
     * before they reach the victim). */
    for (int i = 0; i < FLOOD; i++) {
        send_raw(junk, sizeof junk);
        if (i % 8 == 7)
            cl_rogue_poll(rogue, 20);
    }
    size_t k = reason_index("decode");
    struct snap after = wait_for("decode", before.rejected[k] + FLOOD);
    check_counted("flood", &before, &after, "decode", FLOOD);
    long lines = log_lines(needle, "decode") - lines0;
    CHECK(lines0 >= 1 && lines >= 0 && lines <= MAX_LINES,
          "the victim logged them in at most %d lines (%ld, %ld before)",
          MAX_LINES, lines, lines0);
    check_untouched("flood");
}

static void
unknown_origin(void) {
    mn_buf change;
    tl_section("(h) a Batch of division 40, which has no key");
    struct snap before = snap_take();
    cl_forge f = {.origin = 40,
                  .seq = 1,
                  .hlc = MN_HLC_MAKE(mn_wall_ms(), 0),
                  .network_key = pkeys.network,
                  .family_name = "Nobody"};
    mn_buf_init(&change);
    cl_forge_change(&f, &change);
    send_batch(40, &change, 1, 1, pkeys.sign_sk);
    size_t k = reason_index("unknown_origin");
    struct snap after = wait_for("unknown_origin", before.rejected[k] + 1);
    check_counted("unknown origin", &before, &after, "unknown_origin", 1);
    check_untouched("unknown origin");
    mn_buf_release(&change);
}

static void
gap(void) {
    mn_buf change;
    uint8_t junk_prev[MN_HASH_BYTES];
    tl_section("(j) a change two past %s's head (a gap)", cluster.node[P].name);
    memset(junk_prev, 0x5a, sizeof junk_prev);
    struct snap before = snap_take();
    unsigned hellos = cl_rogue_hellos(rogue);
    forge(chain.n + 2, junk_prev, "Gap", false, &change);
    send_batch(p_origin, &change, 1, chain.n + 2, pkeys.sign_sk);
    size_t k = reason_index("gap");
    struct snap after = wait_for("gap", before.rejected[k] + 1);
    check_counted("gap", &before, &after, "gap", 1);
    CHECK(cl_rogue_wait_hello(rogue, hellos + 1, WAIT_MS),
          "the victim asks again from its head (a new Hello)");
    CHECK(mn_vv_get(cl_rogue_victim_vv(rogue), p_origin) == chain.n,
          "... which still says seq %zu", chain.n);
    check_untouched("gap");
    mn_buf_release(&change);
}

static void
attacks(void) {
    uint8_t wrong_sk[MN_SIGN_SECRET_BYTES], wrong_pk[MN_KEY_BYTES];
    uint8_t bad_prev[MN_HASH_BYTES];
    mn_crypto_sign_keypair(wrong_pk, wrong_sk);
    attack_one("(b) a new change signed with a wrong key", "signature",
               chain.n + 1, chain.head, false, wrong_sk);
    attack_one("(c) a flipped ciphertext byte, the chain re-signed with the "
               "real key",
               "decrypt", chain.n + 1, chain.head, true, pkeys.sign_sk);
    replay();
    equivocation();
    garbage();
    garbage_flood();
    unknown_origin();
    memcpy(bad_prev, chain.head, sizeof bad_prev);
    bad_prev[0] ^= 0x80;
    attack_one("(i) a signed change not chained to the origin's head",
               "equivocation", chain.n + 1, bad_prev, false, pkeys.sign_sk);
    gap();
    oversized(); /* last: the link must then come back by itself */
    mn_crypto_wipe(wrong_sk, sizeof wrong_sk);
}

/* ---- (k) an insider's unknown fields and bad value -------------------- */

#define NINSIDER 3
static char insider_id[2 * MN_ID_BYTES + 1];

/* The ops of the insider's change k (0: create, 1: bad value, 2: patch). */
static void
insider_ops(int k, mn_ops *ops) {
    char z[32];
    mn_ops_init(ops);
    if (k == 1) {
        mn_ops_add_int(ops, MN_P_BIRTH_YEAR, 1800); /* limits 1900..2020 */
        return;
    }
    if (k == 0) {
        mn_ops_add_str(ops, MN_P_ROLE, "mentee", 6);
        mn_ops_add_str(ops, MN_P_GIVEN_NAME, "Insider", 7);
        mn_ops_add_str(ops, MN_P_FAMILY_NAME, "Opaque", 6);
        mn_ops_add_int(ops, MN_P_HOME, cluster.node[P].id);
    }
    mn_ops_add_str(ops, MN_P_STATUS, k ? "waiting" : "applicant", k ? 7 : 9);
    for (uint32_t no = 1; no <= MN_FIELD_NO_MAX; no++) {
        if (mn_kind_field(&mn_kind_participant, no))
            continue;
        snprintf(z, sizeof z, "newer-%d-%u", k, no);
        if (no % 3 == 0)
            mn_ops_add_int(ops, no, (int64_t)no * (k + 1));
        else
            mn_ops_add_str(ops, no, z, strlen(z));
    }
}

/* The insider's NINSIDER changes of P after its head, validly chained and
 * signed with P's real key, in one Batch. */
static void
insider_send(void) {
    mn_buf changes[NINSIDER];
    uint8_t id[MN_ID_BYTES], prev[MN_HASH_BYTES];
    mn_id_new(mn_wall_ms(), cluster.node[P].id, id);
    mn_hex_encode(id, MN_ID_BYTES, insider_id);
    memcpy(prev, chain.head, MN_HASH_BYTES);
    for (int k = 0; k < NINSIDER; k++) {
        mn_ops ops;
        uint64_t seq = chain.n + 1 + (uint64_t)k;
        cl_forge f = {.origin = p_origin,
                      .seq = seq,
                      .hlc = MN_HLC_MAKE(mn_wall_ms(), k),
                      .deps = *cl_rogue_victim_vv(rogue),
                      .network_key = pkeys.network};
        mn_vv_set(&f.deps, f.origin, seq - 1);
        memcpy(f.prev_hash, prev, MN_HASH_BYTES);
        insider_ops(k, &ops);
        mn_buf_init(&changes[k]);
        cl_forge_ops(&f, id, &ops, &changes[k]);
        mn_ops_release(&ops);
        cl_change_hash(&changes[k], prev);
    }
    send_batch(p_origin, changes, NINSIDER, chain.n + NINSIDER, pkeys.sign_sk);
    for (int k = 0; k < NINSIDER; k++)
        mn_buf_release(&changes[k]);
}

/* refused_changes.reason in V's /v1/replication, or -1. */
static long long
refused_changes(const char *reason) {
    json_t *r = cl_replication(&cluster.node[V]);
    json_t *v = json_object_get(json_object_get(r, "refused_changes"), reason);
    long long n = json_is_integer(v) ? (long long)json_integer_value(v) : -1;
    json_decref(r);
    return n;
}

/* V's seq of P, waited for until it reaches want. */
static long long
wait_seq_of_p(long long want) {
    uint64_t deadline = tl_now_ms() + WAIT_MS;
    for (;;) {
        char d[65];
        json_t *vv = NULL;
        long long seq = cl_digest(&cluster.node[V], d, &vv)
                            ? cl_vv_get(vv, cluster.node[P].name)
                            : -1;
        json_decref(vv);
        if (seq >= want || tl_now_ms() >= deadline)
            return seq;
        idle(50);
    }
}

/* The insider's participant as node i renders her (new ref or NULL). */
static json_t *
insider_get(size_t i) {
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", insider_id);
    return cl_get_json(&cluster.node[i], path);
}

static void
insider(void) {
    tl_section("(k) %s's insider: every unknown field number, a bad value",
               cluster.node[P].name);
    static const char metric[] =
        "mentornet_changes_refused_total{reason=\"limits\"} ";
    long long limits0 = refused_changes("limits");
    long long metric0 = metric_value(metric);
    insider_send();
    long long seq = wait_seq_of_p((long long)chain.n + NINSIDER);
    CHECK(seq == (long long)chain.n + NINSIDER,
          "the victim applied all %d seqs of the insider (seq %lld)", NINSIDER,
          seq);
    CHECK(limits0 >= 0 && refused_changes("limits") == limits0 + 1,
          "the bad value is refused and counted as refused_changes.limits "
          "(%lld -> %lld)",
          limits0, refused_changes("limits"));
    CHECK(metric0 >= 0 && metric_value(metric) == metric0 + 1,
          "/metrics counts it under reason=\"limits\" (%lld -> %lld)", metric0,
          metric_value(metric));
    json_t *x = insider_get(V), *all = cl_list_all(&cluster.node[V]);
    json_t *some = json_array_get(all, 0);
    const char *status = json_string_value(json_object_get(x, "status"));
    CHECK(x && json_is_null(json_object_get(x, "birth_year")) && status &&
              strcmp(status, "waiting") == 0,
          "she has the patched status, not the refused birth year");
    CHECK(x && some && json_object_size(x) == json_object_size(some),
          "she renders only the known fields (%zu keys, like any other: "
          "%zu)",
          x ? json_object_size(x) : 0, some ? json_object_size(some) : 0);
    CHECK(log_lines("newer-", NULL) == 0 && log_lines("(limits)", NULL) >= 1,
          "the victim logged the refusal, and no value");
    CHECK(cl_health(&cluster.node[V]), "the victim answers /v1/health");
    json_decref(x);
    json_decref(all);
}

/* ---- the real peer comes back ----------------------------------------- */

static void
heal(void) {
    char id[33], id_v[33] = "";
    tl_section("the rogue leaves; %s's real node comes back and writes",
               cluster.node[P].name);
    cl_rogue_destroy(&rogue);
    if (cl_start(&cluster, P) != 0)
        return;
    /* The insider extended P's chain with P's key while P was away: P's
     * node finds changes of its own origin that it never made. */
    bool forked = false;
    for (uint64_t end = tl_now_ms() + 10000; !forked && tl_now_ms() < end;) {
        json_t *r = cl_replication(&cluster.node[P]);
        forked = json_is_true(json_object_get(r, "forked"));
        json_decref(r);
        tl_sleep_ms(50);
    }
    CHECK(forked, "%s sees its chain was extended by someone else: forked",
          cluster.node[P].name);
    CHECK(cl_stop(&cluster, P) == 0 && cl_start(&cluster, P) == 0,
          "%s restarts, as a new incarnation", cluster.node[P].name);
    struct snap before = snap_take();
    uint64_t deadline = tl_now_ms() + 5000;
    bool up;
    while (!(up = link_up()) && tl_now_ms() < deadline)
        tl_sleep_ms(100);
    if (!CHECK(up, "the victim's link to %s comes back",
               cluster.node[P].name)) {
        tl_note("workaround: restart the victim");
        CHECK(cl_stop(&cluster, V) == 0 && cl_start(&cluster, V) == 0,
              "the victim restarts");
        before = snap_take(); /* the counters started again from zero */
    }
    CHECK(cl_create_participant(&cluster.node[P],
                                "{\"role\":\"mentee\",\"given_name\":"
                                "\"After\",\"family_name\":\"Rogue\"}",
                                id) == 201,
          "a real write on %s after the attacks", cluster.node[P].name);
    CHECK(cl_create_participant(&cluster.node[V],
                                "{\"role\":\"mentor\",\"given_name\":"
                                "\"Also\",\"family_name\":\"Victim\"}",
                                id_v) == 201,
          "a write on %s after the attacks", cluster.node[V].name);
    CHECK(cl_wait_converged(&cluster, 20000),
          "the two converge (equal digests, opaque fields included)");
    json_t *xv = insider_get(V), *xp = insider_get(P);
    CHECK(xv && xp && json_equal(xv, xp),
          "both render the insider's participant alike");
    json_decref(xv);
    json_decref(xp);
    /* The engine counts an apply just after the commit that converged. */
    struct snap after = snap_take();
    for (uint64_t end = tl_now_ms() + WAIT_MS;
         after.applied <= before.applied && tl_now_ms() < end;
         after = snap_take())
        tl_sleep_ms(50);
    check_refusals("real traffic after the attacks", &before, &after, NULL, 0,
                   true);
    CHECK(after.applied > before.applied,
          "the real change was applied "
          "(applied %lld -> %lld)",
          before.applied, after.applied);
    json_t *p = NULL;
    char path[128];
    snprintf(path, sizeof path, "/v1/participants/%s", id);
    p = cl_get_json(&cluster.node[V], path);
    CHECK(p != NULL, "the victim shows the real change");
    json_decref(p);
    snprintf(path, sizeof path, "/v1/participants/%s", id_v);
    p = cl_get_json(&cluster.node[P], path);
    CHECK(p != NULL, "%s shows the victim's new change", cluster.node[P].name);
    json_decref(p);
    json_t *all = cl_list_all(&cluster.node[V]);
    size_t forged = 0, k;
    json_t *item;
    json_array_foreach(all, k, item) {
        const char *z = json_string_value(json_object_get(item, "given_name"));
        forged += z && strcmp(z, "Rogue") == 0;
    }
    CHECK(all && forged == 0,
          "no forged participant anywhere on the "
          "victim (%zu)",
          forged);
    json_decref(all);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.hostile", WATCHDOG_S);
    if (!CHECK(cl_crypto_init() == 0, "libsodium initialises") ||
        cl_create(&cluster, daemon, demo, port, 2) != 0 ||
        cl_start_all(&cluster) != 0 ||
        (p_origin = cl_origin(&cluster.node[P])) == 0 || setup() != 0)
        goto out;
    impostor();
    impostor_flood();
    if (rogue_up() == 0) {
        attacks();
        insider();
    }
    heal();
out:
    cl_rogue_destroy(&rogue);
    cl_keys_wipe(&pkeys);
    cl_chain_release(&chain);
    json_decref(base_vv);
    cl_destroy(&cluster);
    return tl_summary();
}
