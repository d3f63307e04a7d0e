/*
 * lap_test — unit tests for lap.c: on 10,000 small seeded instances
 * (n <= 6, m <= 8, many zeros and ties, n == m, n == 0, n == 1) the total
 * equals the best one found by trying every assignment; on medium ones it
 * equals a plain Hungarian method written here, which shares no code with
 * the solver; every assignment is checked to be valid and to add up to the
 * total; input is validated; the same matrix gives the same assignment;
 * equal weights go to the lowest-index columns.
 * Every instance is drawn from a fixed seed, so a failure reproduces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "base/util.h"
#include "match/lap.h"
#include "mentornet/mentornet.h"
#include "unit_helpers.h"

#define SMALL_INSTANCES 10000
#define SMALL_MAX_ROWS 6
#define SMALL_MAX_COLS 8

/* How a test matrix's weights are drawn. */
enum shape {
    SHAPE_TINY,    /* 0..3: ties everywhere */
    SHAPE_SPARSE,  /* mostly 0 (a forbidden pair), else 1..100 */
    SHAPE_SCORES,  /* 0 a third of the time, else a sum of small criteria */
    SHAPE_FULL,    /* 0..MN_LAP_MAX_WEIGHT */
    SHAPE_EDGES,   /* 0 or MN_LAP_MAX_WEIGHT */
    SHAPE_PRODUCT, /* a row's factor times a column's: long paths */
    SHAPE_COUNT
};

static int32_t
draw(test_rng *r, enum shape shape) {
    switch (shape) {
    case SHAPE_TINY: return (int32_t)rng_below(r, 4);
    case SHAPE_SPARSE:
        return rng_below(r, 4) ? 0 : 1 + (int32_t)rng_below(r, 100);
    case SHAPE_SCORES:
        if (rng_below(r, 3) == 0)
            return 0;
        return (int32_t)(1 + 30 * rng_below(r, 2) + 6 * rng_below(r, 4) +
                         10 * rng_below(r, 2));
    case SHAPE_FULL: return (int32_t)rng_below(r, MN_LAP_MAX_WEIGHT + 1);
    case SHAPE_EDGES: return rng_below(r, 2) ? MN_LAP_MAX_WEIGHT : 0;
    default: return 0; /* SHAPE_PRODUCT is drawn by matrix() */
    }
}

static int32_t *
matrix(test_rng *r, size_t n, size_t m, enum shape shape) {
    int32_t *w = mn_malloc(n * m * sizeof *w);
    int32_t *col_factor = mn_malloc(m * sizeof *col_factor);
    for (size_t j = 0; j < m; j++)
        col_factor[j] = 1 + (int32_t)rng_below(r, 1000);
    for (size_t i = 0; i < n; i++) {
        int32_t row_factor = 1 + (int32_t)rng_below(r, 1000);
        for (size_t j = 0; j < m; j++)
            w[i * m + j] = shape == SHAPE_PRODUCT
                               ? row_factor * col_factor[j] / 1000
                               : draw(r, shape);
    }
    free(col_factor);
    return w;
}

/* Every row has its own column, in range, and the weights sum to total. */
static void
check_assignment(const int32_t *w, size_t n, size_t m,
                 const int32_t *col_of_row, int64_t total) {
    unsigned char *used = mn_calloc(m, 1);
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        assert_true(col_of_row[i] >= 0 && (size_t)col_of_row[i] < m);
        assert_false(used[col_of_row[i]]);
        used[col_of_row[i]] = 1;
        sum += w[i * m + (size_t)col_of_row[i]];
    }
    assert_int_equal(sum, total);
    free(used);
}

/* Solve, check the assignment, return the total. */
static int64_t
solve(const int32_t *w, size_t n, size_t m) {
    int32_t *col_of_row = mn_malloc((n ? n : 1) * sizeof *col_of_row);
    int64_t total = -1;
    assert_int_equal(mn_lap_max(w, n, m, col_of_row, &total), MN_OK);
    check_assignment(w, n, m, col_of_row, total);
    free(col_of_row);
    return total;
}

/* The best total of rows i.. given the columns in `used`, by trying all. */
static int64_t
brute(const int32_t *w, size_t n, size_t m, size_t i, unsigned used) {
    if (i == n)
        return 0;
    int64_t best = -1;
    for (size_t j = 0; j < m; j++) {
        if (used & (1u << j))
            continue;
        int64_t t = w[i * m + j] + brute(w, n, m, i + 1, used | (1u << j));
        best = t > best ? t : best;
    }
    return best;
}

static void
test_small_against_brute_force(void **state) {
    test_rng r = {1};
    (void)state;
    for (int k = 0; k < SMALL_INSTANCES; k++) {
        size_t n = (size_t)rng_below(&r, SMALL_MAX_ROWS + 1);
        size_t m = n + (size_t)rng_below(&r, SMALL_MAX_COLS - n + 1);
        if (k % 4 == 0)
            m = n; /* square: no column to spare */
        int32_t *w = matrix(&r, n, m, (enum shape)(k % SHAPE_COUNT));
        int64_t want = n ? brute(w, n, m, 0, 0) : 0;
        if (solve(w, n, m) != want)
            fail_msg("instance %d (%zux%zu): not the best total", k, n, m);
        free(w);
    }
}

/* Plain Hungarian method with potentials (Kuhn–Munkres in the O(n^2 m)
 * form), minimizing MN_LAP_MAX_WEIGHT - w over rows 1..n and columns
 * 1..m, index 0 a sentinel: written for this test only. */
struct hungarian {
    int64_t *u, *v, *minv;
    size_t *p, *way;
    unsigned char *used;
};

static void
hungarian_row(const int32_t *w, size_t m, struct hungarian *h, size_t row) {
    size_t j0 = 0;
    h->p[0] = row;
    for (size_t j = 0; j <= m; j++) {
        h->minv[j] = INT64_MAX;
        h->used[j] = 0;
    }
    do {
        h->used[j0] = 1;
        size_t i0 = h->p[j0], j1 = 0;
        int64_t delta = INT64_MAX;
        for (size_t j = 1; j <= m; j++) {
            if (h->used[j])
                continue;
            int64_t cost = MN_LAP_MAX_WEIGHT - w[(i0 - 1) * m + (j - 1)];
            int64_t cur = cost - h->u[i0] - h->v[j];
            if (cur < h->minv[j]) {
                h->minv[j] = cur;
                h->way[j] = j0;
            }
            if (h->minv[j] < delta) {
                delta = h->minv[j];
                j1 = j;
            }
        }
        for (size_t j = 0; j <= m; j++) {
            if (h->used[j]) {
                h->u[h->p[j]] += delta;
                h->v[j] -= delta;
            } else {
                h->minv[j] -= delta;
            }
        }
        j0 = j1;
    } while (h->p[j0] != 0);
    do {
        size_t j1 = h->way[j0];
        h->p[j0] = h->p[j1];
        j0 = j1;
    } while (j0 != 0);
}

static int64_t
hungarian_max(const int32_t *w, size_t n, size_t m) {
    struct hungarian h = {
        mn_calloc(n + 1, sizeof(int64_t)), mn_calloc(m + 1, sizeof(int64_t)),
        mn_calloc(m + 1, sizeof(int64_t)), mn_calloc(m + 1, sizeof(size_t)),
        mn_calloc(m + 1, sizeof(size_t)),  mn_calloc(m + 1, 1)};
    for (size_t row = 1; row <= n; row++)
        hungarian_row(w, m, &h, row);
    int64_t total = 0;
    for (size_t j = 1; j <= m; j++)
        if (h.p[j] != 0)
            total += w[(h.p[j] - 1) * m + (j - 1)];
    free(h.u);
    free(h.v);
    free(h.minv);
    free(h.p);
    free(h.way);
    free(h.used);
    return total;
}

static void
test_medium_against_hungarian(void **state) {
    static const size_t dims[][2] = {
        {200, 300}, {150, 150}, {1, 400}, {120, 121}, {60, 500}};
    test_rng r = {2};
    (void)state;
    for (size_t d = 0; d < MN_ARRAY_LEN(dims); d++) {
        for (int shape = 0; shape < SHAPE_COUNT; shape++) {
            size_t n = dims[d][0], m = dims[d][1];
            int32_t *w = matrix(&r, n, m, (enum shape)shape);
            if (solve(w, n, m) != hungarian_max(w, n, m))
                fail_msg("%zux%zu, shape %d: not the best total", n, m, shape);
            free(w);
        }
    }
}

static void
test_deterministic(void **state) {
    test_rng r = {3};
    size_t n = 150, m = 220;
    int32_t *a = mn_malloc(n * sizeof *a), *b = mn_malloc(n * sizeof *b);
    int64_t ta = 0, tb = 0;
    (void)state;
    for (int shape = 0; shape < SHAPE_COUNT; shape++) {
        int32_t *w = matrix(&r, n, m, (enum shape)shape);
        assert_int_equal(mn_lap_max(w, n, m, a, &ta), MN_OK);
        assert_int_equal(mn_lap_max(w, n, m, b, &tb), MN_OK);
        assert_int_equal(ta, tb);
        assert_memory_equal(a, b, n * sizeof *a);
        free(w);
    }
    free(a);
    free(b);
}

/* Equal weights everywhere: row i takes column i (the lowest free one). */
static void
test_ties_take_lowest_columns(void **state) {
    int32_t w[3 * 5], col_of_row[3];
    int64_t total = 0;
    (void)state;
    for (size_t k = 0; k < MN_ARRAY_LEN(w); k++)
        w[k] = 7;
    assert_int_equal(mn_lap_max(w, 3, 5, col_of_row, &total), MN_OK);
    assert_int_equal(total, 21);
    for (int i = 0; i < 3; i++)
        assert_int_equal(col_of_row[i], i);
}

static void
test_edges_of_the_input(void **state) {
    int32_t w[2 * 3] = {MN_LAP_MAX_WEIGHT, 0, MN_LAP_MAX_WEIGHT, 0, 0,
                        MN_LAP_MAX_WEIGHT};
    int32_t col_of_row[2];
    int64_t total = -1;
    (void)state;
    assert_int_equal(mn_lap_max(NULL, 0, 0, col_of_row, &total), MN_OK);
    assert_int_equal(total, 0);
    total = -1;
    assert_int_equal(mn_lap_max(w, 0, 3, col_of_row, &total), MN_OK);
    assert_int_equal(total, 0);
    assert_int_equal(mn_lap_max(w, 2, 3, col_of_row, &total), MN_OK);
    assert_int_equal(total, 2 * (int64_t)MN_LAP_MAX_WEIGHT);
    assert_int_equal(col_of_row[0], 0);
    assert_int_equal(col_of_row[1], 2);
}

static void
test_invalid_input(void **state) {
    int32_t w[2 * 3] = {1, 2, 3, 4, 5, 6};
    int32_t col_of_row[3];
    int64_t total = 0;
    (void)state;
    assert_int_equal(mn_lap_max(w, 3, 2, col_of_row, &total), MN_EINVAL);
    assert_int_equal(
        mn_lap_max(NULL, 0, MN_LAP_MAX_DIM + 1, col_of_row, &total), MN_EINVAL);
    assert_int_equal(mn_lap_max(NULL, 2, 3, col_of_row, &total), MN_EINVAL);
    w[4] = -1;
    assert_int_equal(mn_lap_max(w, 2, 3, col_of_row, &total), MN_EINVAL);
    w[4] = MN_LAP_MAX_WEIGHT + 1;
    assert_int_equal(mn_lap_max(w, 2, 3, col_of_row, &total), MN_EINVAL);
    w[4] = INT32_MIN;
    assert_int_equal(mn_lap_max(w, 2, 3, col_of_row, &total), MN_EINVAL);
}

/* A weight out of range is found wherever it is: in any row, in the part
 * of a row the scan takes eight at a time and in the rest. */
static void
test_bad_weight_anywhere(void **state) {
    enum { ROWS = 5, COLS = 11 };
    int32_t w[ROWS * COLS], col_of_row[ROWS];
    int64_t total = 0;
    (void)state;
    for (size_t k = 0; k < MN_ARRAY_LEN(w); k++)
        w[k] = (int32_t)k;
    assert_int_equal(mn_lap_max(w, ROWS, COLS, col_of_row, &total), MN_OK);
    for (size_t k = 0; k < MN_ARRAY_LEN(w); k++) {
        int32_t keep = w[k];
        w[k] = k % 2 ? -1 : MN_LAP_MAX_WEIGHT + 1;
        assert_int_equal(mn_lap_max(w, ROWS, COLS, col_of_row, &total),
                         MN_EINVAL);
        w[k] = keep;
    }
}

int
main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_small_against_brute_force),
        cmocka_unit_test(test_medium_against_hungarian),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_ties_take_lowest_columns),
        cmocka_unit_test(test_edges_of_the_input),
        cmocka_unit_test(test_invalid_input),
        cmocka_unit_test(test_bad_weight_anywhere),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
