/*
 * store_test — unit tests for store.c against a real LMDB environment in
 * a temporary directory: put/get/del and their error codes, cursor order,
 * abort and commit, durability across reopen, a full map (MN_EFULL, then
 * the store still opens and reads, and a larger map lets writes go on),
 * hot backups that open as a store, and a corrupt data file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "mentornet/mentornet.h"
#include "door/store.h"
#include "base/util.h"
#include "unit_helpers.h"

#define MIB (UINT64_C(1) << 20)

struct fixture {
    char dir[256];
    char db[320]; /* the store's directory, inside dir */
    mn_store *s;
    char err[512];
};

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    tmpdir_make(fx->dir, sizeof fx->dir, "store");
    snprintf(fx->db, sizeof fx->db, "%s/db", fx->dir);
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    mn_store_destroy(&fx->s);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

static void
open_store(struct fixture *fx, uint64_t map, bool sync) {
    fx->err[0] = '\0';
    int rc = mn_store_open(fx->db, map, sync, &fx->s, fx->err, sizeof fx->err);
    if (rc != MN_OK)
        fail_msg("mn_store_open: %d %s", rc, fx->err);
}

static void
reopen(struct fixture *fx, uint64_t map) {
    mn_store_destroy(&fx->s);
    assert_null(fx->s);
    open_store(fx, map, true);
}

static mn_txn *
begin(struct fixture *fx, bool write) {
    mn_txn *t = NULL;
    assert_int_equal(mn_store_begin(fx->s, write, &t), MN_OK);
    assert_non_null(t);
    return t;
}

static void
commit(mn_txn **t) {
    assert_int_equal(mn_txn_commit(t), MN_OK);
    assert_null(*t);
}

static void
put_str(mn_txn *t, enum mn_db db, const char *k, const char *v) {
    assert_int_equal(mn_txn_put(t, db, k, strlen(k), v, strlen(v), 0), MN_OK);
}

static void
expect_str(mn_txn *t, enum mn_db db, const char *k, const char *v) {
    mn_val out = {0};
    assert_int_equal(mn_txn_get(t, db, k, strlen(k), &out), MN_OK);
    assert_int_equal(out.n, strlen(v));
    assert_memory_equal(out.p, v, out.n);
}

static void
expect_absent(mn_txn *t, enum mn_db db, const char *k) {
    mn_val out;
    assert_int_equal(mn_txn_get(t, db, k, strlen(k), &out), MN_ENOTFOUND);
}

/* ---- basics ------------------------------------------------------------ */

static void
test_put_get_del(void **state) {
    struct fixture *fx = *state;
    struct stat st;

    open_store(fx, 16 * MIB, true);
    /* The directory was created, and holds the data file. */
    char path[400];
    snprintf(path, sizeof path, "%s/data.mdb", fx->db);
    assert_int_equal(stat(path, &st), 0);

    mn_txn *t = begin(fx, true);
    expect_absent(t, MN_DB_META, "k");
    put_str(t, MN_DB_META, "k", "one");
    expect_str(t, MN_DB_META, "k", "one");
    put_str(t, MN_DB_META, "k", "two"); /* plain put overwrites */
    expect_str(t, MN_DB_META, "k", "two");

    /* MN_PUT_NEW refuses an existing key and leaves it alone. */
    assert_int_equal(mn_txn_put(t, MN_DB_META, "k", 1, "three", 5, MN_PUT_NEW),
                     MN_EEXIST);
    expect_str(t, MN_DB_META, "k", "two");
    assert_int_equal(mn_txn_put(t, MN_DB_META, "new", 3, "v", 1, MN_PUT_NEW),
                     MN_OK);
    expect_str(t, MN_DB_META, "new", "v");

    /* Each database is its own key space. */
    put_str(t, MN_DB_LOG, "k", "log");
    put_str(t, MN_DB_SIGS, "k", "sigs");
    put_str(t, MN_DB_ENTITIES, "k", "entities");
    put_str(t, MN_DB_INDEX, "k", "");
    put_str(t, MN_DB_STATS, "k", "stats");
    expect_str(t, MN_DB_META, "k", "two");
    expect_str(t, MN_DB_LOG, "k", "log");
    expect_str(t, MN_DB_SIGS, "k", "sigs");
    expect_str(t, MN_DB_ENTITIES, "k", "entities");
    expect_str(t, MN_DB_INDEX, "k", "");
    expect_str(t, MN_DB_STATS, "k", "stats");

    assert_int_equal(mn_txn_del(t, MN_DB_META, "k", 1), MN_OK);
    expect_absent(t, MN_DB_META, "k");
    expect_str(t, MN_DB_LOG, "k", "log");
    assert_int_equal(mn_txn_del(t, MN_DB_META, "k", 1), MN_ENOTFOUND);
    assert_int_equal(mn_txn_del(t, MN_DB_META, "never", 5), MN_ENOTFOUND);
    commit(&t);

    t = begin(fx, false);
    expect_absent(t, MN_DB_META, "k");
    expect_str(t, MN_DB_META, "new", "v");
    expect_str(t, MN_DB_STATS, "k", "stats");
    mn_txn_abort(&t);
    assert_null(t);
    mn_txn_abort(&t); /* safe on NULL */
}

static void
test_abort_discards(void **state) {
    struct fixture *fx = *state;

    open_store(fx, 16 * MIB, true);
    mn_txn *t = begin(fx, true);
    put_str(t, MN_DB_META, "kept", "1");
    commit(&t);

    t = begin(fx, true);
    put_str(t, MN_DB_META, "dropped", "2");
    put_str(t, MN_DB_META, "kept", "changed");
    assert_int_equal(mn_txn_del(t, MN_DB_META, "kept", 4), MN_OK);
    mn_txn_abort(&t);
    assert_null(t);

    t = begin(fx, false);
    expect_absent(t, MN_DB_META, "dropped");
    expect_str(t, MN_DB_META, "kept", "1");
    mn_txn_abort(&t);
}

/* A reader keeps its snapshot while a writer commits. */
static void
test_read_snapshot(void **state) {
    struct fixture *fx = *state;

    open_store(fx, 16 * MIB, true);
    mn_txn *w = begin(fx, true);
    put_str(w, MN_DB_META, "a", "old");
    commit(&w);

    mn_txn *r = begin(fx, false);
    w = begin(fx, true);
    put_str(w, MN_DB_META, "a", "new");
    put_str(w, MN_DB_META, "b", "added");
    commit(&w);
    expect_str(r, MN_DB_META, "a", "old");
    expect_absent(r, MN_DB_META, "b");
    mn_txn_abort(&r);

    r = begin(fx, false);
    expect_str(r, MN_DB_META, "a", "new");
    expect_str(r, MN_DB_META, "b", "added");
    mn_txn_abort(&r);
}

static void
test_commit_persists_across_reopen(void **state) {
    struct fixture *fx = *state;
    uint8_t key[12], val[100];
    test_rng r = {1};

    open_store(fx, 16 * MIB, true);
    mn_txn *t = begin(fx, true);
    for (uint32_t origin = 1; origin <= 5; origin++)
        for (uint64_t seq = 1; seq <= 100; seq++) {
            mn_put_be32(key, origin);
            mn_put_be64(key + 4, seq);
            rng_fill(&r, val, sizeof val);
            assert_int_equal(mn_txn_put(t, MN_DB_LOG, key, sizeof key, val,
                                        sizeof val, MN_PUT_NEW),
                             MN_OK);
        }
    commit(&t);

    reopen(fx, 16 * MIB);
    r.s = 1; /* replay the same values */
    t = begin(fx, false);
    for (uint32_t origin = 1; origin <= 5; origin++)
        for (uint64_t seq = 1; seq <= 100; seq++) {
            mn_val out;
            mn_put_be32(key, origin);
            mn_put_be64(key + 4, seq);
            rng_fill(&r, val, sizeof val);
            assert_int_equal(mn_txn_get(t, MN_DB_LOG, key, sizeof key, &out),
                             MN_OK);
            assert_int_equal(out.n, sizeof val);
            assert_memory_equal(out.p, val, sizeof val);
        }
    mn_txn_abort(&t);
}

/* ---- cursors ----------------------------------------------------------- */

static int
cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static uint64_t
key_u64(const mn_val *k) {
    assert_int_equal(k->n, 8);
    return mn_get_be64(k->p);
}

static void
test_cursor_order(void **state) {
    struct fixture *fx = *state;
    enum { N = 300 };
    uint64_t keys[N];
    uint8_t kb[8];
    test_rng r = {2};
    mn_cursor *c = NULL;
    mn_val k, v;

    open_store(fx, 16 * MIB, true);
    mn_txn *t = begin(fx, true);
    /* Empty database: nothing to find either way. */
    assert_int_equal(mn_cursor_open(t, MN_DB_INDEX, &c), MN_OK);
    assert_int_equal(mn_cursor_seek(c, NULL, 0, &k, &v), MN_ENOTFOUND);
    assert_int_equal(mn_cursor_seek_before(c, NULL, 0, &k, &v), MN_ENOTFOUND);
    mn_put_be64(kb, 5);
    assert_int_equal(mn_cursor_seek(c, kb, 8, &k, &v), MN_ENOTFOUND);
    assert_int_equal(mn_cursor_seek_before(c, kb, 8, &k, &v), MN_ENOTFOUND);
    mn_cursor_close(&c);
    assert_null(c);
    mn_cursor_close(&c); /* safe on NULL */

    /* Distinct even keys, inserted in random order; odd probes fall
     * between them. */
    for (size_t i = 0; i < N; i++) {
        keys[i] = (rng_next(&r) >> 2) << 1;
        mn_put_be64(kb, keys[i]);
        uint64_t val = keys[i] ^ 0xabcdef;
        assert_int_equal(
            mn_txn_put(t, MN_DB_INDEX, kb, 8, &val, sizeof val, MN_PUT_NEW),
            MN_OK);
    }
    commit(&t);
    qsort(keys, N, sizeof keys[0], cmp_u64);

    t = begin(fx, false);
    assert_int_equal(mn_cursor_open(t, MN_DB_INDEX, &c), MN_OK);
    /* A full scan visits every key once, ascending, with its value. */
    size_t i = 0;
    int rc;
    for (rc = mn_cursor_seek(c, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(c, &k, &v)) {
        assert_true(i < N);
        assert_true(key_u64(&k) == keys[i]);
        uint64_t val;
        assert_int_equal(v.n, sizeof val);
        memcpy(&val, v.p, sizeof val);
        assert_true(val == (keys[i] ^ 0xabcdef));
        i++;
    }
    assert_int_equal(rc, MN_ENOTFOUND);
    assert_int_equal(i, N);

    /* seek: first key >= probe; seek_before: last key < probe. */
    for (int round = 0; round < 2000; round++) {
        size_t j = (size_t)rng_below(&r, N);
        uint64_t probe;
        switch (round % 3) {
        case 0: probe = keys[j]; break;      /* exact */
        case 1: probe = keys[j] + 1; break;  /* just after */
        default: probe = keys[j] - 1; break; /* just before */
        }
        size_t ge = 0;
        while (ge < N && keys[ge] < probe)
            ge++;
        mn_put_be64(kb, probe);
        rc = mn_cursor_seek(c, kb, 8, &k, &v);
        if (ge == N) {
            assert_int_equal(rc, MN_ENOTFOUND);
        } else {
            assert_int_equal(rc, MN_OK);
            assert_true(key_u64(&k) == keys[ge]);
            /* next continues in order from there */
            rc = mn_cursor_next(c, &k, &v);
            if (ge + 1 < N) {
                assert_int_equal(rc, MN_OK);
                assert_true(key_u64(&k) == keys[ge + 1]);
            } else {
                assert_int_equal(rc, MN_ENOTFOUND);
            }
        }
        rc = mn_cursor_seek_before(c, kb, 8, &k, &v);
        if (ge == 0) {
            assert_int_equal(rc, MN_ENOTFOUND);
        } else {
            assert_int_equal(rc, MN_OK);
            assert_true(key_u64(&k) == keys[ge - 1]);
        }
    }
    /* The ends. */
    assert_int_equal(mn_cursor_seek_before(c, NULL, 0, &k, &v), MN_OK);
    assert_true(key_u64(&k) == keys[N - 1]);
    mn_put_be64(kb, keys[0]);
    assert_int_equal(mn_cursor_seek_before(c, kb, 8, &k, &v), MN_ENOTFOUND);
    mn_put_be64(kb, UINT64_MAX);
    assert_int_equal(mn_cursor_seek_before(c, kb, 8, &k, &v), MN_OK);
    assert_true(key_u64(&k) == keys[N - 1]);
    mn_put_be64(kb, 0);
    assert_int_equal(mn_cursor_seek(c, kb, 8, &k, &v), MN_OK);
    assert_true(key_u64(&k) == keys[0]);
    mn_cursor_close(&c);
    mn_txn_abort(&t);
}

/* Keys of different lengths sort as byte strings (prefix first). */
static void
test_cursor_prefix_order(void **state) {
    struct fixture *fx = *state;
    static const char *const sorted[] = {"a", "ab", "abc", "abd", "b", "ba"};
    mn_cursor *c;
    mn_val k, v;

    open_store(fx, 16 * MIB, true);
    mn_txn *t = begin(fx, true);
    for (size_t i = MN_ARRAY_LEN(sorted); i-- > 0;)
        put_str(t, MN_DB_META, sorted[i], "");
    assert_int_equal(mn_cursor_open(t, MN_DB_META, &c), MN_OK);
    size_t i = 0;
    for (int rc = mn_cursor_seek(c, NULL, 0, &k, NULL); rc == MN_OK;
         rc = mn_cursor_next(c, &k, NULL), i++) {
        assert_true(i < MN_ARRAY_LEN(sorted));
        assert_int_equal(k.n, strlen(sorted[i]));
        assert_memory_equal(k.p, sorted[i], k.n);
    }
    assert_int_equal(i, MN_ARRAY_LEN(sorted));
    assert_int_equal(mn_cursor_seek_before(c, "abd", 3, &k, &v), MN_OK);
    assert_int_equal(k.n, 3);
    assert_memory_equal(k.p, "abc", 3);
    assert_int_equal(mn_cursor_seek(c, "abca", 4, &k, &v), MN_OK);
    assert_memory_equal(k.p, "abd", 3);
    mn_cursor_close(&c);
    commit(&t);
}

/* ---- a full map -------------------------------------------------------- */

#define VAL_BYTES 3000

static void
value_for(uint32_t i, uint8_t *val) {
    test_rng r = {i + 1000};
    rng_fill(&r, val, VAL_BYTES);
}

/* Write values in commits of 8 until the map is full. Returns how many
 * keys were committed; the transaction that hit the limit is aborted. */
static uint32_t
fill_until_full(struct fixture *fx, uint32_t first) {
    static uint8_t val[VAL_BYTES];
    uint32_t next = first, committed = first;
    bool full = false;
    for (int batch = 0; batch < 10000 && !full; batch++) {
        mn_txn *t = begin(fx, true);
        int rc = MN_OK;
        for (int j = 0; j < 8 && rc == MN_OK; j++, next++) {
            uint8_t key[4];
            mn_put_be32(key, next);
            value_for(next, val);
            rc = mn_txn_put(t, MN_DB_LOG, key, 4, val, VAL_BYTES, 0);
        }
        if (rc == MN_OK)
            rc = mn_txn_commit(&t);
        else
            mn_txn_abort(&t);
        if (rc == MN_EFULL) {
            full = true;
            break;
        }
        assert_int_equal(rc, MN_OK);
        committed = next;
    }
    assert_true(full);
    return committed;
}

static void
expect_values(struct fixture *fx, uint32_t n) {
    static uint8_t val[VAL_BYTES];
    mn_txn *t = begin(fx, false);
    for (uint32_t i = 0; i < n; i++) {
        uint8_t key[4];
        mn_val out;
        mn_put_be32(key, i);
        value_for(i, val);
        assert_int_equal(mn_txn_get(t, MN_DB_LOG, key, 4, &out), MN_OK);
        assert_int_equal(out.n, VAL_BYTES);
        assert_memory_equal(out.p, val, VAL_BYTES);
    }
    uint8_t key[4];
    mn_val out;
    mn_put_be32(key, n);
    assert_int_equal(mn_txn_get(t, MN_DB_LOG, key, 4, &out), MN_ENOTFOUND);
    mn_txn_abort(&t);
}

static void
test_full_map(void **state) {
    struct fixture *fx = *state;
    uint64_t used, map;

    open_store(fx, 1 * MIB, false);
    mn_store_size(fx->s, &used, &map);
    assert_true(map == 1 * MIB);
    assert_true(used > 0 && used < map);
    mn_txn *t = begin(fx, true);
    put_str(t, MN_DB_META, "marker", "before the flood");
    commit(&t);

    uint32_t n = fill_until_full(fx, 0);
    assert_true(n > 100); /* a megabyte holds a few hundred 3 KB values */
    mn_store_size(fx->s, &used, &map);
    assert_true(used <= map);
    assert_true(used > map / 2);

    /* Full: still readable, and the earlier data is intact. */
    t = begin(fx, false);
    expect_str(t, MN_DB_META, "marker", "before the flood");
    mn_txn_abort(&t);
    expect_values(fx, n);
    /* A small write may still fit or not, but never corrupts anything. */
    t = begin(fx, true);
    int rc = mn_txn_put(t, MN_DB_META, "small", 5, "x", 1, 0);
    assert_true(rc == MN_OK || rc == MN_EFULL);
    if (rc == MN_OK)
        rc = mn_txn_commit(&t);
    else
        mn_txn_abort(&t);
    assert_true(rc == MN_OK || rc == MN_EFULL);

    /* Reopen at the same size: opens, reads. */
    mn_store_destroy(&fx->s);
    open_store(fx, 1 * MIB, false);
    expect_values(fx, n);
    t = begin(fx, false);
    expect_str(t, MN_DB_META, "marker", "before the flood");
    mn_txn_abort(&t);

    /* A larger map lets writes continue where they stopped. */
    mn_store_destroy(&fx->s);
    open_store(fx, 8 * MIB, false);
    mn_store_size(fx->s, &used, &map);
    assert_true(map == 8 * MIB);
    uint32_t m = fill_until_full(fx, n);
    assert_true(m > 4 * n); /* eight times the room */
    expect_values(fx, m);
    print_message("values of %d bytes: %u fit in 1 MiB, %u in 8 MiB\n",
                  VAL_BYTES, n, m);

    /* Reopening with a map smaller than the data grows it to fit. */
    mn_store_destroy(&fx->s);
    open_store(fx, 1 * MIB, false);
    mn_store_size(fx->s, &used, &map);
    assert_true(map >= used);
    assert_true(map > 1 * MIB);
    expect_values(fx, m);
}

/* ---- backup ------------------------------------------------------------ */

/* Every (db, key, value) of a and b is the same. */
static void
expect_same_contents(mn_store *a, mn_store *b) {
    mn_txn *ta, *tb;
    assert_int_equal(mn_store_begin(a, false, &ta), MN_OK);
    assert_int_equal(mn_store_begin(b, false, &tb), MN_OK);
    for (int db = 0; db < MN_DB_COUNT; db++) {
        mn_cursor *ca, *cb;
        mn_val ka, va, kb, vb;
        size_t n = 0;
        assert_int_equal(mn_cursor_open(ta, (enum mn_db)db, &ca), MN_OK);
        assert_int_equal(mn_cursor_open(tb, (enum mn_db)db, &cb), MN_OK);
        int ra = mn_cursor_seek(ca, NULL, 0, &ka, &va);
        int rb = mn_cursor_seek(cb, NULL, 0, &kb, &vb);
        while (ra == MN_OK && rb == MN_OK) {
            assert_int_equal(ka.n, kb.n);
            assert_memory_equal(ka.p, kb.p, ka.n);
            assert_int_equal(va.n, vb.n);
            assert_memory_equal(va.p, vb.p, va.n);
            n++;
            ra = mn_cursor_next(ca, &ka, &va);
            rb = mn_cursor_next(cb, &kb, &vb);
        }
        assert_int_equal(ra, MN_ENOTFOUND);
        assert_int_equal(rb, MN_ENOTFOUND);
        assert_true(n > 0); /* each database had something to compare */
        mn_cursor_close(&ca);
        mn_cursor_close(&cb);
    }
    mn_txn_abort(&ta);
    mn_txn_abort(&tb);
}

static void
copy_file(const char *from, const char *to) {
    static uint8_t buf[8 * 1024 * 1024];
    size_t n = read_file(from, buf, sizeof buf);
    write_file(to, buf, n, 0600);
}

static void
test_backup(void **state) {
    struct fixture *fx = *state;
    char backup[400], restored[400], data[480];
    uint8_t key[8], val[200];
    test_rng r = {3};
    mn_store *copy = NULL;

    open_store(fx, 16 * MIB, true);
    mn_txn *t = begin(fx, true);
    for (int db = 0; db < MN_DB_COUNT; db++)
        for (uint64_t i = 0; i < 200; i++) {
            mn_put_be64(key, i * 7919 + (uint64_t)db);
            size_t n = (size_t)rng_below(&r, sizeof val);
            rng_fill(&r, val, n);
            assert_int_equal(mn_txn_put(t, (enum mn_db)db, key, 8, val, n, 0),
                             MN_OK);
        }
    commit(&t);
    /* Deleted data does not come back from a backup. */
    t = begin(fx, true);
    put_str(t, MN_DB_META, "gone", "soon");
    commit(&t);
    t = begin(fx, true);
    assert_int_equal(mn_txn_del(t, MN_DB_META, "gone", 4), MN_OK);
    commit(&t);

    snprintf(backup, sizeof backup, "%s/backup.mdb", fx->dir);
    /* Hot: a reader is open during the copy. */
    mn_txn *reader = begin(fx, false);
    assert_int_equal(mn_store_backup(fx->s, backup), MN_OK);
    mn_txn_abort(&reader);
    /* Never over an existing file. */
    assert_int_equal(mn_store_backup(fx->s, backup), MN_EEXIST);
    snprintf(restored, sizeof restored, "%s/no/such/dir/b.mdb", fx->dir);
    assert_int_equal(mn_store_backup(fx->s, restored), MN_EIO);

    snprintf(restored, sizeof restored, "%s/restored", fx->dir);
    assert_int_equal(mkdir(restored, 0700), 0);
    snprintf(data, sizeof data, "%s/data.mdb", restored);
    copy_file(backup, data);
    assert_int_equal(
        mn_store_open(restored, 16 * MIB, true, &copy, fx->err, sizeof fx->err),
        MN_OK);
    expect_same_contents(fx->s, copy);
    t = NULL;
    assert_int_equal(mn_store_begin(copy, false, &t), MN_OK);
    expect_absent(t, MN_DB_META, "gone");
    mn_txn_abort(&t);
    /* The restored store is writable and independent of the original. */
    assert_int_equal(mn_store_begin(copy, true, &t), MN_OK);
    put_str(t, MN_DB_META, "only-in-copy", "1");
    commit(&t);
    t = begin(fx, false);
    expect_absent(t, MN_DB_META, "only-in-copy");
    mn_txn_abort(&t);
    mn_store_destroy(&copy);
    assert_null(copy);
    mn_store_destroy(&copy); /* safe on NULL */
}

/* ---- damage ------------------------------------------------------------ */

static void
expect_open_fails(struct fixture *fx, const char *what) {
    mn_store *s = NULL;
    fx->err[0] = '\0';
    int rc = mn_store_open(fx->db, 16 * MIB, true, &s, fx->err, sizeof fx->err);
    if (rc != MN_ECORRUPT && rc != MN_EIO)
        fail_msg("%s: open returned %d", what, rc);
    assert_null(s);
    assert_true(strlen(fx->err) > 0);
    if (!strstr(fx->err, fx->db))
        fail_msg("%s: message \"%s\" does not name the store", what, fx->err);
}

static void
test_corrupt_data_file(void **state) {
    struct fixture *fx = *state;
    static uint8_t junk[64 * 1024];
    char path[400];
    test_rng r = {4};

    assert_int_equal(mkdir(fx->db, 0700), 0);
    snprintf(path, sizeof path, "%s/data.mdb", fx->db);
    rng_fill(&r, junk, sizeof junk);
    write_file(path, junk, sizeof junk, 0600);
    expect_open_fails(fx, "64 KiB of random bytes");
    assert_int_equal(
        mn_store_open(fx->db, 16 * MIB, true, &fx->s, fx->err, sizeof fx->err),
        MN_ECORRUPT);
    assert_non_null(strstr(fx->err, "damaged"));

    /* A few bytes only. */
    write_file(path, junk, 100, 0600);
    expect_open_fails(fx, "100 random bytes");

    /* A real store whose meta pages were overwritten. */
    assert_int_equal(unlink(path), 0);
    open_store(fx, 16 * MIB, true);
    mn_txn *t = begin(fx, true);
    put_str(t, MN_DB_META, "k", "v");
    commit(&t);
    mn_store_destroy(&fx->s);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    assert_int_equal(pwrite(fd, junk, 8192, 0), 8192);
    close(fd);
    expect_open_fails(fx, "overwritten meta pages");
}

/* A store directory that cannot be created names the path. */
static void
test_open_bad_dir(void **state) {
    struct fixture *fx = *state;
    mn_store *s = NULL;

    snprintf(fx->db, sizeof fx->db, "%s/no/such/parent", fx->dir);
    assert_int_equal(
        mn_store_open(fx->db, 16 * MIB, true, &s, fx->err, sizeof fx->err),
        MN_EIO);
    assert_null(s);
    assert_non_null(strstr(fx->err, fx->db));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void) {
    const struct CMUnitTest tests[] = {
        T(test_put_get_del),       T(test_abort_discards),
        T(test_read_snapshot),     T(test_commit_persists_across_reopen),
        T(test_cursor_order),      T(test_cursor_prefix_order),
        T(test_full_map),          T(test_backup),
        T(test_corrupt_data_file), T(test_open_bad_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
