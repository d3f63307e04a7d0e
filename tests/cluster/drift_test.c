/*
 * drift_test — a change whose clock is far ahead is quarantined, not
 * applied.
 *
 * Two nodes: the victim V (copenhagen) and P (aarhus). P writes a few
 * changes; V holds them. P's real node is stopped and a rogue plays P
 * (its address, its CURVE keys), answering V's Hello with changes that
 * are valid in every respect — chained to P's head, encrypted under the
 * network key, signed with P's real signing key — except their clock:
 *
 * 1. one change stamped now + 1 hour (the bound is max_clock_drift_ms =
 *    5 min): rejected.drift grows by one, the change is not applied (V's
 *    digest, vector and pending count unchanged), V logs the quarantine
 *    and still answers /v1/health;
 * 2. a Batch of two: the next change stamped now, then one stamped now +
 *    1 hour: the whole batch is refused for drift (a batch is applied
 *    whole, so its signature can always be stored and relayed): neither
 *    change is applied;
 * 3. P's real node comes back, no change behind its own log: a real write
 *    on P takes the next seq and both converge without equivocation;
 * 4. the rogue takes P's place again, and the bound is measured from V's
 *    HLC when it is ahead of V's wall clock: a change stamped now + 4 min
 *    is applied (V's HLC moves 4 min ahead), then one stamped now + 8 min,
 *    8 min ahead of V's wall clock but within 5 min of its HLC, is applied
 *    too (the raw wall clock refused it: the review's fast/slow pair, where
 *    a slow node that took in a fast peer's change refused everything
 *    after it); V's HLC now leads its wall clock past the bound, so V
 *    raises the clock alarm: /v1/replication, /metrics and its log.
 *
 * Usage: cluster_drift MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cluster.h"
#include "base/hlc.h"
#include "rogue.h"

#define WATCHDOG_S 150
#define NCHAIN 4
#define WAIT_MS 10000
#define HOUR_MS (3600 * 1000ULL)
#define MIN_MS (60 * 1000ULL)
#define V 0
#define P 1

static cl_cluster cluster;
/* The origin P writes as (read once its node runs). */
static uint32_t p_origin;
static cl_rogue *rogue;
static cl_keys pkeys;
static cl_chain chain;

static long long
peer_counter(const char *key, const char *sub) {
    json_t *r = cl_replication(&cluster.node[V]);
    long long v = cl_peer_counter(r, cluster.node[P].name, key, sub);
    json_decref(r);
    return v;
}

static long long
pending(void) {
    json_t *r = cl_replication(&cluster.node[V]);
    long long v =
        json_is_integer(json_object_get(r, "pending"))
            ? (long long)json_integer_value(json_object_get(r, "pending"))
            : -1;
    json_decref(r);
    return v;
}

/* Poll V, keeping the rogue's transport turning, until key.sub >= want. */
static long long
wait_counter(const char *key, const char *sub, long long want) {
    uint64_t deadline = tl_now_ms() + WAIT_MS;
    long long v;
    while ((v = peer_counter(key, sub)) < want && tl_now_ms() < deadline)
        cl_rogue_poll(rogue, 50);
    return v;
}

static void
state(char *digest, json_t **vv) {
    if (!cl_digest(&cluster.node[V], digest, vv))
        digest[0] = '\0';
}

/* A change of P at seq chained to prev, stamped at ms. */
static void
forge(uint64_t seq, const uint8_t *prev, uint64_t ms, const char *family,
      mn_buf *out) {
    cl_forge f = {.origin = p_origin,
                  .seq = seq,
                  .hlc = MN_HLC_MAKE(ms, 0),
                  .deps = *cl_rogue_victim_vv(rogue),
                  .network_key = pkeys.network,
                  .family_name = family};
    mn_vv_set(&f.deps, f.origin, seq - 1);
    memcpy(f.prev_hash, prev, MN_HASH_BYTES);
    mn_buf_init(out);
    cl_forge_change(&f, out);
}

/* A Batch of the changes, the last one's head signed with P's real key. */
static void
send_signed(const mn_buf *changes, size_t n, uint64_t last_seq) {
    uint8_t head[MN_HASH_BYTES];
    mn_chain_sig sig;
    mn_buf msg;
    cl_change_hash(&changes[n - 1], head);
    cl_sign_head(pkeys.sign_sk, p_origin, last_seq, head, &sig);
    mn_buf_init(&msg);
    cl_batch(p_origin, changes, n, &sig, &msg);
    CHECK(cl_rogue_send(rogue, msg.p, msg.len) == MN_OK,
          "the rogue sends a Batch of %zu change(s), signed with %s's real "
          "key",
          n, cluster.node[P].name);
    mn_buf_release(&msg);
}

static bool
log_mentions(const char *what) {
    char *z = tl_read_file(cluster.node[V].log, NULL);
    bool found = z && strstr(z, what);
    free(z);
    return found;
}

/* Read P's chain from a fresh backup (into p-backup-tag), stop P's real
 * node and let the rogue take its place. */
static int
take_over(const char *tag) {
    char dir[PATH_MAX], file[PATH_MAX + 16];
    size_t want = chain.n ? chain.n + 1 : NCHAIN;
    snprintf(dir, sizeof dir, "%s/p-backup-%s", cluster.dir, tag);
    mkdir(dir, 0700);
    snprintf(file, sizeof file, "%s/data.mdb", dir);
    CHECK(cl_download(&cluster.node[P], "/v1/backup", file) == 200,
          "GET /v1/backup of %s", cluster.node[P].name);
    cl_chain_release(&chain);
    if (!CHECK(cl_chain_read(dir, p_origin, &chain) == 0 && chain.n == want,
               "%s's chain of %zu changes read from the backup (%zu)",
               cluster.node[P].name, want, chain.n))
        return -1;
    tl_section("the rogue takes %s's place", cluster.node[P].name);
    CHECK(cl_stop(&cluster, P) == 0, "%s's real node stops",
          cluster.node[P].name);
    if (cl_rogue_new(&cluster, P, V, &rogue) != 0)
        return -1;
    return CHECK(cl_rogue_wait_hello(rogue, 1, 15000),
                 "the victim says Hello to the rogue")
               ? 0
               : -1;
}

static int
setup(void) {
    char id[33], body[256];
    for (int k = 0; k < NCHAIN; k++) {
        snprintf(body, sizeof body,
                 "{\"role\":\"mentee\",\"given_name\":"
                 "\"Drift\",\"family_name\":\"P%d\"}",
                 k);
        if (!CHECK(cl_create_participant(&cluster.node[P], body, id) == 201,
                   "create #%d on %s", k, cluster.node[P].name))
            return -1;
    }
    if (!CHECK(cl_wait_converged(&cluster, 20000), "the two converge") ||
        cl_keys_read(&cluster, P, &pkeys) != 0)
        return -1;
    return take_over("1");
}

static void
far_ahead(void) {
    char d0[65], d1[65];
    json_t *vv0 = NULL, *vv1 = NULL;
    mn_buf change;
    tl_section("1. a change stamped now + 1 hour");
    state(d0, &vv0);
    long long drift = peer_counter("rejected", "drift");
    long long applied = peer_counter("applied", NULL);
    forge(chain.n + 1, chain.head, mn_wall_ms() + HOUR_MS, "FarAhead", &change);
    send_signed(&change, 1, chain.n + 1);
    long long now = wait_counter("rejected", "drift", drift + 1);
    CHECK(now == drift + 1, "rejected.drift grows by one (%lld -> %lld)", drift,
          now);
    CHECK(peer_counter("applied", NULL) == applied, "nothing applied");
    CHECK(pending() == 0, "nothing held pending either");
    state(d1, &vv1);
    CHECK(d0[0] && strcmp(d0, d1) == 0 && json_equal(vv0, vv1),
          "the victim's digest and version vector are unchanged");
    CHECK(log_mentions("quarantined a batch of division 2"),
          "the victim logs the quarantine (an alarm an operator sees)");
    CHECK(cl_health(&cluster.node[V]), "the victim answers /v1/health");
    mn_buf_release(&change);
    json_decref(vv0);
    json_decref(vv1);
}

static void
prefix_then_ahead(void) {
    mn_buf change[2];
    uint8_t head1[MN_HASH_BYTES];
    tl_section("2. a Batch: a change stamped now, then one stamped now + 1 "
               "hour");
    long long drift = peer_counter("rejected", "drift");
    long long applied = peer_counter("applied", NULL);
    forge(chain.n + 1, chain.head, mn_wall_ms(), "OnTime", &change[0]);
    cl_change_hash(&change[0], head1);
    forge(chain.n + 2, head1, mn_wall_ms() + HOUR_MS, "Late", &change[1]);
    send_signed(change, 2, chain.n + 2);
    long long now = wait_counter("rejected", "drift", drift + 1);
    CHECK(now == drift + 1, "rejected.drift grows by one (%lld -> %lld)", drift,
          now);
    CHECK(peer_counter("applied", NULL) == applied,
          "neither change is applied (applied stays %lld)", applied);
    char d[65];
    json_t *vv = NULL;
    state(d, &vv);
    CHECK(cl_vv_get(vv, cluster.node[P].name) == (long long)chain.n,
          "the victim's vector still holds %s's seq %zu", cluster.node[P].name,
          chain.n);
    json_decref(vv);
    json_t *list =
        cl_get_json(&cluster.node[V], "/v1/participants?q=Late&limit=10");
    CHECK(list && json_array_size(json_object_get(list, "items")) == 0,
          "the late participant is nowhere");
    json_decref(list);
    list = cl_get_json(&cluster.node[V], "/v1/participants?q=OnTime");
    CHECK(list && json_array_size(json_object_get(list, "items")) == 0,
          "nor the on-time one from the same batch");
    json_decref(list);
    mn_buf_release(&change[0]);
    mn_buf_release(&change[1]);
}

/* P's own vector entry on P, and what P says V told it. */
static void
p_view(long long *own, long long *told) {
    json_t *r = cl_replication(&cluster.node[P]);
    *own =
        cl_vv_get(json_object_get(r, "version_vector"), cluster.node[P].name);
    json_t *peers = json_object_get(r, "peers");
    *told = json_array_size(peers) == 1
                ? cl_vv_get(json_object_get(json_array_get(peers, 0),
                                            "version_vector"),
                            cluster.node[P].name)
                : -1;
    json_decref(r);
}

static void
real_peer_back(void) {
    char id[33];
    long long own = -1, told = -1;
    long long want = (long long)chain.n;
    tl_section("3. %s's real node comes back", cluster.node[P].name);
    cl_rogue_destroy(&rogue);
    if (cl_start(&cluster, P) != 0)
        return;
    uint64_t deadline = tl_now_ms() + 10000;
    while (p_view(&own, &told), told < want && tl_now_ms() < deadline)
        tl_sleep_ms(50);
    CHECK(told == want && own == want,
          "the victim tells %s it holds %s's seq %lld, as %s does (%lld)",
          cluster.node[P].name, cluster.node[P].name, want,
          cluster.node[P].name, own);
    long st = cl_create_participant(&cluster.node[P],
                                    "{\"role\":\"mentor\",\"given_name\":"
                                    "\"Real\",\"family_name\":\"Again\"}",
                                    id);
    CHECK(st == 201, "then a write on %s is acknowledged (%ld)",
          cluster.node[P].name, st);
    char d[65];
    json_t *vv = NULL;
    cl_digest(&cluster.node[P], d, &vv);
    CHECK(cl_vv_get(vv, cluster.node[P].name) == want + 1,
          "it took seq %lld: no seq reused (vector says %lld)", want + 1,
          cl_vv_get(vv, cluster.node[P].name));
    json_decref(vv);
    CHECK(cl_wait_converged(&cluster, 20000), "the two converge");
    json_t *rep = cl_replication(&cluster.node[V]);
    CHECK(cl_peer_counter(rep, cluster.node[P].name, "rejected",
                          "equivocation") == 0,
          "no equivocation between the real %s and the victim",
          cluster.node[P].name);
    json_decref(rep);
}

/* V's clock alarm and HLC lead, as /v1/replication and /metrics say. */
static void
clock_alarm(bool *alarm, long long *lead, bool *metric) {
    tl_resp r;
    json_t *j = cl_replication(&cluster.node[V]);
    *alarm = json_is_true(json_object_get(j, "clock_alarm"));
    *lead =
        json_is_integer(json_object_get(j, "hlc_lead_ms"))
            ? (long long)json_integer_value(json_object_get(j, "hlc_lead_ms"))
            : -1;
    json_decref(j);
    *metric = cl_http(&cluster.node[V], "GET", "/metrics", NULL, NULL, 0, &r) ==
                  200 &&
              r.body && strstr(r.body, "\nmentornet_clock_alarm 1\n");
    tl_resp_release(&r);
}

static void
own_clock_ahead(void) {
    mn_buf change[2];
    uint8_t head1[MN_HASH_BYTES];
    bool alarm = false, metric = false;
    long long lead = -1;
    tl_section("4. the bound from the victim's HLC, ahead of its wall clock");
    if (take_over("2") != 0)
        return;
    long long drift = peer_counter("rejected", "drift");
    long long applied = peer_counter("applied", NULL);
    clock_alarm(&alarm, &lead, &metric);
    CHECK(!alarm && !metric, "no clock alarm yet (lead %lld ms)", lead);
    forge(chain.n + 1, chain.head, mn_wall_ms() + 4 * MIN_MS, "Ahead4",
          &change[0]);
    send_signed(&change[0], 1, chain.n + 1);
    long long got = wait_counter("applied", NULL, applied + 1);
    CHECK(got == applied + 1, "a change 4 min ahead is applied (%lld -> %lld)",
          applied, got);
    cl_change_hash(&change[0], head1);
    forge(chain.n + 2, head1, mn_wall_ms() + 8 * MIN_MS, "Ahead8", &change[1]);
    send_signed(&change[1], 1, chain.n + 2);
    got = wait_counter("applied", NULL, applied + 2);
    CHECK(got == applied + 2,
          "then one 8 min ahead of the victim's wall clock, within 5 min of "
          "its HLC, is applied (%lld -> %lld)",
          applied, got);
    CHECK(peer_counter("rejected", "drift") == drift, "no drift refusal (%lld)",
          drift);
    uint64_t deadline = tl_now_ms() + WAIT_MS;
    while (clock_alarm(&alarm, &lead, &metric),
           !(alarm && metric) && tl_now_ms() < deadline)
        cl_rogue_poll(rogue, 100);
    CHECK(alarm && lead >= (long long)(7 * MIN_MS),
          "the victim raises the clock alarm in /v1/replication (its HLC "
          "leads by %lld ms)",
          lead);
    CHECK(metric, "and in /metrics (mentornet_clock_alarm 1)");
    CHECK(log_mentions("clock alarm"), "and in its log");
    mn_buf_release(&change[0]);
    mn_buf_release(&change[1]);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.drift", WATCHDOG_S);
    if (!CHECK(cl_crypto_init() == 0, "libsodium initialises") ||
        cl_create(&cluster, daemon, demo, port, 2) != 0 ||
        cl_start_all(&cluster) != 0 ||
        (p_origin = cl_origin(&cluster.node[P])) == 0 || setup() != 0)
        goto out;
    far_ahead();
    prefix_then_ahead();
    real_peer_back();
    own_clock_ahead();
out:
    cl_rogue_destroy(&rogue);
    cl_keys_wipe(&pkeys);
    cl_chain_release(&chain);
    cl_destroy(&cluster);
    return tl_summary();
}
