/*
 * log_test — the change log and signature databases against a real store:
 * append refuses a second change at the same (origin, seq); get finds
 * exactly what was appended; a range read stays inside its origin, stops
 * at its last seq and at a gap; signatures round-trip, and a stored
 * signature that does not decode or names another (origin, seq) is
 * refused as corrupt.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "change/envelope.h"
#include "change/log.h"
#include "unit_helpers.h"

struct fixture {
    char dir[PATH_MAX];
    mn_store *store;
    mn_txn *t; /* a write transaction, aborted at teardown */
};

static int
setup(void **state) {
    struct fixture *fx = mn_calloc(1, sizeof *fx);
    char err[512];
    tmpdir_make(fx->dir, sizeof fx->dir, "log");
    assert_int_equal(
        mn_store_open(fx->dir, 16 << 20, false, &fx->store, err, sizeof err),
        MN_OK);
    assert_int_equal(mn_store_begin(fx->store, true, &fx->t), MN_OK);
    *state = fx;
    return 0;
}

static int
teardown(void **state) {
    struct fixture *fx = *state;
    mn_txn_abort(&fx->t);
    mn_store_destroy(&fx->store);
    tmpdir_remove(fx->dir);
    free(fx);
    return 0;
}

/* The bytes the tests log as (origin, seq): distinct per key. */
static size_t
change_bytes(uint32_t origin, uint64_t seq, char *out, size_t cap) {
    int n =
        snprintf(out, cap, "change %u/%llu", origin, (unsigned long long)seq);
    return (size_t)n;
}

static void
append(mn_txn *t, uint32_t origin, uint64_t seq) {
    char c[64];
    size_t n = change_bytes(origin, seq, c, sizeof c);
    assert_int_equal(mn_log_append(t, origin, seq, c, n), MN_OK);
}

static void
test_append_and_get(void **state) {
    struct fixture *fx = *state;
    mn_bytes got;
    char want[64];
    append(fx->t, 2, 1);
    append(fx->t, 2, 2);
    size_t n = change_bytes(2, 2, want, sizeof want);
    assert_int_equal(mn_log_get(fx->t, 2, 2, &got), MN_OK);
    assert_int_equal(got.n, n);
    assert_memory_equal(got.p, want, n);
    assert_int_equal(mn_log_get(fx->t, 2, 3, &got), MN_ENOTFOUND);
    assert_int_equal(mn_log_get(fx->t, 3, 1, &got), MN_ENOTFOUND);
    /* Never overwritten: the logged bytes stay as they were. */
    assert_int_equal(mn_log_append(fx->t, 2, 2, "other", 5), MN_EEXIST);
    assert_int_equal(mn_log_get(fx->t, 2, 2, &got), MN_OK);
    assert_memory_equal(got.p, want, n);
    /* It is the store's log database, under the envelope's key. */
    uint8_t key[MN_LOG_KEY_BYTES];
    mn_val v;
    mn_envelope_log_key(2, 1, key);
    assert_int_equal(mn_txn_get(fx->t, MN_DB_LOG, key, sizeof key, &v), MN_OK);
}

/* Read origin's range first..last; OUT: the seqs seen. Returns how many. */
static size_t
read_range(mn_txn *t, uint32_t origin, uint64_t first, uint64_t last,
           uint64_t *seqs, size_t cap) {
    mn_log_range r;
    mn_bytes c;
    uint64_t seq;
    size_t n = 0;
    char want[64];
    assert_int_equal(mn_log_range_open(t, origin, first, last, &r), MN_OK);
    while (n < cap && mn_log_range_next(&r, &seq, &c)) {
        size_t wn = change_bytes(origin, seq, want, sizeof want);
        assert_int_equal(c.n, wn);
        assert_memory_equal(c.p, want, wn);
        seqs[n++] = seq;
    }
    /* Once ended, a range stays ended. */
    assert_false(mn_log_range_next(&r, &seq, &c));
    mn_log_range_close(&r);
    mn_log_range_close(&r); /* safe twice */
    return n;
}

static void
test_range_read(void **state) {
    struct fixture *fx = *state;
    uint64_t seqs[32];
    for (uint64_t s = 1; s <= 5; s++)
        append(fx->t, 1, s);
    for (uint64_t s = 1; s <= 3; s++)
        append(fx->t, 2, s);
    append(fx->t, 4, 1);
    append(fx->t, 4, 2);
    append(fx->t, 4, 4); /* a gap at 3 */
    assert_int_equal(read_range(fx->t, 1, 2, 4, seqs, 32), 3);
    assert_int_equal(seqs[0], 2);
    assert_int_equal(seqs[2], 4);
    /* Past the end of the origin's log: only what is there. */
    assert_int_equal(read_range(fx->t, 1, 4, 100, seqs, 32), 2);
    assert_int_equal(seqs[1], 5);
    /* Never into the next origin's log. */
    assert_int_equal(read_range(fx->t, 2, 1, UINT64_MAX, seqs, 32), 3);
    assert_int_equal(read_range(fx->t, 3, 1, 10, seqs, 32), 0);
    /* Stops at the gap. */
    assert_int_equal(read_range(fx->t, 4, 1, 10, seqs, 32), 2);
    assert_int_equal(read_range(fx->t, 4, 3, 10, seqs, 32), 0);
    /* Empty and backward ranges. */
    assert_int_equal(read_range(fx->t, 1, 3, 2, seqs, 32), 0);
    assert_int_equal(read_range(fx->t, 1, 0, 5, seqs, 32), 5); /* from 1 */
    assert_int_equal(seqs[0], 1);
    assert_int_equal(read_range(fx->t, 1, 3, 3, seqs, 32), 1);
    assert_int_equal(seqs[0], 3);
}

static void
test_signatures(void **state) {
    struct fixture *fx = *state;
    mn_chain_sig s = {.origin = 3, .seq = 17}, got;
    mn_buf scratch = {0};
    uint8_t key[MN_LOG_KEY_BYTES];
    memset(s.head, 0x21, MN_HASH_BYTES);
    memset(s.sig, 0x42, MN_SIG_BYTES);
    assert_int_equal(mn_log_sig_get(fx->t, 3, 17, &got), MN_ENOTFOUND);
    assert_int_equal(mn_log_sig_put(fx->t, &s, &scratch), MN_OK);
    assert_int_equal(mn_log_sig_get(fx->t, 3, 17, &got), MN_OK);
    assert_int_equal(got.origin, 3);
    assert_int_equal(got.seq, 17);
    assert_memory_equal(got.head, s.head, MN_HASH_BYTES);
    assert_memory_equal(got.sig, s.sig, MN_SIG_BYTES);
    assert_int_equal(mn_log_sig_get(fx->t, 3, 16, &got), MN_ENOTFOUND);
    /* A later put replaces (a relay stores what the origin signed). */
    s.sig[0] = 0x43;
    assert_int_equal(mn_log_sig_put(fx->t, &s, &scratch), MN_OK);
    assert_int_equal(mn_log_sig_get(fx->t, 3, 17, &got), MN_OK);
    assert_int_equal(got.sig[0], 0x43);
    /* A stored signature of (3, 17) under the key of (3, 18). */
    mn_envelope_log_key(3, 18, key);
    assert_int_equal(mn_txn_put(fx->t, MN_DB_SIGS, key, sizeof key, scratch.p,
                                scratch.len, 0),
                     MN_OK);
    assert_int_equal(mn_log_sig_get(fx->t, 3, 18, &got), MN_ECORRUPT);
    /* Bytes that are no signature. */
    mn_envelope_log_key(3, 19, key);
    assert_int_equal(
        mn_txn_put(fx->t, MN_DB_SIGS, key, sizeof key, "\xff\xff", 2, 0),
        MN_OK);
    assert_int_equal(mn_log_sig_get(fx->t, 3, 19, &got), MN_ECORRUPT);
    mn_buf_release(&scratch);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_append_and_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_range_read, setup, teardown),
        cmocka_unit_test_setup_teardown(test_signatures, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
