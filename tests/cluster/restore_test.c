/*
 * restore_test — a node restored from a backup never reuses a sequence
 * number, and a node with an empty data dir rebuilds from its peers.
 *
 * Three nodes A (copenhagen), B (aarhus), C (esbjerg).
 *
 * 1. A writes OLD changes; GET /v1/backup of A into a file; A writes W
 *    more; all converge (B and C hold A's seq OLD+W). A stops; its
 *    data.mdb is replaced by the backup (lock.mdb removed; the rest of the
 *    data dir, own.seq included, stays). A starts with a config directory
 *    in which B's and C's addresses are closed ports, so it cannot pull
 *    its own log back, while B and C still reach it and tell it their
 *    vectors. A answers 503 to local writes — also after its start-up
 *    grace has passed — and its state stays that of the backup.
 * 2. A restarts with the right addresses: it pulls its own log back, then
 *    a write succeeds and A's own vector entry is exactly OLD + W + 1; all
 *    converge.
 * 3. The same restore onto a data dir holding nothing but the backup's
 *    data.mdb (no own.seq): with B and C reachable, the next write again
 *    takes the next seq, and all converge.
 * 4. B's data dir is emptied: B starts, rebuilds everything from A and C
 *    (its own changes too), and its next write takes its next seq.
 * 5. A restore onto an empty data dir while every peer is down: the
 *    backup copy is marked as one, so A refuses local writes (503), past
 *    the start-up grace, until a peer tells it how far its own log went.
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
/* The replicator's STARTUP_GRACE_MS (src/replicator.c), plus a margin. */
#define GRACE_MS 5000
#define PAST_GRACE_MS (GRACE_MS + 1500)
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

/* Do B and C both tell A that they hold A's seq `seq`? */
static bool
peers_told(long long seq) {
    json_t *r = cl_replication(&cluster.node[A]);
    bool ok = true;
    for (size_t p = B; p <= C; p++) {
        json_t *peers = json_object_get(r, "peers");
        size_t k;
        json_t *e;
        bool told = false;
        json_array_foreach(peers, k, e) {
            const char *d = json_string_value(json_object_get(e, "division"));
            if (d && strcmp(d, cluster.node[p].name) == 0)
                told = cl_vv_get(json_object_get(e, "version_vector"),
                                 cluster.node[A].name) == seq;
        }
        ok &= told;
    }
    json_decref(r);
    return ok;
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

static int
restored_cut_off(void) {
    tl_section("1. A restored; it cannot reach its peers, they reach it");
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    if (restore_backup(A, false) != 0)
        return -1;
    int closed = CL_SPARE_PORT(&cluster, 0);
    cluster.node[A].view_port[B] = closed;
    cluster.node[A].view_port[C] = closed;
    if (cl_write_confs(&cluster) != 0 || cl_start(&cluster, A) != 0)
        return -1;
    uint64_t t0 = tl_now_ms();
    CHECK(own_seq(A) == old_seq, "A holds the backup's state (seq %lld)",
          own_seq(A));
    uint64_t deadline = t0 + 10000;
    while (!peers_told(sent_seq) && tl_now_ms() < deadline)
        tl_sleep_ms(50);
    CHECK(peers_told(sent_seq), "B and C tell A they hold its seq %lld",
          sent_seq);
    long st = try_write(A);
    CHECK(st == 503, "a write on A answers 503 (%ld)", st);
    bool ever_writable = false;
    while (tl_now_ms() - t0 < PAST_GRACE_MS) {
        json_t *r = cl_replication(&cluster.node[A]);
        ever_writable |= json_is_true(json_object_get(r, "writable"));
        json_decref(r);
        tl_sleep_ms(100);
    }
    st = try_write(A);
    CHECK(!ever_writable && st == 503,
          "after the %d ms start-up grace, "
          "still not writable: 503 (%ld)",
          GRACE_MS, st);
    CHECK(own_seq(A) == old_seq, "A's own seq is still %lld", old_seq);
    return 0;
}

static void
restored_catches_up(void) {
    tl_section("2. A restarts with the right addresses and catches up");
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    memset(cluster.node[A].view_port, 0, sizeof cluster.node[A].view_port);
    if (cl_write_confs(&cluster) != 0 || cl_start(&cluster, A) != 0)
        return;
    char id[33];
    long st = cl_create_participant(&cluster.node[A],
                                    "{\"role\":\"mentor\",\"given_name\":"
                                    "\"Restored\",\"family_name\":\"A\"}",
                                    id);
    CHECK(st == 201, "a write on A succeeds once it has caught up (%ld)", st);
    CHECK(own_seq(A) == old_seq + NMORE + 1,
          "A's own seq is exactly %lld + %d + 1 = %lld (got %lld)", old_seq,
          NMORE, old_seq + NMORE + 1, own_seq(A));
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all three converge");
}

static void
restored_without_own_seq(void) {
    tl_section("3. A restored onto a data dir with only data.mdb");
    long long before = own_seq(A);
    CHECK(cl_stop(&cluster, A) == 0, "A stops");
    if (restore_backup(A, true) != 0 || cl_start(&cluster, A) != 0)
        return;
    char id[33];
    long st = cl_create_participant(&cluster.node[A],
                                    "{\"role\":\"mentor\",\"given_name\":"
                                    "\"Restored\",\"family_name\":\"Again\"}",
                                    id);
    CHECK(st == 201 && own_seq(A) == before + 1,
          "a write on A takes seq %lld, after everything it sent (%ld, "
          "seq %lld)",
          before + 1, st, own_seq(A));
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS), "all three converge");
}

static void
empty_data_dir(void) {
    char id[33];
    tl_section("4. B starts with an empty data dir");
    long long before = own_seq(B);
    CHECK(cl_stop(&cluster, B) == 0, "B stops");
    tl_rm_rf(cluster.node[B].data_dir);
    if (cl_start(&cluster, B) != 0)
        return;
    long st = cl_create_participant(&cluster.node[B],
                                    "{\"role\":\"mentee\",\"given_name\":"
                                    "\"Rebuilt\",\"family_name\":\"B\"}",
                                    id);
    CHECK(st == 201 && own_seq(B) == before + 1,
          "a write on B takes seq %lld (%ld, seq %lld)", before + 1, st,
          own_seq(B));
    CHECK(cl_wait_converged(&cluster, CONVERGE_MS),
          "all three converge: B rebuilt everything");
    json_t *s = cl_get_json(&cluster.node[B], "/v1/stats?verify=true");
    CHECK(json_is_true(json_object_get(s, "verified")) &&
              json_integer_value(json_object_get(s, "total")) ==
                  NOLD + NMORE + NB + 3,
          "B's stats verify, total %lld",
          (long long)json_integer_value(json_object_get(s, "total")));
    json_decref(s);
}

static void
restored_alone(void) {
    tl_section("5. A restored onto an empty data dir while B and C are "
               "down");
    long long before = own_seq(A);
    CHECK(cl_stop(&cluster, B) == 0 && cl_stop(&cluster, C) == 0 &&
              cl_stop(&cluster, A) == 0,
          "all three stop");
    if (restore_backup(A, true) != 0 || cl_start(&cluster, A) != 0)
        return;
    uint64_t t0 = tl_now_ms();
    long st = 0;
    while (tl_now_ms() - t0 < PAST_GRACE_MS && (st = try_write(A)) == 503)
        tl_sleep_ms(100);
    long long seq = own_seq(A);
    CHECK(st == 503,
          "A refuses local writes until a peer can tell it what it "
          "sent (answered %ld; took seq %lld, which it had already "
          "sent: it sent up to %lld)",
          st, seq, before);
    if (st == 503)
        return;
    if (cl_start(&cluster, B) != 0 || cl_start(&cluster, C) != 0)
        return;
    bool converged = cl_wait_converged(&cluster, 4000);
    json_t *r = cl_replication(&cluster.node[A]);
    tl_note(
        "A refused its own old log from B and C: chain %lld + %lld, "
        "equivocation %lld + %lld",
        cl_peer_counter(r, cluster.node[B].name, "rejected", "chain"),
        cl_peer_counter(r, cluster.node[C].name, "rejected", "chain"),
        cl_peer_counter(r, cluster.node[B].name, "rejected", "equivocation"),
        cl_peer_counter(r, cluster.node[C].name, "rejected", "equivocation"));
    json_decref(r);
    CHECK(converged, "the three converge again");
}

int
main(int argc, char **argv) {
    const char *daemon, *demo;
    int port;
    cl_args(argc, argv, &daemon, &demo, &port);
    tl_begin("cluster.restore", WATCHDOG_S);
    if (cl_create(&cluster, daemon, demo, port, 3) == 0 &&
        cl_start_all(&cluster) == 0 && setup() == 0 &&
        restored_cut_off() == 0) {
        restored_catches_up();
        restored_without_own_seq();
        empty_data_dir();
        restored_alone();
    }
    cl_destroy(&cluster);
    return tl_summary();
}
