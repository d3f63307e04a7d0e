/*
 * faults — what goes wrong in a run besides the network weather:
 * partitions (the rogue's links too), crashes (a clean stop or kill -9,
 * which leaves own.seq as the last tick saved it), restarts on an empty
 * data dir or an old backup (fault switches lost-disk, old-backup: the
 * node restarts cut off from every peer that holds its newest changes),
 * and clock faults: small skews, jumps past the drift bound, fast/slow
 * pairs within it, clocks corrected after running fast, and (switch
 * clock-hours) steps of hours forward and back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sim.h"

static void
cut_pair(struct sim *s, int a, int b, bool cut) {
    s->cut[a][b] = s->cut[b][a] = cut;
}

void
partition(struct sim *s) {
    int a = (int)below(ENDPOINTS), b = (int)below(ENDPOINTS);
    switch (below(6)) {
    case 0: /* isolate one */
        for (int k = 0; k < ENDPOINTS; k++)
            if (k != a)
                cut_pair(s, a, k, true);
        trace(s, "isolate node%d", a + 1);
        break;
    case 1: /* two against three (the rogue with the three) */
        for (int x = 0; x < ENDPOINTS; x++)
            for (int y = 0; y < ENDPOINTS; y++)
                if ((x < 2) != (y < 2))
                    cut_pair(s, x, y, true);
        trace(s, "split {1,2} | {3,4,5,6}");
        break;
    case 2: /* ring: each reaches only its neighbours */
        for (int x = 0; x < ENDPOINTS; x++)
            for (int y = 0; y < ENDPOINTS; y++)
                if (x != y && (x + 1) % ENDPOINTS != y &&
                    (y + 1) % ENDPOINTS != x)
                    cut_pair(s, x, y, true);
        trace(s, "ring");
        break;
    case 3: /* clog one link */
        if (a != b)
            cut_pair(s, a, b, true);
        trace(s, "cut node%d-node%d", a + 1, b + 1);
        break;
    case 4: /* restore one link */
        cut_pair(s, a, b, false);
        trace(s, "restore node%d-node%d", a + 1, b + 1);
        break;
    default: memset(s->cut, 0, sizeof s->cut); trace(s, "heal links");
    }
}

/* ---- stores lost and restored ----------------------------------------- */

static void
backup_path(const struct sim *s, int i, char *out, size_t cap) {
    snprintf(out, cap, "%s/backup%d.mdb", s->root, i + 1);
}

/* Keep one backup per node: the first one taken, so it grows old. */
static void
take_backup(struct sim *s, int i) {
    char path[128];
    if (s->has_backup[i])
        return;
    backup_path(s, i, path, sizeof path);
    mn_node_state(s->node[i], &s->backup_vv[i], NULL);
    if (mn_node_backup(s->node[i], path) != MN_OK)
        abort();
    s->has_backup[i] = true;
    trace(s, "backup node%d", i + 1);
}

static void
run_cmd(const char *cmd) {
    if (system(cmd) != 0) {
        fprintf(stderr, "sim: %s failed\n", cmd);
        abort();
    }
}

/* Replace node i's data dir: empty, or its old backup (without own.seq,
 * as on a new disk). */
static void
replace_store(struct sim *s, int i, bool from_backup) {
    char cmd[512], path[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", s->cfg[i].data_dir,
             s->cfg[i].data_dir);
    run_cmd(cmd);
    memset(&s->durable[i], 0, sizeof s->durable[i]);
    if (from_backup) {
        backup_path(s, i, path, sizeof path);
        snprintf(cmd, sizeof cmd, "cp %s %s/data.mdb", path,
                 s->cfg[i].data_dir);
        run_cmd(cmd);
        s->durable[i] = s->backup_vv[i];
    }
    s->last_vv[i] = s->durable[i];
    memset(&s->checked_vv[i], 0xff, sizeof s->checked_vv[i]); /* recheck */
    trace(s, "node%d data dir %s", i + 1,
          from_backup ? "restored from an old backup" : "lost");
    model_store_lost(s, i);
    pships_forget(s, i);
}

/* Cut node i off from every node that holds more of its changes than its
 * store now does. */
static void
cut_from_newer(struct sim *s, int i) {
    for (int j = 0; j < NODES; j++)
        for (uint32_t k = 0; j != i && k < s->durable[j].n; k++) {
            const mn_vv_entry *e = &s->durable[j].e[k];
            if (mn_origin_division(e->origin) == (uint32_t)i + 1 &&
                e->seq > vv_get(&s->durable[i], e->origin)) {
                cut_pair(s, i, j, true);
                break;
            }
        }
}

static void
restart(struct sim *s, int i) {
    bool lost = (s->faults & F_LOST_DISK) && chance(30);
    bool old =
        !lost && (s->faults & F_OLD_BACKUP) && s->has_backup[i] && chance(50);
    if (lost || old) {
        replace_store(s, i, old);
        cut_from_newer(s, i);
    }
    start_node(s, i);
}

void
crash_or_restart(struct sim *s) {
    int i = (int)below(NODES);
    if (!s->up[i])
        restart(s, i);
    else if ((s->faults & F_OLD_BACKUP) && chance(30))
        take_backup(s, i);
    else
        stop_node(s, i, chance(50));
}

/* ---- clocks ----------------------------------------------------------- */

#define HOUR_MS 3600000
#define PAIR_MS (DRIFT_MS * 45 / 100) /* a pair's spread stays in bound */

static void
set_skew(struct sim *s, int i, int64_t skew) {
    s->skew[i] = skew;
    if (skew > s->max_ahead)
        s->max_ahead = skew;
    trace(s, "clock node%d skew %lld ms", i + 1, (long long)skew);
}

void
clock_fault(struct sim *s) {
    int i = (int)below(NODES), j = (i + 1 + (int)below(NODES - 1)) % NODES;
    int64_t hours = (int64_t)(1 + below(3)) * HOUR_MS;
    switch (below((s->faults & F_CLOCK_HOURS) ? 6 : 4)) {
    case 0: set_skew(s, i, (int64_t)below(4000) - 2000); break;
    case 1: /* a jump beyond the drift bound */
        set_skew(s, i, DRIFT_MS + (int64_t)below(60000));
        break;
    case 2: /* a fast and a slow clock, within the bound together */
        set_skew(s, i, (int64_t)below(PAIR_MS));
        set_skew(s, j, -(int64_t)below(PAIR_MS));
        break;
    case 3: set_skew(s, i, 0); break; /* corrected (after running fast) */
    case 4: set_skew(s, i, hours); break;
    default: set_skew(s, i, -hours); break;
    }
}

/* Clocks within the pair bound stay as they are; others are corrected.
 * (A clock stepped back by hours takes its peers' changes only within the
 * drift bound of its own HLC: once it has been cut off for longer than
 * that, it needs its clock put right, which the log's quarantine lines
 * ask for; repl_test covers the bound itself.) Time then moves on past
 * the fastest clock of the run, so what it stamped is within bound. */
uint64_t
clocks_at_heal(struct sim *s) {
    for (int i = 0; i < NODES; i++) {
        bool small = s->skew[i] <= PAIR_MS && s->skew[i] >= -PAIR_MS;
        if (!small)
            s->skew[i] = 0;
    }
    return 2 * DRIFT_MS + (uint64_t)s->max_ahead;
}
