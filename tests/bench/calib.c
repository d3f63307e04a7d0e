/*
 * calib — what this machine's data disk and LMDB can do, measured in the
 * same run as a benchmark, so that its figures can be compared across
 * machines as ratios.
 *
 *     calib --dir DIR [--fsyncs 300] [--txns 40] [--puts 1000]
 *           [--max-seconds 4]
 *
 * 1. fsync: write one 4 KiB block at offset 0 of DIR/calib.fsync and
 *    fdatasync it, --fsyncs times (or until --max-seconds pass): the rate
 *    of durable one-block writes, the floor under every durable commit.
 * 2. LMDB: in DIR/calib.lmdb (sync on: the default flags), commit --txns
 *    write transactions of --puts puts each (16-byte random keys, 300-byte
 *    values, like an encoded participant; or until --max-seconds pass):
 *    the rate of 1,000-record durable transactions, the ceiling of a bulk
 *    import or a catch-up through the project's store.
 *
 * Both files are removed at the end. Output: a summary on stderr and one
 * machine line on stdout:
 *     RESULT fsyncs_per_s=... lmdb_txns_per_s=... lmdb_puts_per_s=...
 * Exit status 0, or 1 when a step failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <lmdb.h>

#define BLOCK 4096
#define KEY_BYTES 16
#define VALUE_BYTES 300
#define MAP_BYTES (1024UL * 1024 * 1024)

struct options {
    const char *dir;
    long fsyncs, txns, puts;
    double max_s;
};

static double
now_s(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* splitmix64: reproducible keys without libc's rand. */
static uint64_t
next_rand(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Durable 4 KiB writes per second; -1 on error. */
static double
measure_fsync(const struct options *o) {
    char path[PATH_MAX], block[BLOCK];
    snprintf(path, sizeof path, "%s/calib.fsync", o->dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    memset(block, 'x', sizeof block);
    long n = 0;
    double t0 = now_s(), t = t0;
    for (; n < o->fsyncs && t - t0 < o->max_s; n++, t = now_s())
        if (pwrite(fd, block, sizeof block, 0) != BLOCK || fdatasync(fd) != 0)
            break;
    close(fd);
    unlink(path);
    return n == 0 || t <= t0 ? -1 : (double)n / (t - t0);
}

static int
put_batch(MDB_env *env, MDB_dbi dbi, long puts, uint64_t *seed) {
    MDB_txn *txn;
    unsigned char key[KEY_BYTES], value[VALUE_BYTES];
    memset(value, 'v', sizeof value);
    int rc = mdb_txn_begin(env, NULL, 0, &txn);
    for (long i = 0; rc == 0 && i < puts; i++) {
        uint64_t a = next_rand(seed), b = next_rand(seed);
        memcpy(key, &a, 8);
        memcpy(key + 8, &b, 8);
        MDB_val k = {sizeof key, key}, v = {sizeof value, value};
        rc = mdb_put(txn, dbi, &k, &v, 0);
    }
    if (rc != 0) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn); /* sync on: fsyncs before it returns */
}

/* Durable LMDB transactions of o->puts puts per second; -1 on error. */
static double
measure_lmdb(const struct options *o, const char *path) {
    MDB_env *env = NULL;
    MDB_txn *txn;
    MDB_dbi dbi;
    uint64_t seed = 42;
    long n = 0;
    int rc = mdb_env_create(&env);
    if (rc == 0)
        rc = mdb_env_set_mapsize(env, MAP_BYTES);
    if (rc == 0)
        rc = mdb_env_open(env, path, 0, 0600);
    if (rc == 0 && (rc = mdb_txn_begin(env, NULL, 0, &txn)) == 0) {
        rc = mdb_dbi_open(txn, NULL, 0, &dbi);
        rc = rc == 0 ? mdb_txn_commit(txn) : (mdb_txn_abort(txn), rc);
    }
    double t0 = now_s(), t = t0;
    for (; rc == 0 && n < o->txns && t - t0 < o->max_s; n++, t = now_s())
        rc = put_batch(env, dbi, o->puts, &seed);
    if (rc != 0)
        fprintf(stderr, "calib: lmdb: %s\n", mdb_strerror(rc));
    mdb_env_close(env);
    return rc != 0 || n == 0 ? -1 : (double)n / (t - t0);
}

static double
measure_lmdb_in(const struct options *o) {
    char path[PATH_MAX], file[PATH_MAX + 16];
    snprintf(path, sizeof path, "%s/calib.lmdb", o->dir);
    if (mkdir(path, 0700) != 0 && errno != EEXIST)
        return -1;
    double rate = measure_lmdb(o, path);
    snprintf(file, sizeof file, "%s/data.mdb", path);
    unlink(file);
    snprintf(file, sizeof file, "%s/lock.mdb", path);
    unlink(file);
    rmdir(path);
    return rate;
}

static int
parse(int argc, char **argv, struct options *o) {
    static const struct option opts[] = {
        {"dir", required_argument, NULL, 'd'},
        {"fsyncs", required_argument, NULL, 'f'},
        {"txns", required_argument, NULL, 't'},
        {"puts", required_argument, NULL, 'p'},
        {"max-seconds", required_argument, NULL, 's'},
        {NULL, 0, NULL, 0}};
    int c;
    *o = (struct options){NULL, 300, 40, 1000, 4.0};
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': o->dir = optarg; break;
        case 'f': o->fsyncs = strtol(optarg, NULL, 10); break;
        case 't': o->txns = strtol(optarg, NULL, 10); break;
        case 'p': o->puts = strtol(optarg, NULL, 10); break;
        case 's': o->max_s = strtod(optarg, NULL); break;
        default: return -1;
        }
    }
    return o->dir && o->fsyncs > 0 && o->txns > 0 && o->puts > 0 && o->max_s > 0
               ? 0
               : -1;
}

int
main(int argc, char **argv) {
    struct options o;
    if (parse(argc, argv, &o) != 0) {
        fprintf(stderr, "usage: calib --dir DIR [--fsyncs N] [--txns N] "
                        "[--puts N] [--max-seconds S]\n");
        return 2;
    }
    double fsyncs = measure_fsync(&o);
    double txns = measure_lmdb_in(&o);
    fprintf(stderr,
            "calib: %.0f fsyncs/s of a 4 KiB block; %.1f durable LMDB "
            "transactions/s of %ld puts (%.0f puts/s)\n",
            fsyncs, txns, o.puts, txns * (double)o.puts);
    printf("RESULT fsyncs_per_s=%.1f lmdb_txns_per_s=%.2f "
           "lmdb_puts_per_s=%.0f puts=%ld\n",
           fsyncs, txns, txns * (double)o.puts, o.puts);
    return fsyncs > 0 && txns > 0 ? 0 : 1;
}
