/*
 * state_test — the merge rules make the state independent of apply order:
 * one random set of changes applied in 100 random orders (with duplicates)
 * to 100 separate LMDB stores reaches the same digest, the same entities
 * and the same statistics everywhere; the digest equals a recomputation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "door/codec.h"
#include "state/participant.h"
#include "state/state.h"
#include "state/stats.h"

#define NCHANGES 80
#define NENTITIES 8
#define NORDERS 100

struct change {
    uint8_t id[MN_ID_BYTES];
    mn_stamp st;
    mn_ops ops;
};

static uint64_t prng = 0x9e3779b97f4a7c15ull;

static uint64_t
next_rand(void) {
    uint64_t z = (prng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static const char *
pick(const char *const *list, size_t n) {
    return list[next_rand() % n];
}

static void
random_ops(mn_ops *ops) {
    static const char *const roles[] = {"mentor", "mentee"};
    static const char *const statuses[] = {"applicant", "waiting", "matched",
                                           "alumni", "withdrawn"};
    static const char *const names[] = {"Amina", "Sara", "Fatima", "Hodan"};
    static const char *const countries[] = {"SY", "SO", "AF", "IQ", "DK"};
    mn_ops_init(ops);
    if (next_rand() % 2) {
        const char *r = pick(roles, 2);
        mn_ops_add_str(ops, MN_P_ROLE, r, strlen(r));
    }
    if (next_rand() % 2) {
        const char *s = pick(statuses, 5);
        mn_ops_add_str(ops, MN_P_STATUS, s, strlen(s));
    }
    if (next_rand() % 2) {
        const char *n = pick(names, 4);
        mn_ops_add_str(ops, MN_P_GIVEN_NAME, n, strlen(n));
    }
    if (next_rand() % 3 == 0)
        mn_ops_add_clear(ops, MN_P_COUNTRY);
    else
        mn_ops_add_str(ops, MN_P_COUNTRY, pick(countries, 5), 2);
    mn_ops_add_int(ops, MN_P_HOME, (int64_t)(next_rand() % 3 + 1));
}

static bool
stamp_used(const struct change *c, int n, const mn_stamp *st) {
    for (int i = 0; i < n; i++)
        if (mn_stamp_cmp(&c[i].st, st) == 0)
            return true;
    return false;
}

static void
make_changes(struct change *c) {
    uint8_t ids[NENTITIES][MN_ID_BYTES];
    for (int i = 0; i < NENTITIES; i++)
        mn_id_new(1700000000000ull + (uint64_t)i, (uint32_t)i % 5 + 1, ids[i]);
    for (int i = 0; i < NCHANGES; i++) {
        memcpy(c[i].id, ids[next_rand() % NENTITIES], MN_ID_BYTES);
        /* A narrow HLC range makes equal timestamps (origin ties) common;
         * (hlc, origin) stays unique, as an origin's clock guarantees. */
        do {
            c[i].st.hlc = (next_rand() % 32) << 16;
            c[i].st.origin = (uint32_t)(next_rand() % 5 + 1);
        } while (stamp_used(c, i, &c[i].st));
        c[i].st.seq = (uint64_t)i + 1;
        random_ops(&c[i].ops);
    }
}

static void
shuffle(size_t *order, size_t n) {
    for (size_t i = n - 1; i > 0; i--) {
        size_t j = next_rand() % (i + 1);
        size_t tmp = order[i];
        order[i] = order[j];
        order[j] = tmp;
    }
}

struct outcome {
    uint8_t digest[MN_HASH_BYTES];
    mn_counts counts;
    mn_buf entities; /* every entity's bytes, in key order */
};

static void
read_outcome(mn_store *s, struct outcome *o) {
    mn_txn *t;
    mn_cursor *cur;
    mn_val k, v;
    mn_counts recount;
    uint8_t recomputed[MN_HASH_BYTES] = {0};
    assert_int_equal(mn_store_begin(s, false, &t), MN_OK);
    assert_int_equal(mn_stats_load(t, &o->counts), MN_OK);
    assert_int_equal(mn_stats_recount(t, &recount), MN_OK);
    assert_memory_equal(&o->counts, &recount, sizeof recount);
    assert_int_equal(mn_cursor_open(t, MN_DB_ENTITIES, &cur), MN_OK);
    for (int rc = mn_cursor_seek(cur, NULL, 0, &k, &v); rc == MN_OK;
         rc = mn_cursor_next(cur, &k, &v)) {
        uint8_t h[MN_HASH_BYTES];
        mn_buf_append(&o->entities, v.p, v.n);
        mn_crypto_hash2(v.p, v.n, NULL, 0, h);
        for (int i = 0; i < MN_HASH_BYTES; i++)
            recomputed[i] ^= h[i];
    }
    mn_cursor_close(&cur);
    assert_int_equal(mn_conflicts_digest(t, recomputed), MN_OK);
    mn_txn_abort(&t);
    assert_memory_equal(recomputed, o->digest, MN_HASH_BYTES);
}

/* Apply changes in order (each possibly twice) to a fresh store. */
static void
apply_in_order(const struct change *c, const size_t *order, const char *dir,
               struct outcome *o) {
    mn_store *s;
    mn_txn *t;
    mn_buf scratch;
    char err[256];
    mn_buf_init(&scratch);
    memset(o->digest, 0, sizeof o->digest);
    assert_int_equal(mn_store_open(dir, 16 << 20, false, &s, err, sizeof err),
                     MN_OK);
    for (size_t i = 0; i < NCHANGES; i++) {
        const struct change *ch = &c[order[i]];
        int times = next_rand() % 4 == 0 ? 2 : 1;
        assert_int_equal(mn_store_begin(s, true, &t), MN_OK);
        for (int k = 0; k < times; k++)
            assert_int_equal(mn_state_apply(t, o->digest, MN_ENTITY_PARTICIPANT,
                                            ch->id, ch->ops.op, ch->ops.n,
                                            &ch->st, NULL, &scratch),
                             MN_OK);
        assert_int_equal(mn_txn_commit(&t), MN_OK);
    }
    read_outcome(s, o);
    mn_store_destroy(&s);
    mn_buf_release(&scratch);
}

static void
remove_store(const char *dir) {
    char path[512];
    snprintf(path, sizeof path, "%s/data.mdb", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/lock.mdb", dir);
    unlink(path);
    rmdir(dir);
}

static void
test_any_order_same_state(void **unused) {
    (void)unused;
    static struct change changes[NCHANGES];
    size_t order[NCHANGES];
    char root[] = "/tmp/mn-state-XXXXXX", dir[64];
    struct outcome first, other;
    assert_non_null(mkdtemp(root));
    make_changes(changes);
    for (size_t i = 0; i < NCHANGES; i++)
        order[i] = i;
    mn_buf_init(&first.entities);
    for (int run = 0; run < NORDERS; run++) {
        struct outcome *o = run == 0 ? &first : &other;
        snprintf(dir, sizeof dir, "%s/%d", root, run);
        mn_buf_init(&other.entities);
        shuffle(order, NCHANGES);
        apply_in_order(changes, order, dir, o);
        remove_store(dir);
        if (run == 0)
            continue;
        assert_memory_equal(first.digest, other.digest, MN_HASH_BYTES);
        assert_memory_equal(&first.counts, &other.counts, sizeof first.counts);
        assert_int_equal(first.entities.len, other.entities.len);
        assert_memory_equal(first.entities.p, other.entities.p,
                            first.entities.len);
        mn_buf_release(&other.entities);
    }
    mn_buf_release(&first.entities);
    for (size_t i = 0; i < NCHANGES; i++)
        mn_ops_release(&changes[i].ops);
    rmdir(root);
}

/* Equal vectors hold the same seqs: a vector ahead of another with the
 * same origins is not equal to it, either way round. */
static void
test_vv_equal_both_ways(void **state) {
    mn_vv a = {0}, b = {0};
    (void)state;
    assert_int_equal(mn_vv_set(&a, 7, 5), MN_OK);
    assert_int_equal(mn_vv_set(&b, 7, 3), MN_OK);
    assert_false(mn_vv_equal(&a, &b));
    assert_false(mn_vv_equal(&b, &a));
    assert_int_equal(mn_vv_set(&b, 7, 5), MN_OK);
    assert_true(mn_vv_equal(&a, &b));
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_any_order_same_state),
        cmocka_unit_test(test_vv_equal_both_ways),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
