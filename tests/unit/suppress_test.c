/*
 * suppress_test — unit tests for state/suppress.c: the primary rule; a
 * table where naive (primary only) suppression is undone by subtraction
 * and the full pattern is not; two small cells of one whose sum gives
 * both away; a 2x2 block of ones that keeps "two hidden per row and
 * column" and is still solved; zeros hidden only as a last resort; a
 * line with a small total, and ones that add up to their total, shown as
 * "x"; the case no hiding can help (a table of one cell). And the checker
 * against brute force: for random small tables and random patterns,
 * every integer filling of the hidden cells that keeps the published
 * figures is enumerated, and a cell is fixed iff it takes one value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "state/suppress.h"
#include "unit_helpers.h"

static size_t
count_flag(const uint8_t *flags, size_t n, enum mn_cell f) {
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += flags[i] == f;
    return k;
}

static void
test_primary(void **state) {
    static const uint64_t cells[] = {0, 1, 4, 5, 100, 3};
    mn_count_table t = {2, 3, cells, true, true};
    uint8_t flags[6];
    (void)state;
    mn_suppress_primary(&t, flags);
    static const uint8_t want[] = {MN_CELL_SHOWN, MN_CELL_SMALL, MN_CELL_SMALL,
                                   MN_CELL_SHOWN, MN_CELL_SHOWN, MN_CELL_SMALL};
    assert_memory_equal(flags, want, sizeof want);
}

/* One small cell in a 3x3 table: its row total gives it away when it is
 * hidden alone; the full pattern hides a cycle of four. */
static void
test_naive_undone(void **state) {
    static const uint64_t cells[] = {3, 10, 12, 8, 9, 20, 7, 15, 11};
    mn_count_table t = {3, 3, cells, true, true};
    uint8_t flags[9];
    (void)state;
    mn_suppress_primary(&t, flags);
    assert_true(mn_suppress_fixed(&t, flags, 0));
    assert_int_equal(mn_suppress(&t, flags), 0);
    assert_int_equal(flags[0], MN_CELL_SMALL);
    assert_int_equal(count_flag(flags, 9, MN_CELL_HIDDEN), 3);
    /* The cheapest cycle: 7 and 8 beside it, and 9 to close it. */
    assert_int_equal(flags[3], MN_CELL_HIDDEN);
    assert_int_equal(flags[4], MN_CELL_HIDDEN);
    assert_int_equal(flags[6], MN_CELL_SHOWN);
    assert_int_equal(mn_suppress_count_fixed(&t, flags), 0);
}

/* A one-way table (its total only): two ones hidden sum to 2, so both
 * are 1; a third cell must go. */
static void
test_two_ones_in_a_column(void **state) {
    static const uint64_t cells[] = {1, 1, 500, 40};
    mn_count_table t = {4, 1, cells, false, true};
    uint8_t flags[4];
    (void)state;
    mn_suppress_primary(&t, flags);
    assert_int_equal(mn_suppress_count_fixed(&t, flags), 2);
    assert_int_equal(mn_suppress(&t, flags), 0);
    assert_int_equal(flags[3], MN_CELL_HIDDEN); /* the smaller one */
    assert_int_equal(flags[2], MN_CELL_SHOWN);
}

/* Ones in a 2x2 block: two hidden in every row and column, and still
 * each is 1 (row sums of 2 over two cells of at least 1). */
static void
test_block_of_ones(void **state) {
    static const uint64_t cells[] = {1, 1, 50, 1, 1, 60, 70, 80, 90};
    mn_count_table t = {3, 3, cells, true, true};
    uint8_t flags[9];
    (void)state;
    mn_suppress_primary(&t, flags);
    assert_int_equal(mn_suppress_count_fixed(&t, flags), 4);
    assert_int_equal(mn_suppress(&t, flags), 0);
}

/* Zeros are hidden only when nothing else closes a cycle: here the 3
 * can only go round through the 0 under the 7. */
static void
test_zero_as_last_resort(void **state) {
    static const uint64_t cells[] = {3, 7, 0, 5, 0, 20};
    mn_count_table t = {2, 3, cells, true, true};
    uint8_t flags[6];
    (void)state;
    assert_int_equal(mn_suppress(&t, flags), 0);
    assert_int_equal(flags[0], MN_CELL_SMALL);
    assert_int_equal(flags[1], MN_CELL_HIDDEN);
    assert_int_equal(flags[3], MN_CELL_HIDDEN);
    assert_int_equal(flags[4], MN_CELL_HIDDEN); /* the zero */
    assert_int_equal(flags[2], MN_CELL_SHOWN);
    assert_int_equal(flags[5], MN_CELL_SHOWN);
}

/* A row whose total is small: its cells are all "x" (as "<5" they would
 * say which are not zero). And ones that add up to their total: none can
 * fall, so they are shown as "x". */
static void
test_small_lines(void **state) {
    static const uint64_t row[] = {3, 0, 0, 50, 60, 70};
    static const uint64_t ones[] = {1, 1, 1, 1, 1, 1};
    mn_count_table t = {2, 3, row, true, true};
    mn_count_table o = {6, 1, ones, false, true};
    uint8_t flags[6];
    (void)state;
    assert_int_equal(mn_suppress(&t, flags), 0);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(flags[i], MN_CELL_HIDDEN);
    assert_int_equal(mn_suppress(&o, flags), 0);
    assert_int_equal(count_flag(flags, 6, MN_CELL_HIDDEN), 6);
}

/* A table that is one cell: its total is the cell; nothing can help. */
static void
test_unprotectable(void **state) {
    static const uint64_t cells[] = {3};
    mn_count_table t = {1, 1, cells, true, true};
    uint8_t flags[1];
    (void)state;
    assert_int_equal(mn_suppress(&t, flags), 1);
}

/* ---- the checker against brute force ------------------------------------ */

#define BR 3
#define BC 3
#define VMAX 6

struct brute {
    const mn_count_table *t;
    const uint8_t *flags;
    size_t hidden[BR * BC], nhidden;
    uint64_t val[BR * BC];
    uint64_t lo[BR * BC], hi[BR * BC]; /* values seen per hidden cell */
    unsigned found;
};

static bool
keeps_totals(const struct brute *b) {
    const mn_count_table *t = b->t;
    uint64_t total = 0, want = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        uint64_t s = 0, w = 0;
        for (size_t c = 0; c < t->ncols; c++) {
            s += b->val[r * t->ncols + c];
            w += t->cells[r * t->ncols + c];
        }
        if (t->row_totals && s != w)
            return false;
        total += s;
        want += w;
    }
    for (size_t c = 0; t->col_totals && c < t->ncols; c++) {
        uint64_t s = 0, w = 0;
        for (size_t r = 0; r < t->nrows; r++) {
            s += b->val[r * t->ncols + c];
            w += t->cells[r * t->ncols + c];
        }
        if (s != w)
            return false;
    }
    return total == want;
}

static void
enumerate(struct brute *b, size_t k) {
    if (k == b->nhidden) {
        if (!keeps_totals(b))
            return;
        b->found++;
        for (size_t i = 0; i < b->nhidden; i++) {
            size_t cell = b->hidden[i];
            if (b->val[cell] < b->lo[cell])
                b->lo[cell] = b->val[cell];
            if (b->val[cell] > b->hi[cell])
                b->hi[cell] = b->val[cell];
        }
        return;
    }
    size_t cell = b->hidden[k];
    bool small = b->flags[cell] == MN_CELL_SMALL;
    for (uint64_t v = small ? 1 : 0; v <= (small ? 4 : 3 * VMAX); v++) {
        b->val[cell] = v;
        enumerate(b, k + 1);
    }
}

/* Fillings brute force tries at most per pattern (larger ones skipped). */
#define BRUTE_MAX 300000

/* Check every hidden cell of the pattern against brute force; false when
 * the pattern has too many fillings to try. */
static bool
brute_check(const mn_count_table *t, const uint8_t *flags) {
    struct brute b = {.t = t, .flags = flags};
    uint64_t fillings = 1;
    for (size_t i = 0; i < t->nrows * t->ncols; i++) {
        b.val[i] = t->cells[i];
        b.lo[i] = UINT64_MAX;
        b.hi[i] = 0;
        if (flags[i] != MN_CELL_SHOWN) {
            b.hidden[b.nhidden++] = i;
            fillings *= flags[i] == MN_CELL_SMALL ? 4 : 3 * VMAX + 1;
            if (fillings > BRUTE_MAX)
                return false;
        }
    }
    enumerate(&b, 0);
    assert_true(b.found > 0); /* the truth is one filling */
    for (size_t i = 0; i < b.nhidden; i++) {
        size_t cell = b.hidden[i];
        bool fixed = b.lo[cell] == b.hi[cell];
        if (fixed != mn_suppress_fixed(t, flags, cell))
            fail_msg("cell %zu: brute force says %s", cell,
                     fixed ? "fixed" : "free");
    }
    return true;
}

static void
test_checker_against_brute_force(void **state) {
    test_rng r = {0x5afe};
    uint64_t cells[BR * BC];
    uint8_t flags[BR * BC];
    size_t fixed = 0, checked = 0;
    (void)state;
    for (int run = 0; run < 150; run++) {
        mn_count_table t = {BR, BC, cells, run % 4 != 1, run % 4 != 2};
        for (size_t i = 0; i < BR * BC; i++) {
            cells[i] = rng_below(&r, VMAX + 1);
            flags[i] =
                cells[i] >= 1 && cells[i] <= 4 && rng_below(&r, 2)
                    ? MN_CELL_SMALL
                    : (rng_below(&r, 4) == 0 ? MN_CELL_HIDDEN : MN_CELL_SHOWN);
        }
        checked += brute_check(&t, flags);
        fixed += mn_suppress_count_fixed(&t, flags);
        /* And the full pattern of the same counts. */
        size_t left = mn_suppress(&t, flags);
        assert_int_equal(left, mn_suppress_count_fixed(&t, flags));
        checked += brute_check(&t, flags);
    }
    assert_true(fixed > 0); /* the random patterns did include fixed cells */
    assert_true(checked > 150);
    print_message("brute force: %zu patterns checked\n", checked);
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_primary),
        cmocka_unit_test(test_naive_undone),
        cmocka_unit_test(test_two_ones_in_a_column),
        cmocka_unit_test(test_block_of_ones),
        cmocka_unit_test(test_zero_as_last_resort),
        cmocka_unit_test(test_small_lines),
        cmocka_unit_test(test_unprotectable),
        cmocka_unit_test(test_checker_against_brute_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
