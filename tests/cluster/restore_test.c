/*
 * restore_test — no (origin, seq) is ever issued twice, whatever the
 * peers know and whichever of them is up: a store that may lack its newest
 * changes starts a new incarnation of its division (node/incarnation.c)
 * and writes at once; its old incarnation's changes come back from the
 * peers. Finding 1 of the replication review, on real nodes.
 *
 * Three nodes A (copenhagen), B (aarhus), C (esbjerg).
 *
 * 0. A writes OLD changes; GET /v1/backup of A into a file; A writes MORE
 *    more; all converge (B and C hold A's seq OLD + MORE).
 * 1. Every node stops; A's data dir is emptied and the backup put in it;
 *    A starts ALONE (the peers that hold its newest changes are down): it
 *    says why it started a new incarnation, and answers 201 to NEW writes
 *    at once. B and C start: all three converge, A gets its old
 *    incarnation's MORE changes back, every total adds up, and no node
 *    refused a chain link or an equivocation.
 * 2. The same with a lost disk: B's data dir is emptied while A and C are
 *    down; B writes at once; all converge, B's own old changes included.
 * 3. kill -9: A is killed and restarted; a new incarnation again, then
 *    convergence. A clean stop and start resumes the same incarnation.
 * 4. A copy of A's stopped data dir, started after A went on writing from
 *    the original: its next write reuses a seq the network holds. The
 *    peers refuse it as equivocation and say so in /v1/replication; the
 *    copy refuses its own origin's changes it did not make.
 *
 * Usage: cluster_restore MENTORNETD DEMO_DATA PORT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cluster.h"

#define WATCHDOG_S 120
#define A 0
#define B 1
#define C 2
#define NOLD 30
#define NMORE 20
#define NB 10
#define NNEW 6
#define CONVERGE_MS 30000

static cl_cluster cluster;
static char backup[PATH_MAX];

static long long
own_seq(size_t n) {
    char d[65];
    json_t *vv = NULL;
    long long v = cl_digest(&cluster.node[n], d, &vv)
                      ? cl_vv_get(vv, cluster.node[n].name)
                      : -1;
    json_decref(vv);
    return v;
}

/* One POST without retrying on 503; the status. */
static long
try_write(size_t n) {
    tl_resp r;
    static const char body[] = "{\"role\":\"mentee\",\"given_name\":"
                               "\"Restore\",\"family_name\":\"Try\"}";
    long st = cl_http(&cluster.node[n], "POST", "/v1/participants",
                      "application/json", body, strlen(body), &r);
    tl_resp_release(&r);
    return st;
}

/* Put the backup in n's data dir as data.mdb; wipe: first empty the dir. */
static int
restore_backup(size_t n, bool wipe) {
    char path[PATH_MAX + 32];
    const char *dir = cluster.node[n].data_dir;
    if (wipe) {
        tl_rm_rf(dir);
        mkdir(dir, 0700);
    }
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    return CHECK(tl_copy_file(backup, path, 0600) == 0,
                 "the backup is %s's data.mdb%s", cluster.node[n].name,
                 wipe ? " in an otherwise empty data dir" : "")
               ? 0
               : -1;
}

static long long old_seq, sent_seq;

static int
setup(void) {
    tl_section("A writes %d, is backed up, writes %d more", NOLD, NMORE);
    if (!CHECK(cl_create_many(&cluster.node[A], NOLD, "Old", NULL) == NOLD,
               "%d creates on A", NOLD) ||
        !CHECK(cl_create_many(&cluster.node[B], NB, "B", NULL) == NB,
               "%d creates on B", NB) ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return -1;
    old_seq = own_seq(A);
    snprintf(backup, sizeof backup, "%s/a-backup.mdb", cluster.dir);
    if (!CHECK(cl_download(&cluster.node[A], "/v1/backup", backup) == 200,
               "GET /v1/backup of A (at seq %lld) into a file", old_seq) ||
        !CHECK(cl_create_many(&cluster.node[A], NMORE, "More", NULL) == NMORE,
               "%d more creates on A", NMORE) ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return -1;
    sent_seq = own_seq(A);
    CHECK(sent_seq == old_seq + NMORE, "A's seq is %lld", sent_seq);
    return 0;
}

/* The incarnation n says it started, and why ("restored", ...). */
static const char *
started(size_t n, char *why, size_t cap) {
    json_t *r = cl_replication(&cluster.node[n]);
    const char *w =
        json_string_value(json_object_get(r, "incarnation_started"));
    snprintf(why, cap, "%s", w ? w : "?");
    json_decref(r);
    return why;
}

/* Chain and equivocation refusals counted on every node, from any peer. */
static long long
refusals(const char *reason) {
    long long n = 0;
    for (size_t i = A; i <= C; i++) {
        json_t *r = cl_replication(&cluster.node[i]);
        for (size_t p = A; p <= C; p++)
            if (p != i)
                n += cl_peer_counter(r, cluster.node[p].name, "rejected",
                                     reason);
        json_decref(r);
    }
    return n;
}

/* n answers 201 to count writes at once (no 503, no waiting). */
static bool
writes_at_once(size_t n, int count) {
    int ok = 0;
    for (int i = 0; i < count; i++)
        ok += try_write(n) == 201;
    return CHECK(ok == count, "%s answers 201 to %d writes at once (%d)",
                 cluster.node[n].name, count, ok);
}

static long long
total(size_t n) {
    json_t *s = cl_get_json(&cluster.node[n], "/v1/stats?verify=true");
    long long t =
        json_is_true(json_object_get(s, "verified"))
            ? (long long)json_integer_value(json_object_get(s, "total"))
            : -1;
    json_decref(s);
    return t;
}

/* After healing: equal states, the expected total, and no chain link or
 * equivocation refused anywhere (no seq was reissued). */
static void
healed(long long want_total) {
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all three converge: equal digests, vectors and stats");
    for (size_t n = A; n <= C; n++)
        CHECK(total(n) == want_total,
              "%s: stats verify, total %lld (want %lld)", cluster.node[n].name,
              total(n), want_total);
    long long chain = refusals("chain"), eq = refusals("equivocation");
    CHECK(chain == 0 && eq == 0,
          "no node refused a chain link (%lld) or an equivocation (%lld)",
          chain, eq);
}

static long long want;

static int
restored_alone(void) {
    char why[32];
    tl_section("1. A restored from its backup while B and C are down");
    uint32_t before = cl_origin(&cluster.node[A]);
    CHECK(cl_stop(&cluster, B) == 0 && cl_stop(&cluster, C) == 0 &&
              cl_stop(&cluster, A) == 0,
          "all three stop");
    if (restore_backup(A, true) != 0 || cl_start(&cluster, A) != 0)
        return -1;
    CHECK(own_seq(A) == old_seq, "A holds the backup's state (%lld changes)",
          own_seq(A));
    CHECK(strcmp(started(A, why, sizeof why), "restored") == 0,
          "A says it started a new incarnation: restored (%s)", why);
    uint32_t now = cl_origin(&cluster.node[A]);
    CHECK(now && now != before, "A writes as a new origin (%08x, was %08x)",
          now, before);
    if (!writes_at_once(A, NNEW))
        return -1;
    if (cl_start(&cluster, B) != 0 || cl_start(&cluster, C) != 0)
        return -1;
    want = NOLD + NMORE + NB + NNEW;
    healed(want);
    CHECK(own_seq(A) == sent_seq + NNEW,
          "A holds all it ever made: %lld + %d changes (%lld)", sent_seq, NNEW,
          own_seq(A));
    return 0;
}

static void
lost_disk(void) {
    char why[32];
    tl_section("2. B's disk is lost while A and C are down");
    long long before = own_seq(B);
    CHECK(cl_stop(&cluster, A) == 0 && cl_stop(&cluster, C) == 0 &&
              cl_stop(&cluster, B) == 0,
          "all three stop");
    tl_rm_rf(cluster.node[B].data_dir);
    if (cl_start(&cluster, B) != 0)
        return;
    CHECK(strcmp(started(B, why, sizeof why), "new_store") == 0,
          "B says it started a new incarnation: new_store (%s)", why);
    if (!writes_at_once(B, NNEW))
        return;
    if (cl_start(&cluster, A) != 0 || cl_start(&cluster, C) != 0)
        return;
    want += NNEW;
    healed(want);
    CHECK(own_seq(B) == before + NNEW,
          "B holds its old changes again and its new ones: %lld + %d (%lld)",
          before, NNEW, own_seq(B));
}

static void
killed(void) {
    char why[32];
    tl_section("3. A is killed (kill -9), then stopped cleanly");
    uint32_t before = cl_origin(&cluster.node[A]);
    cl_kill(&cluster, A);
    if (cl_start(&cluster, A) != 0)
        return;
    CHECK(strcmp(started(A, why, sizeof why), "unclean_stop") == 0 &&
              cl_origin(&cluster.node[A]) != before,
          "after kill -9, A starts a new incarnation: unclean_stop (%s)", why);
    if (!writes_at_once(A, 2))
        return;
    before = cl_origin(&cluster.node[A]);
    CHECK(cl_stop(&cluster, A) == 0 && cl_start(&cluster, A) == 0,
          "A stops cleanly and starts");
    CHECK(strcmp(started(A, why, sizeof why), "resumed") == 0 &&
              cl_origin(&cluster.node[A]) == before,
          "after a clean stop, A resumes its incarnation (%s)", why);
    if (!writes_at_once(A, 2))
        return;
    want += 4;
    healed(want);
}

/* Swap A's data dir with dir (both hold a store). */
static int
swap_data_dir(const char *dir) {
    char tmp[PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.swap", dir);
    return rename(cluster.node[A].data_dir, tmp) == 0 &&
                   rename(dir, cluster.node[A].data_dir) == 0 &&
                   rename(tmp, dir) == 0
               ? 0
               : -1;
}

static void
copied_data_dir(void) {
    char copy[PATH_MAX], from[PATH_MAX + 16], to[PATH_MAX + 16];
    tl_section("4. A copy of A's stopped data dir runs after A went on");
    snprintf(copy, sizeof copy, "%s/a-copy", cluster.dir);
    mkdir(copy, 0700);
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    snprintf(from, sizeof from, "%s/data.mdb", cluster.node[A].data_dir);
    snprintf(to, sizeof to, "%s/data.mdb", copy);
    if (!CHECK(tl_copy_file(from, to, 0600) == 0, "A's data dir is copied") ||
        cl_start(&cluster, A) != 0 || !writes_at_once(A, 2) ||
        !CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "converged"))
        return;
    CHECK(cl_stop(&cluster, A) == 0 && swap_data_dir(copy) == 0 &&
              cl_start(&cluster, A) == 0,
          "A stops; the copy starts in its place");
    bool forked = false;
    for (uint64_t t0 = tl_now_ms(); !forked && tl_now_ms() - t0 < 10000;) {
        json_t *r = cl_replication(&cluster.node[A]);
        forked = json_is_true(json_object_get(r, "forked")) &&
                 json_is_false(json_object_get(r, "writable"));
        json_decref(r);
        tl_sleep_ms(50);
    }
    CHECK(forked, "the copy sees its peers hold changes of its own origin "
                  "it did not make: forked, not writable");
    CHECK(refusals("equivocation") > 0,
          "the copy counts them as equivocation in /v1/replication");
    long st = try_write(A);
    CHECK(st == 503, "a write on the copy answers 503 (%ld)", st);
    CHECK(cl_stop(&cluster, A) == 0 && cl_start(&cluster, A) == 0,
          "the copy restarts");
    char why[32];
    CHECK(strcmp(started(A, why, sizeof why), "unclean_stop") == 0,
          "it begins a new incarnation (%s)", why);
    if (!writes_at_once(A, 2))
        return;
    want += 4;
    healed(want);
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.restore", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, 3) == 0 &&
        cl_start_all(&cluster) == 0 && setup() == 0 && restored_alone() == 0) {
        lost_disk();
        killed();
        copied_data_dir();
    }
    cl_destroy(&cluster);
    return tl_summary();
}
